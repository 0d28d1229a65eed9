"""kb fmt: one canonical layout, and not one character of content lost on the way.

The proof is a round trip: for the real knowledge base and for generated entries, the formatted
file parses to the same data (same types too) and the same section texts as the original, and
formatting it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import REPO, entry_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtools.cli import main
from kbtools.fmt import (
    CannotFormat,
    NotWritten,
    Outcome,
    block_scalar,
    body_view,
    double_quoted,
    format_files,
    format_parsed,
    plain_or_quoted,
    write_formatted,
)
from kbtools.parse import parse_entry_bytes

REAL_ENTRIES = sorted((REPO / "entries").rglob("*.md"))


def _parse(text: str | bytes, name: str = "sample-entry.md"):  # type: ignore[no-untyped-def]
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_entry_bytes(Path(name), raw)


def _same_content(before: str | bytes, after: str) -> None:
    a, b = _parse(before), _parse(after)
    assert not b.problems
    assert b.data == a.data
    assert yaml.safe_dump(b.data) == yaml.safe_dump(a.data)  # same types, not only equal values
    assert body_view(b) == body_view(a)


# --------------------------------------------------------------------------- the real KB

@pytest.mark.parametrize("path", REAL_ENTRIES, ids=lambda p: p.stem)
def test_real_entries_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    once = format_parsed(_parse(raw, path.name))
    _same_content(raw, once)
    assert format_parsed(_parse(once, path.name)) == once


def test_the_real_kb_is_canonical(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--check", "--kb", str(REPO)]) == 0, capsys.readouterr().out


# --------------------------------------------------------------------------- layout

def test_fields_are_put_in_model_order_with_one_quoting_rule() -> None:
    text = textwrap.dedent("""\
        ---
        updated: 2018-10-16
        id: sample-entry
        status: verified
        title: {en: 'Sample: a title', zh: "示例标题"}
        product: kong
        component: database
        symptoms:
        - output: "ERROR: boom\\n"
          command: 'kong start'
        environment: {postgresql: <9.4}
        tags:
          - b
          - a
        created: 2018-10-15
        ---
        <!-- lang: zh -->
        ## 原因
        原因。
        ## 解决



        解决。
        <!-- lang: en -->

        ## Cause
        Cause.
        ## Fix
        Fix.""")
    assert format_parsed(_parse(text)) == textwrap.dedent("""\
        ---
        id: sample-entry
        title:
          zh: 示例标题
          en: "Sample: a title"
        product: kong
        component: database
        symptoms:
          - command: kong start
            output: |
              ERROR: boom
        environment:
          postgresql: "<9.4"
        status: verified
        tags: [b, a]
        created: 2018-10-15
        updated: 2018-10-16
        ---

        <!-- lang: zh -->
        ## 原因

        原因。

        ## 解决

        解决。

        <!-- lang: en -->
        ## Cause

        Cause.

        ## Fix

        Fix.
        """)


def test_crlf_becomes_lf_and_content_stays() -> None:
    text = entry_text()
    crlf = text.replace("\n", "\r\n")
    out = format_parsed(_parse(crlf))
    assert "\r" not in out
    _same_content(crlf, out)


def test_text_inside_sections_is_kept_to_the_byte() -> None:
    body = ("<!-- lang: zh -->\n## 原因\n\n第一行  \n\n\n\n  缩进\t制表\n### 小标题\n```text\n## 不是标题\n\n\n```\n"
            "## 解决\n\n解决。\n<!-- lang: en -->\n## Cause\n\nCause.\n\n## Fix\n\nFix.\n\n\n")
    text = entry_text(body=body)
    out = format_parsed(_parse(text))
    _same_content(text, out)
    assert "第一行  \n\n\n\n  缩进\t制表\n### 小标题\n```text\n## 不是标题\n\n\n```\n\n## 解决" in out
    assert out.endswith("Fix.\n")


def test_a_yaml_comment_is_not_silently_dropped() -> None:
    text = entry_text().replace("status: verified", "status: verified  # checked on 0.14")
    with pytest.raises(CannotFormat) as caught:
        format_parsed(_parse(text))
    assert "comment" in caught.value.message
    assert text.split("\n")[caught.value.line - 1].startswith("status:")


def test_a_hash_inside_a_value_is_not_a_comment() -> None:
    text = entry_text(front={"symptoms": [{"command": "make #1", "output": "#error x # y\n"}]})
    _same_content(text, format_parsed(_parse(text)))


# --------------------------------------------------------------------------- scalars

@pytest.mark.parametrize("value", [
    "trailing spaces on the last line   ", "ends with a tab\t", " leading space first line\nsecond\n",
    "   \nall-space first line\n", "two\ntrailing newlines\n\n", "no trailing newline", "\n\nleading blank lines\n",
    "\ttab first\n", "line with trailing spaces   \nnext\n", "last line spaces\n   \n", "carriage\rreturn\n",
    "nel\x85line\n", "bell\x07\n", "nbsp\u00a0x\n", "bom\ufeffinside\n", "ls\u2028ps\u2029\n", "a: b # c\n",
    "\n", "- [x]\n", "---\n", "...\n", "\U0001f600 emoji\n",
])
def test_symptom_output_round_trips_in_a_block_or_quoted(value: str) -> None:
    text = entry_text(front={"symptoms": [{"command": "kong start", "output": value}]})
    out = format_parsed(_parse(text))
    _same_content(text, out)
    assert format_parsed(_parse(out)) == out


def test_block_scalar_needs_an_indentation_indicator_for_a_leading_space() -> None:
    assert block_scalar("  indented\nnext\n", "      ") == ["|2", "        indented", "      next"]


def test_block_scalar_keeps_or_strips_trailing_newlines() -> None:
    assert block_scalar("a\n", "  ") == ["|", "  a"]
    assert block_scalar("a", "  ") == ["|-", "  a"]
    assert block_scalar("a\n\n", "  ") == ["|+", "  a", ""]


@pytest.mark.parametrize("value", ["a\rb", "x\x00y", "\n", "a\u2028b"])
def test_strings_a_block_cannot_hold_fall_back_to_double_quotes(value: str) -> None:
    assert block_scalar(value, "  ") is None
    assert yaml.safe_load("k: " + double_quoted(value)) == {"k": value}


@pytest.mark.parametrize("value,plain", [
    ("kong start", True), ("2018-10-15", False), ("true", False), ("1.0", False), ("a: b", False),
    ("a #b", False), (" x", False), ("[x]", False), ("中文：标题", True), ("null", False), ("", False),
])
def test_plain_only_when_yaml_reads_the_same_string(value: str, plain: bool) -> None:
    out = plain_or_quoted(value)
    assert (out == value) is plain
    assert yaml.safe_load("k: " + out) == {"k": value}


# --------------------------------------------------------------------------- generated entries

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=1, max_size=30)
SLUG = st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}\Z")
OUTPUT = st.lists(st.one_of(LINE, st.sampled_from(["", " ", "  x", "\t", "a  ", "#x", "- y"])),
                  min_size=1, max_size=5).map("\n".join).flatmap(
    lambda s: st.sampled_from(["", "\n", "\n\n"]).map(lambda end: s + end)).filter(lambda s: s.strip() != "")
PROSE = st.lists(st.one_of(LINE, st.just(""), st.just("```"), st.just("### sub")), min_size=1, max_size=6) \
    .map("\n".join).filter(lambda s: "<!--" not in s and not s.lstrip().startswith("## ") and s.strip("\n"))


@st.composite
def entries(draw: st.DrawFn) -> str:
    symptom: dict[str, object] = {"output": draw(OUTPUT)}
    symptom[draw(st.sampled_from(["command", "log"]))] = draw(LINE)
    front = {
        "title": {"zh": draw(LINE), "en": draw(LINE)},
        "symptoms": [symptom],
        "environment": draw(st.dictionaries(SLUG, st.sampled_from(["<9.4", "0.14.1", "9.4", ">=1,<2"]),
                                            max_size=2)),
        "tags": draw(st.lists(SLUG, max_size=3)),
        "references": [{"url": "https://example.com/" + draw(SLUG), "title": draw(LINE)}],
    }
    style = draw(st.sampled_from(["block", "flow"]))
    data = dict(yaml.safe_load(entry_text().split("---\n")[1]), **front)
    data["created"], data["updated"] = dt.date(2018, 10, 15), dt.date(2018, 10, 16)
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=draw(st.booleans()),
                            default_flow_style=(style == "flow"), width=draw(st.sampled_from([40, 1000])))
    zh, en = draw(PROSE), draw(PROSE)
    body = f"<!-- lang: zh -->\n## 原因\n{zh}\n## 解决\n\n解决\n<!-- lang: en -->\n## Cause\n\n{en}\n\n## Fix\nFix\n"
    return f"---\n{dumped}---\n{body}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries(), st.booleans())
def test_generated_entries_round_trip_and_formatting_is_idempotent(text: str, crlf: bool) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    original = _parse(text)
    if original.problems or "```" in text.split("<!-- lang: zh -->")[-1].split("## 解决")[0]:
        # Generated text can open a fence that swallows the rest: not an entry, nothing to prove.
        return
    once = format_parsed(original)
    _same_content(text, once)
    assert format_parsed(_parse(once)) == once


# --------------------------------------------------------------------------- the command

def _tree(root: Path) -> str:
    return hashlib.sha256(b"".join(p.as_posix().encode() + p.read_bytes()
                                   for p in sorted(root.rglob("*")) if p.is_file())).hexdigest()


def test_fmt_rewrites_files_atomically_and_reports(make_kb: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    assert main(["fmt", "--kb", str(root)]) == 0
    err = capsys.readouterr().err
    assert "reformatted entries/kong/a.md" in err
    assert err.rstrip().endswith("2 files: 2 reformatted, 0 already canonical")
    assert not list(root.rglob(".*.tmp"))
    assert main(["fmt", "--kb", str(root), "--check"]) == 0
    assert capsys.readouterr().err.rstrip().endswith("2 files: 2 already canonical")


def test_check_prints_a_diff_writes_nothing_and_exits_1(make_kb: Callable[..., Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": entry_text("a").replace("\n", "\r\n")})
    before = _tree(root)
    assert main(["fmt", "--check", str(root / "entries/kong/a.md")]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("--- a/entries/kong/a.md\n+++ b/entries/kong/a.md\n")
    assert "\n-id: a␍\n" in out and "\n+id: a\n" in out
    assert "1 would be reformatted" in err
    assert _tree(root) == before
    assert main(["fmt", "--diff", "--kb", str(root)]) == 0
    assert _tree(root) == before


def test_files_with_errors_are_reported_and_left_alone(make_kb: Callable[..., Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = entry_text("bad", front={"status": "done"}).replace("id: bad", "id: bad\nid: again")
    root = make_kb({"kong/bad.md": bad, "kong/good.md": None})
    before = (root / "entries/kong/bad.md").read_bytes()
    assert main(["fmt", "--kb", str(root)]) == 1
    err = capsys.readouterr().err
    assert "entries/kong/bad.md:3:1: KB006 duplicate key `id` (first given on line 2)" in err
    assert "entries/kong/bad.md:" in err and "KB011" in err
    assert "1 reformatted, 1 not formatted (fix the problems above first), 0 already canonical" in err
    assert (root / "entries/kong/bad.md").read_bytes() == before


def test_a_comment_makes_fmt_refuse_with_the_line(make_kb: Callable[..., Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = entry_text("a").replace("tags:", "# keep this note\ntags:")
    root = make_kb({"kong/a.md": text})
    assert main(["fmt", "--kb", str(root)]) == 1
    line = text.split("\n").index("# keep this note") + 1
    assert f"entries/kong/a.md:{line}:1: KB060 the front matter has a YAML comment" in capsys.readouterr().err
    assert (root / "entries/kong/a.md").read_text(encoding="utf-8") == text


def test_missing_path_is_a_usage_error(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None})
    assert main(["fmt", "--kb", str(root), str(root / "nope.md")]) == 2
    assert "nope.md: no such file or folder" in capsys.readouterr().err


def test_printable_alphabet_is_plain_safe() -> None:
    # The ASCII letters and digits alone never need quotes (unless YAML would read a number).
    assert plain_or_quoted(string.ascii_letters) == string.ascii_letters


def test_a_reformatted_file_keeps_its_mode(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import stat

    root = make_kb({"kong/a.md": entry_text("a") + "\n\n"})
    path = root / "entries/kong/a.md"
    for mode in (0o664, 0o600, 0o755):
        path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
        os.chmod(path, mode)
        assert main(["fmt", "--kb", str(root)]) == 0
        assert "reformatted entries/kong/a.md" in capsys.readouterr().err
        assert stat.S_IMODE(path.stat().st_mode) == mode


# --------------------------------------------------------------------------- writing: never over someone's work

def test_write_formatted_replaces_the_file_whole(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": entry_text("a").replace("\n", "\r\n")})
    path = root / "entries/kong/a.md"
    [outcome] = format_files(root, [path])
    assert outcome.changed
    write_formatted(outcome)
    assert path.read_text(encoding="utf-8") == outcome.formatted
    assert not list(root.rglob(".*.tmp"))
    [again] = format_files(root, [path])
    assert not again.changed
    write_formatted(again)  # already canonical: nothing to do, no error
    assert path.read_text(encoding="utf-8") == outcome.formatted


def test_write_formatted_leaves_a_file_edited_meanwhile_alone(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": entry_text("a") + "\n\n"})
    path = root / "entries/kong/a.md"
    [outcome] = format_files(root, [path])
    path.write_text(entry_text("a") + "\nsaved by an editor\n", encoding="utf-8")
    with pytest.raises(NotWritten, match="changed while formatting; left alone, run kb fmt again"):
        write_formatted(outcome)
    assert path.read_text(encoding="utf-8").endswith("saved by an editor\n")


def test_write_formatted_does_not_write_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "someone-elses.md"
    target.write_text(entry_text("a") + "\n\n", encoding="utf-8")
    link = tmp_path / "a.md"
    link.symlink_to(target)
    outcome = Outcome(link, target.read_bytes(), formatted=entry_text("a"))
    with pytest.raises(NotWritten, match="is a symbolic link; format the file it points to"):
        write_formatted(outcome)
    assert target.read_text(encoding="utf-8") == entry_text("a") + "\n\n" and link.is_symlink()


def test_write_formatted_refuses_what_was_not_formatted(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"broken")
    with pytest.raises(NotWritten, match="not formatted"):
        write_formatted(Outcome(path, b"broken"))
    assert path.read_bytes() == b"broken"
