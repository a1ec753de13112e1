"""Once per døgn (isolation.health_daily_visit): a short measure without visits says why it is not a breach."""

from __future__ import annotations

from samarbeid_rules import Status, evaluate

PERSON = {"id": "p-1", "birth_date": "1990-05-01"}


def _timeline(end_at: str, visits: list[str]) -> dict:
    events = [
        {"id": "adm", "type": "admitted", "at": "2026-02-02T09:00:00+01:00", "custody_kind": "sentence"},
        {"id": "exc", "type": "exclusion_started", "at": "2026-03-02T10:00:00+01:00", "measure_id": "m1",
         "basis": "strgjfl_37", "scope": "full"},
        {"id": "exe", "type": "exclusion_ended", "at": end_at, "measure_id": "m1"},
    ]
    events += [{"id": f"v{i}", "type": "health_visit", "at": at, "measure_id": "m1"} for i, at in enumerate(visits)]
    return {"case_id": "c-1", "person": PERSON, "events": events}


def _daily(report):
    return next(o for o in report.obligations if o.duty_id == "isolation.health_daily_visit")


def test_measure_shorter_than_a_dogn_without_visits_says_none_came_due(engine):
    """Ended after 20 hours with no visit: nothing came due, and the explanation says so."""
    report = evaluate(_timeline("2026-03-03T06:00:00+01:00", []), as_of="2026-03-05T12:00:00+01:00", engine=engine)
    o = _daily(report)
    assert (o.status, o.fulfilled_by, o.gaps) == (Status.FULFILLED, [], [])
    assert "none recorded, and none came due before the measure ended" in o.explanation


def test_longer_measure_without_visits_is_breached_and_has_no_such_line(engine):
    """Ended after 30 hours with no visit: a døgn passed, so a breach; the note about nothing due is absent."""
    report = evaluate(_timeline("2026-03-03T16:00:00+01:00", []), as_of="2026-03-05T12:00:00+01:00", engine=engine)
    o = _daily(report)
    assert o.status is Status.BREACHED
    assert not any("none came due" in line for line in o.explanation)
