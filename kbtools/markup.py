"""Entry Markdown as the site renders it, and what that HTML may hold.

Security decisions about entry bodies are made on the HTML that Python-Markdown produces with the
site's own configuration (the ``markdown_extensions`` of mkdocs.yml, kept equal to
:data:`EXTENSIONS` by a test), never on a second reading of the Markdown: a regex that guesses
where a code span or a tag ends always disagrees with the renderer somewhere, and each
disagreement was a script on the page.

The same allowlist serves twice: :func:`html_problems` reports what an entry would put outside it
(``kb validate``), and :func:`sanitize` strips it from the built page (the site's second line of
defence). Python-Markdown and nh3 are imported on first use, so ``kb search`` never loads them.
"""

from __future__ import annotations

import html
import html.parser
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The extensions MkDocs renders pages with: its own defaults (toc, tables, fenced_code) first, then
# mkdocs.yml's markdown_extensions (tests/test_markup.py keeps the two equal).
EXTENSIONS: tuple[str, ...] = (
    "toc", "tables", "fenced_code", "admonition", "md_in_html", "attr_list", "pymdownx.highlight",
    "pymdownx.superfences", "pymdownx.inlinehilite", "pymdownx.keys",
)


def extension_configs() -> dict[str, dict[str, Any]]:
    from pymdownx.slugs import slugify

    from kbtools.site.fences import verbatim

    return {
        "toc": {"permalink": True, "slugify": slugify(case="lower")},
        "pymdownx.highlight": {"anchor_linenums": False},
        "pymdownx.superfences": {"custom_fences": [
            {"name": "kb-verbatim", "class": "kb-output", "format": verbatim},
        ]},
    }


# Exactly the tags and attributes that entry pages use: the Markdown of a body (paragraphs,
# lists, emphasis, code, links, tables, headings with their permalinks), the admonitions of the
# status and fallback notices and the language of a fallback section, Pygments' highlighting and
# pymdownx.keys. No `style`, no `on*`.
TAGS: frozenset[str] = frozenset({
    "a", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "kbd", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "id"}),
    "a": frozenset({"href", "title"}),
    "div": frozenset({"lang"}),  # a section shown in the other language (kbtools.site.entry_page)
    "ol": frozenset({"start"}),
}
URL_ATTRIBUTES = frozenset({"href", "src"})
SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class Finding:
    """One thing in rendered HTML outside the allowlist."""

    code: str  # KB031 for a link, KB040 for a tag or an attribute
    message: str
    needles: tuple[str, ...]  # source text that likely produced it, most specific first


# Where Python-Markdown resolves the extension names of EXTENSIONS (and the two that pymdownx's
# extensions load by name themselves): its own through their entry points, pymdownx's by module
# name. Markdown looks every name up among the entry points of every installed package first, which
# imports importlib.metadata and reads all their metadata: a third of `kb show`'s start-up
# (BENCHMARKS.md). tests/test_markup.py checks this table against the installed entry points.
EXTENSION_TARGETS: dict[str, str] = {
    "toc": "markdown.extensions.toc:TocExtension",
    "tables": "markdown.extensions.tables:TableExtension",
    "fenced_code": "markdown.extensions.fenced_code:FencedCodeExtension",
    "admonition": "markdown.extensions.admonition:AdmonitionExtension",
    "md_in_html": "markdown.extensions.md_in_html:MarkdownInHtmlExtension",
    "attr_list": "markdown.extensions.attr_list:AttrListExtension",
    **{name: name for name in ("pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite",
                               "pymdownx.keys", "pymdownx._bypassnorm")},
}


