"""kb check-pr: what a reviewer should look at in this branch (duplicates, drift, broken links)."""

from __future__ import annotations

import argparse
import os
import sys

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "check-pr", help="review help: likely duplicates, translation drift, broken related ids",
        description="Compare the working tree with the merge base of --base and flag, as warnings:\n"
                    "  KB051 a new entry whose symptom already finds an existing entry first in search,\n"
                    "  KB050 code blocks that differ between the zh and en halves, or one half changed alone,\n"
                    "  KB033 related ids that name no entry.",
        epilog="exit status: 0 nothing flagged, 1 something flagged, 2 usage, git or knowledge-base error.\n"
               "With GITHUB_ACTIONS=true, warnings are also printed as GitHub annotations.\n\n"
               "examples:\n  kb check-pr\n  kb check-pr --base upstream/main",
    )
    parser.add_argument("--base", metavar="REF",
                        help="branch or commit the pull request goes into (default: origin/main, else main)")
    parser.add_argument("--threshold", type=float, default=None, metavar="0..1",
                        help="share of a new entry's own search score from which an existing entry "
                             "is a likely duplicate (default: 0.85)")
    options.add_kb(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kbtools.check_pr import DUPLICATE_THRESHOLD, review
    from kbtools.errors import KBError

    threshold = DUPLICATE_THRESHOLD if args.threshold is None else args.threshold
    if not 0 <= threshold <= 1:
        raise KBError(f"--threshold {threshold}: give a confidence between 0 and 1")
    root = options.root(args)
    result = review(root, args.base, threshold=threshold)
    for problem in result.problems:
        print(problem.format(root))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in result.problems:
            print(problem.github_annotation(root))
    counts = (f"{len(result.added)} added, {len(result.modified)} modified, "
              f"{len(result.deleted)} deleted entr{'y' if len(result.deleted) == 1 else 'ies'}")
    verdict = f"{len(result.problems)} flagged" if result.problems else "nothing flagged"
    print(f"compared with {result.base}: {counts}; {verdict}", file=sys.stderr)
    return 1 if result.problems else 0
