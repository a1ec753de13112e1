"""Monitor: event-by-event feeding gives evaluate()'s report and a consistent work list."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from builders import canonical, headline_rules, oslo, respecting_measures
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import Monitor, Status, TimelineError, WorkItem, evaluate
from samarbeid_rules._uses.monitor import worklist_from_report
from samarbeid_rules.testing import timelines

PERSON = {"id": "person-1", "birth_date": "1990-06-15"}


def new_monitor(tl, **kw):
    return Monitor(tl["case_id"], tl["person"], tl.get("prison_id"), **kw)


def fed_monitor(tl):
    """A Monitor fed ``tl``'s events in the order written."""
    mon = new_monitor(tl)
    for ev in tl["events"]:
        mon.add(ev)
    return mon


def cover(start, end, mid="c1"):
    """Continuous supervision from ``start`` to ``end`` (two events)."""
    return [{"id": "cs", "type": "continuous_supervision_started", "at": start.isoformat(), "measure_id": mid},
            {"id": "cse", "type": "continuous_supervision_ended", "at": end.isoformat(), "measure_id": mid}]


def excl_start(at, mid="m1", id="x1"):
    return {"id": id, "type": "exclusion_started", "at": at.isoformat(), "measure_id": mid,
            "basis": "strgjfl_37", "scope": "full"}


@settings(max_examples=25, deadline=None)
@given(timelines(max_looks=20), st.integers(0, 6 * 60))
def test_every_prefix_matches_evaluate(tl, later_minutes):
    """At every prefix, report and work list equal those derived from evaluate() of that prefix."""
    events = canonical(tl["events"])
    mon = new_monitor(tl)
    for k, ev in enumerate(events):
        result = mon.add(ev)
        assert result.accepted and not result.out_of_order
        prefix = dict(tl, events=events[: k + 1])
        at = datetime.fromisoformat(ev["at"])
        for as_of in (at, at + timedelta(minutes=later_minutes)):
            ref = evaluate(prefix, as_of=as_of)
            assert mon.report(as_of).to_json() == ref.to_json()
            assert mon.worklist(as_of) == worklist_from_report(ref)


@settings(max_examples=25, deadline=None)
@given(timelines(max_looks=20), st.randoms(use_true_random=False))
def test_out_of_order_arrival_gives_the_in_order_result(tl, rnd):
    """Events arriving shuffled give the same final report and work list as in time order, and are flagged."""
    in_order = canonical(tl["events"])
    shuffled = list(in_order)
    rnd.shuffle(shuffled)
    shuffled = respecting_measures(shuffled, all_started=True)
    mon = new_monitor(tl)
    latest = None
    for ev in shuffled:
        at = datetime.fromisoformat(ev["at"])
        result = mon.add(ev)
        assert result.out_of_order == (latest is not None and at < latest)
        latest = at if latest is None else max(latest, at)
    assert [e.id for e in mon.events] == [e["id"] for e in in_order]
    if in_order:
        ref = evaluate(dict(tl, events=in_order))
        assert mon.report().to_json() == ref.to_json()
        assert mon.worklist() == worklist_from_report(ref)
        later = ref.as_of + timedelta(hours=3)
        assert mon.worklist(later) == worklist_from_report(evaluate(dict(tl, events=in_order), as_of=later))


def test_worklist_after_an_exclusion_at_1320(engine):
    """An exclusion at 13:20 puts the doctor notice and the next look on the list, both due 14:20 (headline duties)."""
    mon = Monitor("case-1", PERSON, "prison-1", engine=engine, rules=headline_rules())
    t0 = oslo(2026, 2, 10, 13, 20)
    mon.add(excl_start(t0))
    items = mon.worklist(t0)
    assert items == [
        WorkItem("exclusion.hourly_supervision:x1", "exclusion.hourly_supervision", "KO", "next look due",
                 oslo(2026, 2, 10, 14, 20), Status.DUE),
        WorkItem("exclusion.notify_doctor:x1", "exclusion.notify_doctor", "KO", "doctor must be notified",
                 oslo(2026, 2, 10, 14, 20), Status.DUE),
    ]
    assert mon.worklist(t0, horizon=timedelta(minutes=30)) == []

    mon.add({"id": "l1", "type": "supervision_look", "at": oslo(2026, 2, 10, 14, 5).isoformat()})
    items = {w.duty_id: w for w in mon.worklist(oslo(2026, 2, 10, 14, 30))}
    assert items["exclusion.hourly_supervision"].due == oslo(2026, 2, 10, 15, 5)
    assert items["exclusion.notify_doctor"].status is Status.CONTESTED  # past 14:20, within 18:20

    mon.add({"id": "d1", "type": "doctor_notified", "at": oslo(2026, 2, 10, 14, 40).isoformat()})
    # issue 11: a daytime gap over the hour is contested (the starting point, strict bound), breached
    # only past the lenient two hours: at 16:05 exactly contested, one second later breached
    lenient = oslo(2026, 2, 10, 16, 5)
    for as_of, status in ((oslo(2026, 2, 10, 15, 30), Status.CONTESTED), (lenient, Status.CONTESTED),
                          (lenient + timedelta(seconds=1), Status.BREACHED)):
        items = mon.worklist(as_of)
        assert [(w.what, w.due, w.status) for w in items] == [("next look due", oslo(2026, 2, 10, 15, 5), status)]
        assert items == worklist_from_report(mon.report(as_of), rules=headline_rules())


