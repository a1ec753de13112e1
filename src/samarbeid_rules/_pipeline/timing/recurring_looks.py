"""Timing kind ``recurring_looks``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from datetime import datetime

from ..._common.calendar import local_instant
from ..._inputs.profile import CountTerm
from ..._inputs.rules import RecurringLooksTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    _AT,
    _Correlated,
    _Ctx,
    _DAY,
    _durations,
    _ids,
    _measure_obligation,
    _measure_span,
    _measure_text,
    _segment_gaps,
)


def _recurring_looks(ctx: _Ctx, timing: RecurringLooksTiming) -> list[Obligation]:
    facts, tz = ctx.facts, ctx.tz
    window_term = facts.profile.terms[timing.day_window] if timing.day_window else None
    max_strict, max_lenient, gap_term = _durations(ctx, timing.day_max_gap)
    night_term = facts.profile.terms[timing.night_min_count] if timing.night_min_count else None
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out: list[Obligation] = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        looks = corr.between(trig, start, end)
        times = list(map(_AT, looks))
        look_ids = _ids(looks)
        gaps: list[Gap] = []
        first_day = start.astimezone(tz).date()
        last_day = end.astimezone(tz).date()

        def segments(win):
            if win is None:
                yield start, end, is_open
                return
            day = first_day
            while day <= last_day:
                ws, we = ctx.cal(local_instant, day, win.start, tz), ctx.cal(local_instant, day, win.end, tz)
                a, b = max(ws, start), min(we, end)
                if a < b:
                    yield a, b, is_open and b == end and end < we
                day += _DAY

        kind = "daytime" if window_term is not None else "around_the_clock"
        strict_gaps = _segment_gaps(segments(window_term.strict if window_term else None), times, max_strict)
        lenient_gaps = _segment_gaps(segments(window_term.lenient if window_term else None), times, max_lenient)
        j = 0
        for a, b, ongoing in strict_gaps:
            while j < len(lenient_gaps) and lenient_gaps[j][1] <= a:
                j += 1
            breached, k = False, j
            while k < len(lenient_gaps) and lenient_gaps[k][0] < b:
                la, lb, _ = lenient_gaps[k]
                breached = breached or (la >= a and lb <= b)
                k += 1
            gaps.append(
                build(Gap, 
                    kind=kind,
                    start=ctx.local(a),
                    end=ctx.local(b),
                    length=b - a,
                    status=Status.BREACHED if breached else Status.CONTESTED,
                    ongoing=ongoing,
                )
            )
        if night_term is not None:
            assert isinstance(night_term, CountTerm) and window_term is not None
            lw = window_term.lenient
            day = first_day - _DAY
            while day <= last_day:
                ns, ne = ctx.cal(local_instant, day, lw.end, tz), ctx.cal(local_instant, day + _DAY, lw.start, tz)
                a, b = max(ns, start), min(ne, end)
                if a < b and not (is_open and b == end and end < ne):
                    frac = (b - a) / (ne - ns)
                    need_s = math.floor(night_term.strict * frac + 0.5)
                    need_l = math.floor(night_term.lenient * frac + 0.5)
                    count = bisect_right(times, b) - bisect_left(times, a)
                    if count < need_s:
                        gaps.append(
                            build(Gap, 
                                kind="night",
                                start=ctx.local(a),
                                end=ctx.local(b),
                                length=b - a,
                                status=Status.BREACHED if count < need_l else Status.CONTESTED,
                                looks=count,
                                required=need_s,
                                required_lenient=need_l,
                            )
                        )
                day += _DAY
        gaps.sort(key=lambda g: (g.start, g.kind))
        next_due = None
        if is_open:
            win = window_term.strict if window_term is not None else None
            next_due = _next_look_due(start, end, times, win, max_strict, tz)
        terms = [ctx.term_use(timing.day_window)] if window_term is not None else []
        if gap_term:
            terms.append(gap_term)
        if night_term is not None:
            terms.append(ctx.term_use(timing.night_min_count))
        explanation = [
            _measure_text(ctx, trig, start, end, end_fact),
            f"{len(looks)} looks; {sum(g.kind != 'night' for g in gaps)} gaps too long, "
            f"{sum(g.kind == 'night' for g in gaps)} nights short of looks",
        ]
        out.append(
            _measure_obligation(
                ctx, trig, end_fact, look_ids, gaps, start=start, end=end, is_open=is_open,
                next_due=ctx.local(next_due), terms=terms, explanation=explanation,
            )
        )
    return out


def _next_look_due(start, as_of, times, win, max_gap, tz) -> datetime:
    """When the next look is due for a measure still in effect at ``as_of`` (strict bound)."""
    last = max(times[-1] if times else start, start)
    if win is None:
        return last + max_gap
    day = as_of.astimezone(tz).date()
    ws, we = local_instant(day, win.start, tz), local_instant(day, win.end, tz)
    if ws <= as_of < we:
        return min(max(last, ws) + max_gap, we)
    if as_of < ws:
        return max(ws, start) + max_gap
    return local_instant(day + _DAY, win.start, tz) + max_gap