def _import_pymdownx_util() -> None:
    """Import ``pymdownx.util`` without ``urllib.request`` (with ``http.client``, ``email``, ``ssl``:
    a sixth of `kb show`'s start-up, BENCHMARKS.md), which it imports for two path helpers that only
    extensions we do not load call. A stand-in is in ``sys.modules`` only while it imports, as
    :func:`kbtools.index.schema._import_whoosh` does for Whoosh; its two functions import the real
    ones when called. Skipped when either module is imported already. Tested in tests/test_markup.py.
    """
    if "pymdownx.util" in sys.modules or "urllib.request" in sys.modules:
        return
    import types

    def pathname2url(*args: Any, **kwargs: Any) -> Any:
        from urllib.request import pathname2url as real

        return real(*args, **kwargs)

    def url2pathname(*args: Any, **kwargs: Any) -> Any:
        from urllib.request import url2pathname as real

        return real(*args, **kwargs)

    stub = types.ModuleType("urllib.request")
    stub.pathname2url = pathname2url  # type: ignore[attr-defined]
    stub.url2pathname = url2pathname  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stub
    try:
        import pymdownx.util  # noqa: F401
    finally:
        if sys.modules.get("urllib.request") is stub:
            del sys.modules["urllib.request"]


@lru_cache(maxsize=1)
def _markdown() -> Any:
    import importlib

    import markdown

    _import_pymdownx_util()

    class Markdown(markdown.Markdown):
        def build_extension(self, ext_name: str, configs: Any) -> Any:
            target = EXTENSION_TARGETS.get(ext_name)
            if target is None:
                return super().build_extension(ext_name, configs)
            # What Markdown does with the name once it has found where it points.
            module_name, _, class_name = target.partition(":")
            module = importlib.import_module(module_name)
            factory = getattr(module, class_name) if class_name else module.makeExtension
            return factory(**dict(configs))

    return Markdown(extensions=list(EXTENSIONS), extension_configs=extension_configs())


def render(text: str) -> str:
    """``text`` (Markdown) as the site's Markdown configuration turns it into HTML."""
    md = _markdown()
    try:
        return str(md.convert(text))
    finally:
        md.reset()


# --------------------------------------------------------------------------- what rendering costs

# Python-Markdown reads a link by walking from each `[` to its matching `]`, and from each `](`
# to its matching `)`, one character at a time; an unmatched one walks to the end of the block,
# so the time grows with the square of the brackets. The sum of those walks is the cost of a
# page's links, counted here in linear time before anything is rendered.
MAX_LINK_WORK = 1_000_000  # characters walked; 1,000 times what real entries need
# Timings of the paths these limits guard, and of real entries: BENCHMARKS.md, "Costs behind the
# code's choices".
# And a backstop for the quadratic paths that no such count foresees (long runs of `<a`, `\`,
# `*a` or `>`, which depend on the Python and Markdown versions): CPU seconds to render and check
# one entry file, far above what a real entry or 100 KB of ordinary prose takes, so that with a
# command's start-up a command stays within 2 s per file.
RENDER_BUDGET = 0.8
# The HTML of one page body, in characters: checking and sanitizing it is linear, but nh3 is slow
# on entity-dense HTML (`&` becomes `&amp;`) and runs outside any budget. A real page body is about
# 10 KB; 250 KB of ordinary prose, the file cap, gives about 350 KB.
MAX_HTML = 512 * 1024


def link_work(block: str) -> tuple[int, int]:
    """The characters Python-Markdown walks to read the links of one block, and the offset of
    the bracket that walks the furthest."""
    work, worst, worst_at = 0, -1, 0
    for open_ch, close_ch, starts in (("[", "]", None), ("(", ")", "]")):
        stack: list[int] = []
        reach: dict[int, int] = {}
        for at, ch in enumerate(block):
            if ch == open_ch:
                stack.append(at)
            elif ch == close_ch and stack:
                start = stack.pop()
                reach[start] = at - start
        for start in stack:
            reach[start] = len(block) - start
        for start, distance in reach.items():
            if starts is not None and (start == 0 or block[start - 1] != starts):
                continue
            work += distance
            if distance > worst:
                worst, worst_at = distance, start
    return work, worst_at


