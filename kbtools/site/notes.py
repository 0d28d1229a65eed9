"""The original notes the entries come from, and the order of their sections.

``kb/note-order.yml`` is committed: under ``notes:``, for each note its title, author and address, and its
``##`` headings in the note's order. Each heading is the ``source.section`` of one entry, so the
site can rebuild the note's table of contents without the note itself being in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kbtools.errors import Problem
from kbtools.model import Entry
from kbtools.parse import read_yaml_file
from kbtools.rules import problem

NOTES_FILE = "note-order.yml"


@dataclass
class Note:
    title: str
    author: str
    url: str
    created: str
    sections: list[tuple[str, Entry | None]] = field(default_factory=list)  # heading -> its entry


def load_notes(path: Path, entries: list[Entry]) -> tuple[list[Note], list[Problem]]:
    """Read the notes file and pair each heading with its entry. Problems are returned, not raised."""
    if not path.is_file():
        return [], []
    parsed = read_yaml_file(path)
    problems = list(parsed.problems)
    if parsed.data is None:
        return [], problems
    items = parsed.data.get("notes")
    if not isinstance(items, list):
        return [], [*problems, problem("KB070", path, 1, 1, "expected `notes:` with a list of notes")]
    by_section = {(e.source.url, e.source.section): e for e in entries if e.source and e.source.section}
    notes = []
    for i, item in enumerate(items):
        line, col = parsed.where(("notes", i))
        keys = ("title", "author", "url", "created", "sections")
        if not isinstance(item, dict) or any(k not in item for k in keys) \
                or not isinstance(item["sections"], list):
            problems.append(problem("KB070", path, line, col,
                                    f"each note needs {', '.join(f'`{k}`' for k in keys)} (a list of headings)"))
            continue
        note = Note(str(item["title"]), str(item["author"]), str(item["url"]), str(item["created"]))
        for j, heading in enumerate(item["sections"]):
            entry = by_section.get((note.url, str(heading)))
            if entry is None:
                line, col = parsed.where(("notes", i, "sections", j))
                problems.append(problem("KB071", path, line, col,
                                        f"no entry has `source.section: {heading}` for this note"))
            note.sections.append((str(heading), entry))
        notes.append(note)
    return notes, problems
