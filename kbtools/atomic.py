"""Writing files so that a reader never sees half a file and nobody's work is overwritten unasked."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_text(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` to ``path`` atomically.

    With ``overwrite=False`` the call fails with FileExistsError when ``path`` exists, even if it
    appears between our check and our write (the final step is a hard link, which never replaces).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)  # mkstemp makes the file 0600 whatever the umask
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


def _mode_for(path: Path, overwrite: bool) -> int:
    """The permissions the file should end with: those of the file it replaces, or for a new
    file what ``open()`` would give it (0666 less the umask)."""
    if overwrite:
        try:
            return stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            pass
    umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(umask)
    return 0o666 & ~umask
