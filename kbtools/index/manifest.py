"""What a generation was built from, and whether the entries changed since: the freshness check.

Freshness is a stat walk of ``entries/`` compared with the generation's ``stats.marshal`` (the
manifest's change times and sizes in a form that loads in a few ms; the full manifest.json is read
only when something changed; a content hash settles a changed time), so a search on a fresh index
reads no entry and imports neither YAML nor pydantic. Timings: BENCHMARKS.md.
"""

from __future__ import annotations

import json
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.errors import KBError
from kbtools.index import place
from kbtools.index.place import Stat, file_stat
from kbtools.index.schema import FORMAT
from kbtools.locate import ENTRIES, PRODUCTS


def scan(root: Path) -> dict[str, Stat]:
    """Stat every entry file (and products.yml): relative path -> (change time in ns, size). No file is read."""
    found: dict[str, Stat] = {}
    entries = root / ENTRIES
    if not entries.is_dir():
        raise KBError(f"{root}: no `{ENTRIES}/` folder")
    products = f"{ENTRIES}/{PRODUCTS}"
    # On every search, over every file: a flat loop with a stack, not a recursive function
    # (a third faster at 10k files).
    stack = [(str(entries), ENTRIES + "/")]
    while stack:
        folder, rel = stack.pop()
        try:
            it = os.scandir(folder)
        except OSError:
            continue
        with it:
            for item in it:
                name = rel + item.name
                try:
                    if item.is_dir():
                        stack.append((item.path, name + "/"))
                        continue
                    if not (name.endswith(".md") or name == products):
                        continue
                    st = item.stat()
                except OSError:
                    if not (name.endswith(".md") and item.is_symlink()):
                        continue
                    # A looping or dangling symlink: listed all the same, so that the build
                    # reports it as an invalid entry instead of skipping it unsaid.
                    st = item.stat(follow_symlinks=False)
                found[name] = file_stat(st)
    return found


def _stats_bytes(stats: dict[str, Stat]) -> bytes:
    return marshal.dumps((FORMAT, stats))


@dataclass
class Manifest:
    """What a generation was built from: per file its stat, content hash, and id (None: skipped)."""

    files: dict[str, list[Any]] = field(default_factory=dict)  # rel -> [change time ns, size, sha1, id|None]
    root: str = ""
    format: int = FORMAT

    def stats(self) -> dict[str, Stat]:
        return {rel: (v[0], v[1]) for rel, v in self.files.items()}

    def entry_count(self) -> int:
        """How many entry files went into the index (invalid ones are recorded but left out)."""
        return sum(1 for rel, v in self.files.items() if v[3] is not None and rel.endswith(".md"))

    def skipped(self) -> list[str]:
        return sorted(rel for rel, v in self.files.items() if v[3] is None and not rel.endswith(PRODUCTS))

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(files=data["files"], root=data["root"], format=data["format"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"format": self.format, "root": self.root, "files": self.files}),
                       encoding="utf-8")
        os.replace(tmp, path)



def _hash(path: Path) -> str:
    from kbtools.index.record import file_hash  # lazily: a fresh search never hashes

    return file_hash(path)


def changes(manifest: Manifest, now: dict[str, Stat], root: Path) -> tuple[list[str], list[str], list[str]]:
    """(new or changed files, removed files, files whose stat changed but content did not)."""
    old = manifest.files
    changed, touched = [], []
    for rel, stat in now.items():
        if rel in old and tuple(old[rel][:2]) == stat:
            continue
        if rel in old and old[rel][2] and old[rel][2] == _hash(root / rel):
            touched.append(rel)
        else:
            changed.append(rel)
    removed = [rel for rel in old if rel not in now]
    return changed, removed, touched


def write_stats(gen: Path, manifest: Manifest) -> None:
    path = gen / "stats.marshal"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(_stats_bytes(manifest.stats()))
    os.replace(tmp, path)


def read_stats(gen: Path) -> dict[str, Stat] | None:
    """The stats of ``gen``'s manifest from stats.marshal, or None (missing, damaged, another format)."""
    return place.read_stats(gen, FORMAT)
