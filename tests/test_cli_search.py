"""kb search, kb show, kb index: exact output, exit codes, and any input at all without a traceback."""

from __future__ import annotations

import io
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtools.cli import main


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


BODY = ("<!-- lang: zh -->\n## 原因\n\n版本太低。\n\n## 解决\n\n把 PostgreSQL 升级到 9.4。然后重试。\n\n"
        "<!-- lang: en -->\n## Cause\n\nToo old.\n\n## Fix\n\nUpgrade PostgreSQL to 9.4. Then retry.\n\n"
        "```bash\nyum install postgresql96\n```\n")


@pytest.fixture
def kb(make_kb: Callable[..., Path]) -> Path:
    root = make_kb({"kong/regclass.md": entry_text("regclass", front={
        "title": {"zh": "迁移失败：to_regclass 不存在", "en": "Migrations fail: to_regclass does not exist"},
        "symptoms": [{"command": "kong migrations up",
                      "output": "ERROR: function to_regclass(unknown) does not exist (8)\n"}],
    }, body=BODY)})
    (root / "mkdocs.yml").write_text("site_name: kb\nsite_url: https://kb.example.org/\n", encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


EXPECTED_EN = """\
1. Migrations fail: to_regclass does not exist
   id: regclass  (kong/database)
   matched: ERROR: function to_regclass(unknown) does not exist (8)
   fix: Upgrade PostgreSQL to 9.4.
   file: entries/kong/regclass.md
   page: https://kb.example.org/en/entries/kong/regclass/
"""


def test_text_output(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "search", "--kb", str(kb), "to_regclass") == (0, EXPECTED_EN, "")


def test_text_output_in_chinese(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--lang", "zh", "to_regclass")
    assert code == 0
    assert out == ("1. 迁移失败：to_regclass 不存在\n"
                   "   编号: regclass  (kong/database)\n"
                   "   匹配: ERROR: function to_regclass(unknown) does not exist (8)\n"
                   "   解决: 把 PostgreSQL 升级到 9.4。\n"
                   "   文件: entries/kong/regclass.md\n"
                   "   网页: https://kb.example.org/entries/kong/regclass/\n")


def test_language_follows_the_locale(kb: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert run(capsys, "search", "--kb", str(kb), "to_regclass")[1].startswith("1. 迁移失败")


def test_matched_words_are_bold_with_colour_and_unmarked_without(kb: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = run(capsys, "search", "--kb", str(kb), "--color", "to_regclass")[1]
    assert "function \x1b[1mto_regclass\x1b[0m(unknown)" in out
    out = run(capsys, "search", "--kb", str(kb), "to_regclass")[1]  # not a terminal
    assert "\x1b" not in out and "function to_regclass(unknown)" in out
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert "\x1b" not in run(capsys, "search", "--kb", str(kb), "to_regclass")[1]


def test_json_output(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--json", "to_regclass")
    data = json.loads(out)
    assert code == 0 and data["query"] == "to_regclass"
    [result] = data["results"]
    assert {k: result[k] for k in ("id", "path", "title")} == {
        "id": "regclass", "path": "entries/kong/regclass.md",
        "title": {"zh": "迁移失败：to_regclass 不存在", "en": "Migrations fail: to_regclass does not exist"}}
    assert isinstance(result["score"], float) and result["matched"] == ["to_regclass"]
    assert result["url"] == "https://kb.example.org/en/entries/kong/regclass/"


def test_no_match_exits_1(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "--kb", str(kb), "java.lang.NullPointerException")
    assert (code, out) == (1, "")
    assert err == "kb: no match; try fewer or other words\n"
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--json", "java.lang.NullPointerException")
    assert code == 1 and json.loads(out) == {"query": "java.lang.NullPointerException", "confident": False,
                                             "results": []}


# `function` and `exist` are in the entry; `frobnicate`, `widget` and `quickly` are in none.
UNSURE = "function frobnicate widget does not exist quickly"
EXPLAINED = """\
   why: confidence 1.00 = max(line 1.00, query 1.00) > 0.5: confident
   parts: line share 1.00 (of the symptom line shown above as 'matched'), query share 1.00 (in error text, \
title or code: 1.00), weight shared 7.00, penalty 1, bm25 N (breaks ties only)
   shared: to_regclass (2), (8) (1), exist (1), regclass (1), unknown (1), does (0.25), error (0.25), \
function (0.25), not (0.25)
"""
EXPECTED_POSSIBLE = EXPECTED_EN.replace("does not exist\n", "does not exist  (possible match)\n", 1)


def test_without_a_confident_match_the_possible_ones_are_shown_marked_and_exit_1(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "--kb", str(kb), UNSURE)
    assert code == 1
    assert err == "kb: no confident match; the closest entries below are only possible matches\n"
    assert out == EXPECTED_POSSIBLE
    code, out, err = run(capsys, "search", "--kb", str(kb), "--lang", "zh", UNSURE)
    assert code == 1 and err == "kb: 没有把握的匹配；下面只是可能相关的条目\n"
    assert out.startswith("1. 迁移失败：to_regclass 不存在  (可能相关)\n")


def test_json_marks_every_result_confident_or_not(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--json", UNSURE)
    data = json.loads(out)
    assert code == 1 and data["confident"] is False
    assert [(r["id"], r["confident"]) for r in data["results"]] == [("regclass", False)]
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--json", "to_regclass")
    data = json.loads(out)
    assert code == 0 and data["confident"] is True
    assert [(r["id"], r["confident"]) for r in data["results"]] == [("regclass", True)]
    assert "explain" not in data["results"][0]


def test_explain_shows_the_evidence_and_the_decision(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--explain",
                       "2024/01/01 10:00:00 [error] 7#0: ERROR: function to_regclass(unknown) does not exist (8)")
    assert code == 0
    # BM25 depends on Whoosh's arithmetic; it only breaks ties, so its value is not the point here.
    assert re.sub(r"bm25 [0-9.]+", "bm25 N", out) == EXPECTED_EN + EXPLAINED


def test_explain_says_why_a_result_is_only_possible(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--explain", UNSURE)
    why = [line for line in out.splitlines() if line.startswith("   why: ")]
    # 1.75 of the query's 4.75 (`frobnicate`, `widget`, `quickly` are in no entry); 1.75 of the line's 7,
    # halved: the line names `to_regclass`, which the query does not.
    assert code == 1 and why == ["   why: confidence 0.37 = max(line 0.12, query 0.37) <= 0.5: possible"]
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--explain", "--json", UNSURE)
    explain = json.loads(out)["results"][0]["explain"]
    assert explain["decision"] == "confidence 0.37 = max(line 0.12, query 0.37) <= 0.5: possible"
    assert explain["confident"] is False and explain["shared"] == ["exist", "does", "function", "not"]
    assert explain["line"] == "ERROR: function to_regclass(unknown) does not exist (8)"


def test_all_shows_possible_matches_after_the_confident_ones(make_kb: Callable[..., Path],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({f"kong/e{i}.md": entry_text(f"e{i}", front={
        "symptoms": [{"log": "error.log", "output": f"ERROR: gizmo failure number{i} gadget{i}\n"}]})
        for i in range(5)})
    code, out, _ = run(capsys, "search", "--kb", str(root), "gizmo failure number2 gadget2")
    assert code == 0 and [line for line in out.splitlines() if line[:1].isdigit()] == [
        "1. Sample: database connection timeout"]
    code, out, _ = run(capsys, "search", "--kb", str(root), "--all", "gizmo failure number2 gadget2")
    titles = [line for line in out.splitlines() if line[:1].isdigit()]
    assert titles[0] == "1. Sample: database connection timeout" and len(titles) == 5
    assert all(t.endswith("(possible match)") for t in titles[1:])
    assert "id: e2 " in out.split("\n\n")[0]
    # The possible ones tie: listed by id.
    assert [line.split()[1] for line in out.splitlines() if line.startswith("   id:")] == ["e2", "e0", "e1", "e3", "e4"]


@pytest.mark.parametrize("argv", [[], [""], ["   "]])
def test_empty_query_is_a_usage_error(kb: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, "search", "--kb", str(kb), *argv)
    assert code == 2 and out == ""
    assert err.startswith("kb: error: the query is empty")


def test_stdin(kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    log = b"2020/01/01 00:00:00 [error] 1#0: *9 ERROR: function to_regclass(unknown) does not exist (8)\n\xff\xfe"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(log)))
    assert run(capsys, "search", "--kb", str(kb), "-")[1] == EXPECTED_EN


@pytest.mark.parametrize(("argv", "message"), [
    (["--env", "postgresql"], "give NAME=VERSION"),
    (["--limit", "0"], "must be 1 or more"),
    (["--lang", "fr"], "invalid choice"),
])
def test_bad_options_are_usage_errors(kb: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                      message: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(["search", "--kb", str(kb), *argv, "to_regclass"])
    assert done.value.code == 2 and message in capsys.readouterr().err


def test_a_bad_version_is_a_usage_error(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "--kb", str(kb), "--env", "postgresql=nine", "to_regclass")
    assert code == 2 and err == "kb: error: --env: `nine` is not a version\n"


def test_a_damaged_stored_record_is_not_blamed_on_the_env_option(kb: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Every index built here stores a record that is not JSON: the search says the index cannot
    # be read, rebuilds it once, and then gives up with that error, whatever the options.
    from kbtools.index import record

    real = record.document

    def damaged(*args: object, **kwargs: object) -> dict[str, object]:
        return {**real(*args, **kwargs), "doc": "{damaged"}  # type: ignore[arg-type]

    monkeypatch.setattr(record, "document", damaged)
    code, out, err = run(capsys, "search", "--kb", str(kb), "--env", "postgresql=9.3", "to_regclass")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert re.fullmatch(r"kb: warning: the search index in .+ cannot be read \(JSONDecodeError: .+\); rebuilding it",
                        lines[0]), lines[0]
    assert re.fullmatch(r"kb: error: the search index in .+ cannot be read \(JSONDecodeError: .+\)", lines[-1]), lines[-1]
    assert "--env" not in err


def test_filters_on_the_command_line(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "search", "--kb", str(kb), "--env", "postgresql=9.3", "to_regclass")[0] == 0
    assert run(capsys, "search", "--kb", str(kb), "--env", "postgresql=9.6", "to_regclass")[0] == 1
    # `build` is a component in products.yml, but no entry has it: a usage error, not "no match".
    assert run(capsys, "search", "--kb", str(kb), "--product", "kong", "--component", "build", "to_regclass")[0] == 2
    assert run(capsys, "search", "--kb", str(kb), "--tag", "postgresql", "to_regclass")[0] == 0


def test_missing_kb_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "--kb", str(tmp_path / "nope"), "x")
    assert code == 2 and err.startswith("kb: error: --kb")


def test_show(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "--kb", str(kb), "regclass", "--lang", "en")
    assert code == 0
    assert out.startswith("Migrations fail: to_regclass does not exist\nregclass · kong/database · status: verified\n")
    assert "\nSymptoms\n  $ kong migrations up\n    ERROR: function to_regclass(unknown) does not exist (8)\n" in out
    assert "\nFix\n\nUpgrade PostgreSQL to 9.4. Then retry.\n\n    yum install postgresql96\n" in out
    assert "版本太低" not in out
    assert out.endswith("File: entries/kong/regclass.md\nPage: https://kb.example.org/en/entries/kong/regclass/\n")
    both = run(capsys, "show", "--kb", str(kb), "regclass")[1]
    assert "版本太低" in both and "Too old." in both
    zh = run(capsys, "show", "--kb", str(kb), "regclass", "--lang", "zh")[1]
    assert "\n症状\n  $ kong migrations up\n" in zh  # the site's word for them, too


def test_show_unknown_id_suggests_close_ones(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "--kb", str(kb), "regclas")
    assert (code, out) == (1, "")
    assert err == "kb: error: no entry with id `regclas`; did you mean regclass?\n"
    assert run(capsys, "show", "--kb", str(kb), "../../etc/passwd")[0] == 1


def test_show_json(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "show", "--kb", str(kb), "regclass", "--json")[1])
    assert data["id"] == "regclass" and data["path"] == "entries/kong/regclass.md"
    assert data["body"]["en"]["cause"] == "Too old."


def test_index_reports_what_it_did(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "index", "--kb", str(kb))
    assert code == 0 and out.startswith("indexed 1 entries in ")
    assert run(capsys, "index", "--kb", str(kb))[1].startswith("index is up to date: 1 entries (")
    data = json.loads(run(capsys, "index", "--kb", str(kb), "--json", "--force")[1])
    assert data["entries"] == 1 and data["full"] is True and data["skipped"] == []


# Any input at all: results, no match, or a usage error; never a traceback, and in bounded time.

@pytest.fixture(scope="module")
def tiny_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    (root / "entries/kong").mkdir(parents=True)
    import yaml
    from conftest import PRODUCTS
    (root / "entries/products.yml").write_text(yaml.safe_dump(PRODUCTS, allow_unicode=True), encoding="utf-8")
    (root / "entries/kong/regclass.md").write_text(entry_text("regclass"), encoding="utf-8")
    return root


def _any_input(tiny_kb: Path, argv: list[str], stdin: bytes | None = None) -> None:
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    started = time.monotonic()
    try:
        code = main(["search", "--kb", str(tiny_kb), *argv])
    except SystemExit as exc:  # argparse: a usage error
        code = exc.code  # type: ignore[assignment]
    finally:
        sys.stdin = saved
    assert code in (0, 1, 2)
    assert time.monotonic() - started < 10


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(max_size=200), min_size=1, max_size=5))
def test_any_text_arguments(tiny_kb: Path, words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tiny_kb / "cache"))
    _any_input(tiny_kb, ["--", *words])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.binary(max_size=4096), repeat=st.integers(min_value=1, max_value=1000))
def test_any_bytes_on_stdin_up_to_megabytes(tiny_kb: Path, chunk: bytes, repeat: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tiny_kb / "cache"))
    _any_input(tiny_kb, ["-"], chunk * repeat)


@pytest.mark.parametrize("query", ['"foo', "a OR", "AND", "*", "sock.c:539", "x" * 1_000_000, "\x00\x01", "数据库"])
def test_awkward_queries(tiny_kb: Path, query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tiny_kb / "cache"))
    _any_input(tiny_kb, ["--", query])
    _any_input(tiny_kb, ["--syntax", "--", query])


def test_a_kb_without_a_site_prints_no_page_address(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "mkdocs.yml").unlink()
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--lang", "en", "to_regclass")
    assert code == 0
    assert "page:" not in out
    assert out.rstrip().endswith("file: entries/kong/regclass.md")
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--json", "to_regclass")
    assert json.loads(out)["results"][0]["url"] is None


def test_the_shipped_placeholder_address_prints_no_page_address(kb: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # mkdocs.yml as shipped: the placeholder for local builds, the real address only in the Pages workflow.
    (kb / "mkdocs.yml").write_text('site_url: !ENV [KB_SITE_URL, "https://kb-troubleshooting.github.io/kb/"]\n',
                                   encoding="utf-8")
    monkeypatch.delenv("KB_SITE_URL", raising=False)
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--lang", "en", "to_regclass")
    assert code == 0 and out.rstrip().endswith("file: entries/kong/regclass.md")
    result = json.loads(run(capsys, "search", "--kb", str(kb), "--json", "to_regclass")[1])["results"][0]
    assert result["url"] is None and result["urls"] is None
    out = run(capsys, "show", "--kb", str(kb), "regclass")[1]
    assert out.endswith("File: entries/kong/regclass.md\n") and "kb-troubleshooting" not in out
    assert json.loads(run(capsys, "show", "--kb", str(kb), "regclass", "--json")[1])["urls"] == {}
    # The same file with the address set, as the workflow does, prints it.
    monkeypatch.setenv("KB_SITE_URL", "https://someone.github.io/kb/")
    out = run(capsys, "show", "--kb", str(kb), "regclass", "--lang", "zh")[1]
    assert out.endswith("网页: https://someone.github.io/kb/entries/kong/regclass/\n")


# --------------------------------------------------------------------------- input that used to raise

def test_a_quoted_phrase_with_syntax_finds_entries_holding_its_words(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", "--kb", str(kb), "--syntax", '"function to_regclass"')
    assert (code, err) == (0, "") and out.startswith("1. Migrations fail: to_regclass does not exist\n")
    code, out, _ = run(capsys, "search", "--kb", str(kb), "--syntax", '"function frobnicate"')
    assert (code, out) == (1, "")


def test_stdin_closed_is_a_usage_error(kb: Path) -> None:
    import os
    import subprocess

    done = subprocess.run([sys.executable, "-m", "kbtools", "search", "--kb", str(kb), "-"], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert done.returncode == 2
    assert done.stderr == "kb: error: `-` reads the query from standard input, but it is closed\n"


def test_blank_lines_before_the_query_are_skipped(kb: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pasted = b"\n" * 5_000_000 + b"ERROR: function to_regclass(unknown) does not exist\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pasted)))
    code, out, _ = run(capsys, "search", "--kb", str(kb), "-")
    assert code == 0 and out.startswith("1. Migrations fail: to_regclass does not exist\n")


@pytest.mark.parametrize(("flag", "known"), [("--product", "kong"), ("--component", "database"),
                                             ("--tag", "postgresql")])
def test_an_unknown_filter_value_is_a_usage_error_listing_the_known_ones(
        kb: Path, capsys: pytest.CaptureFixture[str], flag: str, known: str) -> None:
    assert run(capsys, "search", "--kb", str(kb), flag, "nosuch", "to_regclass") == (
        2, "", f"kb: error: {flag} `nosuch`: no entry has it; known: {known}\n")
    code, out, _ = run(capsys, "search", "--kb", str(kb), flag, known.upper() if flag == "--tag" else known,
                       "to_regclass")
    assert code == 0 and out.startswith("1. Migrations fail")
