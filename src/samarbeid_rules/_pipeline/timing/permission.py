"""Timing kind ``permission``: forbidden unless an exception applies or a consent is in effect.

The sentence of the law
    "*X* is forbidden, unless the person consents or an exception in law
    applies": confidential information may be shared with the health and
    care service if the inmate consents (fvl. §§ 13 flg., strgjfl. § 7
    bokstav h), or without consent under a statutory exception. Each act
    (a disclosure) is judged at its own instant: was it, then, allowed?

Used by (1 rule file, ``kind: permission``)
    ``consent.disclosure_basis`` (*forbud*): each ``information_disclosed``
    is allowed if its ``legal_basis`` is one of ``illness_notice``,
    ``compulsory_care_notice``, ``danger_to_life_or_health``,
    ``connection_to_ko`` (``exempt_if``), or if a ``consent_given`` in effect
    lists the disclosure's ``recipient`` (``covers_field``) in its ``scope``
    (``covers_list``).

How a trigger is judged
    1. If ``exempt_if`` is given and its conditions hold on the trigger (the
       ``where`` syntax; an absent field does not meet a condition), the act
       is ``fulfilled``: a statutory exception is recorded. The exception is
       taken at its word; whether the facts met it is not judged.
    2. Otherwise the permitting measures (the ``fulfilled_by`` events, each a
       measure start: a consent, ending with its end event, e.g. a
       withdrawal) are searched from the latest started at or before the
       trigger's instant backwards. A consent counts if its ``covers_list``
       field contains the trigger's ``covers_field`` value and it was not
       ended at or before the trigger's instant. So a consent given at the
       same instant as the disclosure permits it; one withdrawn at the same
       instant does not. The latest such consent is the evidence:
       ``fulfilled``.
    3. Otherwise ``breached`` (a *bør* rule would read ``not_followed``). The
       explanation names up to three consents that covered the recipient but
       had been ended (the latest given first), with their end events.

    The consents are not tied to the trigger by ``same`` / ``responds_to`` or
    ``lookback`` (this kind does not read them), and their form (written,
    informed) is judged by ``check`` in ``consent.written_informed``, not
    here: an oral consent still permits. ``due``, ``contested`` and
    ``fulfilled_late`` cannot arise.

The window and the account
    ``window``: opens, ``due`` and ``due_lenient`` are all the trigger's
    instant. Events used: the trigger (``trigger``), the permitting consent
    (``fulfilment``), and for a breach the ended consents named in the
    explanation (``withdrawn_permission``) with their end events
    (``withdrawal``).
"""

from __future__ import annotations

from bisect import bisect_right

from ..._inputs.rules import PermissionTiming
from ..compile import Matcher
from ..report import NearMiss, Obligation, Status, Window, build
from ..facts import EventFact
from .common import (
    _conditions_text,
    _Ctx,
    _measure_span,
)


def _permission(ctx: _Ctx, timing: PermissionTiming, triggers: list[EventFact]) -> list[Obligation]:
    """Allowed under a statutory exception on the trigger, or a covering measure in effect."""
    exemptions = [(conds, Matcher("", "", "", conds)) for conds in ctx.rule.exemptions()]
    # Each exception that names the recipient: its other conditions, and the recipients it allows.
    narrow_exemptions = []
    for conds, _ in exemptions:
        other = tuple(c for c in conds if c[0] != timing.covers_field)
        if len(other) < len(conds):
            allowed = next(c for c in conds if c[0] == timing.covers_field)
            narrow_exemptions.append((other, Matcher("", "", "", other), allowed))
    spans = []
    for f in ctx.facts_for("fulfil"):
        s, e, end_fact = _measure_span(ctx, f)
        spans.append((s, e, end_fact, f))
    starts = [s for s, *_ in spans]
    out = []
    for trig in triggers:
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        wanted = trig.record.get(timing.covers_field)
        permit = None
        explanation = []
        near: list = []
        exception = next((conds for conds, m in exemptions if m.matches(trig.record)), None)
        if exception is not None:
            status = Status.FULFILLED
            explanation.append(f"statutory exception recorded: {_conditions_text(exception)}")
        else:
            # An exception recorded for a recipient it does not cover (an illness notice to NAV).
            for other, other_m, allowed in narrow_exemptions:
                if other_m.matches(trig.record):
                    explanation.append(
                        f"the exception recorded ({_conditions_text(other)}) covers only {_conditions_text((allowed,))}, "
                        f"not {timing.covers_field} {wanted!r}"
                    )
            # The latest permitting measure started at or before the trigger,
            # not ended before it, covering the recipient.
            withdrawn = []
            narrow = []  # in effect, but not covering the recipient
            for s, e, end_fact, f in reversed(spans[: bisect_right(starts, trig.at)]):
                covers = wanted in (f.record.get(timing.covers_list) or ())
                if not covers:
                    if end_fact is None or end_fact.at > trig.at:
                        narrow.append(f)
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
                    f"{ctx.fmt(trig.at)} covering {timing.covers_field} {wanted!r}, and no statutory exception covering it"
                )
                for f, end_fact in withdrawn[:3]:
                    explanation.append(f"{f.id} covered it but was ended by {end_fact.id} at {ctx.fmt(end_fact.at)}")
                    ctx.uses.add(f.id, ob_id, "withdrawn_permission")
                    ctx.uses.add(end_fact.id, ob_id, "withdrawal")
                for f in narrow[:3]:
                    explanation.append(f"{f.id} was in effect but its {timing.covers_list} "
                                       f"{list(f.record.get(timing.covers_list) or ())} lacks {wanted!r}")
                misses = sorted([(f.at, f.index, f.id, "withdrawn") for f, _ in withdrawn[:3]]
                                + [(f.at, f.index, f.id, "not_covering") for f in narrow[:3]])
                near = [build(NearMiss, event_id=i, reason=r) for _, _, i, r in misses]
        out.append(
            ctx.obligation(
                trig,
                ob_id=ob_id,
                status=status,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(trig.at), due_lenient=ctx.local(trig.at)),
                fulfilled_by=[permit.id] if permit is not None else [],
                explanation=explanation,
                near_misses=near,
            )
        )
    return out
