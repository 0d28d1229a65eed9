"""How much of a query one entry explains: the evidence that decides a result's tier and its order.

Pure standard library, and no search engine: :mod:`kbtools.search` finds the candidates, this module
judges each of them on its own.

Why the weights are fixed. The first confidence rule weighed words by their frequency in the KB
(idf). Adding unrelated entries that share a word (`connection`, `upstream`, `postgres`) then
lowered the weight of that word in every *right* answer, so the bigger the KB, the more right
answers fell below the cut. Here a token's weight depends only on the token: a short fixed list
of words that carry little on their own in error text (log furniture such as `error`, `failed`,
`nginx`, `lua`, path parts such as `usr`, `local`, and everyday English), identifiers (`to_regclass`,
`luarocks.loader`) counting more than plain words. An entry's evidence is a function of the query
and that entry alone, so adding entries can never lower it: the tier of a result does not move as
the KB grows. (Which entries are *candidates* still comes from BM25 over the whole index; that
only decides what is looked at, never how confident a result is.)

The evidence of one entry:

- ``line_share``: of its symptom lines, the best share of a line's weight found in the query. This
  is what recognises one known line inside a long pasted log, whatever else the log holds. A line
  that names identifiers the query does not hold counts :data:`LINE_IDENT_FACTOR` of its share.
- Query tokens that only a stack trace's frames hold (:data:`FRAME_LINE`) weigh as furniture; so do
  those that only lower-level log lines hold, in a paste that has an error-level line
  (:data:`ERROR_LINE`, :data:`LOW_LEVEL_LINE`).
- ``query_share``: the share of the query's weight the entry holds somewhere (symptoms, title,
  code count 1; prose counts :data:`PROSE_WEIGHT_FOR_LOGS` in a query that looks like a log line,
  where words that only prose shares are weak evidence; :data:`PROSE_WEIGHT_FOR_WORDS` in a
  question typed by a person).
- ``confidence``: the larger of the two, times :data:`ABSENT_IDENTIFIER_PENALTY` when the query
  holds an identifier that no entry of the KB has (it is usually what the error is about, and an
  entry that lacks it explains another error). That test can only be lifted by new entries.
- ``confident``: ``confidence > CONFIDENT`` (more than half) and at least :data:`MIN_SHARED` weight shared (one
  ordinary word): a query of one furniture word (`error`) explains nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kbtools import normalize

CONFIDENT = 0.5
MIN_SHARED = 1.0
# Below this a candidate is not shown at all, not even as possible: it shares little but a word.
POSSIBLE = 0.15
# Words only an entry's prose shares: in a pasted log line they are weak evidence; in a question
# typed by a person they are its words, but an unrelated question shares everyday words with a long
# prose too (0.4 and 1.0 made near misses confident on prose alone; measured in BENCHMARKS.md).
PROSE_WEIGHT_FOR_LOGS = 0.25
PROSE_WEIGHT_FOR_WORDS = 0.7
ABSENT_IDENTIFIER_PENALTY = 0.6
# A symptom line needs this many tokens, and this much weight (some six telling words), before "the
# whole line is in the query" counts: a short or generic line (`stack traceback:`, `nginx: configuration
# file /usr/local/kong/nginx.conf test failed`) is in many pasted logs without meaning anything.
MIN_LINE_TOKENS = 3
MIN_LINE_WEIGHT = 6.5
USE_ABSENT = False
# A symptom line that names identifiers (`apr_socket_recv: Connection reset by peer (104)`) is that
# program's error: a query holding none of them shows the same words from another program.
LINE_IDENT_FACTOR = 0.5

IDENTIFIER_WEIGHT = 2.0
PLAIN_WEIGHT = 1.0
COMMON_WEIGHT = 0.25

# Words that, in error text, say little about *which* error it is: log levels and furniture, the
# programs every Kong log names, path parts, protocol words, and everyday English. Fixed on
# purpose (see the module docstring); short words are listed only where they are common in logs.
_COMMON_WORDS = """
    error errors err failed fail fails failure fatal warn warning warnings info notice debug crit emerg
    alert panic trace traceback stack message msg level time ts log logs logger caller line lines file
    files function func method main init call called calling returned return result nil null none
    true false default start started starting run running runs ran
    no not such while during after before when then than also only just some any all other more most
    very can can't don't doesn't didn't won't isn't do does did done get got gets set sets use used
    uses using try tried trying see seems seem like need needs want wants work works working worked
    new old one two first last same each every here there what which who how why where but so if
    else again about up out over onto off per via we our you your me my he she they them their his
    her am been being had having would should may might must shall please thanks help hi hello
    question problem issue issues anyone someone something anything thing way ok
    nginx openresty lua luajit kong usr local share lib lib64 bin sbin etc var opt tmp src home root
    srv http https www com org net io html
    的 了 是 在 我 有 和 就 不 人 都 一 个 上 也 很 到 说 要 去 你 会 着 没 看 好 自 这
