"""Shared fixtures: build a tiny knowledge base in tmp_path from a dict, in one call."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent

PRODUCTS = {
    "kong": {
        "name": "Kong",
        "description": {"zh": "Kong API 网关", "en": "The Kong API gateway"},
        "components": {
            "database": {"zh": "数据库", "en": "Database"},
            "build": {"zh": "编译", "en": "Build"},
        },
    }
}


def entry_text(entry_id: str = "sample-entry", *, front: dict[str, Any] | None = None,
               body: str | None = None, drop: tuple[str, ...] = ()) -> str:
    """The text of a valid entry; ``front`` overrides fields, ``drop`` removes them."""
    data: dict[str, Any] = {
        "id": entry_id,
        "title": {"zh": "示例：数据库连接超时", "en": "Sample: database connection timeout"},
        "product": "kong",
        "component": "database",
        "symptoms": [{"command": "kong start", "output": f"ERROR: sample failure {entry_id}\n"}],
        "environment": {"postgresql": "<9.4"},
        "status": "verified",
        "tags": ["postgresql"],
        "related": [],
        "references": [{"url": "https://www.postgresql.org/docs/", "title": "PostgreSQL docs"}],
        "created": "2018-10-15",
        "updated": "2018-10-16",
    }
    data.update(front or {})
    for key in drop:
        data.pop(key, None)
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    # safe_dump quotes the dates; entries carry real YAML dates.
    dumped = dumped.replace("'2018-10-15'", "2018-10-15").replace("'2018-10-16'", "2018-10-16")
    if body is None:
        body = textwrap.dedent("""\
            <!-- lang: zh -->
            ## 原因

            数据库版本太低。

            ## 解决

            升级数据库：

            ```bash
            yum install postgresql96
            ```

            <!-- lang: en -->
            ## Cause

            The database is too old.

            ## Fix

            Upgrade the database:

            ```bash
            yum install postgresql96
            ```
            """)
    return f"---\n{dumped}---\n\n{body}"


@pytest.fixture
def make_kb(tmp_path: Path) -> Callable[..., Path]:
    """make_kb({"kong/a.md": text_or_None, ...}) -> KB root; None means a valid entry for that id."""

    def build(files: dict[str, str | bytes | None] | None = None, *, products: Any = PRODUCTS) -> Path:
        root = tmp_path / "kb"
        entries = root / "entries"
        entries.mkdir(parents=True, exist_ok=True)
        if products is not None:
            (entries / "products.yml").write_text(yaml.safe_dump(products, allow_unicode=True), encoding="utf-8")
        for rel, content in (files or {}).items():
            path = entries / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if content is None:
                content = entry_text(Path(rel).stem)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return build


# -- the built site in chromium (tests/test_site_browser.py, tests/test_site_search_browser.py)


@dataclass(frozen=True)
class BuiltSite:
    base: str  # the address it is served at
    root: Path  # the KB it was built from


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The repository's KB built into a site once per session, served on 127.0.0.1.

    Skipped with a reason when chromium or Playwright is missing, except under CI=true, where the
    same condition is a failure: CI must not pass by skipping the only tests that open the site.
    """
    from sitebuild import build, copy_site_files, require_browser, serve

    require_browser()
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "entries", root / "entries")
    copy_site_files(root)
    done = build(root)
    assert done.returncode == 0, done.stderr
    with serve(root / "site") as base:
        yield BuiltSite(base, root)


@pytest.fixture
def site(built_site: BuiltSite) -> str:
    return built_site.base


@pytest.fixture
def browser(site: str) -> Iterator[Any]:
    """A fresh chromium page on the site; fails the test on any console error or outside request."""
    from playwright.sync_api import sync_playwright
    from sitebuild import CHROMIUM, Browser

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        b = Browser(site, page)
        yield b
        chromium.close()
        assert b.outside == [], f"requests left 127.0.0.1: {b.outside}"
        assert b.errors == [], f"console errors: {b.errors}"
