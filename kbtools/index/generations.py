"""The crash-safe cache of index generations of one KB: CURRENT, locks, fsync, garbage collection.

Layout of the cache folder (``$XDG_CACHE_HOME/kb/index/<hash of the KB path>/``)::

    write.lock            held (flock) by the one process that builds or updates
    CURRENT               the name of the generation to read; replaced atomically (os.replace)
    gens/<name>/          one complete Whoosh index + manifest.json + COMPLETE marker, and the
                          entries' views that `kb show` reads (kbtools.index.shown)
    gens/<name>/readers.lock   held shared by every search reading that generation

A build never touches the generation that searches read: it writes a new one (for an update,
starting from hard links to the current one's files, which Whoosh never rewrites in place), marks
it COMPLETE, and only then points CURRENT at it. A build killed at any point leaves CURRENT on the
last complete generation. Old generations are deleted once no search holds their readers lock.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.children import reaped
from kbtools.errors import KBError
from kbtools.index.build import WRITER_OPTIONS, Progress, Report, build_into, fill
from kbtools.index.manifest import Manifest, Stat, changes, read_stats, write_stats
from kbtools.index.place import cache_dir, current_name, hold_current
from kbtools.index.schema import FORMAT, schema, whoosh_index
from kbtools.index.shown import TABLE as SHOWN_TABLE
from kbtools.index.shown import Writer as ShownWriter
from kbtools.locate import ENTRIES, PRODUCTS

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; single-user use only
    fcntl = None  # type: ignore[assignment]


@dataclass
class Opened:
    """An open, complete index generation (or an in-memory one), ready to search."""

    ix: Any
    _manifest: Manifest | None  # None: read from the generation when first asked for
    location: str
    _lock_fd: int | None = None
    report: Report | None = None  # set when opening it meant building or updating it
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, Stat] | None = None  # the manifest's stats, from stats.marshal

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            manifest = Manifest.read(Path(self.location) / "manifest.json")
            if manifest is None or manifest.format != FORMAT:
                raise KBError(f"{self.location}: the index manifest is missing or unreadable; "
                              "run `kb index --force`")
            self._manifest = manifest
        return self._manifest

    def fresh(self, now: dict[str, Stat]) -> bool:
        """Whether the entries' stats are those this generation was built from."""
        if self.stats is not None and self.stats == now:
            return True  # else a `touch` may have rewritten both since: ask the manifest
        return self.manifest.stats() == now

    def values(self, name: str) -> list[str]:
        """The values that some entry has in the keyword field ``name`` (product, component, tags)."""
        reader = self.ix.reader()
        try:
            return sorted(reader.field_terms(name))
        finally:
            reader.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ix.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


