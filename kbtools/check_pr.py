"""``kb check-pr``: what a reviewer should look at in a branch, beyond what ``kb validate`` says.

The branch (the working tree, so uncommitted work counts too) is compared with its merge base:

* a new entry whose symptom already finds an existing entry first in search: a likely duplicate
  (KB051, with the search confidence);
* translation drift (KB050): the code blocks of the two halves differ, or the branch changed one
  language half of an entry (or its title) and not the other;
* ``related`` ids that name no entry after the branch (KB033), for instance because the branch
  removed or renamed the entry they pointed at.

Everything is reported as warnings in the usual ``path:line:col: KBnnn`` form; git is driven with
plain ``git`` commands so that any checkout (CI's shallow clones included) works.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbtools.errors import KBError, Problem
from kbtools.langs import LANGS, other_lang
from kbtools.locate import ENTRIES
from kbtools.model import Entry
from kbtools.parse import ParsedFile, parse_entry_bytes, read_entry_file
from kbtools.rules import problem
from kbtools.validate import translation_drift

DEFAULT_BASES = ("origin/main", "main")
# A new entry's symptom, searched for, finds the new entry itself with some score. An existing
# entry that scores at least this share of it is a likely duplicate. The search confidence cannot
# serve: it is 1.0 whenever any symptom line of the other entry is in the text, and long logs share
# lines. Between the distinct entries of the real KB the share stays at or below 0.74.
DUPLICATE_THRESHOLD = 0.85

# (query, limit) -> ranked (id, path, score) hits of the search library.
Finder = Callable[[str, int], "list[tuple[str, str, float]]"]


@dataclass
class Review:
    base: str  # the commit compared with
    added: list[Path] = field(default_factory=list)
    modified: list[Path] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError as exc:
        raise KBError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise KBError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def merge_base(root: Path, ref: str | None = None) -> tuple[str, str]:
    """(the ref used, the commit where the branch left it)."""
    if ref is None:
        for candidate in DEFAULT_BASES:
            try:
                _git(root, "rev-parse", "--verify", "--quiet", candidate + "^{commit}")
            except KBError:
                continue
            ref = candidate
            break
        else:
            raise KBError(f"no {' or '.join(DEFAULT_BASES)} branch to compare with; give --base REF")
    try:
        commit = _git(root, "merge-base", ref, "HEAD").decode().strip()
    except KBError as exc:
        raise KBError(f"cannot find where this branch left {ref}: {exc} "
                      "(in a shallow clone, fetch with enough depth, e.g. fetch-depth: 0)") from None
    return ref, commit


def changed_entries(root: Path, base: str) -> tuple[list[Path], list[Path], list[str]]:
    """Entry files added, modified and deleted between ``base`` and the working tree."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    added: list[Path] = []
    modified: list[Path] = []
    deleted: list[str] = []
    out = _git(root, "diff", "--name-status", "--no-renames", "-z", base, "--", ENTRIES).decode("utf-8", "replace")
    parts = out.split("\0")
    for status, name in zip(parts[0::2], parts[1::2], strict=False):
        if not name.endswith(".md"):
            continue
        target = {"A": added, "M": modified, "T": modified}.get(status[:1])
        if target is not None:
            target.append(top / name)
        elif status.startswith("D"):
            deleted.append(name)
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ENTRIES).decode("utf-8", "replace")
    added += [top / name for name in untracked.split("\0") if name.endswith(".md")]
    return sorted(added), sorted(modified), sorted(deleted)


def _old(root: Path, base: str, path: Path) -> ParsedFile | None:
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    rel = path.relative_to(top).as_posix()
    try:
        raw = _git(root, "show", f"{base}:{rel}")
    except KBError:
        return None
    return parse_entry_bytes(path, raw)


def _half_text(parsed: ParsedFile, lang: str) -> object:
    """What a translator carries over: the half's sections and the title in that language."""
    half = parsed.halves.get(lang)
    title = parsed.data.get("title") if isinstance(parsed.data, dict) else None
    return (title.get(lang) if isinstance(title, dict) else None,
            [(s.key, s.text) for s in half.sections.values()] if half else None)


def half_changed_alone(old: ParsedFile, new: ParsedFile) -> Problem | None:
    """A warning when the branch changed one language of the entry but not the other."""
    changed = [lang for lang in LANGS if _half_text(old, lang) != _half_text(new, lang)]
    if len(changed) != 1:
        return None
    done = changed[0]
    behind = other_lang(done)
    half = new.halves.get(behind)
    line = half.line if half else 1
    return problem("KB050", new.path, line, 1,
                   f"the {done} half changed in this branch but the {behind} half did not; "
                   f"carry the change over to {'English' if behind == 'en' else 'Chinese'}")


def search_finder(root: Path) -> Finder:
    """A finder backed by the search library, opening the index once for all queries."""
    from kbtools.index import open_index
    from kbtools.search import search

    opened = open_index(root)

    def find(query: str, limit: int) -> list[tuple[str, str, float]]:
        return [(hit.id, hit.path, hit.score)
                for hit in search(root, query, limit=limit, opened=opened)]

    find.close = opened.close  # type: ignore[attr-defined]
    return find


def review(root: Path, ref: str | None = None, *, threshold: float = DUPLICATE_THRESHOLD,
           finder: Finder | None = None) -> Review:
    from kbtools.load import load_kb

    used, base = merge_base(root, ref)
    added, modified, deleted = changed_entries(root, base)
    result = Review(base=f"{used} ({base[:12]})", added=added, modified=modified, deleted=deleted)
    kb = load_kb(root)
    result.problems += [p for p in kb.problems if p.code == "KB033"]

    for path in (*added, *modified):
        new = read_entry_file(path)
        drift = translation_drift(new)
        if drift is not None:
            result.problems.append(drift)
        old = _old(root, base, path) if path in modified else None
        if old is not None:
            alone = half_changed_alone(old, new)
            if alone is not None:
                result.problems.append(alone)

    new_entries = [e for e in kb.entries if os.path.realpath(e.path) in {os.path.realpath(p) for p in added}]
    if new_entries:
        owned = finder is None
        find = finder or search_finder(root)
        try:
            result.problems += _duplicates(new_entries, find, threshold)
        finally:
            if owned:
                getattr(find, "close", lambda: None)()
    result.problems.sort()
    return result


def _duplicates(new_entries: Sequence[Entry], find: Finder, threshold: float) -> list[Problem]:
    # The new entries are in the index too: each is measured against its own score.
    new_ids = {e.id for e in new_entries}
    problems: list[Problem] = []
    for entry in new_entries:
        parsed = read_entry_file(entry.path)
        for i, symptom in enumerate(entry.symptoms):
            hits = find(symptom.output, len(new_ids) + 2)
            own = next((score for hit_id, _, score in hits if hit_id == entry.id), None)
            best = next((hit for hit in hits if hit[0] not in new_ids), None)
            if best is None:
                continue
            other, other_path, score = best
            share = score / own if own else 1.0
            if share < threshold:
                continue
            line, col = parsed.where(("symptoms", i, "output"))
            rank = "first, ahead of this entry" if share >= 1 else \
                f"with {share:.2f} of this entry's own score ({score:.1f} of {own:.1f})"
            problems.append(problem("KB051", entry.path, line, col,
                                    f"symptoms[{i}] finds `{other}` ({other_path}) {rank}; threshold "
                                    f"{threshold:.2f}: likely a duplicate. Add to that entry instead, or keep "
                                    "only the text specific to this problem"))
    return problems
