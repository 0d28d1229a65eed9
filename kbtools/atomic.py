"""Writing files so that a reader never sees half a file and nobody's work is overwritten unasked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` to ``path`` atomically.

    With ``overwrite=False`` the call fails with FileExistsError when ``path`` exists, even if it
    appears between our check and our write (the final step is a hard link, which never replaces).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
