"""Timing kind ``before_close``: do it at some time before the release.

The sentence of the law
    "*Y* shall be done" for a person in custody, with no time given: offer a
    coordinator (hol. § 7-2), make an individual plan (hol. § 7-1), help
    continue the health services in the home municipality, invite to
    cooperation meetings, hold a release conversation, forward information
    to the specialist health service. The duty arises with the trigger and
    may be met at any time until the closing event -- the release -- after
    which it can no longer be met. There is no deadline short of the
    release, so there is nothing to be late for.

Used by (9 rule files, ``kind: before_close``, all ``closed_by: released``)
    ``admission.coordinator``, ``admission.individual_plan`` (from 2012 under
    helse- og omsorgstjenesteloven, before it under the older Acts: two
    files),
    ``release.continuity_of_care``, ``release.cooperation_meeting``,
    ``release.gp_notice`` (*bør*), ``release.overdose_conversation``
    (*bør*), ``release.release_conversation``, ``release.specialist_handover``.
    All but ``release.gp_notice`` tie the fulfilment to the trigger with
    ``responds_to``.

The fulfilment and the close
    The close is the first closing event at or after the trigger (tied to it
    by the closing pattern's ``same`` / ``responds_to``, if any; ``released``
    has none, so one release closes every such obligation), a release at the
    trigger's own instant included. The fulfilment is the first fulfilling
    event at or after the trigger (less the pattern's ``lookback``), tied to
    it by ``same`` / ``responds_to`` (one on which the field is unset counts
    for every trigger); it counts if it is not after the close -- one at the
    same instant as the release counts. Nothing else bounds it: unlike
    ``deadline``, a later trigger does not replace an earlier one, and one
    event may fulfil several obligations.

Statuses
    - a fulfilment not after the close: ``fulfilled``;
    - a close without one: ``breached`` (*bør*: ``not_followed``);
    - neither, at ``as_of``: ``due`` -- for as long as no release is recorded.

    ``contested`` and ``fulfilled_late`` cannot arise: there is no strict or
    lenient deadline, and no lateness.

The window and the account
    ``window``: opens at the trigger; ``due`` and ``closes`` are both the
    closing event's instant, when there is one. Events used: the trigger
    (``trigger``), the fulfilment (``fulfilment``), and the closing event
    (``close``) whenever there is one, also when the duty was fulfilled.
"""

from __future__ import annotations

from ..._inputs.rules import BeforeCloseTiming
from ..report import Obligation, Status, Window, build
from ..facts import EventFact
from .common import (
    _closer,
    _Correlated,
    _Ctx,
)
from .near_misses import near_misses_of


def _before_close(ctx: _Ctx, timing: BeforeCloseTiming, triggers: list[EventFact]) -> list[Obligation]:
    """Fulfil at any time after the trigger and before the closing event; no fixed deadline."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    closer = _closer(ctx)
    out = []
    for trig in triggers:
        close = closer.first(trig, trig.at, None)
        found: EventFact | None = corr.first(trig, trig.at, None)
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
        misses = near_misses_of(ctx, trig, found, None, close, explanation) if found is None else []
        out.append(
            ctx.obligation(
                trig,
                ob_id=ob_id,
                status=status,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(close.at) if close else None,
                              closes=ctx.local(close.at) if close else None),
                fulfilled_by=[found.id] if found else [],
                explanation=explanation,
                near_misses=misses,
            )
        )
    return out
