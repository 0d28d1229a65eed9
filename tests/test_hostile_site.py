"""The built site holds no script, event handler or script link that came from entry content.

Two halves: entries that are valid but carry every injection we could think of (in outputs,
commands, code, titles, references, source, prose) are built and the HTML is inspected; the
invalid hostile corpus (tests/hostile/) must stop the build before any page is written.
Every payload carries the marker KBXSS, so a script of the theme is never mistaken for one of ours.
"""

from __future__ import annotations

import html.parser
import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import entry_text
from sitebuild import REPO, build, build_unsanitized, copy_site_files

pytestmark = pytest.mark.slow

MARK = "KBXSS"
SCRIPT = f"<script>alert('{MARK}')</script>"
HANDLER = f"\" onmouseover=\"alert('{MARK}')\" x=\""
CODE = textwrap.dedent(f"""\
    ```bash
    echo '{SCRIPT}'   # <img src=x onerror=alert('{MARK}')>
    ```
    """)
PROSE = (f"Escaped: &lt;script&gt;alert('{MARK}')&lt;/script&gt;, code `{SCRIPT}`, a link with a quoted title "
         f"[docs](https://example.com/ \"a\\\" onclick=\\\"alert('{MARK}')\"), an autolink "
         f"<https://example.com/\"onclick=\"{MARK}>, javascript:alert('{MARK}') as plain text.")


def _hostile_but_valid(root: Path) -> None:
    body = (f"<!-- lang: zh -->\n## 原因\n\n{PROSE}\n\n## 解决\n\n{CODE}\n"
            f"<!-- lang: en -->\n## Cause\n\n{PROSE}\n\n## Fix\n\n{CODE}")
    text = entry_text("xss-attempts", front={
        "title": {"zh": f"标题 {HANDLER} javascript:alert('{MARK}')", "en": f"Title {HANDLER} {{{{ {MARK} }}}}"},
        "component": "config",
        "symptoms": [
            {"command": f"curl '\"><svg onload=alert(\"{MARK}\")>' {SCRIPT}",
             "output": f"{SCRIPT}\n<img src=x onerror=alert('{MARK}')>\n]]></x>{HANDLER}\n"},
            {"log": f"error.log {HANDLER}", "output": f"</code></pre>{SCRIPT}\n"},
        ],
        # KB031 refuses `"`, `<` and `>` in URLs; `'` and `)` are valid URL characters, and the ones that
        # once ended a spliced `[title](url)` (issue 13 (i)).
        "references": [{"url": f"https://example.com/'onmouseover='alert({MARK})", "title": f"Ref {HANDLER}"}],
        "source": {"title": f"Src {HANDLER}", "author": f"Author {HANDLER}",
                   "url": f"https://example.com/?q=')[x](javascript:alert({MARK}))", "section": f"Section {HANDLER}"},
    }, body=body)
    (root / "entries/kong").mkdir(parents=True)
    shutil.copy2(REPO / "entries/products.yml", root / "entries/products.yml")
    (root / "entries/kong/xss-attempts.md").write_text(text, encoding="utf-8")
    copy_site_files(root)


class Inspector(html.parser.HTMLParser):
    """Collects what could run: scripts, on* attributes, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    value.replace("\t", "").replace("\n", "").startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        if tag == "script":
            self.in_script = True
            if any(MARK in (v or "") for _, v in attrs):
                self.found.append("<script> with an attribute from an entry")
        if tag in ("iframe", "object", "embed", "base") or (tag == "svg" and any(MARK in (v or "") for _, v in attrs)):
            self.found.append(f"<{tag}>")  # the theme's icons are inline <svg>: only ours count

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and MARK in data:
            self.found.append("a <script> holding entry text")


def _inspect(site: Path) -> dict[str, list[str]]:
    bad: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        inspector = Inspector()
        inspector.feed(page.read_text(encoding="utf-8"))
        if inspector.found:
            bad[page.relative_to(site).as_posix()] = inspector.found
    return bad


def test_injections_in_valid_entries_stay_text(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    _hostile_but_valid(root)
    done = build(root)
    assert done.returncode == 0, done.stderr[-3000:]
    site = root / "site"
    pages = [p for p in site.rglob("*.html") if "xss-attempts" in p.as_posix()]
    assert len(pages) == 2, "one entry page per language"
    for page in pages:
        assert MARK in page.read_text(encoding="utf-8"), "the payloads are shown, as text"
    assert _inspect(site) == {}


def test_the_inspector_does_catch_a_handler(tmp_path: Path) -> None:
    page = tmp_path / "x.html"
    page.write_text(f"<p><img src=x onerror=\"alert('{MARK}')\"><a href=' JavaScript:x'>a</a>"
                    f"<script>var a='{MARK}'</script></p>", encoding="utf-8")
    assert _inspect(tmp_path) == {"x.html": ["<img onerror=…>", "<a href=javascript:x>",
                                             "a <script> holding entry text"]}


def test_the_invalid_hostile_corpus_stops_the_build(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "entries/kong").mkdir(parents=True)
    shutil.copy2(REPO / "entries/products.yml", root / "entries/products.yml")
    hostile = Path(__file__).resolve().parent / "hostile"
    for path in hostile.glob("*.md"):
        shutil.copy2(path, root / "entries/kong" / path.name)
    copy_site_files(root)
    done = build(root)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "entries/kong/script-in-body.md:27:9: KB040" in done.stderr
    assert not list((root / "site").rglob("script-in-body*")), "no page of an invalid entry is written"


def test_the_sanitizer_leaves_the_real_site_byte_identical(tmp_path: Path) -> None:
    # The real KB built as it is, and built with the sanitizer replaced by the identity: every
    # file of the two sites is the same, byte for byte.
    root = tmp_path / "kb"
    root.mkdir()
    shutil.copytree(REPO / "entries", root / "entries")
    copy_site_files(root)
    done = build(root)
    assert done.returncode == 0, done.stderr[-3000:]
    raw = build_unsanitized(root, tmp_path / "raw")
    assert raw.returncode == 0, raw.stderr[-3000:]
    ours = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    theirs = {p.relative_to(tmp_path / "raw"): p.read_bytes() for p in (tmp_path / "raw").rglob("*") if p.is_file()}
    assert sorted(ours) == sorted(theirs)
    assert len([p for p in ours if "entries" in p.parts]) >= 30
    assert [p for p in ours if ours[p] != theirs[p]] == []
