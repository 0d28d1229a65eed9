from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kbtools.errors import KBError
from kbtools.locate import bundled_root, find_root


def test_explicit_kb_wins_and_accepts_the_entries_folder(make_kb: Callable[..., Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb()
    monkeypatch.setenv("KB_DIR", "/nonexistent")
    assert find_root(root) == root.resolve()
    assert find_root(root / "entries") == root.resolve()


def test_kb_dir_environment_variable(make_kb: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    root = make_kb()
    monkeypatch.setenv("KB_DIR", str(root))
    assert find_root(cwd=tmp_path) == root.resolve()


def test_a_bad_kb_dir_is_an_error_naming_its_origin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_DIR", str(tmp_path))
    with pytest.raises(KBError, match=r"^KB_DIR .*: no `entries/` folder"):
        find_root()


def test_nearest_parent_checkout_is_used(make_kb: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_DIR", raising=False)
    root = make_kb()
    deep = root / "entries" / "kong"
    deep.mkdir(parents=True, exist_ok=True)
    assert find_root(cwd=deep) == root.resolve()


def test_an_unrelated_entries_folder_is_not_taken_for_a_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_DIR", raising=False)
    (tmp_path / "entries").mkdir()
    assert find_root(cwd=tmp_path) == bundled_root()


def test_outside_any_checkout_the_bundled_kb_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_DIR", raising=False)
    found = find_root(cwd=tmp_path)
    assert found == bundled_root()
    assert (found / "entries" / "kong" / "postgres-to-regclass.md").is_file()
