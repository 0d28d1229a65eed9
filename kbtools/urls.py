"""Where an entry lives: its file, its page on the site, and the site's address.

One function places an entry, :func:`entry_file`; everything else is derived from it: the site
writes each entry's page from that path below each language folder of its docs dir (so a page's
edit link is its own source path), :func:`entry_path` is where MkDocs then publishes the page
(directory URLs; Chinese, the default language, at the root, English under ``en/``), and
:func:`entry_urls` is what ``kb search``, ``kb show`` and ``kb export`` print.

:func:`site_url` reads the site's address from ``mkdocs.yml`` with a regular expression, so that
neither YAML nor Whoosh is imported to print an address.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kbtools.langs import DEFAULT_LANG, LANGS
from kbtools.locate import ENTRIES

# The address shipped in mkdocs.yml for local builds: no site is published there, so a page
# address on it would lead nowhere. The Pages workflow sets the real one (KB_SITE_URL).
PLACEHOLDER_HOST = "kb-troubleshooting.github.io"

_SITE_URL = re.compile(r"""^site_url\s*:\s*["']?([^"'#\s]+)""", re.MULTILINE)
# MkDocs' `!ENV` tag: `site_url: !ENV NAME` or `site_url: !ENV [NAME, OTHER, "default"]` (the first
# variable that is set wins; the last item of a list of two or more is the default).
_SITE_URL_ENV = re.compile(r"""^site_url\s*:\s*!ENV\s+(?:\[([^\]\n]*)\]|([^\s#\[]+))""", re.MULTILINE)
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", re.IGNORECASE)


def entry_file(product: str, id: str) -> str:
    """The entry's file below the KB root, ``entries/<product>/<id>.md``; also its page's source
    below each language folder of the site's docs dir."""
    return f"{ENTRIES}/{product}/{id}.md"


def entry_path(lang: str, product: str, id: str) -> str:
    """The page's path below the site root, with a trailing slash (directory URLs)."""
    prefix = "" if lang == DEFAULT_LANG else f"{lang}/"
    return prefix + entry_file(product, id).removesuffix(".md") + "/"


def entry_url(site_url: str, lang: str, product: str, id: str) -> str:
    """The full address of an entry's page: ``site_url`` joined with :func:`entry_path`."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    return base + entry_path(lang, product, id)


def entry_urls(site_url: str | None, product: str, id: str) -> dict[str, str]:
    """The page's address in each language; none without a site."""
    return {lang: entry_url(site_url, lang, product, id) for lang in LANGS} if site_url else {}


def site_url(root: Path) -> str | None:
    """The site's base address: ``site_url`` of ``mkdocs.yml`` at the KB root; None when the KB
    has no site, or only the shipped placeholder (then no page address is shown: a made-up one
    would send people nowhere)."""
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    tagged = _SITE_URL_ENV.search(text)
    if tagged:
        found = _env_tag(tagged.group(1), tagged.group(2))
    else:
        plain = _SITE_URL.search(text)
        found = plain.group(1) if plain else None
    return None if found is None or is_placeholder(found) else found


def is_placeholder(url: str) -> bool:
    """Whether ``url`` is on the host of the address shipped for local builds."""
    host = _HOST.match(url.strip())
    return host is not None and host.group(1).lower() == PLACEHOLDER_HOST


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
