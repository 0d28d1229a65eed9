"""Where the index of a KB lives, which generation is current, and the stat that says a file is
unchanged — without Whoosh, so that `kb show` can read the generation's stored entries
(:mod:`kbtools.index.shown`) at the cost of a few system calls. The layout of the cache folder
is described in :mod:`kbtools.index.generations`.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; single-user use only
    fcntl = None  # type: ignore[assignment]

Stat = tuple[int, int]  # change time (the later of ctime and mtime) in ns, size


def file_stat(st: os.stat_result) -> Stat:
    """What the index records of a file to tell later whether it changed.

    The change time, not the modification time: `rsync -t`, `tar` and os.utime put an old mtime
    back on new content, but every write (and utime itself) moves ctime on."""
    return (max(st.st_mtime_ns, st.st_ctime_ns), st.st_size)


def read_stats(gen: Path, fmt: int) -> dict[str, Stat] | None:
    """The entries' stats recorded in generation ``gen`` (its stats.marshal, written by
    :func:`kbtools.index.manifest.write_stats`), or None: missing, damaged, or of another ``fmt``."""
    try:
        found, stats = marshal.loads((gen / "stats.marshal").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return stats if found == fmt and isinstance(stats, dict) else None


def cache_root() -> Path:
    """The folder that holds the indexes of every KB: $KB_CACHE_DIR, else the XDG cache dir."""
    explicit = os.environ.get("KB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kb" / "index"


def cache_dir(root: Path) -> Path:
    """The index folder of the KB at ``root``: one per KB path."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_root() / key


def current_name(folder: Path) -> str | None:
    """The name of the generation that CURRENT points at in the cache ``folder``, if any."""
    try:
        return (folder / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def hold_current(folder: Path) -> tuple[Path, int] | None:
    """The current complete generation of the cache ``folder`` and an open fd that holds its readers
    lock shared, so that no writer deletes it while it is read (close the fd to let go); None when
    there is none."""
    for _attempt in range(10):
        name = current_name(folder)
        if name is None:
            return None
        gen = folder / "gens" / name
        try:
            fd = os.open(gen / "readers.lock", os.O_RDONLY)
        except OSError:
            if current_name(folder) == name:
                return None  # CURRENT points at a generation that is gone: treat as no index
            continue  # a writer switched generations meanwhile: read CURRENT again
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        if not (gen / "COMPLETE").exists():  # deleted between our reading CURRENT and locking
            os.close(fd)
            continue
        return gen, fd
    return None
