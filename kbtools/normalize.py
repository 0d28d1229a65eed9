"""Turn error text and prose into search tokens: the one tokeniser for both the index and queries.

Indexing and querying go through the same function, so a word can only match if both sides made the
same token of it. The search engine never tokenises on its own (its analyser only splits on spaces).

What this does, in order:

1. Drop the parts of a log line that differ from machine to machine (:func:`strip_variable`):
   timestamps, log levels in brackets, ``pid#tid``, connection numbers (``*23735``), IPs, ports and
   line numbers after a colon, UUIDs, hex ids, and home-folder path prefixes.
2. Keep error numbers in parentheses as tokens of their own: ``(104)``, ``(54)`` (other numbers
   are dropped).
3. Split into words. An identifier is kept whole *and* by its parts: ``to_regclass`` gives
   ``to_regclass`` and ``regclass``; ``luarocks.loader`` gives ``luarocks.loader``, ``luarocks``
   and ``loader``; ``KongIngress`` gives ``kongingress``, ``kong`` and ``ingress``.
4. Chinese (and other CJK) runs become overlapping character bigrams, as Lucene's CJKAnalyzer does:
   ``数据库迁移`` gives ``数据 据库 库迁 迁移``. A dictionary segmenter (jieba) would cut more
   precisely, but costs ~165 ms to import and ~1 s to load its dictionary on every search, which
   alone breaks the 150 ms budget; bigrams cost nothing, need no dictionary that can go stale on
   jargon, and BM25 over bigrams ranks a short Chinese description well enough (see BENCHMARKS.md).

Pure standard library: this module is on the start-up path of ``kb search``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# A search never reads more than this much of its input: a pasted log of megabytes has its
# answer in the first lines, and the cap bounds the time any input can take.
MAX_QUERY_CHARS = 64 * 1024
MAX_QUERY_TOKENS = 2000

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"

# Variable parts of log lines, removed before splitting into words. Order matters: timestamps
# before ports (both contain colons), UUIDs before hex ids. The forms that start at a word
# boundary share one `\b`: most positions in a text are inside a word, and there the regex now
# fails after one test instead of nine (2.5x faster over whole entries, the same matches: the other
# forms start with `[`, `*`, `:` or a path, which no `\b` form can start with at the same place).
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_AT_WORD = "|".join((
    # 2018/10/15 10:07:27, 2018-10-15T10:07:27.123+08:00, Oct 15 10:07:27, I1015 10:07:27.123456
    r"\d{4}[/-]\d{1,2}[/-]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    # syslog's `Oct 15 10:07:27 myhost kong[123]:`: the host is whose machine it is, not the error
    rf"{_MONTH}\s+\d{{1,2}}\s+\d{{1,2}}:\d{{2}}:\d{{2}}\s+[\w.-]+(?=\s+[\w./-]+(?:\[\d+\])?:\s)",
    rf"{_MONTH}\s+\d{{1,2}}\b",
    r"[IWEF]\d{4}(?=\s)",
    r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
    r"\d+#\d+:?",                          # nginx worker pid#tid
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",  # UUID
    r"\d{1,3}(?:\.\d{1,3}){3}\b",           # IPv4
    r"(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b",  # IPv6 (the full or partly full forms)
    r"0x[0-9a-fA-F]+\b",                    # hex numbers and addresses
))
_VARIABLE = re.compile(
    "|".join((
        rf"\b(?:{_AT_WORD})",
        # [error], [warn] ... as nginx, Kong and most daemons print their level
        r"\[(?:emerg|alert|crit|error|err|warn|warning|notice|info|debug|trace|fatal)\]",
        r"\*\d+\b",                             # nginx connection number
        r"(?<=[\w\])]):\d+\b",                  # :port and file:line
        r"(?:/home|/Users|/var/folders|[A-Za-z]:\\Users)[/\\][^/\\\s]+",  # whose home folder it is
    )),
)

# A word: letters/digits/underscore (any script but CJK), joined by dots or hyphens.
_W = rf"[^\W{_CJK}]"
# Compiling a character class with the CJK ranges costs ~3 ms each (Python's re walks every code
# point of a range), ~15 ms of a search's start-up in all. Most text is ASCII, where no CJK class
# can match and `\w` is the same class: that text takes a pattern that compiles in no time, and
# the full one is compiled the first time a text needs it.
_WORD_ASCII = re.compile(r"\w+(?:[.\-]\w+)*")
_PART_SPLIT = re.compile(r"[._\-]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_HEX_ID = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}$")
_DIGITS = re.compile(r"^[\d.]+$")
# An error number in parentheses, `(104)` or `(104: Connection reset by peer)`: numbers are
# otherwise dropped as noise, but this one tells `Connection reset by peer (104)` (Linux) from
# `(54)` (macOS), and `(111: Connection refused)` from `(110: Connection timed out)`.
_ERRNO = re.compile(r"\((\d{1,5})(?=\)|:\s)")


@cache
def _word_re() -> re.Pattern[str]:
    return re.compile(rf"{_W}+(?:[.\-]{_W}+)*|[{_CJK}]+")


def _words(text: str) -> re.Pattern[str]:
    return _WORD_ASCII if text.isascii() else _word_re()


def _is_cjk(word: str) -> bool:
    """Whether ``word`` (a match of the word pattern) is a CJK run: its first character tells."""
    code = ord(word[0])
    return (0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF)

# Words too common to tell entries apart. Kept short on purpose: in error text even small words
# (`not`, `no`) carry meaning, and BM25 already weighs common words down.
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
))


def strip_variable(text: str) -> str:
    """``text`` with the parts that vary from machine to machine replaced by a space."""
    return _VARIABLE.sub(" ", text)


def _is_noise(word: str) -> bool:
    return len(word) < 2 or bool(_DIGITS.match(word)) or bool(_HEX_ID.match(word)) or word in STOPWORDS


@lru_cache(maxsize=1 << 16)  # the same words recur across entries: an index build tokenises each once
def _latin_tokens(word: str) -> tuple[str, ...]:
    word = word.strip("_")  # `LUA_NUMBER_*` and `__index` name `lua_number` and `index`
    parts = [p for p in _PART_SPLIT.split(word) if p]
    if len(parts) == 1:
        parts = _CAMEL.findall(word) or parts
    lower = word.lower()
    lower_parts = [p.lower() for p in parts]
    out: list[str] = []
    # The whole word is kept unless one of its parts is a hex id (a pod or container name):
    # such a word is different on every machine, its clean parts are not.
    if not any(_HEX_ID.match(p) for p in lower_parts) and not _is_noise(lower):
        out.append(lower)
    if len(lower_parts) > 1:
        out += [p for p in lower_parts if not _is_noise(p) and p != lower]
    return tuple(out)


def _cjk_tokens(run: str) -> tuple[str, ...]:
    if len(run) == 1:
        return (run,)
    return tuple(run[i:i + 2] for i in range(len(run) - 1))


def tokens(text: str, *, limit: int | None = None) -> list[str]:
    """The search tokens of ``text``, in order, duplicates kept (the index counts them).

    ``limit`` stops after that many tokens (queries pass :data:`MAX_QUERY_TOKENS`).
    """
    out: list[str] = []
    text = strip_variable(text)
    if "(" in text:
        out += [f"({number})" for number in _ERRNO.findall(text)]
    for match in _words(text).finditer(text):
        word = match.group()
        out.extend(_cjk_tokens(word) if _is_cjk(word) else _latin_tokens(word))
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def query_tokens(text: str) -> list[str]:
    """The distinct tokens of a query, in first-seen order, after capping its size."""
    capped = text[:MAX_QUERY_CHARS]
    return list(dict.fromkeys(tokens(capped, limit=MAX_QUERY_TOKENS)))


def word_spans(line: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Where in ``line`` the words lie whose tokens are in ``wanted``: spans for highlighting."""
    spans: list[tuple[int, int]] = []
    for match in _words(line).finditer(line):
        word = match.group()
        if _is_cjk(word):
            # Mark each bigram that matched; overlapping bigrams merge into one span.
            for i, gram in enumerate(_cjk_tokens(word)):
                if gram in wanted:
                    spans.append((match.start() + i, match.start() + i + len(gram)))
        elif set(_latin_tokens(word)) & wanted:
            spans.append(match.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
