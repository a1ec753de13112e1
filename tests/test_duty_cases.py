"""Per-duty cases: a compliant timeline and its violating twins, for every rule.

Each file in ``tests/duty_cases/`` holds one compliant timeline for one duty
and a list of violations, each the smallest meaningful change to it: one
event removed (``remove``), moved (``move``), or one field changed (``set``).
The runner checks the expected status of the duty's obligation in each, on
both engines. ``docs/duty-cases.md`` describes the format.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from samarbeid_rules import evaluate

CASES = Path(__file__).parent / "duty_cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _timeline(case: dict[str, Any]) -> dict[str, Any]:
    person = {"id": "person-1", "birth_date": "1990-01-01", **case.get("person", {})}
    return {"case_id": f"case-{case['duty']}", "prison_id": "prison-1", "person": person,
            "events": copy.deepcopy(case["events"])}


def _apply(timeline: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    tl = copy.deepcopy(timeline)
    by_id = {e["id"]: e for e in tl["events"]}
    changes = 0
    for eid in change.get("remove", []):
        tl["events"].remove(by_id[eid])
        changes += 1
    for eid, at in (change.get("move") or {}).items():
        by_id[eid]["at"] = at
        changes += 1
    for eid, fields in (change.get("set") or {}).items():
        by_id[eid].update(fields)
        changes += 1
    for ev in change.get("add", []):
        tl["events"].append(ev)
        changes += 1
    assert changes == 1, "a violation is the smallest change: exactly one remove, move, set or add"
    return tl


def _check(report, expect: dict[str, Any], duty: str) -> None:
    ob_id = expect.get("obligation")
    if expect.get("absent"):
        found = [o for o in report.obligations if o.duty_id == duty and (ob_id is None or o.id == ob_id)]
        assert not found, f"expected no {duty} obligation, got {[(o.id, o.status.value) for o in found]}"
        return
    matching = [o for o in report.obligations if (o.id == ob_id if ob_id else o.duty_id == duty)]
    assert matching, f"no obligation {ob_id or duty}; have {[o.id for o in report.obligations]}"
    statuses = sorted({o.status.value for o in matching})
    assert statuses == [expect["status"]], f"{ob_id or duty}: expected {expect['status']}, got {statuses}"


def _params():
    for path in CASE_FILES:
        case = _load(path)
        yield pytest.param(path, None, id=f"{path.stem}-compliant")
        for i, v in enumerate(case.get("violations", [])):
            yield pytest.param(path, i, id=f"{path.stem}-{v['name'].replace(' ', '_')}")


@pytest.mark.parametrize(("path", "violation"), list(_params()))
def test_duty_case(path: Path, violation: int | None, engine: str) -> None:
    """The duty's obligation has the expected status in the compliant timeline and in each violating twin."""
    case = _load(path)
    base = _timeline(case)
    profile = case.get("profile")
    if violation is None:
        tl, expect = base, case["expect"]
    else:
        v = case["violations"][violation]
        tl = _apply(base, v)
        expect = {**{"obligation": case["expect"].get("obligation")}, **v["expect"]}
    report = evaluate(tl, as_of=case["as_of"], engine=engine, profile=profile)
    _check(report, expect, case["duty"])


def test_every_case_file_is_well_formed() -> None:
    """Every case file names a duty, a compliant expectation and at least one violation."""
    assert CASE_FILES, "no duty cases"
    for path in CASE_FILES:
        case = _load(path)
        assert {"duty", "as_of", "events", "expect", "violations"} <= set(case), path
        assert case["expect"].get("status") in {"fulfilled", "due"}, f"{path}: compliant must be fulfilled or due"
        assert case["violations"], path
