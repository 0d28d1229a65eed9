"""The search index: what is stored for each entry, where the index lives, and keeping it fresh.

This module and :mod:`kbtools.search` are the only ones that import Whoosh, so the engine can be
swapped without touching anything else.

Layout of the cache folder (``$XDG_CACHE_HOME/kb/index/<hash of the KB path>/``)::

    write.lock            held (flock) by the one process that builds or updates
    CURRENT               the name of the generation to read; replaced atomically (os.replace)
    gens/<name>/          one complete Whoosh index + manifest.json + COMPLETE marker
    gens/<name>/readers.lock   held shared by every search reading that generation

A build never touches the generation that searches read: it writes a new one (for an update,
starting from hard links to the current one's files, which Whoosh never rewrites in place), marks
it COMPLETE, and only then points CURRENT at it. A build killed at any point leaves CURRENT on the
last complete generation. Old generations are deleted once no search holds their readers lock.

Freshness is a stat walk of ``entries/`` compared with the generation's ``stats.marshal`` (the
manifest's change times and sizes in a form that loads in ~3 ms; the full manifest.json takes ~20 ms at
10k entries and is read only when something changed; a content hash settles a changed time), so a
search on a fresh index reads no entry and imports neither YAML nor pydantic: the index stores
everything a result displays.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _import_whoosh() -> None:
    """Import Whoosh without the two modules it imports but a search never uses (~30 ms of start-up).

    ``whoosh.compat`` imports ``urllib.request`` (with ``http.client``, ``email``, ``socket``) for a
    ``urlretrieve`` no code path of ours reaches, and ``whoosh.reading`` imports the
    ``cached_property`` package, which imports ``asyncio``, for one plain ``@cached_property`` on a
    synchronous method — exactly what ``functools.cached_property`` is. Both are stand-ins in
    ``sys.modules`` *only while Whoosh's modules import*, then removed: nothing else in the process
    ever sees them, a later ``import urllib.request`` or ``import cached_property`` gets the real
    module, and ``whoosh.compat.urlretrieve`` still works (it imports the real one when called).
    Skipped when Whoosh is already imported. Tested in tests/test_index.py.
    """
    if "whoosh.reading" in sys.modules:
        return
    import types

    def urlretrieve(*args: Any, **kwargs: Any) -> Any:
        from urllib.request import urlretrieve as real

        return real(*args, **kwargs)

    stubs = {"cached_property": types.ModuleType("cached_property"),
             "urllib.request": types.ModuleType("urllib.request")}
    stubs["cached_property"].cached_property = functools.cached_property  # type: ignore[attr-defined]
    stubs["urllib.request"].urlretrieve = urlretrieve  # type: ignore[attr-defined]
    stubs = {name: module for name, module in stubs.items() if name not in sys.modules}
    sys.modules.update(stubs)
    try:
        import whoosh.compat
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in stubs.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


_import_whoosh()

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.analysis import LowercaseFilter, RegexTokenizer  # noqa: E402
from whoosh.fields import ID, STORED, TEXT, Schema  # noqa: E402
from whoosh.filedb.filestore import RamStorage  # noqa: E402
from whoosh.system import pack_uint  # noqa: E402

from kbtools.children import checkpoint, reaped  # noqa: E402
from kbtools.errors import KBError  # noqa: E402
from kbtools.locate import ENTRIES, PRODUCTS  # noqa: E402

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; single-user use only
    fcntl = None  # type: ignore[assignment]

# Bump when the schema or the tokeniser changes: an index of another version is rebuilt.
FORMAT = 9

# Text reaches Whoosh already tokenised by kbtools.normalize and joined by spaces, so the analyser
# only splits on spaces. The pattern is given explicitly: the Whoosh forks changed the default.
_SPLIT = RegexTokenizer(expression=r"[^ ]+", gaps=False) | LowercaseFilter()
# Search fields and their weights: the error text as printed counts most, then titles, then the
# commands and config of the body, then prose. Chinese prose has its own field, so that bigrams of
# prose never mix with identifiers of error text in one field's statistics.
FIELDS = {"symptom": 4.0, "title": 2.5, "code": 1.5, "prose_en": 1.0, "prose_zh": 1.0}


def stored_length(length: int) -> int:
    """A field's length as the index keeps it (Whoosh stores lengths in one byte, approximately):
    what BM25 sees, and what the site's search data carries so that it scores the same."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    return int(byte_to_length(length_to_byte(length)))


