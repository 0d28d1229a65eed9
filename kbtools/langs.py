"""The two languages of the knowledge base: every entry has a half in each, and every page and
every printed label exists in each. Chinese comes first: it is the site's default language."""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = LANGS[0]


def other_lang(lang: str) -> str:
    """The language that is not ``lang``."""
    return LANGS[1] if lang == LANGS[0] else LANGS[0]
