"""Timing kind ``measure_deadline``.
"""

from __future__ import annotations

from ..._inputs.profile import iso_duration
from ..._inputs.rules import MeasureDeadlineTiming
from ..report import Obligation, Window, build
from .common import (
    _Correlated,
    _Ctx,
    _deadline_status,
    _due_after,
    _expected_or_found_longer,
    _measure_span,
    _measure_text,
)


def _measure_deadline(ctx: _Ctx, timing: MeasureDeadlineTiming) -> list[Obligation]:
    """For a measure expected or found to exceed ``longer_than``: fulfil within ``within`` when
    expected from the start, and in any case by the time ``longer_than`` has passed."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        expected, found_long = _expected_or_found_longer(trig, end, timing.longer_than)
        if not (expected or found_long):
            continue
        latest = start + timing.longer_than
        terms = []
        if expected:
            d = _due_after(ctx, timing.within, start)
            due, due_lenient = min(d.strict, latest), min(d.lenient, latest)
            if d.term:
                terms.append(d.term)
            why = (f"expected from the start to last more than {iso_duration(timing.longer_than)}: due "
                   f"{d.words} after the start, at the latest {ctx.fmt(latest)}")
        else:
            due = due_lenient = latest
            why = f"lasted more than {iso_duration(timing.longer_than)}: due by {ctx.fmt(latest)}"
        found = corr.first(trig, start, None)
        status, lateness = _deadline_status(due, due_lenient, found.at if found else None, ctx.facts.as_of, False)
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        if found is not None:
            ctx.uses.add(found.id, ob_id, "fulfilment")
        out.append(ctx.obligation(
            trig, status=status, trigger_event_ids=[trig.id],
            window=build(Window, opens=ctx.local(start), due=ctx.local(due), due_lenient=ctx.local(due_lenient)),
            fulfilled_by=[found.id] if found else [], lateness=lateness, terms=terms,
            explanation=[_measure_text(ctx, trig, start, end, end_fact), why],
        ))
    return out
