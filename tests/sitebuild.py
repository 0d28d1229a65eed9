"""Helpers for the site tests: copy the site's own files beside a KB in tmp, build it, serve it."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATED = ("entries", "components")


def copy_site_files(root: Path) -> None:
    """Put mkdocs.yml and the committed pages of kb/ (not the generated ones) into ``root``."""
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for path in (REPO / "kb").rglob("*"):
        rel = path.relative_to(REPO / "kb")
        if path.is_dir() or (len(rel.parts) > 1 and rel.parts[1] in GENERATED) or rel.parts[0].startswith("."):
            continue
        target = root / "kb" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` in ``root``, as a user runs it; the site goes to root/site."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site"), *args],
                          cwd=root, capture_output=True, text=True, timeout=300,
                          env={**_env(), "NO_MKDOCS_2_WARNING": "1"})


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("KB_")}


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 from a thread; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
