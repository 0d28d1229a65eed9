"""Find the entries that explain a pasted error: query building, ranking, and the no-match rule.

The public function is :func:`search`; ``kb search`` and ``kb check-pr`` (likely duplicates) both
call it. With :mod:`kbtools.index`, this is the only module that imports Whoosh.

How a query is answered:

1. The text is capped (:data:`kbtools.normalize.MAX_QUERY_CHARS`) and turned into tokens by the
   same tokeniser as the entries (variable parts of log lines dropped, identifiers whole and by
   parts, Chinese as bigrams). No query syntax is parsed, so ``sock.c:539``, ``"foo`` or ``a OR``
   are just words (``syntax=True`` opts in to Whoosh's query language).
2. Candidates: tokens the index does not hold are left out; in a query of more than
   :data:`SHORT_QUERY_WORDS` words, so are tokens found in over 10% of the entries (they tell none
   apart, and would make a search on a big KB visit most documents). The rarest :data:`MAX_TERMS`
   of the rest become an OR of term queries over the fields, weighted symptom > title > code >
   prose; BM25F picks the :data:`CANDIDATES` best.
3. Each candidate is judged on its own by :func:`kbtools.evidence.judge` (fixed token weights, no
   corpus statistics, so its verdict cannot fall as unrelated entries are added): its confidence,
   and whether it is *confident* or only *possible*. Results are ordered by that same evidence —
   confident ones first, a stronger match never below a weaker one — and exact ties by id.
   Candidates with almost no evidence (below :data:`kbtools.evidence.POSSIBLE`) are dropped.

Filters (``product``, ``component``, ``tags``, ``env``) are keywords of :func:`search`: a Whoosh
term filter over a stored field, or a check of each candidate's record. A new filter is a keyword
here and its flag in :mod:`kbtools.cli.search`; a field the index does not hold yet goes into
:mod:`kbtools.index.schema` and :mod:`kbtools.index.record` (and bumps the index's ``FORMAT``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools import evidence, normalize
from kbtools.errors import KBError
from kbtools.index import FIELDS, Opened, open_index
from kbtools.index.schema import whoosh_query as wq

MAX_TERMS = 200
# A query in the query language is typed by hand; Whoosh's parser slows down badly on long input.
MAX_SYNTAX_CHARS = 2000
COMMON_SHARE = 0.1
COMMON_MIN = 20
CANDIDATES = 50
SHORT_QUERY_WORDS = 2
# In the subset of regular expressions that the browser reads alike (see kbtools/normalize.py).
_W = f"[{normalize.ANY}]"
LOG_MARKS = (rf"\[[a-z]+\]|{_W}\(\)|{_W}+\.{_W}+:[0-9]|(?<!{_W})(?:ERROR|Error|FATAL|error):|^[EWIF][0-9]{{4}} "
             rf"|{_W}/{_W}")
LOG_MARKS_MAX_CHARS = 4096

@dataclass(frozen=True)
class Hit:
    """One result. ``symptom`` is the entry's symptom line that best matches the query, and
    ``spans`` the (start, end) character ranges of the words in it that matched."""

    id: str
    path: str  # the entry file, relative to the KB root
    score: float  # BM25F of the candidate query; comparable only within one search, not the order
    confidence: float  # 0..1, see kbtools.evidence
    title: dict[str, str]  # {"zh": ..., "en": ...}
    product: str
    component: str
    status: str
    tags: tuple[str, ...]
    environment: dict[str, str]
    fix: dict[str, str]  # first sentence of the fix, per language
    symptom: str
    spans: tuple[tuple[int, int], ...] = field(default=())
    confident: bool = True
    evidence: evidence.Evidence | None = None  # why it matched (None only for hand-made hits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": self.path, "score": round(self.score, 3),
            "confidence": round(self.confidence, 3), "confident": self.confident, "title": dict(self.title),
            "product": self.product, "component": self.component, "status": self.status,
            "tags": list(self.tags), "environment": dict(self.environment), "fix": dict(self.fix),
            "symptom": self.symptom, "matched": [self.symptom[a:b] for a, b in self.spans],
        }


class QuerySyntaxError(ValueError):
    """The query given with ``syntax=True`` does not parse."""


class BadVersion(ValueError):
    """A version given to filter by (``env``) does not parse."""


class DamagedIndex(KBError):
    """A file of the index generation cannot be read; rebuilding it (``kb index --force``) mends it."""


def search(root: Path, query: str, *, limit: int = 5, product: str | None = None,
           component: str | None = None, tags: Sequence[str] = (), env: Mapping[str, str] | None = None,
           syntax: bool = False, opened: Opened | None = None) -> list[Hit]:
    """Search the KB at ``root`` for ``query`` (any text: a log line, a whole log, a description).

    Returns at most ``limit`` hits, confident ones first, each tier best first (``Hit.confident``
    says which tier); possible hits are always included. Filters: ``product``,
    ``component``, every tag of ``tags``, and ``env`` (software -> version: keeps entries whose
    constraint for that software admits the version, and entries that state none).
    ``opened`` reuses an index from :func:`kbtools.index.open_index` (else it is opened here,
    built or updated first when entries changed). Raises :class:`BadVersion` for a bad version in
    ``env``, :class:`QuerySyntaxError` for a bad query with ``syntax=True`` and :class:`DamagedIndex`
    when the index (a stored record included) cannot be read.
    """
    if env:
        from kbtools.versions import admits
        for version in env.values():
            try:
                admits(">=0", version)
            except ValueError as exc:
                raise BadVersion(str(exc)) from None
    own = opened is None
    ix = opened or open_index(root)
    try:
        return _search(ix, query, limit=limit, product=product, component=component, tags=tags,
                       env=env or {}, syntax=syntax)
    except QuerySyntaxError:
        raise
    except Exception as exc:  # a truncated or overwritten file of the index: struct.error, EOFError, ...
        raise DamagedIndex(f"the search index in {ix.location} cannot be read ({type(exc).__name__}: {exc})") \
            from exc
    finally:
        if own:
            ix.close()


def _search(opened: Opened, text: str, *, limit: int, product: str | None, component: str | None,
            tags: Sequence[str], env: Mapping[str, str], syntax: bool) -> list[Hit]:
    q_tokens = normalize.query_tokens(text)
    with opened.ix.searcher() as searcher:
        total = max(searcher.doc_count(), 1)
        df = {t: max(searcher.doc_frequency(name, t) for name in FIELDS) for t in q_tokens}
        # Words in a large share of the entries tell none apart; on a big KB they would also make
        # every search visit most documents: a long query leaves them out of the candidate query.
        # A query of one or two words keeps them: it is all the user gave, and the entries that
        # hold those words are the answer (at least as possible ones).
        common = max(COMMON_MIN, COMMON_SHARE * total)
        short = len(text.split()) <= SHORT_QUERY_WORDS  # str.split: normalize.SPACE
        if syntax:
            query = _parsed(opened, text)
        else:
            known = sorted((t for t in q_tokens if df[t] and (short or df[t] <= common)),
                           key=lambda t: (df[t], t))[:MAX_TERMS]
            if not known:
                return []
            query = wq.Or([wq.Term(name, t, boost=weight) for t in known for name, weight in FIELDS.items()])
        filters = [wq.Term("product", product)] if product else []
        filters += [wq.Term("component", component)] if component else []
        filters += [wq.Term("tags", t.lower()) for t in tags]
        results = searcher.search(query, limit=None if env else max(CANDIDATES, limit),
                                  filter=wq.And(filters) if filters else None)
        candidates = [(result.docnum, result["doc"], float(result.score or 0.0)) for result in results]
        q_weights = evidence.query_weights(q_tokens, text)
        # In a pasted log line, words that only an entry's prose shares are weak evidence; in a
        # description typed by a person, prose is where its words are.
        prose_weight = evidence.PROSE_WEIGHT_FOR_LOGS if _looks_like_log(text) else evidence.PROSE_WEIGHT_FOR_WORDS
        absent = [t for t in q_tokens if not df.get(t) and evidence.is_identifier(t)]
        q_subjects = evidence.subjects(text)
        hits: list[Hit] = []
        for _docnum, doc, bm25 in candidates:
            record = json.loads(doc)
            if env and not _env_admits(record["environment"], env):
                continue
            if syntax:
                ev = evidence.Evidence(confidence=1.0, confident=True, line=record["symptoms"][0] if record["symptoms"] else "",
                                       line_share=0.0, query_share=0.0, shared_weight=0.0, strong_share=0.0,
                                       penalty=1.0)
            else:
                strong_tokens = frozenset(record["strong"].split(" "))
                all_tokens = strong_tokens | frozenset(record["prose"].split(" "))

                ev = evidence.judge(q_weights, record["symptoms"], strong_tokens.__contains__,
                                    all_tokens.__contains__, prose_weight, absent, q_subjects)
                if ev.confidence < evidence.POSSIBLE and not ev.confident:
                    continue
            line = ev.line or (record["symptoms"][0] if record["symptoms"] else "")
            hits.append(Hit(
                id=record["id"], path=record["path"], score=bm25,
                confidence=ev.confidence, confident=ev.confident, title=record["title"],
                product=record["product"], component=record["component"], status=record["status"],
                tags=tuple(record["tags"]), environment=record["environment"], fix=record["fix"],
                symptom=line, spans=tuple(normalize.word_spans(line, set(q_tokens))), evidence=ev,
            ))
        if syntax:
            hits.sort(key=lambda h: (-round(h.score, 9), h.id))
        else:
            hits.sort(key=lambda h: h.evidence.sort_key(h.id, h.score) if h.evidence else ())
        return hits[:limit]


def _looks_like_log(text: str) -> bool:
    head = text[:LOG_MARKS_MAX_CHARS]
    return bool(normalize.compiled(LOG_MARKS, head.isascii(), re.M).search(head))


def _env_admits(constraints: Mapping[str, str], env: Mapping[str, str]) -> bool:
    from kbtools.versions import admits

    for name, version in env.items():
        constraint = constraints.get(name)
        if constraint is None:
            continue
        try:
            if not admits(constraint, version):
                return False
        except ValueError:
            continue  # an entry's broken constraint is `kb validate`'s business, not a reason to hide it
    return True


def _parsed(opened: Opened, text: str) -> Any:
    from whoosh.qparser import MultifieldParser, OrGroup

    parser = MultifieldParser(list(FIELDS), opened.ix.schema, fieldboosts=FIELDS, group=OrGroup)
    try:
        parsed = parser.parse(text[:MAX_SYNTAX_CHARS])
    except Exception as exc:  # the parser's own errors have no common base class
        raise QuerySyntaxError(str(exc)) from None
    return parsed.accept(_phrase_as_words)


def _phrase_as_words(node: Any) -> Any:
    """A "quoted phrase" as all of its words: the index keeps no word positions (they would make it
    larger and every build slower), and Whoosh refuses a phrase query on such a field."""
    if isinstance(node, wq.Phrase):
        return wq.And([wq.Term(node.fieldname, word) for word in node.words], boost=node.boost)
    return node
