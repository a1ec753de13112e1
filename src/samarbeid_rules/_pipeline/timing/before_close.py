"""Timing kind ``before_close``.
"""

from __future__ import annotations

from ..._inputs.rules import BeforeCloseTiming
from ..report import Obligation, Status, Window, build
from .common import (
    _closer,
    _Correlated,
    _Ctx,
)


def _before_close(ctx: _Ctx, timing: BeforeCloseTiming) -> list[Obligation]:
    """Fulfil at any time after the trigger and before the closing event; no fixed deadline."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    closer = _closer(ctx)
    out = []
    for trig in ctx.triggers():
        close = closer.first(trig, trig.at, None)
        found = corr.first(trig, trig.at, None)
        if found is not None and close is not None and found.at > close.at:
            found = None
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        explanation = ["no fixed deadline: due before the closing event"]
        if found is not None:
            status = Status.FULFILLED
            ctx.uses.add(found.id, ob_id, "fulfilment")
        elif close is not None:
            status = Status.BREACHED
            explanation.append(f"closed by {close.type} at {ctx.fmt(close.at)} without fulfilment")
        else:
            status = Status.DUE
        if close is not None:
            ctx.uses.add(close.id, ob_id, "close")
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(close.at) if close else None,
                              closes=ctx.local(close.at) if close else None),
                fulfilled_by=[found.id] if found else [],
                explanation=explanation,
            )
        )
    return out
