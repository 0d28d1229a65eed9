"""kbtools.urls: where an entry's file and page are, and the site's address (one home for all of them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO

from kbtools.urls import entry_file, entry_path, entry_url, entry_urls, is_placeholder, site_url


def test_every_address_is_derived_from_the_entry_file() -> None:
    assert entry_file("kong", "a-one") == "entries/kong/a-one.md"
    assert entry_path("zh", "kong", "a-one") == "entries/kong/a-one/"
    assert entry_path("en", "kong", "a-one") == "en/entries/kong/a-one/"
    assert entry_url("https://x.test/kb", "en", "kong", "a-one") == "https://x.test/kb/en/entries/kong/a-one/"
    assert entry_urls("https://x.test/kb/", "kong", "a-one") == {
        "zh": "https://x.test/kb/entries/kong/a-one/", "en": "https://x.test/kb/en/entries/kong/a-one/"}
    assert entry_urls(None, "kong", "a-one") == {}


def test_site_url_comes_from_mkdocs_yml(tmp_path: Path) -> None:
    assert site_url(tmp_path) is None  # no site: no page address at all
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_url: 'https://kb.test/docs/'\n", encoding="utf-8")
    assert site_url(tmp_path) == "https://kb.test/docs/"


def test_site_url_reads_the_env_tag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs = tmp_path / "mkdocs.yml"
    mkdocs.write_text('site_url: !ENV [KB_SITE_URL, "https://kb.test/default/"]  # comment\n', encoding="utf-8")
    monkeypatch.delenv("KB_SITE_URL", raising=False)
    assert site_url(tmp_path) == "https://kb.test/default/"
    monkeypatch.setenv("KB_SITE_URL", "")  # empty counts as unset: it would make links relative
    assert site_url(tmp_path) == "https://kb.test/default/"
    monkeypatch.setenv("KB_SITE_URL", "https://me.github.io/kb/")
    assert site_url(tmp_path) == "https://me.github.io/kb/"
    # Several variables: the first one set wins; a bare name has no default.
    mkdocs.write_text("site_url: !ENV [KB_URL_A, KB_SITE_URL, 'https://kb.test/d/']\n", encoding="utf-8")
    assert site_url(tmp_path) == "https://me.github.io/kb/"
    monkeypatch.setenv("KB_URL_A", "https://a.test/")
    assert site_url(tmp_path) == "https://a.test/"
    mkdocs.write_text("site_url: !ENV KB_URL_B\n", encoding="utf-8")
    monkeypatch.delenv("KB_URL_B", raising=False)
    assert site_url(tmp_path) is None
    monkeypatch.setenv("KB_URL_B", "https://b.test/")
    assert site_url(tmp_path) == "https://b.test/"


def test_the_shipped_placeholder_is_no_site(monkeypatch: pytest.MonkeyPatch) -> None:
    # This repository's mkdocs.yml defaults to the placeholder for local builds: no page there.
    monkeypatch.delenv("KB_SITE_URL", raising=False)
    assert "kb-troubleshooting.github.io" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert site_url(REPO) is None
    # The Pages workflow sets the real address.
    monkeypatch.setenv("KB_SITE_URL", "https://someone.github.io/kb/")
    assert site_url(REPO) == "https://someone.github.io/kb/"


def test_the_pages_workflow_builds_with_the_real_address() -> None:
    workflow = (REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    assert "KB_SITE_URL: ${{ steps.pages.outputs.base_url }}/" in workflow
    assert "site_url: !ENV [KB_SITE_URL," in (REPO / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("url", ["https://kb-troubleshooting.github.io/kb/", "http://KB-Troubleshooting.github.io",
                                 "https://kb-troubleshooting.github.io:443/x/"])
def test_placeholder_addresses(tmp_path: Path, url: str) -> None:
    (tmp_path / "mkdocs.yml").write_text(f"site_url: {url}\n", encoding="utf-8")
    assert is_placeholder(url) and site_url(tmp_path) is None


@pytest.mark.parametrize("url", ["https://kb-troubleshooting.github.io.example.org/", "https://x.test/kb-troubleshooting.github.io/"])
def test_addresses_that_only_look_like_the_placeholder(url: str) -> None:
    assert not is_placeholder(url)




@pytest.mark.slow
def test_the_printed_addresses_are_the_pages_the_site_build_writes(make_kb: Callable[..., Path], tmp_path: Path) -> None:
    from sitebuild import build, copy_site_files

    root = make_kb({"kong/a-one.md": None, "kong/b-two.md": None})
    copy_site_files(root)
    done = build(root)
    assert done.returncode == 0, done.stderr
    base = "https://kb.test/kb/"
    env = {**os.environ, "KB_SITE_URL": base, "KB_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}

    def kb(*argv: str) -> str:
        ran = subprocess.run([sys.executable, "-m", "kbtools", *argv, "--kb", str(root)], env=env,
                             capture_output=True, text=True, check=False)
        assert ran.returncode == 0, ran.stderr
        return ran.stdout

    printed = [line.split(": ", 1)[1] for lang in ("zh", "en")
               for line in kb("search", "--lang", lang, "sample failure a-one").splitlines()
               if line.strip().startswith(("page:", "网页:"))]
    printed += [line.split(": ", 1)[1] for line in kb("show", "b-two").splitlines() if line.startswith(("Page:", "网页:"))]
    printed += json.loads(kb("show", "a-one", "--json"))["urls"].values()
    printed += [url for hit in json.loads(kb("search", "--json", "sample failure"))["results"]
                for url in hit["urls"].values()]
    assert len(printed) >= 8
    for url in printed:
        assert url.startswith(base)
        page = root / "site" / url.removeprefix(base) / "index.html"
        assert page.is_file(), f"{url} is printed, but the build wrote no {page.relative_to(root)}"
    # Both languages' pages of each entry, and nothing else.
    assert {url.removeprefix(base) for url in printed} == {
        f"{prefix}entries/kong/{entry_id}/" for prefix in ("", "en/") for entry_id in ("a-one", "b-two")}
