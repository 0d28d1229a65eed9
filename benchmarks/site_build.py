"""Build time of the site for a synthetic KB, beside a plain MkDocs build of the same pages.

    python benchmarks/site_build.py --entries 1000 --runs 5

Both builds run in this one process tree, alternating, on the same machine state:

- **site**: `mkdocs build` with the `kb` plugin, from entries/ (load, validate, render, write
  only changed pages, export, per-language search indexes); pages already written by an earlier
  run are left alone, as in day-to-day use.
- **plain**: the same Markdown pages as files on disk (the plugin's output, with the marks of the
  hand-written pages already filled in), built by MkDocs with the same theme, i18n and search
  configuration but without the plugin.

Targets (issue 4): site ≤ 10 s for 1k entries × 2 languages, and ≤ 1.2 × plain.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The site tests set up a KB's site the same way; one copy of that code serves both.
sys.path.insert(0, str(REPO / "tests"))
from sitebuild import copy_site_files  # noqa: E402


def make_plain(site_root: Path, plain_root: Path) -> None:
    """The plugin's pages as plain files, and mkdocs.yml without the plugin."""
    from kbtools.langs import LANGS
    from kbtools.site.build import prepare
    from kbtools.site.listings import expand

    shutil.copytree(site_root / "kb", plain_root / "kb")
    listing, _ = prepare(site_root, plain_root / "kb", "", "")
    for lang in LANGS:
        listing.export_href = "kb.json" if lang == "zh" else "../kb.json"
        for page in (plain_root / "kb" / lang).glob("*.md"):
            text, _ = expand(page.read_text(encoding="utf-8"), lang, page.name, listing)
            page.write_text(text, encoding="utf-8")
    config = (site_root / "mkdocs.yml").read_text(encoding="utf-8")
    (plain_root / "mkdocs.yml").write_text(config.replace("\n  - kb\n", "\n"), encoding="utf-8")


CPU: dict[Path, list[float]] = {}  # CPU seconds (user + sys) of each build, by root


def build(root: Path) -> float:
    """Wall time of one `mkdocs build`; its CPU time goes to CPU[root] (fairer on a shared machine)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(root / "site")],
                          cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(root, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{done.stderr[-3000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="timed builds of each kind (default 5)")
    parser.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)

    work = args.out or Path(tempfile.mkdtemp(prefix="kb-site-bench-"))
    site_root, plain_root = work / "site", work / "plain"
    for folder in (site_root, plain_root):
        shutil.rmtree(folder, ignore_errors=True)
    site_root.mkdir(parents=True)
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_kb.py"), "--entries", str(args.entries),
                    "--out", str(site_root)], check=True, capture_output=True)
    copy_site_files(site_root)
    make_plain(site_root, plain_root)
    build(site_root)  # warm-up: writes the generated pages once, fills jieba's cache
    build(plain_root)
    site_times, plain_times = [], []
    for _ in range(args.runs):
        site_times.append(build(site_root))
        plain_times.append(build(plain_root))
    pages = sum(1 for _ in (site_root / "site").rglob("index.html"))
    result = {
        "entries": args.entries,
        "html_pages": pages,
        "runs": args.runs,
        "site_median_s": round(statistics.median(site_times), 2),
        "plain_median_s": round(statistics.median(plain_times), 2),
        "ratio": round(statistics.median(site_times) / statistics.median(plain_times), 2),
        "site_s": [round(t, 2) for t in site_times],
        "plain_s": [round(t, 2) for t in plain_times],
        "site_cpu_median_s": round(statistics.median(CPU[site_root][1:]), 2),
        "plain_cpu_median_s": round(statistics.median(CPU[plain_root][1:]), 2),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.entries} entries × 2 languages, {pages} HTML pages, {args.runs} runs each")
        print(f"  site (kb plugin): median {result['site_median_s']} s  {result['site_s']}")
        print(f"  plain MkDocs:     median {result['plain_median_s']} s  {result['plain_s']}")
        print(f"  ratio {result['ratio']} (target ≤ 1.2; site target ≤ 10 s)")
        print(f"  CPU medians: site {result['site_cpu_median_s']} s, plain {result['plain_cpu_median_s']} s;"
              f" load average {result['load_average']}")
    if args.out is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
