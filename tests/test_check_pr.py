"""kb check-pr on a tiny KB in a temporary git repository: each kind of finding, and a clean branch."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_text

from kbtools.check_pr import review
from kbtools.cli import main

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}

OUTPUT_A = ("nginx: [emerg] unknown directive \"real_ip_header\" in /usr/local/kong/nginx-kong.conf:12\n"
            "nginx: configuration file /usr/local/kong/nginx.conf test failed\n")
OUTPUT_B = "ERROR: function to_regclass(unknown) does not exist (8)\n"


def git(root: Path, *args: str) -> str:
    import os
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout


@pytest.fixture
def repo(make_kb: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = make_kb({
        "kong/real-ip.md": entry_text("real-ip", front={
            "symptoms": [{"command": "kong start", "output": OUTPUT_A}], "related": ["regclass"]}),
        "kong/regclass.md": entry_text("regclass", front={"symptoms": [{"command": "kong migrations up",
                                                                          "output": OUTPUT_B}]}),
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "topic")
    return root


def _codes(root: Path) -> list[tuple[str, str]]:
    return [(p.path.name, p.code) for p in review(root).problems]


def test_a_clean_branch_flags_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-pr", "--kb", str(repo)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "compared with main (" in err
    assert err.rstrip().endswith("0 added, 0 modified, 0 deleted entries; nothing flagged")


def test_a_new_entry_with_a_known_symptom_is_a_likely_duplicate(repo: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    # Not the same text (that is KB041 of kb validate): the same log with one more line.
    text = entry_text("real-ip-again", front={"symptoms": [{"command": "kong restart",
                                                             "output": OUTPUT_A + "kong stopped\n"}]})
    (repo / "entries/kong/real-ip-again.md").write_text(text, encoding="utf-8")
    assert main(["check-pr", "--kb", str(repo)]) == 1
    out = capsys.readouterr().out
    line = text.split("\n").index("  output: 'nginx: [emerg] unknown directive \"real_ip_header\" in "
                                   "/usr/local/kong/nginx-kong.conf:12") + 1
    assert out.startswith(f"entries/kong/real-ip-again.md:{line}:11: KB051 warning: symptoms[0] finds "
                          "`real-ip` (entries/kong/real-ip.md) ")
    assert "likely a duplicate" in out


def test_a_new_entry_about_something_else_is_not_a_duplicate(repo: Path) -> None:
    text = entry_text("other", front={"symptoms": [{"log": "Kong error.log",
                                                     "output": "lua entry thread aborted: runtime error\n"}]})
    (repo / "entries/kong/other.md").write_text(text, encoding="utf-8")
    assert _codes(repo) == []


def test_a_threshold_of_zero_flags_any_other_hit(repo: Path) -> None:
    text = entry_text("other", front={"symptoms": [{"log": "Kong error.log", "output": OUTPUT_B + "x\n"}]})
    (repo / "entries/kong/other.md").write_text(text, encoding="utf-8")
    assert [p.code for p in review(repo, threshold=0.0).problems] == ["KB051"]


def test_one_half_changed_alone_is_drift(repo: Path) -> None:
    path = repo / "entries/kong/regclass.md"
    path.write_text(path.read_text(encoding="utf-8").replace("数据库版本太低。", "数据库版本低于 9.4。"),
                    encoding="utf-8")
    problems = review(repo).problems
    assert [(p.code, p.severity) for p in problems] == [("KB050", "warning")]
    en_marker = path.read_text(encoding="utf-8").split("\n").index("<!-- lang: en -->") + 1
    assert problems[0].line == en_marker
    assert "the zh half changed in this branch but the en half did not" in problems[0].message


def test_both_halves_changed_is_not_drift(repo: Path) -> None:
    path = repo / "entries/kong/regclass.md"
    text = path.read_text(encoding="utf-8").replace("数据库版本太低。", "数据库版本低于 9.4。")
    path.write_text(text.replace("The database is too old.", "The database is older than 9.4."), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "both")
    assert _codes(repo) == []


def test_code_blocks_that_differ_are_drift(repo: Path) -> None:
    path = repo / "entries/kong/regclass.md"
    text = path.read_text(encoding="utf-8")
    i = text.rindex("yum install postgresql96")
    path.write_text(text[:i] + "yum install postgresql10" + text[i + 24:], encoding="utf-8")
    assert ("regclass.md", "KB050") in _codes(repo)


def test_removing_an_entry_that_is_related_breaks_the_link(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "rm", "-q", "entries/kong/regclass.md")
    assert main(["check-pr", "--kb", str(repo)]) == 1
    out, err = capsys.readouterr()
    assert "entries/kong/real-ip.md:" in out and "KB033 related id `regclass` names no entry" in out
    assert "0 added, 0 modified, 1 deleted entry; 1 flagged" in err


def test_github_annotations(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    git(repo, "rm", "-q", "entries/kong/regclass.md")
    assert main(["check-pr", "--kb", str(repo)]) == 1
    assert "\n::error file=entries/kong/real-ip.md,line=" in capsys.readouterr().out


def test_an_unknown_base_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-pr", "--kb", str(repo), "--base", "nope"]) == 2
    err = capsys.readouterr().err
    assert "kb: error: cannot find where this branch left nope" in err
    assert "Traceback" not in err


def test_outside_a_git_repository_is_a_usage_error(make_kb: Callable[..., Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_kb({"kong/a.md": None})
    assert main(["check-pr", "--kb", str(root)]) == 2
    assert "kb: error: no origin/main or main branch to compare with" in capsys.readouterr().err
