"""All entries as one JSON document, for tools and other sites (`kb export`, and `kb.json` on the site).

The document carries ``schema_version``: a consumer checks it and refuses what it does not know.
Bump the major number when a field is removed or changes meaning; adding a field is a minor bump.
"""

from __future__ import annotations

import json
from typing import Any

from kbtools import __version__
from kbtools.load import KB
from kbtools.model import Entry
from kbtools.urls import entry_urls

SCHEMA_VERSION = "1.0"


def entry_record(entry: Entry, kb: KB, site_url: str | None = None) -> dict[str, Any]:
    """Every field of the entry, both languages, plus where it lives."""
    record: dict[str, Any] = entry.model_dump(mode="json")
    record["path"] = kb.relpath(entry.path)
    record["body"] = {
        lang: {key: {"heading": section.heading, "markdown": section.text}
               for key, section in sections.items()}
        for lang, sections in entry.body.items()
    }
    if site_url:
        record["urls"] = entry_urls(site_url, entry.product, entry.id)
    return record


def export_document(kb: KB, site_url: str | None = None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"kb {__version__}",
        "products": {name: product.model_dump(mode="json") for name, product in kb.products.items()},
        "entries": [entry_record(e, kb, site_url) for e in sorted(kb.entries, key=lambda e: (e.product, e.id))],
    }


def export_json(kb: KB, site_url: str | None = None, *, indent: int | None = 2) -> str:
    return json.dumps(export_document(kb, site_url), ensure_ascii=False, indent=indent) + "\n"
