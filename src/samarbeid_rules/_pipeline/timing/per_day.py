"""Timing kind ``per_day``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from ..._inputs.rules import PerDayTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    _AT,
    _Correlated,
    _Ctx,
    _days_of,
    _ids,
    _measure_obligation,
    _measure_span,
    _measure_text,
)


def _per_day(ctx: _Ctx, timing: PerDayTiming) -> list[Obligation]:
    """A fulfilling event on every local calendar day the measure touches (today: not yet judged)."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        gaps = []
        for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
            # A day is [its start, the next day's start): an event at midnight
            # counts for the day it begins, once. The measure's own end counts.
            count = (bisect_right(times, b) if b == end else bisect_left(times, b)) - bisect_left(times, a)
            if count == 0 and complete:
                gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED, looks=0, required=1, required_lenient=1))
        out.append(_measure_obligation(
            ctx, trig, end_fact, item_ids, gaps, start=start, end=end, is_open=is_open,
            explanation=[_measure_text(ctx, trig, start, end, end_fact),
                         "each local calendar day of the measure needs one; a day still running is not judged"],
        ))
    return out
