"""tools/test_versions.sh (make test-versions) finds interpreters honestly and fails on fewer than two."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "test_versions.sh"


def _fake(bindir: Path, name: str, prints: str, ok: bool = True) -> None:
    """A stand-in interpreter that answers the version question (or fails, like an unselected pyenv shim)."""
    path = bindir / name
    path.write_text(f"#!/bin/sh\n{'echo ' + prints if ok else 'echo pyenv: not selected >&2; exit 127'}\n")
    path.chmod(0o755)


def _find(tmp_path: Path, versions: str, fakes: list[tuple[str, str, bool]]) -> subprocess.CompletedProcess:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for name, prints, ok in fakes:
        _fake(bindir, name, prints, ok)
    env = {**os.environ, "FIND_ONLY": "1", "VERSIONS": versions, "PYENV_ROOT": str(tmp_path / "no-pyenv"),
           "PATH": f"{bindir}:/usr/bin:/bin"}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_two_versions_found_on_path(tmp_path):
    r = _find(tmp_path, "3.11 3.12 3.14", [("python3.11", "3.11", True), ("python3.12", "3.12", True)])
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"3.11: found {tmp_path}/bin/python3.11" in r.stdout and "3.14: not found" in r.stdout


def test_fewer_than_two_fails(tmp_path):
    r = _find(tmp_path, "3.11 3.12", [("python3.11", "3.11", True)])
    assert r.returncode == 1 and "needs at least two" in r.stderr


def test_a_shim_that_does_not_run_or_lies_is_not_counted(tmp_path):
    """A pyenv shim for an unselected version fails, and a python3.13 that is really 3.11 is not 3.13."""
    r = _find(tmp_path, "3.12 3.13", [("python3.12", "3.12", False), ("python3.13", "3.11", True)])
    assert r.returncode == 1
    assert "3.12: not found" in r.stdout and "3.13: not found" in r.stdout


def test_pyenv_builds_are_found_when_path_has_none(tmp_path):
    pyenv = tmp_path / "pyenv"
    for v, patch in (("3.12", "1"), ("3.13", "0")):
        d = pyenv / "versions" / f"{v}.{patch}" / "bin"
        d.mkdir(parents=True)
        _fake(d, "python3", v)
    env = {**os.environ, "FIND_ONLY": "1", "VERSIONS": "3.12 3.13", "PYENV_ROOT": str(pyenv), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"3.12: found {pyenv}/versions/3.12.1/bin/python3" in r.stdout
