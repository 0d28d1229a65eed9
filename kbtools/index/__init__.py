"""The search index of a KB, kept fresh: :func:`open_index` is the one way in.

The package follows the index's seams: :mod:`~kbtools.index.schema` (Whoosh, its import
workaround, the fields), :mod:`~kbtools.index.record` (what one entry contributes: its search
fields and display record), :mod:`~kbtools.index.manifest` (what a generation was built from;
freshness), :mod:`~kbtools.index.generations` (the crash-safe on-disk cache; where it is:
:mod:`~kbtools.index.place`), :mod:`~kbtools.index.build` (writing entries into an index) and
:mod:`~kbtools.index.shown` (each entry's view, kept for `kb show`). A search on a fresh index reads no
entry and imports neither YAML nor pydantic: the index stores everything a result displays.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtools.errors import KBError
from kbtools.index.place import Stat, cache_dir, cache_root

if TYPE_CHECKING:
    from kbtools.index.build import Progress, Report
    from kbtools.index.generations import Busy, Cache, Opened
    from kbtools.index.manifest import Manifest
    from kbtools.index.schema import FIELDS, FORMAT

__all__ = ["FIELDS", "FORMAT", "Busy", "Cache", "Manifest", "Opened", "Progress", "Report", "Stat",
           "cache_dir", "cache_root", "open_index", "scan"]

# Imported when first asked for: importing this package (to read kbtools.index.shown or .place,
# as `kb show` does) must not import Whoosh, which kbtools.index.schema does.
_LAZY = {"Progress": "build", "Report": "build", "build_into": "build", "Busy": "generations",
         "Cache": "generations", "Opened": "generations", "Manifest": "manifest", "scan": "manifest",
         "FIELDS": "schema", "FORMAT": "schema"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)


def _fresh(opened: Opened | None, now: dict[str, Stat], views: bool = False) -> bool:
    return opened is not None and opened.fresh(now) and (not views or _views_here(opened))


def _views_here(opened: Opened) -> bool:
    """Whether every entry of ``opened`` has a view that the running code wrote (after an upgrade,
    none; after an update made by the upgraded code, only the entries it read)."""
    from kbtools.index.shown import count

    return count(Path(opened.location)) == opened.manifest.entry_count()


def open_index(root: Path, *, rebuild: bool = False, progress: Progress | None = None,
               in_memory: bool = True, wait: bool = False, views: bool = False) -> Opened:
    """The fresh index of the KB at ``root``, built or updated first if entries changed.

    With ``views`` (`kb index`), a generation whose stored views another kbtools wrote (an upgrade,
    an edited checkout) is rebuilt too, so that `kb show` reads them again; a search does not pay
    for that rebuild.

    When the cache folder cannot be written (read-only, full, not a folder), the index is built in
    memory for this process and a warning says so; without ``in_memory``, KBError says so instead.
    While another process writes the index, a search does not wait (unless ``wait``): it reads the
    last complete generation, or builds one in memory when there is none. Callers must ``close()``
    what they get.
    """
    from kbtools.index.build import build_into
    from kbtools.index.generations import Busy, Cache, Opened
    from kbtools.index.manifest import scan
    from kbtools.index.schema import RamStorage, schema

    now = scan(root)
    cache = Cache(root)
    opened = None if rebuild else cache.open_current()
    if _fresh(opened, now, views):
        assert opened is not None
        return opened
    stale = opened
    try:
        with cache.write_lock(wait=wait) as lock_fd:
            # Another process may have brought it up to date while we waited for the lock.
            if opened is not None:
                opened.close()
            stale = None
            opened = None if rebuild else cache.open_current(full=True)
            now = scan(root)
            if _fresh(opened, now, views):
                assert opened is not None
                return opened
            if opened is not None and views and not _views_here(opened):
                # Another kbtools wrote the views: an update would not write them all again.
                opened.close()
                opened = None
            if opened is None:
                report = cache.build(now, progress, lock_fd)
            else:
                report = cache.update(opened, now, progress, lock_fd)
                opened.close()
            fresh = cache.open_current()
            if fresh is None:
                raise OSError("the index just built cannot be opened")
            fresh.report = report
            return fresh
    except Busy as busy:
        # A search never waits for a writer: it reads the last complete generation, if any.
        who = f" (pid {busy.pid})" if busy.pid else ""
        if stale is not None and not rebuild:
            stale.warnings.append(f"another kb process{who} is updating the search index; these results "
                                  "come from the previous one and may miss the latest changes")
            return stale
        if stale is not None:
            stale.close()
        ix = RamStorage().create_index(schema())
        manifest, report = build_into(ix, root, now, progress)
        return Opened(ix, manifest, ":memory:", report=report, warnings=[
            f"another kb process{who} is building the search index; used an in-memory one meanwhile"])
    except OSError as exc:
        if opened is not None:
            opened.close()
        reason = exc.strerror or str(exc)
        if not in_memory:
            raise KBError(f"cannot write the search index in {cache.dir} ({reason})") from None
        ix = RamStorage().create_index(schema())
        manifest, report = build_into(ix, root, now, progress)
        return Opened(ix, manifest, ":memory:", report=report, warnings=[
            f"cannot write the search index in {cache.dir} ({reason}); using an in-memory index for "
            "this search (set KB_CACHE_DIR to a writable folder to keep it)"])


# Builds smaller than this are quick: they print nothing, on a terminal or off it.
