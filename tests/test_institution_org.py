"""org.activity_plans (001 §5.2.4) and org.early_change_notice (000 §4.2), catalog section F: each bound at
exactly the bound and one day past it."""

from __future__ import annotations

from datetime import date

import pytest

from samarbeid_rules import Status
from samarbeid_rules.institution import InstitutionError, check_institution, load_institution

AS_OF = date(2026, 3, 1)
ALL3 = ["activation", "meaningful_contact", "physical_activity"]


def _check(as_of: date = AS_OF, **parts):
    data = {"prison_id": "prison-t", **parts}
    return check_institution(load_institution(data), as_of=as_of)


# --- org.activity_plans ------------------------------------------------------------------------


def test_one_adapted_plan_covering_all_three_elements_fulfils():
    """A current plan, adapted to the prison's routines, covering activation, contact and physical activity."""
    f = _check(activity_plans=[{"id": "p1", "covers": ALL3, "adopted": "2025-09-01",
                                "adapted_to_routines": True}]).finding("org.activity_plans")
    assert (f.status, f.reason, f.breach, f.record_ids) == (Status.FULFILLED, "current", False, ["p1"])
    assert [(e.element.value, e.status) for e in f.plans] == [(x, Status.FULFILLED) for x in ALL3]
    assert f.modality == "skal" and f.citation.section == "5.2.4"


def test_an_element_without_a_plan_is_a_breach():
    """No plan for physical activity: a skal, so breached."""
    f = _check(activity_plans=[{"id": "p1", "covers": ["activation", "meaningful_contact"], "adopted": "2025-09-01",
                                "adapted_to_routines": True}]).finding("org.activity_plans")
    assert (f.status, f.reason, f.breach) == (Status.BREACHED, "missing", True)
    assert [e.element.value for e in f.plans if e.reason == "missing"] == ["physical_activity"]


def test_a_plan_not_adapted_to_the_routines_does_not_count():
    """'Tilpasset rutiner og rammer i fengselet': a plan not adapted is named and not counted."""
    f = _check(activity_plans=[{"id": "p1", "covers": ALL3, "adopted": "2025-09-01",
                                "adapted_to_routines": False}]).finding("org.activity_plans")
    assert (f.status, f.reason) == (Status.BREACHED, "missing")
    assert any("plan p1 not counted" in line for line in f.explanation)


def test_no_plans_at_all_is_a_breach():
    f = _check().finding("org.activity_plans")
    assert (f.status, f.reason) == (Status.BREACHED, "missing")


@pytest.mark.parametrize(("as_of", "status"), [
    (date(2027, 9, 1), Status.FULFILLED),   # exactly two years after adoption: current
    (date(2027, 9, 2), Status.CONTESTED),   # one day past the staleness window
])
def test_a_plan_at_the_staleness_bound(as_of, status):
    """The staleness window (P2Y, the routines' parameter) at exactly the bound and one day past: a stale plan
    is contested, not breached (whether it is still current is a reading of the window)."""
    f = _check(as_of, activity_plans=[{"id": "p1", "covers": ALL3, "adopted": "2025-09-01",
                                       "adapted_to_routines": True}]).finding("org.activity_plans")
    assert f.status is status


def test_a_duplicate_element_is_rejected_at_its_field():
    with pytest.raises(InstitutionError) as err:
        load_institution({"prison_id": "p", "activity_plans": [
            {"id": "p1", "covers": ["activation", "activation"], "adopted": "2025-09-01",
             "adapted_to_routines": True}]})
    e = err.value
    assert (e.collection, e.index, e.record_id, e.field) == ("activity_plans", 0, "p1", "covers")


# --- org.early_change_notice ----------------------------------------------------------------------

CHANGE = {"id": "c1", "decided": "2025-12-01", "takes_effect": "2026-03-02", "affects": ["kho"]}


def _notice(day: str, agency: str = "kho", id_: str = "n1") -> dict:
    return {"id": id_, "change": "c1", "agency": agency, "date": day}


@pytest.mark.parametrize(("told", "status"), [
    ("2026-01-31", Status.FULFILLED),       # exactly 30 days before it takes effect (strict)
    ("2026-02-01", Status.CONTESTED),       # one day past the strict bound
    ("2026-02-16", Status.CONTESTED),       # exactly 14 days before (lenient)
    ("2026-02-17", Status.FULFILLED_LATE),  # one day past the lenient bound
    ("2026-03-01", Status.FULFILLED_LATE),  # the day before it takes effect: told, late
])
def test_notice_at_the_lead_time_bounds(told, status):
    """A change decided in good time: the notice is judged against tidlig_foer_endring (P30D strict, P14D
    lenient) before the day the change takes effect."""
    f = _check(date(2026, 3, 5), changes=[CHANGE], change_notices=[_notice(told)]).finding("org.early_change_notice")
    [c] = f.changes
    assert c.status is status
    assert (c.due, c.due_lenient) == (date(2026, 1, 31), date(2026, 2, 16))
    assert f.status is status


def test_a_notice_on_the_day_it_takes_effect_is_a_breach():
    """'Tidlig': a notice on the day the change takes effect is not before it; the finding is breached and
    names the notice."""
    f = _check(date(2026, 3, 5), changes=[CHANGE],
               change_notices=[_notice("2026-03-02")]).finding("org.early_change_notice")
    assert f.status is Status.BREACHED and f.breach
    assert f.changes[0].notice_id is None
    assert "told only on 2026-03-02, n1" in f.changes[0].explanation


def test_a_change_decided_late_is_judged_from_its_decision():
    """Decided 20 days before it takes effect (later than the strict lead allows): due as early as
    practicable after the decision (saa_tidlig_som_praktisk_mulig, P2D strict, P7D lenient)."""
    late = {**CHANGE, "decided": "2026-02-10"}
    on_time = _check(date(2026, 3, 5), changes=[late], change_notices=[_notice("2026-02-12")])
    assert on_time.finding("org.early_change_notice").changes[0].status is Status.FULFILLED
    past = _check(date(2026, 3, 5), changes=[late], change_notices=[_notice("2026-02-13")])
    assert past.finding("org.early_change_notice").changes[0].status is Status.CONTESTED


def test_each_agency_needs_its_own_notice():
    """A change affecting kho and nav, told only to kho: the nav part is open, then breached."""
    change = {**CHANGE, "affects": ["kho", "nav"]}
    pending = _check(date(2026, 1, 15), changes=[change], change_notices=[_notice("2026-01-10")])
    f = pending.finding("org.early_change_notice")
    assert [(c.agency.value, c.status) for c in f.changes] == [("kho", Status.FULFILLED), ("nav", Status.DUE)]
    after = _check(date(2026, 3, 2), changes=[change], change_notices=[_notice("2026-01-10")])
    assert after.finding("org.early_change_notice").status is Status.BREACHED


def test_no_changes_is_fulfilled():
    f = _check().finding("org.early_change_notice")
    assert (f.status, f.reason, f.changes) == (Status.FULFILLED, "no_changes", [])


def test_a_notice_of_an_agency_the_change_does_not_affect_is_rejected():
    with pytest.raises(InstitutionError) as err:
        load_institution({"prison_id": "p", "changes": [CHANGE], "change_notices": [_notice("2026-01-10", "nav")]})
    e = err.value
    assert (e.collection, e.index, e.record_id, e.field) == ("change_notices", 0, "n1", "agency")
