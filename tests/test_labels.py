"""The string tables: one per surface (kbtools.site.labels, kbtools.terminal_labels), one LANGS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbtools import terminal_labels
from kbtools.langs import LANGS, other_lang
from kbtools.site import labels as site_labels

KBTOOLS = Path(__file__).resolve().parent.parent / "kbtools"


@pytest.mark.parametrize("table", [site_labels.LABELS, terminal_labels.LABELS], ids=["site", "terminal"])
def test_every_language_has_every_label(table: dict[str, dict[str, str]]) -> None:
    assert set(table) == set(LANGS)
    assert set(table["zh"]) == set(table["en"])


def test_symptoms_is_one_word_per_language_on_the_site_and_in_the_terminal() -> None:
    for lang in LANGS:
        assert terminal_labels.LABELS[lang]["symptoms"] == site_labels.LABELS[lang]["symptoms"]
    assert site_labels.LABELS["zh"]["symptoms"] == "症状"


def test_site_pages_ask_the_table_instead_of_testing_the_language() -> None:
    inline = [f"{path.name}:{number}" for path in sorted((KBTOOLS / "site").glob("*.py"))
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"""lang\s*==\s*["'](zh|en)["']""", line)]
    assert inline == []


def test_other_lang() -> None:
    assert [other_lang(lang) for lang in LANGS] == list(reversed(LANGS))
