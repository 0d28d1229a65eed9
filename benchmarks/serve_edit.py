"""Edit-to-visible time of `mkdocs serve`: how long after saving an entry its page shows the change.

    python benchmarks/serve_edit.py --entries 17 --edits 3          # the real KB
    python benchmarks/serve_edit.py --entries 1000 --edits 3        # a synthetic KB (gen_kb.py)

For each mode (`mkdocs serve`, `mkdocs serve --dirty --no-strict`: a dirty build always warns, and
the site's config is strict) it starts the server on a copy, waits for
the first build, then edits one entry's English cause several times. Each edit is timed from the
write until the entry's page, fetched over HTTP, carries the new text, and until the home page
shows the entry's new title (a page that lists entries, built from other files). It also counts
the builds each edit started: one edit should cost one build. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))
from gen_kb import generate  # noqa: E402
from sitebuild import copy_site_files  # noqa: E402

BUILD_LINE = re.compile(r"Building documentation|Documentation built in")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_kb(work: Path, entries: int) -> Path:
    root = work / "kb"
    root.mkdir(parents=True)
    if entries == 17:
        shutil.copytree(REPO / "entries", root / "entries")
    else:
        generate(root, entries)
    copy_site_files(root)
    return root


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def wait_for(predicate: object, timeout: float) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():  # type: ignore[operator]
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def run_mode(root: Path, dirty: bool, edits: int, timeout: float) -> dict[str, object]:
    port = free_port()
    log_path = root / f"serve-{'dirty' if dirty else 'full'}.log"
    args = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    if dirty:
        args += ["--dirty", "--no-strict"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        entry = sorted((root / "entries").glob("*/*.md"))[0]
        url = f"http://127.0.0.1:{port}/kb/en/entries/{entry.parent.name}/{entry.stem}/"
        home = f"http://127.0.0.1:{port}/kb/en/"
        if wait_for(lambda: "<html" in fetch(url), max(timeout, 1200.0)) is None:  # the first build is the long one
            raise SystemExit(f"the server did not come up:\n{log_path.read_text()[-3000:]}")
        wait_for(lambda: False, 2.0)  # let a trailing rebuild, if any, finish
        page_times: list[float] = []
        home_times: list[float] = []
        builds: list[int] = []
        for n in range(edits):
            marker = f"edit{n}marker{time.time_ns()}"
            text = entry.read_text(encoding="utf-8")
            text = re.sub(r"(<!-- lang: en -->\s*## Cause\s*\n\n)", rf"\1{marker} ", text, count=1)
            text = re.sub(r"(\n  en: )(\"?)", rf"\1\2{marker} ", text, count=1)  # the English title
            before = len(BUILD_LINE.findall(log_path.read_text(encoding="utf-8")))
            entry.write_text(text, encoding="utf-8")
            page = wait_for(lambda m=marker: m in fetch(url), timeout)  # type: ignore[misc]
            listed = wait_for(lambda m=marker: m in fetch(home), timeout)  # type: ignore[misc]
            wait_for(lambda: False, 3.0)  # a second build, if one starts, shows up in the log now
            after = len(BUILD_LINE.findall(log_path.read_text(encoding="utf-8")))
            page_times.append(page if page is not None else float("inf"))
            home_times.append(listed if listed is not None else float("inf"))
            builds.append((after - before) // 2)
        return {"page": statistics.median(page_times), "home": statistics.median(home_times),
                "builds": max(builds), "stale_home": sum(t == float("inf") for t in home_times)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=17, help="17 = the real KB; other numbers: synthetic")
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for one change")
    parser.add_argument("--modes", default="serve,dirty", help="comma-separated: serve, dirty (default both)")
    args = parser.parse_args(argv)
    modes = [mode == "dirty" for mode in args.modes.split(",")]
    print("| entries | mode | edit → entry page (median) | edit → home page lists it | builds per edit |")
    print("|---|---|---|---|---|")
    for dirty in modes:
        with tempfile.TemporaryDirectory(prefix="kb-serve-bench-") as tmp:
            root = make_kb(Path(tmp), args.entries)
            result = run_mode(root, dirty, args.edits, args.timeout)
        home = "never (stale)" if result["stale_home"] else f"{result['home']:.1f} s"
        print(f"| {args.entries} | {'serve --dirty' if dirty else 'serve'} | {result['page']:.1f} s | {home} | "
              f"{result['builds']} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
