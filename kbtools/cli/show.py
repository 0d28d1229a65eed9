"""kb show: one whole entry, rendered for the terminal, in one language or both."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from kbtools.cli import options


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
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help="show only this language (default: both)")
    options.add_json(parser)
    options.add_colour(parser)
    parser.set_defaults(run=run)


def find_entry_file(root: Path, entry_id: str) -> Path | None:
    """The file of entry ``entry_id``: ``entries/<product>/<id>.md`` (the id is the file's stem)."""
    from kbtools.locate import ENTRIES

    if "/" in entry_id or "\\" in entry_id or entry_id.startswith("."):
        return None
    found = sorted((root / ENTRIES).glob(f"*/{entry_id}.md"))
    return found[0] if found else None


def run(args: argparse.Namespace) -> int:
    from kbtools.errors import EntryError
    from kbtools.load import load_products
    from kbtools.locate import ENTRIES
    from kbtools.parse import read_entry_file
    from kbtools.search import site_url
    from kbtools.term import Painter, error, use_colour
    from kbtools.terminal_entry import render_entry
    from kbtools.urls import entry_url
    from kbtools.validate import check_file

    root = options.root(args)
    entry_id = args.id.strip().removesuffix(".md")
    path = find_entry_file(root, entry_id)
    if path is None:
        known = sorted(p.stem for p in (root / ENTRIES).glob("*/*.md"))
        close = difflib.get_close_matches(entry_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; find one with `kb search WORDS`"
        error(f"no entry with id `{entry_id}`{hint}")
        return 1
    products, _ = load_products(root)
    entry, problems = check_file(read_entry_file(path), products, root / ENTRIES)
    if entry is None:
        raise EntryError([p for p in problems if p.severity == "error"])
    rel = path.relative_to(root).as_posix()
    base = site_url(root)
    urls = {lang: entry_url(base, lang, entry.product, entry.id) for lang in ("zh", "en")} if base else {}
    if args.json:
        data = entry.model_dump(mode="json")
        data.update(path=rel, urls=urls, body={lang: {k: s.text for k, s in sections.items()}
                                               for lang, sections in entry.body.items()})
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    langs = [args.lang] if args.lang else ["zh", "en"]
    paint = Painter(use_colour(sys.stdout, args.colour))
    print(render_entry(entry, langs, paint, path=rel, urls=urls))
    return 0
