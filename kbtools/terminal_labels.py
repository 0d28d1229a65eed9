"""The words ``kb search`` and ``kb show`` print around entries, in each language: one table.

A result of ``kb search`` is labelled in the reader's language (``--lang``); ``kb show`` labels an
entry in the language it shows, or in English when it shows both. "Symptoms" is 症状, as on the
site (:mod:`kbtools.site.labels`) and in the entries' own prose. Kept free of imports: ``kb search``
loads it on every start.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        # kb search: one result
        "id": "id", "matched": "matched", "fix": "fix", "file": "file", "page": "page", "possible": "possible match",
        "none": "no match; try fewer or other words",
        "unsure": "no confident match; the closest entries below are only possible matches",
        "why": "why", "shared": "shared", "parts": "parts",
        # kb show: one whole entry
        "symptoms": "Symptoms", "environment": "Environment", "fixed_in": "Fixed in", "tags": "Tags",
        "references": "References", "source": "Source", "file_heading": "File", "page_heading": "Page",
        "status": "status", "related": "Related",
    },
    "zh": {
        "id": "编号", "matched": "匹配", "fix": "解决", "file": "文件", "page": "网页", "possible": "可能相关",
        "none": "没有匹配的条目；换几个词试试",
        "unsure": "没有把握的匹配；下面只是可能相关的条目",
        "why": "依据", "shared": "共有", "parts": "分项",
        "symptoms": "症状", "environment": "环境", "fixed_in": "修复版本", "tags": "标签",
        "references": "参考资料", "source": "来源", "file_heading": "文件", "page_heading": "网页",
        "status": "状态", "related": "相关条目",
    },
}
# The name of each language, in itself: `kb show` heads each half with it.
LANG_NAMES = {"zh": "中文", "en": "English"}
