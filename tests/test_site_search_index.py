"""The faster search tokenizer gives Material's sections exactly (kbtools.site.searchindex)."""

from __future__ import annotations

import pytest
from material.plugins.search.plugin import Parser

from kbtools.site.render import render_entry
from kbtools.site.searchindex import parse

markdown = pytest.importorskip("markdown")

SAMPLES = [
    "<h1 id=\"t\">Title <a class=\"headerlink\" href=\"#t\">¶</a></h1><p>Some <code>to_regclass</code> &amp; &lt;x&gt;</p>",
    "<p>preface</p>\n<h2 id=\"a\">A</h2>\n<pre class=\"kb-output\"><code>line 1\n  line &quot;2&quot;\n</code></pre>",
    "<div data-search-exclude><p>hidden</p></div><p>shown<br/>after <br>break</p><ul>\n<li>x</li>\n<li></li></ul>",
    "<h3 id='q' class=x>Quoted 'attrs'</h3><table><tr><td>a</td><td>b|c</td></tr></table><img src=\"a.png\" alt=\"\">",
    "<p>迁移数据库的时候报错 <code>sock.c:539</code>，重启。</p><h2 id=\"原因\">原因</h2><p>中文 text</p>",
    # Outside the fast subset: these go to Material's parser.
    "<p>a <!-- note --> b</p><script>if (a < b) {}</script><p>tail</p>",
    "<p>a < b and <3</p>",
    "<?xml version=\"1.0\"?><p>pi</p><style>p{}</style>",
]


def _sections(parser: Parser) -> list[tuple[str, str | None, list[str], list[str], bool]]:
    return [(repr(s.el), s.id, s.title, s.text, s.is_excluded()) for s in parser.data]


def _material(html: str) -> Parser:
    parser = Parser()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("html", SAMPLES)
def test_same_sections_as_material(html: str) -> None:
    assert _sections(parse(html)) == _sections(_material(html))


def test_same_sections_on_rendered_entries() -> None:
    from pathlib import Path

    from pymdownx.slugs import slugify

    from kbtools.load import load_kb
    from kbtools.site.render import SiteContext

    kb = load_kb(Path(__file__).resolve().parent.parent)
    ctx = SiteContext(products=kb.products, titles={}, edit_base="https://example.org/edit/")
    md = markdown.Markdown(
        extensions=["admonition", "attr_list", "tables", "toc", "pymdownx.highlight", "pymdownx.superfences",
                    "pymdownx.inlinehilite", "pymdownx.keys"],
        extension_configs={"toc": {"permalink": True, "slugify": slugify(case="lower")}})
    assert kb.entries
    for entry in kb.entries:
        for lang in ("zh", "en"):
            html = md.reset().convert(render_entry(entry, lang, ctx))
            assert _sections(parse(html)) == _sections(_material(html))


def test_cached_pygments_setup_gives_the_same_html() -> None:
    from pymdownx import highlight

    from kbtools.site import highlightcache

    text = "```bash\nexport A=1 && echo \"$A\" # done\n```\n\n```ini\n[a]\nb = 1\n```\n\n`#!python print(1)`\n"
    exts = ["pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"]
    saved = {n: getattr(highlight, n).__dict__.get("_create_stylesheet") for n in ("BlockHtmlFormatter",
                                                                                  "InlineHtmlFormatter")}
    for name in saved:
        if saved[name] is not None:
            delattr(getattr(highlight, name), "_create_stylesheet")
    try:
        plain = markdown.markdown(text, extensions=exts)
        highlightcache.install()
        assert markdown.markdown(text, extensions=exts) == plain
        assert markdown.markdown(text, extensions=exts) == plain  # from the cache
        assert 'class="nb"' in plain or 'class="nv"' in plain
    finally:
        for name, value in saved.items():
            cls = getattr(highlight, name)
            if value is None and "_create_stylesheet" in cls.__dict__:
                delattr(cls, "_create_stylesheet")
            elif value is not None:
                cls._create_stylesheet = value
