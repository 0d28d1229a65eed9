"""Find the entries that explain a pasted error: query building, ranking, and the no-match rule.

The public function is :func:`search`; ``kb search`` and ``kb check-pr`` (likely duplicates) both
call it. With :mod:`kbtools.index`, this is the only module that imports Whoosh.

How a query is answered:

1. The text is capped (:data:`kbtools.normalize.MAX_QUERY_CHARS`) and turned into tokens by the
   same tokeniser as the entries (variable parts of log lines dropped, identifiers whole and by
   parts, Chinese as bigrams). No query syntax is parsed, so ``sock.c:539``, ``"foo`` or ``a OR``
   are just words (``syntax=True`` opts in to Whoosh's query language).
2. Tokens the index does not hold, and tokens found in over 10% of the entries (they tell none
   apart, and would make a search on a big KB visit most documents), are left out; of the rest,
   the rarest :data:`MAX_TERMS` become an
   OR of term queries over the fields, weighted symptom > title > code > prose, scored by BM25F.
3. Each candidate gets a *confidence* in [0, 1]: the larger of (a) the share of the query's
   information (idf-weighted tokens) found in the entry, and (b) the share of the entry's best
   symptom line found in the query — (b) is what recognises one known line inside a long pasted
   log. Candidates below :data:`MIN_CONFIDENCE` are weak guesses: dropped unless ``include_weak``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import query as wq

from kbtools import normalize
from kbtools.index import FIELDS, Opened, open_index

MAX_TERMS = 200
# A query in the query language is typed by hand; Whoosh's parser slows down badly on long input.
MAX_SYNTAX_CHARS = 2000
COMMON_SHARE = 0.1
COMMON_MIN = 20
CANDIDATES = 30
MIN_CONFIDENCE = 0.5
# A symptom line must have this many tokens before "the whole line is in the query" counts: a
# short line (`stack traceback:`) is in many pasted logs without meaning anything.
MIN_LINE_TOKENS = 3
STRONG_FIELDS = ("symptom", "title", "code")
PROSE_WEIGHT_FOR_LOGS = 0.4
ABSENT_IDENTIFIER_PENALTY = 0.6
_LOG_MARKS = re.compile(r"\[[a-z]+\]|\w\(\)|\w+\.\w+:\d|\b(?:ERROR|Error|FATAL|error):|^[EWIF]\d{4} |\w/\w", re.M)
_FILE_NAME = re.compile(r"\.(?:lua|conf|c|h|go|py|js|java|rb|sh|yml|yaml|json|key|crt|pem|log|so|txt)$")

_SITE_URL = re.compile(r"""^site_url\s*:\s*["']?([^"'#\s]+)""", re.MULTILINE)
# MkDocs' `!ENV` tag: `site_url: !ENV NAME` or `site_url: !ENV [NAME, OTHER, "default"]` (the first
# variable that is set wins; the last item of a list of two or more is the default).
_SITE_URL_ENV = re.compile(r"""^site_url\s*:\s*!ENV\s+(?:\[([^\]\n]*)\]|([^\s#\[]+))""", re.MULTILINE)


@dataclass(frozen=True)
class Hit:
    """One result. ``symptom`` is the entry's symptom line that best matches the query, and
    ``spans`` the (start, end) character ranges of the words in it that matched."""

    id: str
    path: str  # the entry file, relative to the KB root
    score: float  # BM25F; comparable only within one search
    confidence: float  # 0..1, see the module docstring
    title: dict[str, str]  # {"zh": ..., "en": ...}
    product: str
    component: str
    status: str
    tags: tuple[str, ...]
    environment: dict[str, str]
    fix: dict[str, str]  # first sentence of the fix, per language
    symptom: str
    spans: tuple[tuple[int, int], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": self.path, "score": round(self.score, 3),
            "confidence": round(self.confidence, 3), "title": dict(self.title),
            "product": self.product, "component": self.component, "status": self.status,
            "tags": list(self.tags), "environment": dict(self.environment), "fix": dict(self.fix),
            "symptom": self.symptom, "matched": [self.symptom[a:b] for a, b in self.spans],
        }


class QuerySyntaxError(ValueError):
    """The query given with ``syntax=True`` does not parse."""


def site_url(root: Path) -> str | None:
    """The site's base address: ``site_url`` of ``mkdocs.yml`` at the KB root; None when the KB
    has no site (then no page address is shown: a made-up one would send people nowhere).

    Read with a regular expression, not a YAML parser, to keep YAML off the search start-up path.
    """
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    tagged = _SITE_URL_ENV.search(text)
    if tagged:
        return _env_tag(tagged.group(1), tagged.group(2))
    found = _SITE_URL.search(text)
    return found.group(1) if found else None


def _env_tag(listed: str | None, single: str | None) -> str | None:
    """The value of an ``!ENV`` tag: the first of its variables that is set (and not empty: an empty
    base address would make every page link relative), else its default, else None."""
    default: str | None
    if single is not None:
        names, default = [single], None
    else:
        items = [item.strip().strip("\"'") for item in (listed or "").split(",")]
        items = [item for item in items if item]
        if len(items) > 1:
            names, default = items[:-1], items[-1]
        else:
            names, default = items, None
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return default


def search(root: Path, query: str, *, limit: int = 5, product: str | None = None,
           component: str | None = None, tags: Sequence[str] = (), env: Mapping[str, str] | None = None,
           include_weak: bool = False, syntax: bool = False, opened: Opened | None = None) -> list[Hit]:
    """Search the KB at ``root`` for ``query`` (any text: a log line, a whole log, a description).

    Returns at most ``limit`` hits, best first; an empty list when nothing matches well (with
    ``include_weak``, weak matches are returned too, still best first). Filters: ``product``,
    ``component``, every tag of ``tags``, and ``env`` (software -> version: keeps entries whose
    constraint for that software admits the version, and entries that state none).
    ``opened`` reuses an index from :func:`kbtools.index.open_index` (else it is opened here,
    built or updated first when entries changed). Raises ValueError for a bad version in ``env``
    and :class:`QuerySyntaxError` for a bad query with ``syntax=True``.
    """
    if env:
        from kbtools.versions import admits
        for version in env.values():
            admits(">=0", version)  # raises ValueError for a version that does not parse
    own = opened is None
    ix = opened or open_index(root)
    try:
        return _search(ix, query, limit=limit, product=product, component=component, tags=tags,
                       env=env or {}, include_weak=include_weak, syntax=syntax)
    finally:
        if own:
            ix.close()


def _search(opened: Opened, text: str, *, limit: int, product: str | None, component: str | None,
            tags: Sequence[str], env: Mapping[str, str], include_weak: bool, syntax: bool) -> list[Hit]:
    q_tokens = normalize.query_tokens(text)
    with opened.ix.searcher() as searcher:
        total = max(searcher.doc_count(), 1)
        df = {t: max(searcher.doc_frequency(name, t) for name in FIELDS) for t in q_tokens}
        # Words in a large share of the entries tell none apart; on a big KB they would also make
        # every search visit most documents. They are left out of the query and of the coverage.
        common = max(COMMON_MIN, COMMON_SHARE * total)
        wanted = {t for t in q_tokens if df[t] <= common}

        def idf(token: str) -> float:
            return math.log(1 + total / (df.get(token, 0) + 0.5))

        symptom_df: dict[str, int] = {}

        def weight(token: str) -> float:
            """idf of a symptom line's token among the entries' symptoms (looked up once per search;
            one field, not five: this runs for every token of every candidate's lines)."""
            found = symptom_df.get(token)
            if found is None:
                found = symptom_df[token] = searcher.doc_frequency("symptom", token)
            return math.log(1 + total / (found + 0.5))

        if syntax:
            query = _parsed(opened, text)
        else:
            known = sorted((t for t in wanted if df[t]), key=lambda t: (df[t], t))[:MAX_TERMS]
            if not known:
                return []
            query = wq.Or([wq.Term(name, t, boost=weight) for t in known for name, weight in FIELDS.items()])
        filters = [wq.Term("product", product)] if product else []
        filters += [wq.Term("component", component)] if component else []
        filters += [wq.Term("tags", t.lower()) for t in tags]
        results = searcher.search(query, limit=None if env else CANDIDATES,
                                  filter=wq.And(filters) if filters else None)
        q_weight = sum(idf(t) for t in wanted) or 1.0
        postings = _PostingCache(searcher)
        # In a pasted log line, words that only an entry's prose shares are weak evidence; in a
        # description typed by a person, prose is where its words are.
        prose_weight = PROSE_WEIGHT_FOR_LOGS if _looks_like_log(text) else 1.0
        # An identifier the KB has never seen (`more_set_headers`, `kong.plugins.oidc.handler`) is
        # usually what the error is about: an entry that lacks it explains another error.
        absent = [t for t in q_tokens if not df.get(t) and _is_identifier(t)]
        absent_penalty = ABSENT_IDENTIFIER_PENALTY if absent else 1.0
        hits: list[Hit] = []
        for result in results:
            record = json.loads(result["doc"])
            if env and not _env_admits(record["environment"], env):
                continue
            docnum = result.docnum
            covered = sum(idf(t) * postings.share(t, docnum, prose_weight) for t in wanted if df.get(t)) / q_weight
            line, line_cov = _best_line(record["symptoms"], wanted, weight)
            confidence = max(covered, line_cov) * absent_penalty if not syntax else 1.0
            if confidence < MIN_CONFIDENCE and not include_weak:
                continue
            hits.append(Hit(
                id=record["id"], path=record["path"], score=float(result.score or 0.0),
                confidence=confidence, title=record["title"], product=record["product"],
                component=record["component"], status=record["status"], tags=tuple(record["tags"]),
                environment=record["environment"], fix=record["fix"], symptom=line,
                spans=tuple(normalize.word_spans(line, wanted)),
            ))
            if len(hits) >= limit and not env:
                break
        return hits[:limit]


class _PostingCache:
    """Which documents hold a token, per search field, looked up once per token per search."""

    def __init__(self, searcher: Any):
        self.reader = searcher.reader()
        self.by_field: dict[tuple[str, str], frozenset[int]] = {}
        self.by_group: dict[tuple[tuple[str, ...], str], frozenset[int]] = {}

    def _in(self, names: tuple[str, ...], token: str) -> frozenset[int]:
        cached = self.by_group.get((names, token))
        if cached is not None:
            return cached
        ids: set[int] = set()
        for name in names:
            found = self.by_field.get((name, token))
            if found is None:
                try:
                    found = frozenset(self.reader.postings(name, token).all_ids())
                except Exception:  # TermNotFound: the token is in no entry's field of that name
                    found = frozenset()
                self.by_field[(name, token)] = found
            ids |= found
        result = self.by_group[(names, token)] = frozenset(ids)
        return result

    def docs(self, token: str) -> frozenset[int]:
        return self._in(tuple(FIELDS), token)

    def share(self, token: str, docnum: int, prose_weight: float) -> float:
        """1 when the entry has ``token`` in its error text, title or code; ``prose_weight`` when
        only its prose has it; 0 when it lacks it."""
        if docnum in self._in(STRONG_FIELDS, token):
            return 1.0
        return prose_weight if docnum in self.docs(token) else 0.0


def _best_line(lines: Sequence[str], wanted: set[str], weight: Callable[[str], float]) -> tuple[str, float]:
    """The symptom line sharing most with the query, and the idf-weighted share of it in the query.

    Weighted, because a line's path and log furniture (`/usr/local/...`, `nginx`, `kong`) are in
    many lines of many entries: a pasted line that shares only those with a known one, but not its
    rare words (`real_ip_header`), is another error.
    """
    best, best_key, best_cov = (lines[0] if lines else ""), (-1.0, 0.0), 0.0
    for line in lines:
        toks = set(normalize.tokens(line))
        common = toks & wanted
        if not common:
            continue  # shares nothing: no need to weigh its words (each weight is an index look-up)
        shared = sum(weight(t) for t in common)
        total = sum(weight(t) for t in toks)
        cov = shared / total if len(toks) >= MIN_LINE_TOKENS and total else 0.0
        key = (shared, cov)
        if key > best_key:
            best, best_key = line, key
        best_cov = max(best_cov, cov)
    return best, best_cov


def _looks_like_log(text: str) -> bool:
    return bool(_LOG_MARKS.search(text[:4096]))


def _is_identifier(token: str) -> bool:
    """A code identifier (`real_ip_header`, `luarocks.loader`), not a plain word or a file name."""
    return ("_" in token.strip("_") or "." in token) and not _FILE_NAME.search(token) and not token[0].isdigit()


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
        return parser.parse(text[:MAX_SYNTAX_CHARS])
    except Exception as exc:  # the parser's own errors have no common base class
        raise QuerySyntaxError(str(exc)) from None
