"""kb rules: the table of validation rules, or one rule with why it exists and a failing example."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from typing import TYPE_CHECKING

from kbtools.cli import options

if TYPE_CHECKING:
    from kbtools.rules import Rule

# Example lines longer than this are cut when printed (the link-work example is one line of 2,000 `[`).
MAX_SHOWN = 160
ROLES = {"before": "committed before the branch", "setup": "run in the knowledge base after the files are copied"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "rules", help="list the validation rules (KBnnn codes)",
        description="List the numbered rules that `kb validate` checks, with how to fix each; with a code,\n"
                    "show that rule: what it checks, why, how to fix it, and an example that breaks it.",
        epilog="exit status: 0 shown, 2 unknown code.\n\n"
               "examples:\n  kb rules\n  kb rules KB031\n  kb rules --json KB031 | jq -r '.example.files[].text'",
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="one rule to show, e.g. KB031")
    options.add_json(parser)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in CONTRIBUTING)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from kbtools.rules import RULES, UnknownRule, markdown_table, rule
    from kbtools.term import error

    if args.code is not None:
        try:
            one = rule(args.code.strip().upper())
        except UnknownRule:
            error(f"no rule `{args.code}`; `kb rules` lists them all")
            return 2
        if args.json:
            json.dump(_json(one), sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            sys.stdout.write(describe(one))
        return 0
    if args.json:
        json.dump([asdict(each) for each in RULES],
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        for each in RULES:
            print(f"{each.code}  {each.name:<18} {each.summary}")
    return 0


def describe(rule: Rule) -> str:
    """The rule as `kb rules CODE` prints it."""
    from kbtools.rules import CHECKERS, EXAMPLES

    where = rule.example.relative_to(EXAMPLES.parent.parent).as_posix()
    lines = [f"{rule.code}  {rule.name}  ({rule.severity}, reported by {CHECKERS[rule.checked_by]})", "",
             rule.summary, "", f"Why: {rule.why}", "", f"Fix: {rule.fix}", "",
             f"Example ({where}/), which {CHECKERS[rule.checked_by]} reports as {rule.code}:"]
    for file in rule.example_files():
        lines += ["", f"--- {file.path}" + (f"  ({ROLES[file.role]})" if file.role else "")]
        lines += [_shown(line) for line in file.text.rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def _shown(line: str) -> str:
    """A line of an example as it can be read on a terminal: invisible and direction-changing
    characters (the very things some examples are about) written as <U+XXXX>, long lines cut."""
    out = "".join(f"<U+{ord(ch):04X}>" if ch != "\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch
                  for ch in line)
    if len(out) > MAX_SHOWN:
        out = out[:MAX_SHOWN] + f"… ({len(out) - MAX_SHOWN:,} more characters)"
    return out


def _json(rule: Rule) -> dict[str, object]:
    from dataclasses import asdict

    from kbtools.rules import EXAMPLES

    return {**asdict(rule), "example": {
        "folder": rule.example.relative_to(EXAMPLES.parent.parent).as_posix(),
        "files": [asdict(file) for file in rule.example_files()]}}
