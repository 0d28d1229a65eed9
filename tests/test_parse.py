from __future__ import annotations

from pathlib import Path

from conftest import entry_text

from kbtools.parse import parse_entry_bytes


def parse(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_entry_bytes(Path("entries/kong/sample-entry.md"), raw)


def test_positions_point_at_keys_and_values_in_file_lines() -> None:
    parsed = parse(entry_text())
    assert parsed.problems == []
    assert parsed.where(("id",)) == (2, 5)
    assert parsed.key_where(("product",)) == (6, 1)
    assert parsed.where(("symptoms", 0, "command")) == (9, 12)


def test_body_is_split_into_language_halves_and_sections() -> None:
    parsed = parse(entry_text())
    assert list(parsed.halves) == ["zh", "en"]
    assert list(parsed.halves["zh"].sections) == ["cause", "fix"]
    assert parsed.halves["en"].sections["cause"].text == "The database is too old."
    fix = parsed.halves["en"].sections["fix"]
    assert parsed.text.split("\n")[fix.line - 1] == "## Fix"


def test_headings_and_markers_inside_code_blocks_are_code() -> None:
    body = ("<!-- lang: zh -->\n## 原因\n\n```text\n## not a heading\n<!-- lang: en -->\n```\n\n## 解决\n\nx\n\n"
            "<!-- lang: en -->\n## Cause\n\ny\n\n## Fix\n\nz\n")
    parsed = parse(entry_text(body=body))
    assert parsed.problems == []
    assert "## not a heading" in parsed.halves["zh"].sections["cause"].text
    assert parsed.halves["en"].sections["fix"].text == "z"


def test_crlf_files_read_like_lf_files() -> None:
    lf = parse(entry_text())
    crlf = parse(entry_text().replace("\n", "\r\n"))
    assert crlf.problems == []
    assert crlf.data == lf.data
    assert crlf.halves["zh"].sections["fix"].text == lf.halves["zh"].sections["fix"].text


def test_yaml_errors_carry_the_file_line_of_the_problem() -> None:
    text = entry_text().replace("product: kong\n", "product: [kong\n")
    parsed = parse(text)
    assert [p.code for p in parsed.problems] == ["KB004"]
    assert parsed.problems[0].line > 5


def test_fenced_lines_close_a_fence_only_with_its_own_kind() -> None:
    from kbtools.parse import fenced_lines

    text = "prose\n````markdown\n```bash\nkong start\n```\n````\nafter\n~~~\n```\n~~~\n"
    assert list(fenced_lines(text)) == [
        (False, "prose"), (True, "```bash"), (True, "kong start"), (True, "```"), (False, "after"), (True, "```"),
    ]
