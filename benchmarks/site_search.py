"""The site's error search on a synthetic KB: the size of its data and the time to a first result.

    python benchmarks/site_search.py --entries 1000            # generate, build, measure
    python benchmarks/site_search.py --site /tmp/x/site/site   # measure an already built site

- **data**: ``search/kb-errors.json`` as written by the build, raw and gzipped (what a server
  that compresses sends; the target is ≤ 1.5 MB gzipped at 1k entries).
- **first result**: in Debian's chromium, from the paste event in the home page's box to the first
  result in the page. *Cold*: a fresh page, so the data is fetched and read first (it is loaded only
  when a search starts); *warm*: a second paste on the same page. Served from 127.0.0.1 with gzip
  off (the cold figure includes reading the uncompressed file). Target: ≤ 300 ms at 1k entries.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from sitebuild import CHROMIUM, Browser, build, copy_site_files, serve  # noqa: E402

QUERIES = (
    "2021/03/04 09:12:55 [error] 3012#0: [postgres error] ERROR: function to_regclass(unknown) does not exist",
    "nginx: [emerg] unknown directive \"real_ip_header\" in /opt/kong/nginx-kong.conf:88",
    "upstream timed out (110: Connection timed out) while reading response header from upstream",
)

MEASURE = """async ([text]) => {
    const root = document.querySelector('#kb-paste-home');
    const box = root.querySelector('textarea');
    root.removeAttribute('data-state');
    const start = performance.now();
    box.value = text;
    box.dispatchEvent(new ClipboardEvent('paste', {bubbles: true}));
    while (root.getAttribute('data-state') !== 'done') await new Promise(r => setTimeout(r, 1));
    return performance.now() - start;
}"""


def measure(site: Path, runs: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    data = (site / "search" / "kb-errors.json").read_bytes()
    cold: list[float] = []
    warm: list[float] = []
    with serve(site) as base, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-background-networking"])
        for run in range(runs):
            page = chromium.new_page()
            browser = Browser(base, page)
            browser.open("")
            cold.append(page.evaluate(MEASURE, [QUERIES[run % len(QUERIES)]]))
            for query in QUERIES:
                warm.append(page.evaluate(MEASURE, [query]))
            assert browser.errors == [], browser.errors
            page.close()
        chromium.close()
    return {
        "entries": len(json.loads(data)["entries"]),
        "data_bytes": len(data), "data_gzip_bytes": len(gzip.compress(data, 9)),
        "cold_ms_median": round(statistics.median(cold)), "cold_ms_max": round(max(cold)),
        "warm_ms_median": round(statistics.median(warm)), "warm_ms_max": round(max(warm)),
        "runs": runs, "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--site", type=Path, help="a built site to measure (default: generate and build one)")
    parser.add_argument("--runs", type=int, default=5, help="fresh pages (cold pastes) (default 5)")
    args = parser.parse_args(argv)
    work = None
    site = args.site
    if site is None:
        work = Path(tempfile.mkdtemp(prefix="kb-site-search-"))
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_kb.py"), "--entries", str(args.entries),
                        "--out", str(work)], check=True, capture_output=True)
        copy_site_files(work)
        done = build(work)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        site = work / "site"
    try:
        print(json.dumps(measure(site, args.runs), indent=2))
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