class RenderTimeout(Exception):
    """Rendering ran over :data:`RENDER_BUDGET`."""


class cpu_budget:
    """Raise :class:`RenderTimeout` in this block after ``seconds`` of CPU time.

    Needs SIGVTALRM and the main thread; elsewhere the block runs unguarded (the link-work
    limit still holds)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> cpu_budget:
        import signal
        import threading

        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            def expire(signum: int, frame: Any) -> None:
                raise RenderTimeout()

            self.previous = signal.signal(signal.SIGVTALRM, expire)
            signal.setitimer(signal.ITIMER_VIRTUAL, self.seconds)
            self.armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            import signal

            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, self.previous)


# --------------------------------------------------------------------------- URLs as browsers read them

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_STRIP = "".join(chr(c) for c in range(0x21))  # C0 controls and space, as the URL parser strips them


def browser_url(value: str) -> str:
    """An attribute value (already entity-decoded) as a browser's URL parser reads it: C0
    controls and spaces trimmed, tabs and newlines removed anywhere."""
    return re.sub(r"[\t\n\r]", "", value.strip(_STRIP))


def scheme(url: str) -> str | None:
    """The lower-cased scheme of a URL as a browser reads it, or None for a relative one."""
    match = _SCHEME.match(browser_url(url))
    return match.group(1).lower() if match else None


def decode(text: str) -> str:
    """HTML character references decoded: named, decimal and hex, with or without `;`."""
    return html.unescape(text)


# --------------------------------------------------------------------------- checking rendered HTML

class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}"
        if tag not in TAGS:
            for name, _value in attrs:
                if name.startswith("on"):
                    self.findings.append(Finding("KB040", f"event handler `{name}` on `<{tag}>`: it runs a script",
                                                 (f"{name}=", name, raw)))
        if tag == "img":
            self.findings.append(Finding("KB040", "an image (`<img>`): entry pages show none (the site loads nothing from "
                                                  "other hosts); link to it instead", (raw, "<img", "![")))
            return
        if tag not in TAGS:
            self.findings.append(Finding("KB040", f"raw HTML `<{tag}>` in Markdown; write Markdown, or put the "
                                                  "text in backticks", (raw, f"<{tag}")))
            return
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            value = value or ""
            if name not in allowed:
                self.findings.append(Finding(
                    "KB040", f"attribute `{name}` on `<{tag}>` is not allowed (event handlers, styles and "
                             "`{…}` attribute lists set HTML attributes); write plain Markdown",
                    (f"{name}=", name, raw)))
            elif name in URL_ATTRIBUTES:
                kind = scheme(value)
                if kind is not None and kind not in SCHEMES:
                    shown = browser_url(value)
                    shown = shown if len(shown) <= 60 else shown[:57] + "…"
                    self.findings.append(Finding(
                        "KB031", f"only http(s) and relative links are allowed; a browser reads this link as "
                                 f"`{shown}`", (*_raw_values(raw, name), value, browser_url(value))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.findings.append(Finding("KB040", "an HTML comment in Markdown; remove it", ("<!--",)))

    def handle_decl(self, decl: str) -> None:
        self.findings.append(Finding("KB040", "raw HTML in Markdown; write Markdown", (f"<!{decl}",)))

    def handle_pi(self, data: str) -> None:
        self.findings.append(Finding("KB040", "raw HTML in Markdown; write Markdown", (f"<?{data}",)))

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)


def _raw_values(tag_text: str, name: str) -> Iterator[str]:
    """The attribute's value as written in the HTML tag (entities not decoded)."""
    match = re.search(rf"\s{re.escape(name)}\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", tag_text, re.IGNORECASE)
    if match:
        value = match.group(1).strip("\"'")
        yield value
        # Python-Markdown writes `&` as `&amp;` in attributes; the source may hold it bare.
        yield value.replace("&amp;", "&")


