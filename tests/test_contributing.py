"""The contributing guides: in step with the code they describe."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from kbtools.cli import COMMANDS
from kbtools.contributing import BEGIN, END, GUIDES, with_rule_table
from kbtools.model import FrontMatter


@pytest.mark.parametrize("name", GUIDES)
def test_rule_table_is_current(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    assert text == with_rule_table(text), f"{name}: run `python -m kbtools.contributing` to refresh the rule table"


def test_the_markers_are_required() -> None:
    with pytest.raises(ValueError):
        with_rule_table("no markers")
    assert with_rule_table(f"a\n{BEGIN}\nold\n{END}\nb").startswith(f"a\n{BEGIN}\n| Code |")


def test_the_guides_link_to_each_other() -> None:
    en, zh = ((REPO / name).read_text(encoding="utf-8") for name in GUIDES)
    assert "[中文版](CONTRIBUTING.zh.md)" in en.split("\n\n")[1]
    assert "[English](CONTRIBUTING.md)" in zh.split("\n\n")[1]


@pytest.mark.parametrize("name", GUIDES)
def test_field_table_lists_every_field_in_model_order(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE)
    assert rows == list(FrontMatter.model_fields)


@pytest.mark.parametrize("name", GUIDES)
def test_every_kb_command_in_the_guides_exists(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    code = " ".join(re.findall(r"```.*?```|`[^`\n]+`", text, re.DOTALL))  # commands, not prose
    used = set(re.findall(r"\bkb ([a-z][a-z-]+)", code))
    assert used - {"search"} <= set(COMMANDS), used - set(COMMANDS)
    assert {"new", "validate", "fmt", "check-pr"} <= used


def test_the_guides_run_the_checks_ci_runs() -> None:
    workflow = (REPO / ".github/workflows/pr.yml").read_text(encoding="utf-8")
    for command in ("kb validate", "kb fmt --check", "python -m pytest"):
        assert command in workflow
        for name in GUIDES:
            assert command in (REPO / name).read_text(encoding="utf-8")
