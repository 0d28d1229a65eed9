"""The command line as a whole: every subcommand exists, is documented, and starts cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import entry_text

from kbtools.cli import COMMANDS, available_commands, build_parser, main


def test_every_planned_subcommand_is_there() -> None:
    assert available_commands() == list(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_complete_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    choice = sub.choices[command]  # type: ignore[index]
    assert choice.description, f"`kb {command}` has no description"
    listed = {a.dest: a.help for a in sub._choices_actions}  # type: ignore[attr-defined]
    assert listed.get(command), f"`kb {command}` has no one-line help in `kb --help`"
    for action in choice._actions:
        if action.option_strings or action.dest != "help":
            assert action.help, f"`kb {command}`: {action.option_strings or action.dest} has no help text"
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: kb {command}")


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert f"\n    {command} " in out or f"\n    {command}\n" in out


def test_no_command_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "kbtools"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "usage: kb" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_command_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "kbtools", "serach", "x"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "invalid choice: 'serach'" in done.stderr


# --------------------------------------------------------------------------- output that cannot be written

def _git_kb(make_kb: Callable[..., Path]) -> Path:
    """A KB in a git repository whose `main` holds one entry and whose work tree adds a second,
    written in a non-canonical layout, so that every subcommand has something to print."""
    root = make_kb({"kong/first.md": None})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(root)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    first = root / "entries/kong/first.md"  # one half changed, the other not: check-pr has a finding
    first.write_text(first.read_text(encoding="utf-8").replace("数据库版本太低。", "版本太低。"), encoding="utf-8")
    (root / "entries/kong/second.md").write_text(entry_text("second").replace("\n---\n", "\n---\n\n\n", 1),
                                                 encoding="utf-8")
    return root


ARGS = {
    "search": ["sample", "failure"], "show": ["first"], "validate": ["-v"], "new": [
        "--product", "kong", "--component", "database", "--id", "third"],
    "fmt": ["--diff"], "check-pr": ["--base", "main"], "index": [], "export": [], "schema": [], "rules": [],
}


def _run(args: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_CACHE_DIR": str(cwd / ".cache"), "NO_COLOR": "1", **kwargs.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "kbtools", *args], cwd=cwd, capture_output=kwargs.pop(
        "capture_output", True), text=True, timeout=60, env=env, **kwargs)


def test_every_subcommand_has_arguments_for_the_failed_write_test() -> None:
    assert set(ARGS) == set(COMMANDS)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", COMMANDS)
def test_stdout_on_dev_full_is_one_line_and_exit_2(command: str, make_kb: Callable[..., Path]) -> None:
    root = _git_kb(make_kb)
    with open("/dev/full", "w") as full:
        done = _run([command, *ARGS[command]], root, stdout=full, stderr=subprocess.PIPE, capture_output=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith("kb: error: cannot write the output: No space left on device\n"), done.stderr
    # Progress and warnings may come first, but no traceback and no second error.
    assert "Traceback" not in done.stderr and done.stderr.count("error") == 1, done.stderr


def test_a_closed_pipe_is_one_line_and_exit_2(make_kb: Callable[..., Path]) -> None:
    root = _git_kb(make_kb)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before kb writes a byte (`kb export | head -0`)
    try:
        done = _run(["export"], root, stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)
    assert done.returncode == 2
    assert done.stderr == "kb: error: cannot write the output: Broken pipe\n"


def test_an_ascii_only_terminal_gets_replacement_marks(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/first.md": None})
    done = _run(["search", "--lang", "zh", "数据库", "sample"], root, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # 示例：数据库连接超时 and 编号, one mark per character that ASCII lacks.
    assert done.stdout.startswith("1. ??????????\n   ??: first  (kong/database)\n"), done.stdout


def test_a_help_text_is_still_written_in_full(make_kb: Callable[..., Path]) -> None:
    root = make_kb({})
    done = _run(["search", "--help"], root)
    assert done.returncode == 0 and done.stdout.startswith("usage: kb search")
