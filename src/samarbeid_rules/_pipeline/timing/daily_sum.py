"""Timing kind ``daily_sum``.
"""

from __future__ import annotations

import math
from bisect import bisect_left

from ..._inputs.profile import CountTerm
from ..._inputs.rules import DailySumTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    _AT,
    _Correlated,
    _Ctx,
    _days_of,
    _expected_or_found_longer,
    _ids,
    _measure_obligation,
    _measure_span,
    _measure_text,
)


def _daily_sum(ctx: _Ctx, timing: DailySumTiming) -> list[Obligation]:
    """Minutes of the fulfilling events on each local day of the measure reach the required amount."""
    term = ctx.facts.profile.terms[timing.minutes]
    assert isinstance(term, CountTerm)
    partial = ctx.facts.profile.settings.partial_days
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        if timing.applies_if_longer_than is not None:
            expected, found = _expected_or_found_longer(trig, end, timing.applies_if_longer_than)
            if not (expected or found):
                continue
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        gaps = []
        for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
            if not complete:
                continue
            share = (b - a) / (de - ds)
            whole = a == ds and b == de
            if not whole and partial == "exempt":
                continue
            factor = 1.0 if (whole or partial == "full") else share
            need_s = math.floor(term.strict * factor + 0.5)
            need_l = math.floor(term.lenient * factor + 0.5)
            got = sum(f.record.get("minutes", 0) for f in items[bisect_left(times, a): bisect_left(times, b)])
            if got < need_s:
                gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED if got < need_l else Status.CONTESTED,
                                minutes=got, required_minutes=need_s))
        out.append(_measure_obligation(
            ctx, trig, end_fact, item_ids, gaps, start=start, end=end, is_open=is_open,
            terms=[ctx.term_use(timing.minutes)],
            explanation=[_measure_text(ctx, trig, start, end, end_fact),
                         f"partial first and last days: {partial} (profile setting partial_days); "
                         "a contact counts on the day it began; a day still running is not judged"],
        ))
    return out
