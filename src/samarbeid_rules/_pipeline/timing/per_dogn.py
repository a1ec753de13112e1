"""Timing kind ``per_dogn``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime

from ..._common.calendar import end_of_local_day
from ..._inputs.rules import PerDognTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    _AT,
    _Correlated,
    _Ctx,
    _DAY,
    _days_of,
    _ids,
    _measure_obligation,
    _measure_span,
    _measure_text,
    _segment_gaps,
)


def _per_dogn(ctx: _Ctx, timing: PerDognTiming) -> list[Obligation]:
    """Once per døgn, counted from the first fulfilment (or the start if there is none)."""
    mode = ctx.facts.profile.settings.dogn
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        ref = times[0] if times else start
        gaps = []
        if mode == "rolling":
            for a, b, ongoing in _segment_gaps([(ref, end, is_open)], times, _DAY):
                gaps.append(build(Gap, kind="dogn", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED, ongoing=ongoing))
            how = "rolling 24 hours between visits, from the first visit (profile setting dogn: rolling)"
        else:
            first_day = ref.astimezone(ctx.tz).date()
            for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
                if day <= first_day or not complete:
                    continue
                hi = bisect_right(times, b) if b == end else bisect_left(times, b)
                if hi - bisect_left(times, a) == 0:
                    gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                    status=Status.BREACHED, looks=0, required=1, required_lenient=1))
            how = "each calendar day after the first visit's day (profile setting dogn: calendar)"
        out.append(_measure_obligation(
            ctx, trig, end_fact, item_ids, gaps, start=start, end=end, is_open=is_open,
            next_due=ctx.local(_next_dogn_due(ctx, mode, times, start)) if is_open else None,
            explanation=[_measure_text(ctx, trig, start, end, end_fact), how]
            + (["none recorded, and none came due before the measure ended"] if not (items or gaps or is_open) else []),
        ))
    return out


def _next_dogn_due(ctx: _Ctx, mode: str, times: Sequence[datetime], start: datetime) -> datetime:
    """When the next visit is due for a measure still in effect: 24 hours after the last visit
    (or the start), or by the end of the day after the last visit's (or the start's) day."""
    last = times[-1] if times else start
    if mode == "rolling":
        return last + _DAY
    return ctx.cal(end_of_local_day, last.astimezone(ctx.tz).date() + _DAY, ctx.tz)
