"""kb schema: print or refresh the JSON Schema of the entry front matter."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kbtools.cli import options

DEFAULT_PATH = Path("schema/entry.schema.json")


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "schema", help="print the JSON Schema of the entry front matter",
        description="Print the JSON Schema generated from the entry model, for editors and tools.",
        epilog="examples:\n  kb schema > entry.schema.json\n  kb schema --write   "
               "# refresh schema/entry.schema.json in this checkout",
    )
    parser.add_argument("--write", action="store_true",
                        help=f"write it to {DEFAULT_PATH} under the KB root instead of printing it")
    options.add_kb(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.atomic import write_text
    from kbtools.schema import entry_schema_text

    text = entry_schema_text()
    if not args.write:
        sys.stdout.write(text)
        return 0
    target = options.root(args) / DEFAULT_PATH
    if target.exists() and target.read_text(encoding="utf-8") == text:
        print(f"{target}: up to date", file=sys.stderr)
        return 0
    write_text(target, text, overwrite=True)
    print(f"{target}: written", file=sys.stderr)
    return 0
