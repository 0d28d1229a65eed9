"""Pygments' per-block set-up, done once per style instead of once per code block.

pymdownx.highlight makes a new Pygments ``HtmlFormatter`` for every code block, and each one
walks the whole style to map token types to CSS classes (``_create_stylesheet``): 1.8 s of a
profiled 50 s 1,000-entry build, for the same two dicts every time. This keeps them per style
and class prefix and hands each new formatter its own copy; the HTML is unchanged
(tests/test_site_search_index.py compares it).
"""

from __future__ import annotations

from typing import Any

_CACHE: dict[tuple[Any, str], tuple[dict[Any, str], dict[str, Any]]] = {}


def _create_stylesheet(self: Any) -> None:
    from pygments.formatters.html import HtmlFormatter

    key = (self.style, self.classprefix)
    hit = _CACHE.get(key)
    if hit is None:
        HtmlFormatter._create_stylesheet(self)
        _CACHE[key] = (dict(self.ttype2class), dict(self.class2style))
    else:
        self.ttype2class, self.class2style = dict(hit[0]), dict(hit[1])


def install() -> None:
    """Give pymdownx.highlight's formatters the cached set-up (idempotent)."""
    try:
        from pymdownx import highlight
    except ImportError:  # pragma: no cover - pymdown-extensions comes with Material
        return
    for name in ("BlockHtmlFormatter", "InlineHtmlFormatter"):
        cls = getattr(highlight, name, None)
        if cls is not None and "_create_stylesheet" not in cls.__dict__:
            cls._create_stylesheet = _create_stylesheet
