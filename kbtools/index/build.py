"""Building: every entry's record written into an empty Whoosh index, with progress reported."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtools.children import checkpoint
from kbtools.index.manifest import Manifest, Stat
from kbtools.locate import ENTRIES, PRODUCTS

if TYPE_CHECKING:
    from kbtools.index.shown import Writer as ShownWriter


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


def fill(writer: Any, root: Path, rels: list[str], manifest: Manifest, now: dict[str, Stat],
          progress: Progress | None, shown: ShownWriter | None = None) -> tuple[int, list[str]]:
    from kbtools.index.record import load_documents

    indexed = 0
    skipped = []
    if progress:
        progress(0, len(rels), "start")
    for i, (rel, fields, entry_id, digest, view) in enumerate(load_documents(root, rels)):
        checkpoint()  # a Ctrl-C held back while workers were forked is raised here
        if fields is None:
            skipped.append(rel)
        else:
            writer.add_document(**fields)
            indexed += 1
        if shown is not None:
            shown.put(rel, view)
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
# memory-mapped copies each of its parts into a BytesIO (Whoosh's BufferFile) on every search;
# separate files are read in place (BENCHMARKS.md, "Search speed").
WRITER_OPTIONS: dict[str, Any] = {"limitmb": 128, "compound": False}


def build_into(storage_ix: Any, root: Path, now: dict[str, Stat], progress: Progress | None = None, *,
               parallel: bool = False, shown: ShownWriter | None = None) -> tuple[Manifest, Report]:
    """Index every entry of ``root`` into the empty Whoosh index ``storage_ix`` (and their views
    into ``shown``, for `kb show`).

    ``parallel`` allows several writer processes (the index must be on disk, not in memory).
    """
    from kbtools.index.record import file_hash

    manifest = Manifest(root=str(root))
    products_rel = f"{ENTRIES}/{PRODUCTS}"
    if products_rel in now:
        manifest.files[products_rel] = [*now[products_rel], file_hash(root / products_rel), PRODUCTS]
    rels = _entry_rels(now)
    procs = min(WRITER_PROCS, os.cpu_count() or 1)
    if parallel and procs > 1 and len(rels) >= MP_WRITER_FROM:
        # A larger buffer per process: with 128 MB each process spills sorted runs to disk and
        # merges them back in Python, twice as slow (BENCHMARKS.md, "Costs behind the code's choices").
        writer = storage_ix.writer(procs=procs, multisegment=True, **{**WRITER_OPTIONS, "limitmb": 512})
    else:
        writer = storage_ix.writer(**WRITER_OPTIONS)
    try:
        added, skipped = fill(writer, root, rels, manifest, now, progress, shown)
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