"""
# Chinese question furniture, as the bigrams the tokeniser makes of it.
_COMMON_BIGRAMS = """
    问题 什么 怎么 如何 为什 么会 出现 报错 错误 时候 一个 这个 那个 使用 无法 不能 可以 请问
    大家 谢谢 求助 解决 是不 不是 没有 已经 但是 然后 发现 知道 遇到 情况 原因 配置 启动 运行
    失败 安装 重新 新安 重启 执行 提示 显示 出错 正常 成功 修改 设置 之后 以后 的时 候出 时出 一直
"""
COMMON = frozenset(_COMMON_WORDS.split()) | frozenset(_COMMON_BIGRAMS.split())

# Patterns in the subset that Python and the browser read alike (see kbtools/normalize.py).
IDENTIFIER_CHARS = r"[_.]"
MIXED = r"^(?=.*[a-z])(?=.*[0-9])"  # `e00042`, `v1beta1`: letters and digits in one word
FILE_NAME = r"\.(?:lua|conf|c|h|go|py|js|java|rb|sh|yml|yaml|json|key|crt|pem|log|so|txt)$"
_IDENTIFIER_CHARS = re.compile(IDENTIFIER_CHARS)
_MIXED = re.compile(MIXED)
_FILE_NAME = re.compile(FILE_NAME)


def weight(token: str) -> float:
    """The fixed weight of one search token (a token of :func:`kbtools.normalize.tokens`)."""
    if token in COMMON:
        return COMMON_WEIGHT
    if is_identifier(token) or _MIXED.search(token):
        return IDENTIFIER_WEIGHT
    return PLAIN_WEIGHT


def is_identifier(token: str) -> bool:
    """A code identifier (`real_ip_header`, `luarocks.loader`), not a plain word or a file name."""
    return (bool(_IDENTIFIER_CHARS.search(token.strip("_"))) and not _FILE_NAME.search(token)
            and not token[0].isdigit())


@dataclass(frozen=True)
class Evidence:
    """Why one entry matches a query; every part is in [0, 1] but ``shared_weight``."""

    confidence: float
    confident: bool
    line: str  # the symptom line that best matches the query ("" when none shares a word)
    line_share: float
    query_share: float
    shared_weight: float  # the weight of the query's tokens the entry holds
    strong_share: float  # the share of the query's weight in its error text, title or code (not prose)
    penalty: float  # 1, or ABSENT_IDENTIFIER_PENALTY
    shared: tuple[str, ...] = field(default=())  # tokens shared, heaviest first
    absent: tuple[str, ...] = field(default=())  # the query's identifiers no entry has
    other: tuple[str, ...] = field(default=())  # names the query quotes that this entry's errors do not

    def sort_key(self, entry_id: str, bm25: float) -> tuple[float, float, float, float, float, str]:
        """Stronger first: confidence, then the parts it is made of (a word in an entry's error
        text, title or code is stronger than the same word in its prose). Only where all of that is
        equal (a word that many entries hold in their prose) does BM25 — how often, in which field —
        say which comes first; exact ties by id, so that two builds of one KB list the same order.
        Rounded: float noise between builds cannot reorder equal evidence."""
        return (-round(self.confidence, 9), -round(max(self.line_share, self.strong_share), 9),
                -round(self.query_share, 9), -round(self.line_share, 9), -round(bm25, 6), entry_id)

    def reason(self) -> str:
        """The tier decision in words, for --explain."""
        parts = f"confidence {self.confidence:.2f} = max(line {self.line_share:.2f}, query {self.query_share:.2f})"
        if self.penalty != 1.0:
            why = (f"it quotes {', '.join(sorted(self.other)[:3])}, not this entry's names" if self.other
                   else f"identifier no entry has: {', '.join(self.absent[:3])}")
            parts += f" x {self.penalty:g} ({why})"
        if self.confident:
            return f"{parts} > {CONFIDENT:g}: confident"
        if self.confidence > CONFIDENT:
            return f"{parts}, but only {self.shared_weight:.2f} weight shared (< {MIN_SHARED:g}): possible"
        return f"{parts} <= {CONFIDENT:g}: possible"

    def to_dict(self) -> dict[str, Any]:
        return {"confidence": round(self.confidence, 3), "confident": self.confident, "line": self.line,
                "line_share": round(self.line_share, 3), "query_share": round(self.query_share, 3),
                "shared_weight": round(self.shared_weight, 3), "strong_share": round(self.strong_share, 3),
                "penalty": self.penalty,
                "shared": list(self.shared), "absent": list(self.absent), "other_names": list(self.other),
                "decision": self.reason()}


# Lines of a pasted log that say where an error passed, not what it is: the frames of a Lua stack
# trace and the places Lua looked for a missing module. A word that only such lines hold (`cmd_exec`,
# `xpcall`, `init.lua`) weighs as furniture, or a long trace would outweigh the one line that names
# the error. In the subset of regular expressions the browser reads alike.
FRAME_LINE = (rf"^[{normalize.SPACE}]*(?:stack traceback:|\[C\]:|no field package\.preload|no file '|\(tail call\)"
              r"|\.\.\.$|[^\n]*: in (?:function|main chunk|upvalue|local|method|field|\?))")
_FRAME_LINE = re.compile(FRAME_LINE)


# A pasted log whose lines carry levels: the error is on its error-level lines. When a query holds
# one, its lines at a lower level (`[warn] the "user" directive ...` printed above the `[emerg] bind()`
# that stopped nginx) say what else was printed, not what failed, and their words weigh as furniture.
ERROR_LINE = (r"\[(?:error|crit|alert|emerg)\]|level=(?:error|fatal|panic)(?![a-z])|^[EF][0-9]{4} "
              r"|^Error: |(?<![A-Za-z])(?:ERROR|FATAL|CRITICAL)(?![A-Za-z])")
LOW_LEVEL_LINE = r"\[(?:warn|notice|info|debug)\]|level=(?:warn|warning|info|debug)(?![a-z])|^[IW][0-9]{4} "
_ERROR_LINE = re.compile(ERROR_LINE)
_LOW_LEVEL_LINE = re.compile(LOW_LEVEL_LINE)


def query_weights(q_tokens: Iterable[str], text: str = "") -> dict[str, float]:
    """The weight of each query token; ``text`` is the query, whose stack-frame lines (and, beside an
    error-level line, its lower-level log lines) weigh little."""
    q_tokens = list(q_tokens)
    lines = text[:normalize.MAX_QUERY_CHARS].split("\n")
    errors = [bool(_ERROR_LINE.search(line)) for line in lines]
    any_error = any(errors)
    background = [bool(_FRAME_LINE.match(line)) or (any_error and not error and bool(_LOW_LEVEL_LINE.search(line)))
                  for line, error in zip(lines, errors, strict=True)]
    if not any(background):
        return {t: weight(t) for t in q_tokens}
    primary = set(normalize.tokens("\n".join(line for line, b in zip(lines, background, strict=True) if not b),
                                   limit=normalize.MAX_QUERY_TOKENS))
    return {t: weight(t) if t in primary else min(weight(t), COMMON_WEIGHT) for t in q_tokens}


QUOTED = "|".join(rf"{a}([^{b}{normalize.SPACE}/]{{2,80}}){b}" for a, b in (("'", "'"), ('"', '"'), ("‘", "’"), ("“", "”")))
_QUOTED = re.compile(QUOTED)
SUBJECTS_MAX_CHARS = 65536


def subjects(text: str) -> frozenset[str]:
    """The names an error message quotes (`module 'socket'`, `unknown directive "real_ip_header"`),
    as tokens: what the error is about. Paths are left out (they vary from machine to machine)."""
    names: set[str] = set()
    for match in _QUOTED.finditer(text[:SUBJECTS_MAX_CHARS]):
        if text[max(0, match.start() - 9):match.start()].endswith("function "):
            continue  # a Lua stack trace's `in function 'xpcall'`: where it passed, not what failed
        name = next(group for group in match.groups() if group)
        names.add(name.strip().lower())
    return frozenset(names)


def judge(q_weights: dict[str, float], lines: Sequence[str], strong: Callable[[str], bool],
          anywhere: Callable[[str], bool], prose_weight: float, absent: Sequence[str],
          q_subjects: frozenset[str] = frozenset()) -> Evidence:
    """The evidence that one entry explains the query.

    ``q_weights``: the query's tokens and their weights; ``lines``: the entry's symptom lines;
    ``strong(token)``: whether the entry holds the token in its error text, title or code;
    ``anywhere(token)``: whether it holds it at all (prose included), which counts
    ``prose_weight``; ``absent``: the query's identifiers that no entry of the KB holds.
    """
    total = sum(q_weights.values()) or 1.0
    held: dict[str, float] = {}
    strong_weight = 0.0
    for t, w in q_weights.items():
        if strong(t):
            held[t] = w
            strong_weight += w
        elif anywhere(t):
            held[t] = w * prose_weight
    shared_weight = sum(held.values())
    query_share = shared_weight / total
    line, line_share = best_line(lines, q_weights)
    # The same message about another name (`module 'waf' not found` against an entry about
    # `module 'kong'`) is another error: judged on this entry's own lines, so no other entry moves it.
    e_subjects = subjects("\n".join(lines)) if q_subjects else frozenset()
    other = tuple(sorted(q_subjects)) if e_subjects and not (q_subjects & e_subjects) else ()
    absent = tuple(absent) if USE_ABSENT else ()
    penalty = ABSENT_IDENTIFIER_PENALTY if absent or other else 1.0
    confidence = max(query_share, line_share) * penalty
    shared = tuple(sorted((t for t, w in held.items() if w), key=lambda t: (-q_weights[t], t)))
    return Evidence(confidence=confidence, confident=confidence > CONFIDENT and shared_weight >= MIN_SHARED,
                    line=line, line_share=line_share, query_share=query_share, shared_weight=shared_weight,
                    strong_share=strong_weight / total, penalty=penalty, shared=shared, absent=absent,
                    other=other)


def best_line(lines: Sequence[str], q_weights: dict[str, float]) -> tuple[str, float]:
    """The symptom line sharing most weight with the query, and the largest share of a line's
    weight found in the query (over the lines long enough to count)."""
    best, best_key, best_share = "", (0.0, 0.0), 0.0
    for line in lines:
        toks = set(normalize.tokens(line))
        common = toks & q_weights.keys()
        if not common:
            continue
        shared = sum(q_weights[t] for t in common)
        weights = {t: weight(t) for t in toks}
        total = sum(weights.values())
        share = shared / total if len(toks) >= MIN_LINE_TOKENS and total >= MIN_LINE_WEIGHT else 0.0
        idents = [t for t, w in weights.items() if w >= IDENTIFIER_WEIGHT]
        if idents and not any(t in q_weights for t in idents):
            share *= LINE_IDENT_FACTOR
        key = (shared, share)
        if key > best_key:
            best, best_key = line, key
        best_share = max(best_share, share)
    return best, best_share
