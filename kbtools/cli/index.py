"""kb index: build or update the search index now, and say what was done (kb search does it on its own)."""

from __future__ import annotations

import argparse
import json
import sys

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "index", help="build or update the search index now",
        description="Bring the search index up to date: re-index the entries that changed since the last\n"
                    "build (or all of them with --force) and report what was done. `kb search` does this\n"
                    "by itself when needed; run it to pay the cost up front, e.g. after a `git pull`. After\n"
                    "an upgrade of kb it rebuilds the index, so that `kb show` reads entries from it again.",
        epilog="exit status: 0 done, 2 usage or knowledge-base error, or the index cannot be written.\n"
               "The index lives in $KB_CACHE_DIR, else $XDG_CACHE_HOME/kb/index (~/.cache/kb/index),\n"
               "one folder per knowledge base; deleting it is always safe.\n\n"
               "examples:\n  kb index\n  kb index --force\n  kb index --where",
    )
    options.add_kb(parser)
    parser.add_argument("--force", action="store_true", help="rebuild everything, even when nothing changed")
    parser.add_argument("--where", action="store_true", help="print the index folder and do nothing else")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    options.add_json(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.cli.progress import stderr_progress
    from kbtools.index import cache_dir, open_index
    from kbtools.term import warn

    root = options.root(args)
    if args.where:
        print(cache_dir(root))
        return 0
    # Building the index where searches find it is this command's whole job: no in-memory stand-in.
    opened = open_index(root, rebuild=args.force, progress=None if args.quiet else stderr_progress,
                        in_memory=False, wait=True, views=True)
    try:
        for message in opened.warnings:
            warn(message)
        report = opened.report
        entries = opened.manifest.entry_count()
        skipped = opened.manifest.skipped()
        location = opened.location
    finally:
        opened.close()
    if args.json:
        json.dump({
            "kb": str(root), "index": location, "entries": entries, "skipped": skipped,
            "full": bool(report and report.full), "added": report.added if report else 0,
            "updated": report.updated if report else 0, "removed": report.removed if report else 0,
            "seconds": round(report.seconds, 3) if report else 0.0,
        }, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if args.quiet:
        return 0
    if report is None or not report.changed:
        print(f"index is up to date: {entries} entries ({location})")
    elif report.full:
        print(f"indexed {entries} entries in {report.seconds:.1f} s ({location})")
    else:
        print(f"updated the index in {report.seconds:.2f} s: {report.added} added, {report.updated} updated, "
              f"{report.removed} removed; {entries} entries ({location})")
    for rel in skipped:
        warn(f"{rel}: left out of the index because it is invalid; run `kb validate {rel}`")
    return 0
