"""One fence scanner (kbtools.parse.fence_roles): every reader of entry bodies splits code from prose alike."""

from __future__ import annotations

from pathlib import Path

from conftest import entry_text
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtools.index.record import _code_and_prose, first_sentence
from kbtools.parse import fence_roles, fenced_lines, parse_entry_bytes

# Lines that open, close or merely look like fences, headings and plain prose, mixed at random.
LINE = st.sampled_from(["```", "````", "```bash", "~~~", "~~~~", "   ```", "    ```", "``` x", "`` no",
                        "## Notes", "plain words here.", "", "- item", "> quote"])


def test_a_four_backtick_block_keeps_its_three_backtick_lines_out_of_the_fix_line() -> None:
    # The fix line of `kb search` used to take "leaked" from inside the block.
    fix = "````markdown\n```\nleaked from the block\n```\n````\n\nRestart the gateway. Then check."
    assert first_sentence(fix, "en") == "Restart the gateway."


def test_a_heading_inside_a_four_backtick_block_starts_no_section() -> None:
    body = ("<!-- lang: zh -->\n## 原因\n\n原因。\n\n## 解决\n\n解决。\n\n"
            "<!-- lang: en -->\n## Cause\n\n````\n```\n## Notes\n```\n````\n\n## Fix\n\nFix it.\n")
    parsed = parse_entry_bytes(Path("entries/kong/sample-entry.md"), entry_text(body=body).encode())
    cause = parsed.halves["en"].sections["cause"].text
    assert "## Notes" in cause and "notes" not in parsed.halves["en"].sections


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=14))
def test_every_reader_sees_the_same_code_and_prose(lines: list[str]) -> None:
    text = "\n".join(lines)
    roles = list(fence_roles(text.splitlines()))
    code = [line for role, line in roles if role == "code"]
    prose = [line for role, line in roles if role == "prose"]
    # fenced_lines (kb show, the index) drops the markers and keeps the rest with the same role.
    assert [(c, line) for c, line in fenced_lines(text)] == [(role == "code", line) for role, line in roles
                                                              if role != "fence"]
    # The index's code and prose fields.
    assert _code_and_prose(text) == ("\n".join(code), "\n".join(prose))
    # The fix line is made of prose only.
    words = set(" ".join(prose).replace("-", " ").replace(">", " ").split())
    assert set(first_sentence(text, "en").split()) <= words


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=14))
def test_the_body_splits_sections_only_at_prose_headings(lines: list[str]) -> None:
    body = ("<!-- lang: zh -->\n## 原因\n\n原因。\n\n## 解决\n\n解决。\n\n<!-- lang: en -->\n## Cause\n\n"
            + "\n".join(lines) + "\n")
    parsed = parse_entry_bytes(Path("entries/kong/sample-entry.md"), entry_text(body=body).encode())
    first_heading = next((i for i, (role, line) in enumerate(fence_roles(lines))
                          if role == "prose" and line.startswith("## ")), None)
    expected = "\n".join(lines if first_heading is None else lines[:first_heading]).strip("\n")
    assert parsed.halves["en"].sections["cause"].text == expected
    assert ("notes" in parsed.halves["en"].sections) == (first_heading is not None)
