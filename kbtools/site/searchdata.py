"""The data file of the site's error search (``search/kb-errors.json``, once for the site).

It holds the shared rules (:mod:`kbtools.searchrules`) and, per entry, what the index holds for it:
the records come from :func:`kbtools.index.record.document` — the function that makes the Whoosh
documents — through :func:`kbtools.index.record.browser_record`, so the browser scores the tokens the
terminal scores. The site's script (theme/assets/javascripts/kb-search.js) fetches it only when a
search starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtools.index.record import browser_record, document
from kbtools.langs import LANGS
from kbtools.searchrules import rules
from kbtools.urls import entry_path

if TYPE_CHECKING:
    from kbtools.model import Entry

DATA_PATH = "search/kb-errors.json"
FORMAT = 1


def search_data(root: Path, entries: Iterable[Entry]) -> dict[str, Any]:
    """The search data of ``entries`` (the KB at ``root``), in the index's document order."""
    from kbtools.index import FIELDS

    docs = sorted(((entry.path.resolve().relative_to(root.resolve()).as_posix(), entry) for entry in entries),
                  key=lambda item: item[0])
    vocabulary: dict[str, int] = {}
    records = []
    totals = [0] * len(FIELDS)
    for rel, entry in docs:
        record = browser_record(document(entry, rel), vocabulary)
        totals = [a + b for a, b in zip(totals, record.pop("len"), strict=True)]
        record["url"] = {lang: entry_path(lang, entry.product, entry.id) for lang in LANGS}
        records.append(record)
    return {"format": FORMAT, "rules": rules(), "field_names": list(FIELDS), "field_totals": totals,
            "vocabulary": list(vocabulary), "entries": records}


def search_data_text(root: Path, entries: Iterable[Entry]) -> str:
    return json.dumps(search_data(root, entries), ensure_ascii=False, separators=(",", ":"))
