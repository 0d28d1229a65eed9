"""Pathological runs of markup characters, each filling an entry up to the size cap, under a hang guard.

Every case runs the real commands in a subprocess, and each must finish within 2 s of CPU time
(measured on the child, so that a loaded machine does not fail the test; the wall-clock guard
only catches a hang). The runs are the ones that were slow: 12,000 backticks took 41 s in the
old code-span regex, `{a` and 64k spaces 2.2 s in the attr_list regex, and Python-Markdown walks
quadratically over 64k `[` (KB042 refuses them before rendering) or over runs of `<a`, `\\`, `*a`
and `>` (KB043: a CPU budget while rendering).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_text

pytestmark = pytest.mark.slow

CPU_LIMIT = 2.0  # seconds of CPU for one command on one file
HANG_GUARD = 30.0  # wall-clock seconds: a shared, loaded machine is slow, a hang is slower
CAP = 256 * 1024

RUNS: dict[str, str] = {
    "backticks": "`", "a-backticks": "a `", "brackets": "[", "bang-brackets": "![", "link-parens": "[](",
    "close-brackets": "]", "braces": "{", "brace-spaces": "{a" + " " * 64, "lt": "<", "lt-a": "<a", "gt": ">",
    "stars": "*", "star-a": "*a", "underscores": "_", "underscore-a": "_a", "spaces": " ", "backslashes": "\\",
    "ampersands": "&", "tildes": "~", "parens": "(", "link-text": "[x]", "entity": "&#58;",
}
# Refused before rendering, on any machine. The others are accepted, or refused with KB043 when
# rendering them would take over the CPU budget (on this machine: `<a`, `>`, `*a`, `\\`, `a \``).
LINK_WORK = {"brackets", "bang-brackets", "link-parens"}


def _entry(name: str, unit: str) -> bytes:
    head = entry_text(name, body="<!-- lang: zh -->\n## 原因\n\n数据库版本太低。\n\n## 解决\n\n升级。\n\n"
                                 "<!-- lang: en -->\n## Cause\n\nPAYLOAD\n\n## Fix\n\nUpgrade.\n")
    room = CAP - len(head.encode("utf-8")) + len("PAYLOAD") - 16
    payload = "The cause: " + unit * ((room - 11) // len(unit.encode("utf-8")))
    data = head.replace("PAYLOAD", payload).encode("utf-8")
    assert CAP - 64 < len(data) <= CAP
    return data


def _cpu(args: list[str], cwd: Path, env: dict[str, str], guard: float = HANG_GUARD) -> tuple[int, str, float]:
    """Run ``kb ARGS``: exit code, output, and the CPU seconds the child used."""
    before = os.times()
    proc = subprocess.Popen([sys.executable, "-m", "kbtools", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=guard)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"kb {' '.join(args)} hung for {guard:.0f} s") from None
    after = os.times()  # the child is reaped: its CPU time is in this process's children's usage
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return proc.returncode, out, cpu


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "KB_CACHE_DIR": str(tmp_path / "cache"), "GITHUB_ACTIONS": ""}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_validate_and_show_finish_a_pathological_file_in_time(name: str, make_kb: Callable[..., Path],
                                                              env: dict[str, str]) -> None:
    # The two commands that render an entry's Markdown.
    root = make_kb({f"kong/{name}.md": _entry(name, RUNS[name])})
    rel = f"entries/kong/{name}.md"
    code, out, cpu = _cpu(["validate", rel], root, env)
    assert "Traceback" not in out
    assert cpu < CPU_LIMIT, f"kb validate took {cpu:.2f} s of CPU"
    if name in LINK_WORK:
        assert code == 1 and f"{rel}:" in out and " KB042 " in out, out
    else:
        assert code in (0, 1) and " KB042 " not in out, out
    code, out, cpu = _cpu(["show", name, "--kb", str(root)], root, env)
    assert "Traceback" not in out and code in (0, 1, 2), out
    assert cpu < CPU_LIMIT, f"kb show took {cpu:.2f} s of CPU"


def test_the_other_commands_finish_the_whole_corpus_in_time(make_kb: Callable[..., Path],
                                                            env: dict[str, str]) -> None:
    # None of these renders Markdown: each walks every file once, so the corpus as a whole must
    # stay within the per-file limit times the number of files.
    root = make_kb({f"kong/{name}.md": _entry(name, unit) for name, unit in RUNS.items()})
    for args in (["index", "--force"], ["search", "cause"], ["export"], ["fmt", "--check"]):
        code, out, cpu = _cpu([*args, "--kb", str(root)], root, env, guard=HANG_GUARD * len(RUNS) / 2)
        assert "Traceback" not in out and code in (0, 1, 2), out[-2000:]
        assert cpu < CPU_LIMIT * len(RUNS), f"kb {' '.join(args)} took {cpu:.2f} s of CPU for {len(RUNS)} files"


def test_link_work_counts_what_the_renderer_walks() -> None:
    from kbtools.markup import link_work

    # `[` at 2 walks 5 to its `]`; the `(` after it walks 19 to its `)`, the furthest.
    assert link_work("a [link](https://x.example/) b") == (5 + 19, 8)
    # Unclosed: each `[` walks to the end of the block, so n of them walk about n²/2.
    work, at = link_work("[" * 1000)
    assert work == sum(range(1, 1001)) and at == 0
    assert link_work("(((")[0] == 0, "a parenthesis walks only after `]`"
