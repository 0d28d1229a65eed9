"""The words the site itself prints around entries, in each language.

Kept in one table so that a page never mixes languages: every label a page shows comes from
the table of that page's language, punctuation included (Chinese pages use full-width colons and
stops). Page code never tests the language itself; it asks this table. The terminal's words are
in :mod:`kbtools.terminal_labels`; both call the error text "symptoms" 症状.
"""

from __future__ import annotations

from kbtools.langs import LANGS, other_lang

__all__ = ["LABELS", "LANGS", "label", "other_lang"]

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "symptoms": "症状",
        "command": "执行的命令",
        "log": "出现位置",
        "output": "输出",
        "versions": "影响版本",
        "software": "软件",
        "constraint": "版本",
        "no_versions": "来源没有给出版本信息。",
        "fixed_in": "修复版本",
        "details": "条目信息",
        "status": "状态",
        "product": "产品",
        "component": "组件",
        "tags": "标签",
        "created": "创建",
        "updated": "更新",
        "related": "相关条目",
        "references": "参考资料",
        "source": "来源",
        "source_text": "本条目整理自 {author} 的笔记[《{title}》]({url})",
        "source_section": "，对应其中的「{section}」一节",
        "edit": "编辑此条目",
        "edit_text": "发现错误或有补充？[在 GitHub 上编辑 `{path}`]({url})，提交 pull request。",
        "fallback": "这一部分还没有中文版，下面显示的是英文原文。欢迎[补充翻译]({url})。",
        "fallback_title": "尚未翻译",
        "status.verified": "已验证",
        "status.draft": "草稿",
        "status.obsolete": "已过时",
        "status_note.verified": "来源确认该解决方法有效。",
        "status_note.draft": "原因或解决方法尚未确认，请谨慎参考。",
        "status_note.obsolete": "只适用于旧版本，保留备查。",
        "entries_count": "{n} 个条目",
        "none": "暂无条目。",
        "by_component": "按组件浏览",
        "all_entries": "全部条目",
        "permalink": "本节链接",
        "entry": "条目",
        "versions_short": "版本",
        "colon": "：",
        "full_stop": "。",
        "log_line": "**{label}**：{log}",
        "fixed_in_line": "**{label}**：{fixed}",
        "note_link": "[按原文顺序浏览全部条目]({url})。",
        "all_n": "全部 {n} 个条目",
        "stats": "目前共有 **{count}** 个条目，其中 {verified} 个已验证。",
        "note_title": "《{title}》",
        "note_credit": "作者：{author} · 发表于 {created} · 原文：{link}",
        # The note's own headings are Chinese: the Chinese list links them as they are.
        "note_row": "{number}. {heading_link}",
        "export_link": "全部条目的 JSON 导出",
        "back_links": "[← 返回首页]({home}) · [全部标签]({tags})",
        "no_guide": "贡献指南还在编写中。",
    },
    "en": {
        "symptoms": "Symptoms",
        "command": "Command",
        "log": "Seen in",
        "output": "Output",
        "versions": "Affected versions",
        "software": "Software",
        "constraint": "Version",
        "no_versions": "The source gives no versions.",
        "fixed_in": "Fixed in",
        "details": "About this entry",
        "status": "Status",
        "product": "Product",
        "component": "Component",
        "tags": "Tags",
        "created": "Created",
        "updated": "Updated",
        "related": "Related entries",
        "references": "References",
        "source": "Source",
        "source_text": "Adapted from the note [{title}]({url}) by {author}",
        "source_section": ", section “{section}”",
        "edit": "Edit this entry",
        "edit_text": "Found a mistake or know more? [Edit `{path}` on GitHub]({url}) and open a pull request.",
        "fallback": "This part has no English version yet; the Chinese text is shown below. "
                    "[Translations are welcome]({url}).",
        "fallback_title": "Not translated yet",
        "status.verified": "Verified",
        "status.draft": "Draft",
        "status.obsolete": "Obsolete",
        "status_note.verified": "A source confirms that the fix works.",
        "status_note.draft": "The cause or the fix is not confirmed yet; use with care.",
        "status_note.obsolete": "Applies to old versions only; kept for reference.",
        "entries_count": "{n} entries",
        "none": "No entries yet.",
        "by_component": "Browse by component",
        "all_entries": "All entries",
        "permalink": "Link to this section",
        "entry": "Entry",
        "versions_short": "Versions",
        "colon": ": ",
        "full_stop": ".",
        "log_line": "**{label}:** {log}",
        "fixed_in_line": "**{label}**: {fixed}",
        "note_link": "[Browse all entries in the note's order]({url}).",
        "all_n": "All {n} entries",
        "stats": "There are **{count}** entries, {verified} of them verified.",
        "note_title": "{title}",
        "note_credit": "By {author} · published {created} · original: {link}",
        "note_row": "{number}. {title_link}  \n   original heading: {heading_code}",
        "export_link": "JSON export of all entries",
        "back_links": "[← Home]({home}) · [All tags]({tags})",
        "no_guide": "The contributing guide is being written.",
    },
}

def label(lang: str, key: str, **values: object) -> str:
    text = LABELS[lang][key]
    return text.format(**values) if values else text


