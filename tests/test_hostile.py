"""The hostile corpus: broken and malicious entries get a precise error, fast, and change nothing.

Small cases are files under ``tests/hostile/`` (each file's name is its case); large ones and
symlinks are made by the tests in ``tmp_path``. Each runs the real ``kb`` in a subprocess, so a
hang, a crash or a traceback anywhere on the way is caught, and the whole tree is hashed before
and after to prove that nothing was written.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, entry_text
from hypothesis import given, settings
from hypothesis import strategies as st

HOSTILE = Path(__file__).resolve().parent / "hostile"
HANG_GUARD = 5.0  # seconds; each case takes well under one, this only catches hangs

# case -> every "line:col: CODE" that `kb validate` must report for it, and nothing else.
EXPECTED: dict[str, set[str]] = {
    "alias-bomb": {"15:7: KB005"},  # billion laughs: refused at the first anchor, nothing expanded
    "attr-list-handler": {"44:15: KB040"},  # `{ onmouseover=… }`: attr_list would set a handler
    "bom": {"1:1: KB001"},
    "crlf-error": {"15:1: KB012"},  # CRLF is read as LF, so line numbers stay right
    "data-link": {"44:24: KB031"},  # the `<script>` is inside the link target: escaped, not a tag
    "deep-nesting": {"15:16: KB005"},  # 200 nested lists
    "duplicate-keys": {"15:1: KB006"},
    "empty": {"1:1: KB003"},
    "heading-script": {"37:1: KB021", "38:1: KB021"},
    "html-in-title": {"5:7: KB040"},
    "huge-number": {"13:15: KB011"},  # 5000 digits: over Python's int conversion limit
    "indented-ref-link": {"44:10: KB031"},  # a reference definition inside a list item
    "id-dotdot": {"2:5: KB013"},
    "invalid-yaml": {"13:16: KB004"},
    "javascript-link": {"40:27: KB031"},
    "javascript-reference": {"18:10: KB031"},
    "marker-injection": {"23:1: KB020", "37:1: KB040", "37:18: KB040", "38:1: KB020", "39:1: KB020"},
    "non-utf8": {"27:1: KB001"},
    "nul-byte": {"40:1: KB001"},
    "python-tag": {"14:9: KB005"},
    "ref-link-javascript": {"42:8: KB031"},  # `[why]: javascript:…` makes a live link
    "script-in-body": {"27:9: KB040"},
    "script-in-title": {"4:7: KB040"},
    "tabs": {"4:1: KB004"},
    "unclosed-front-matter": {"1:1: KB003"},
    # Issue 12: a scheme hidden from a check of the text as written; the browser decodes entities,
    # drops tabs and newlines, trims spaces and ignores case. Each payload is in 原因 and in Cause.
    "enc-angle": {"29:11: KB031", "44:11: KB031"},
    "enc-data-plain": {"29:10: KB031", "44:10: KB031"},
    "enc-data": {"29:10: KB031", "44:10: KB031"},
    "enc-decimal": {"29:10: KB031", "44:10: KB031"},
    "enc-hex": {"29:10: KB031", "44:10: KB031"},
    "enc-image": {"29:10: KB040", "44:10: KB040"},
    "enc-leading-space": {"29:13: KB031", "44:13: KB031"},
    "enc-mixed-case": {"29:10: KB031", "44:10: KB031"},
    "enc-named": {"29:10: KB031", "44:10: KB031"},
    "enc-newline": {"29:10: KB031", "44:10: KB031"},
    "enc-raw-anchor": {"29:12: KB031", "44:12: KB031"},  # `&#58` without `;`, in a raw <a>
    "enc-reference": {"31:6: KB031", "48:6: KB031"},
    "enc-tab": {"29:10: KB031", "44:10: KB031"},
    "enc-vbscript": {"29:10: KB031", "44:10: KB031"},
    # Issue 13 (a)-(i): the validator and the renderer read the Markdown differently. The tag, then
    # its handler, in each half.
    "x13a-split-tag": {"29:6: KB040", "31:1: KB040", "46:6: KB040", "48:1: KB040"},
    "x13b-escaped-backticks": {"29:3: KB040", "29:14: KB040", "44:3: KB040", "44:14: KB040"},
    "x13c-code-span-blanking": {"31:1: KB040", "31:12: KB040", "50:1: KB040", "50:12: KB040"},
    "x13d-backtick-info": {"30:1: KB040", "30:12: KB040", "47:1: KB040", "47:12: KB040"},
    "x13d-tilde-fence": {"30:1: KB040", "30:12: KB040", "47:1: KB040", "47:12: KB040"},
    "x13e-odd-tag-name": {"29:1: KB040", "29:27: KB040", "44:1: KB040", "44:27: KB040"},
    "x13f-ref-in-list": {"32:3: KB031", "50:3: KB031"},
    "x13f-ref-in-quote": {"32:3: KB031", "50:3: KB031"},
    "x13f-ref-next-line": {"32:1: KB031", "50:1: KB031"},
    "x13g-link-across-lines": {"30:1: KB031", "46:1: KB031"},
    "x13h-attr-list-in-escapes": {"29:3: KB040", "29:35: KB040", "44:3: KB040", "44:35: KB040"},
    "x13i-reference-url": {"18:10: KB031"},
    "x13i-source-url": {"20:8: KB031"},
    "link-work-brackets": {"44:11: KB042"},  # 2,000 `[` that never close: Python-Markdown walks 2M characters
}
ACCEPTED = {"crlf"}  # valid content, only not canonical: `kb fmt --check` flags it instead


def kb(*args: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kbtools", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env)
    return done, time.monotonic() - start


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_symlink():
            digest.update(b"->" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "KB_CACHE_DIR": str(tmp_path / "cache"), "GITHUB_ACTIONS": ""}


def check_hostile(root: Path, name: str, expected: set[str], env: dict[str, str], watch: Path) -> None:
    before = tree_hash(watch)
    done, took = kb("validate", "--kb", str(root), cwd=root, env=env)
    assert took < HANG_GUARD, f"{name}: kb validate took {took:.1f}s"
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    pattern = re.compile(rf"^entries/kong/{re.escape(name)}\.md:(\d+:\d+: KB\d{{3}}) ", re.MULTILINE)
    assert set(pattern.findall(done.stdout)) == expected, done.stdout
    assert all(line.startswith(f"entries/kong/{name}.md:") for line in done.stdout.splitlines()), done.stdout

    done, took = kb("fmt", "--kb", str(root), cwd=root, env=env)
    assert took < HANG_GUARD
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert tree_hash(watch) == before, f"{name}: a file was written or changed"


def test_every_committed_case_has_an_expectation() -> None:
    assert {p.stem for p in HOSTILE.glob("*.md")} == set(EXPECTED) | ACCEPTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(name: str, make_kb: Callable[..., Path], env: dict[str, str], tmp_path: Path) -> None:
    root = make_kb({f"kong/{name}.md": (HOSTILE / f"{name}.md").read_bytes()})
    check_hostile(root, name, EXPECTED[name], env, tmp_path / "kb")


def test_crlf_entry_is_accepted_and_fmt_check_flags_it(make_kb: Callable[..., Path], env: dict[str, str]) -> None:
    root = make_kb({"kong/crlf.md": (HOSTILE / "crlf.md").read_bytes()})
    before = tree_hash(root)
    done, _ = kb("validate", "--kb", str(root), cwd=root, env=env)
    assert done.returncode == 0, done.stdout
    done, _ = kb("fmt", "--check", "--kb", str(root), cwd=root, env=env)
    assert done.returncode == 1
    assert "\n-id: crlf␍\n" in done.stdout and "\n+id: crlf\n" in done.stdout
    assert tree_hash(root) == before


def _valid_head(entry_id: str) -> bytes:
    return entry_text(entry_id).encode("utf-8")


def test_ten_megabyte_file(make_kb: Callable[..., Path], env: dict[str, str], tmp_path: Path) -> None:
    big = _valid_head("big") + b"x" * (10 * 1024 * 1024) + b"\n"
    root = make_kb({"kong/big.md": big})
    check_hostile(root, "big", {"1:1: KB002"}, env, tmp_path / "kb")


def test_one_huge_value_over_the_cap(make_kb: Callable[..., Path], env: dict[str, str], tmp_path: Path) -> None:
    text = entry_text("huge-title", front={"title": {"zh": "长" * 100_000, "en": "long " * 60_000}})
    root = make_kb({"kong/huge-title.md": text})
    check_hostile(root, "huge-title", {"1:1: KB002"}, env, tmp_path / "kb")


def test_a_body_that_renders_to_too_much_html(make_kb: Callable[..., Path], env: dict[str, str],
                                             tmp_path: Path) -> None:
    # 140,000 `&` become 700,000 characters of `&amp;`: over the HTML limit (KB043), refused
    # before nh3 spends seconds on it.
    body = ("<!-- lang: zh -->\n## 原因\n\n数据库版本太低。\n\n## 解决\n\n升级。\n\n"
            "<!-- lang: en -->\n## Cause\n\n" + "&" * 140_000 + "\n\n## Fix\n\nUpgrade.\n")
    text = entry_text("html-bomb", body=body)
    line = text.split("\n").index("## Cause") + 1
    root = make_kb({"kong/html-bomb.md": text})
    check_hostile(root, "html-bomb", {f"{line}:1: KB043"}, env, tmp_path / "kb")


def test_symlink_pointing_outside_entries(make_kb: Callable[..., Path], env: dict[str, str], tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "escape.md"
    outside.parent.mkdir()
    outside.write_text(entry_text("escape"), encoding="utf-8")
    root = make_kb({})
    (root / "entries/kong").mkdir()
    (root / "entries/kong/escape.md").symlink_to(outside)
    check_hostile(root, "escape", {"2:1: KB015"}, env, tmp_path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_symlink_to_a_device_does_not_hang(make_kb: Callable[..., Path], env: dict[str, str],
                                           tmp_path: Path) -> None:
    root = make_kb({})
    (root / "entries/kong").mkdir()
    (root / "entries/kong/zero.md").symlink_to("/dev/zero")
    check_hostile(root, "zero", {"1:1: KB007"}, env, tmp_path / "kb")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_given_by_name_does_not_hang(make_kb: Callable[..., Path], env: dict[str, str],
                                                  tmp_path: Path) -> None:
    root = make_kb({"kong/ok.md": None})
    os.mkfifo(root / "entries/kong/pipe.md")
    done, took = kb("validate", "entries/kong/pipe.md", cwd=root, env=env)
    assert took < HANG_GUARD
    assert done.returncode == 1
    assert done.stdout.startswith("entries/kong/pipe.md:1:1: KB007 a named pipe (FIFO), not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_under_entries_is_reported_by_every_command(make_kb: Callable[..., Path],
                                                                  env: dict[str, str]) -> None:
    root = make_kb({"kong/ok.md": None})
    os.mkfifo(root / "entries/kong/pipe.md")
    done, took = kb("validate", "--kb", str(root), cwd=root, env=env)
    assert took < HANG_GUARD and done.returncode == 1
    assert done.stdout.startswith("entries/kong/pipe.md:1:1: KB007 a named pipe (FIFO)")
    # Indexing hashed every file with a plain read, which waits for a writer to the pipe for ever.
    done, took = kb("search", "--kb", str(root), "sample", "failure", cwd=root, env=env)
    assert took < HANG_GUARD and done.returncode == 0, done.stderr
    assert done.stderr == "kb: warning: 1 invalid entry left out of the index; run `kb validate`\n"


def test_many_hostile_files_at_once_report_every_one(make_kb: Callable[..., Path], env: dict[str, str],
                                                     tmp_path: Path) -> None:
    root = make_kb({f"kong/{name}.md": (HOSTILE / f"{name}.md").read_bytes() for name in EXPECTED})
    before = tree_hash(tmp_path / "kb")
    done, took = kb("validate", "--json", "--kb", str(root), cwd=root, env=env)
    assert took < HANG_GUARD * 2
    assert done.returncode == 1 and "Traceback" not in done.stderr
    import json
    report = json.loads(done.stdout)
    assert {Path(p["path"]).stem for p in report["problems"]} == set(EXPECTED)
    assert tree_hash(tmp_path / "kb") == before


def test_kb_new_refuses_an_id_that_climbs_out(make_kb: Callable[..., Path], env: dict[str, str],
                                              tmp_path: Path) -> None:
    root = make_kb({})
    before = tree_hash(tmp_path)
    done, _ = kb("new", "--product", "kong", "--component", "database", "--id", "../../evil", cwd=root, env=env)
    assert done.returncode == 2
    assert done.stderr == "kb: error: --id `../../evil` is not a lowercase slug (a-z, 0-9, single hyphens)\n"
    assert tree_hash(tmp_path) == before


# --------------------------------------------------------------------------- any bytes at all

_SAMPLE = (HOSTILE / "crlf.md").read_bytes().replace(b"\r\n", b"\n")
_PIECES = [b"\n", b"---\n", b"<!-- lang: zh -->\n", b"<!-- lang: en -->\n", b"## Fix\n", b"```\n", b"`", b"<b>",
           b"{: x=1 }", b"[r]: javascript:x\n", b"&a ", b"*a", b"\t", b": ", b"- ", b"\xff", b"\x00", b"\r", b"'", b'"']


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(_SAMPLE)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            data[at:at] = draw(st.sampled_from(_PIECES) | st.binary(max_size=8))
        else:
            del data[at:at + draw(st.integers(1, 40))]
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_mutated(), st.binary(max_size=2000)))
def test_no_input_makes_the_validator_raise(raw: bytes) -> None:
    from kbtools.load import load_products
    from kbtools.parse import parse_entry_bytes
    from kbtools.validate import check_file

    products, _ = load_products(REPO)
    path = REPO / "entries/kong/sample.md"
    entry, problems = check_file(parse_entry_bytes(path, raw), products, REPO / "entries")
    assert entry is not None or any(p.severity == "error" for p in problems)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.code.startswith("KB")


def test_a_symlink_loop_is_reported_by_every_command(make_kb: Callable[..., Path], env: dict[str, str]) -> None:
    root = make_kb({"kong/ok.md": None})
    (root / "entries/kong/loop.md").symlink_to("loop.md")
    expected = "entries/kong/loop.md:1:1: KB001 cannot read file: Too many levels of symbolic links\n"
    for command in ("validate", "fmt", "export"):
        done, took = kb(command, "--kb", str(root), cwd=root, env=env)
        assert took < HANG_GUARD and "Traceback" not in done.stderr, done.stderr
        assert done.returncode == (2 if command == "export" else 1), (command, done.stderr)
        assert expected in done.stdout + done.stderr, (command, done.stdout, done.stderr)
    done, _ = kb("validate", "entries/kong/loop.md", cwd=root, env=env)
    assert (done.returncode, done.stdout) == (1, expected)
    done, _ = kb("search", "--kb", str(root), "sample", "failure", cwd=root, env=env)
    assert done.returncode == 0
    assert done.stderr == "kb: warning: 1 invalid entry left out of the index; run `kb validate`\n"
    done, _ = kb("index", "--kb", str(root), cwd=root, env=env)
    assert "entries/kong/loop.md: left out of the index because it is invalid" in done.stderr
