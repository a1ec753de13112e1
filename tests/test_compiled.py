"""The timing stage compiled by mypyc (tools/compile_hot_path.py): in use where it is built and fresh,
never in use when stale, and giving byte for byte the reports of the sources it was built from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digests import RECORD

from samarbeid_rules._pipeline import compiled

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SUFFIX = compiled.SUFFIX

#: make test sets it: there the build must exist and be in use (a make target that forgot to build fails here)
EXPECT_COMPILED = os.environ.get("SAMARBEID_EXPECT_COMPILED") == "1"
IS_COMPILED = compiled.state() == "compiled"


def _python(code: str, *, pure: bool, cwd: Path = ROOT, path: Path = SRC) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SAMARBEID_PURE"}
    env["PYTHONPATH"] = str(path)
    if pure:
        env["SAMARBEID_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


_STATE = (
    "import samarbeid_rules, samarbeid_rules._pipeline.timing.deadline as d\n"
    "from samarbeid_rules._pipeline import compiled\n"
    "print(compiled.state()); print(d.__file__)\n"
)


def test_make_test_runs_the_compiled_timing_stage() -> None:
    if not EXPECT_COMPILED:
        pytest.skip("SAMARBEID_EXPECT_COMPILED=1 is set by make test, after the build")
    assert compiled.state() == "compiled"
    for rel in compiled.MODULES:
        module = sys.modules.get(compiled.module_name(rel))
        if module is not None:
            assert module.__file__ is not None and module.__file__.endswith(SUFFIX), rel


def test_the_state_says_what_is_imported() -> None:
    import samarbeid_rules._pipeline.timing.deadline as deadline

    assert deadline.__file__ is not None
    assert deadline.__file__.endswith(SUFFIX) == IS_COMPILED


def test_samarbeid_pure_runs_the_sources() -> None:
    state, file = _python(_STATE, pure=True).splitlines()
    assert state == "pure: SAMARBEID_PURE=1 is set"
    assert file.endswith("timing/deadline.py")


@pytest.mark.skipif(not IS_COMPILED, reason="the hot path is not built for this Python (make builds it)")
def test_a_source_edited_after_the_build_runs_instead_of_the_stale_build(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(SRC / "samarbeid_rules", copy / "samarbeid_rules",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for lib in SRC.glob(f"*__mypyc{SUFFIX}"):
        shutil.copy2(lib, copy / lib.name)
    (tmp_path / "rules").symlink_to(ROOT / "rules")  # the package finds the shipped rules beside src
    # as built: the copy runs compiled
    state, file = _python(_STATE, pure=False, cwd=tmp_path, path=copy).splitlines()
    assert (state, file) == ("compiled", str(copy / "samarbeid_rules/_pipeline/timing/deadline") + SUFFIX)
    # one byte added to one source: every compiled module is imported from its source
    common = copy / "samarbeid_rules/_pipeline/timing/common.py"
    common.write_text(common.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    state, file = _python(_STATE, pure=False, cwd=tmp_path, path=copy).splitlines()
    assert state == "pure: a source changed since the build"
    assert file == str(copy / "samarbeid_rules/_pipeline/timing/deadline.py")
    # the build gone, the stamp left: the sources run, saying why
    common.write_text(common.read_text(encoding="utf-8")[:-1], encoding="utf-8")
    (copy / "samarbeid_rules/_pipeline/timing/deadline.py").with_suffix(SUFFIX).unlink()
    state, file = _python(_STATE, pure=False, cwd=tmp_path, path=copy).splitlines()
    assert state == "pure: the build's extension modules are missing"
    # no stamp for this Python: not built
    compiled.stamp_path(copy / "samarbeid_rules").unlink()
    state, _ = _python(_STATE, pure=False, cwd=tmp_path, path=copy).splitlines()
    assert state == "pure: not built for this Python"


def test_every_module_of_the_timing_stage_is_compiled_and_stamped() -> None:
    from samarbeid_rules._pipeline import timing

    names = {compiled.module_name(rel) for rel in compiled.MODULES}
    # the package itself, and the module of every timing kind it sends rules to
    assert "samarbeid_rules._pipeline.timing" in names
    assert {kind.__module__ for kind in timing._KINDS.values()} <= names
    assert compiled.module_name("_pipeline/timing/deadline.py") == "samarbeid_rules._pipeline.timing.deadline"
    if IS_COMPILED:
        stamp = json.loads(compiled.stamp_path().read_text(encoding="utf-8"))
        assert sorted(stamp["sources"]) == sorted(compiled.MODULES)
        assert stamp["sources"] == compiled.sources_digest() and stamp["suffix"] == SUFFIX


@pytest.mark.skipif(not IS_COMPILED, reason="the hot path is not built for this Python (make builds it)")
def test_the_sources_give_the_recorded_reports_as_the_build_does() -> None:
    # tests/test_report_digests.py checks the form in use here (compiled, under make test) against the
    # record; the sources, run in their own process, must give the same digests
    code = ("import json, digests\nfrom samarbeid_rules._pipeline import compiled\n"
            "print(json.dumps({**digests.compute(), 'state': compiled.state()}))")
    pure = json.loads(_python(code, pure=True, cwd=ROOT / "tests"))
    assert pure["state"] == "pure: SAMARBEID_PURE=1 is set"
    recorded = json.loads(RECORD.read_text())
    assert pure["examples"] == recorded["examples"]
    assert pure["population"] == recorded["population"]


def test_the_package_imports_no_build_tool() -> None:
    # the guard loads nothing of mypy or setuptools: an installed package needs neither
    code = "import sys, samarbeid_rules; print(sorted(m for m in sys.modules if m.split('.')[0] in ('mypy', 'mypyc', 'setuptools')))"
    assert _python(code, pure=False).strip() == "[]"
