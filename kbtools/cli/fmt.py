"""kb fmt: rewrite entries into the canonical layout, or (--check) say which are not."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "fmt", help="rewrite entries into the canonical layout",
        description="Rewrite entry files into one canonical layout (field order, quoting, `|` blocks for\n"
                    "outputs, LF line endings, blank lines around headings) without changing their content.\n"
                    "Files with validation errors are reported and left alone.",
        epilog="exit status: 0 all files canonical (or reformatted), 1 a file has errors or (--check)\n"
               "is not canonical, 2 usage or knowledge-base error.\n\n"
               "examples:\n  kb fmt\n  kb fmt entries/kong/postgres-to-regclass.md\n"
               "  kb fmt --check        # as in CI: a diff for each file that is not canonical",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="entry files or folders (default: every entry of the KB)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; print a diff and exit 1 when a file is not canonical")
    parser.add_argument("--diff", action="store_true", help="write nothing; print what would change")
    options.add_kb(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.fmt import NotWritten, format_files, write_formatted
    from kbtools.load import entry_files

    files, root = options.entry_paths_and_root(args)
    if files is None:
        files = entry_files(root)

    write = not (args.check or args.diff)
    refused = changed = written = 0
    for outcome in format_files(root, files):
        label = _label(outcome.path, root)
        if outcome.problems:
            refused += 1
            for problem in outcome.problems:
                print(problem.format(root), file=sys.stderr)
            continue
        if not outcome.changed:
            continue
        changed += 1
        if not write:
            sys.stdout.write(outcome.diff(label))
            continue
        try:
            write_formatted(outcome)
        except NotWritten as exc:
            print(f"{label}: {exc}", file=sys.stderr)
            refused += 1
            continue
        written += 1
        print(f"reformatted {label}", file=sys.stderr)

    total = len(files)
    parts = []
    if written:
        parts.append(f"{written} reformatted")
    if changed and not write:
        parts.append(f"{changed} would be reformatted")
    if refused:
        parts.append(f"{refused} not formatted (fix the problems above first)")
    parts.append(f"{total - changed - refused} already canonical")
    print(f"{total} file{'s' * (total != 1)}: " + ", ".join(parts), file=sys.stderr)
    if refused or (changed and args.check):
        return 1
    return 0


def _label(path: Path, root: Path) -> str:
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return path.as_posix()
