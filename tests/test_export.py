"""kbtools.export and `kb export`: every entry, both languages, all fields, with a schema version."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_text

from kbtools.cli import main
from kbtools.export import SCHEMA_VERSION, export_document
from kbtools.load import load_kb
from kbtools.model import FrontMatter


def test_document_has_every_field_of_every_entry(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a-one.md": None, "kong/b-two.md": None})
    doc = export_document(load_kb(root), "https://example.org/kb")
    assert doc["schema_version"] == SCHEMA_VERSION
    assert [e["id"] for e in doc["entries"]] == ["a-one", "b-two"]
    entry = doc["entries"][0]
    assert set(FrontMatter.model_fields) <= set(entry)
    assert entry["path"] == "entries/kong/a-one.md"
    assert entry["body"]["zh"]["cause"]["markdown"] == "数据库版本太低。"
    assert entry["body"]["en"]["fix"]["heading"] == "Fix"
    assert entry["urls"] == {"zh": "https://example.org/kb/entries/kong/a-one/",
                             "en": "https://example.org/kb/en/entries/kong/a-one/"}
    assert doc["products"]["kong"]["components"]["database"]["en"] == "Database"


def test_cli_prints_json(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a-one.md": None})
    assert main(["export", "--kb", str(root)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["entries"][0]["created"] == "2018-10-15"
    assert "urls" not in data["entries"][0]


def test_cli_writes_a_file(make_kb: Callable[..., Path], tmp_path: Path) -> None:
    root = make_kb({"kong/a-one.md": None})
    out = tmp_path / "out" / "kb.json"
    assert main(["export", "--kb", str(root), "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_cli_refuses_an_invalid_kb(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/bad.md": entry_text("bad", drop=("status",))})
    assert main(["export", "--kb", str(root)]) == 2
    err = capsys.readouterr()
    assert err.out == "" and "entries/kong/bad.md:" in err.err and "KB010" in err.err
