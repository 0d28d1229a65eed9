"""Which knowledge base a command works on.

In order: ``--kb DIR``, the ``KB_DIR`` environment variable, the nearest parent of the working
directory that has an ``entries/`` folder (a checkout), and last the KB bundled in the package.
Kept free of heavy imports: ``kb search`` calls it on every start.
"""

from __future__ import annotations

import os
from pathlib import Path

from kbtools.errors import KBError

ENTRIES = "entries"
PRODUCTS = "products.yml"


def bundled_root() -> Path | None:
    """The KB shipped inside the installed package (or the source tree, in a development install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "bundled", here.parent):
        if (candidate / ENTRIES / PRODUCTS).is_file():
            return candidate
    return None


def normalise_root(path: Path) -> Path:
    """Accept either the KB root or its ``entries/`` folder."""
    path = path.expanduser()
    if path.name == ENTRIES and not (path / ENTRIES).is_dir() and path.is_dir():
        return Path(os.path.realpath(path.parent))
    return Path(os.path.realpath(path))


def find_root(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """The root folder of the KB to use (the folder that holds ``entries/``)."""
    for given, origin in ((explicit, "--kb"), (os.environ.get("KB_DIR") or None, "KB_DIR")):
        if given:
            root = normalise_root(Path(given))
            if not (root / ENTRIES).is_dir():
                raise KBError(f"{origin} {given}: no `{ENTRIES}/` folder there "
                              f"(give the folder that holds `{ENTRIES}/`)")
            return root
    # Going up, an `entries/` folder counts only with its products file, so that an unrelated
    # folder that happens to be called `entries` is not taken for a knowledge base.
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / ENTRIES / PRODUCTS).is_file():
            return folder
    bundled = bundled_root()
    if bundled is None:
        raise KBError("no knowledge base found: not inside a folder with `entries/`, "
                      "no KB_DIR set, and none bundled with this installation")
    return bundled


def entry_file(root: Path, entry_id: str) -> Path | None:
    """The file of entry ``entry_id`` (its file name without ``.md``) in the KB at ``root``, or None:
    an id that could reach outside ``entries/<product>/`` names no entry."""
    if "/" in entry_id or "\\" in entry_id or entry_id.startswith("."):
        return None
    found = sorted((root / ENTRIES).glob(f"*/{entry_id}.md"))
    return found[0] if found else None
