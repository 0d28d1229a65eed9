"""The command line as a whole: every subcommand exists, is documented, and starts cleanly."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