def test_worklist_for_a_minor_without_continuous_supervision():
    """A minor excluded without continuous supervision has that on the list until it starts."""
    mon = Monitor("case-1", {"id": "p", "birth_date": "2010-05-01"})
    t0 = oslo(2026, 2, 10, 9, 0)
    mon.add(excl_start(t0))
    items = {w.duty_id: w for w in mon.worklist(t0)}
    assert items["exclusion.minor_continuous"].what == "continuous supervision must be in place"
    assert items["exclusion.minor_continuous"].due == t0
    mon.add({"id": "c1", "type": "continuous_supervision_started", "at": (t0 + timedelta(minutes=5)).isoformat(),
             "measure_id": "c1"})
    assert "exclusion.minor_continuous" not in {w.duty_id for w in mon.worklist(t0 + timedelta(minutes=10))}
    mon.add({"id": "c1e", "type": "continuous_supervision_ended", "at": (t0 + timedelta(hours=2)).isoformat(),
             "measure_id": "c1"})
    gap = {w.duty_id: w for w in mon.worklist(t0 + timedelta(hours=3))}["exclusion.minor_continuous"]
    assert (gap.due, gap.status) == (t0 + timedelta(hours=2), Status.BREACHED)


def test_late_event_is_flagged_when_it_changes_what_was_reported():
    """An event at or before an as_of already reported for is accepted and flagged as affecting it."""
    mon = Monitor("case-1", PERSON)
    t0 = oslo(2026, 2, 10, 13, 20)
    first = mon.add(excl_start(t0))
    assert (first.out_of_order, first.affects_reported) == (False, False)
    mon.worklist(t0 + timedelta(hours=2))
    late = mon.add({"id": "d1", "type": "doctor_notified", "at": (t0 + timedelta(minutes=30)).isoformat()})
    assert (late.accepted, late.out_of_order, late.affects_reported) == (True, False, True)
    after = mon.add({"id": "l1", "type": "supervision_look", "at": (t0 + timedelta(hours=3)).isoformat()})
    assert (after.out_of_order, after.affects_reported) == (False, False)
    early = mon.add({"id": "l0", "type": "supervision_look", "at": (t0 + timedelta(hours=1)).isoformat()})
    assert (early.out_of_order, early.affects_reported) == (True, True)
    assert [e.id for e in mon.events] == ["x1", "d1", "l0", "l1"]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"id": "x1", "type": "supervision_look", "at": "2026-02-10T15:00:00+01:00"}, "id"),
        ({"id": "e9", "type": "exclusion_ended", "at": "2026-02-10T15:00:00+01:00", "measure_id": "nope"},
         "measure_id"),
        ({"id": "e9", "type": "exclusion_ended", "at": "2026-02-10T12:00:00+01:00", "measure_id": "m1"}, "at"),
        ({"id": "e9", "type": "supervision_look", "at": "2026-02-10T15:00:00"}, "at"),
        ({"id": "e9", "type": "no_such_type", "at": "2026-02-10T15:00:00+01:00"}, None),
        ({"id": "e9", "type": "exclusion_started", "at": "2026-02-10T15:00:00+01:00", "measure_id": "m1",
          "basis": "strgjfl_37", "scope": "full"}, "measure_id"),
    ],
    ids=["duplicate-id", "unknown-measure", "end-before-start", "naive-datetime", "unknown-type", "started-twice"],
)
def test_bad_event_leaves_the_monitor_unchanged(bad, field):
    """An invalid event raises a TimelineError naming it, and the monitor's state and answers do not change."""
    mon = Monitor("case-1", PERSON)
    t0 = oslo(2026, 2, 10, 13, 20)
    mon.add(excl_start(t0))
    mon.add({"id": "l1", "type": "supervision_look", "at": (t0 + timedelta(minutes=40)).isoformat()})
    as_of = t0 + timedelta(hours=2)
    before = (mon.events, mon.report(as_of).to_json(), mon.worklist(as_of))
    with pytest.raises(TimelineError) as info:
        mon.add(bad)
    assert info.value.event_id == bad["id"]
    assert info.value.field == field
    assert (mon.events, mon.report(as_of).to_json(), mon.worklist(as_of)) == before
    assert len(mon) == 2


