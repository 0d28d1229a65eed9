"""kb export: every entry, both languages, all fields, as one versioned JSON document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "export", help="print all entries as JSON (both languages, all fields)",
        description="Print every entry of the knowledge base as one JSON document with a `schema_version`,\n"
                    "the same document the site publishes as kb.json. Invalid entries stop the export.",
        epilog="examples:\n  kb export > kb.json\n  kb export --site-url https://example.org/kb/ | jq '.entries[].id'",
    )
    options.add_kb(parser)
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--site-url", metavar="URL", help="add each entry's page addresses on the site at URL")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.export import export_json
    from kbtools.load import load_kb

    kb = load_kb(options.root(args))
    kb.raise_for_problems()
    text = export_json(kb, args.site_url)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    from kbtools.atomic import write_text

    write_text(args.output, text, overwrite=True)
    print(f"{args.output}: {len(kb.entries)} entries", file=sys.stderr)
    return 0
