"""Near misses (issue 11 item 6, first half): for an obligation not fulfilled in time, the report's
``near_misses`` (ids and reason codes) and its explanation (words, in ``explain`` too) name the events of
a fulfilling type that did not count, and why; a fulfilled obligation has none."""

from __future__ import annotations

from builders import (
    doctor_notified,
    event,
    exclusion_ended,
    exclusion_started,
    look,
    only,
    oslo,
    release_date_set,
    release_notice,
    released,
    timeline,
)

from samarbeid_rules import evaluate, load_rules


def _misses(ob) -> list[tuple[str, str]]:
    return [(m.event_id, m.reason) for m in ob.near_misses]


def _lines(ob) -> list[str]:
    return [line for line in ob.explanation if line.startswith("did not count: ")]


def _report(rule, events, as_of, engine):
    """The report of ``events`` at ``as_of`` under the one rule ``rule``."""
    return evaluate(timeline(events), as_of=as_of, rules=load_rules().only([rule]), engine=engine)


def _obligation(report, ob_id):
    return next(o for o in report.obligations if o.id == ob_id)


def _health_notice(events, as_of, engine):
    return only(_report("release.health_notice", events, as_of, engine), "release.health_notice")


def test_a_notice_to_the_wrong_recipient_and_one_after_the_release_are_named(engine):
    """A notice to the municipality where the health service (kho) is needed, and a notice to kho after the
    release: the breach names both, with their reasons, in data and in words."""
    events = [
        release_date_set(oslo(2026, 3, 5, 9), "2026-08-31", id="erd"),
        release_notice(oslo(2026, 6, 1, 10), recipient="municipality", id="n-mun"),
        released(oslo(2026, 8, 31, 9), id="rel"),
        release_notice(oslo(2026, 9, 1, 10), recipient="kho", id="n-late"),
    ]
    ob = _health_notice(events, oslo(2026, 9, 2), engine)
    assert ob.status.value == "breached"
    assert _misses(ob) == [("n-mun", "condition_not_met"), ("n-late", "after_close")]
    assert _lines(ob) == [
        "did not count: n-mun (release_notice_sent at 2026-06-01T10:00+02:00): recipient 'municipality', not kho",
        "did not count: n-late (release_notice_sent at 2026-09-01T10:00+02:00): after released rel at "
        "2026-08-31T09:00+02:00",
    ]


def test_a_late_obligation_names_the_wrong_notice_before_its_fulfilment(engine):
    """Fulfilled late: the notice to the municipality before the late notice to kho is named; the late notice
    itself is the fulfilment, not a near miss."""
    events = [
        release_date_set(oslo(2026, 3, 5, 9), "2026-08-31", id="erd"),
        release_notice(oslo(2026, 6, 1, 10), recipient="municipality", id="n-mun"),
        release_notice(oslo(2026, 7, 10, 10), recipient="kho", id="n-kho"),
    ]
    ob = _health_notice(events, oslo(2026, 7, 11), engine)
    assert ob.status.value == "fulfilled_late"
    assert ob.fulfilled_by == ["n-kho"]
    assert _misses(ob) == [("n-mun", "condition_not_met")]


def test_a_fulfilled_obligation_has_no_near_misses(engine):
    """On time: the notice to the municipality before it is not listed (nothing to explain)."""
    events = [
        release_date_set(oslo(2026, 3, 5, 9), "2026-08-31", id="erd"),
        release_notice(oslo(2026, 4, 1, 10), recipient="municipality", id="n-mun"),
        release_notice(oslo(2026, 5, 1, 10), recipient="kho", id="n-kho"),
    ]
    ob = _health_notice(events, oslo(2026, 5, 2), engine)
    assert ob.status.value == "fulfilled"
    assert ob.near_misses == []
    assert _lines(ob) == []


def test_a_notice_of_another_release_date_is_named(engine):
    """A notice that communicated another release date than the one expected does not count for it."""
    events = [
        release_date_set(oslo(2026, 3, 5, 9), "2026-08-31", id="erd"),
        event("release_notice_sent", oslo(2026, 4, 1, 10), id="n-other", recipient="kho",
              release_date="2026-09-30"),
    ]
    ob = _health_notice(events, oslo(2026, 7, 2), engine)
    assert ob.status.value == "breached"
    assert _misses(ob) == [("n-other", "other_value")]


