"""The rules the site's search shares with `kb search`, and the data the site build writes
(kbtools.searchrules, kbtools.index.record.browser_record, kbtools.site.searchdata).

That the browser reads the same patterns the same way is tested in chromium, over real lines
(tests/test_site_search_browser.py); here, what can be checked without a browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_text

from kbtools import normalize
from kbtools.index import FIELDS, open_index
from kbtools.index.record import document
from kbtools.load import load_kb
from kbtools.searchrules import rules
from kbtools.site.searchdata import search_data

# Escapes that mean one thing in Python (Unicode) and another in JavaScript (ASCII): the shared
# patterns must not use them. An escaped backslash (`\\`) is skipped first.
_DIVERGENT = re.compile(r"\\\\|\\([wWdDsSbBZAz])")


@pytest.mark.parametrize("name", sorted(rules()["patterns"]))
def test_shared_patterns_keep_to_the_common_subset(name: str) -> None:
    source = rules()["patterns"][name]
    found = [m.group(0) for m in _DIVERGENT.finditer(source) if m.group(1)]
    assert found == [], f"{name} uses {found}: write an explicit class (see kbtools/normalize.py)"
    assert "(?P" not in source and "(?i" not in source and "\\Z" not in source
    re.compile(source)


def test_the_divergent_escape_check_catches_one() -> None:
    assert [m.group(1) for m in _DIVERGENT.finditer(r"\w+\\d\b") if m.group(1)] == ["w", "b"]


def test_rules_are_plain_data_and_follow_the_python_constants() -> None:
    from kbtools import evidence, search

    data = json.loads(json.dumps(rules()))
    assert data["confident"] == evidence.CONFIDENT and data["candidates"] == search.CANDIDATES
    assert set(data["common"]) == set(evidence.COMMON)
    assert data["fields"] == FIELDS
    assert data["patterns"]["word"] == normalize.WORD


def test_search_data_holds_the_index_tokens_and_lengths(make_kb: Callable[..., Path]) -> None:
    output = ('nginx: [emerg] unknown directive "real_ip_header" in /x/nginx-kong.conf:73\n'
              "ERROR: sample failure b-two b-two\n")
    root = make_kb({"kong/a-one.md": None, "kong/b-two.md": entry_text("b-two", front={
        "symptoms": [{"command": "kong start", "output": output}]})})
    kb = load_kb(root)
    data = json.loads(json.dumps(search_data(root, kb.entries), ensure_ascii=False))
    assert [e["id"] for e in data["entries"]] == ["a-one", "b-two"]  # the index's document order
    vocabulary = data["vocabulary"]
    opened = open_index(root)
    try:
        with opened.ix.searcher() as searcher:
            reader = searcher.reader()
            for docnum, (entry, record) in enumerate(zip(sorted(kb.entries, key=lambda e: e.id), data["entries"],
                                                         strict=True)):
                fields = document(entry, f"entries/kong/{entry.id}.md")
                for f, name in enumerate(data["field_names"]):
                    numbers = record["t"][name]
                    counts: dict[str, int] = {}
                    i = 0
                    while i < len(numbers):
                        count = -numbers[i + 1] if i + 1 < len(numbers) and numbers[i + 1] < 0 else 1
                        counts[vocabulary[numbers[i]]] = count
                        i += 2 if count > 1 else 1
                    expected: dict[str, int] = {}
                    for token in fields[name].split():
                        expected[token] = expected.get(token, 0) + 1
                    assert counts == expected, name
                    assert record["n"][f] == reader.doc_field_length(docnum, name, 0) or not expected
            for f, name in enumerate(data["field_names"]):
                assert data["field_totals"][f] == reader.field_length(name)
    finally:
        opened.close()
    b = data["entries"][1]
    assert "real_ip_header" in [vocabulary[n] for n in b["t"]["symptom"] if n >= 0]
    assert b["url"] == {"zh": "entries/kong/b-two/", "en": "en/entries/kong/b-two/"}
    assert b["lines"][0].startswith("nginx: [emerg] unknown directive")
