"""Near misses: the events of a fulfilling type that did not count for an obligation, and why.

An obligation not fulfilled in time (any status but ``fulfilled``) names, in
``near_misses`` (ids and reason codes) and in its explanation (in words),
the events that were of a type that could fulfil it but did not: a notice to
the municipality where the health service is needed, a look under another
measure, a notice after the release, before the trigger, answering another
trigger. The reasons, tried in this order for each such event:

==========================  ==================================================
``condition_not_met``       a condition (``where``) of the fulfilment pattern
                            fails, or a dated condition (``in_value``) on the
                            event's own date
``other_measure``           its ``measure_id`` names another measure (``same``)
``other_value``             another ``same`` field differs (a notice of
                            another release date)
``answers_other_trigger``   its ``responds_to`` names another event
``before_trigger``          before the trigger, less any ``lookback``
``after_next_trigger``      at or after the next trigger of a rule whose
                            triggers replace each other (it counts there)
``after_close``             after the closing event (release, transfer,
                            the measure's end)
==========================  ==================================================

Which events are looked at: of each fulfilment pattern's type, the two last
before the trigger's search begins and every one from then to ``as_of``, at
most :data:`MAX` in all, in time order. The explanation names at most
:data:`MAX_TEXT` of them. An event that did count (the fulfilment, or a later
one) is not a near miss. The measure kinds look at the events of their
pattern types within the part of the measure judged (reasons
``condition_not_met``, ``other_measure``, ``answers_other_trigger``).
``permission`` names its own (``withdrawn``, ``not_covering``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from ..facts import EventFact
from ..report import NearMiss, build
from .common import _Ctx
from .plan import NearMissPattern

__all__ = ["MAX", "MAX_TEXT", "near_misses_of", "near_misses_between"]

#: near misses listed per obligation (structured), and in its explanation
MAX = 10
MAX_TEXT = 3

_BEFORE = 2  #: events before the search's start looked at, per pattern
_NO_LOOKBACK = timedelta(0)


def _times(ctx: _Ctx, event_type: str) -> tuple[list[EventFact], list[datetime]]:
    key = ("nm_times", event_type)
    got = ctx.facts.memo.get(key)
    if got is None:
        facts = ctx.events_of(event_type)
        got = ctx.facts.memo[key] = (facts, [f.at for f in facts])
    return got


def _failed_condition(ctx: _Ctx, pat: NearMissPattern, f: EventFact) -> str | None:
    """Words for the first condition of ``pat`` that ``f`` does not meet, or None."""
    for name, op, value, matcher in pat.conditions:
        actual = f.value(name)
        if matcher is None:
            v = ctx.rule_set.registry.value_on(value, ctx.day(f.at))
            if v is None or not v.holds(actual):
                return f"{name} {actual!r} is not among the values of {value} on {ctx.day(f.at).isoformat()}"
            continue
        if not matcher.matches(f.record):
            want = value if op == "eq" else list(value) if op == "in" else f"{op} {value!r}"
            return f"{name} {actual!r}, not {want}" if actual is not None else f"{name} not recorded (needs {want})"
    return None


def _reason(ctx: _Ctx, pat: NearMissPattern, trig: EventFact, f: EventFact, lookback: timedelta, limit: datetime | None,
            close: EventFact | None) -> tuple[str, str] | None:
    failed = _failed_condition(ctx, pat, f)
    if failed:
        return "condition_not_met", failed
    for name in pat.same:
        mine, theirs = f.value(name), trig.value(name)
        if mine is not None and mine != theirs:
            code = "other_measure" if name == "measure_id" else "other_value"
            return code, f"{name} {mine!r}, not {theirs!r}" if theirs is not None else f"{name} {mine!r}"
    if pat.responds_to:
        target = f.value("responds_to")
        if target is not None and target != trig.id:
            return "answers_other_trigger", f"answers {target}, not {trig.id}"
    if f.at < trig.at - lookback:
        return "before_trigger", f"before the trigger ({ctx.fmt(trig.at)})"
    if limit is not None and f.at >= limit:
        return "after_next_trigger", "made after the next trigger, for which it counts"
    if close is not None and f.at > close.at:
        return "after_close", f"after {close.type} {close.id} at {ctx.fmt(close.at)}"
    return None


def near_misses_of(
    ctx: _Ctx, trig: EventFact, found: EventFact | None, limit: datetime | None, close: EventFact | None,
    explanation: list[str],
) -> list[NearMiss]:
    """Near misses of a trigger whose first fulfilment is searched for (``deadline``, ``before_close``,
    ``measure_deadline``): ``found`` the fulfilment (or None), ``limit`` the next trigger's instant (or
    None), ``close`` the closing event (or None). Appends up to :data:`MAX_TEXT` lines to
    ``explanation``."""
    out: list[tuple[datetime, int, EventFact, str, str]] = []
    for pat in ctx.plan.near_miss_patterns:
        facts, times = _times(ctx, pat.event)
        lookback = pat.lookback
        lo = bisect_left(times, trig.at - lookback)
        for f in facts[max(0, lo - _BEFORE):]:
            if found is not None and f.at >= found.at:
                break
            if f.id == trig.id:
                continue
            r = _reason(ctx, pat, trig, f, lookback, limit, close)
            if r is not None:
                out.append((f.at, f.index, f, *r))
            if len(out) >= MAX * 2:
                break
    return _finish(ctx, out, explanation) if out else []


def near_misses_between(
    ctx: _Ctx, trig: EventFact, start: datetime, end: datetime, used: Sequence[str], explanation: list[str],
) -> list[NearMiss]:
    """Near misses of a measure kind's part from ``start`` to ``end``: events of a fulfilling type within
    it that did not count (``used`` are those that did)."""
    taken = set(used)
    out: list[tuple[datetime, int, EventFact, str, str]] = []
    for pat in ctx.plan.near_miss_patterns:
        facts, times = _times(ctx, pat.event)
        # Most events of a fulfilling type within the part counted: set those aside first.
        not_counted = [f for f in facts[bisect_left(times, start): bisect_right(times, end)] if f.id not in taken]
        for f in not_counted:
            if f.id == trig.id:
                continue
            r = _reason(ctx, pat, trig, f, _NO_LOOKBACK, None, None)
            if r is not None:
                out.append((f.at, f.index, f, *r))
            if len(out) >= MAX:
                break
    return _finish(ctx, out, explanation) if out else []


def _finish(ctx: _Ctx, found: list, explanation: list[str]) -> list[NearMiss]:
    found.sort(key=lambda t: (t[0], t[1]))
    found = found[:MAX]
    for _, _, f, _, words in found[:MAX_TEXT]:
        explanation.append(f"did not count: {f.id} ({f.type} at {ctx.fmt(f.at)}): {words}")
    if len(found) > MAX_TEXT:
        explanation.append(f"did not count: {len(found) - MAX_TEXT} more (near_misses)")
    return [build(NearMiss, event_id=f.id, reason=code) for _, _, f, code, _ in found]
