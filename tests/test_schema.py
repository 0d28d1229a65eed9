"""The committed JSON Schema is the one the model generates, and it accepts the real entries."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kbtools.load import entry_files
from kbtools.parse import read_entry_file
from kbtools.schema import entry_schema, entry_schema_text

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "schema" / "entry.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == entry_schema_text(), (
        "schema/entry.schema.json is out of date: run `kb schema --write`")


def test_schema_lists_every_field_and_requires_the_essentials() -> None:
    schema = entry_schema()
    assert set(schema["required"]) >= {"id", "title", "product", "component", "symptoms", "status",
                                       "created", "updated"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["status"]["enum"] == ["draft", "verified", "obsolete"]


@pytest.mark.parametrize("path", entry_files(REPO), ids=lambda p: p.stem)
def test_real_entries_satisfy_the_schema(path: Path) -> None:
    parsed = read_entry_file(path)
    data = json.loads(json.dumps(parsed.data, default=str))  # dates as editors see them: strings
    jsonschema.validate(data, entry_schema())


def test_schema_rejects_an_unknown_field() -> None:
    data = json.loads(json.dumps(read_entry_file(entry_files(REPO)[0]).data, default=str))
    data["tittle"] = {"zh": "x", "en": "y"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, entry_schema())
