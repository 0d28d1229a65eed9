"""kb show from the index's stored view (kbtools/entry_view.py, kbtools/index/shown.py): the same
bytes as checking the file, taken only while the view is still true of the files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import PRODUCTS, REPO, entry_text

from kbtools.cli import main
from kbtools.entry_view import find_view
from kbtools.index import cache_dir, open_index
from kbtools.index import shown as shown_module

VARIANTS: tuple[list[str], ...] = ([], ["--lang", "zh"], ["--lang", "en"], ["--color"], ["--color", "--lang", "zh"], ["--json"])


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("NO_COLOR", "FORCE_COLOR", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def show(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["show", "--kb", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def outputs(capsys: pytest.CaptureFixture[str], root: Path, ids: list[str]) -> dict[tuple[str, ...], tuple[int, str, str]]:
    return {(entry_id, *variant): show(capsys, root, entry_id, *variant) for entry_id in ids for variant in VARIANTS}


@pytest.fixture
def slow_path_refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Checking the file fails the test: what is shown comes from the index."""

    def refuse(*args: object) -> None:
        raise AssertionError("the entry file was checked instead of the stored view being used")

    monkeypatch.setattr("kbtools.load.find_entry", refuse)
    yield


def ids_of(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "entries").glob("*/*.md"))


