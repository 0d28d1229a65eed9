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


def test_a_fresh_search_imports_neither_asyncio_nor_urllib_and_leaves_no_stand_ins(
        make_kb: Callable[..., Path]) -> None:
    # kbtools.index keeps Whoosh's two needless imports out of start-up (see _import_whoosh): the
    # stand-ins must not outlive the import, and the real modules must still import afterwards.
    root = make_kb({"kong/a.md": None})
    open_index(root).close()
    code = ("import sys, functools\nfrom kbtools.cli import main\nmain(['search', '--kb', sys.argv[1], 'sample'])\n"
            "print('LOADED', [m for m in ('asyncio', 'urllib.request', 'cached_property') if m in sys.modules])\n"
            "import whoosh.reading, cached_property, urllib.request\n"
            "assert whoosh.reading.cached_property is functools.cached_property\n"
            "assert hasattr(cached_property, 'threaded_cached_property') and hasattr(urllib.request, 'Request')\n"
            "import whoosh.compat\nassert whoosh.compat.urlretrieve.__module__ == 'kbtools.index'\nprint('OK')")
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
    import kbtools.index as index
    from kbtools.search import search

    root = _gen(tmp_path, 250)  # MpWriter sends documents to its processes 100 at a time
    queries = ["to_regclass", "proxy_pass overflow", "table_lookup.c", "数据库 迁移", "connection refused"]
    serial = open_index(root, rebuild=True)
    expected = [[(h.id, round(h.score, 6)) for h in search(root, q, opened=serial)]
                for q in queries]
    with serial.ix.searcher() as s:
        terms = sorted((f, t, s.doc_frequency(f, t)) for f, t in s.reader().all_terms())
    serial.close()
    monkeypatch.setattr(index, "MP_WRITER_FROM", 10)
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
    monkeypatch.setattr(index, "PROGRESS_FROM", 3)  # a "long" build of 3 entries, so that the test is quick
    open_index(_three(make_kb), progress=index.stderr_progress).close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0] == "kb: indexing 3 entries"
    assert re.fullmatch(r"kb: indexed 3 entries in \d+\.\d s", lines[1])


def test_a_long_build_on_a_terminal_shows_progress_to_the_end(make_kb: Callable[..., Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "PROGRESS_FROM", 3)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    open_index(_three(make_kb), progress=index.stderr_progress).close()
    shown = terminal.getvalue().split("\r")[1:]
    # Entries read, then the writing phase (which used to print nothing), then the total.
    assert shown[0] == "kb: indexing: 1/3 entries read" and shown[1] == "kb: indexing: 3/3 entries read"
    assert shown[2] == "kb: indexing: 3/3 entries read, writing the index (0 s)"
    assert re.fullmatch(r"kb: indexed 3 entries in \d+\.\d s\x1b\[K\n", shown[-1])


def test_a_short_build_prints_nothing(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    open_index(_three(make_kb), progress=index.stderr_progress).close()
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
