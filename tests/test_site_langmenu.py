"""The language menu's links, relative to the page that carries them."""

from __future__ import annotations

import pytest

from kbtools.site.langmenu import relative_language_links

MENU = '<a href="{}" hreflang="{}" class="md-select__link">'


@pytest.mark.parametrize("page,target,expected", [
    ("/kb/", "/kb/en/", "en/"),
    ("/kb/", "/kb/", "./"),
    ("/kb/en/", "/kb/", "../"),
    ("/kb/en/entries/kong/x/", "/kb/entries/kong/x/", "../../../../entries/kong/x/"),
])
def test_absolute_menu_links_become_relative(page: str, target: str, expected: str) -> None:
    assert relative_language_links(MENU.format(target, "zh"), page) == MENU.format(expected, "zh")


def test_other_links_are_left_alone() -> None:
    html = '<a href="/kb/en/">x</a> ' + MENU.format("../", "zh")
    assert relative_language_links(html, "/kb/en/") == html
