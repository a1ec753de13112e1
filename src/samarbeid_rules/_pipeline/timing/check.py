"""Timing kind ``check``.
"""

from __future__ import annotations

from ..._inputs.rules import CheckTiming
from ..compile import Matcher
from ..report import Obligation, Status, Window, build
from .common import (
    _conditions_text,
    _Ctx,
)


def _check(ctx: _Ctx, timing: CheckTiming) -> list[Obligation]:
    """Each trigger must meet ``requires`` on its own fields, at its own instant."""
    conds = ctx.rule.check_conditions()
    m = Matcher("", "", "", conds)
    out = []
    for trig in ctx.triggers():
        ok = m.matches(trig.record)
        failed = [c for c in conds if not Matcher("", "", "", (c,)).matches(trig.record)]
        ctx.uses.add(trig.id, ctx.ob_id(trig), "trigger")
        explanation = [f"requires {_conditions_text(conds)}"]
        if failed:
            explanation.append(f"not met: {_conditions_text(failed)}")
        out.append(
            ctx.obligation(
                trig,
                status=Status.FULFILLED if ok else Status.BREACHED,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(trig.at), due_lenient=ctx.local(trig.at)),
                fulfilled_by=[trig.id] if ok else [],
                explanation=explanation,
            )
        )
    return out
