"""Timing kind ``deadline``.
"""

from __future__ import annotations

from datetime import date

from ..._common.calendar import calendar_months_before, end_of_local_day
from ..._inputs.profile import LeadTimeTerm
from ..._inputs.rules import DeadlineTiming
from ..facts import EventFact
from ..report import Obligation, TermUse, Window, build
from .common import (
    _closer,
    _Correlated,
    _Ctx,
    _deadline_status,
    _due_after,
)


def _deadline(ctx: _Ctx, timing: DeadlineTiming) -> list[Obligation]:
    facts, tz = ctx.facts, ctx.tz
    triggers = ctx.triggers()
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    closer = _closer(ctx)
    out: list[Obligation] = []
    replaced: list[EventFact] = []
    for i, trig in enumerate(triggers):
        explanation: list[str] = []
        terms: list[TermUse] = []
        nxt = triggers[i + 1] if timing.superseded_by_next_trigger and i + 1 < len(triggers) else None
        close = closer.first(trig, trig.at, None)
        if timing.within is not None:
            d = _due_after(ctx, timing.within, trig.at)
            due, due_lenient = d.strict, d.lenient
            explanation.append(f"due within {d.words} of the trigger")
            if d.term:
                terms.append(d.term)
        else:
            bd = timing.before_date
            anchor: date = getattr(trig.event, bd.field)
            if bd.calendar_months is not None:
                mark = mark_lenient = ctx.cal(calendar_months_before, anchor, bd.calendar_months)
                lead_words = f"{bd.calendar_months} calendar months before"
            else:
                lead = facts.profile.terms[bd.lead]
                assert isinstance(lead, LeadTimeTerm)
                terms.append(ctx.term_use(bd.lead))
                mark, mark_lenient = anchor - lead.strict, anchor - lead.lenient
                lead_words = f"'{lead.words[0]}' ({bd.lead}: {lead.bounds_text()})"
            firm, firm_lenient = ctx.cal(end_of_local_day, mark, tz), ctx.cal(end_of_local_day, mark_lenient, tz)
            d = _due_after(ctx, timing.if_known_later, trig.at)
            if d.strict <= firm:
                due, due_lenient = firm, max(firm_lenient, d.lenient)
                explanation.append(
                    f"{bd.field} {anchor.isoformat()} known at {ctx.fmt(trig.at)}: due by the end of "
                    f"{mark.isoformat()}, {lead_words}"
                )
            else:
                # Known too late to give the full lead time: "or as early as
                # practicable" after it became known, never earlier than the
                # date the lead time gives.
                due, due_lenient = d.strict, max(d.lenient, firm_lenient)
                if d.term:
                    terms.append(d.term)
                explanation.append(
                    f"{bd.field} {anchor.isoformat()} became known at {ctx.fmt(trig.at)}, after "
                    f"{mark.isoformat()} ({lead_words}): due {d.words} after it became known"
                )
        # A fulfilment counts from the trigger until the next trigger replaces
        # it, and not after the closing event.
        limit = nxt.at if nxt is not None else None
        limit_close = close.at if close is not None and (limit is None or close.at < limit) else None
        found = corr.first(trig, trig.at, limit)
        if found is not None and limit_close is not None and found.at > limit_close:
            found = None
        if nxt is not None and found is None and due >= nxt.at:
            # Replaced before it was late and before it was met: the next
            # trigger carries the duty on.
            replaced.append(trig)
            continue
        horizon = facts.as_of
        if nxt is not None:
            horizon = min(horizon, nxt.at)
        closed = False
        if limit_close is not None and found is None:
            horizon = min(horizon, limit_close)
            closed = True
            explanation.append(f"closed by {close.type} at {ctx.fmt(close.at)} without fulfilment")
        if nxt is not None:
            explanation.append(f"replaced by {nxt.id} at {ctx.fmt(nxt.at)}")
        if found is not None and found.at < trig.at:
            explanation.append(f"fulfilled by {found.id}, before the trigger (allowed look-back)")
        status, lateness = _deadline_status(due, due_lenient, found.at if found else None, horizon, closed)
        ob_id = ctx.ob_id(trig)
        trigger_ids = [r.id for r in replaced] + [trig.id]
        for r in replaced:
            ctx.uses.add(r.id, ob_id, "replaced_trigger")
            explanation.insert(0, f"replaces the earlier trigger {r.id}")
        replaced = []
        ctx.uses.add(trig.id, ob_id, "trigger")
        if found is not None:
            ctx.uses.add(found.id, ob_id, "fulfilment")
        if limit_close is not None:
            ctx.uses.add(close.id, ob_id, "close")
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=trigger_ids,
                window=build(Window, 
                    opens=ctx.local(trig.at),
                    due=ctx.local(due),
                    due_lenient=ctx.local(due_lenient),
                    closes=ctx.local(limit_close),
                ),
                fulfilled_by=[found.id] if found else [],
                lateness=lateness,
                terms=terms,
                explanation=explanation,
            )
        )
    return out
