"""Safe building blocks for generated Markdown: text that stays text, code that stays verbatim.

Entries are data written by many hands. Whatever they hold, a title must never turn into HTML,
emphasis, a link or a heading attribute on the page, and an error message must show exactly as
the program printed it, backticks and all.
"""

from __future__ import annotations

import posixpath
import re

# Python-Markdown honours a backslash before these (`{}` also stops attr_list, `#` a closing
# heading run); `|` (a table cell boundary) has no backslash escape outside tables, so it becomes
# an entity instead.
_ESCAPE = re.compile(r"([\\`*_{}\[\]()#+!])")
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """``value`` as literal inline text: HTML is escaped, Markdown syntax is neutralised."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _ESCAPE.sub(r"\\\1", value).replace("|", "&#124;")
    # A line break inside a one-line field would end a list item or table row.
    return " ".join(value.split("\n"))


def code_span(value: str) -> str:
    """``value`` as inline code, with a backtick run longer than any inside it."""
    value = " ".join(value.split("\n"))
    longest = max((len(m) for m in _BACKTICKS.findall(value)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def fence(body: str, lang: str = "text") -> str:
    """A fenced code block holding ``body`` verbatim; the fence outlasts any backtick run inside."""
    body = body[:-1] if body.endswith("\n") else body
    longest = max((len(m) for m in _BACKTICKS.findall(body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


def link(label: str, target: str) -> str:
    """A Markdown link whose label is literal text; the target must already be a safe URL or path."""
    wrap = any(c in target for c in " ()<>")
    return f"[{text(label)}](<{target}>)" if wrap else f"[{text(label)}]({target})"


def relative(from_page: str, to_page: str) -> str:
    """The relative link from one docs file to another (both given relative to the language root)."""
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(to_page, start)
