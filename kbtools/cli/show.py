"""kb show: one whole entry, rendered for the terminal, in one language or both."""

from __future__ import annotations

import argparse
import json
import sys

from kbtools.cli import options
from kbtools.langs import LANGS


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "show", help="print a whole entry",
        description="Print an entry: its symptoms, environment, and the cause and fix in both languages\n"
                    "(or only the one given with --lang), with the file and the page on the site.",
        epilog="exit status: 0 shown, 1 no entry with that id, 2 usage or knowledge-base error.\n\n"
               "examples:\n  kb show postgres-to-regclass\n  kb show postgres-to-regclass --lang zh\n"
               "  kb show postgres-to-regclass --json | jq .environment",
    )
    parser.add_argument("id", metavar="ID", help="the entry's id (its file name without .md), as kb search prints it")
    options.add_kb(parser)
    parser.add_argument("--lang", choices=LANGS, default=None,
                        help="show only this language (default: both)")
    options.add_json(parser)
    options.add_colour(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.entry_view import find_view, json_view
    from kbtools.term import Painter, error, use_colour
    from kbtools.terminal_entry import render_entry
    from kbtools.urls import entry_urls, site_url

    root = options.root(args)
    entry_id = args.id.strip().removesuffix(".md")
    found = find_view(root, entry_id)
    if found is None:
        from kbtools.load import similar_ids

        close = similar_ids(root, entry_id)
        hint = f"; did you mean {', '.join(close)}?" if close else "; find one with `kb search WORDS`"
        error(f"no entry with id `{entry_id}`{hint}")
        return 1
    view, path = found
    rel = path.relative_to(root).as_posix()
    urls = entry_urls(site_url(root), view["product"], view["id"])
    if args.json:
        json.dump(json_view(view, rel, urls), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    langs = [args.lang] if args.lang else list(LANGS)
    paint = Painter(use_colour(sys.stdout, args.colour))
    print(render_entry(view, langs, paint, path=rel, urls=urls))
    return 0