def test_every_shipped_entry_prints_the_same_from_the_index(capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ids = ids_of(REPO)
    assert len(ids) > 40
    slow = outputs(capsys, REPO, ids)
    assert not cache_dir(REPO).exists()  # kb show wrote no index
    open_index(REPO).close()
    monkeypatch.setattr("kbtools.load.find_entry", lambda *a: pytest.fail("checked the file"))
    fast = outputs(capsys, REPO, ids)
    assert all(code == 0 and not err for code, _, err in slow.values())
    for key, value in slow.items():
        assert fast[key] == value, key


def tiny(make_kb: Callable[..., Path]) -> Path:
    both = entry_text("both", front={
        "symptoms": [{"command": "kong start", "output": "ERROR: one\n  two\n"},
                     {"log": "/var/log/kong/error.log", "output": "[error] three"}],
        "fixed_in": {"kong": "1.0.0"}, "tags": ["postgresql", "migrations"], "related": ["other"],
        "source": {"title": "Notes", "author": "Someone", "url": "https://example.org/notes", "section": "Part 2"},
    }, body=("<!-- lang: zh -->\n## 原因\n\n`to_regclass` 不在 [文档](https://example.org/a) 里。\n\n## 排查\n\n"
             "```sql\nselect 1;\n```\n\n## 解决\n\n升级。\n\n## 备注\n\n只有中文。\n\n"
             "<!-- lang: en -->\n## Cause\n\n`to_regclass` is not in [the docs](https://example.org/a).\n\n"
             "## Diagnosis\n\n```sql\nselect 1;\n```\n\n## Fix\n\nUpgrade.\n\n## Workaround\n\nOnly English.\n"))
    return make_kb({"kong/both.md": both, "kong/other.md": entry_text("other", drop=("tags", "references"))})


def test_a_tiny_kb_prints_the_same_from_the_index(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = tiny(make_kb)
    slow = outputs(capsys, root, ["both", "other"])
    open_index(root).close()
    monkeypatch.setattr("kbtools.load.find_entry", lambda *a: pytest.fail("checked the file"))
    assert outputs(capsys, root, ["both", "other"]) == slow
    data = json.loads(slow[("both", "--json")][1])
    assert list(data)[-3:] == ["path", "urls", "body"] and data["body"]["zh"]["notes"] == "只有中文。"


SUBPROCESS = """\
import sys
from kbtools.cli import main
code = main(['show', '--kb', sys.argv[1], sys.argv[2]])
print('LOADED', sorted(m for m in ('pydantic', 'yaml', 'whoosh') if m in sys.modules), code, file=sys.stderr)
"""


def show_in_process(root: Path) -> tuple[str, str]:
    """kb show of entry `a` in a fresh process: (what it printed, the heavy modules it imported)."""
    done = subprocess.run([sys.executable, "-c", SUBPROCESS, str(root), "a"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "NO_COLOR": "1"})
    loaded = done.stderr.splitlines()[-1]
    return done.stdout, loaded


def test_a_fresh_index_is_read_without_pydantic_yaml_or_whoosh(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None})
    slow, loaded = show_in_process(root)
    assert loaded == "LOADED ['pydantic', 'yaml'] 0"
    assert not cache_dir(root).exists()  # no index: checked the file, and wrote nothing
    open_index(root).close()
    fast, loaded = show_in_process(root)
    assert loaded == "LOADED [] 0" and fast == slow


@pytest.mark.parametrize("change", ["entry", "products", "table", "view", "code"])
def test_a_view_that_is_no_longer_true_is_not_used_and_the_new_content_is_shown(
        make_kb: Callable[..., Path], change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    assert show_in_process(root)[1] == "LOADED [] 0"
    entry, products = root / "entries/kong/a.md", root / "entries/products.yml"
    gen = next((cache_dir(root) / "gens").iterdir())
    new = None
    if change == "entry":
        new = "Sample: a changed title"
        entry.write_text(entry.read_text(encoding="utf-8").replace("Sample: database connection timeout", new),
                         encoding="utf-8")
    elif change == "products":
        renamed = {"kong": {**PRODUCTS["kong"], "components": {"database": {"zh": "库", "en": "The database"}}}}
        import yaml

        products.write_text(yaml.safe_dump(renamed, allow_unicode=True), encoding="utf-8")
    elif change == "table":
        (gen / "shown.marshal").write_bytes(b"\x00damaged")
    elif change == "view":
        data = next(gen.glob("shown-*.z"))
        raw = bytearray(data.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        data.write_bytes(bytes(raw))
    else:
        # Other code (another kbtools version, or edited sources) wrote the view.
        monkeypatch.setattr(shown_module, "fingerprint", lambda: "other code")
        assert shown_module.read_view(root, "entries/kong/a.md") is None
        return
    out, loaded = show_in_process(root)
    assert loaded == "LOADED ['pydantic', 'yaml'] 0"
    expected = subprocess.run([sys.executable, "-m", "kbtools", "show", "--kb", str(root), "a"], capture_output=True,
                              text=True, env={**os.environ, "NO_COLOR": "1", "KB_CACHE_DIR": str(root / "none")})
    assert out == expected.stdout
    if new is not None:
        assert new in out
    assert sorted(p.name for p in (cache_dir(root) / "gens").iterdir()) == [gen.name]  # nothing written


def test_an_entry_changed_into_an_invalid_one_gives_the_files_errors(make_kb: Callable[..., Path],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    entry = root / "entries/kong/a.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("component: database", "component: nope"),
                     encoding="utf-8")
    code, out, err = show(capsys, root, "a")
    assert code == 2 and out == "" and "KB016" in err


def test_the_render_check_still_runs_on_a_stored_view(make_kb: Callable[..., Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # The index is built without the body's render check: an entry it accepts may still hold HTML
    # that kb show refuses, with the file's own errors, as before.
    body = entry_text("a").split("---\n\n", 1)[1].replace("升级数据库：", "升级 <b>数据库</b>：")
    root = make_kb({"kong/a.md": entry_text("a", body=body)})
    before = show(capsys, root, "a")
    open_index(root).close()
    assert shown_module.read_view(root, "entries/kong/a.md") is not None  # indexed, view stored
    assert show(capsys, root, "a") == before
    assert before[0] == 2 and "KB040" in before[2]


def test_entries_added_or_updated_after_the_build(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str],
                                                  slow_path_refused: None) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    open_index(root).close()
    (root / "entries/kong/c.md").write_text(entry_text("c"), encoding="utf-8")
    b = root / "entries/kong/b.md"
    b.write_text(b.read_text(encoding="utf-8").replace("Sample: database", "Changed: database"), encoding="utf-8")
    assert shown_module.read_view(root, "entries/kong/c.md") is None  # not in the index yet
    assert shown_module.read_view(root, "entries/kong/b.md") is None  # changed since
    open_index(root).close()  # an update: a's view carried over, b's and c's new
    for entry_id in ("a", "b", "c"):
        found = find_view(root, entry_id)
        assert found is not None and found[0]["id"] == entry_id
    assert "Changed: database" in show(capsys, root, "b")[1]
    gen = Path(open_index(root).location)
    assert len(list(gen.glob("shown-*.z"))) == 2


def test_many_updates_keep_the_views_in_a_few_files(make_kb: Callable[..., Path], slow_path_refused: None) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    open_index(root).close()
    b = root / "entries/kong/b.md"
    for i in range(shown_module.MAX_FILES + 2):
        b.write_text(entry_text("b", front={"tags": [f"t{i}"]}), encoding="utf-8")
        opened = open_index(root)
        gen = Path(opened.location)
        opened.close()
        assert len(list(gen.glob("shown-*.z"))) <= shown_module.MAX_FILES
        assert find_view(root, "a") is not None
        found = find_view(root, "b")
        assert found is not None and found[0]["tags"] == [f"t{i}"]


def test_a_removed_entry_is_gone_and_shown_as_unknown(make_kb: Callable[..., Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    open_index(root).close()
    (root / "entries/kong/b.md").unlink()
    code, _, err = show(capsys, root, "b")
    assert code == 1 and "no entry with id `b`" in err
    open_index(root).close()
    assert shown_module.read_view(root, "entries/kong/b.md") is None


@pytest.mark.parametrize("edited", [False, True])
def test_kb_index_writes_again_the_views_that_other_code_wrote(make_kb: Callable[..., Path],
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch, edited: bool) -> None:
    # After an upgrade of kbtools every stored view is refused; a search leaves them so (it must
    # not pay for a rebuild, and an update keeps none of them), `kb index` builds them again.
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    open_index(root).close()
    monkeypatch.setattr(shown_module, "fingerprint", lambda: "the upgraded code")
    if edited:
        b = root / "entries/kong/b.md"
        b.write_text(b.read_text(encoding="utf-8").replace("Sample: database", "Changed: database"), encoding="utf-8")
    opened = open_index(root)
    assert bool(opened.report) == edited and not (opened.report and opened.report.full)
    opened.close()
    assert shown_module.read_view(root, "entries/kong/a.md") is None
    assert main(["index", "--kb", str(root)]) == 0
    assert capsys.readouterr().out.startswith("indexed 2 entries in ")
    for rel in ("entries/kong/a.md", "entries/kong/b.md"):
        assert shown_module.read_view(root, rel) is not None
    assert main(["index", "--kb", str(root)]) == 0  # and once written, they are up to date
    assert capsys.readouterr().out.startswith("index is up to date: 2 entries")