class Tokens(TEXT):
    """A TEXT field whose value is kbtools.normalize tokens joined by spaces (already lower case).

    Indexing skips Whoosh's analyser, which made every token a Token object and ran it through a
    regex and a filter: ~20% of a build's writer time. The postings are what TEXT's Frequency
    format makes of the same tokens (word, count, count x field boost, encoded count). Queries and
    the query parser still use the analyser (``_SPLIT``), which gives the same words.
    """

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        counts: dict[str, int] = {}
        for word in value.lower().split(" "):
            if word:
                counts[word] = counts.get(word, 0) + 1
        for word, count in counts.items():
            yield word.encode("utf-8"), count, count * boost, pack_uint(count)


def schema() -> Schema:
    text = {name: Tokens(analyzer=_SPLIT, phrase=False) for name in FIELDS}
    return Schema(
        path=ID(unique=True, stored=True),
        product=ID, component=ID,
        tags=Tokens(analyzer=_SPLIT, phrase=False),
        doc=STORED,  # the JSON display record of the entry
        **text,
    )


# ---------------------------------------------------------------- where the index lives


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


# ---------------------------------------------------------------- what is in the KB


Stat = tuple[int, int]  # change time (the later of ctime and mtime) in ns, size


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
                # The change time, not the modification time: `rsync -t`, `tar` and os.utime put an
                # old mtime back on new content, but every write (and utime itself) moves ctime on.
                found[name] = (max(st.st_mtime_ns, st.st_ctime_ns), st.st_size)
    return found


def _stats_bytes(stats: dict[str, Stat]) -> bytes:
    return marshal.dumps((FORMAT, stats))


def _hash(path: Path) -> str:
    from kbtools.document import file_hash

    return file_hash(path)


@dataclass
class Manifest:
    """What a generation was built from: per file its stat, content hash, and id (None: skipped)."""

    files: dict[str, list[Any]] = field(default_factory=dict)  # rel -> [change time ns, size, sha1, id|None]
    root: str = ""
    format: int = FORMAT

    def stats(self) -> dict[str, Stat]:
        return {rel: (v[0], v[1]) for rel, v in self.files.items()}

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


# ---------------------------------------------------------------- building and updating


