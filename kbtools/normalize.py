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
   precisely, but importing it and loading its dictionary on every search alone would break the
   search's time budget; bigrams cost nothing, need no dictionary that can go stale on jargon, and
   BM25 over bigrams ranks a short Chinese description well enough (figures: BENCHMARKS.md,
   "Costs behind the code's choices").

Pure standard library: this module is on the start-up path of ``kb search``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# A search never reads more than this much of its input: a pasted log of megabytes has its
# answer in the first lines, and the cap bounds the time any input can take.
MAX_QUERY_CHARS = 64 * 1024
MAX_QUERY_TOKENS = 2000

# The patterns below are written in the subset of regular expressions that Python's `re` and the
# browser's `RegExp` (with the `u` flag) read the same way: no `\w`, `\d`, `\s` or `\b`, whose
# meaning differs between the two (Unicode in Python, ASCII in JavaScript), but explicit classes.
# The site's search reads them as data (kbtools/searchrules.py); tests/test_searchrules.py keeps
# the subset and runs both tokenisers over real lines.
CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# Letters and digits of words other than CJK: ASCII, Latin, Greek, Cyrillic, full-width forms.
# Other scripts (rare in error text of a zh/en KB) are not words.
_LATIN = (r"0-9A-Za-z_\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u0373\u0376\u0377"
          r"\u037b-\u037d\u0386\u0388-\u03ff\u0400-\u0481\u048a-\u052f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a")
# Whitespace as Python's str.isspace() has it (JavaScript's `\s` differs: \ufeff, \x1c-\x1f).
SPACE = r"\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
ANY = _LATIN + CJK  # a word character of any script: where a word starts or ends

# Variable parts of log lines, removed before splitting into words. Order matters: timestamps
# before ports (both contain colons), UUIDs before hex ids. The forms that start at a word
# boundary share one boundary test: most positions in a text are inside a word, and there the regex
# fails after one test instead of nine (2.5x faster over whole entries, the same matches: the other
# forms start with `[`, `*`, `:` or a path, which no word form can start with at the same place).
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_END = rf"(?![{ANY}])"  # the end of a word
_AT_WORD = "|".join((
    # 2018/10/15 10:07:27, 2018-10-15T10:07:27.123+08:00, Oct 15 10:07:27, I1015 10:07:27.123456
    r"[0-9]{4}[/-][0-9]{1,2}[/-][0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    # syslog's `Oct 15 10:07:27 myhost kong[123]:`: the host is whose machine it is, not the error
    (rf"{_MONTH}[{SPACE}]+[0-9]{{1,2}}[{SPACE}]+[0-9]{{1,2}}:[0-9]{{2}}:[0-9]{{2}}[{SPACE}]+[{ANY}.\-]+"
     rf"(?=[{SPACE}]+[{ANY}./\-]+(?:\[[0-9]+\])?:[{SPACE}])"),
    rf"{_MONTH}[{SPACE}]+[0-9]{{1,2}}{_END}",
    rf"[IWEF][0-9]{{4}}(?=[{SPACE}])",
    rf"[0-9]{{1,2}}:[0-9]{{2}}:[0-9]{{2}}(?:[.,][0-9]+)?{_END}",
    r"[0-9]+#[0-9]+:?",                     # nginx worker pid#tid
    rf"[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}{_END}",  # UUID
    rf"[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}{_END}",  # IPv4
    rf"(?:[0-9a-fA-F]{{1,4}}:){{2,7}}[0-9a-fA-F]{{1,4}}{_END}",  # IPv6 (the full or partly full forms)
    rf"0x[0-9a-fA-F]+{_END}",               # hex numbers and addresses
))
VARIABLE = "|".join((
    rf"(?<![{ANY}])(?:{_AT_WORD})",
    # [error], [warn] ... as nginx, Kong and most daemons print their level
    r"\[(?:emerg|alert|crit|error|err|warn|warning|notice|info|debug|trace|fatal)\]",
    rf"\*[0-9]+{_END}",                     # nginx connection number
    # nginx's request context at the end of an error line (`, client: 10.0.0.1, server: kong, request:
    # "GET /x HTTP/1.1", upstream: ..., host: ...`): whose request it was, not what failed
    r", client: [^\n]*",
    rf"(?<![{ANY}.])[{ANY}.\-]+\.go:[0-9]+\]",  # klog's source position, `controller.go:130]`: where, not what
    rf"(?<=[{ANY}\])]):[0-9]+{_END}",       # :port and file:line
    rf"(?:/home|/Users|/var/folders|[A-Za-z]:\\Users)[/\\][^/\\{SPACE}]+",  # whose home folder it is
))


@cache
def compiled(pattern: str, ascii_text: bool, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled for ASCII text or for any text. Compiling :data:`VARIABLE` with its
    classes of every script's letters is a large share of a `kb search`'s start-up in Python's `re`;
    ASCII text can never hold a letter outside ASCII, so for it those classes shrink to their ASCII
    part, which gives the same matches and compiles ten times faster (BENCHMARKS.md, Search speed)."""
    return re.compile(pattern.replace(ANY, _ASCII_WORD) if ascii_text else pattern, flags)


_ASCII_WORD = "0-9A-Za-z_"  # the ASCII part of ANY

# A word: letters/digits/underscore (any script but CJK), joined by dots or hyphens; or a CJK run.
WORD = rf"[{_LATIN}]+(?:[.\-][{_LATIN}]+)*|[{CJK}]+"
# Compiling a character class with the CJK ranges is slow (Python's re walks every code point of a
# range; BENCHMARKS.md, "Costs behind the code's choices"). Most text is ASCII, where no CJK class
# can match: that text takes a pattern that compiles in no time (the same matches on ASCII), and
# the full one is compiled the first time a text needs it.
_WORD_ASCII = re.compile(r"[0-9A-Za-z_]+(?:[.\-][0-9A-Za-z_]+)*")
PART_SPLIT = r"[._\-]+"
CAMEL = r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+"
HEX_ID = r"^(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,}$"
DIGITS = r"^[0-9.]+$"
_PART_SPLIT = re.compile(PART_SPLIT)
_CAMEL = re.compile(CAMEL)
_HEX_ID = re.compile(HEX_ID)
_DIGITS = re.compile(DIGITS)
# An error number in parentheses, `(104)` or `(104: Connection reset by peer)`: numbers are
# otherwise dropped as noise, but this one tells `Connection reset by peer (104)` (Linux) from
# `(54)` (macOS), and `(111: Connection refused)` from `(110: Connection timed out)`.
ERRNO = rf"\(([0-9]{{1,5}})(?=\)|:[{SPACE}])"
_ERRNO = re.compile(ERRNO)


@cache
def _word_re() -> re.Pattern[str]:
    return re.compile(WORD)


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
    return compiled(VARIABLE, text.isascii()).sub(" ", text)


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
