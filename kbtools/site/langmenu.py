"""The language menu's links, made relative so that the site works wherever it is served from.

static-i18n gives the home pages' menu links as absolute paths built from ``site_url`` (``/kb/en/``);
served from another path (a preview, a mirror, ``mkdocs serve -a`` with a different base) they 404.
Every other link of the site is relative already.
"""

from __future__ import annotations

import posixpath
import re

_MENU_LINK = re.compile(r'(<a href=")(/[^"]*)(" hreflang="[^"]*" class="md-select__link">)')


def relative_language_links(html: str, page_path: str) -> str:
    """Rewrite absolute language-menu links of the page served at ``page_path`` (``/kb/en/``)."""
    here = page_path if page_path.endswith("/") else posixpath.dirname(page_path) + "/"

    def relative(match: re.Match[str]) -> str:
        target = match.group(2)
        rel = posixpath.relpath(target, here)
        if target.endswith("/"):
            rel = "./" if rel == "." else rel + "/"
        return match.group(1) + rel + match.group(3)

    return _MENU_LINK.sub(relative, html)
