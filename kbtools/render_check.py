"""The body's render check (KB040–KB043): each language's page body rendered as the site renders
it, and the HTML checked against :mod:`kbtools.markup`'s allowlist.

Apart from :mod:`kbtools.validate` because it needs only the body halves, not the front matter's
model: `kb show` runs it on an entry read back from the index (which is built without it, see
``check_file(html=False)``) without importing pydantic or YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from kbtools.errors import Problem
from kbtools.langs import LANGS, other_lang
from kbtools.parse import SECTIONS, Half, Section, blank_code
from kbtools.rules import problem

Halves = Mapping[str, Half]


def _page_bodies(halves: Halves) -> Iterator[tuple[str, list[Section]]]:
    """For each language, the body sections its page shows, in order (a section missing in one
    language shows the other's, as kbtools.site.entry_page does)."""
    for lang in LANGS:
        other = other_lang(lang)
        shown: list[Section] = []
        for key in SECTIONS:
            mine = halves.get(lang, Half(lang, 0)).sections.get(key)
            theirs = halves.get(other, Half(other, 0)).sections.get(key)
            if mine is not None and mine.text.strip():
                shown.append(mine)
            elif theirs is not None and theirs.text.strip():
                shown.append(theirs)
        yield lang, shown


def check_rendered(path: Path, halves: Halves, problems: list[Problem]) -> None:
    """Render each language's page body with the site's Markdown and check the HTML it gives:
    every tag and attribute inside the allowlist, every link http(s) or relative as a browser
    reads it. Reference definitions reach across sections, so a page is rendered whole."""
    from kbtools import markup

    pages = [(lang, sections) for lang, sections in _page_bodies(halves) if sections]
    if not pages or _too_much_link_work(path, pages, problems):
        return  # no section to render: the structure rules have said what is missing
    found: list[Problem] = []
    current = pages[0][1]
    try:
        with markup.cpu_budget(markup.RENDER_BUDGET):
            for lang, sections in pages:
                current = sections
                html = markup.render(_page_markdown(halves, lang, sections))
                if len(html) > markup.MAX_HTML:
                    problems.append(problem("KB043", path, sections[0].line, 1,
                                            f"the body renders to {len(html):,} characters of HTML, over the limit of "
                                            f"{markup.MAX_HTML:,} (runs of `&` or `<` grow fourfold); shorten it, or put "
                                            "such text in a code block"))
                    return
                for finding in markup.html_problems(html):
                    line, col = _locate(sections, finding.needles)
                    found.append(problem(finding.code, path, line, col, finding.message))
    except markup.RenderTimeout:
        problems.append(problem("KB043", path, current[0].line, 1,
                                f"the body takes more than {markup.RENDER_BUDGET:g} s of CPU to render and check "
                                "(long runs of markup characters such as `<a`, `\\`, `*a` or `>`); put such text in "
                                "a code block"))
        return
    seen: set[tuple[int, int, str]] = set()
    for each in found:  # a finding in a section that both pages show is reported once
        if (each.line, each.col, each.code) not in seen:
            seen.add((each.line, each.col, each.code))
            problems.append(each)


def _page_markdown(halves: Halves, lang: str, sections: list[Section]) -> str:
    """The body of ``lang``'s page as kbtools.site.entry_page._sections writes it: a section that only
    the other language has is shown in a `<div lang markdown>` (md_in_html)."""
    own = [s for s in halves[lang].sections.values()] if lang in halves else []
    parts = []
    for section in sections:
        if any(section is s for s in own):
            parts.append(f"## {section.heading}\n\n{section.text.strip()}")
        else:
            other = other_lang(lang)
            parts.append(f'## {section.heading}\n\n<div lang="{other}" markdown>\n\n{section.text.strip()}\n\n</div>')
    return "\n\n".join(parts)


def _locate(sections: list[Section], needles: tuple[str, ...]) -> tuple[int, int]:
    """The line and column of the first needle found in the sections (else the first heading)."""
    from kbtools import markup

    for section in sections:
        at = markup.locate(section.text, needles)
        if at is not None:
            return _position(section, at)
    return sections[0].line, 1


def _position(section: Section, at: int) -> tuple[int, int]:
    before = section.text[:at]
    return (section.text_line or section.line + 1) + before.count("\n"), at - (before.rfind("\n") + 1) + 1


def _too_much_link_work(path: Path, pages: list[tuple[str, list[Section]]], problems: list[Problem]) -> bool:
    """KB042 before rendering: brackets that would make Python-Markdown walk too far."""
    from kbtools import markup

    for _lang, sections in pages:
        total, worst = 0, (0, sections[0], 0)
        for section in sections:
            offset = 0
            prose = blank_code(section.text)
            for block in re.split(r"(\n[ \t]*\n)", prose):
                work, at = markup.link_work(block)
                total += work
                if work > worst[0]:
                    worst = (work, section, offset + at)
                offset += len(block)
        if total > markup.MAX_LINK_WORK:
            line, col = _position(worst[1], worst[2])
            problems.append(problem("KB042", path, line, col,
                                    f"brackets that do not close (`[`, `](`) make the renderer walk {total:,} "
                                    f"characters, over the limit of {markup.MAX_LINK_WORK:,}; close them, escape them "
                                    "as `\\[`, or put the text in a code block"))
            return True
    return False
