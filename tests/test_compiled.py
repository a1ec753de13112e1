"""The timing stage compiled by mypyc (tools/compile_hot_path.py): in use where it is built and fresh,
never in use when stale, and giving byte for byte the reports of the sources it was built from."""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import samarbeid_rules
from samarbeid_rules import evaluate
from samarbeid_rules._pipeline import compiled
from samarbeid_rules.testing import generate_population

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
AS_OF = "2027-12-31T12:00:00+01:00"

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
    assert IS_COMPILED or compiled.state().startswith("pure: ")


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


def test_the_stamp_names_every_compiled_source() -> None:
    digest = compiled.sources_digest()
    assert sorted(digest) == sorted(compiled.MODULES)
    for rel in compiled.MODULES:
        assert digest[rel] == hashlib.sha256((SRC / "samarbeid_rules" / rel).read_bytes()).hexdigest()
    assert all(compiled.module_name(rel).startswith("samarbeid_rules._pipeline.timing") for rel in compiled.MODULES)
    assert compiled.module_name("_pipeline/timing/__init__.py") == "samarbeid_rules._pipeline.timing"
    if IS_COMPILED:
        stamp = json.loads(compiled.stamp_path().read_text(encoding="utf-8"))
        assert stamp["sources"] == digest and stamp["suffix"] == SUFFIX


_DIGESTS = """
import hashlib, json, sys
from pathlib import Path
from samarbeid_rules import evaluate
from samarbeid_rules._pipeline import compiled
from samarbeid_rules.testing import generate_population
out = {"state": compiled.state(), "reports": {}}
for i, d in enumerate(generate_population(120, seed=11)):
    out["reports"][f"pop{i}"] = hashlib.sha256(evaluate(json.dumps(d), as_of=%(as_of)r).to_json().encode()).hexdigest()
for p in sorted(Path("examples").glob("*.json")):
    out["reports"][p.name] = hashlib.sha256(evaluate(p).to_json().encode()).hexdigest()
print(json.dumps(out))
"""


def _digests_here() -> dict[str, str]:
    out = {}
    for i, d in enumerate(generate_population(120, seed=11)):
        out[f"pop{i}"] = hashlib.sha256(evaluate(json.dumps(d), as_of=AS_OF).to_json().encode()).hexdigest()
    for p in sorted((ROOT / "examples").glob("*.json")):
        out[p.name] = hashlib.sha256(evaluate(p).to_json().encode()).hexdigest()
    return out


@pytest.mark.skipif(not IS_COMPILED, reason="the hot path is not built for this Python (make builds it)")
def test_compiled_and_pure_reports_are_byte_identical() -> None:
    pure = json.loads(_python(_DIGESTS % {"as_of": AS_OF}, pure=True))
    assert pure["state"] == "pure: SAMARBEID_PURE=1 is set"
    here = _digests_here()
    assert len(here) > 120
    differ = sorted(name for name in here if pure["reports"].get(name) != here[name])
    assert differ == [] and pure["reports"].keys() == here.keys()


def test_the_package_imports_no_build_tool() -> None:
    # the guard loads nothing of mypy or setuptools: an installed package needs neither
    code = "import sys, samarbeid_rules; print(sorted(m for m in sys.modules if m.split('.')[0] in ('mypy', 'mypyc', 'setuptools')))"
    assert _python(code, pure=False).strip() == "[]"
    assert samarbeid_rules.__name__ == "samarbeid_rules"
