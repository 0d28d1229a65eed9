"""kb validate: check entries and report every problem as path:line:col: KBnnn message."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "validate", help="check entries against the format rules",
        description="Check the whole knowledge base, or the given entry files and folders, and report\n"
                    "every problem at once as `path:line:col: KBnnn message` (rules: `kb rules`).",
        epilog="exit status: 0 no errors, 1 errors found, 2 usage or knowledge-base error.\n"
               "With GITHUB_ACTIONS=true, problems are also printed as GitHub annotations.\n\n"
               "examples:\n  kb validate\n  kb validate entries/kong/postgres-to-regclass.md\n"
               "  kb validate --json | jq '.problems[].code'",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="entry files or folders to check (default: the whole KB)")
    options.add_kb(parser)
    options.add_json(parser)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every entry checked")
    parser.add_argument("--github", action=argparse.BooleanOptionalAction, default=None,
                        help="print GitHub annotations too (default: on when GITHUB_ACTIONS=true)")
    options.add_colour(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.load import load_kb
    from kbtools.term import Painter, use_colour

    files, root = options.entry_paths_and_root(args)
    kb = load_kb(root, only=files)
    errors = [p for p in kb.problems if p.severity == "error"]

    if args.json:
        json.dump({
            "kb": str(root),
            "files_checked": kb.files_checked,
            "entries_valid": len(kb.entries) if files is None else None,
            "errors": len(errors),
            "problems": [p.to_dict(root) for p in kb.problems],
        }, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 1 if errors else 0

    github = args.github if args.github is not None else os.environ.get("GITHUB_ACTIONS") == "true"
    paint = Painter(use_colour(sys.stdout, args.colour))
    for problem in kb.problems:
        print(problem.format(root, paint))
    if github:
        for problem in kb.problems:
            print(problem.github_annotation(root))
    if args.verbose:
        for entry in sorted(kb.entries, key=lambda e: e.path):
            print(f"{paint('ok', 'green')}  {kb.relpath(entry.path)}  {entry.id}")
    checked = kb.files_checked
    bad_files = len({p.path for p in errors})
    if errors:
        summary = (f"{len(errors)} error{'s' * (len(errors) != 1)} in {bad_files} "
                   f"file{'s' * (bad_files != 1)} ({checked} checked)")
        print(paint(summary, "red", "bold"), file=sys.stderr)
        return 1
    per_product = Counter(e.product for e in kb.entries)
    detail = ", ".join(f"{name}: {count}" for name, count in sorted(per_product.items()))
    noun = "entry" if checked == 1 else "entries"
    print(paint(f"{checked} {noun} checked, no errors", "green") + (f" ({detail})" if detail else ""),
          file=sys.stderr)
    return 0

