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


# Characters that end or reshape a Markdown link target, or that HTML reads as markup, and that
# a URL never needs literally: percent-encoded, as a browser would send them anyway.
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"\\`{}|^]")


def target(url: str) -> str:
    """``url`` (a front-matter value or our own path) as a Markdown link target that ends where
    it should and says exactly ``url`` to the browser: never spliced in raw."""
    url = _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), url)
    # `&` stays `&` for the browser (`&#58;` must not become `:`); parentheses are safe inside `<…>`.
    url = url.replace("&", "&amp;")
    return f"<{url}>" if any(c in url for c in "()") else url


def link(label: str, url: str) -> str:
    """A Markdown link whose label is literal text and whose target is :func:`target`."""
    return f"[{text(label)}]({target(url)})"


def relative(from_page: str, to_page: str) -> str:
    """The relative link from one docs file to another (both given relative to the language root)."""
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(to_page, start)
