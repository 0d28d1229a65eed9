"""Validation beyond each rule's own example (tests/test_rules.py runs those): the passing set,
messages, and the cases between rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PRODUCTS, REPO, entry_text

from kbtools.load import load_kb

BASE = entry_text("a")


def line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.split("\n")) if needle in line]
    return lines[nth]


def swap(old: str, new: str, text: str = BASE, last: bool = False) -> str:
    assert old in text
    if last:
        i = text.rindex(old)
        return text[:i] + new + text[i + len(old):]
    return text.replace(old, new, 1)


TWO_PRODUCTS = {**PRODUCTS, "other": {"name": "Other", "description": {"zh": "其他", "en": "Other"},
                                      "components": {"database": {"zh": "数据库", "en": "Database"}}}}
OTHER_A = entry_text("a", front={"product": "other", "symptoms": [{"command": "x", "output": "other\n"}]})

def test_warnings_do_not_fail_validation(make_kb: Callable[..., Path]) -> None:
    kb = load_kb(make_kb({"kong/a.md": swap("yum install postgresql96", "yum install postgresql10", last=True)}))
    assert [p.code for p in kb.problems] == ["KB050"]
    assert len(kb.entries) == 1
    kb.raise_for_problems()  # warnings only: nothing raised


# --------------------------------------------------------------------------- the passing set

PASSING = {
    "log-instead-of-command": entry_text("x", front={"symptoms": [{"log": "Kong error.log", "output": "boom\n"}]}),
    "all-sections": entry_text("x", body=BASE.split("---\n\n", 1)[1]
                               .replace("## 解决", "## 排查\n\n看日志。\n\n## 解决")
                               .replace("## Fix", "## Diagnosis\n\nRead the log.\n\n## Fix")
                               + "\n## Notes\n\nSee also.\n"
                               ).replace("<!-- lang: en -->", "## 备注\n\n另见。\n\n<!-- lang: en -->"),
    "no-optional-fields": entry_text("x", drop=("environment", "tags", "related", "references")),
    "html-in-code-is-fine": entry_text("x", front={"symptoms": [{"command": "curl", "output": "<html><script>\n"}]})
    .replace("The database is too old.", "The server printed `<script>`."),
    # Regression: a section of code blocks only crashed the HTML check (zip of 0 and 1 lines).
    "code-only-section": entry_text("x").replace("Upgrade the database:\n\n", "").replace("升级数据库：\n\n", ""),
    "source-given": entry_text("x", front={"source": {"title": "笔记", "author": "作者", "url": "https://example.com/",
                                                      "section": "标题"}}),
}


@pytest.mark.parametrize("name", sorted(PASSING))
def test_passing_fixture_has_no_problem(name: str, make_kb: Callable[..., Path]) -> None:
    kb = load_kb(make_kb({"kong/x.md": PASSING[name]}))
    assert [p.format() for p in kb.problems] == []
    assert [e.id for e in kb.entries] == ["x"]


def test_the_real_kb_has_no_problem_not_even_a_warning() -> None:
    kb = load_kb(REPO)
    assert [p.format(REPO) for p in kb.problems] == []


# --------------------------------------------------------------------------- values that used to raise

def test_a_datetime_beside_a_date_is_reported_not_raised(make_kb: Callable[..., Path]) -> None:
    text = swap("created: 2018-10-15", "created: 2018-10-15 10:00:00")
    kb = load_kb(make_kb({"kong/a.md": text}))
    assert [p.format().split("/kb/")[-1] for p in kb.problems] == [
        f"entries/kong/a.md:{line_of(text, 'created:')}:10: KB032 `created` must be a date (YYYY-MM-DD) without a time"]


def test_a_named_pipe_under_entries_is_reported(make_kb: Callable[..., Path]) -> None:
    import os

    root = make_kb({"kong/a.md": BASE})
    os.mkfifo(root / "entries/kong/b.md")
    os.mkfifo(root / "entries/kong/notes.txt")  # not an entry's name: a pipe all the same
    kb = load_kb(root)
    assert sorted(p.format(root) for p in kb.problems) == [
        "entries/kong/b.md:1:1: KB007 a named pipe (FIFO), not a regular file; only entry files belong under entries/",
        "entries/kong/notes.txt:1:1: KB007 a named pipe (FIFO), not a regular file; only entry files belong under "
        "entries/"]
    assert [e.id for e in kb.entries] == ["a"]


def test_a_related_id_listed_twice_is_reported(make_kb: Callable[..., Path]) -> None:
    text = swap("related: []", "related: [b, b]")
    kb = load_kb(make_kb({"kong/a.md": text, "kong/b.md": entry_text("b")}))
    assert [p.format().split("/kb/")[-1] for p in kb.problems] == [
        f"entries/kong/a.md:{line_of(text, 'related:')}:14: KB033 related id `b` is listed twice (first as related[0])"]


def test_a_title_of_the_longest_allowed_length_passes(make_kb: Callable[..., Path]) -> None:
    kb = load_kb(make_kb({"kong/a.md": entry_text("a", front={"title": {"zh": "长" * 200, "en": "x" * 200}})}))
    assert kb.problems == [] and len(kb.entries) == 1


def test_kb041_blames_the_newer_entry_and_names_the_other_relative(make_kb: Callable[..., Path]) -> None:
    old = entry_text("z-old", front={"symptoms": [{"command": "x", "output": "ERROR: same text\n"}]})
    new = entry_text("a-new", front={"symptoms": [{"command": "x", "output": "ERROR: same text\n"}],
                                     "created": "2020-01-01", "updated": "2020-01-02"})
    new = new.replace("'2020-01-01'", "2020-01-01").replace("'2020-01-02'", "2020-01-02")
    root = make_kb({"kong/z-old.md": old, "kong/a-new.md": new})
    assert [p.format(root) for p in load_kb(root).problems] == [
        f"entries/kong/a-new.md:{line_of(new, 'output:')}:11: KB041 symptoms[0] has the same output as "
        "entries/kong/z-old.md symptoms[0]; merge the entries or keep the specific text"]


def test_kb014_names_the_other_file_relative(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": BASE, "other/a.md": OTHER_A}, products=TWO_PRODUCTS)
    assert [p.format(root) for p in load_kb(root).problems] == [
        "entries/other/a.md:2:5: KB014 id `a` is already used by entries/kong/a.md"]


def test_a_body_with_no_language_half_left_is_reported_not_raised(make_kb: Callable[..., Path]) -> None:
    # Found by hypothesis: a broken zh marker, and a lone fence that swallows the en marker, leave
    # no section to render; the structure rules report it and the HTML check has nothing to do.
    text = swap("<!-- lang: zh -->", "!-- lang: zh -->")
    text = swap("<!-- lang: en -->", "```\n<!-- lang: en -->", text)
    kb = load_kb(make_kb({"kong/a.md": text}))
    assert kb.entries == []
    assert {p.code for p in kb.problems} == {"KB020"}
