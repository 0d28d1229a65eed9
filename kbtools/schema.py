"""The JSON Schema of an entry's front matter, generated from the model.

The committed copy (``schema/entry.schema.json``) lets editors check entries as people type; a
test fails when it differs from what the model generates (``kb schema --write`` refreshes it).
"""

from __future__ import annotations

import json
from typing import Any

from kbtools.model import FrontMatter

SCHEMA_ID = "https://kb.invalid/schema/entry.schema.json"


def entry_schema() -> dict[str, Any]:
    schema = FrontMatter.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def entry_schema_text() -> str:
    return json.dumps(entry_schema(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