def test_a_doctor_notified_about_another_measure_is_named(engine):
    """Exclusion m1: the doctor told about exclusion m2 does not count for it (another measure)."""
    events = [
        exclusion_started(oslo(2026, 3, 10, 9), measure_id="m1", id="x1"),
        exclusion_started(oslo(2026, 3, 10, 9, 5), measure_id="m2", id="x2"),
        doctor_notified(oslo(2026, 3, 10, 9, 20), measure_id="m2", id="doc-m2"),
        exclusion_ended(oslo(2026, 3, 10, 18), measure_id="m1"),
        exclusion_ended(oslo(2026, 3, 10, 18), measure_id="m2"),
    ]
    report = _report("exclusion.notify_doctor", events, oslo(2026, 3, 12), engine)
    ob = _obligation(report, "exclusion.notify_doctor:x1")
    assert ob.status.value == "breached"
    assert _misses(ob) == [("doc-m2", "other_measure")]
    assert _lines(ob) == ["did not count: doc-m2 (doctor_notified at 2026-03-10T09:20+01:00): measure_id 'm2', "
                          "not 'm1'"]
    other = _obligation(report, "exclusion.notify_doctor:x2")
    assert other.near_misses == []


def test_an_assessment_answering_another_referral_is_named(engine):
    """A referral assessment that answers another referral does not count for this one."""
    events = [
        event("referral_received", oslo(2026, 3, 2, 10), id="ref-1"),
        event("referral_received", oslo(2026, 3, 3, 10), id="ref-2"),
        event("referral_assessed", oslo(2026, 3, 4, 10), id="ass-2", responds_to="ref-2"),
    ]
    report = _report("custody.specialist_referral_assessed", events, oslo(2026, 5, 1), engine)
    first = _obligation(report, "custody.specialist_referral_assessed:ref-1")
    assert first.status.value == "breached"
    assert _misses(first) == [("ass-2", "answers_other_trigger")]
    assert _lines(first) == ["did not count: ass-2 (referral_assessed at 2026-03-04T10:00+01:00): answers ref-2, "
                             "not ref-1"]


def test_a_notice_before_the_trigger_is_named(engine):
    """A doctor notified before the exclusion began (no look-back) does not count for it."""
    events = [
        doctor_notified(oslo(2026, 3, 10, 8, 30), measure_id=None, id="doc-early"),
        exclusion_started(oslo(2026, 3, 10, 9), measure_id="m1", id="x1"),
        exclusion_ended(oslo(2026, 3, 10, 18), measure_id="m1"),
    ]
    ob = only(_report("exclusion.notify_doctor", events, oslo(2026, 3, 12), engine), "exclusion.notify_doctor")
    assert ob.status.value == "breached"
    assert _misses(ob) == [("doc-early", "before_trigger")]


def test_a_look_under_another_measure_is_named_for_a_recurring_duty(engine):
    """Hourly supervision of exclusion m1: looks naming a security cell c9 do not count, and the gap's
    obligation names them (another measure)."""
    start = oslo(2026, 1, 14, 9)
    events = [
        exclusion_started(start, measure_id="m1", id="x1"),
        event("security_cell_started", oslo(2026, 1, 14, 9, 10), id="sc-1", measure_id="c9"),
        look(oslo(2026, 1, 14, 9, 30), measure_id="m1", id="l-1"),
        look(oslo(2026, 1, 14, 10, 15), measure_id="c9", id="l-other"),
        event("security_cell_ended", oslo(2026, 1, 14, 10, 20), id="sc-2", measure_id="c9"),
        look(oslo(2026, 1, 14, 12, 50), measure_id="m1", id="l-2"),
        exclusion_ended(oslo(2026, 1, 14, 13), measure_id="m1"),
    ]
    ob = only(_report("exclusion.hourly_supervision", events, oslo(2026, 1, 15), engine),
              "exclusion.hourly_supervision")
    assert ob.status.value == "breached"
    assert "l-other" not in ob.fulfilled_by
    assert ("l-other", "other_measure") in _misses(ob)
