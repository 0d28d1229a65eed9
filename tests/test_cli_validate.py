"""kb validate, kb rules and kb schema as a user sees them: exact output, exit codes, --json,
GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, entry_text

from kbtools.cli import main
from kbtools.rules import RULES, markdown_table

BAD = entry_text("bad").replace("status: verified", "status: done")
STATUS_LINE = BAD.split("\n").index("status: done") + 1
STATUS_MSG = "KB011 `status` must be 'draft', 'verified' or 'obsolete', got `done`"


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("KB_DIR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def test_valid_kb_exits_0_with_a_summary(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None, "kong/b.md": None})
    assert main(["validate", "--kb", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "2 entries checked, no errors (kong: 2)\n"


def test_errors_are_printed_as_path_line_col_code_and_exit_1(make_kb: Callable[..., Path],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/bad.md": BAD, "kong/good.md": None})
    assert main(["validate", "--kb", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out == f"entries/kong/bad.md:{STATUS_LINE}:9: {STATUS_MSG}\n"
    assert err == "1 error in 1 file (2 checked)\n"


def test_one_file_is_checked_against_the_kb_it_belongs_to(make_kb: Callable[..., Path],
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb({"kong/bad.md": BAD, "kong/good.md": None})
    monkeypatch.chdir(root.parent)
    assert main(["validate", str(root / "entries/kong/good.md")]) == 0
    assert capsys.readouterr().err == "1 entry checked, no errors (kong: 1)\n"


def test_json_report(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/bad.md": BAD})
    assert main(["validate", "--json", "--kb", str(root)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 1 and report["files_checked"] == 1 and report["entries_valid"] == 0
    assert report["problems"] == [{
        "path": "entries/kong/bad.md", "line": STATUS_LINE, "col": 9, "code": "KB011", "field": "status",
        "severity": "error", "message": STATUS_MSG.removeprefix("KB011 "),
    }]


def test_github_annotations_when_running_in_actions(make_kb: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    root = make_kb({"kong/bad.md": BAD})
    assert main(["validate", "--kb", str(root)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == (f"::error file=entries/kong/bad.md,line={STATUS_LINE},col=9,title=KB011::"
                        + STATUS_MSG.removeprefix("KB011 "))
    assert main(["validate", "--no-github", "--kb", str(root)]) == 1
    assert "::error" not in capsys.readouterr().out


def test_warnings_are_printed_but_exit_0(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = entry_text("a")
    i = text.rindex("postgresql96")
    root = make_kb({"kong/a.md": text[:i] + "postgresql10" + text[i + 12:]})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate", "--kb", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("entries/kong/a.md:48:1: KB050 warning: code block 1 of the en half differs")
    assert out[1].startswith("::warning file=entries/kong/a.md,line=48,col=1,title=KB050::")


def test_verbose_lists_each_entry(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None})
    assert main(["validate", "-v", "--kb", str(root)]) == 0
    assert capsys.readouterr().out == "ok  entries/kong/a.md  a\n"


def test_missing_file_and_missing_kb_are_usage_errors(make_kb: Callable[..., Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/a.md": None})
    assert main(["validate", "--kb", str(root), str(root / "entries/kong/nope.md")]) == 2
    assert capsys.readouterr().err.endswith("nope.md: no such file or folder\n")
    assert main(["validate", "--kb", str(tmp_path / "nowhere")]) == 2
    assert "no `entries/` folder there" in capsys.readouterr().err


def test_the_real_kb_validates() -> None:
    assert main(["validate", "--kb", str(REPO)]) == 0


# --------------------------------------------------------------------------- kb rules / kb schema

def test_rules_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [r.code for r in RULES]
    assert lines[0] == "KB001  encoding           " + RULES[0].summary


def test_rules_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--markdown"]) == 0
    assert capsys.readouterr().out == markdown_table()
    assert main(["rules", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in data] == [r.code for r in RULES]
    assert {d["severity"] for d in data} == {"error", "warning"}


def test_codes_are_unique_and_in_order() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(set(codes))


def test_schema_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == (REPO / "schema/entry.schema.json").read_text(encoding="utf-8")


def test_schema_write_is_atomic_and_says_when_up_to_date(make_kb: Callable[..., Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({})
    assert main(["schema", "--write", "--kb", str(root)]) == 0
    assert capsys.readouterr().err.endswith("schema/entry.schema.json: written\n")
    assert main(["schema", "--write", "--kb", str(root)]) == 0
    assert capsys.readouterr().err.endswith("schema/entry.schema.json: up to date\n")
    assert [p.name for p in (root / "schema").iterdir()] == ["entry.schema.json"]
