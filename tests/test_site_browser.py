"""The built site in a real browser: Debian's chromium driven by Playwright, served on 127.0.0.1.

The fixtures `site` and `browser` are in conftest.py (shared with test_site_search_browser.py).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from sitebuild import REPO, Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO / "tests" / "artifacts"
ENTRY = "entries/kong/postgres-to-regclass/"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang,prefix,heading", [("zh", "", "按产品和组件浏览"),
                                                 ("en", "en/", "Browse by product and component")])
def test_home_lists_the_entries(browser: Browser, lang: str, prefix: str, heading: str) -> None:
    page = browser.open(prefix)
    assert page.locator("h2", has_text=heading).count() == 1
    links = page.locator(f'article a[href*="{ENTRY}"]')
    assert links.count() >= 1
    assert "to_regclass" in links.first.inner_text()
    assert page.locator("html").get_attribute("lang") == lang
    _shot(page, f"home-{lang}")


@pytest.mark.parametrize("lang,prefix,cause,fix", [("zh", "", "原因", "解决"), ("en", "en/", "Cause", "Fix")])
def test_entry_page_shows_symptom_cause_and_fix(browser: Browser, lang: str, prefix: str,
                                                cause: str, fix: str) -> None:
    page = browser.open(prefix + ENTRY)
    output = page.locator("article pre.kb-output code").nth(1)  # the command, then its output
    assert "function to_regclass(unknown) does not exist (8)" in output.inner_text()
    headings = page.locator("article h2").all_inner_texts()
    assert cause in " ".join(headings) and fix in " ".join(headings)
    # Copy buttons on the command and on the output (Material adds them with its script).
    assert page.locator('article button[data-md-type="copy"]').count() >= 2
    _shot(page, f"entry-{lang}")


def test_language_switch_lands_on_the_same_entry(browser: Browser) -> None:
    page = browser.open(ENTRY)
    page.locator(".md-header__option .md-select").hover()
    page.locator('.md-select__link[hreflang="en"]').click()
    page.wait_for_load_state("networkidle")
    assert page.url == browser.base + "en/" + ENTRY
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".md-header__option .md-select").hover()
    page.locator('.md-select__link[hreflang="zh"]').click()
    page.wait_for_load_state("networkidle")
    assert page.url == browser.base + ENTRY


@pytest.mark.parametrize("query,cjk", [("to_regclass", False), ("sock.c:539", False),
                                       ("迁移", True), ("数据库", True)])
def test_chinese_search_finds_the_entry(browser: Browser, query: str, cjk: bool) -> None:
    browser.open("")
    hrefs = browser.search(query, cjk=cjk)
    assert any("entries/kong/" in h for h in hrefs), hrefs
    if query == "to_regclass":
        assert ENTRY in hrefs[0]
    if query == "sock.c:539":
        assert "siege-connection-reset-keepalive-requests" in hrefs[0]


def test_english_search_shows_english_pages_first(browser: Browser) -> None:
    browser.open("en/")
    hrefs = browser.search("to_regclass")
    assert hrefs and all(urlsplit(h).path.startswith("/en/") for h in hrefs), hrefs
    assert ENTRY in hrefs[0]


def test_edit_link_points_at_the_entry_source(browser: Browser) -> None:
    page = browser.open(ENTRY)
    button = page.locator("a.md-content__button[href]").first
    href = str(button.get_attribute("href"))
    assert re.fullmatch(r"https://github\.com/[^/]+/[^/]+/edit/main/entries/kong/postgres-to-regclass\.md", href)
    body_link = page.locator('article a[href$="entries/kong/postgres-to-regclass.md"]').first
    assert body_link.get_attribute("href") == href


def test_language_menu_works_wherever_the_site_is_served(browser: Browser) -> None:
    # This server puts the site at /, not at site_url's /kb/: absolute menu links would 404 here.
    page = browser.open("")
    hrefs = [str(a.get_attribute("href")) for a in page.locator(".md-select__link").all()]
    assert hrefs and not any(h.startswith("/") for h in hrefs), hrefs
    page.locator(".md-header__option .md-select").hover()
    page.locator('.md-select__link[hreflang="en"]').click()
    page.wait_for_load_state("networkidle")
    assert page.url == browser.base + "en/"
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("prefix,permalink,toggle,language,foreign", [
    ("", "本节链接", "切换到", "选择当前语言", ("Made with", "Permanent link", "Switch to")),
    ("en/", "Link to this section", "Switch to", "Select language", ("Made with", "Permanent link", "切换到")),
])
def test_ui_strings_are_in_the_page_language(browser: Browser, prefix: str, permalink: str, toggle: str,
                                             language: str, foreign: tuple[str, ...]) -> None:
    page = browser.open(prefix + ENTRY)
    titles = {str(a.get_attribute("title")) for a in page.locator("a.headerlink").all()}
    assert titles == {permalink}
    labels = [str(x.get_attribute("aria-label")) for x in page.locator("input[name='__palette']").all()]
    assert labels and all(label.startswith(toggle) for label in labels), labels
    assert page.get_by_role("button", name=language).count() == 1
    html = page.content()
    for text in foreign:
        assert text not in html


def test_copy_button_leaves_the_wrapped_output_readable(browser: Browser) -> None:
    page = browser.open(ENTRY)
    page.set_viewport_size({"width": 700, "height": 900})  # narrow: the output wraps
    gap = page.evaluate("""() => {
        const pre = document.querySelectorAll('article pre.kb-output')[1];
        const code = pre.querySelector('code'), button = pre.querySelector('button[data-md-type="copy"]');
        const range = document.createRange();
        range.selectNodeContents(code);
        const lines = [...range.getClientRects()];
        const right = Math.max(...lines.filter(r => r.top < lines[0].bottom).map(r => r.right));
        return {wraps: new Set(lines.map(r => Math.round(r.top))).size > 1,
                textRight: right, buttonLeft: button.getBoundingClientRect().left};
    }""")
    assert gap["wraps"], "the test needs a wrapped output line"
    assert gap["textRight"] <= gap["buttonLeft"], gap


@pytest.mark.parametrize("path", ["", "en/", "components/kong/database/"])
def test_dates_stay_on_one_line(browser: Browser, path: str) -> None:
    page = browser.open(path)
    page.set_viewport_size({"width": 420, "height": 900})
    spans = page.evaluate("() => [...document.querySelectorAll('.kb-date')].map(s => s.getClientRects().length)")
    assert spans and set(spans) == {1}, spans
