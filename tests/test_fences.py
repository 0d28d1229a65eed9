"""One fence scanner (kbtools.parse.fence_roles): every reader of entry bodies splits code from prose alike."""

from __future__ import annotations

from pathlib import Path

from conftest import entry_text
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtools.errors import Problem
from kbtools.index.record import _code_and_prose, first_sentence
from kbtools.parse import FENCE, Half, Section, blank_code, fence_roles, fenced_lines, parse_entry_bytes
from kbtools.validate import _check_placeholders, code_blocks

# Lines that open, close or merely look like fences, headings and plain prose, mixed at random.
LINE = st.sampled_from(["```", "````", "```bash", "~~~", "~~~~", "   ```", "    ```", "``` x", "`` no",
                        "## Notes", "plain words here.", "", "- item", "> quote", "TODO later"])


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
    # kb validate splits at "\n" only, to keep the file's line numbers (a trailing empty line more).
    at_newlines = list(fence_roles(text.split("\n")))
    assert at_newlines[:len(roles)] == roles and all(line == "" for _, line in at_newlines[len(roles):])
    # kb validate's prose (TODO placeholders, KB042's bracket count): prose lines at their own numbers.
    assert blank_code(text).split("\n") == [line if role == "prose" else "" for role, line in at_newlines]
    problems: list[Problem] = []
    _check_placeholders(Path("e.md"), text, 10, problems)
    todo_in_prose = [10 + i for i, (role, line) in enumerate(at_newlines) if role == "prose" and "TODO" in line]
    if any("`" in line for role, line in at_newlines if role == "prose"):  # a code span may hide one
        assert {p.line for p in problems} <= set(todo_in_prose)
    else:
        assert [p.line for p in problems] == todo_in_prose
    # KB050's code blocks: one per opening fence, holding the code lines up to the closing one.
    half = Half("en", 1, {"cause": Section("cause", "Cause", text, 1, 3)})
    expected, block = [], None
    for number, (role, line) in enumerate(at_newlines, 3):
        if role == "fence" and block is None:
            run = FENCE.match(line)
            assert run
            block = (number, line.strip()[len(run.group(1)):].strip(), [])
        elif role == "fence" and block is not None:
            expected.append(block)
            block = None
        elif role == "code" and block is not None:
            block[2].append(line)
    expected += [block] if block else []
    assert [(b.line, b.info, b.code) for b in code_blocks(half)] == [(n, i, "\n".join(c)) for n, i, c in expected]


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
