"""kbtools.index: the cache layout, incremental updates, and safety under kills and concurrency."""

from __future__ import annotations

import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, entry_text

from kbtools import index
from kbtools.cli import progress
from kbtools.index import Cache, cache_dir, open_index

KB = [sys.executable, "-m", "kbtools"]


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KB_CACHE_DIR", str(folder))
    return folder


def _gen(tmp_path: Path, n: int) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import gen_kb
    finally:
        sys.path.pop(0)
    return gen_kb.generate(tmp_path / f"gen{n}", n)


def test_first_open_builds_then_the_index_is_fresh(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    first = open_index(root)
    assert first.report is not None and first.report.full and first.report.entries == 2
    first.close()
    again = open_index(root)
    assert again.report is None  # nothing changed: opened as it was
    again.close()


def test_only_changed_files_are_reindexed(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    open_index(root).close()
    path = root / "entries/kong/a.md"
    path.write_text(path.read_text(encoding="utf-8").replace("sample failure", "other failure"), encoding="utf-8")
    (root / "entries/kong/b.md").unlink()
    make_kb({"kong/c.md": None})
    opened = open_index(root)
    report = opened.report
    opened.close()
    assert report is not None and not report.full
    assert (report.added, report.updated, report.removed, report.entries) == (1, 1, 1, 2)


def test_a_touched_file_is_not_reindexed(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    os.utime(root / "entries/kong/a.md", ns=(1, 1))
    opened = open_index(root)
    assert opened.report is not None and not opened.report.changed
    opened.close()
    again = open_index(root)
    assert again.report is None  # the new mtime was recorded
    again.close()


def test_invalid_entries_are_left_out_and_reported(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None, "kong/bad.md": "not an entry\n"})
    opened = open_index(root)
    assert opened.report is not None
    assert opened.report.skipped == ["entries/kong/bad.md"] and opened.report.entries == 1
    opened.close()


def test_a_new_products_file_rebuilds_everything(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    products = root / "entries/products.yml"
    products.write_text(products.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    opened = open_index(root)
    assert opened.report is not None and opened.report.full
    opened.close()


def test_old_generations_are_removed(make_kb: Callable[..., Path], _cache: Path) -> None:
    root = make_kb({"kong/a.md": None})
    for _ in range(3):
        open_index(root, rebuild=True).close()
    assert len(os.listdir(Cache(root).gens)) == 1


def test_a_generation_in_use_is_kept_until_its_reader_is_done(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None})
    reader = open_index(root)
    open_index(root, rebuild=True).close()
    assert Path(reader.location).is_dir()  # still being read
    reader.close()
    open_index(root, rebuild=True).close()
    assert not Path(reader.location).exists()


def test_an_unwritable_cache_falls_back_to_memory_with_a_warning(make_kb: Callable[..., Path], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb({"kong/a.md": None})
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("KB_CACHE_DIR", str(blocker / "cache"))  # a folder below a file cannot exist
    opened = open_index(root)
    assert opened.location == ":memory:"
    assert "cannot write the search index" in opened.warnings[0]
    opened.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders anyway")
def test_a_read_only_cache_with_a_fresh_index_is_used_as_is(make_kb: Callable[..., Path], _cache: Path) -> None:
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    folder = cache_dir(root)
    os.chmod(folder, 0o500)
    try:
        opened = open_index(root)
        assert opened.location != ":memory:" and not opened.warnings
        opened.close()
    finally:
        os.chmod(folder, 0o700)


def test_a_fresh_index_is_searched_without_writing_to_the_cache(make_kb: Callable[..., Path], _cache: Path) -> None:
    # The property that makes a read-only cache usable, checked in a way that holds for root too
    # (root's writes ignore permissions, so the chmod test above cannot run in CI).
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    folder = cache_dir(root)

    def snapshot() -> dict[str, tuple[int, int]]:
        return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
                for p in folder.rglob("*") if p.is_file()}

    before = snapshot()
    opened = open_index(root)
    assert opened.report is None and not opened.warnings
    opened.close()
    assert snapshot() == before


def test_the_cache_is_keyed_by_kb_path(tmp_path: Path) -> None:
    assert cache_dir(tmp_path / "one") != cache_dir(tmp_path / "two")


def _search(root: Path, query: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KB, "search", "--kb", str(root), "--json", query], capture_output=True, text=True,
                          timeout=60)


def test_searches_during_rebuilds_always_see_a_complete_index(tmp_path: Path) -> None:
    root = _gen(tmp_path, 60)
    open_index(root).close()
    target = next((root / "entries/kong").glob("*.md")).stem
    query = f"E{int(target.rsplit('-', 1)[1]):05d}-0"
    builder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom kbtools.cli import main\n"
                               f"for _ in range(8): main(['index', '--force', '-q', '--kb', {str(root)!r}])"])
    try:
        seen = 0
        while builder.poll() is None or seen < 3:
            done = _search(root, query)
            assert done.returncode == 0, done.stderr
            assert f'"id": "{target}"' in done.stdout
            seen += 1
    finally:
        builder.wait(timeout=120)
    assert builder.returncode == 0


