"""What `kb show` prints, kept in each index generation: the view (:mod:`kbtools.entry_view`) of
every entry that went into it, as it was checked when the generation was built, readable with
neither Whoosh nor YAML nor pydantic.

Files of a generation (beside Whoosh's, its manifest and stats.marshal)::

    shown-<n>.z     views, each zlib-compressed JSON, one after another; never rewritten: an update
                    hard-links them into the next generation (as Whoosh's segments) and writes the
                    changed views to a new one
    shown.marshal   (TAG, the code's fingerprint, FORMAT, {entry path: (file, offset, length)})

Reading one view reads its table (a few ms at 10k entries) and its own bytes, never the others.
A view is true of the files while the entry file and products.yml (all that checking one entry
reads) have the stats that the generation's stats.marshal holds for them, and while the code is
the code that wrote it (:func:`fingerprint`: its version and its source files' sizes and times,
which also covers the index FORMAT and the checks); else :func:`read_view` gives None and the
caller checks the file. zlib's checksum turns a damaged view into None too.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import time
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from kbtools.index.place import cache_dir, file_stat, hold_current, read_stats
from kbtools.locate import ENTRIES, PRODUCTS

TABLE = "shown.marshal"
PREFIX = "shown-"
TAG = "kb-shown-1"
# An update adds a file of views; past this many, the live views are copied into one file.
MAX_FILES = 8

Table = dict[str, tuple[str, int, int]]  # entry path -> (file, offset, length)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The running kbtools: its version and the size and change time of each of its source files
    (a few hundred microseconds: no file is read)."""
    from kbtools import __version__

    package = Path(__file__).resolve().parent.parent
    facts: list[tuple[str, int, int]] = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                facts.append((os.path.relpath(path, package), *file_stat(os.stat(path))))
    return hashlib.sha256(repr((__version__, facts)).encode()).hexdigest()


def pack(view: dict[str, Any]) -> bytes:
    """One view as stored (in the process that checked the entry)."""
    return zlib.compress(json.dumps(view, ensure_ascii=True).encode("ascii"), 6)


def _read_table(gen: Path) -> tuple[int, Table] | None:
    """The FORMAT and table of ``gen``, when the running code wrote them."""
    try:
        tag, code, fmt, table = marshal.loads((gen / TABLE).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if tag != TAG or code != fingerprint() or not isinstance(table, dict) or not isinstance(fmt, int):
        return None
    return fmt, table


def count(gen: Path) -> int | None:
    """How many views generation ``gen`` holds, or None when other code wrote them (then `kb show`
    checks every file, and an update keeps none of them: `kb index` builds them again)."""
    stored = _read_table(gen)
    return None if stored is None else len(stored[1])


def _new_name() -> str:
    return f"{PREFIX}{time.time_ns():x}-{os.getpid()}.z"


def _fsync(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - a file system without fsync
        pass


class Writer:
    """The views of a generation being written: those of ``base`` (the generation it updates, whose
    files were hard-linked into ``gen``) kept, then each entry read since put or dropped."""

    def __init__(self, gen: Path, fmt: int, base: Path | None = None):
        self.gen, self.fmt = gen, fmt
        old = _read_table(base) if base is not None else None
        # Views written by other code are dropped: the table claims the running code wrote them.
        self.table: Table = dict(old[1]) if old is not None and old[0] == fmt else {}
        self.name = _new_name()
        self._out: Any = None
        self._offset = 0

    def put(self, rel: str, packed: bytes | None) -> None:
        """The view of entry file ``rel``, or None when the entry is left out of the index."""
        if packed is None:
            self.table.pop(rel, None)
            return
        if self._out is None:
            # "x": never into a file of another generation hard-linked here under the same name.
            self._out = open(self.gen / self.name, "xb")  # noqa: SIM115 - closed in finish()
        self._out.write(packed)
        self.table[rel] = (self.name, self._offset, len(packed))
        self._offset += len(packed)

    def drop(self, rel: str) -> None:
        self.table.pop(rel, None)

    def finish(self) -> None:
        """Write the table (the views' files flushed to disk first) and delete the files of
        views that no entry uses any more."""
        self._close()
        if len({name for name, _, _ in self.table.values()}) > MAX_FILES:
            self._compact()
        used = {name for name, _, _ in self.table.values()}
        for name in os.listdir(self.gen):
            if name.startswith(PREFIX) and name not in used:
                os.unlink(self.gen / name)
        tmp = self.gen / f".{TABLE}.{os.getpid()}.tmp"
        with open(tmp, "wb") as out:
            out.write(marshal.dumps((TAG, fingerprint(), self.fmt, self.table)))
            out.flush()
            _fsync(out.fileno())
        os.replace(tmp, self.gen / TABLE)

    def cancel(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._out is not None:
            self._out.flush()
            _fsync(self._out.fileno())
            self._out.close()
            self._out = None

    def _compact(self) -> None:
        old, self.table = self.table, {}
        self.name, self._offset = _new_name(), 0
        for rel, (name, offset, length) in sorted(old.items(), key=lambda item: item[1]):
            with open(self.gen / name, "rb") as src:
                src.seek(offset)
                self.put(rel, src.read(length))
        self._close()


def read_view(root: Path, rel: str) -> dict[str, Any] | None:
    """The stored view of the entry file ``rel`` (``entries/<product>/<id>.md``) of the KB at
    ``root`` from the current generation, or None: no index, not in it, changed since, written by
    other code, or damaged. Writes nothing."""
    held = hold_current(cache_dir(root))
    if held is None:
        return None
    gen, fd = held
    try:
        stored = _read_table(gen)
        if stored is None or rel not in stored[1]:
            return None
        fmt, table = stored
        stats = read_stats(gen, fmt)
        products = f"{ENTRIES}/{PRODUCTS}"
        if stats is None or stats.get(rel) != _stat(root / rel) or stats.get(products) != _stat(root / products):
            return None
        name, offset, length = table[rel]
        with open(gen / name, "rb") as src:
            src.seek(offset)
            view = json.loads(zlib.decompress(src.read(length)))
        # What checking the entry guaranteed: its id is its file name, its product its folder.
        if not isinstance(view, dict) or [ENTRIES, view.get("product"), f"{view.get('id')}.md"] != rel.split("/"):
            return None
        return view
    except (OSError, ValueError, EOFError, TypeError, AttributeError, zlib.error):
        return None
    finally:
        os.close(fd)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        return file_stat(path.stat())
    except OSError:
        return None