def test_monitor_refuses_a_bad_person():
    """A person without a valid birth date is refused when the monitor is made."""
    with pytest.raises(TimelineError):
        Monitor("case-1", {"id": "p", "birth_date": "not-a-date"})


def test_worklist_matches_evaluate_on_generated_population():
    """On seeded synthetic cases under the whole catalog, the monitor's work list equals the one
    derived from evaluate() at sampled prefixes and at later instants (cached results expire)."""
    import random

    from samarbeid_rules import Timeline
    from samarbeid_rules.testing import generate_population

    checked = 0
    for n, data in enumerate(generate_population(8, seed=7)):
        tl = Timeline.model_validate(data)
        events = sorted(tl.events, key=lambda e: e.at)
        mon = Monitor(tl.case_id, tl.person, tl.prison_id)
        rnd = random.Random(n)
        for i, ev in enumerate(events):
            mon.add(ev)
            if rnd.random() < 0.08 or i == len(events) - 1:
                for later in (timedelta(0), timedelta(hours=1, minutes=7), timedelta(days=3)):
                    at = ev.at + later
                    ref = evaluate(tl.model_copy(update={"events": events[: i + 1]}), as_of=at)
                    assert mon.worklist(at) == worklist_from_report(ref), (tl.case_id, ev.id, later)
                    checked += 1
    assert checked > 50


def test_cached_work_item_turns_contested_just_after_its_deadline():
    """A work item read exactly at its deadline is due, and one minute later contested (the cache expires)."""
    tl = {"case_id": "case-t", "prison_id": "prison-t", "person": {"id": "person-t", "birth_date": "1950-01-01"},
          "events": [{"id": "adm1", "type": "admitted", "at": "2025-03-29T00:00:00+01:00", "custody_kind": "remand"},
                     {"id": "rd2", "type": "expected_release_date_set", "at": "2025-03-30T00:00:00+01:00",
                      "release_date": "2025-03-31"}]}
    mon = fed_monitor(tl)
    at = datetime.fromisoformat("2025-03-30T00:00:00+01:00")
    for as_of in (at, at + timedelta(minutes=1)):
        assert mon.worklist(as_of) == worklist_from_report(evaluate(tl, as_of=as_of))
    status = {w.obligation_id: w.status for w in mon.worklist(at + timedelta(minutes=1))}
    assert status["admission.needs_mapping:adm1"] is Status.CONTESTED


# --- inserting an event before the latest ---------------------------------------------------


def derived_state(mon):
    """Everything the monitor derives from its events, in comparable form."""
    return {
        "facts": [(f.index, f.id, f.at, dict(f.record)) for f in mon._facts],
        "by_id": {i: (f.index, f.id) for i, f in mon._by_id.items()},
        "roles": {dr: [(f.index, f.id) for f in fs] for dr, fs in mon._role_facts.items()},
        "role_times": dict(mon._role_times),
        "keys": list(mon._keys),
        "measures": {m: (p.start.id, p.end.id if p.end else None) for m, p in mon._measures.items()},
        "measure_end_us": dict(mon._measure_end_us),
        "admissions": [e.id for e in mon._admissions],
        "measure_duties": dict(mon._measure_duties),
    }


def rebuilt_state(mon):
    """The state a full re-derivation of ``mon``'s events gives."""
    ref = Monitor(mon.case_id, mon.person, mon.prison_id)
    ref._rebuild(list(mon._events), list(mon._keys))
    return derived_state(ref)


@st.composite
def arrivals(draw):
    """A generated timeline and an arrival order: nearly canonical (neighbours swapped) up to fully shuffled."""
    tl = draw(timelines(max_looks=12))
    in_order = canonical(tl["events"])
    rnd = draw(st.randoms(use_true_random=False))
    spread = draw(st.sampled_from([1.5, 3.0, 8.0, float(len(in_order) + 1)]))
    jittered = sorted(range(len(in_order)), key=lambda i: i + rnd.uniform(0, spread))
    return tl, in_order, respecting_measures([in_order[i] for i in jittered], all_started=True)


