"""Relevance on a padded KB: a temporary copy of the KB plus every near-miss error as an entry.

    python benchmarks/padded.py                               # benchmarks/nearmiss.yaml, every dev set
    python benchmarks/padded.py --nearmiss FILE --queries FILE... -v

Does the search still find the right entries, confidently, when the KB also holds many real errors
that look like them (other Kong, nginx/OpenResty, PostgreSQL, Kubernetes, Lua problems)? Each error
of the near-miss file (`errors:` items with `id`, `product`, `title`, `error`, `url`) becomes a
valid entry of a `nearmiss` product, with the error as its symptom; the copy is validated, then
the relevance sets run on it exactly as benchmarks/relevance.py runs them on the KB itself (same
tables, same baselines). The KB itself is never touched. A query whose answer is a near-miss
entry cannot exist: they are errors no entry of the KB explains.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import relevance  # noqa: E402

PRODUCT = "nearmiss"


def _entry(item: dict[str, Any], component: str) -> str:
    # A title is plain text (KB040): the error itself, HTML and all, is the symptom.
    title = " ".join(str(item["title"]).replace("<", " ").replace(">", " ").split())
    front = {
        "id": item["id"],
        "title": {"zh": f"近似错误：{title}", "en": title},
        "product": PRODUCT,
        "component": component,
        "symptoms": [{"log": "as reported", "output": str(item["error"]).rstrip("\n") + "\n"}],
        "environment": {},
        "status": "verified",
        "tags": [],
        "related": [],
        "references": [{"url": item["url"], "title": "where the error was reported"}],
        "created": "2026-11-29",
        "updated": "2026-11-29",
    }
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    dumped = dumped.replace("'2026-11-29'", "2026-11-29")
    body = ("<!-- lang: zh -->\n## 原因\n\n这是测评用的近似错误，原因见来源。\n\n## 解决\n\n见来源。\n\n"
            "<!-- lang: en -->\n## Cause\n\nA near-miss error for the padded-KB benchmark; see the source.\n\n"
            "## Fix\n\nSee the source.\n")
    return f"---\n{dumped}---\n\n{body}"


def pad(kb: Path, nearmiss: Path, into: Path) -> Path:
    """Copy the KB at ``kb`` to ``into`` and add the errors of ``nearmiss`` as valid entries."""
    from kbtools.load import load_kb

    errors = yaml.safe_load(nearmiss.read_text(encoding="utf-8"))["errors"]
    root = into / "kb"
    shutil.copytree(kb / "entries", root / "entries")
    products_file = root / "entries" / "products.yml"
    products = yaml.safe_load(products_file.read_text(encoding="utf-8"))
    components = sorted({str(item["product"]) for item in errors})
    products[PRODUCT] = {
        "name": "Near misses (benchmark only)",
        "description": {"zh": "测评用的近似错误", "en": "Near-miss errors for the padded-KB benchmark"},
        "components": {name: {"zh": name, "en": name} for name in components},
    }
    products_file.write_text(yaml.safe_dump(products, allow_unicode=True, sort_keys=False), encoding="utf-8")
    folder = root / "entries" / PRODUCT
    folder.mkdir()
    for item in errors:
        (folder / f"{item['id']}.md").write_text(_entry(item, str(item["product"])), encoding="utf-8")
    loaded = load_kb(root)
    problems = [p for p in loaded.problems if p.severity == "error"]
    if problems:
        raise SystemExit("the padded KB does not validate:\n" + "\n".join(
            f"{p.path}:{p.line}:{p.col}: {p.code} {p.message}" for p in problems[:20]))
    added = sum(1 for entry in loaded.entries if entry.product == PRODUCT)
    if added != len(errors):
        raise SystemExit(f"only {added} of {len(errors)} near-miss errors became entries")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=relevance.REPO, help="KB root (default: this checkout)")
    parser.add_argument("--nearmiss", type=Path, default=HERE / "nearmiss.yaml")
    parser.add_argument("--queries", type=Path, nargs="+", help="query sets (default: every dev set)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses with their shape")
    args = parser.parse_args(argv)
    queries = [item for path in (args.queries or relevance.dev_sets()) for item in relevance.load_queries(path)]
    with tempfile.TemporaryDirectory(prefix="kb-padded-") as tmp:
        root = pad(args.kb, args.nearmiss, Path(tmp))
        count = sum(1 for _ in (root / "entries").rglob("*.md"))
        print(f"padded KB: {count} entries, of which {count - sum(1 for _ in (args.kb / 'entries').rglob('*.md'))} "
              f"near misses\n")
        relevance.report(root, queries, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
