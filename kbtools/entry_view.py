"""One entry as plain data — what `kb show` prints, as terminal text or as JSON — and where it
comes from: the copy that the search index keeps, when it is still true of the files, else the
entry file checked now.

A view is the entry's front matter as JSON types (``Entry.model_dump(mode="json")``: dates as
``YYYY-MM-DD``, absent optional fields as ``None``) plus ``body``: language -> section key ->
``{"heading", "text", "line"}``, in the file's order. :mod:`kbtools.index.shown` stores one per
entry when the index is built; this module imports neither pydantic nor YAML unless it has to
check the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtools.locate import entry_file

if TYPE_CHECKING:
    from kbtools.errors import Problem
    from kbtools.model import Entry
    from kbtools.parse import Half

View = dict[str, Any]


def view_of(entry: Entry) -> View:
    """The view of a checked entry."""
    view: View = entry.model_dump(mode="json")
    view["body"] = {lang: {key: {"heading": s.heading, "text": s.text, "line": s.line}
                           for key, s in sections.items()}
                    for lang, sections in entry.body.items()}
    return view


def find_view(root: Path, entry_id: str) -> tuple[View, Path] | None:
    """The view of entry ``entry_id`` of the KB at ``root`` and its file, checked as ``kb validate``
    checks one file; None when no file has that id. Raises :class:`~kbtools.errors.EntryError` with
    the file's errors when it is invalid (as :func:`kbtools.load.find_entry`, which this is).

    The index's copy was checked when the generation was built, without the body's render check
    (KB040–KB043, which would double a build): that check is run here on the copy, and when it
    finds anything, or the copy is missing or no longer true of the files, the file is checked
    instead, so that the errors are the file's own.
    """
    stored = _stored_view(root, entry_id)
    if stored is not None:
        return stored
    from kbtools.load import find_entry

    entry = find_entry(root, entry_id)
    return None if entry is None else (view_of(entry), entry.path)


def _stored_view(root: Path, entry_id: str) -> tuple[View, Path] | None:
    from kbtools.index.shown import read_view
    from kbtools.render_check import check_rendered

    path = entry_file(root, entry_id)  # the file that find_entry would check
    if path is None:
        return None
    view = read_view(root, path.relative_to(root).as_posix())
    if view is None:
        return None
    problems: list[Problem] = []
    check_rendered(path, body_halves(view), problems)
    return None if problems else (view, path)


def body_halves(view: View) -> dict[str, Half]:
    """The body of ``view`` as the parser's halves, for the render check."""
    from kbtools.parse import Half, Section

    return {lang: Half(lang, 0, {key: Section(key, s["heading"], s["text"], s["line"]) for key, s in sections.items()})
            for lang, sections in view["body"].items()}


def json_view(view: View, rel: str, urls: dict[str, str]) -> View:
    """What `kb show --json` prints: the front matter, the file, the page addresses and each
    section's text."""
    data = {key: value for key, value in view.items() if key != "body"}
    data.update(path=rel, urls=urls, body={lang: {key: s["text"] for key, s in sections.items()}
                                           for lang, sections in view["body"].items()})
    return data
