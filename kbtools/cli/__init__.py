"""The ``kb`` command: a thin layer of argparse over the library.

Each subcommand lives in its own module here with two functions: ``register(subparsers)`` adds its
parser (with the shared options of :mod:`kbtools.cli.options`), and ``run(args)`` does the work by
calling the library and returns the exit code (0 success, 1 problems found / nothing matched, 2
usage or knowledge-base error, as grep does).
Subcommand modules import the library inside ``run`` so that ``kb search`` starts without
loading what other commands need.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from kbtools import __version__
from kbtools.cli import options
from kbtools.errors import EntryError, KBError
from kbtools.term import error

# Order of the subcommands in `kb --help`.
COMMANDS = ("search", "show", "validate", "new", "fmt", "check-pr", "index", "export", "schema", "rules")

DESCRIPTION = """\
kb: a bilingual (中文 + English) troubleshooting knowledge base.
Paste an error, get the entry that explains its cause and fix."""

EPILOG = """\
The knowledge base used is, in order: --kb DIR, $KB_DIR, the nearest parent folder whose
entries/ holds products.yml (a checkout), or the KB bundled with kb.

exit status: 0 success, 1 problems found or nothing matched, 2 usage or knowledge-base error,
or output that cannot be written (a full disk, a closed pipe).
Colour is used on a terminal only, and never when NO_COLOR is set.

examples:
  kb search "function to_regclass(unknown) does not exist"
  journalctl -u kong | tail -n 20 | kb search -
  kb show postgres-to-regclass --lang en
  kb validate entries/kong/postgres-to-regclass.md
  kb new --product kong --component database --id my-new-problem"""


def _module_name(command: str) -> str:
    return "kbtools.cli." + command.replace("-", "_")


def available_commands() -> list[str]:
    found = []
    for command in COMMANDS:
        try:
            importlib.import_module(_module_name(command))
        except ModuleNotFoundError as exc:
            if exc.name != _module_name(command):
                raise
            continue
        found.append(command)
    return found


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``kb`` parser; ``only`` registers that one subcommand (see :func:`main`)."""
    parser = argparse.ArgumentParser(
        prog="kb", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    for command in [only] if only else available_commands():
        importlib.import_module(_module_name(command)).register(sub)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` starts with, if it is one that exists here."""
    if not argv or argv[0] not in COMMANDS:
        return None
    try:
        importlib.import_module(_module_name(argv[0]))
    except ModuleNotFoundError as exc:
        if exc.name != _module_name(argv[0]):
            raise
        return None
    return argv[0]


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Importing and registering every subcommand is a sizeable share of `kb search`'s time budget
    # (BENCHMARKS.md, "Costs behind the code's choices"): when the command line names one, only that
    # one is registered. Its parsing, help and errors
    # are the same; `kb`, `kb --help` and a mistyped command still get the full parser.
    _tolerate_narrow_encodings()
    parser = build_parser(_named_command(argv))
    args = parser.parse_args(argv)
    real_stdout = sys.stdout
    sys.stdout = _Output(real_stdout)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a failed write must be seen here, not at interpreter exit
        return code
    except OutputError as exc:
        # The reader went away (`| head -0`) or the output cannot be written (`> /dev/full`).
        _silence(real_stdout)
        error(f"cannot write the output: {exc.strerror or exc}")
        return 2
    except KBError as exc:
        error(str(exc))
        return 2
    except EntryError as exc:
        for problem in exc.problems:
            print(problem.format(getattr(args, "root", None)), file=sys.stderr)
        error(f"{len(exc.problems)} problem(s) in the knowledge base; run `kb validate` for details")
        return 2
    except KeyboardInterrupt:
        _silence(real_stdout)
        return 130
    except OSError as exc:
        # A failed system call that no command turned into a message of its own: one line all the same.
        error(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
        return 2
    finally:
        sys.stdout = real_stdout


class OutputError(OSError):
    """Standard output cannot be written: a full disk, a closed pipe."""


class _Output:
    """Standard output, telling its own write errors apart from those of any other file."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _tolerate_narrow_encodings() -> None:
    """Under an encoding that cannot show every character (PYTHONIOENCODING=ascii), print a
    replacement mark for what it cannot show instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="replace")


def _silence(stream: TextIO) -> None:
    """Point the output at /dev/null, so that the interpreter's last flush at exit cannot fail once
    more with what the buffer still holds, and print its own message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


__all__ = ["build_parser", "main", "options"]