@settings(max_examples=30, deadline=None)
@given(arrivals(), st.integers(0, 4 * 60))
def test_out_of_order_arrival_matches_evaluate_after_every_event(arrival, later_minutes):
    """After every event of an out-of-order arrival, the derived state equals a full re-derivation and
    the work list (at the new event, at the latest instant and later) equals evaluate()'s."""
    tl, in_order, arriving = arrival
    mon = new_monitor(tl)
    added, latest = [], None
    for ev in arriving:
        mon.add(ev)
        added.append(ev)
        at = datetime.fromisoformat(ev["at"])
        latest = at if latest is None or at > latest else latest
        assert derived_state(mon) == rebuilt_state(mon)
        now = dict(tl, events=canonical(added))
        # the latest instants first: a result kept from before this event must not be reused
        for as_of in (latest + timedelta(minutes=later_minutes), latest, at):
            assert mon.worklist(as_of) == worklist_from_report(evaluate(now, as_of=as_of)), (ev["id"], as_of)
    if in_order:
        assert mon.report().to_json() == evaluate(dict(tl, events=in_order)).to_json()


def _same_instant_case():
    """A minor's case where six events share one instant T (plus the events before T they refer to):
    an exclusion and a continuous-supervision period end at T, the next ones start at T, a look and a
    doctor notice name the exclusion starting at T, and an admission at T (sorting after the starts
    and before the rest) changes the custody kind of the events after it."""
    t = oslo(2026, 2, 10, 13, 20)
    before = [
        {"id": "adm0", "type": "admitted", "at": (t - timedelta(days=2)).isoformat(), "custody_kind": "remand"},
        excl_start(t - timedelta(hours=3), mid="m1", id="x1"),
        {"id": "c1", "type": "continuous_supervision_started", "at": (t - timedelta(hours=3)).isoformat(),
         "measure_id": "c1"},
        {"id": "l0", "type": "supervision_look", "at": (t - timedelta(hours=1)).isoformat(), "measure_id": "m1"},
    ]
    at_t = [
        {"id": "x1e", "type": "exclusion_ended", "at": t.isoformat(), "measure_id": "m1"},
        {"id": "c1e", "type": "continuous_supervision_ended", "at": t.isoformat(), "measure_id": "c1"},
        {"id": "c2", "type": "continuous_supervision_started", "at": t.isoformat(), "measure_id": "c2"},
        excl_start(t, mid="m2", id="x2"),
        {"id": "l2", "type": "supervision_look", "at": t.isoformat(), "measure_id": "m2"},
        {"id": "y-adm", "type": "admitted", "at": t.isoformat(), "custody_kind": "sentence"},
    ]
    after = [{"id": "l3", "type": "supervision_look", "at": (t + timedelta(minutes=50)).isoformat()}]
    tl = {"case_id": "case-1", "prison_id": "prison-1",
          "person": {"id": "p", "birth_date": "2008-09-01"}, "events": [*before, *at_t, *after]}
    return tl, before, at_t, after, t


def test_events_at_one_instant_give_the_same_result_in_every_arrival_order():
    """Six events at one instant arriving in every order (after the earlier events; every other order with
    a later event already added): after every event the work list equals evaluate()'s for the events
    added so far, and in the end the events, derived records and report are those of in-order arrival."""
    import itertools

    tl, before, at_t, after, t = _same_instant_case()
    probes = (t, t + timedelta(minutes=30), t + timedelta(hours=2))
    ref_lists: dict[tuple[frozenset[str], datetime], list[WorkItem]] = {}

    def expected(events, as_of):
        key = (frozenset(e["id"] for e in events), as_of)
        if key not in ref_lists:
            ref_lists[key] = worklist_from_report(evaluate(dict(tl, events=canonical(events)), as_of=as_of))
        return ref_lists[key]

    in_order = {}
    for with_tail in (False, True):
        mon = new_monitor(tl)
        for ev in canonical([*before, *at_t, *(after if with_tail else [])]):
            mon.add(ev)
        in_order[with_tail] = (mon.events, derived_state(mon), mon.report(probes[-1]).to_json())
    orders = [o for o in itertools.permutations(at_t) if o.index(at_t[4]) > o.index(at_t[3])]  # l2 after x2
    assert len(orders) == 360
    for n, order in enumerate(orders):
        with_tail = n % 2 == 1
        mon = new_monitor(tl)
        added = [*before, *(after if with_tail else [])]
        for ev in added:
            mon.add(ev)
        for step, ev in enumerate(order):
            mon.add(ev)
            added.append(ev)
            as_of = probes[(n + step) % len(probes)]
            assert mon.worklist(as_of) == expected(added, as_of), ([e["id"] for e in order], ev["id"], as_of)
        for as_of in probes:
            assert mon.worklist(as_of) == expected(added, as_of), ([e["id"] for e in order], as_of)
        events, state, report = in_order[with_tail]
        assert mon.events == events
        assert derived_state(mon) == state
        if n < 2:
            assert mon.report(probes[-1]).to_json() == report
    # the custody kind in force follows canonical order: the starts at T sort before the admission at T
    custody = {f.id: f.record.get("custody_kind") for f in mon._facts}
    assert custody["c2"] == custody["x2"] == custody["l0"] == "remand"
    assert custody["y-adm"] == custody["x1e"] == custody["l2"] == custody["l3"] == "sentence"


