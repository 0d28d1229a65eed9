"""Every fact of the Kong note survives into the entries.

The note (``../shared/seed/000_3498f5cf1274aff6.txt`` beside the checkout) is split at its ``##``
headings; each problem section maps to the entry whose ``source.section`` is that heading. From
each section we take every line of its code blocks, every inline code span, every URL, and every
version number or commit id of its prose, and require each to appear in that entry's file
(whitespace-insensitive; a shell prompt in front of a command may be left out).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kbtools.load import load_kb

REPO = Path(__file__).resolve().parent.parent
SEED = Path(os.environ.get("KB_SEED", REPO.parent / "shared" / "seed" / "000_3498f5cf1274aff6.txt"))
NOT_PROBLEMS = {"目录", "说明", "参考"}
LIQUID = re.compile(r"{%.*?%}")
PROMPT = re.compile(r"^(?:\[[^\]]+\][#$]|➜\s+✗|[#$])\s+")
URL = re.compile(r"https?://[^\s)\]\"'<>]+")
VERSION = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)*(?![\w.])|\b[0-9a-f]{40}\b")
CODE_SPAN = re.compile(r"`([^`]+)`")

needs_note = pytest.mark.skipif(not SEED.is_file(), reason=f"the note is not at {SEED} (set KB_SEED)")


def squash(text: str) -> str:
    return " ".join(text.split())


def sections(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    heading = None
    lines: list[str] = []
    for line in text.split("\n"):
        if line.startswith("## "):
            if heading is not None:
                found[heading] = "\n".join(lines)
            heading, lines = line[3:].strip(), []
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        found[heading] = "\n".join(lines)
    return found


def facts(section: str) -> set[str]:
    """Code lines, code spans, URLs and versions of one section of the note."""
    out: set[str] = set()
    in_fence = False
    for raw in section.split("\n"):
        line = LIQUID.sub("", raw).rstrip()
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        is_code = in_fence or raw.startswith("\t") or raw.startswith("    ")
        if is_code:
            if line.strip() and line.strip() not in ("...", "。。。"):
                out.add(line.strip())
            continue
        out.update(match.strip() for match in CODE_SPAN.findall(line))
        out.update(match.rstrip(".,;") for match in URL.findall(line))
        prose = CODE_SPAN.sub("", line)
        out.update(VERSION.findall(URL.sub("", prose)))
    return {fact for fact in out if fact}


def present(fact: str, haystack: str) -> bool:
    if squash(fact) in haystack:
        return True
    without_prompt = PROMPT.sub("", fact)
    return without_prompt != fact and squash(without_prompt) in haystack


@pytest.fixture(scope="module")
def note() -> dict[str, str]:
    return sections(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_section() -> dict[str, str]:
    kb = load_kb(REPO)
    assert not [p for p in kb.problems if p.severity == "error"], kb.problems
    mapping: dict[str, str] = {}
    for entry in kb.entries:
        if entry.source and entry.source.section:
            assert entry.source.section not in mapping, f"two entries claim section {entry.source.section!r}"
            mapping[entry.source.section] = squash(entry.path.read_text(encoding="utf-8"))
    return mapping


@needs_note
def test_every_problem_section_has_an_entry(note: dict[str, str], by_section: dict[str, str]) -> None:
    problems = [h for h in note if h not in NOT_PROBLEMS]
    assert len(problems) == 17
    missing = [h for h in problems if h not in by_section]
    assert not missing, f"sections without an entry (source.section must equal the heading): {missing}"


@needs_note
def test_every_fact_of_each_section_is_in_its_entry(note: dict[str, str], by_section: dict[str, str]) -> None:
    lost: list[str] = []
    checked = 0
    for heading, body in note.items():
        if heading in NOT_PROBLEMS or heading not in by_section:
            continue
        for fact in sorted(facts(body)):
            checked += 1
            if not present(fact, by_section[heading]):
                lost.append(f"[{heading}] {fact}")
    assert checked > 200  # the extraction itself works: the note has over two hundred such facts
    assert not lost, "facts of the note missing from their entry:\n" + "\n".join(lost)


@needs_note
def test_the_notes_reading_list_is_kept(note: dict[str, str], by_section: dict[str, str]) -> None:
    everything = " ".join(by_section.values())
    urls = set(URL.findall(note["参考"]))
    assert len(urls) == 4
    missing = [url for url in urls if url not in everything]
    assert not missing, f"links of the note's 参考 list found in no entry: {missing}"


def test_every_entry_from_the_note_credits_it_and_its_author() -> None:
    # Entries written from other sources (issue threads, changelogs) cite them under `references`
    # and have no `source`; the note's 17 problems are the entries that do.
    kb = load_kb(REPO)
    from_note = [entry for entry in kb.entries if entry.source is not None]
    assert len(from_note) == 17, sorted(entry.id for entry in from_note)
    for entry in from_note:
        assert entry.source is not None
        assert entry.source.author == "李佶澳"
        assert entry.source.url == (
            "https://www.lijiaocn.com/%E9%97%AE%E9%A2%98/2018/09/29/kong-usage-problem-and-solution.html")


def test_the_extraction_finds_what_it_should() -> None:
    sample = "text `to_regclass` and 9.4 here\n\n\tyum install x\n\t...\n```bash\n{% raw %}a b{% endraw %}\n```\n"
    assert facts(sample) == {"to_regclass", "9.4", "yum install x", "a b"}
    assert present("# kong migrations up -c ./kong.conf", "run kong migrations up -c ./kong.conf now")
    assert not present("kong migrations down", "kong migrations up")
