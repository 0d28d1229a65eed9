"""Speed of `kb search` and of index builds on synthetic KBs, beside grep/rg and bare Python.

    python benchmarks/speed.py                 # 1k and 10k entries; prints a Markdown table
    python benchmarks/speed.py --sizes 1000    # quicker
    python benchmarks/speed.py --sizes 10000 --against ../old-checkout   # and that code's search, alternating

For each size: a KB from benchmarks/gen_kb.py, a full index build (`kb index --force`), a
one-entry incremental update (one file edited, then `kb index`), the index size, and the median
wall time of a `kb search` in a fresh process with a warm index — beside `kb show` of one entry,
`grep -rF` and `rg -F` (when installed) for the same word over the same files, and `python -c pass`,
in the same run, the two kb commands alternating. Peak memory (max RSS) of one search and one show.
The index size counts each file once (hard links too), beside what `du` reports. With ``--against``,
the same KB is also indexed and searched by the `kbtools` of another checkout (say, the commit before
a change), each search run in turn with this checkout's, so that the two medians share the machine's
load: "must not get worse" is then a ratio measured in one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_kb  # noqa: E402

KB = [sys.executable, "-m", "kbtools"]
QUERY = "2020/01/01 10:00:00 [error] 1#0: *7 to_regclass proxy_pass overflow (E00042-0) in table_lookup.c:12"


def wall(argv: list[str], env: dict[str, str], repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return times


def alternating(commands: list[tuple[list[str], dict[str, str]]], repeat: int) -> list[list[float]]:
    """Wall times of each command (with its environment), run in turn ``repeat`` times, so that a
    change in the machine's load falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, (argv, env) in enumerate(commands):
            times[i] += wall(argv, env)
    return times


def peak_mib(argv: list[str], env: dict[str, str]) -> float:
    """The largest resident set of one run of ``argv``, in MiB."""
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    return usage.ru_maxrss / 1024


def size_of(folder: Path) -> int:
    """Bytes in the files under ``folder``, each file counted once: an index generation made by an
    update hard-links the segment files of the one before, and an old generation lives on until no
    search reads it — summing per path counted those files twice."""
    seen: dict[tuple[int, int], int] = {}
    for path in folder.rglob("*"):
        st = path.lstat()
        if path.is_file() and not path.is_symlink():
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


def du_of(folder: Path) -> int:
    """What `du` says the folder takes on disk, in bytes (blocks; hard links once)."""
    done = subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=False)
    try:
        return int(done.stdout.split()[0]) * 1024
    except (IndexError, ValueError):
        return 0


def measure(n: int, work: Path, repeat: int, against: Path | None = None) -> dict[str, str]:
    root = gen_kb.generate(work / f"kb{n}", n)
    env = dict(os.environ, KB_CACHE_DIR=str(work / f"cache{n}"), NO_COLOR="1")
    build = wall([*KB, "index", "--force", "-q", "--kb", str(root)], env)[0]
    victim = next((root / "entries/kong").glob("*.md"))
    victim.write_text(victim.read_text(encoding="utf-8").replace("## Notes", "## Notes\n\nEdited."),
                      encoding="utf-8")
    update = wall([*KB, "index", "-q", "--kb", str(root)], env)[0]
    shown = victim.stem
    search_argv = [*KB, "search", "--kb", str(root), QUERY]
    show_argv = [*KB, "show", "--kb", str(root), shown]
    wall(search_argv, env)  # warm the OS file cache
    wall(show_argv, env)
    commands = [(search_argv, env), (show_argv, env)]
    if against is not None:
        # The other checkout's code first on the import path, with an index of its own (its format may differ).
        other = dict(env, KB_CACHE_DIR=str(work / f"cache{n}-against"),
                     PYTHONPATH=os.pathsep.join(filter(None, [str(against), env.get("PYTHONPATH")])))
        wall([*KB, "index", "--force", "-q", "--kb", str(root)], other)
        wall(search_argv, other)
        commands.append((search_argv, other))
    search_times, show_times, *against_times = alternating(commands, repeat)
    search, show = statistics.median(search_times), statistics.median(show_times)
    search_mib, show_mib = peak_mib(search_argv, env), peak_mib(show_argv, env)
    grep = statistics.median(wall(["grep", "-rlF", "proxy_pass", str(root / "entries")], env, repeat))
    rg = (statistics.median(wall(["rg", "-lF", "proxy_pass", str(root / "entries")], env, repeat))
          if shutil.which("rg") else None)
    bare = statistics.median(wall([sys.executable, "-c", "pass"], env, repeat))
    index_mb = size_of(work / f"cache{n}") / 2**20
    index_du = du_of(work / f"cache{n}") / 2**20
    files_mb = size_of(root / "entries") / 2**20
    row = {
        "entries": f"{n:,}", "kb search (median)": f"{search * 1000:.0f} ms",
        "kb show (median)": f"{show * 1000:.0f} ms", "show / search": f"{show / search:.2f}",
        "peak RSS search / show": f"{search_mib:.0f} / {show_mib:.0f} MiB",
        "grep -rlF": f"{grep * 1000:.0f} ms", "rg -lF": f"{rg * 1000:.0f} ms" if rg is not None else "not installed",
        "python -c pass": f"{bare * 1000:.0f} ms", "full build": f"{build:.1f} s",
        "one-entry update": f"{update:.2f} s",
        "index size": f"{index_mb:.1f} MiB (du: {index_du:.1f} MiB; entries: {files_mb:.1f} MiB)",
    }
    if against is not None:
        before = statistics.median(against_times[0])
        row["kb search of --against (median)"] = f"{before * 1000:.0f} ms"
        row["this / --against"] = f"{search / before:.2f}"
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=15, help="runs per timed command (default 15)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also time the kb search of the kbtools in this other checkout, alternating")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-speed-"))
    try:
        rows = [measure(n, work, args.repeat, args.against) for n in args.sizes]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(row[k] for k in keys) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
