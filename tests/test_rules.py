"""The rule table: each rule's example fires exactly its rule, `kb rules CODE` shows it, and
problems can only be made from a rule that exists."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kbtools.errors import Problem
from kbtools.rules import BEFORE, EXAMPLE_BASE, RULES, SETUP, rule

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}

# Where each example's problem is reported: the file (relative to the KB) and line.
WHERE = {
    "KB001": ["entries/kong/connection-timeout.md:1"],
    "KB002": ["entries/kong/connection-timeout.md:1"],
    "KB003": ["entries/kong/connection-timeout.md:1"],
    "KB004": ["entries/kong/connection-timeout.md:15"],
    "KB005": ["entries/kong/connection-timeout.md:14"],
    "KB006": ["entries/kong/connection-timeout.md:15"],
    "KB007": ["entries/kong/connection-timeout.md:1"],
    "KB008": ["entries/kong/connection-timeout.md:13"],
    "KB010": ["entries/kong/connection-timeout.md:2"],
    "KB011": ["entries/kong/connection-timeout.md:14"],
    "KB012": ["entries/kong/connection-timeout.md:15"],
    "KB013": ["entries/kong/connection-timeout.md:2"],
    "KB014": ["entries/other/connection-timeout.md:2"],
    "KB015": ["entries/kong/connection-timeout.md:6", "entries/kong/connection-timeout.md:6"],
    "KB016": ["entries/kong/connection-timeout.md:7"],
    "KB017": ["entries/kong/connection-timeout.md:5"],
    "KB020": ["entries/kong/connection-timeout.md:23"],
    "KB021": ["entries/kong/connection-timeout.md:37", "entries/kong/connection-timeout.md:42"],
    "KB022": ["entries/kong/connection-timeout.md:27"],
    "KB024": ["entries/kong/connection-timeout.md:5"],
    "KB030": ["entries/kong/connection-timeout.md:13"],
    "KB031": ["entries/kong/connection-timeout.md:18"],
    "KB032": ["entries/kong/connection-timeout.md:21"],
    "KB033": ["entries/kong/connection-timeout.md:16"],
    "KB040": ["entries/kong/connection-timeout.md:40"],
    "KB041": ["entries/kong/connection-timeout.md:10"],
    "KB042": ["entries/kong/connection-timeout.md:40"],
    "KB043": ["entries/kong/connection-timeout.md:38"],
    "KB050": ["entries/kong/connection-timeout.md:46"],
    "KB051": ["entries/kong/real-ip-again.md:10"],
    "KB060": ["entries/kong/connection-timeout.md:14"],
    "KB070": ["kb/note-order.yml:2"],
    "KB071": ["kb/note-order.yml:7"],
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def install(code: str, root: Path) -> None:
    """Lay out the example of ``code`` as a knowledge base at ``root``, as kbtools.rules describes."""
    example = rule(code).example
    shutil.copytree(EXAMPLE_BASE, root)
    if (example / BEFORE).is_dir():
        shutil.copytree(example / BEFORE, root, dirs_exist_ok=True)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "before")
        _git(root, "checkout", "-q", "-b", "topic")
    shutil.copytree(example, root, dirs_exist_ok=True, ignore=lambda folder, names: [
        name for name in names if Path(folder) == example and name in (BEFORE, SETUP)])
    if (example / SETUP).is_file():
        subprocess.run(["sh", str(example / SETUP)], cwd=root, check=True)


def reported(code: str, root: Path) -> list[Problem]:
    """What the command that owns the rule reports on the KB at ``root``."""
    from kbtools.load import entry_files, load_kb

    checker = rule(code).checked_by
    if checker == "check-pr":
        from kbtools.check_pr import review
        return review(root, "main").problems
    if checker == "fmt":
        from kbtools.fmt import format_files
        return [p for outcome in format_files(root, entry_files(root)) for p in outcome.problems]
    kb = load_kb(root)
    if checker == "site":
        from kbtools.site.notes import NOTES_FILE, load_notes
        return kb.problems + load_notes(root / "kb" / NOTES_FILE, kb.entries)[1]
    assert checker == "validate"
    return kb.problems


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_the_example_fires_exactly_its_rule(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    install(code, root)
    problems = reported(code, root)
    assert {p.code for p in problems} == {code}
    assert {p.severity for p in problems} == {rule(code).severity}
    assert [f"{p.display_path(root)}:{p.line}" for p in problems] == WHERE[code]
