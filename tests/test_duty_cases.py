"""Per-duty cases: a compliant timeline and its violating twins, for every rule.

Each file in ``rules/cases/`` is a scenario file (``docs/scenarios.md``):
one compliant timeline for one duty and a list of violations, each the
smallest meaningful change to it. They run through the public runner
(``samarbeid_rules.scenarios``), the same one ``samarbeid-rules test`` and the
pytest plugin use, on both engines.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from samarbeid_rules.scenarios import LoadedScenario, load_scenario, run_scenario

CASES = Path(__file__).resolve().parents[1] / "rules" / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))


@cache
def _loaded(path: Path) -> LoadedScenario:
    return load_scenario(path)


def _params():
    for path in CASE_FILES:
        for i, run in enumerate(_loaded(path).runs):
            name = "compliant" if run.variant is None else run.variant.replace(" ", "_")
            yield pytest.param(path, i, id=f"{path.stem}-{name}")


@cache
def _outcomes(path: Path, engine: str):
    return run_scenario(_loaded(path), engine=engine)


@pytest.mark.parametrize(("path", "index"), list(_params()))
def test_duty_case(path: Path, index: int, engine: str) -> None:
    """The duty's obligation has the expected status in the compliant timeline and in each violating twin."""
    outcome = _outcomes(path, engine)[index]
    assert outcome.passed, outcome.failure_text()


def test_every_case_file_is_well_formed() -> None:
    """Every case file names a duty, a compliant expectation and at least one violation."""
    assert CASE_FILES, "no duty cases"
    for path in CASE_FILES:
        s = _loaded(path).scenario
        assert s.expect.status in {"fulfilled", "due"}, f"{path}: compliant must be fulfilled or due"
        assert s.violations, path
