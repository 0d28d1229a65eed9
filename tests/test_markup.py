"""kbtools.markup: the site's Markdown, the allowlist check of its HTML, and the nh3 sanitizer."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO

from kbtools import markup


def test_the_validator_renders_with_the_sites_markdown_configuration() -> None:
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"))
    assert tuple(config.markdown_extensions) == markup.EXTENSIONS  # MkDocs' defaults, then ours
    ours = markup.extension_configs()
    assert set(config.mdx_configs) == set(ours)
    for name, options in config.mdx_configs.items():
        mine = ours[name]
        assert set(options) == set(mine), name
        for key, value in options.items():
            if key == "slugify":
                assert value("原因 Cause", "-") == mine[key]("原因 Cause", "-")
            elif key == "custom_fences":
                assert [(f["name"], f["class"], f["format"]) for f in value] == \
                       [(f["name"], f["class"], f["format"]) for f in mine[key]]
            else:
                assert value == mine[key], (name, key)


def _real_pages() -> list[tuple[str, str]]:
    from kbtools.load import load_kb
    from kbtools.site.entry_page import SiteContext, render_entry

    kb = load_kb(REPO)
    ctx = SiteContext(products=kb.products, edit_base="https://github.com/o/r/edit/main/",
                      titles={e.id: (e.product, {"zh": e.title.zh, "en": e.title.en}) for e in kb.entries})
    return [(f"{lang}/{e.id}", markup.render(render_entry(e, lang, ctx))) for e in kb.entries for lang in ("zh", "en")]


def test_extensions_resolve_where_markdowns_entry_points_send_them() -> None:
    # markup._markdown skips Markdown's look-up of each name among every package's entry points:
    # its table must say what that look-up finds (an entry point, else the module of that name).
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in reversed(list(entry_points(group="markdown.extensions")))}
    assert set(markup.EXTENSIONS) <= set(markup.EXTENSION_TARGETS)
    for name, target in markup.EXTENSION_TARGETS.items():
        assert target == found.get(name, name), name
    assert found["toc"] == "markdown.extensions.toc:TocExtension"  # the table is not vacuous


def test_the_faster_markdown_renders_every_real_page_as_markdown_itself_does() -> None:
    import markdown

    from kbtools.load import load_kb
    from kbtools.site.entry_page import SiteContext, render_entry

    kb = load_kb(REPO)
    plain = markdown.Markdown(extensions=list(markup.EXTENSIONS), extension_configs=markup.extension_configs())
    ctx = SiteContext(products=kb.products, edit_base="", titles={})
    for entry in kb.entries:
        for lang in ("zh", "en"):
            text = render_entry(entry, lang, ctx)
            assert markup.render(text) == plain.convert(text), entry.id
            plain.reset()


def test_every_real_entry_page_passes_the_allowlist_untouched() -> None:
    pages = _real_pages()
    assert len(pages) >= 30
    for name, html in pages:
        assert markup.html_problems(html) == [], name
        assert markup.sanitize(html) == html, name  # byte for byte


@pytest.mark.parametrize("html,gone", [
    ('<p><img src=x onerror="alert(1)"></p>', "onerror"),
    ('<p><a href="javascript&#58;alert(1)">x</a></p>', "javascript"),
    ('<p><a href="java&#9;script:alert(1)">x</a></p>', "script:"),
    ('<p><a href=" JaVaScRiPt:alert(1)">x</a></p>', "alert"),
    ('<p><a href="data:text/html,x">x</a></p>', "data:"),
    ('<p><x_y autofocus tabindex=1 onfocus=alert(1)>hi</x_y></p>', "onfocus"),
    ("<p><script>alert(1)</script></p>", "alert"),
    ('<p><svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg></p>', "onerror"),
    ('<p style="color:red">x</p>', "style"),
    ("<p>a<!-- c -->b</p>", "<!--"),
    ('<table><tr><td><a href="vbscript:x">v</a></td></tr></table>', "vbscript"),
    ('<p><a href="https://a.example/" onclick="x()">ok</a></p>', "onclick"),
    ('<p><A HREF="javascript:alert(1)">up</A></p>', "javascript"),
])
def test_sanitize_removes_what_the_allowlist_does_not_hold(html: str, gone: str) -> None:
    clean = markup.sanitize(html)
    assert clean != html
    assert gone.lower() not in clean.lower()
    assert markup.sanitize(clean) == clean, "what it returns passes it again, unchanged"


@pytest.mark.parametrize("html", [
    '<p>A <a href="https://a.example/x?a=1&amp;b=2" title="t">link</a> &amp; <code>&lt;b&gt;</code> &para;</p>',
    '<h2 id="cause">Cause<a class="headerlink" href="#cause" title="Permanent link">&para;</a></h2>',
    '<pre class="kb-output"><code>&quot;quoted&quot; &#39;x&#39;\n</code></pre><hr /><p>line<br />\nbreak</p>',
    '<ol start="3"><li><strong>a</strong> <em>b</em> <kbd class="key-ctrl">Ctrl</kbd></li></ol>',
    '<p><a href="../../tags/#postgresql">tag</a> <a href="#x">anchor</a></p>',
])
def test_sanitize_keeps_allowed_html_byte_for_byte(html: str) -> None:
    assert markup.sanitize(html) == html


@pytest.mark.parametrize("value,expected", [
    ("javascript:x", "javascript"), (" \x01JaVaScRiPt:x", "javascript"), ("java\tscr\nipt:x", "javascript"),
    ("https://a.example/", "https"), ("../x/", None), ("#frag", None), ("x/y:z", None), ("mailto:a@b", "mailto"),
])
def test_scheme_as_a_browser_reads_it(value: str, expected: str | None) -> None:
    assert markup.scheme(value) == expected


def test_findings_name_the_tag_attribute_or_link() -> None:
    found = markup.html_problems('<p><a href="javascript&#x3a;alert(1)">x</a><b onclick="y">b</b></p>')
    assert [f.code for f in found] == ["KB031", "KB040", "KB040"]  # the link, the handler, the tag
    assert "javascript:alert(1)" in found[0].message
    assert found[0].needles[0] == "javascript&#x3a;alert(1)"
    assert "`onclick`" in found[1].message and "`<b>`" in found[2].message


def test_a_search_loads_neither_markdown_nor_nh3(make_kb: Callable[..., Path]) -> None:
    # Building the index and searching never render Markdown: kb search starts as fast as before.
    root = make_kb({"kong/a.md": None})
    code = ("import sys\nfrom kbtools.cli import main\n"
            "try:\n    main(['search', '--kb', sys.argv[1], 'sample'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in ('markdown', 'nh3', 'pymdownx') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60,
                          env={"KB_CACHE_DIR": str(root / "cache"), "PATH": "/usr/bin:/bin"})
    assert "LOADED []" in done.stderr, done.stderr
    assert "sample" in done.stdout


def test_rendering_imports_no_urllib_request_and_leaves_no_stand_in() -> None:
    # markup keeps pymdownx.util's needless urllib.request out of kb show's start-up; the stand-in
    # must not outlive the import, and pymdownx.util's two path helpers must still work.
    code = ("import sys\nfrom kbtools import markup\nassert '<h2' in markup.render('## a\\n\\n```bash\\nls\\n```')\n"
            "print('LOADED', [m for m in ('urllib.request', 'http.client', 'email') if m in sys.modules])\n"
            "import pymdownx.util, urllib.request\nassert hasattr(urllib.request, 'Request')\n"
            "assert pymdownx.util.url2pathname('a%20b') == urllib.request.url2pathname('a%20b') == 'a b'\n"
            "assert pymdownx.util.pathname2url('a b') == 'a%20b'\nprint('OK')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stdout and "OK" in done.stdout, done.stderr


def test_the_render_budget_stops_a_long_render() -> None:
    import time

    start = time.process_time()
    with pytest.raises(markup.RenderTimeout), markup.cpu_budget(0.2):
        while True:
            sum(range(1000))
    assert time.process_time() - start < 1.0


def test_a_section_shown_in_the_other_language_passes_untouched(make_kb: Callable[..., Path]) -> None:
    # The site wraps it in `<div lang="zh" markdown>` (md_in_html); the validator renders it the same way.
    from conftest import entry_text

    from kbtools.load import load_kb
    from kbtools.site.entry_page import SiteContext, render_entry

    text = entry_text("a").replace("## 解决\n", "## 备注\n\n只有中文的 [备注](https://a.example/x)。\n\n## 解决\n")
    kb = load_kb(make_kb({"kong/a.md": text}))
    assert kb.problems == [] and len(kb.entries) == 1
    page = markup.render(render_entry(kb.entries[0], "en", SiteContext(kb.products, {}, "")))
    assert '<div lang="zh">' in page
    assert markup.html_problems(page) == []
    assert markup.sanitize(page) == page
