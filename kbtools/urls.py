"""Where an entry lives on the published site, shared by the terminal (`kb search` links) and the site.

Chinese is the site's default language and sits at the root; English sits under ``en/``. Both
the site plugin (which writes the pages) and the CLI (which prints links) call this one function,
so that a link printed in a terminal is the page the site actually has.
"""

from __future__ import annotations

DEFAULT_LANG = "zh"


def entry_path(lang: str, product: str, id: str) -> str:
    """The page's path below the site root, with a trailing slash (directory URLs)."""
    prefix = "" if lang == DEFAULT_LANG else f"{lang}/"
    return f"{prefix}entries/{product}/{id}/"


def entry_url(site_url: str, lang: str, product: str, id: str) -> str:
    """The full address of an entry's page: ``site_url`` joined with :func:`entry_path`."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    return base + entry_path(lang, product, id)
