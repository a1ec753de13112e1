"""Twins: a compliant timeline and its violating twin for every timeline duty, drawn from the rule set's cases.

Every timeline duty of the shipped rule set has a case file in ``rules/cases/``
(the scenario format of ``docs/scenarios.md``): a timeline that meets the duty
and *violations*, each one minimal change (an event removed, moved, changed or
added) after which the duty is breached (or, for a recommendation, not
followed). A :class:`Template` is one such case with its failing variants.

:func:`draw_twin` makes new timelines from a template without changing what
the law says about them. Each draw

- shifts every instant and date (and the birth date) by a whole number of
  weeks, chosen only among shifts that keep, on every local day the case
  spans, the same weekday, working-day and public-holiday pattern
  (*virkedager*), the same UTC offsets at both ends of the day (daylight
  saving), the same legal bases in force and dated values
  (``rules/bases.yaml``), and the same age of the person;
- renames event ids and measure ids monotonically (their sort order, which
  breaks ties between events at one instant, is kept) and rewrites every
  reference (``responds_to``, ``measure_id``);
- gives the case, the person and the prison new ids;
- writes the events in a new order (the result never depends on it).

So the facts the law looks at are those of the case; what varies is all the
law must not look at. The twin is the same draw with one violation applied:
still a minimal change. Which shifts are allowed is decided from the calendar
and the registry of legal bases, never by evaluating a timeline.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache, partial
from pathlib import Path
from typing import Any

from .._common.calendar import age_on, is_working_day, norwegian_public_holidays, zone
from .._inputs.conditions import field_kind
from .._inputs.events import EVENT_TYPES
from .._inputs.resources import rules_dir
from .._inputs.scenario import load_scenario
from .._pipeline.evaluate import prepare_rules

__all__ = [
    "COMPLIANT_STATUSES",
    "FAILED_STATUSES",
    "Template",
    "Twin",
    "draw_twin",
    "templates",
    "timeline_duty_ids",
]

#: statuses every obligation of the duty has in a compliant timeline
COMPLIANT_STATUSES = frozenset({"fulfilled", "due"})
#: statuses of which a violating twin has at least one for the duty: a breach of law, or a
#: recommendation (*bør*) not followed or followed late
FAILED_STATUSES = frozenset({"breached", "fulfilled_late", "not_followed", "followed_late"})

_OSLO = zone("Europe/Oslo")
_WEEK = timedelta(days=7)
#: shifts are looked for up to this many weeks either way
_MAX_WEEKS = 260
_LEAP_POLICIES = ("feb28", "mar1")


@dataclass(frozen=True)
class Template:
    """One case file of a duty: its compliant timeline (as JSON-ready data), ``as_of``, and its
    failing variants, each ``(name, timeline data)``. ``shifts`` are the allowed week shifts."""

    duty: str
    path: str
    timeline: dict[str, Any]
    as_of: datetime
    violations: tuple[tuple[str, dict[str, Any]], ...]
    shifts: tuple[int, ...]


@dataclass(frozen=True)
class Twin:
    """A compliant timeline and its violating twin (JSON-ready dicts), judged at ``as_of``.

    ``change`` names the violation applied (the case file's variant name) and
    ``template`` the case file it was drawn from.
    """

    duty: str
    compliant: dict[str, Any]
    violating: dict[str, Any]
    as_of: datetime
    change: str
    template: str


def cases_dir() -> Path:
    """The rule set's own duty cases."""
    return rules_dir() / "cases"


@cache
def timeline_duty_ids() -> tuple[str, ...]:
    """Every duty id the shipped rule set judges on a timeline, sorted."""
    return tuple(sorted(prepare_rules(None).rule_set.by_duty()))


@cache
def _cases() -> tuple[Any, ...]:
    return tuple(load_scenario(path) for path in sorted(cases_dir().glob("*.yaml")))


@cache
def templates(duty_id: str) -> tuple[Template, ...]:
    """The templates of a duty: its case files in ``rules/cases/`` that judge it under the default
    profile and settings, with a compliant expectation and at least one failing variant."""
    out = []
    for loaded in _cases():
        s = loaded.scenario
        path = loaded.path
        if s.duty != duty_id or s.profile or s.settings:
            continue
        base, *variants = loaded.runs
        if base.expect.status not in COMPLIANT_STATUSES:
            continue
        failing = tuple(
            (v.variant or "", _data(v.timeline)) for v in variants
            if v.expect.status in FAILED_STATUSES
            and (v.expect.obligation is None or v.expect.obligation.startswith(duty_id))
        )
        if not failing:
            continue
        data = _without(_data(base.timeline), s.decoys)
        # a variant that worked through a decoy (a response moved to it) may now be the case itself
        failing = tuple((n, d) for n, d in ((n, _without(v, s.decoys)) for n, v in failing) if d != data)
        if not failing:
            continue
        out.append(Template(duty_id, str(path), data, s.as_of, failing,
                            _allowed_shifts([data, *(d for _, d in failing)], s.as_of)))
    return tuple(out)


def _without(data: dict[str, Any], decoys: list[str]) -> dict[str, Any]:
    """``data`` without the decoy events and the events answering them."""
    gone = set(decoys)
    return {**data, "events": [e for e in data["events"] if e["id"] not in gone and e.get("responds_to") not in gone]}


def _data(timeline: Any) -> dict[str, Any]:
    data: dict[str, Any] = timeline.model_dump(mode="json", exclude_none=True)
    return data


# --- what a shift must keep --------------------------------------------------------------------


@cache
def _time_fields() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per event type: (instant fields, date fields)."""
    out = {}
    for name, cls in EVENT_TYPES.items():
        kinds = {f: field_kind(info.annotation)[0] for f, info in cls.model_fields.items()}
        out[name] = (tuple(f for f, k in kinds.items() if k == "instant"),
                     tuple(f for f, k in kinds.items() if k == "date"))
    return out


def _days(data: dict[str, Any], as_of: datetime) -> tuple[list[date], set[date]]:
    """(every local day from the first instant or date to the last, the days an instant or a date
    field falls on), ``as_of`` included."""
    fields = _time_fields()
    instants = [as_of]
    named: list[date] = []
    for e in data["events"]:
        inst, dates = fields[e["type"]]
        instants += [datetime.fromisoformat(e[f]) for f in inst if f in e]
        named += [date.fromisoformat(e[f]) for f in dates if f in e]
    days = {t.astimezone(_OSLO).date() for t in instants} | set(named)
    first, last = min(days), max(days)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)], days


def _law_changes(registry: Any) -> tuple[date, ...]:
    """Every day on which a basis comes into or goes out of force, or a dated value changes."""
    days = {b.start.day for b in registry.bases.values()}
    days |= {b.end.day for b in registry.bases.values() if b.end is not None}
    days |= {since.day for entries in registry.values.values() for since, _ in entries if since is not None}
    return tuple(sorted(days))


def _day_facts(day: date, changes: tuple[date, ...]) -> tuple[Any, ...]:
    """What the law may look at about a local day: working day, holiday, UTC offsets at its start
    and end, and which period between two changes of the law it lies in."""
    start = datetime(day.year, day.month, day.day, tzinfo=_OSLO)
    end = datetime(day.year, day.month, day.day, 23, 59, tzinfo=_OSLO)
    return (
        is_working_day(day),
        day in norwegian_public_holidays(day.year),
        start.utcoffset(),
        end.utcoffset(),
        bisect_right(changes, day),
    )


def _allowed_shifts(datas: list[dict[str, Any]], as_of: datetime) -> tuple[int, ...]:
    """Week shifts under which every day the case spans looks the same to the law (module docstring)."""
    changes = _law_changes(prepare_rules(None).rule_set.registry)
    days: set[date] = set()
    event_days: set[date] = set()
    for d in datas:
        span, on = _days(d, as_of)
        days.update(span)
        event_days.update(on)
    births = {date.fromisoformat(d["person"]["birth_date"]) for d in datas}
    facts = cache(partial(_day_facts, changes=changes))

    ordered = sorted(days)
    allowed = []
    for k in range(-_MAX_WEEKS, _MAX_WEEKS + 1):
        delta = _WEEK * k
        if ordered[0] + delta < date(1901, 1, 1) or ordered[-1] + delta > date(2198, 12, 31):
            continue
        if k and not all(facts(day + delta) == facts(day) for day in ordered):
            continue
        if k and not all(age_on(b, day, p) == age_on(b + delta, day + delta, p)
                         for b in births for day in event_days for p in _LEAP_POLICIES):
            continue
        allowed.append(k)
    return tuple(allowed)


# --- drawing ------------------------------------------------------------------------------------


def draw_twin(template: Template, *, weeks: int, violation: int, rnd: random.Random) -> Twin:
    """The twin of ``template`` shifted by ``weeks`` (one of ``template.shifts``), with violation
    number ``violation`` applied, ids and order drawn from ``rnd``."""
    if weeks not in template.shifts:
        raise ValueError("a shift the template does not allow")
    name, bad = template.violations[violation]
    ids = _renaming([template.timeline, bad], "id", rnd)
    measures = _renaming([template.timeline, bad], "measure_id", rnd)
    outer = {"case_id": f"case-{rnd.randrange(16**8):08x}", "prison_id": f"prison-{rnd.randrange(16**6):06x}",
             "person_id": f"person-{rnd.randrange(16**8):08x}"}
    order = {eid: rnd.random() for eid in ids}
    delta = _WEEK * weeks
    return Twin(
        duty=template.duty,
        compliant=_rewritten(template.timeline, delta, ids, measures, outer, order),
        violating=_rewritten(bad, delta, ids, measures, outer, order),
        as_of=_shifted_instant(template.as_of, delta),
        change=name,
        template=Path(template.path).name,
    )


def _renaming(datas: list[dict[str, Any]], field: str, rnd: random.Random) -> dict[str, str]:
    """Old id -> new id, keeping the sort order of the old ids (ties between events are broken by it)."""
    old = sorted({e[field] for d in datas for e in d["events"] if e.get(field) is not None})
    prefix = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(1, 6)))
    width = len(str(len(old)))
    return {o: f"{prefix}{i:0{width}d}" for i, o in enumerate(old)}


def _shifted_instant(t: datetime, delta: timedelta) -> datetime:
    """The same wall-clock time ``delta`` later, with the same UTC offset: the shift is chosen so that
    every day keeps its offsets (and the repeated autumn hour stays the one it was)."""
    offset = t.utcoffset()
    assert offset is not None
    return t.astimezone(timezone(offset)) + delta


def _rewritten(data: dict[str, Any], delta: timedelta, ids: dict[str, str], measures: dict[str, str],
               outer: dict[str, str], order: dict[str, float]) -> dict[str, Any]:
    fields = _time_fields()
    events = []
    for e in data["events"]:
        e = dict(e)
        inst, dates = fields[e["type"]]
        for f in inst:
            if f in e:
                e[f] = _shifted_instant(datetime.fromisoformat(e[f]), delta).isoformat()
        for f in dates:
            if f in e:
                e[f] = (date.fromisoformat(e[f]) + delta).isoformat()
        old_id = e["id"]
        e["id"] = ids[old_id]
        if e.get("responds_to") is not None:
            e["responds_to"] = ids[e["responds_to"]]
        if e.get("measure_id") is not None:
            e["measure_id"] = measures[e["measure_id"]]
        events.append((order.get(old_id, 0.0), e["id"], e))
    events.sort(key=lambda x: (x[0], x[1]))
    person = dict(data["person"])
    person["id"] = outer["person_id"]
    person["birth_date"] = (date.fromisoformat(person["birth_date"]) + delta).isoformat()
    return {**data, "case_id": outer["case_id"], "prison_id": outer["prison_id"], "person": person,
            "events": [e for _, _, e in events]}
