"""Find the entry files of a knowledge base, read them, and hand back the valid entries.

``load_kb`` never raises for a bad entry: it returns every problem beside every entry that
passed, so that one broken file never hides the state of the others.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbtools.errors import EntryError, KBError, Problem
from kbtools.locate import ENTRIES, PRODUCTS, entry_file
from kbtools.model import Entry, Product
from kbtools.parse import ParsedFile, read_entry_file, read_yaml_file
from kbtools.rules import problem
from kbtools.validate import check_file, check_kb, check_products


@dataclass
class KB:
    root: Path
    products: dict[str, Product]
    entries: list[Entry]
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    @property
    def entries_dir(self) -> Path:
        return self.root / ENTRIES

    def by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    def relpath(self, path: Path) -> str:
        try:
            return _real(path).relative_to(_real(self.root)).as_posix()
        except ValueError:
            return path.as_posix()

    def raise_for_problems(self) -> None:
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            raise EntryError(errors)


def _real(path: Path) -> Path:
    """The path with symlinks resolved; unlike Path.resolve (Python < 3.13), a symlink loop is no error."""
    return Path(os.path.realpath(path))


def entry_files(root: Path) -> list[Path]:
    """Every ``*.md`` below ``entries/``, and every named pipe, device or socket whatever its name,
    sorted; validation reports misplaced and special ones (rather than skipping them unsaid)."""
    entries_dir = root / ENTRIES
    if not entries_dir.is_dir():
        raise KBError(f"{root}: no `{ENTRIES}/` folder")
    found = []
    for path in entries_dir.rglob("*"):
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        plain = stat.S_ISREG(mode) or stat.S_ISLNK(mode)
        if (plain and path.suffix == ".md") or not (plain or stat.S_ISDIR(mode)):
            found.append(path)
    return sorted(found)


def find_entry(root: Path, entry_id: str) -> Entry | None:
    """Entry ``entry_id`` (its file name without ``.md``) of the KB at ``root``, checked as
    ``kb validate`` checks one file; None when no file has that id. Raises :class:`EntryError`
    with the file's errors when it is invalid. Reads that one file, not the whole KB."""
    path = entry_file(root, entry_id)
    if path is None:
        return None
    products, _ = load_products(root)
    entry, problems = check_file(read_entry_file(path), products, root / ENTRIES)
    if entry is None:
        raise EntryError([p for p in problems if p.severity == "error"])
    return entry


def similar_ids(root: Path, entry_id: str, n: int = 3) -> list[str]:
    """Up to ``n`` ids of the KB that look like ``entry_id``, the closest first (for a typo)."""
    import difflib

    known = sorted(p.stem for p in (root / ENTRIES).glob("*/*.md"))
    return difflib.get_close_matches(entry_id, known, n=n)


def load_products(root: Path) -> tuple[dict[str, Product], list[Problem]]:
    path = root / ENTRIES / PRODUCTS
    if not path.is_file():
        return {}, [problem("KB015", path, 1, 1, f"`{ENTRIES}/{PRODUCTS}` is missing: it lists the products "
                                                 "and their components")]
    return check_products(read_yaml_file(path))


def load_kb(root: Path, only: Sequence[Path] | None = None) -> KB:
    """Load the KB at ``root``. With ``only``, problems are reported for those files alone,
    but cross-entry checks (duplicate ids, related ids) still see the whole KB."""
    products, problems = load_products(root)
    entries_dir = root / ENTRIES
    files = entry_files(root)
    wanted = None if only is None else {_real(p) for p in only}
    if only is not None:
        # Files given on the command line are checked even when they lie outside entries/.
        known = {_real(f) for f in files}
        files += [p for p in only if _real(p) not in known]
    parsed: dict[Path, ParsedFile] = {}
    entries: list[Entry] = []
    for path in files:
        pf = read_entry_file(path)
        entry, file_problems = check_file(pf, products, entries_dir)
        parsed[path] = pf
        problems += file_problems
        if entry is not None:
            entries.append(entry)
    # An id that a broken file still declares keeps `related` links to it from being reported too.
    declared = {pf.data["id"] for pf in parsed.values()
                if isinstance(pf.data, dict) and isinstance(pf.data.get("id"), str)}
    problems += check_kb(entries, parsed, known_ids=declared, root=root)
    if wanted is not None:
        products_file = _real(root / ENTRIES / PRODUCTS)
        problems = [p for p in problems if _real(p.path) in wanted or _real(p.path) == products_file]
    return KB(root, products, entries, sorted(problems), files_checked=len(files if wanted is None else wanted))