def test_inserting_near_the_end_does_not_rebuild(monkeypatch):
    """An event at the latest instant but earlier in canonical order is inserted without the full rebuild;
    an admission inserted before later events does rebuild (their custody kind changes), correctly."""
    tl, before, at_t, after, t = _same_instant_case()
    doctor = {"id": "d2", "type": "doctor_notified", "at": t.isoformat(), "measure_id": "m2"}
    tl = dict(tl, events=[*tl["events"], doctor])
    events = {e["id"]: e for e in tl["events"]}
    mon = new_monitor(tl)
    added = [*before, events["x1e"], events["l3"]]
    for ev in added:
        mon.add(ev)

    def no_rebuild(self, events, keys):
        raise AssertionError("full rebuild")

    with monkeypatch.context() as m:
        m.setattr(Monitor, "_rebuild", no_rebuild)
        mon.worklist(t + timedelta(hours=1))  # results kept from before the inserts
        # at T, before l3 (c2 and x2 also before x1e); the doctor notice fulfils x2's deadline duty
        for eid in ("c1e", "c2", "x2", "l2", "d2"):
            result = mon.add(events[eid])
            added.append(events[eid])
            assert result.out_of_order and result.affects_reported
            # the later instant first and last: a result kept from before the insert must not be reused
            for as_of in (t + timedelta(hours=1), t, t + timedelta(hours=1)):
                ref = evaluate(dict(tl, events=canonical(added)), as_of=as_of)
                assert mon.worklist(as_of) == worklist_from_report(ref), (eid, as_of)
    assert [e.id for e in mon.events] == [e["id"] for e in canonical(added)]
    assert derived_state(mon) == rebuilt_state(mon)
    assert "exclusion.notify_doctor:x2" not in {w.obligation_id for w in mon.worklist(t + timedelta(hours=1))}

    calls = []
    real = Monitor._rebuild

    def counting(self, events, keys):
        calls.append(len(events))
        return real(self, events, keys)

    monkeypatch.setattr(Monitor, "_rebuild", counting)
    mon.add(events["y-adm"])
    assert calls == [len(tl["events"])]
    assert {f.id: f.record["custody_kind"] for f in mon._facts}["l3"] == "sentence"
    assert derived_state(mon) == rebuilt_state(mon)
    assert mon.report().to_json() == evaluate(dict(tl, events=canonical(tl["events"]))).to_json()
    assert mon.worklist(t + timedelta(hours=1)) == worklist_from_report(evaluate(tl, as_of=t + timedelta(hours=1)))


def test_daily_contact_item_across_days_contacts_and_the_exclusion_end():
    """A daily-contact item (an exclusion expected to last over 72 hours, no contact yet) stays on the list
    across midnights, goes when a contact comes and when the exclusion ends (an event that plays no role in
    the duty, but ends the measure its trigger names), also when the end arrives late."""
    t0 = oslo(2026, 2, 10, 13, 20)
    start = dict(excl_start(t0), expected_end=(t0 + timedelta(days=5)).isoformat())
    contact = {"id": "k1", "type": "meaningful_contact", "at": oslo(2026, 2, 12, 10, 0).isoformat(),
               "minutes": 30, "measure_id": "m1"}
    end = {"id": "x1e", "type": "exclusion_ended", "at": oslo(2026, 2, 11, 9, 0).isoformat(), "measure_id": "m1"}
    look = {"id": "l1", "type": "supervision_look", "at": oslo(2026, 2, 11, 12, 0).isoformat()}
    tl = {"case_id": "case-1", "person": PERSON, "events": [start, contact, end, look]}

    def check(mon, events, as_of):
        items = mon.worklist(as_of)
        assert items == worklist_from_report(evaluate(dict(tl, events=canonical(events)), as_of=as_of)), as_of
        return {w.obligation_id: w for w in items}.get("exclusion.daily_contact:x1")

    mon = new_monitor(tl)
    mon.add(start)
    for as_of in (t0, oslo(2026, 2, 11, 0, 1), oslo(2026, 2, 12, 9, 0)):  # reused across midnights
        item = check(mon, [start], as_of)
        assert (item.due, item.status) == (t0, Status.DUE)
    mon.add(contact)
    for as_of in (oslo(2026, 2, 12, 10, 0), oslo(2026, 2, 13, 0, 1)):
        assert check(mon, [start, contact], as_of) is None

    mon = new_monitor(tl)
    mon.add(start)
    assert check(mon, [start], oslo(2026, 2, 11, 9, 0)) is not None
    mon.add(end)
    assert check(mon, [start, end], oslo(2026, 2, 11, 9, 0)) is None

    mon = new_monitor(tl)  # the end arrives after a later event: inserted
    mon.add(start)
    mon.add(look)
    assert check(mon, [start, look], oslo(2026, 2, 11, 12, 0)) is not None
    assert mon.add(end).out_of_order
    assert check(mon, [start, look, end], oslo(2026, 2, 11, 12, 0)) is None


