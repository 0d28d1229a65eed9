"""Helpers for the site tests: copy the site's own files beside a KB in tmp, build it, serve it, open it
in chromium."""

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
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
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


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip a browser test when chromium or Playwright is missing; under CI=true that is a
    failure instead: CI must not pass by skipping the tests that open the site."""
    import os

    import pytest

    reason = browser_unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)


class Browser:
    """One page in chromium that records console errors and every request to another host."""

    def __init__(self, base: str, page: Any) -> None:
        self.base, self.page = base, page
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def search(self, query: str, *, cjk: bool = False) -> list[str]:
        """Material's own search box: the result links."""
        page = self.page
        page.keyboard.press("s")  # Material's shortcut opens the search box
        box = page.locator("input.md-search__input")
        box.wait_for(state="visible")
        box.fill("")
        box.type(query, delay=30)
        if cjk:
            # Material searches on keyboard events; text typed as CJK arrives without the key
            # event that triggers it, so one more key press (a space, then take it back) does.
            box.press("Space")
            box.press("Backspace")
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        return [str(a.get_attribute("href")) for a in page.locator(".md-search-result__link").all()]

    def paste(self, text: str, *, panel: str = "#kb-paste-home") -> dict[str, Any]:
        """Paste ``text`` into the paste box of ``panel`` as a person does (the clipboard's paste
        event) and wait for its answer: the shown results (id, tier, href, line, fix) and the status."""
        page = self.page
        box = page.locator(f"{panel} textarea")
        box.fill("")
        box.focus()
        # In one step, so that no earlier search can mark the panel done in between.
        page.evaluate("""([sel, text]) => {
            document.querySelector(sel).removeAttribute('data-state');
            const box = document.querySelector(sel + ' textarea');
            const data = new DataTransfer();
            data.setData('text/plain', text);
            // What the browser does with a paste: insert the text, then fire the event.
            box.value = text;
            box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
        }""", [panel, text])
        page.wait_for_selector(f"{panel}[data-state=done]", timeout=20_000)
        return page.evaluate("""([sel]) => {
            const root = document.querySelector(sel);
            const status = root.querySelector('.kb-paste__status');
            return {status: status.hidden ? '' : status.textContent,
                    hits: [...root.querySelectorAll('.kb-paste__hit')].map(li => ({
                        id: li.dataset.id, href: li.querySelector('a').href,
                        title: li.querySelector('a').textContent,
                        confident: !!li.querySelector('.kb-paste__tier--confident'),
                        line: li.querySelector('.kb-paste__line').textContent,
                        fix: li.querySelector('.kb-paste__fix').textContent}))};
        }""", [panel])


def load_unchecked(root: Path) -> Any:
    """The KB at ``root`` with none of the validator's checks: every entry file that makes an
    Entry at all (the model's types and slugs only). Lets a test build a site from hostile entries
    that ``kb validate`` refuses, to prove that the site's own defences hold without it."""
    from pydantic import ValidationError

    from kbtools.load import KB, entry_files, load_products
    from kbtools.model import Entry
    from kbtools.parse import read_entry_file

    products, _ = load_products(root)
    entries, ids = [], set()
    for path in entry_files(root):
        parsed = read_entry_file(path)
        if not isinstance(parsed.data, dict) or set(parsed.halves) != {"zh", "en"}:
            continue
        body = {lang: {key: {"key": s.key, "heading": s.heading, "text": s.text, "line": s.line}
                       for key, s in half.sections.items()} for lang, half in parsed.halves.items()}
        try:
            entry = Entry.model_validate({**parsed.data, "path": path, "body": body})
        except (ValidationError, TypeError, ValueError):
            continue
        if entry.id not in ids and entry.product in products:
            ids.add(entry.id)
            entries.append(entry)
    return KB(root, products, entries)


def build_unchecked(root: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` of ``root`` with :func:`load_unchecked` in place of the loader, not strict
    (hostile links are unrecognised ones to MkDocs)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "import sitebuild, kbtools.site.build\n"
            "kbtools.site.build.load_kb = lambda root: sitebuild.load_unchecked(root)\n"
            "from mkdocs.__main__ import cli\n"
            "cli(['build', '--no-strict', '-d', sys.argv[2]])\n")
    return subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(root / "site")],
                          cwd=root, capture_output=True, text=True, timeout=600,
                          env={**_env(), "NO_MKDOCS_2_WARNING": "1"})


def build_unsanitized(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``root`` into ``site`` with the entry-page sanitizer replaced
    by the identity: the site as it was before the sanitizer, to compare with."""
    code = ("import sys, kbtools.markup\n"
            "kbtools.markup.sanitize = lambda html: html\n"
            "from mkdocs.__main__ import cli\n"
            "cli(['build', '--strict', '-d', sys.argv[1]])\n")
    return subprocess.run([sys.executable, "-c", code, str(site)], cwd=root, capture_output=True, text=True,
                          timeout=600, env={**_env(), "NO_MKDOCS_2_WARNING": "1"})
