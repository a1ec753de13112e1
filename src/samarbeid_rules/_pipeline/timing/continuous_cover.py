"""Timing kind ``continuous_cover``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

from ..._common.calendar import birthday_instant
from ..._inputs.rules import ContinuousCoverTiming
from ..facts import EventFact
from ..report import Gap, Obligation, Status, build
from .common import (
    _Ctx,
    _durations,
    _measure_obligation,
    _measure_span,
    _measure_text,
)


def _continuous_cover(ctx: _Ctx, timing: ContinuousCoverTiming) -> list[Obligation]:
    facts, tz = ctx.facts, ctx.tz
    strict, lenient, term = _durations(ctx, timing.max_gap)
    spans: list[tuple[datetime, datetime, EventFact, EventFact | None]] = []
    for f in ctx.facts_for("fulfil"):
        s, e, end_fact = _measure_span(ctx, f)
        spans.append((s, e, f, end_fact))
    starts = [s for s, _, _, _ in spans]
    prefix_max_end: list[datetime] = []
    for _, e, _, _ in spans:
        prefix_max_end.append(e if not prefix_max_end else max(prefix_max_end[-1], e))
    out: list[Obligation] = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        explanation = []
        duty_end, is_open = end, end_fact is None
        if timing.until_age is not None:
            limit = birthday_instant(facts.birth_date, timing.until_age, tz, facts.profile.settings.leap_day_birthday)
            explanation.append(
                f"aged {trig.record['age']} at the start; the duty ends at age {timing.until_age} ({ctx.fmt(limit)})"
            )
            if limit < duty_end:
                duty_end, is_open = limit, False
        explanation.append(_measure_text(ctx, trig, start, end, end_fact))
        lo = bisect_left(prefix_max_end, start)
        hi = bisect_right(starts, duty_end)
        cursor = start
        holes: list[tuple[datetime, datetime]] = []
        used: list[tuple[EventFact, EventFact | None]] = []
        for s, e, f, ef in spans[lo:hi]:
            if e <= cursor or s >= duty_end:
                continue
            if s > cursor:
                holes.append((cursor, s))
            cursor = max(cursor, e)
            used.append((f, ef))
            if cursor >= duty_end:
                break
        tail_open = False
        if cursor < duty_end:
            holes.append((cursor, duty_end))
            tail_open = is_open
        gaps = []
        for a, b in holes:
            length = b - a
            if length <= strict:
                continue
            gaps.append(
                build(Gap, 
                    kind="uncovered",
                    start=ctx.local(a),
                    end=ctx.local(b),
                    length=length,
                    status=Status.BREACHED if length > lenient else Status.CONTESTED,
                    ongoing=tail_open and b == duty_end,
                )
            )
        out.append(
            _measure_obligation(
                ctx, trig, end_fact, [f.id for f, _ in used], gaps, start=start, end=duty_end, is_open=is_open,
                terms=[term] if term else [], explanation=explanation,
            )
        )
        ob_id = ctx.ob_id(trig)
        for _, ef in used:
            if ef is not None:
                ctx.uses.add(ef.id, ob_id, "cover_end")
    return out
