"""Where an entry lives on the published site: the addresses `kb search`, `kb show` and `kb export` print.

Chinese is the site's default language and sits at the root; English sits under ``en/``. The site
build does not call this yet: it writes pages at :func:`kbtools.site.entry_page.entry_page_path`,
which must agree with it.
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
