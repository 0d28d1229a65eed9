"""The Whoosh side of the index: the import workaround, the schema and its field weights.

This package and :mod:`kbtools.search` are the only modules that import Whoosh, so the engine can
be swapped without touching anything else. Bump :data:`FORMAT` when the schema or the tokeniser
changes: an index of another format is rebuilt.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import Any


def _import_whoosh() -> None:
    """Import Whoosh without the two modules it imports but a search never uses (what they cost a
    search's start-up: BENCHMARKS.md).

    ``whoosh.compat`` imports ``urllib.request`` (with ``http.client``, ``email``, ``socket``) for a
    ``urlretrieve`` no code path of ours reaches, and ``whoosh.reading`` imports the
    ``cached_property`` package, which imports ``asyncio``, for one plain ``@cached_property`` on a
    synchronous method — exactly what ``functools.cached_property`` is; ``whoosh.query`` imports
    ``whoosh.lang.morph_en``, whose English word-variation tables compile some hundred regular
    expressions, for the ``Variations`` query we never build. All three are stand-ins in
    ``sys.modules`` *only while Whoosh's modules import*, then removed: nothing else in the process
    ever sees them, a later import of any of them gets the real module, and
    ``whoosh.compat.urlretrieve`` and ``morph_en.variations`` still work (each imports the real
    one when called).
    Skipped when Whoosh is already imported. Tested in tests/test_index.py.
    """
    if "whoosh.reading" in sys.modules:
        return
    import types

    def urlretrieve(*args: Any, **kwargs: Any) -> Any:
        from urllib.request import urlretrieve as real

        return real(*args, **kwargs)

    def variations(*args: Any, **kwargs: Any) -> Any:
        from whoosh.lang.morph_en import variations as real

        return real(*args, **kwargs)

    stubs = {"cached_property": types.ModuleType("cached_property"),
             "urllib.request": types.ModuleType("urllib.request"),
             "whoosh.lang.morph_en": types.ModuleType("whoosh.lang.morph_en")}
    stubs["cached_property"].cached_property = functools.cached_property  # type: ignore[attr-defined]
    stubs["urllib.request"].urlretrieve = urlretrieve  # type: ignore[attr-defined]
    stubs["whoosh.lang.morph_en"].variations = variations  # type: ignore[attr-defined]
    stubs = {name: module for name, module in stubs.items() if name not in sys.modules}
    sys.modules.update(stubs)
    try:
        import whoosh.compat
        import whoosh.query
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in stubs.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


_import_whoosh()

# Every other module of the index, and kbtools.search, reach Whoosh through these names, after the
# workaround ran (importing kbtools.index no longer imports this module, see its __init__).
from whoosh import index as whoosh_index  # noqa: E402
from whoosh import query as whoosh_query  # noqa: E402
from whoosh.analysis import LowercaseFilter, RegexTokenizer  # noqa: E402
from whoosh.fields import ID, STORED, TEXT, Schema  # noqa: E402
from whoosh.filedb.filestore import RamStorage  # noqa: E402
from whoosh.system import pack_uint  # noqa: E402

__all__ = ["FIELDS", "FORMAT", "RamStorage", "Tokens", "schema", "whoosh_index", "whoosh_query"]

# Bump when the schema or the tokeniser changes: an index of another version is rebuilt.
FORMAT = 12

# Text reaches Whoosh already tokenised by kbtools.normalize and joined by spaces, so the analyser
# only splits on spaces. The pattern is given explicitly: the Whoosh forks changed the default.
_SPLIT = RegexTokenizer(expression=r"[^ ]+", gaps=False) | LowercaseFilter()
# Search fields and their weights: the error text as printed counts most, then titles, then the
# commands and config of the body, then prose. Chinese prose has its own field, so that bigrams of
# prose never mix with identifiers of error text in one field's statistics.
FIELDS = {"symptom": 4.0, "title": 2.5, "code": 1.5, "prose_en": 1.0, "prose_zh": 1.0}


def stored_length(length: int) -> int:
    """A field's length as the index keeps it (Whoosh stores lengths in one byte, approximately):
    what BM25 sees, and what the site's search data carries so that it scores the same."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    return int(byte_to_length(length_to_byte(length)))


class Tokens(TEXT):
    """A TEXT field whose value is kbtools.normalize tokens joined by spaces (already lower case).

    Indexing skips Whoosh's analyser, which made every token a Token object and ran it through a
    regex and a filter: ~20% of a build's writer time. The postings are what TEXT's Frequency
    format makes of the same tokens (word, count, count x field boost, encoded count). Queries and
    the query parser still use the analyser (``_SPLIT``), which gives the same words.
    """

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        counts: dict[str, int] = {}
        for word in value.lower().split(" "):
            if word:
                counts[word] = counts.get(word, 0) + 1
        for word, count in counts.items():
            yield word.encode("utf-8"), count, count * boost, pack_uint(count)


def schema() -> Schema:
    text = {name: Tokens(analyzer=_SPLIT, phrase=False) for name in FIELDS}
    return Schema(
        path=ID(unique=True, stored=True),
        product=ID, component=ID,
        tags=Tokens(analyzer=_SPLIT, phrase=False),
        doc=STORED,  # the JSON display record of the entry
        **text,
    )