@dataclass
class Report:
    """What a build or update did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    entries: int = 0
    skipped: list[str] = field(default_factory=list)  # files left out because they are invalid
    full: bool = False
    seconds: float = 0.0
    location: str = ""
    rejected: int = 0  # changed files that are invalid now (they count as a change to report)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.full or self.rejected)


# progress(done, total, phase): phase "start" (nothing read yet), "reading" (entries read and
# checked so far), "writing" (all read; the postings are being written, which is 40-50% of a large
# build), "done".
Progress = Callable[[int, int, str], None]


def _fill(writer: Any, root: Path, rels: list[str], manifest: Manifest, now: dict[str, Stat],
          progress: Progress | None) -> tuple[int, list[str]]:
    from kbtools.document import load_documents

    indexed = 0
    skipped = []
    if progress:
        progress(0, len(rels), "start")
    for i, (rel, fields, entry_id, digest) in enumerate(load_documents(root, rels)):
        checkpoint()  # a Ctrl-C held back while workers were forked is raised here
        if fields is None:
            skipped.append(rel)
        else:
            writer.add_document(**fields)
            indexed += 1
        manifest.files[rel] = [*now[rel], digest, entry_id]
        if progress and (i % 200 == 0 or i == len(rels) - 1):
            progress(i + 1, len(rels), "reading")
    return indexed, skipped


def _entry_rels(now: dict[str, Stat]) -> list[str]:
    return sorted(rel for rel in now if rel.endswith(".md"))


# From this many entries a build on disk writes postings in WRITER_PROCS processes (Whoosh's
# MpWriter), each its own segment: the pure-Python posting writer is most of a large build.
# Segments are left unmerged (multisegment): merging costs as much again, and a search over a few
# segments is as fast. Below it, starting processes costs more than it saves.
MP_WRITER_FROM = 2000
WRITER_PROCS = 2
# Segments are written as separate files, not one compound file: opening a compound file that is
# memory-mapped copies each of its parts into a BytesIO (Whoosh's BufferFile), ~20 ms of every
# search at 10k entries; separate files are read in place.
WRITER_OPTIONS: dict[str, Any] = {"limitmb": 128, "compound": False}


def build_into(storage_ix: Any, root: Path, now: dict[str, Stat], progress: Progress | None = None, *,
               parallel: bool = False) -> tuple[Manifest, Report]:
    """Index every entry of ``root`` into the empty Whoosh index ``storage_ix``.

    ``parallel`` allows several writer processes (the index must be on disk, not in memory).
    """
    manifest = Manifest(root=str(root))
    products_rel = f"{ENTRIES}/{PRODUCTS}"
    if products_rel in now:
        manifest.files[products_rel] = [*now[products_rel], _hash(root / products_rel), PRODUCTS]
    rels = _entry_rels(now)
    procs = min(WRITER_PROCS, os.cpu_count() or 1)
    if parallel and procs > 1 and len(rels) >= MP_WRITER_FROM:
        # A larger buffer per process: with 128 MB each process spills sorted runs to disk and
        # merges them back in Python (10k entries: writing took 31 s; 14 s at 512 MB, ~0.5 GB RSS).
        writer = storage_ix.writer(procs=procs, multisegment=True, **{**WRITER_OPTIONS, "limitmb": 512})
    else:
        writer = storage_ix.writer(**WRITER_OPTIONS)
    try:
        added, skipped = _fill(writer, root, rels, manifest, now, progress)
        if progress:
            progress(len(rels), len(rels), "writing")
        writer.commit()
    except BaseException:
        # The multi-process writer's queues must not hold the exit up (their feeder threads would
        # wait for workers that kbtools.children stops).
        for name in ("jobqueue", "resultqueue"):
            with contextlib.suppress(Exception):
                getattr(writer, name).cancel_join_thread()
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    if progress:
        progress(len(rels), len(rels), "done")
    return manifest, Report(added=added, entries=added, skipped=skipped, full=True)


def _changes(manifest: Manifest, now: dict[str, Stat], root: Path) -> tuple[list[str], list[str], list[str]]:
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
        try:
            return (self.dir / "CURRENT").read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def open_current(self, *, full: bool = False) -> Opened | None:
        """Open the current complete generation with a shared readers lock, or None if there is none.

        ``full`` reads its manifest now (writers need it), so that a damaged one means a rebuild.
        """
        for _attempt in range(10):
            name = self.current_name()
            if name is None:
                return None
            gen = self.gens / name
            try:
                fd = os.open(gen / "readers.lock", os.O_RDONLY)
            except OSError:
                if self.current_name() == name:
                    return None  # CURRENT points at a generation that is gone: treat as no index
                continue  # a writer switched generations meanwhile: read CURRENT again
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_SH)
            if not (gen / "COMPLETE").exists():  # deleted between our reading CURRENT and locking
                os.close(fd)
                continue
            # The small stats file settles freshness (and the format) without the manifest.
            stats = _read_stats(gen)
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
        return None

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
        _write_stats(gen, manifest)
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
            with reaped(lock_fd):
                ix = whoosh_index.create_in(str(gen), schema())
                manifest, report = build_into(ix, self.root, now, progress, parallel=True)
            ix.close()
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
        changed, removed, touched = _changes(old.manifest, now, self.root)
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
            _write_stats(Path(old.location), manifest)
        else:
            gen = self._new_gen()
            for item in os.scandir(old.location):
                if item.name not in _OWN_FILES and not item.name.endswith("LOCK"):
                    os.link(item.path, gen / item.name)
            ix = whoosh_index.open_dir(str(gen))
            writer = ix.writer(**{**WRITER_OPTIONS, "limitmb": 64})
            try:
                for rel in removed + changed:
                    if rel in old.manifest.files:
                        writer.delete_by_term("path", rel)
                for rel in removed:
                    manifest.files.pop(rel, None)
                todo = [r for r in changed if r.endswith(".md")]
                with reaped(lock_fd):
                    added, _skipped = _fill(writer, self.root, todo, manifest, now, progress)
            except BaseException:
                writer.cancel()
                raise
            if progress:
                progress(len(todo), len(todo), "writing")
            writer.commit()
            if progress:
                progress(len(todo), len(todo), "done")
            ix.close()
            self._publish(gen, manifest)
            self.collect_garbage()
            was = {rel for rel, v in old.manifest.files.items() if v[3] is not None}
            report.added = sum(1 for r in changed if r not in was and manifest.files[r][3] is not None)
            report.updated = added - report.added
            report.removed = sum(1 for r in removed + changed if r in was) - report.updated
            report.rejected = sum(1 for r in changed if r.endswith(".md") and manifest.files[r][3] is None)
            report.location = str(gen)
        report.skipped = manifest.skipped()
        report.entries = sum(1 for rel, v in manifest.files.items() if v[3] is not None and rel.endswith(".md"))
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
_OWN_FILES = {"readers.lock", "COMPLETE", "manifest.json", "stats.marshal"}


def _write_stats(gen: Path, manifest: Manifest) -> None:
    path = gen / "stats.marshal"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(_stats_bytes(manifest.stats()))
    os.replace(tmp, path)


def _read_stats(gen: Path) -> dict[str, Stat] | None:
    """The stats of ``gen``'s manifest from stats.marshal, or None (missing, damaged, another format)."""
    try:
        fmt, stats = marshal.loads((gen / "stats.marshal").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return stats if fmt == FORMAT and isinstance(stats, dict) else None


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fresh(opened: Opened | None, now: dict[str, Stat]) -> bool:
    return opened is not None and opened.fresh(now)


def open_index(root: Path, *, rebuild: bool = False, progress: Progress | None = None,
               in_memory: bool = True, wait: bool = False) -> Opened:
    """The fresh index of the KB at ``root``, built or updated first if entries changed.

    When the cache folder cannot be written (read-only, full, not a folder), the index is built in
    memory for this process and a warning says so; without ``in_memory``, KBError says so instead.
    While another process writes the index, a search does not wait (unless ``wait``): it reads the
    last complete generation, or builds one in memory when there is none. Callers must ``close()``
    what they get.
    """
    now = scan(root)
    cache = Cache(root)
    opened = None if rebuild else cache.open_current()
    if _fresh(opened, now):
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
            if _fresh(opened, now):
                assert opened is not None
                return opened
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
PROGRESS_FROM = 500


class StderrProgress:
    """Progress of a large build on stderr. On a terminal: one line rewritten in place, entries read
    so far, then the seconds spent writing the index (a ticker: Whoosh's writer reports nothing
    while it writes the postings), then the total time. Off a terminal (a log, CI): one line when
    the build starts and one when it ends."""

    def __init__(self) -> None:
        self.started = 0.0
        self._stop: Any = None

    def __call__(self, done: int, total: int, phase: str) -> None:
        if total < PROGRESS_FROM:
            return
        tty = sys.stderr.isatty()
        if phase == "start":
            self.started = time.monotonic()
            if not tty:
                print(f"kb: indexing {total} entries", file=sys.stderr, flush=True)
        elif phase == "reading" and tty:
            print(f"\rkb: indexing: {done}/{total} entries read", end="", file=sys.stderr, flush=True)
        elif phase == "writing" and tty:
            self._tick(total)
        elif phase == "done":
            if self._stop is not None:
                stop, lock = self._stop
                with lock:  # the ticker prints nothing after this
                    stop.set()
                self._stop = None
            line = f"kb: indexed {total} entries in {time.monotonic() - self.started:.1f} s"
            print(f"\r{line}\x1b[K" if tty else line, file=sys.stderr, flush=True)

    def _tick(self, total: int) -> None:
        import threading

        stop, lock = threading.Event(), threading.Lock()
        self._stop = (stop, lock)
        writing = time.monotonic()

        def show() -> None:
            print(f"\rkb: indexing: {total}/{total} entries read, writing the index "
                  f"({time.monotonic() - writing:.0f} s)", end="", file=sys.stderr, flush=True)

        def run() -> None:
            while not stop.wait(1.0):
                with lock:
                    if not stop.is_set():
                        show()

        show()
        threading.Thread(target=run, daemon=True).start()


def stderr_progress(done: int, total: int, phase: str) -> None:
    """The progress of the build this process is running, on stderr (see :class:`StderrProgress`)."""
    _STDERR_PROGRESS(done, total, phase)


_STDERR_PROGRESS = StderrProgress()
