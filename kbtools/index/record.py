"""What the index holds for one entry: its search fields (already tokenised) and its display record.

No search engine here: :func:`document` returns plain strings, which :mod:`kbtools.index` hands to
Whoosh. The display record holds everything a search result shows (titles, the fix in one line,
the symptom lines), so that a search never has to read an entry file.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import stat
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtools import normalize
from kbtools.langs import LANGS

if TYPE_CHECKING:
    from kbtools.model import Entry

MAX_SYMPTOM_LINES = 60
MAX_LINE_CHARS = 400
# Below this many files a build reads them in this process: starting workers costs more.
PARALLEL_FROM = 300

_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]+\)")


def first_sentence(markdown: str, lang: str) -> str:
    """The fix in one line: the first sentence of a section, code blocks and markup left out."""
    from kbtools.parse import fence_roles

    lines: list[str] = []
    for role, line in fence_roles(markdown.splitlines()):
        if role != "prose":
            if lines:
                break
            continue
        if not line.strip():
            if lines:
                break
            continue
        lines.append(line.strip().lstrip("-*> ").strip())
    text = _MD_LINK.sub(r"\1", " ".join(lines))
    ends = ("。", "！", "？") if lang == "zh" else (". ", "! ", "? ")
    cut = min((text.find(e) + len(e.rstrip()) for e in ends if e in text), default=len(text))
    return text[:cut].strip()[:300]


def _code_and_prose(markdown: str) -> tuple[str, str]:
    from kbtools.parse import fenced_lines

    code: list[str] = []
    prose: list[str] = []
    for in_code, line in fenced_lines(markdown):
        (code if in_code else prose).append(line)
    return "\n".join(code), "\n".join(prose)


# A word in an entry's error text, title or code is strong evidence that the entry explains a
# query holding it; a word only its prose holds is weaker (kbtools.evidence). Together: every
# search field of the index (kbtools.index.schema.FIELDS).
STRONG_FIELDS = ("symptom", "title", "code")
PROSE_FIELDS = ("prose_en", "prose_zh")


def document(entry: Entry, rel: str) -> dict[str, Any]:
    """The fields of one entry's index document, display record included."""

    def toks(text: str) -> str:
        return " ".join(normalize.tokens(text))

    body: dict[str, tuple[str, str]] = {}
    for lang in LANGS:
        sections = entry.body.get(lang, {})
        code, prose = _code_and_prose("\n\n".join(s.text for s in sections.values()))
        body[lang] = (code, prose)
    symptom_text = "\n".join(s.output for s in entry.symptoms)
    commands = "\n".join(s.command or "" for s in entry.symptoms)
    lines = [line.strip()[:MAX_LINE_CHARS] for s in entry.symptoms for line in s.output.splitlines() if line.strip()]
    record = {
        "id": entry.id,
        "path": rel,
        "product": entry.product,
        "component": entry.component,
        "status": entry.status,
        "tags": list(entry.tags),
        "environment": dict(entry.environment),
        "title": {"zh": entry.title.zh, "en": entry.title.en},
        "fix": {lang: first_sentence(entry.section(lang, "fix"), lang) for lang in LANGS},
        "symptoms": lines[:MAX_SYMPTOM_LINES],
    }
    fields = {
        "symptom": toks(symptom_text),
        "title": toks(entry.title.zh + "\n" + entry.title.en),
        "code": toks(body["zh"][0] + "\n" + commands),  # both halves carry the same code blocks
        # The titles of the entry's references are mostly the titles of the reports it was built
        # from: the problem in the words of people who had it, the words a question is typed in.
        "prose_en": toks(body["en"][1] + "\n" + "\n".join(ref.title for ref in entry.references)),
        "prose_zh": toks(body["zh"][1]),
    }
    # The distinct tokens of the strong fields and of the prose, for judging a candidate
    # (kbtools.evidence): reading them with the record is cheaper than asking the posting lists of
    # every query word whether a candidate is in them, which on a large KB walks long lists.
    strong = dict.fromkeys(t for name in STRONG_FIELDS for t in fields[name].split(" ") if t)
    record["strong"] = " ".join(strong)
    record["prose"] = " ".join(dict.fromkeys(t for name in PROSE_FIELDS for t in fields[name].split(" ")
                                             if t and t not in strong))
    return {
        "path": rel,
        "product": entry.product,
        "component": entry.component,
        "tags": " ".join(entry.tags),
        "doc": json.dumps(record, ensure_ascii=False),
        **fields,
    }