def test_worklist_over_a_two_week_exclusion_as_recorded():
    """The benchmark's case (a minor's two-week exclusion, 463 events; supervision periods that end and
    start at one instant recorded end first, so the start is inserted): at sampled events the work list
    equals evaluate()'s at the event, just after the next midnight and three days on."""
    import random

    from samarbeid_rules import Timeline
    from samarbeid_rules.testing import generate_timeline
    from zoneinfo import ZoneInfo

    oslo_tz = ZoneInfo("Europe/Oslo")
    tl = Timeline.model_validate(generate_timeline("monitor", 0, exclusion_days=14))
    events = sorted(tl.events, key=lambda e: e.at)  # as the benchmark feeds them
    mon = Monitor(tl.case_id, tl.person, tl.prison_id)
    rnd = random.Random(5)
    inserted = checked = 0
    duties = set()
    def canonical_key(e):
        return (e.at, 0 if e.type == "admitted" or e.type.endswith("_started") else 1, e.id)

    for i, ev in enumerate(events):
        mon.add(ev)
        inserted += mon.events[-1].id != ev.id
        if not (rnd.random() < 0.05 or ev.type.endswith(("_started", "_ended")) and rnd.random() < 0.3):
            continue
        prefix = tl.model_copy(update={"events": sorted(events[: i + 1], key=canonical_key)})
        local = ev.at.astimezone(oslo_tz)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), oslo_tz)
        for as_of in (ev.at, midnight + timedelta(minutes=1), ev.at + timedelta(days=3)):
            items = mon.worklist(as_of)
            assert items == worklist_from_report(evaluate(prefix, as_of=as_of)), (ev.id, as_of)
            duties |= {w.duty_id for w in items}
            checked += 1
    assert inserted > 20 and checked > 40
    assert {"exclusion.daily_contact", "exclusion.hourly_supervision", "exclusion.minor_continuous"} <= duties


def test_repeated_autumn_hour_is_compared_in_utc():
    """Events and as_of sharing a ZoneInfo in the repeated hour of 25 October 2026: an exclusion
    started at 02:30 (first pass, +02:00) is in effect at 02:10 of the second pass (+01:00), which
    is later; the monitor agrees with evaluate and the late-event flag compares in UTC."""
    from zoneinfo import ZoneInfo

    from samarbeid_rules._inputs.timeline import ExclusionStarted, SupervisionLook

    tz = ZoneInfo("Europe/Oslo")
    start = datetime(2026, 10, 25, 2, 30, tzinfo=tz, fold=0)
    second_pass = datetime(2026, 10, 25, 2, 10, tzinfo=tz, fold=1)
    assert second_pass.timestamp() > start.timestamp()
    mon = Monitor(case_id="c-dst", person={"id": "p", "birth_date": "1990-01-01"})
    mon.add(ExclusionStarted(id="x1", at=start, measure_id="m1", basis="strgjfl_37", scope="full"))
    mon.add(SupervisionLook(id="l1", at=datetime(2026, 10, 25, 4, 0, tzinfo=tz), measure_id="m1"))
    tl = mon.timeline()
    assert mon.worklist(second_pass) == worklist_from_report(evaluate(tl, as_of=second_pass))
    late = mon.add(SupervisionLook(id="l0", at=datetime(2026, 10, 25, 2, 5, tzinfo=tz, fold=1), measure_id="m1"))
    assert (late.out_of_order, late.affects_reported) == (True, True)


