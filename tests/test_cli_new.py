"""kb new: a skeleton that fails validation only for its TODOs, and never overwrites."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kbtools.cli import main
from kbtools.load import load_kb

ARGS = ["new", "--product", "kong", "--component", "database", "--id", "pg-too-old"]


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_DIR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def test_new_writes_the_skeleton_and_says_what_next(make_kb: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({})
    assert main([*ARGS, "--kb", str(root), "--command", "kong migrations up",
                 "--output", "ERROR: function to_regclass(unknown) does not exist"]) == 0
    out, err = capsys.readouterr()
    target = root / "entries/kong/pg-too-old.md"
    assert out == f"{target}\n"
    assert err == f"Fill in every TODO, then run: kb validate {target}\n"
    text = target.read_text(encoding="utf-8")
    assert "  - command: \"kong migrations up\"\n    output: |\n      ERROR: function to_regclass" in text


def test_the_skeleton_fails_only_for_its_todos_and_passes_once_filled(make_kb: Callable[..., Path]) -> None:
    root = make_kb({})
    assert main([*ARGS, "--kb", str(root)]) == 0
    kb = load_kb(root)
    assert {p.code for p in kb.problems} == {"KB022"}
    path = root / "entries/kong/pg-too-old.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"TODO[^\n\"]*", "filled in", text)
    path.write_text(text, encoding="utf-8")
    kb = load_kb(root)
    assert [p.format() for p in kb.problems] == []
    assert [e.id for e in kb.entries] == ["pg-too-old"]


def test_new_never_overwrites(make_kb: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/pg-too-old.md": "my work\n"})
    assert main([*ARGS, "--kb", str(root)]) == 2
    assert "pg-too-old.md already exists" in capsys.readouterr().err
    assert (root / "entries/kong/pg-too-old.md").read_text(encoding="utf-8") == "my work\n"


def test_new_refuses_an_id_used_by_another_product(make_kb: Callable[..., Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({"kong/pg-too-old.md": None})
    args = ["new", "--product", "kong", "--component", "build", "--id", "pg-too-old", "--kb", str(root)]
    assert main(args) == 2
    assert "ids are unique across products" in capsys.readouterr().err


@pytest.mark.parametrize("flag,value,message", [
    ("--product", "nginx", "unknown product `nginx`; known: kong"),
    ("--component", "databse", "unknown component `databse` for kong; known: build, database"),
    ("--id", "Not_A_Slug", "--id `Not_A_Slug` is not a lowercase slug"),
])
def test_bad_values_are_usage_errors(flag: str, value: str, message: str, make_kb: Callable[..., Path],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({})
    args = list(ARGS)
    args[args.index(flag) + 1] = value
    assert main([*args, "--kb", str(root)]) == 2
    assert message in capsys.readouterr().err
    assert not list((root / "entries").rglob("*.md"))


def test_missing_values_without_a_terminal_are_usage_errors(make_kb: Callable[..., Path],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb({})
    assert main(["new", "--product", "kong", "--kb", str(root)]) == 2
    assert "--component, --id required when not on a terminal" in capsys.readouterr().err


def test_on_a_terminal_new_asks_for_what_is_missing(make_kb: Callable[..., Path]) -> None:
    """Run `kb new` on a real pseudo-terminal and answer its prompts as a person would."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    root = make_kb()
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "kbtools", "new", "--kb", str(root)],
                            stdin=child_fd, stdout=child_fd, stderr=child_fd, close_fds=True,
                            env={**os.environ, "NO_COLOR": "1"})
    os.close(child_fd)
    seen = b""

    def expect(prompt: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 20
        while prompt not in seen:
            assert time.monotonic() < deadline, f"no {prompt!r} prompt; the screen shows {seen!r}"
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if ready:
                seen += os.read(main_fd, 4096)

    try:
        expect(b"product [kong]: ")
        os.write(main_fd, b"nginx\n")  # not a product: asked again
        expect(b"choose one of: kong")
        os.write(main_fd, b"kong\n")
        expect(b"component [build/database]: ")
        os.write(main_fd, b"build\n")
        expect(b"id (lowercase-slug")
        os.write(main_fd, b"asked-on-a-terminal\n")
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        os.close(main_fd)
    written = root / "entries" / "kong" / "asked-on-a-terminal.md"
    assert written.is_file()
    assert "component: build" in written.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- awkward input

def _kb_new(root: Path, *argv: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "kbtools", *ARGS[:5], "--kb", str(root), *argv],
                          capture_output=True, timeout=60, env={**os.environ, "NO_COLOR": "1"}, **kwargs)  # type: ignore[call-overload]


def test_an_id_too_long_for_a_file_name_is_a_usage_error(make_kb: Callable[..., Path]) -> None:
    root = make_kb({})
    done = _kb_new(root, "--id", "a" * 300)
    assert done.returncode == 2
    assert done.stderr == b"kb: error: --id is 300 characters; keep it to 200 at most (it is the file name)\n"
    assert not list((root / "entries").rglob("*.md"))


def test_text_that_is_not_utf8_is_a_usage_error(make_kb: Callable[..., Path]) -> None:
    root = make_kb({})
    done = _kb_new(root, "--id", "x", os.fsdecode(b"--title-zh"), os.fsdecode(b"\xff\xfe"))
    assert (done.returncode, done.stderr) == (2, b"kb: error: --title-zh is not valid UTF-8 text; entries are UTF-8\n")
    done = _kb_new(root, "--id", "x", "--output", "-", input=b"ab\xffcd")
    assert (done.returncode, done.stderr) == (2, b"kb: error: --output -: standard input is not valid UTF-8 "
                                                 b"(byte 0xff at offset 2); entries are UTF-8 text\n")
    done = _kb_new(root, "--id", "x", "--output", "-", stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert (done.returncode, done.stderr) == (2, b"kb: error: --output -: standard input is closed\n")
    assert not list((root / "entries").rglob("*.md"))


@pytest.mark.parametrize(("pasted", "kept"), [
    ("\x1b[1;31mERROR\x1b[0m: boom\n", "ERROR: boom\n"),  # colour codes of a terminal
    ("ERROR: boom\r\nat line 2\r\n", "ERROR: boom\nat line 2\n"),  # CRLF
    ("10%\r100%\rERROR: boom\n", "10%\n100%\nERROR: boom\n"),  # a progress line's lone CRs
    ("    at main (x.js:1)\nERROR: boom\n", "    at main (x.js:1)\nERROR: boom\n"),  # leading spaces
    ("ERROR:\tboom \x07\n", "ERROR:\tboom \x07\n"),  # a control character YAML cannot hold raw
])
def test_a_pasted_output_makes_a_valid_skeleton(pasted: str, kept: str, make_kb: Callable[..., Path]) -> None:
    root = make_kb({})
    assert main([*ARGS, "--kb", str(root), "--command", "run", "--output", pasted]) == 0
    kb = load_kb(root)
    assert {p.code for p in kb.problems} == {"KB022"}, [p.format() for p in kb.problems]
    import yaml

    text = (root / "entries/kong/pg-too-old.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1])["symptoms"][0]["output"] == kept


def test_a_new_file_gets_the_mode_the_umask_allows(make_kb: Callable[..., Path]) -> None:
    root = make_kb({})
    old = os.umask(0o027)
    try:
        assert main([*ARGS, "--kb", str(root)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / "entries/kong/pg-too-old.md").stat().st_mode) == 0o640
    assert main([*ARGS[:6], "other-id", "--kb", str(root)]) == 0
    assert stat.S_IMODE((root / "entries/kong/other-id.md").stat().st_mode) == 0o666 & ~old
