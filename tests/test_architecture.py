"""The layout shows the pipeline: stages import only down, no cycles, a pinned public API, small modules."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import samarbeid_rules

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "samarbeid_rules"

_LINT = "from importlinter.cli import lint_imports; raise SystemExit(lint_imports(config_filename={!r}, no_cache=True))"


def _lint(package_parent: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [sys.executable, "-c", _LINT.format(str(config))],
        cwd=package_parent, env=env, capture_output=True, text=True, timeout=300,
    )


def test_import_contracts_are_kept():
    """The import-linter contracts of pyproject.toml (stages, facades, no cycles) hold for the package."""
    run = _lint(PACKAGE.parent, ROOT / "pyproject.toml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # an upward import: the pipeline reaching into the command line
        ("_pipeline/facts.py", "from .._cli.main import main as _m", "Stages import only down"),
        # an upward import hidden in a function
        ("_inputs/profile.py", "def _f():\n    from .._uses import batch\n    return batch", "Stages import only down"),
        # the package root imported from inside: an upward chain through everything it imports
        ("_pipeline/facts.py", "from .. import __version__ as _v", "Stages import only down"),
        # an internal module importing a public face
        ("_uses/batch.py", "from .. import testing as _t", "Internals never import the public modules"),
        # an internal module importing the public event classes instead of _inputs.events
        ("_inputs/timeline.py", "from ..events import Admitted as _A", "Internals never import the public modules"),
        # a cycle inside a stage: jsonread <-> timeline
        ("_inputs/jsonread.py", "from . import timeline as _t", "No import cycle"),
    ],
)
def test_contracts_fail_on_a_planted_violation(tmp_path, module, line, broken):
    """A copy of the package with one bad import breaks the contract that forbids it."""
    copy = tmp_path / "samarbeid_rules"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text() + "\n\n" + line + "\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    run = _lint(tmp_path, tmp_path / "pyproject.toml")
    assert run.returncode != 0
    broken_lines = [ln for ln in run.stdout.splitlines() if ln.rstrip().endswith("BROKEN")]
    assert any(broken in ln for ln in broken_lines), run.stdout


EXPORTED = [
    "AddResult", "Agency", "BatchAbortedError", "BatchItem", "BatchRun", "Citation", "Coverage", "CustodyKind",
    "ENGINE_NAMES", "EngineFailedError", "EngineUnavailableError", "Event", "EventAccount", "EventUse", "ExclusionBasis", "ExclusionScope",
    "Explanation", "Gap", "Institution", "InstitutionError", "InstitutionReport", "Monitor", "Obligation",
    "Person", "Profile", "ProfileError", "Report", "RuleFile", "RuleFileError", "RuleSet", "SamarbeidError",
    "Status", "TermUse", "Timeline", "TimelineError", "Window", "WorkItem", "__version__", "check_institution",
    "coverage", "default_profile", "evaluate", "evaluate_many", "explain", "load_institution", "load_profile",
    "load_rules", "load_timeline", "population_figures", "timeline_json_schema",
]


def test_public_api_is_pinned_and_sorted():
    """``samarbeid_rules.__all__`` is sorted and names exactly the pinned public API, each name importable."""
    assert samarbeid_rules.__all__ == sorted(samarbeid_rules.__all__)
    assert samarbeid_rules.__all__ == EXPORTED
    for name in EXPORTED:
        assert hasattr(samarbeid_rules, name), name


#: a module longer than this says why in its docstring ("Longer than 600 lines: …")
MAX_LINES = 600


def test_no_module_is_long_without_a_reason():
    """Every module of the package is at most 600 lines, or its docstring says why it is longer."""
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if "Longer than 600 lines:" not in doc:
            long.append(f"{path.relative_to(PACKAGE)} ({text.count(chr(10))} lines)")
    assert not long, f"modules over {MAX_LINES} lines without a reason in their docstring: {long}"


def test_stage_packages_say_what_they_hold():
    """Each stage package opens with a docstring naming its stage and what it may import."""
    for stage in ("_common", "_inputs", "_pipeline", "_uses", "_outputs", "_service", "_cli"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text())) or ""
        assert doc.startswith("Stage "), stage