def html_problems(rendered: str) -> list[Finding]:
    """What ``rendered`` holds outside the allowlist, in document order.

    Python's parser reads the HTML for the details; the site's sanitizer (nh3, the HTML5
    algorithm browsers use) has the last word: if it would still change the HTML, that is
    reported too, so that the validator never accepts what the site would strip.
    """
    collector = _Collector()
    collector.feed(rendered)
    collector.close()
    if not collector.findings and sanitize(rendered) != rendered:
        collector.findings.append(Finding("KB040", "this section renders to HTML that the site's sanitizer "
                                                   "changes; write plain Markdown", ()))
    return collector.findings


def locate(source: str, needles: tuple[str, ...]) -> int | None:
    """The offset in ``source`` of the first needle found (case-insensitive), or None."""
    folded = source.lower()
    for needle in needles:
        if needle:
            at = folded.find(needle.lower())
            if at >= 0:
                return at
    return None


# --------------------------------------------------------------------------- the site's sanitizer

def _nh3_strict(rendered: str) -> str:
    import nh3

    return str(nh3.clean(rendered, tags=set(TAGS), clean_content_tags={"script", "style"},
                         attributes={k: set(v) for k, v in ATTRIBUTES.items()}, url_schemes=set(SCHEMES),
                         strip_comments=True, link_rel=None))


# Every element name of HTML, so that the permissive pass keeps elements that the HTML5 parser
# creates without a tag of its own (tbody in a table, p for a stray </p>, …).
_ELEMENT_NAMES = """
a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code
col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer
form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map
mark menu meta meter nav noscript object ol optgroup option output p param picture pre progress q rp rt
ruby s samp script search section select slot small source span strong style sub summary sup table tbody
td template textarea tfoot th thead time title tr track u ul var video wbr math svg image frame frameset
noembed noframes plaintext xmp listing marquee applet basefont big blink center dir font nobr rb rtc spacer
strike tt acronym bgsound isindex keygen menuitem multicol nextid
"""
_HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())
_TAG_NAME = re.compile(r"</?([A-Za-z][^\t\n\f\r />]*)")
# Schemes a browser acts on or knows; any other scheme is dropped by both passes alike.
_SCHEME_NAMES = """
javascript vbscript livescript mocha data blob filesystem file about chrome chrome-extension view-source
jar ftp ws wss mailto tel sms intent ms-its mhtml res resource moz-extension ms-browser-extension
"""
_KNOWN_SCHEMES = frozenset(_SCHEME_NAMES.split())


def _nh3_permissive(rendered: str) -> str:
    """``rendered`` re-serialised by the same HTML5 parser with nothing removed that could matter:
    every element the parser can create here, every attribute, comments and scripts kept."""
    import nh3

    tags = set(_HTML_ELEMENTS) | set(TAGS)
    tags |= {m.group(1) for m in _TAG_NAME.finditer(rendered)} | {m.group(1).lower() for m in _TAG_NAME.finditer(rendered)}
    decoded = re.sub(r"[\t\n\r]", "", decode(rendered))
    schemes = set(SCHEMES) | _KNOWN_SCHEMES | {m.group(1).lower() for m in _SCHEME.finditer(decoded)}
    return str(nh3.clean(rendered, tags=tags, clean_content_tags=set(), attributes={},
                         generic_attribute_prefixes={""}, url_schemes=schemes, strip_comments=False,
                         link_rel=None))


def sanitize(rendered: str) -> str:
    """``rendered`` unchanged, byte for byte, when nh3 with the allowlist would remove nothing
    from it; else what nh3 leaves of it.

    nh3 re-serialises whatever it reads (``&para;`` becomes ``¶``, ``<br />`` becomes ``<br>``),
    so its output is never byte-identical to Python-Markdown's. Whether it removed anything is
    told by a second pass of the same parser that removes nothing: when the two outputs are
    equal, the page keeps the renderer's own bytes.
    """
    strict = _nh3_strict(rendered)
    return rendered if strict == _nh3_permissive(rendered) else strict