class Cache:
    """The on-disk index generations of one KB."""

    def __init__(self, root: Path, folder: Path | None = None):
        self.root = root
        self.dir = folder or cache_dir(root)
        self.gens = self.dir / "gens"

    # -- reading

    def current_name(self) -> str | None:
        return current_name(self.dir)

    def open_current(self, *, full: bool = False) -> Opened | None:
        """Open the current complete generation with a shared readers lock, or None if there is none.

        ``full`` reads its manifest now (writers need it), so that a damaged one means a rebuild.
        """
        held = hold_current(self.dir)
        if held is None:
            return None
        gen, fd = held
        # The small stats file settles freshness (and the format) without the manifest.
        stats = read_stats(gen)
        manifest = None if stats is not None and not full else Manifest.read(gen / "manifest.json")
        try:
            if (stats is None or full) and (manifest is None or manifest.format != FORMAT):
                raise ValueError("old or unreadable index")
            ix = whoosh_index.open_dir(str(gen))
        except Exception:
            # Unreadable (another format, a damaged disk): rebuild rather than fail the search.
            os.close(fd)
            return None
        return Opened(ix, manifest, str(gen), fd, stats=stats)

    # -- writing

    @contextlib.contextmanager
    def write_lock(self, *, wait: bool = True) -> Iterator[int]:
        """Hold the one write lock of this cache (its fd is yielded), waiting for another writer
        when ``wait``, else raising :class:`Busy`.

        The lock file holds its holder's pid. A lock held although that process is gone is stale
        (workers of a build killed by an older kb, which kept a copy of it): it is broken by
        putting a new lock file in its place, which is safe because those workers never publish
        a generation, only their parent did.
        """
        self.gens.mkdir(parents=True, exist_ok=True)
        path = self.dir / "write.lock"
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _lock_holder(fd)
                if holder is not None and not _alive(holder):
                    self._break_stale_lock(path, fd, holder)
                    os.close(fd)
                    continue
                os.close(fd)
                if not wait:
                    raise Busy(holder) from None
                time.sleep(0.05)
                continue
            except BaseException:
                os.close(fd)
                raise
            try:
                if os.fstat(fd).st_ino != os.stat(path).st_ino:
                    continue  # broken as stale while we waited: lock the file that is there now
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                try:
                    yield fd
                finally:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, 0)  # released: no pid, so nobody takes it for stale
                return
            finally:
                os.close(fd)

    def _break_stale_lock(self, path: Path, stale_fd: int, holder: int) -> None:
        """Replace the lock file ``stale_fd`` is open on, unless another process did already."""
        guard = os.open(self.dir / "break.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(guard, fcntl.LOCK_EX)
            # A writer that has just taken the lock writes its pid over a dead one at once: give
            # it that moment before judging.
            time.sleep(0.2)
            try:
                same = os.stat(path).st_ino == os.fstat(stale_fd).st_ino and _lock_holder(stale_fd) == holder
            except FileNotFoundError:
                same = False
            if same:
                tmp = self.dir / f".write.lock.{os.getpid()}.tmp"
                os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644))
                os.replace(tmp, path)
        finally:
            os.close(guard)

    def _new_gen(self) -> Path:
        gen = self.gens / f"{time.time_ns():x}-{os.getpid()}"
        gen.mkdir()
        (gen / "readers.lock").touch()
        return gen

    def _publish(self, gen: Path, manifest: Manifest) -> None:
        manifest.write(gen / "manifest.json")
        write_stats(gen, manifest)
        (gen / "COMPLETE").touch()
        _fsync_dir(gen)
        tmp = self.dir / f".CURRENT.{os.getpid()}.tmp"
        tmp.write_text(gen.name + "\n", encoding="utf-8")
        os.replace(tmp, self.dir / "CURRENT")
        _fsync_dir(self.dir)

    def collect_garbage(self) -> None:
        """Delete generations that are not current and that no search is reading (writers only)."""
        current = self.current_name()
        try:
            names = os.listdir(self.gens)
        except OSError:
            return
        for name in names:
            if name == current:
                continue
            gen = self.gens / name
            try:
                fd = os.open(gen / "readers.lock", os.O_RDONLY)
            except OSError:
                shutil.rmtree(gen, ignore_errors=True)  # a build killed before it made its lock
                continue
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue  # a search is still reading it
            trash = self.gens.parent / f"trash-{name}"
            try:
                os.replace(gen, trash)
            except OSError:
                os.close(fd)
                continue
            os.close(fd)
            shutil.rmtree(trash, ignore_errors=True)
        for name in os.listdir(self.dir):
            if name.startswith("trash-"):
                shutil.rmtree(self.dir / name, ignore_errors=True)

    def build(self, now: dict[str, Stat], progress: Progress | None = None, lock_fd: int | None = None) -> Report:
        """A full build into a new generation (call with the write lock held, its fd ``lock_fd``)."""
        started = time.monotonic()
        gen = self._new_gen()
        try:
            shown = ShownWriter(gen, FORMAT)
            with reaped(lock_fd):
                ix = whoosh_index.create_in(str(gen), schema())
                manifest, report = build_into(ix, self.root, now, progress, parallel=True, shown=shown)
            ix.close()
            shown.finish()
            self._publish(gen, manifest)
        except BaseException:
            # A full disk: give back what the half-written generation holds.
            shutil.rmtree(gen, ignore_errors=True)
            raise
        self.collect_garbage()
        report.seconds = time.monotonic() - started
        report.location = str(gen)
        return report

    def update(self, old: Opened, now: dict[str, Stat], progress: Progress | None = None,
               lock_fd: int | None = None) -> Report:
        """Re-index only what changed since ``old`` (call with the write lock held, its fd ``lock_fd``)."""
        started = time.monotonic()
        changed, removed, touched = changes(old.manifest, now, self.root)
        products_rel = f"{ENTRIES}/{PRODUCTS}"
        if products_rel in changed or products_rel in removed:
            # Another product list can make any entry valid or invalid: start again.
            return self.build(now, progress, lock_fd)
        manifest = Manifest(files=dict(old.manifest.files), root=str(self.root))
        for rel in touched:
            manifest.files[rel] = [*now[rel], *manifest.files[rel][2:]]
        report = Report(location=old.location)
        if not changed and not removed:
            # Only mtimes moved (a checkout, `touch`): record them, in place and atomically. The
            # manifest first: a search that reads the new stats finds the new manifest too, and
            # one that reads the old stats finds them stale and asks the manifest.
            manifest.write(Path(old.location) / "manifest.json")
            write_stats(Path(old.location), manifest)
        else:
            gen = self._new_gen()
            for item in os.scandir(old.location):
                if item.name not in _OWN_FILES and not item.name.endswith("LOCK"):
                    os.link(item.path, gen / item.name)
            ix = whoosh_index.open_dir(str(gen))
            writer = ix.writer(**{**WRITER_OPTIONS, "limitmb": 64})
            shown = ShownWriter(gen, FORMAT, base=Path(old.location))
            try:
                for rel in removed + changed:
                    if rel in old.manifest.files:
                        writer.delete_by_term("path", rel)
                for rel in removed:
                    manifest.files.pop(rel, None)
                    shown.drop(rel)
                todo = [r for r in changed if r.endswith(".md")]
                with reaped(lock_fd):
                    added, _skipped = fill(writer, self.root, todo, manifest, now, progress, shown)
            except BaseException:
                writer.cancel()
                shown.cancel()
                raise
            if progress:
                progress(len(todo), len(todo), "writing")
            writer.commit()
            if progress:
                progress(len(todo), len(todo), "done")
            ix.close()
            shown.finish()
            self._publish(gen, manifest)
            self.collect_garbage()
            was = {rel for rel, v in old.manifest.files.items() if v[3] is not None}
            report.added = sum(1 for r in changed if r not in was and manifest.files[r][3] is not None)
            report.updated = added - report.added
            report.removed = sum(1 for r in removed + changed if r in was) - report.updated
            report.rejected = sum(1 for r in changed if r.endswith(".md") and manifest.files[r][3] is None)
            report.location = str(gen)
        report.skipped = manifest.skipped()
        report.entries = manifest.entry_count()
        report.seconds = time.monotonic() - started
        return report


class Busy(Exception):
    """Another live process holds the write lock."""

    def __init__(self, pid: int | None):
        super().__init__(f"the index is being written by pid {pid}")
        self.pid = pid


def _lock_holder(fd: int) -> int | None:
    """The pid written in a lock file, or None (not written yet, or by an older kb)."""
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


# Files of a generation that are ours, not Whoosh's: never linked into the next generation.
_OWN_FILES = {"readers.lock", "COMPLETE", "manifest.json", "stats.marshal", SHOWN_TABLE}


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
