"""A user's type checker sees the public API: ``mypy --strict`` on scripts in tests/typing/.

``user_script.py`` builds a timeline by hand from :mod:`samarbeid_rules.events`,
evaluates it, reads the report and uses every notebook helper; it must pass
``mypy --strict`` with ``disallow_any_expr`` (no expression of type ``Any``)
and ``assert_type`` pins on the event fields, the report and the helpers'
return types (``pandas.DataFrame``, matplotlib ``Axes``, ``str``).
``wrong_types.py`` holds mistakes, each line marked ``# E: <code>``; mypy must
fail on exactly those lines, so the check is shown able to fail.

mypy checks the package as a user's mypy would: the installed package (it
ships ``py.typed``), not the source tree; errors inside the package itself
are not reported. No plugin is needed for fields to be checked (Pydantic's
models are a ``dataclass_transform``); the user's script must also pass with
``pydantic.mypy``, as many users configure it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

import samarbeid_rules  # noqa: E402

HERE = Path(__file__).resolve().parent / "typing"
USER_SCRIPT = "user_script.py"
WRONG_TYPES = "wrong_types.py"

_ERROR = re.compile(r"^(?P<file>[\w.]+):(?P<line>\d+): error: .*\[(?P<code>[\w-]+)\]$")
_MARK = re.compile(r"#\s*E:\s*(?P<code>[\w-]+)\s*$")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the runs of this module (the package and pandas-stubs are read once)."""
    return tmp_path_factory.mktemp("mypy-cache")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    env["MPLBACKEND"] = "Agg"
    return env


def _mypy(script: str, config: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", config, "--cache-dir", str(cache_dir),
         "--show-error-codes", "--no-color-output", "--no-pretty", script],
        cwd=HERE, env=_env(), capture_output=True, text=True, timeout=600,
    )


def _errors(run: subprocess.CompletedProcess[str], script: str) -> set[tuple[int, str]]:
    found = set()
    for line in run.stdout.splitlines():
        m = _ERROR.match(line)
        if m:
            assert m["file"] == script, line
            found.add((int(m["line"]), m["code"]))
    return found


def test_the_package_ships_py_typed():
    """The package marks itself typed (PEP 561), so a user's mypy reads its annotations."""
    assert (Path(samarbeid_rules.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("config", ["mypy.ini", "mypy-pydantic.ini"])
def test_user_script_passes_mypy_strict_with_no_any(config, cache_dir):
    """The user's script type-checks under --strict with no Any expression, with and without pydantic's plugin."""
    run = _mypy(USER_SCRIPT, config, cache_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found in 1 source file" in run.stdout


def test_user_script_runs():
    """The user's script is real code: it runs, and the types mypy was told are the objects' types."""
    run = subprocess.run([sys.executable, USER_SCRIPT], cwd=HERE, env=_env(), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "case-typed (prison-1)" in run.stdout and "3 obligations, 1 gaps" in run.stdout


def test_wrong_types_fail_mypy_on_exactly_the_marked_lines(cache_dir):
    """A wrong field type, an unknown or missing field, a wrong helper argument: mypy exits non-zero on each."""
    expected = {
        (n, m["code"])
        for n, text in enumerate((HERE / WRONG_TYPES).read_text().splitlines(), start=1)
        if (m := _MARK.search(text))
    }
    assert len(expected) >= 5
    run = _mypy(WRONG_TYPES, "mypy.ini", cache_dir)
    assert run.returncode == 1, run.stdout + run.stderr
    assert _errors(run, WRONG_TYPES) == expected, run.stdout