def browser_record(fields: dict[str, Any], vocabulary: dict[str, int]) -> dict[str, Any]:
    """What the site's search keeps of one entry's index document (:func:`document`): the display
    record, and per search field the same tokens the index holds, with their counts, as numbers
    of ``vocabulary`` (filled as new tokens come). A token counted more than once is followed
    by minus its count; ``n`` holds each field's length as the index stores it (for BM25)."""
    from kbtools.index.schema import FIELDS, stored_length

    record = json.loads(fields["doc"])
    encoded: dict[str, list[int]] = {}
    lengths: list[int] = []
    for name in FIELDS:
        counts: dict[str, int] = {}
        for token in fields[name].split(" "):
            if token:
                counts[token] = counts.get(token, 0) + 1
        numbers: list[int] = []
        for token, count in counts.items():
            numbers.append(vocabulary.setdefault(token, len(vocabulary)))
            if count > 1:
                numbers.append(-count)
        encoded[name] = numbers
        lengths.append(sum(counts.values()))
    return {"id": record["id"], "path": record["path"], "product": record["product"],
            "title": record["title"], "fix": record["fix"], "lines": record["symptoms"],
            "t": encoded, "len": lengths, "n": [stored_length(n) for n in lengths]}


def file_hash(path: Path) -> str:
    """The SHA-1 of a regular file's bytes; "" for anything else (a named pipe must not block us)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return ""
            return hashlib.sha1(handle.read()).hexdigest()
    except OSError:
        return ""


# (relative path, the index fields or None when the entry is invalid, its id, its content hash,
# its view as kbtools.index.shown stores it or None)
Loaded = tuple[str, "dict[str, Any] | None", "str | None", str, "bytes | None"]

_products: Any = None


def _load_one(root: Path, rel: str) -> Loaded:
    global _products
    from kbtools.entry_view import view_of
    from kbtools.index.shown import pack
    from kbtools.load import load_products
    from kbtools.locate import ENTRIES
    from kbtools.parse import read_entry_file
    from kbtools.validate import check_file

    if _products is None or _products[0] != root:
        _products = (root, load_products(root)[0])
    entry, _problems = check_file(read_entry_file(root / rel), _products[1], root / ENTRIES, html=False)
    if entry is None:
        return rel, None, None, file_hash(root / rel), None
    return rel, document(entry, rel), entry.id, file_hash(root / rel), pack(view_of(entry))


def _load_chunk(root: Path, rels: list[str]) -> list[Loaded]:
    return [_load_one(root, rel) for rel in rels]


def load_documents(root: Path, rels: list[str]) -> Iterator[Loaded]:
    """Read, check and turn into index documents the entry files ``rels``, in order.

    Reading and checking (YAML, pydantic, tokenising) is most of a build's work and independent per
    file, so large builds spread it over the CPUs while the caller feeds the index.
    """
    global _products
    _products = None  # products.yml may have changed since the last build in this process
    workers = min(os.cpu_count() or 1, 4)
    if len(rels) < PARALLEL_FROM or workers < 2:
        for rel in rels:
            yield _load_one(root, rel)
        return
    size = 100
    chunks = [rels[i:i + size] for i in range(0, len(rels), size)]
    # fork: the workers must be covered by kbtools.children's die-with-the-parent hook.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        for chunk in pool.map(_load_chunk, [root] * len(chunks), chunks):
            yield from chunk
    except BaseException:
        # Interrupted, or the caller stopped reading: drop the chunks not yet read instead of
        # reading every one of them first (what leaving a `with` block would do).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
