"""kb rules: the table of validation rules."""

from __future__ import annotations

import argparse
import json
import sys

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "rules", help="list the validation rules (KBnnn codes)",
        description="List the numbered rules that `kb validate` checks, with how to fix each.",
    )
    options.add_json(parser)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in CONTRIBUTING)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from kbtools.rules import RULES, markdown_table

    if args.json:
        json.dump([asdict(rule) for rule in RULES],
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        for rule in RULES:
            print(f"{rule.code}  {rule.name:<18} {rule.summary}")
    return 0
