"""kbtools.site.markdown and kbtools.site.render: what an entry's page says, and that text stays text."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown as python_markdown
import pytest

from kbtools.model import Entry, Localized, Product, Section
from kbtools.site import markdown as md
from kbtools.site.fences import verbatim
from kbtools.site.render import SiteContext, render_entry

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "pymdownx.superfences", "pymdownx.highlight"]
CONFIGS = {"pymdownx.superfences": {"custom_fences": [{"name": "kb-verbatim", "class": "kb-output",
                                                       "format": verbatim}]}}
PRODUCTS = {"kong": Product(name="Kong", description=Localized(zh="网关", en="Gateway"),
                            components={"database": Localized(zh="数据库", en="Database")})}


def html(text: str) -> str:
    return python_markdown.markdown(text, extensions=EXTENSIONS, extension_configs=CONFIGS)


def make_entry(**changes: Any) -> Entry:
    def half(lang: str, cause: str, fix: str) -> dict[str, Section]:
        names = {"zh": ("原因", "解决"), "en": ("Cause", "Fix")}[lang]
        return {"cause": Section(key="cause", heading=names[0], text=cause, line=1),
                "fix": Section(key="fix", heading=names[1], text=fix, line=2)}

    data: dict[str, Any] = {
        "id": "sample", "title": Localized(zh="示例报错", en="Sample error"), "product": "kong",
        "component": "database",
        "symptoms": [{"command": "kong start", "output": "ERROR: it broke\n  indented line\n"}],
        "environment": {"postgresql": "<9.4"}, "status": "verified", "tags": ["postgresql"],
        "related": ["other"], "references": [{"url": "https://example.org/doc", "title": "Doc"}],
        "source": {"title": "笔记", "author": "李佶澳", "url": "https://example.org/note", "section": "某一节"},
        "created": dt.date(2018, 10, 15), "updated": dt.date(2018, 10, 16),
        "path": Path("entries/kong/sample.md"),
        "body": {"zh": half("zh", "版本太低。", "升级。"), "en": half("en", "Too old.", "Upgrade.")},
    }
    data.update(changes)
    return Entry(**data)


CTX = SiteContext(products=PRODUCTS, titles={"other": ("kong", {"zh": "另一个", "en": "Another"})},
                  edit_base="https://github.com/o/r/edit/main/")


@pytest.mark.parametrize("lang,words", [
    ("zh", ["# 示例报错", "## 症状", "## 原因", "## 解决", "## 影响版本", "## 相关条目", "## 参考资料",
            "## 来源", "李佶澳", "## 编辑此条目", "2018-10-15", "已验证"]),
    ("en", ["# Sample error", "## Symptoms", "## Cause", "## Fix", "## Affected versions", "## Related entries",
            "## References", "## Source", "李佶澳", "## Edit this entry", "2018-10-16", "Verified"]),
])
def test_entry_page_has_every_part_in_its_language(lang: str, words: list[str]) -> None:
    page = render_entry(make_entry(), lang, CTX)
    for word in words:
        assert word in page, word
    other = "Cause" if lang == "zh" else "原因"
    assert f"## {other}" not in page


def test_symptom_output_is_a_verbatim_code_block_and_command_is_shown() -> None:
    page = render_entry(make_entry(), "en", CTX)
    assert "```kb-verbatim\nkong start\n```" in page
    assert "```kb-verbatim\nERROR: it broke\n  indented line\n```" in page
    assert '<pre class="kb-output"><code>ERROR: it broke\n  indented line</code></pre>' in html(page)


def test_links_are_relative_md_paths_and_edit_link_is_the_entry_source() -> None:
    page = render_entry(make_entry(), "zh", CTX)
    assert "[另一个](other.md)" in page
    assert "(../../components/kong/database.md)" in page
    assert "(../../tags.md#postgresql)" in page
    assert "(https://github.com/o/r/edit/main/entries/kong/sample.md)" in page


def test_versions_are_a_table() -> None:
    out = html(render_entry(make_entry(), "en", CTX))
    assert "<td>postgresql</td>" in out and "<td>&lt;9.4</td>" in out


def test_missing_translation_falls_back_with_a_visible_notice() -> None:
    body = make_entry().body
    entry = make_entry(body={"zh": body["zh"],
                             "en": {"cause": body["en"]["cause"]}})  # no English fix
    page = render_entry(entry, "en", CTX)
    fix = page.split("## Fix", 1)[1]
    assert '!!! info "Not translated yet"' in fix
    assert "升级。" in fix
    assert 'class="admonition info"' in html(page)
    # The Chinese text on the English page says which language it is in.
    assert re.search(r'<div lang="zh">\s*<p>升级。', html(page))


def test_draft_status_is_flagged_at_the_top() -> None:
    page = render_entry(make_entry(status="draft"), "zh", CTX)
    assert page.index('!!! warning "草稿"') < page.index("## 症状")


def test_script_in_a_symptom_renders_as_text() -> None:
    entry = make_entry(symptoms=[{"log": "<b>error.log</b>", "output": "<script>alert(1)</script>\n"}])
    out = html(render_entry(entry, "en", CTX))
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_title_with_markup_stays_literal() -> None:
    entry = make_entry(title=Localized(zh="a", en="<img src=x> *LUA_NUMBER_* [x](y) {: .c} a|b"))
    out = html(render_entry(entry, "en", CTX))
    h1 = out.split("</h1>", 1)[0]
    assert "<img" not in h1 and "<em>" not in h1 and "<a " not in h1
    assert "&lt;img src=x&gt; *LUA_NUMBER_* [x](y) {: .c} a&#124;b" in h1


@pytest.mark.parametrize("body", ["```\ninside\n```", "a ```` b", "plain"])
def test_fence_outlasts_any_backticks_inside(body: str) -> None:
    out = html(md.fence(body + "\n"))
    assert out.count("<pre") == 1
    assert "inside" in out or "plain" in out or "````" in out


def test_code_span_and_relative() -> None:
    assert md.code_span("a`b") == "``a`b``"
    assert md.relative("entries/kong/a.md", "tags.md") == "../../tags.md"
    assert md.relative("index.md", "entries/kong/a.md") == "entries/kong/a.md"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href" and (v or "").startswith("http")]


@pytest.mark.parametrize("url,seen", [
    # Issue 13 (i): once spliced raw into `[title](url)`, the `)` ended the link and the rest was HTML.
    ("https://a.example/x)<svg/onload=alert(1)>", "https://a.example/x)%3Csvg/onload=alert(1)%3E"),
    ('https://a.example/"onmouseover="alert(1)', "https://a.example/%22onmouseover=%22alert(1)"),
    ("https://a.example/a b\\c`d", "https://a.example/a%20b%5Cc%60d"),
    # `&#58;` is not a colon to the browser: it stays the five characters it was in the YAML.
    ("https://a.example/?q=&#58;", "https://a.example/?q=&#58;"),
    # Real URLs reach the page unchanged.
    ("https://nginx.org/x.html?&_ga=2.1#keepalive", "https://nginx.org/x.html?&_ga=2.1#keepalive"),
    ("https://en.wikipedia.org/wiki/Kong_(software)", "https://en.wikipedia.org/wiki/Kong_(software)"),
])
def test_front_matter_urls_are_built_from_escaped_parts(url: str, seen: str) -> None:
    from kbtools import markup

    entry = make_entry(references=[{"url": url, "title": "Ref"}],
                       source={"title": "Note", "author": "A", "url": url, "section": "S"})
    for lang in ("zh", "en"):
        page = markup.render(render_entry(entry, lang, SiteContext(PRODUCTS, {}, "")))
        links = _Links()
        links.feed(page)
        assert links.hrefs == [seen, seen], page  # the reference, then the source
        assert not links.tags & {"svg", "img", "script"}
        assert markup.html_problems(page) == []
