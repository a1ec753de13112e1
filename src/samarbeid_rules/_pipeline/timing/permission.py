"""Timing kind ``permission``.
"""

from __future__ import annotations

from bisect import bisect_right

from ..._inputs.rules import PermissionTiming
from ..compile import Matcher
from ..report import Obligation, Status, Window, build
from .common import (
    _conditions_text,
    _Ctx,
    _measure_span,
)


def _permission(ctx: _Ctx, timing: PermissionTiming) -> list[Obligation]:
    """Allowed under a statutory exception on the trigger, or a covering measure in effect."""
    exempt = ctx.rule.check_conditions()
    exempt_m = Matcher("", "", "", exempt)
    spans = []
    for f in ctx.facts_for("fulfil"):
        s, e, end_fact = _measure_span(ctx, f)
        spans.append((s, e, end_fact, f))
    starts = [s for s, *_ in spans]
    out = []
    for trig in ctx.triggers():
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        wanted = trig.record.get(timing.covers_field)
        permit = None
        explanation = []
        if exempt and exempt_m.matches(trig.record):
            status = Status.FULFILLED
            explanation.append(f"statutory exception recorded: {_conditions_text(exempt)}")
        else:
            # The latest permitting measure started at or before the trigger,
            # not ended before it, covering the recipient.
            withdrawn = []
            for s, e, end_fact, f in reversed(spans[: bisect_right(starts, trig.at)]):
                covers = wanted in (f.record.get(timing.covers_list) or ())
                if not covers:
                    continue
                if end_fact is not None and end_fact.at <= trig.at:
                    withdrawn.append((f, end_fact))
                    continue
                permit = f
                break
            if permit is not None:
                status = Status.FULFILLED
                ctx.uses.add(permit.id, ob_id, "fulfilment")
                explanation.append(f"{permit.type} {permit.id} in effect, covering {timing.covers_field} {wanted!r}")
            else:
                status = Status.BREACHED
                explanation.append(
                    f"no {' or '.join(p.event for p in ctx.rule.fulfilled_by)} in effect at "
                    f"{ctx.fmt(trig.at)} covering {timing.covers_field} {wanted!r}, and no statutory exception"
                )
                for f, end_fact in withdrawn[:3]:
                    explanation.append(f"{f.id} covered it but was ended by {end_fact.id} at {ctx.fmt(end_fact.at)}")
                    ctx.uses.add(f.id, ob_id, "withdrawn_permission")
                    ctx.uses.add(end_fact.id, ob_id, "withdrawal")
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(trig.at), due_lenient=ctx.local(trig.at)),
                fulfilled_by=[permit.id] if permit is not None else [],
                explanation=explanation,
            )
        )
    return out
