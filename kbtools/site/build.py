"""What the plugin does before a build, without MkDocs: load, check, and write the pages.

Kept apart from ``plugin`` so that tests (and the benchmark) can run the same steps directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kbtools.errors import EntryError
from kbtools.export import export_json
from kbtools.load import load_kb
from kbtools.site.entry_page import SiteContext
from kbtools.site.listings import Listing
from kbtools.site.notes import NOTES_FILE, load_notes
from kbtools.site.pages import SyncReport, contributing_pages, plan, sync


@dataclass
class PrepareReport(SyncReport):
    notices: list[str] = field(default_factory=list)


def prepare(root: Path, docs_dir: Path, edit_base: str, blob_base: str, *,
            export_href: str = "kb.json", new_file_base: str = "") -> tuple[Listing, PrepareReport]:
    """Load the KB at ``root`` and write its generated pages under ``docs_dir``.

    Raises EntryError carrying every error when an entry, or the note order, is invalid: a site
    with a silently missing entry is worse than no new site (:func:`refusal` says it).
    """
    kb = load_kb(root)
    kb.raise_for_problems()
    notes, note_problems = load_notes(docs_dir / NOTES_FILE, kb.entries)
    note_errors = [p for p in note_problems if p.severity == "error"]
    if note_errors:
        raise EntryError(note_errors)
    ctx = SiteContext(
        products=kb.products,
        titles={e.id: (e.product, {"zh": e.title.zh, "en": e.title.en}) for e in kb.entries},
        edit_base=edit_base,
    )
    listing = Listing(entries=kb.entries, ctx=ctx, notes=notes,
                      contributing=contributing_pages(root, blob_base, new_file_base), export_href=export_href, kb=kb)
    synced = sync(docs_dir, plan(listing))
    report = PrepareReport(synced.written, synced.removed, synced.unchanged)
    report.notices = [p.format(root) for p in kb.problems + note_problems if p.severity != "error"]
    return listing, report


def refusal(exc: EntryError, root: Path, docs_dir: Path) -> str:
    """Why :func:`prepare` refused: every error as ``kb validate`` prints it, under one line that
    counts them when they are in the entries (the note order's speak for themselves)."""
    lines = "\n".join(p.format(root) for p in exc.problems)
    if all(p.path == docs_dir / NOTES_FILE for p in exc.problems):
        return lines
    return f"kb: {len(exc.problems)} problem(s) in the entries; the site is not built:\n{lines}"


def export_text(root: Path, listing: Listing, site_url: str | None) -> str:
    kb = listing.kb if listing.kb is not None else load_kb(root)
    return export_json(kb, site_url or None)


def edit_path(norm_src: str, src: str, root: Path, docs_dir: Path) -> str | None:
    """The repository file behind a page: the entry's own file for entry pages, the page's file
    for hand-written pages, nothing for generated lists."""
    if norm_src.startswith("entries/"):
        return norm_src
    if norm_src.startswith("components/"):
        return None
    try:
        return (docs_dir / src).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
