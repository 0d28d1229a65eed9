"""The README's quick start is what CI runs, and the CLI reference in it matches `kb --help`."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.*?)\n```", section, re.S)


def test_the_quick_start_is_exactly_two_commands() -> None:
    commands = quick_start()
    assert len(commands) == 2, commands
    assert all("\n" not in command for command in commands)


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    test_command = quick_start()[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
