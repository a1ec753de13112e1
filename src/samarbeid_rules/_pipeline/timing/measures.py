"""What the measure kinds share: gaps between points, the local days of a measure, the text of
a part judged, and a measure kind's obligation and status.

The kinds judged day by day over a measure (``recurring_looks``,
``continuous_cover``, ``per_day``, ``per_dogn``, ``daily_sum``) import this
module and :mod:`.common`; this module imports :mod:`.common` only.

- :func:`_part_text` -- the measure and, where the part of it judged differs
  (the rule's bases came into or went out of force within it; a basis took
  effect within the part), why;
- :func:`_segment_gaps` -- gaps longer than a bound between points;
- :func:`_days_of` -- the local days a measure touches, and :func:`_day_slice`
  -- the events counted for one of them;
- :func:`_measure_obligation` -- a measure kind's obligation for one part,
  its status from its gaps (:func:`_measure_status`), and the uses of its
  events;
- :func:`_expected_or_found_longer` -- whether a measure is expected or found
  to last longer than a threshold.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import compress, count
from operator import sub
from typing import Any

from ..._common.calendar import start_of_local_day
from ..facts import EventFact
from ..report import Gap, Obligation, Status, Window, build, worst
from .common import _DAY, _Ctx, _Part
from .near_misses import near_misses_between


def _part_text(ctx: _Ctx, trig: EventFact, part: _Part) -> list[str]:
    """The measure, and where the part judged differs from it: why (the rule's bases came into
    or went out of force), and a basis that took effect within the part."""
    tail = ctx.fmt(part.measure_end) if part.measure_ended else f"as_of {ctx.fmt(part.measure_end)} (still in effect)"
    lines = [f"{trig.type} {trig.event.measure_id} from {ctx.fmt(part.measure_start)} to {tail}"]
    if part.start > part.measure_start:
        lines.append(f"judged from {ctx.fmt(part.start)}, the local day the rule came into force "
                     f"({', '.join(ctx.rule_set.bases_on(ctx.loaded, part.first_day))})")
    if part.end < part.measure_end:
        lines.append(f"judged until {ctx.fmt(part.end)}, the local day the rule went out of force")
    for bid in ctx.rule_set.bases_on(ctx.loaded, part.first_day, part.last_day):
        b = ctx.rule_set.registry.bases[bid]
        if part.first_day < b.start.day <= part.last_day:
            lines.append(f"under {bid} from {b.start.day.isoformat()}")
        if b.end is not None and part.first_day < b.end.day <= part.last_day:
            lines.append(f"under {bid} until {(b.end.day - _DAY).isoformat()}")
    return lines


def _gaps_in(points: Sequence[datetime], max_gap: timedelta) -> list[tuple[datetime, datetime]]:
    """Consecutive points further apart than ``max_gap`` (the scan runs in C: looks are many, gaps few)."""
    longer = compress(count(), map(max_gap.__lt__, map(sub, points[1:], points)))
    return [(points[i], points[i + 1]) for i in longer]


def _segment_gaps(
    segments: Iterable[tuple[datetime, datetime, bool]], times: Sequence[datetime], max_gap: timedelta
) -> list[tuple[datetime, datetime, bool]]:
    """Gaps longer than ``max_gap`` between the segment ends and the looks inside each segment.

    A segment is (start, end, ends_at_as_of); a gap reaching an as_of end is ongoing.
    """
    found = []
    for a, b, open_tail in segments:
        inside = times[bisect_right(times, a) : bisect_left(times, b)]
        for p, q in _gaps_in([a, *inside, b], max_gap):
            found.append((p, q, open_tail and q == b))
    return found


def _days_of(ctx: _Ctx, start: datetime, end: datetime, is_open: bool):
    """(day, day_start, day_end, covered_start, covered_end, complete) for each local day touched."""
    tz = ctx.tz
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        ds, de = ctx.cal(start_of_local_day, day, tz), ctx.cal(start_of_local_day, day + _DAY, tz)
        a, b = max(ds, start), min(de, end)
        if a < b or (a == b == start):
            complete = not (is_open and end < de)
            yield day, ds, de, a, b, complete
        day += _DAY


def _day_slice(times: Sequence[datetime], a: datetime, b: datetime, end: datetime) -> tuple[int, int]:
    """Indices (lo, hi) into ``times`` of the events counted for a day's stretch from ``a`` to ``b``
    of a part ending at ``end``: from ``a`` up to but not including ``b`` (an event at midnight counts
    for the day it begins, once), and the part's own end instant on its last day."""
    return bisect_left(times, a), (bisect_right(times, b) if b == end else bisect_left(times, b))


def _measure_status(gaps: Sequence[Gap], is_open: bool) -> Status:
    """The worst gap's status; with no gap, due while the measure lasts, else fulfilled."""
    status = worst((g.status for g in gaps), Status.DUE if is_open else Status.FULFILLED)
    assert status is not None  # worst gives its default when there are no gaps
    return status


def _measure_obligation(
    ctx: _Ctx,
    trig: EventFact,
    part: _Part,
    item_ids: list[str],
    gaps: list[Gap],
    *,
    start: datetime,
    end: datetime,
    is_open: bool,
    **kw: Any,
) -> Obligation:
    """A measure kind's obligation for one part of a measure: the uses of its trigger, end and
    fulfilling events, its status from its gaps (due while it lasts), and its window from
    ``start`` to ``end`` (unless open)."""
    ob_id = ctx.ob_id(trig, part)
    ctx.uses.add(trig.id, ob_id, "trigger")
    if part.end_fact is not None:
        ctx.uses.add(part.end_fact.id, ob_id, "measure_end")
    ctx.uses.add_all(item_ids, ob_id, "fulfilment")
    if gaps:
        kw["near_misses"] = near_misses_between(ctx, trig, start, end, item_ids, kw.setdefault("explanation", []))
    return ctx.obligation(
        trig,
        part=part,
        ob_id=ob_id,
        status=_measure_status(gaps, is_open),
        trigger_event_ids=[trig.id],
        window=build(Window, opens=ctx.local(start), closes=None if is_open else ctx.local(end)),
        fulfilled_by=item_ids,
        gaps=gaps,
        **kw,
    )


def _expected_or_found_longer(trig: EventFact, end: datetime, threshold: timedelta) -> tuple[bool, bool]:
    """(expected from the start to last longer, found to last longer) than ``threshold``."""
    expected_end = getattr(trig.event, "expected_end", None)
    expected = expected_end is not None and expected_end - trig.at > threshold
    return expected, end - trig.at > threshold


def _first_expected_longer(
    ctx: _Ctx, trig: EventFact, threshold: timedelta, extended_by: str | None
) -> tuple[datetime | None, EventFact | None]:
    """When the measure was first expected to last longer than ``threshold``, and the extension that made it
    so: its start (``expected_end`` then more than ``threshold`` after the start; no extension), or the
    first event of type ``extended_by`` for the measure, at or before as_of, whose new ``expected_end`` is;
    (None, None) if neither."""
    if _expected_or_found_longer(trig, trig.at, threshold)[0]:
        return trig.at, None
    if extended_by is None:
        return None, None
    mid = trig.event.measure_id
    for f in ctx.events_of(extended_by):
        if f.event.measure_id == mid and f.at >= trig.at and f.event.expected_end - trig.at > threshold:
            return f.at, f
    return None, None

