"""Relevance of `kb search` on a KB, beside Whoosh out of the box and grep, measured in the same run.

    python benchmarks/relevance.py                       # every dev set; Markdown tables for BENCHMARKS.md
    python benchmarks/relevance.py --queries FILE...     # these sets only
    python benchmarks/relevance.py -v                    # and list the misses with their shape
    python benchmarks/relevance.py --sweep               # and what moving the confident cut would trade

Each query of a set names the entry that explains it (`expect`), or null for an error the KB does
not cover; the real sets also give `url`, `shape` and `lang`. Reported per set, per shape and over
all: recall@1, recall@3 and MRR over the covered queries; "first & confident" (the right entry
first *and* in the confident tier); and, over the uncovered ones, the share with no confident
result. Baselines in the same run: Whoosh out of the box (StandardAnalyzer over each entry file's
whole text, an OR of the query's words, BM25F) and `grep -rilF` of the query's longest line over
entries/ (files in grep's order). A baseline has no tiers: any result counts as confident.

``--sweep`` adds one more table: for other values of the confident cut
(:data:`kbtools.evidence.CONFIDENT`), the share of covered queries whose right entry comes first
*and* confident, beside the share of uncovered ones with no confident result, over the same
rankings. It is the trade-off between issue 8's two tier targets, so a planner can see which pairs
of targets the evidence can reach at all.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

Ranking = tuple[list[str], bool]  # ids best first; whether the first is confident
Ranker = Callable[[Path, str], Ranking]
METRICS = ("recall@1", "recall@3", "MRR", "first & confident", "uncovered → no confident")


def dev_sets() -> list[Path]:
    """Every development set: the sets written from the entries, the real dev sets, and the real
    held-out sets of earlier runs (each run once as held-out, development data since)."""
    return sorted(HERE.glob("queries*.yaml")) + sorted((HERE / "real").glob("*.yaml"))


def load_queries(path: Path) -> list[dict[str, Any]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    for item in items:
        item.setdefault("shape", "unlabelled")
        item.setdefault("set", path.stem)
    return items


class KbSearch:
    """`kb search` through the library, one index opened for all queries."""

    def __init__(self, root: Path):
        from kbtools.index import open_index

        self.opened = open_index(root)
        self.firsts: list[Any] = []  # the evidence of each query's first result (None: no result)

    def __call__(self, root: Path, query: str) -> Ranking:
        from kbtools.search import search

        hits = search(root, query, limit=10, opened=self.opened)
        self.firsts.append(hits[0].evidence if hits else None)
        return [hit.id for hit in hits], bool(hits) and hits[0].confident

    def close(self) -> None:
        self.opened.close()


def kb_ranking(root: Path, query: str) -> list[str]:
    """The ids `kb search` returns for ``query`` (both tiers), best first."""
    from kbtools.search import search

    return [hit.id for hit in search(root, query, limit=10)]


class WhooshDefault:
    """Whoosh as a newcomer would use it: StandardAnalyzer over the whole entry file, OR query."""

    def __init__(self, root: Path):
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.filedb.filestore import RamStorage

        self.analyzer = StandardAnalyzer()
        self.ix = RamStorage().create_index(Schema(id=ID(stored=True), text=TEXT(analyzer=self.analyzer)))
        with self.ix.writer() as writer:
            for path in sorted((root / "entries").rglob("*.md")):
                writer.add_document(id=path.stem, text=path.read_text(encoding="utf-8", errors="replace"))

    def __call__(self, root: Path, query: str) -> Ranking:
        from whoosh import query as wq

        words = list(dict.fromkeys(t.text for t in self.analyzer(query[:64 * 1024])))
        if not words:
            return [], False
        with self.ix.searcher() as searcher:
            found = [hit["id"] for hit in searcher.search(wq.Or([wq.Term("text", w) for w in words]), limit=10)]
        return found, bool(found)

    def close(self) -> None:
        self.ix.close()


def grep_ranking(root: Path, query: str) -> Ranking:
    line = max((s.strip() for s in query.splitlines()), key=len, default="")
    if not line:
        return [], False
    done = subprocess.run(["grep", "-rilF", "--include=*.md", "--", line, str(root / "entries")],
                          capture_output=True, text=True)
    found = [Path(p).stem for p in done.stdout.splitlines()]
    return found, bool(found)


def rank_all(queries: Sequence[dict[str, Any]], rank: Ranker, root: Path) -> list[Ranking]:
    return [rank(root, str(item["q"])) for item in queries]


def score(queries: Sequence[dict[str, Any]], rankings: Sequence[Ranking]) -> dict[str, float]:
    r1 = r3 = rr = first_conf = 0.0
    covered = uncovered = quiet = 0
    for item, (found, confident) in zip(queries, rankings, strict=True):
        if item["expect"] is None:
            uncovered += 1
            quiet += not (found and confident)
            continue
        covered += 1
        if item["expect"] in found:
            pos = found.index(item["expect"]) + 1
            r1 += pos == 1
            r3 += pos <= 3
            rr += 1 / pos
            first_conf += pos == 1 and confident
    n = max(covered, 1)
    return {"recall@1": r1 / n, "recall@3": r3 / n, "MRR": rr / n, "first & confident": first_conf / n,
            "uncovered → no confident": quiet / uncovered if uncovered else float("nan"),
            "covered": covered, "uncovered": uncovered}


def _cell(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"


def table(title: str, groups: dict[str, list[int]], queries: Sequence[dict[str, Any]],
          runs: dict[str, list[Ranking]]) -> list[str]:
    """One Markdown table: a row per group (set or shape), kb search's figures and the baselines'."""
    names = list(runs)
    head = ["| " + title + " | covered / uncovered | " + " | ".join(f"kb {m}" for m in METRICS)
            + " | " + " | ".join(f"{n} r@1 / r@3 / no result" for n in names[1:]) + " |"]
    head.append("|" + "---|" * (2 + len(METRICS) + len(names) - 1))
    for group, index in groups.items():
        subset = [queries[i] for i in index]
        ours = score(subset, [runs[names[0]][i] for i in index])
        row = [group, f"{ours['covered']} / {ours['uncovered']}"] + [_cell(ours[m]) for m in METRICS]
        for name in names[1:]:
            base = score(subset, [runs[name][i] for i in index])
            row.append(" / ".join(_cell(base[m]) for m in ("recall@1", "recall@3", "uncovered → no confident")))
        head.append("| " + " | ".join(row) + " |")
    return head


SWEEP_CUTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def sweep(queries: Sequence[dict[str, Any]], rankings: Sequence[Ranking], firsts: Sequence[Any],
          cuts: Sequence[float] = SWEEP_CUTS) -> list[dict[str, float]]:
    """For each cut, "first & confident" and "uncovered → no confident" had the confident cut been
    ``cut`` (the other condition, :data:`kbtools.evidence.MIN_SHARED` weight shared, kept)."""
    from kbtools.evidence import MIN_SHARED

    rows = []
    for cut in cuts:
        moved = [(found, ev is not None and ev.confidence > cut and ev.shared_weight >= MIN_SHARED)
                 for (found, _), ev in zip(rankings, firsts, strict=True)]
        figures = score(queries, moved)
        rows.append({"cut": cut, "first & confident": figures["first & confident"],
                     "uncovered → no confident": figures["uncovered → no confident"]})
    return rows


def answerable(root: Path, queries: list[dict[str, Any]], out: Any = sys.stdout) -> list[dict[str, Any]]:
    """The queries whose expected entry is in the KB at ``root`` (and the uncovered ones). A set
    may name entries that are still being written; those queries are counted out, and said so."""
    ids = {path.stem for path in (root / "entries").rglob("*.md")}
    kept = [item for item in queries if item["expect"] is None or item["expect"] in ids]
    if len(kept) < len(queries):
        missing = sorted({str(item["expect"]) for item in queries if item not in kept})
        print(f"left out: {len(queries) - len(kept)} queries whose entry is not in this KB "
              f"({len(missing)} ids, e.g. {', '.join(missing[:3])})\n", file=out)
    return kept


def report(root: Path, queries: list[dict[str, Any]], *, verbose: bool = False, with_sweep: bool = False,
           out: Any = sys.stdout) -> dict[str, float]:
    """Run kb search and the baselines on ``queries``; print the tables; return kb search's totals."""
    queries = answerable(root, queries, out)
    runs: dict[str, list[Ranking]] = {}
    firsts: list[Any] = []
    for name, make in (("kb search", KbSearch), ("Whoosh default", WhooshDefault)):
        ranker = make(root)
        try:
            runs[name] = rank_all(queries, ranker, root)
            if isinstance(ranker, KbSearch):
                firsts = ranker.firsts
        finally:
            ranker.close()
    runs["grep"] = rank_all(queries, grep_ranking, root)
    by_set: dict[str, list[int]] = {}
    by_shape: dict[str, list[int]] = {}
    for i, item in enumerate(queries):
        by_set.setdefault(item["set"], []).append(i)
        by_shape.setdefault(item["shape"], []).append(i)
    by_set["**all**"] = list(range(len(queries)))
    print("\n".join(table("set", by_set, queries, runs)), file=out)
    print(file=out)
    print("\n".join(table("shape", dict(sorted(by_shape.items())), queries, runs)), file=out)
    if with_sweep:
        print("\n| confident cut | kb first & confident | kb uncovered → no confident |\n|---|---|---|", file=out)
        for row in sweep(queries, runs["kb search"], firsts):
            print(f"| {row['cut']:g} | {_cell(row['first & confident'])} | {_cell(row['uncovered → no confident'])} |",
                  file=out)
    if verbose:
        for item, (found, confident) in zip(queries, runs["kb search"], strict=True):
            expect = item["expect"]
            miss = (found[:1] != [expect] or not confident) if expect else bool(found and confident)
            if miss:
                tier = "confident" if confident else "possible"
                print(f"MISS [{item['set']} {item['shape']}] expect={expect} got={found[:3]} ({tier}) "
                      f"q={str(item['q'])[:100]!r}", file=sys.stderr)
    return score(queries, runs["kb search"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=REPO, help="KB root (default: this checkout)")
    parser.add_argument("--queries", type=Path, nargs="+", help="query sets (default: every dev set)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses with their shape")
    parser.add_argument("--sweep", action="store_true",
                        help="also show what other confident cuts would trade between the two tier figures")
    args = parser.parse_args(argv)
    queries = [item for path in (args.queries or dev_sets()) for item in load_queries(path)]
    report(args.kb, queries, verbose=args.verbose, with_sweep=args.sweep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
