"""samarbeid_rules.testing: a compliant timeline and its violating twin for every timeline duty (issue 14 item 4).

For each duty the property holds on drawn twins: the compliant timeline has
no failing obligation of the duty (every one fulfilled or due, at least one
there), the twin has one (breached, fulfilled late; a recommendation not
followed or followed late), and the twin is one change away. Drawn twins are
judged exactly as the case they come from: the statuses of every obligation
are those of the unshifted case (what varies is what the law must not see).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from samarbeid_rules import evaluate, load_timeline
from samarbeid_rules.testing import (
    SUPPORTED_DUTIES,
    Twin,
    compliant_timeline,
    timeline_twins,
    violating_timeline,
)
from samarbeid_rules._uses import twins as _twins

_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _statuses(data, as_of, duty=None):
    report = evaluate(load_timeline(data), as_of=as_of)
    return [o.status.value for o in report.obligations if duty is None or o.duty_id == duty]


def _events(data):
    return Counter(json.dumps(e, sort_keys=True) for e in data["events"])


def test_every_timeline_duty_of_the_rule_set_is_supported():
    assert SUPPORTED_DUTIES == _twins.timeline_duty_ids()
    for duty in SUPPORTED_DUTIES:
        assert _twins.templates(duty) or duty in ("exclusion.hourly_supervision", "exclusion.minor_continuous",
                                                  "exclusion.notify_doctor", "release.health_notice"), duty


@pytest.mark.parametrize("duty", SUPPORTED_DUTIES)
def test_compliant_has_no_failure_of_the_duty_and_its_twin_one_change_away_has(duty):
    @_SETTINGS
    @given(timeline_twins(duty))
    def check(twin: Twin):
        good = _statuses(twin.compliant, twin.as_of, duty)
        assert good, "the compliant timeline raises the duty"
        assert set(good) <= _twins.COMPLIANT_STATUSES, (twin.template, good)
        bad = _statuses(twin.violating, twin.as_of, duty)
        assert set(bad) & _twins.FAILED_STATUSES, (twin.template, twin.change, bad)
        a, b = _events(twin.compliant), _events(twin.violating)
        removed, added = [json.loads(e) for e in (a - b).elements()], list((b - a).elements())
        if twin.template.endswith(".yaml"):  # from a case file: one event removed, moved, changed or added
            assert (len(removed), len(added)) in ((1, 0), (0, 1), (1, 1)), (twin.template, twin.change)
        else:  # generated: one event moved or removed, or one interval (its start and end), or the looks
            # of one stretch of time
            assert not added or (len(added), len(removed)) == (1, 1), twin.change
            assert removed and (len(removed) == 1 or len({e["type"] for e in removed}) == 1
                                or len({e.get("measure_id") for e in removed}) == 1), twin.change
        assert {k: v for k, v in twin.compliant.items() if k != "events"} == \
            {k: v for k, v in twin.violating.items() if k != "events"}

    check()


@pytest.mark.parametrize("duty", [d for d in SUPPORTED_DUTIES if _twins.templates(d)])
def test_a_drawn_case_is_judged_as_the_case_it_comes_from(duty):
    """Shifted weeks, renamed ids, another order: every obligation's status is the original's."""
    for template in _twins.templates(duty):
        want = Counter(_statuses(template.timeline, template.as_of))
        want_bad = [Counter(_statuses(d, template.as_of)) for _, d in template.violations]
        rnd = random.Random(duty)
        for weeks in sorted({template.shifts[0], template.shifts[-1], rnd.choice(template.shifts)}):
            for v in range(len(template.violations)):
                twin = _twins.draw_twin(template, weeks=weeks, violation=v, rnd=rnd)
                assert Counter(_statuses(twin.compliant, twin.as_of)) == want, (template.path, weeks)
                assert Counter(_statuses(twin.violating, twin.as_of)) == want_bad[v], (template.path, weeks, v)


def test_compliant_and_violating_are_the_halves_of_a_twin():
    @_SETTINGS
    @given(compliant_timeline("custody.brik_offer"), violating_timeline("custody.brik_offer"))
    def check(good, bad):
        assert set(_statuses(*good, "custody.brik_offer")) <= _twins.COMPLIANT_STATUSES
        assert set(_statuses(*bad, "custody.brik_offer")) & _twins.FAILED_STATUSES

    check()


def test_an_unknown_duty_is_refused_with_the_closest_id():
    with pytest.raises(ValueError, match="did you mean 'exclusion.notify_doctor'"):
        timeline_twins("exclusion.notify_docter")
    with pytest.raises(ValueError, match="no strategy for duty 'nothing.like.it'"):
        compliant_timeline("nothing.like.it")


def _case(first: datetime, last_day: date) -> dict:
    return {"case_id": "c", "prison_id": "p", "person": {"id": "person-1", "birth_date": "1990-05-05"},
            "events": [{"id": "a", "type": "admitted", "at": first.isoformat(), "custody_kind": "sentence"},
                       {"id": "r", "type": "expected_release_date_set", "at": first.isoformat(),
                        "release_date": last_day.isoformat()}]}


def test_shifts_keep_holidays_daylight_saving_and_the_law_in_force():
    oslo = _twins._OSLO
    # 2026-05-11 .. 2026-05-15: Ascension Day (14 May) inside; a shift must land a holiday on the Thursday
    first = datetime(2026, 5, 11, 9, 0, tzinfo=oslo)
    shifts = _twins._allowed_shifts([_case(first, date(2026, 5, 15))], first + timedelta(days=4))
    assert 0 in shifts
    for k in shifts:
        day = date(2026, 5, 14) + timedelta(weeks=k)
        assert day in _twins.norwegian_public_holidays(day.year), k
    assert 1 not in shifts and -1 not in shifts
    # a span across the spring change (2026-03-29) only moves to spans with the change on the same day
    first = datetime(2026, 3, 27, 9, 0, tzinfo=oslo)
    shifts = _twins._allowed_shifts([_case(first, date(2026, 3, 31))], first + timedelta(days=4))
    for k in shifts:
        day = date(2026, 3, 29) + timedelta(weeks=k)
        before = datetime(day.year, day.month, day.day, tzinfo=oslo).utcoffset()
        after = datetime(day.year, day.month, day.day, 23, 59, tzinfo=oslo).utcoffset()
        assert before != after, k
    # a quiet week in 2026 never moves to before circular 001 took effect (2025-07-01)
    first = datetime(2026, 9, 7, 9, 0, tzinfo=oslo)
    shifts = _twins._allowed_shifts([_case(first, date(2026, 9, 10))], first + timedelta(days=3))
    assert 1 in shifts and -1 in shifts
    assert all(date(2026, 9, 7) + timedelta(weeks=k) >= date(2025, 7, 1) for k in shifts)
    assert min(shifts) == -((date(2026, 9, 7) - date(2025, 7, 1)).days // 7)


def test_a_shift_the_template_does_not_allow_is_refused():
    template = next(t for d in SUPPORTED_DUTIES for t in _twins.templates(d) if len(t.shifts) == 1)
    with pytest.raises(ValueError, match="a shift the template does not allow"):
        _twins.draw_twin(template, weeks=template.shifts[0] + 1, violation=0, rnd=random.Random(1))
