"""The rules that `kb search` and the site's search must share, as data the browser reads.

Python keeps them where it uses them (the tokeniser's patterns in :mod:`kbtools.normalize`, the
weights, word lists and thresholds in :mod:`kbtools.evidence`, the candidate rules in
:mod:`kbtools.search`); this module only collects them, so a change there reaches the site with
its next build and cannot be forgotten on one side. The patterns are written in the subset of
regular expressions that Python's ``re`` and JavaScript's ``RegExp`` (``u`` flag) read alike.
"""

from __future__ import annotations

from typing import Any

from kbtools import evidence, normalize

# Whoosh's BM25F defaults (whoosh.scoring.BM25F), which the candidate query is scored with.
BM25_B = 0.75
BM25_K1 = 1.2


def rules() -> dict[str, Any]:
    """Everything the browser needs to tokenise, find candidates and judge them as Python does."""
    from kbtools import search
    from kbtools.index import FIELDS
    from kbtools.index.record import STRONG_FIELDS

    return {
        "patterns": {
            "variable": normalize.VARIABLE, "word": normalize.WORD, "part_split": normalize.PART_SPLIT,
            "camel": normalize.CAMEL, "hex_id": normalize.HEX_ID, "digits": normalize.DIGITS,
            "errno": normalize.ERRNO, "cjk": f"^[{normalize.CJK}]", "space": f"[{normalize.SPACE}]+",
            "identifier_chars": evidence.IDENTIFIER_CHARS, "mixed": evidence.MIXED,
            "file_name": evidence.FILE_NAME, "quoted": evidence.QUOTED,
            "frame_line": evidence.FRAME_LINE, "error_line": evidence.ERROR_LINE,
            "low_level_line": evidence.LOW_LEVEL_LINE, "log_marks": search.LOG_MARKS,
        },
        "stopwords": sorted(normalize.STOPWORDS),
        "max_query_chars": normalize.MAX_QUERY_CHARS,
        "max_query_tokens": normalize.MAX_QUERY_TOKENS,
        "common": sorted(evidence.COMMON),
        "weights": {"identifier": evidence.IDENTIFIER_WEIGHT, "plain": evidence.PLAIN_WEIGHT,
                    "common": evidence.COMMON_WEIGHT},
        "confident": evidence.CONFIDENT, "min_shared": evidence.MIN_SHARED, "possible": evidence.POSSIBLE,
        "prose_weight_for_logs": evidence.PROSE_WEIGHT_FOR_LOGS,
        "prose_weight_for_words": evidence.PROSE_WEIGHT_FOR_WORDS,
        "absent_identifier_penalty": evidence.ABSENT_IDENTIFIER_PENALTY, "use_absent": evidence.USE_ABSENT,
        "min_line_tokens": evidence.MIN_LINE_TOKENS, "min_line_weight": evidence.MIN_LINE_WEIGHT,
        "line_ident_factor": evidence.LINE_IDENT_FACTOR,
        "subjects_max_chars": evidence.SUBJECTS_MAX_CHARS,
        "log_marks_max_chars": search.LOG_MARKS_MAX_CHARS,
        "fields": FIELDS, "strong_fields": list(STRONG_FIELDS),
        "max_terms": search.MAX_TERMS, "common_share": search.COMMON_SHARE, "common_min": search.COMMON_MIN,
        "candidates": search.CANDIDATES, "short_query_words": search.SHORT_QUERY_WORDS,
        "bm25": {"B": BM25_B, "K1": BM25_K1},
    }