@pytest.mark.parametrize("kind", [{}, [], ["doctor_statement_obtained"], 7, None])
def test_an_event_type_that_is_no_string_is_a_timeline_error_when_it_names_a_measure(kind):
    """An event naming a measure not started yet, whose type is a JSON object, array, number or null,
    is refused as the TimelineError evaluate gives (not a TypeError from looking the type up: the
    service answered 503 to such an event), and the Monitor is unchanged."""
    mon = Monitor(case_id="c", person={"id": "p", "birth_date": "1990-01-01"})
    event = {"id": "e1", "type": kind, "at": "2026-02-10T09:00:00+01:00", "measure_id": "m1"}
    with pytest.raises(TimelineError) as err:
        mon.add(event)
    assert err.value.event_id == "e1" and err.value.problem.startswith("unknown event type")
    assert mon.report(datetime.fromisoformat("2026-02-10T10:00:00+01:00")).events == []


def test_a_basis_coming_into_force_during_an_open_measure_reaches_a_cached_work_list():
    """An exclusion open since March 2025 gains circular 001's day-by-day duties on 2025-07-01 with
    no event then: a work list asked for before midnight and again after it equals evaluate's
    (the Monitor's cache once kept the June answer for exclusion.daily_contact)."""
    tl = {"case_id": "c-bases", "prison_id": "p", "person": {"id": "person-1", "birth_date": "1980-01-01"},
          "events": [{"id": "xs1", "type": "exclusion_started", "at": "2025-03-27T00:00:00+01:00",
                      "measure_id": "m0", "basis": "strgjfl_37", "scope": "full"},
                     {"id": "lk2", "type": "supervision_look", "at": "2025-03-27T00:10:00+01:00"}]}
    mon = fed_monitor(tl)
    for at in ("2025-06-30T23:59:59+02:00", "2025-07-01T00:00:00+02:00", "2025-07-01T09:00:00+02:00"):
        got = mon.worklist(at)
        assert got == worklist_from_report(evaluate(tl, as_of=at)), at
    assert any(w.obligation_id == "exclusion.daily_contact:xs1@2025-07-01" for w in got)


# --- issue 11's readings: inputs a rule reads besides its role events ------------------------------


def _equal_at(mon, tl, instants):
    for at in instants:
        at = at if isinstance(at, str) else at.isoformat()
        assert mon.worklist(at) == worklist_from_report(evaluate(tl, as_of=at)), at


def test_an_extension_that_makes_an_exclusion_expected_long_reaches_a_cached_weekly_plan():
    """exclusion.weekly_plan reads exclusion_extended (no role in it): an extension fed after the work
    list was asked for makes the plan due at once, also when it arrives late, before a later event."""
    t0 = oslo(2026, 2, 10, 9, 0)
    start = dict(excl_start(t0), expected_end=(t0 + timedelta(hours=24)).isoformat())
    ext = {"id": "ext", "type": "exclusion_extended", "at": (t0 + timedelta(hours=10)).isoformat(),
           "measure_id": "m1", "expected_end": (t0 + timedelta(days=6)).isoformat()}
    look = {"id": "l1", "type": "supervision_look", "at": (t0 + timedelta(hours=11)).isoformat(), "measure_id": "m1"}
    tl = {"case_id": "case-1", "person": PERSON, "events": [start, ext, look]}
    after = [t0 + timedelta(hours=h) for h in (10, 11, 12, 40)]
    for arrival in ([start, ext, look], [start, look, ext]):
        mon = new_monitor(tl)
        mon.add(arrival[0])
        part = dict(tl, events=canonical(arrival[:1]))
        _equal_at(mon, part, after)  # cached: no plan due (expected to last a day)
        for ev in arrival[1:]:
            mon.add(ev)
        _equal_at(mon, tl, after)
        due = {w.obligation_id: w.due for w in mon.open_work(t0 + timedelta(hours=12))[0]}
        assert due["exclusion.weekly_plan:x1"] == t0 + timedelta(hours=72)  # by the 72-hour mark


