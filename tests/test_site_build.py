"""The plugin inside a real `mkdocs build --strict`, on small KBs in tmp (kbtools.site.plugin)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_text
from sitebuild import build, copy_site_files

from kbtools.export import SCHEMA_VERSION
from kbtools.load import load_kb

pytestmark = pytest.mark.slow


@pytest.fixture
def site_root(make_kb: Callable[..., Path]) -> Callable[..., Path]:
    def make(files: dict[str, str | None]) -> Path:
        root = make_kb(files)
        copy_site_files(root)
        return root

    return make


def test_strict_build_renders_every_entry_in_both_languages(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/a-one.md": None, "kong/b-two.md": None})
    done = build(root)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    site = root / "site"
    for prefix in ("", "en/"):
        for entry_id in ("a-one", "b-two"):
            page = (site / f"{prefix}entries/kong/{entry_id}/index.html").read_text(encoding="utf-8")
            assert f"ERROR: sample failure {entry_id}" in page
        home = (site / f"{prefix}index.html").read_text(encoding="utf-8")
        assert 'href="entries/kong/a-one/"' in home
    zh = (site / "entries/kong/a-one/index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in zh and "原因" in zh
    assert 'href="https://github.com/kb-troubleshooting/kb/edit/main/entries/kong/a-one.md"' in zh
    assert 'hreflang="en"' in zh  # the language menu links the same entry
    assert "../../../en/entries/kong/a-one/" in zh


def test_each_language_has_its_own_search_index(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/a-one.md": None})
    assert build(root).returncode == 0
    zh = json.loads((root / "site/search/search_index.json").read_text(encoding="utf-8"))
    en = json.loads((root / "site/en/search/search_index.json").read_text(encoding="utf-8"))
    assert {d["location"].split("#")[0] for d in zh["docs"]} >= {"", "entries/kong/a-one/"}
    assert not any(d["location"].startswith("en/") for d in zh["docs"])
    assert {d["location"].split("#")[0] for d in en["docs"]} >= {"", "entries/kong/a-one/"}
    assert any("Sample: database" in d["title"] for d in en["docs"])
    assert not any("示例" in d["title"] for d in en["docs"])
    assert "\\u200b" in zh["config"]["separator"]  # jieba's word breaks split Chinese text


def test_export_is_published_with_a_schema_version(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/a-one.md": None})
    assert build(root).returncode == 0
    data = json.loads((root / "site/kb.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    entry = data["entries"][0]
    assert entry["id"] == "a-one" and entry["title"]["zh"] and entry["body"]["en"]["cause"]["markdown"]
    assert entry["urls"]["en"].endswith("/en/entries/kong/a-one/")


def test_invalid_entry_fails_the_build_with_the_validator_messages(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/good.md": None, "kong/bad.md": entry_text("bad", front={"status": "done"})})
    expected = [p.format(root) for p in load_kb(root).problems if p.severity == "error"]
    assert expected and expected[0].startswith("entries/kong/bad.md:")
    done = build(root)
    assert done.returncode == 1
    for line in expected:
        assert line in done.stderr
    assert "Traceback" not in done.stderr


def test_generated_pages_are_not_rewritten_when_unchanged(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/a-one.md": None})
    assert build(root).returncode == 0
    page = root / "kb/en/entries/kong/a-one.md"
    before = page.stat().st_mtime_ns
    again = build(root, "-v")
    assert again.returncode == 0
    assert "0 pages written" in again.stderr
    assert page.stat().st_mtime_ns == before


def test_deleted_entry_disappears_from_the_site(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/a-one.md": None, "kong/b-two.md": None})
    assert build(root).returncode == 0
    (root / "entries/kong/b-two.md").unlink()
    assert build(root).returncode == 0
    assert not (root / "kb/zh/entries/kong/b-two.md").exists()
    assert not (root / "site/entries/kong/b-two").exists()


def test_script_in_a_symptom_is_text_in_the_html(site_root: Callable[..., Path]) -> None:
    evil = entry_text("evil", front={"symptoms": [{"command": "curl '<script>x</script>'",
                                                   "output": "<script>alert(1)</script>\n"}]})
    root = site_root({"kong/evil.md": evil})
    done = build(root)
    assert done.returncode == 0, done.stderr
    page = (root / "site/entries/kong/evil/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_error_search_data_is_written_once_for_the_site(site_root: Callable[..., Path]) -> None:
    root = site_root({"kong/a-one.md": None})
    assert build(root).returncode == 0
    site = root / "site"
    data = json.loads((site / "search/kb-errors.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in data["entries"]] == ["a-one"]
    assert not (site / "en/search/kb-errors.json").exists()
    for page in ("index.html", "en/index.html", "en/entries/kong/a-one/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "assets/javascripts/kb-search.js" in html and "assets/javascripts/kb-paste.js" in html
        # The data is fetched by the script when a search starts, never linked from the page.
        assert "kb-errors.json" not in html
    assert 'class="kb-paste-home"' in (site / "index.html").read_text(encoding="utf-8")
