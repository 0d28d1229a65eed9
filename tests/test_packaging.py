"""After a real install, `kb` works from any folder on the KB bundled in the package."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment with the wheel of this checkout installed in it.

    The wheel is built and installed without the network; the fresh environment borrows only the
    third-party dependencies of the test environment (through PYTHONPATH), never kbtools itself.
    """
    work = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(work / "dist"), str(REPO)], check=True)
    wheel = next((work / "dist").glob("*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"], "NO_COLOR": "1"}
    env.pop("KB_DIR", None)
    return venv, env


@pytest.mark.slow
def test_installed_kb_uses_its_bundled_entries_from_any_folder(installed: tuple[Path, dict[str, str]],
                                                               tmp_path: Path) -> None:
    venv, env = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import kbtools; print(kbtools.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), f"kbtools imported from {where}, not the fresh install"
    done = subprocess.run([str(venv / "bin" / "kb"), "validate"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.startswith("17 entries checked, no errors") or "entries checked, no errors" in done.stderr
    bundled = venv.glob("lib/python*/site-packages/kbtools/bundled/entries/kong/postgres-to-regclass.md")
    assert list(bundled), "the entries are not in the installed package"


@pytest.mark.slow
def test_installed_kb_reports_its_version(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    from kbtools import __version__

    venv, env = installed
    done = subprocess.run([str(venv / "bin" / "kb"), "--version"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.strip() == f"kb {__version__}"


@pytest.mark.slow
def test_installed_kb_prints_a_rule_with_its_example(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    venv, env = installed
    done = subprocess.run([str(venv / "bin" / "kb"), "rules", "KB031"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--- entries/kong/connection-timeout.md\n" in done.stdout
    assert "  - url: javascript:alert(1)\n" in done.stdout