def test_a_killed_build_leaves_a_working_index(tmp_path: Path) -> None:
    root = _gen(tmp_path, 120)
    open_index(root).close()
    rng = random.Random(7)
    for _ in range(4):
        proc = subprocess.Popen([*KB, "index", "--force", "-q", "--kb", str(root)])
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = _search(root, "proxy_pass")
        assert done.returncode in (0, 1), done.stderr
        assert "Traceback" not in done.stderr
    # and from nothing: a first build killed midway
    cache = cache_dir(root)
    subprocess.run(["rm", "-rf", str(cache)], check=True)
    proc = subprocess.Popen([*KB, "index", "-q", "--kb", str(root)])
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = _search(root, "proxy_pass")
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr


def test_two_rebuilds_at_once_do_not_corrupt(tmp_path: Path) -> None:
    root = _gen(tmp_path, 60)
    procs = [subprocess.Popen([*KB, "index", "--force", "-q", "--kb", str(root)]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    opened = open_index(root)
    assert opened.report is None and opened.manifest.files  # fresh and complete
    opened.close()
    assert len(os.listdir(Cache(root).gens)) == 1


def test_a_search_on_a_fresh_index_imports_no_yaml_or_pydantic(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    code = ("import sys\nfrom kbtools.cli import main\nmain(['search', '--kb', sys.argv[1], 'sample'])\n"
            "heavy = [m for m in ('yaml', 'pydantic', 'jieba', 'packaging') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in done.stderr


def test_a_fresh_search_imports_neither_asyncio_nor_urllib_nor_morph_en_and_leaves_no_stand_ins(
        make_kb: Callable[..., Path]) -> None:
    # kbtools.index keeps Whoosh's three needless imports out of start-up (see _import_whoosh): the
    # stand-ins must not outlive the import, and the real modules must still import afterwards.
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    code = ("import sys, functools\nfrom kbtools.cli import main\nmain(['search', '--kb', sys.argv[1], 'sample'])\n"
            "print('LOADED', [m for m in ('asyncio', 'urllib.request', 'cached_property', 'whoosh.lang.morph_en')"
            " if m in sys.modules])\n"
            "import whoosh.reading, cached_property, urllib.request\n"
            "assert whoosh.reading.cached_property is functools.cached_property\n"
            "assert hasattr(cached_property, 'threaded_cached_property') and hasattr(urllib.request, 'Request')\n"
            "import whoosh.compat\nassert whoosh.compat.urlretrieve.__module__ == 'kbtools.index.schema'\n"
            "from whoosh.query.terms import variations\nassert 'runs' in variations('running')\n"
            "import whoosh.lang.morph_en\nassert whoosh.lang.morph_en.variations is not variations\nprint('OK')")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stdout and "OK" in done.stdout, done.stderr


def test_cached_property_stand_in_works_on_deletions(make_kb: Callable[..., Path]) -> None:
    # SegmentReader.deleted_docs_set is the one @cached_property: an update deletes a document.
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    open_index(root).close()
    path = root / "entries/kong/a.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    opened = open_index(root)
    try:
        with opened.ix.searcher() as searcher:
            reader = searcher.reader()
            assert reader.doc_count() == 2
            readers = [r for r, _ in reader.leaf_readers()] if not reader.is_atomic() else [reader]
            assert any(r.has_deletions() and r.deleted_docs_set for r in readers)
    finally:
        opened.close()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: builds never use several writers")
def test_a_parallel_build_indexes_the_same_as_a_serial_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbtools.search import search

    root = _gen(tmp_path, 250)  # MpWriter sends documents to its processes 100 at a time
    queries = ["to_regclass", "proxy_pass overflow", "table_lookup.c", "数据库 迁移", "connection refused"]
    serial = open_index(root, rebuild=True)
    expected = [[(h.id, round(h.score, 6)) for h in search(root, q, opened=serial)]
                for q in queries]
    with serial.ix.searcher() as s:
        terms = sorted((f, t, s.doc_frequency(f, t)) for f, t in s.reader().all_terms())
    serial.close()
    monkeypatch.setattr(index.build, "MP_WRITER_FROM", 10)
    parallel = open_index(root, rebuild=True)
    try:
        assert len(parallel.ix._segments()) >= 2  # written by several processes, left unmerged
        with parallel.ix.searcher() as s:
            assert sorted((f, t, s.doc_frequency(f, t)) for f, t in s.reader().all_terms()) == terms
        got = [[(h.id, round(h.score, 6)) for h in search(root, q, opened=parallel)]
               for q in queries]
        assert got == expected and any(got)
    finally:
        parallel.close()


def test_a_damaged_stats_file_falls_back_to_the_manifest(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/a.md": None})
    first = open_index(root)
    location = Path(first.location)
    first.close()
    (location / "stats.marshal").write_bytes(b"\x00garbage")
    again = open_index(root)
    assert again.report is None and again.location == str(location) and again.manifest.files
    again.close()
    # Only an mtime moved: recorded in place, stats file included, and the next search is fresh.
    os.utime(root / "entries/kong/a.md", ns=(1, 1))
    touched = open_index(root)
    assert touched.location == str(location)
    touched.close()
    final = open_index(root)
    assert final.report is None and final.stats is not None and final.fresh(final.stats)
    final.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _three(make_kb: Callable[..., Path]) -> Path:
    return make_kb({f"kong/e{i}.md": entry_text(f"e{i}") for i in range(3)})


def test_a_long_build_off_a_terminal_prints_one_line_at_start_and_one_at_the_end(
        make_kb: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(progress, "PROGRESS_FROM", 3)  # a "long" build of 3 entries, so that the test is quick
    open_index(_three(make_kb), progress=progress.stderr_progress).close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0] == "kb: indexing 3 entries"
    assert re.fullmatch(r"kb: indexed 3 entries in \d+\.\d s", lines[1])


def test_a_long_build_on_a_terminal_shows_progress_to_the_end(make_kb: Callable[..., Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PROGRESS_FROM", 3)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    open_index(_three(make_kb), progress=progress.stderr_progress).close()
    shown = terminal.getvalue().split("\r")[1:]
    # Entries read, then the writing phase (which used to print nothing), then the total.
    assert shown[0] == "kb: indexing: 1/3 entries read" and shown[1] == "kb: indexing: 3/3 entries read"
    assert shown[2] == "kb: indexing: 3/3 entries read, writing the index (0 s)"
    assert re.fullmatch(r"kb: indexed 3 entries in \d+\.\d s\x1b\[K\n", shown[-1])


def test_a_short_build_prints_nothing(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    open_index(_three(make_kb), progress=progress.stderr_progress).close()
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- a full disk, a damaged cache

def _file_size_limit(limit: int) -> Callable[[], None]:
    """Writes past ``limit`` bytes fail with EFBIG, as on a disk that fills up (without killing us)."""
    import resource

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_while_indexing_is_one_line(make_kb: Callable[..., Path], _cache: Path) -> None:
    root = make_kb({f"kong/e{i}.md": None for i in range(5)})
    done = subprocess.run([*KB, "index", "--kb", str(root)], capture_output=True, text=True, timeout=60,
                          preexec_fn=_file_size_limit(2048))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"kb: error: cannot write the search index in {cache_dir(root)} (File too large)\n"
    assert os.listdir(Cache(root).gens) == []  # the half-written generation is gone
    # A search still answers, from an index in memory, and says so in one line.
    done = subprocess.run([*KB, "search", "--kb", str(root), "sample", "failure", "e3"], capture_output=True,
                          text=True, timeout=60, preexec_fn=_file_size_limit(2048))
    assert done.returncode == 0 and done.stdout.startswith("1. ")
    assert done.stderr.startswith("kb: warning: cannot write the search index in ") and done.stderr.count("\n") == 1


def test_a_cache_that_is_not_a_folder_is_one_line(make_kb: Callable[..., Path], _cache: Path) -> None:
    root = make_kb({"kong/e1.md": None})
    _cache.write_text("not a folder\n", encoding="utf-8")
    done = subprocess.run([*KB, "index", "--kb", str(root)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"kb: error: cannot write the search index in {cache_dir(root)} (Not a directory)\n"


def test_a_damaged_index_is_rebuilt_with_one_line(make_kb: Callable[..., Path]) -> None:
    root = make_kb({f"kong/e{i}.md": None for i in range(3)})
    open_index(root).close()
    gen = Cache(root).gens / (Cache(root).current_name() or "")
    for path in [*gen.glob("*.trm"), *gen.glob("*.pst")]:
        with open(path, "r+b") as handle:  # a crash of the disk, not of kb: the stats still say fresh
            handle.truncate(10)
    done = _search(root, "sample failure e1")
    assert done.returncode == 0 and '"id": "e1"' in done.stdout
    assert done.stderr.startswith(f"kb: warning: the search index in {gen} cannot be read (")
    assert done.stderr.endswith("; rebuilding it\n") and done.stderr.count("\n") == 1
    done = _search(root, "sample failure e1")
    assert done.returncode == 0 and done.stderr == ""


# --------------------------------------------------------------------------- a build killed with workers running

# The multi-process writer starts from MP_WRITER_FROM entries (2,000) and the entry-reading pool from
# PARALLEL_FROM (300): a build of 2,000 entries takes half a minute here, so the child process lowers
# both and indexes a small KB through the very same code.
# Each entry also takes 30 ms longer to read, so that the build is still running when the test's
# signal arrives even on a fast, idle machine (the build of 150 entries otherwise ends in a blink).
_MULTIPROCESS_KB = ("import sys, time, kbtools.index, kbtools.index.build, kbtools.index.record\n"
                    "kbtools.index.build.MP_WRITER_FROM = kbtools.index.record.PARALLEL_FROM = 10\n"
                    "_document = kbtools.index.record.document\n"
                    "kbtools.index.record.document = lambda *a, **k: (time.sleep(0.03), _document(*a, **k))[1]\n"
                    "from kbtools.cli import main\n"
                    "raise SystemExit(main(sys.argv[1:]))\n")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's wait() is missing


def _start_build(root: Path, **kwargs: object) -> tuple[subprocess.Popen[str], set[int]]:
    proc = subprocess.Popen([sys.executable, "-c", _MULTIPROCESS_KB, "index", "--force", "-q", "--kb", str(root)],
                            stderr=subprocess.PIPE, text=True, **kwargs)  # type: ignore[call-overload]
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    # Wait for the writer's workers (the reading pool's come first, and go when it is done).
    while time.monotonic() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        if len(workers) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None and workers, "the build ended before its workers could be caught"
    return proc, workers


def _finish(proc: subprocess.Popen[str]) -> str:
    """The stderr of ``proc`` once it has ended (killed if it has not after 20 s)."""
    try:
        _, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        raise AssertionError(f"the build did not end: {stderr}") from None
    return stderr


def _assert_gone(workers: set[int]) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)], "workers outlived their parent"


def _edit_and_search(root: Path) -> None:
    entry = next((root / "entries/kong").glob("*.md"))
    entry.write_text(entry.read_text(encoding="utf-8").replace("## Cause\n", "## Cause\n\nEdited.\n", 1),
                     encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run([*KB, "search", "--kb", str(root), "proxy_pass"], capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    done = subprocess.run([*KB, "index", "--kb", str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert time.monotonic() - started < 50


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_workers_of_a_killed_build_die_with_it(tmp_path: Path, sig: signal.Signals) -> None:
    root = _gen(tmp_path, 150)
    open_index(root).close()
    proc, workers = _start_build(root)
    proc.send_signal(sig)
    stderr = _finish(proc)  # SIGINT to the parent alone used to hang it joining its workers
    assert "Traceback" not in stderr, stderr
    if sig == signal.SIGINT:
        assert proc.returncode == 130
    _assert_gone(workers)
    _edit_and_search(root)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_ctrl_c_to_the_process_group_prints_no_traceback(tmp_path: Path) -> None:
    root = _gen(tmp_path, 150)
    proc, workers = _start_build(root, start_new_session=True)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: every process of the group
    stderr = _finish(proc)
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    _assert_gone(workers)
    _edit_and_search(root)


def test_a_search_does_not_wait_for_a_writer(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/e1.md": None, "kong/e2.md": None})
    open_index(root).close()
    (root / "entries/kong/e3.md").write_text((root / "entries/kong/e2.md").read_text(encoding="utf-8")
                                             .replace("e2", "e3"), encoding="utf-8")
    with Cache(root).write_lock():  # a writer that takes its time
        started = time.monotonic()
        done = _search(root, "sample failure e1")
        assert time.monotonic() - started < 10
    assert done.returncode == 0 and '"id": "e1"' in done.stdout
    assert done.stderr == (f"kb: warning: another kb process (pid {os.getpid()}) is updating the search index; "
                           "these results come from the previous one and may miss the latest changes\n")


def test_a_stale_write_lock_is_broken(make_kb: Callable[..., Path], _cache: Path) -> None:
    root = make_kb({"kong/e1.md": None})
    open_index(root).close()
    # A build killed by an older kb left a worker holding the lock, with its dead parent's pid in it.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    lock = cache_dir(root) / "write.lock"
    lock.write_text(dead + "\n", encoding="utf-8")
    orphan = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\n"
                               f"f = open({str(lock)!r}, 'r+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
                               "print('locked', flush=True); time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        assert orphan.stdout is not None and orphan.stdout.readline() == "locked\n"
        done = subprocess.run([*KB, "index", "--force", "--kb", str(root)], capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0 and done.stdout.startswith("indexed 1 entries"), done.stderr
    finally:
        orphan.kill()
        orphan.communicate()


def test_a_same_size_edit_with_its_old_mtime_restored_is_reindexed(make_kb: Callable[..., Path]) -> None:
    root = make_kb({"kong/e1.md": None, "kong/e2.md": None})
    open_index(root).close()
    path = root / "entries/kong/e1.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("sample failure e1", "sample failure q1")
    assert len(edited) == len(text)
    time.sleep(0.05)  # past the file system's timestamp granularity
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `rsync -t` or `tar x` do
    assert (path.stat().st_mtime_ns, path.stat().st_size) == (before.st_mtime_ns, before.st_size)
    done = _search(root, "sample failure q1")
    assert done.returncode == 0 and '"id": "e1"' in done.stdout, done.stdout + done.stderr
