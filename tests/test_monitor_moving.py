"""Recurring looks and continuous cover reused between calls: at every instant where a stretch without
looks or cover may pass a bound (one microsecond before, at and after), at window edges, midnights and the
18th birthday, a long-lived monitor's work list equals evaluate()'s; and open_work's items, filtered,
are the work list at every instant before its ``until``."""

from __future__ import annotations

import json
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings

from samarbeid_rules import Monitor, default_profile, evaluate, load_rules
from samarbeid_rules._uses.monitor import worklist_from_report
from samarbeid_rules.testing import timelines

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_US = timedelta(microseconds=1)


@lru_cache(maxsize=None)
def _lengths() -> frozenset[timedelta]:
    profile, out = default_profile(), set()
    for r in load_rules().rules:
        t = r.rule.timing
        bound = getattr(t, "day_max_gap", None) or getattr(t, "max_gap", None)
        if bound is None:
            continue
        if bound.duration is not None:
            out.add(bound.duration)
        else:
            out |= {profile.terms[bound.term].strict, profile.terms[bound.term].lenient}
    return frozenset(out)


@lru_cache(maxsize=None)
def _edges(day) -> tuple[datetime, ...]:
    from samarbeid_rules._common.calendar import local_instant, zone

    tz, profile = zone("Europe/Oslo"), default_profile()
    out = [local_instant(day, datetime.min.time(), tz)]
    for term in profile.terms.values():
        for win in (getattr(term, "strict", None), getattr(term, "lenient", None)):
            if hasattr(win, "start") and hasattr(win, "end"):
                out += [local_instant(day, win.start, tz), local_instant(day, win.end, tz)]
    return tuple(out)


def _instants(tl) -> list[datetime]:
    at = [datetime.fromisoformat(e["at"]) for e in tl["events"]]
    found = set()
    for t in at:
        for d in (timedelta(0), *_lengths()):
            found |= {t + d - _US, t + d, t + d + _US}
    days = {t.astimezone(timezone(timedelta(hours=1))).date() + timedelta(days=k) for t in at for k in (0, 1)}
    for day in days:
        for e in _edges(day):
            found |= {e - _US, e, e + _US}
    from samarbeid_rules._common.calendar import birthday_instant, zone

    born = datetime.fromisoformat(tl["person"]["birth_date"]).date()
    b = birthday_instant(born, 18, zone("Europe/Oslo"), default_profile().settings.leap_day_birthday)
    found |= {b - _US, b, b + _US}
    lo, hi = min(at), max(at) + timedelta(days=2)
    return sorted(t for t in found if lo <= t <= hi)


def _check(tl, step: int = 1):
    mon = Monitor.from_events(tl["case_id"], tl["person"], tl.get("prison_id"), tl["events"])
    canonical = mon.timeline()
    items, until, since = None, None, None
    for as_of in _instants(tl)[::step]:
        expect = worklist_from_report(evaluate(canonical, as_of=as_of))
        assert mon.worklist(as_of) == expect, as_of
        if items is not None and (until is None or as_of < until):
            limit = as_of.astimezone(timezone.utc) + timedelta(hours=24)
            assert [w for w in items if w.due <= limit] == expect, (since, as_of, until)
        else:
            items, until = mon.open_work(as_of)
            since = as_of


@settings(max_examples=8, deadline=None)
@given(timelines(max_looks=25))
def test_moving_kinds_at_their_edges_on_generated_timelines(tl):
    if tl["events"]:
        _check(tl)


def test_moving_kinds_at_their_edges_on_the_examples():
    # a minor turning 18 under continuous supervision; a security cell around the clock across DST
    for name in ("minor_exclusion_birthday.json", "security_cell_dst.json"):
        _check(json.loads((EXAMPLES / name).read_text()), step=2)


def _check_ahead(tl, step: int = 1):
    """A monitor that also looks ahead (``open_work(until, served=False)``) after every answer: its
    answers, and its looks ahead, are evaluate()'s at their instants."""
    mon = Monitor.from_events(tl["case_id"], tl["person"], tl.get("prison_id"), tl["events"])
    canonical = mon.timeline()

    def expect(at):
        return worklist_from_report(evaluate(canonical, as_of=at))

    for as_of in _instants(tl)[::step]:
        items, until = mon.open_work(as_of)
        limit = as_of.astimezone(timezone.utc) + timedelta(hours=24)
        assert [w for w in items if w.due <= limit] == expect(as_of), as_of
        if until is not None:
            ahead, _ = mon.open_work(until, served=False)
            limit = until.astimezone(timezone.utc) + timedelta(hours=24)
            assert [w for w in ahead if w.due <= limit] == expect(until), (as_of, until)


@settings(max_examples=6, deadline=None)
@given(timelines(max_looks=25))
def test_looking_ahead_changes_no_answer_on_generated_timelines(tl):
    if tl["events"]:
        _check_ahead(tl, step=2)


def test_looking_ahead_changes_no_answer_on_the_examples():
    for name in ("minor_exclusion_birthday.json", "security_cell_dst.json"):
        _check_ahead(json.loads((EXAMPLES / name).read_text()), step=3)


def test_a_look_ahead_is_not_counted_as_reported():
    """An event before an instant only looked ahead at does not affect what was reported; before an
    instant served, it does."""
    tl = json.loads((EXAMPLES / "security_cell_dst.json").read_text())
    events = sorted(tl["events"], key=lambda e: datetime.fromisoformat(e["at"]))
    mon = Monitor.from_events(tl["case_id"], tl["person"], tl.get("prison_id"), events[:-1])
    last = datetime.fromisoformat(events[-1]["at"])
    mon.open_work(last + timedelta(hours=1), served=False)
    assert mon.add(events[-1]).affects_reported is False
    again = Monitor.from_events(tl["case_id"], tl["person"], tl.get("prison_id"), events[:-1])
    again.open_work(last + timedelta(hours=1))
    assert again.add(events[-1]).affects_reported is True