def test_continuous_supervision_begun_before_midnight_covers_the_next_day_in_a_work_list():
    """exclusion.hourly_supervision: a cover (continuous supervision) begun the evening before still
    covers the morning (no look due while it lasts), at midnight exactly too; after it ends, the next
    look is due an hour on."""
    t0 = oslo(2026, 2, 10, 9, 0)
    start = excl_start(t0)
    tl = {"case_id": "case-1", "person": PERSON,
          "events": [start, *cover(oslo(2026, 2, 10, 20, 0), oslo(2026, 2, 11, 10, 0))]}
    mon = fed_monitor(tl)
    covered = oslo(2026, 2, 11, 9, 30)
    # at midnight exactly too (the day the Monitor resolves from is the one just ended)
    _equal_at(mon, tl, [oslo(2026, 2, 11, 0, 0), oslo(2026, 2, 11, 0, 0) + timedelta(microseconds=1), covered, oslo(2026, 2, 11, 10, 0), oslo(2026, 2, 11, 11, 0), oslo(2026, 2, 11, 11, 1)])
    assert "exclusion.hourly_supervision:x1" not in {w.obligation_id for w in mon.worklist(covered)}


def test_a_stretch_after_continuous_supervision_turns_breached_in_a_cached_work_list():
    """The stretch without looks starts where a cover ends (an event in no role of the duty): a work list
    read after the end, and again just past the lenient bound from it, turns breached, as evaluate says."""
    t0 = oslo(2026, 2, 10, 8, 0)
    start = excl_start(t0)
    tl = {"case_id": "case-1", "person": PERSON,
          "events": [start, *cover(oslo(2026, 2, 10, 8, 30), oslo(2026, 2, 10, 11, 0))]}
    mon = fed_monitor(tl)
    lenient = oslo(2026, 2, 10, 13, 0)  # two hours (the lenient bound) after the cover's end
    _equal_at(mon, tl, [oslo(2026, 2, 10, 11, 30), oslo(2026, 2, 10, 12, 30), lenient,
                        lenient + timedelta(microseconds=1), lenient + timedelta(seconds=1)])
    status = {w.obligation_id: w.status for w in mon.worklist(lenient + timedelta(seconds=1))}
    assert status["exclusion.hourly_supervision:x1"] is Status.BREACHED


def test_a_release_date_changed_under_another_circular_replaces_the_first_in_a_work_list():
    """release.municipality_notice: a date set under G-8/2006 and changed under circular 001 is judged in
    one chain over both rule files; the Monitor, which resolves one file at a time, reads the other file's
    triggers too, so the G-8 date leaves the work list once the change is there (also fed late)."""
    erd1 = {"id": "erd-1", "type": "expected_release_date_set", "at": "2025-06-02T10:00:00+02:00",
            "release_date": "2025-11-28"}
    erd2 = {"id": "erd-2", "type": "expected_release_date_set", "at": "2025-08-01T10:00:00+02:00",
            "release_date": "2025-10-31"}
    adm = {"id": "adm-1", "type": "admitted", "at": "2025-03-03T10:00:00+01:00", "custody_kind": "sentence"}
    tl = {"case_id": "case-1", "person": PERSON, "events": [adm, erd1, erd2]}
    instants = ["2025-08-01T10:00:00+02:00", "2025-08-05T10:00:00+02:00", "2025-11-01T10:00:00+01:00"]
    for arrival in ([adm, erd1, erd2], [adm, erd2, erd1]):
        mon = new_monitor(tl)
        mon.add(arrival[0])
        mon.add(arrival[1])
        _equal_at(mon, dict(tl, events=canonical(arrival[:2])), instants)
        mon.add(arrival[2])
        _equal_at(mon, tl, instants)
        ids = {w.obligation_id for w in mon.open_work("2025-08-05T10:00:00+02:00")[0]}
        assert "release.municipality_notice:erd-2" in ids
        assert "release.municipality_notice:erd-1" not in ids


def test_an_exclusion_fed_late_decides_whether_an_observed_health_need_is_a_trigger():
    """exclusion.health_visit_urged counts only observations made during an exclusion (``during``): the
    exclusion's start, fed after the observation and after a work list was read, puts the duty on the
    list (the start plays no role in the duty)."""
    t0 = oslo(2026, 2, 10, 9, 0)
    start = excl_start(t0)
    seen = {"id": "t1", "type": "health_need_observed", "at": (t0 + timedelta(hours=2)).isoformat(),
            "need": "illness_signs"}
    tl = {"case_id": "case-1", "person": PERSON, "events": [start, seen]}
    mon = new_monitor(tl)
    mon.add(seen)
    at = t0 + timedelta(hours=2, minutes=30)
    _equal_at(mon, dict(tl, events=[seen]), [at])
    assert not any(w.duty_id == "exclusion.health_visit_urged" for w in mon.worklist(at))
    assert mon.add(start).out_of_order
    _equal_at(mon, tl, [at, at + timedelta(days=2)])
    assert any(w.duty_id == "exclusion.health_visit_urged" for w in mon.worklist(at))
