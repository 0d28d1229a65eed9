"""Relevance of `kb search` on the real KB, beside a grep baseline measured in the same run.

    python benchmarks/relevance.py            # prints a Markdown table for BENCHMARKS.md

Each query of benchmarks/queries.yaml names the entry that explains it, or null for errors the KB
does not cover. Reported: recall@1, recall@3 and MRR over the covered queries, and the share of
uncovered queries answered with "no match". The baseline is `grep -rilF` of the query's longest
line over entries/ (files listed in grep's order; no output counts as "no match").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def kb_ranking(root: Path, query: str) -> list[str]:
    from kbtools.search import search

    return [hit.id for hit in search(root, query, limit=10)]


def grep_ranking(root: Path, query: str) -> list[str]:
    line = max((s.strip() for s in query.splitlines()), key=len, default="")
    if not line:
        return []
    done = subprocess.run(["grep", "-rilF", "--include=*.md", "--", line, str(root / "entries")],
                          capture_output=True, text=True)
    return [Path(p).stem for p in done.stdout.splitlines()]


def score(queries: list[dict[str, str | None]], rank: object, root: Path) -> dict[str, float]:
    r1 = r3 = rr = 0.0
    covered = uncovered = no_match = 0
    for item in queries:
        found = rank(root, str(item["q"]))  # type: ignore[operator]
        if item["expect"] is None:
            uncovered += 1
            no_match += not found
            continue
        covered += 1
        if item["expect"] in found:
            pos = found.index(item["expect"]) + 1
            r1 += pos == 1
            r3 += pos <= 3
            rr += 1 / pos
    return {"recall@1": r1 / covered, "recall@3": r3 / covered, "MRR": rr / covered,
            "no match (uncovered)": no_match / max(uncovered, 1), "covered": covered, "uncovered": uncovered}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=REPO, help="KB root (default: this checkout)")
    parser.add_argument("--queries", type=Path, default=HERE / "queries.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args(argv)
    queries = yaml.safe_load(args.queries.read_text(encoding="utf-8"))["queries"]
    ours = score(queries, kb_ranking, args.kb)
    base = score(queries, grep_ranking, args.kb)
    if args.verbose:
        for item in queries:
            found = kb_ranking(args.kb, item["q"])
            if (found[:1] or [None])[0] != item["expect"]:
                print(f"MISS expect={item['expect']} got={found[:3]} q={item['q'][:80]!r}", file=sys.stderr)
    print(f"{ours['covered']} covered queries, {ours['uncovered']} uncovered\n")
    print("| metric | kb search | grep -rilF (longest line) |")
    print("|---|---|---|")
    for key in ("recall@1", "recall@3", "MRR", "no match (uncovered)"):
        print(f"| {key} | {ours[key]:.2f} | {base[key]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
