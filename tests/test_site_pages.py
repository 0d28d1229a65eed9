"""kbtools.site.pages, listings and notes: which pages are written, and what the index pages list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import entry_text

from kbtools.errors import EntryError
from kbtools.load import load_kb
from kbtools.site.build import prepare, refusal
from kbtools.site.listings import expand
from kbtools.site.notes import NOTES_FILE, load_notes
from kbtools.site.pages import contributing_pages, hand_written_dirs, sync


def test_sync_writes_only_what_changed_and_removes_stale_pages(tmp_path: Path) -> None:
    docs = tmp_path / "kb"
    first = sync(docs, {"zh/entries/kong/a.md": "A\n", "zh/entries/kong/b.md": "B\n"})
    assert len(first.written) == 2
    a = docs / "zh/entries/kong/a.md"
    before = a.stat().st_mtime_ns
    second = sync(docs, {"zh/entries/kong/a.md": "A\n"})
    assert second.written == [] and second.unchanged == 1
    assert second.removed == [docs / "zh/entries/kong/b.md"]
    assert a.stat().st_mtime_ns == before
    third = sync(docs, {"zh/entries/kong/a.md": "A2\n"})
    assert third.written == [a] and a.read_text() == "A2\n"


def test_sync_leaves_hand_written_pages_alone(tmp_path: Path) -> None:
    docs = tmp_path / "kb"
    (docs / "zh").mkdir(parents=True)
    (docs / "zh/index.md").write_text("home")
    sync(docs, {})
    assert (docs / "zh/index.md").read_text() == "home"


def test_prepare_writes_both_languages_and_component_pages(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a-one.md": None, "kong/b-two.md": None})
    listing, report = prepare(root, root / "kb", "https://github.com/o/r/edit/main/", "")
    assert len(listing.entries) == 2
    for lang in ("zh", "en"):
        assert (root / f"kb/{lang}/entries/kong/a-one.md").is_file()
        assert (root / f"kb/{lang}/components/kong/database.md").is_file()
    assert "a-one.md" in (root / "kb/en/components/kong/database.md").read_text()
    _, again = prepare(root, root / "kb", "https://github.com/o/r/edit/main/", "")
    assert again.written == [] and again.unchanged == len(report.written)


def test_prepare_refuses_invalid_entries_with_their_positions(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/good.md": None, "kong/bad.md": entry_text("bad", drop=("status",))})
    with pytest.raises(EntryError) as refused:
        prepare(root, root / "kb", "", "")
    [problem] = refused.value.problems
    assert (problem.path.name, problem.code, problem.field) == ("bad.md", "KB010", "status")
    # What the mkdocs plugin prints: the lines of `kb validate`, under a count.
    assert refusal(refused.value, root, root / "kb") == (
        "kb: 1 problem(s) in the entries; the site is not built:\n"
        "entries/kong/bad.md:2:1: KB010 required field `status` is missing")
    assert not (root / "kb/zh/entries/kong/good.md").exists()


def test_prepare_refuses_a_broken_note_order_with_its_lines(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/good.md": None})
    (root / "kb").mkdir()
    (root / "kb" / NOTES_FILE).write_text("notes:\n  - title: x\n", encoding="utf-8")
    with pytest.raises(EntryError) as refused:
        prepare(root, root / "kb", "", "")
    assert refusal(refused.value, root, root / "kb") == (
        "kb/note-order.yml:2:5: KB070 each note needs `title`, `author`, `url`, `created`, `sections` "
        "(a list of headings)")


def test_home_marks_are_filled_and_unknown_marks_reported(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a-one.md": None})
    listing, _ = prepare(root, root / "kb", "", "")
    text, unknown = expand("<!-- kb:products -->\n\n<!-- kb:recent -->\n\nx <!-- kb:nope -->", "en", "index.md",
                           listing)
    assert "[Sample: database connection timeout](entries/kong/a-one.md)" in text
    assert "(components/kong/database.md)" in text
    assert unknown == ["nope"]
    tags, _ = expand("<!-- kb:tags -->", "zh", "tags.md", listing)
    assert "## postgresql {#postgresql}" in tags


def test_note_order_pairs_headings_with_entries(make_kb: Callable[..., Path], tmp_path: Path) -> None:
    source = {"title": "笔记", "author": "李佶澳", "url": "https://example.org/n"}
    root = make_kb({
        "kong/first.md": entry_text("first", front={"source": {**source, "section": "第二节"}}),
        "kong/second.md": entry_text("second", front={"source": {**source, "section": "第一节"}}),
    })
    notes_file = tmp_path / "note-order.yml"
    notes_file.write_text(yaml.safe_dump({"notes": [{**source, "created": "2018-10-15",
                                                     "sections": ["第一节", "第二节", "没有条目"]}]},
                                         allow_unicode=True), encoding="utf-8")
    notes, problems = load_notes(notes_file, load_kb(root).entries)
    assert [(h, e.id if e else None) for h, e in notes[0].sections] == \
        [("第一节", "second"), ("第二节", "first"), ("没有条目", None)]
    assert [p.code for p in problems] == ["KB071"] and problems[0].line == 7


def test_the_committed_note_order_matches_the_entries() -> None:
    repo = Path(__file__).resolve().parent.parent
    kb = load_kb(repo)
    notes, problems = load_notes(repo / "kb/note-order.yml", kb.entries)
    assert problems == []
    listed = {e.id for note in notes for _, e in note.sections if e is not None}
    assert listed == {e.id for e in kb.entries if e.source and e.source.section}


def test_contributing_guides_fall_back_visibly_and_links_go_to_the_repository(tmp_path: Path) -> None:
    (tmp_path / "CONTRIBUTING.md").write_text("# Contributing\n\nSee [the spec](docs/spec.md) and "
                                              "[site](https://example.org).\n", encoding="utf-8")
    pages = contributing_pages(tmp_path, "https://github.com/o/r/blob/main/", "https://github.com/o/r/new/main")
    assert "(https://github.com/o/r/blob/main/docs/spec.md)" in pages["en"]
    # The missing translation is a file to create: a blob/ link to it would 404.
    assert "(https://github.com/o/r/new/main?filename=CONTRIBUTING.zh.md)" in pages["zh"]
    assert "(https://example.org)" in pages["en"]
    assert '!!! info "尚未翻译"' in pages["zh"] and "# Contributing" in pages["zh"]
    assert "尚未翻译" not in pages["en"]
    empty = contributing_pages(tmp_path / "none", "")
    assert empty["zh"] and empty["en"]


def test_serve_watches_what_people_write_not_what_the_build_writes(tmp_path: Path) -> None:
    docs = tmp_path / "kb"
    for folder in ("zh/entries/kong", "zh/components", "en/entries", "en/img", "assets"):
        (docs / folder).mkdir(parents=True)
    watched = {(p.relative_to(tmp_path).as_posix(), recursive) for p, recursive in hand_written_dirs(docs)}
    assert watched == {("kb", False), ("kb/assets", True), ("kb/en", False), ("kb/en/img", True), ("kb/zh", False)}
