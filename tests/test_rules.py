"""The rule table: each rule's example fires exactly its rule, `kb rules CODE` shows it, and
problems can only be made from a rule that exists."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kbtools.cli import main
from kbtools.errors import Problem
from kbtools.rules import BEFORE, EXAMPLE_BASE, RULES, SETUP, Rule, UnknownRule, problem, rule

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


# --------------------------------------------------------------------------- making problems

def test_a_problem_takes_its_severity_from_its_rule(tmp_path: Path) -> None:
    made = problem("KB050", tmp_path / "a.md", 3, 1, "drift", field="body")
    assert (made.code, made.severity, made.field, made.line) == ("KB050", "warning", "body", 3)
    assert problem("KB031", tmp_path / "a.md", 1, 1, "bad url").severity == "error"


def test_an_unknown_code_raises() -> None:
    with pytest.raises(UnknownRule, match="KB999"):
        problem("KB999", Path("a.md"), 1, 1, "no such rule")
    with pytest.raises(UnknownRule):
        problem("fmt", Path("a.md"), 1, 1, "the old code of kb fmt")


def test_problems_are_made_only_from_rules() -> None:
    # A Problem built anywhere else could carry a code the table lacks, or the wrong severity.
    package = Path(__file__).resolve().parent.parent / "kbtools"
    makers = sorted(path.relative_to(package).as_posix() for path in package.rglob("*.py")
                    if "Problem(" in path.read_text(encoding="utf-8"))
    assert makers == ["rules.py"]


def test_every_rule_says_why_and_has_an_example() -> None:
    for each in RULES:
        assert each.why.strip() and each.why.endswith("."), each.code
        assert [f for f in each.example_files() if f.role != "before"], each.code


def test_github_annotation_escapes_what_would_end_the_command(tmp_path: Path) -> None:
    made = problem("KB050", tmp_path / "entries/a,b:c.md", 4, 2, "50% done\nnext line")
    assert made.github_annotation(tmp_path) == (
        "::warning file=entries/a%2Cb%3Ac.md,line=4,col=2,title=KB050::50%25 done%0Anext line")


def test_format_paints_the_place_and_the_code(tmp_path: Path) -> None:
    made = problem("KB050", tmp_path / "a.md", 4, 2, "drift")
    assert made.format(tmp_path) == "a.md:4:2: KB050 warning: drift"
    assert made.format(tmp_path, lambda text, *styles: f"[{'+'.join(styles)}]{text}") == \
        "[bold]a.md:4:2: [yellow+bold]KB050 warning: drift"


# --------------------------------------------------------------------------- kb rules CODE

def test_kb_rules_code_prints_summary_why_fix_and_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "kb031"]) == 0
    out = capsys.readouterr().out
    kb031 = rule("KB031")
    assert out.startswith("KB031  url  (error, reported by kb validate)\n\n" + kb031.summary + "\n\n"
                          f"Why: {kb031.why}\n\nFix: {kb031.fix}\n\n"
                          "Example (kbtools/rule_examples/KB031/), which kb validate reports as KB031:\n\n"
                          "--- entries/kong/connection-timeout.md\n---\nid: connection-timeout\n")
    assert "\n  - url: javascript:alert(1)\n" in out


def test_kb_rules_code_shows_invisible_characters_and_cuts_long_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "KB024"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "  en: <U+202E>esabatad connection times out during migrations\n" in out
    assert main(["rules", "KB001"]) == 0
    assert "\n<U+FEFF>---\n" in capsys.readouterr().out
    assert main(["rules", "KB042"]) == 0
    assert f"The database is {'[' * 144}… (1,856 more characters)\n" in capsys.readouterr().out


def test_kb_rules_code_names_the_roles_of_special_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "KB051"]) == 0
    out = capsys.readouterr().out
    assert "reported by kb check-pr" in out
    assert out.index("--- before/entries/kong/real-ip.md  (committed before the branch)\n") < \
        out.index("--- entries/kong/real-ip-again.md\n")
    assert main(["rules", "KB007"]) == 0
    assert "--- setup.sh  (run in the knowledge base after the files are copied)\n" in capsys.readouterr().out


def test_kb_rules_unknown_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "KB999"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == "kb: error: no rule `KB999`; `kb rules` lists them all\n"


def test_kb_rules_code_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json", "KB070"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("code", "name", "severity", "checked_by")} == \
        {"code": "KB070", "name": "note-order", "severity": "error", "checked_by": "site"}
    assert data["why"] == rule("KB070").why
    assert data["example"]["folder"] == "kbtools/rule_examples/KB070"
    files = {f["path"]: f for f in data["example"]["files"]}
    assert set(files) == {"entries/kong/connection-timeout.md", "kb/note-order.yml"}
    assert files["kb/note-order.yml"]["text"] == (rule("KB070").example / "kb/note-order.yml").read_text(encoding="utf-8")


def test_rule_is_a_frozen_table_entry() -> None:
    assert isinstance(rule("KB001"), Rule)
    with pytest.raises(AttributeError):
        rule("KB001").severity = "warning"  # type: ignore[misc]
