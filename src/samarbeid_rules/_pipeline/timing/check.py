"""Timing kind ``check``: the act itself must meet conditions, judged when it is done.

The sentence of the law
    "*X* may be done only if ..." or "*X* shall be so-and-so": a rule about
    the act or record itself rather than about something to follow it --
    staff may hand out medication only under an arrangement the municipal
    chief medical officer approved and with training (circular 001 §5.2.4,
    after its citation of straffegjennomføringsforskriften § 3-17); a
    consent shall be informed, given in writing and filed in the recording
    party's own record (001 §6.3: its own requirement; fvl. § 13 a nr. 1 and
    hpl. § 22, which it cites, let a consent lift confidentiality but
    prescribe no form). No time passes: each trigger is judged at its own
    instant, on its own recorded fields. Both rules rest on circular 001
    only, so an act before 001's date is not judged.

Used by (2 rule files, ``kind: check``)
    - ``custody.staff_medication`` (*forbud*): each ``staff_medication_handout``
      requires ``arrangement_approved: true`` and ``staff_trained: true``;
    - ``consent.written_informed`` (*skal*): each ``consent_given`` requires
      ``form: written``, ``informed: true`` and ``filed_in_own_record: true``.

The conditions
    ``requires`` uses the ``where`` syntax and may name derived fields (age,
    custody kind). As in matching (:class:`..compile.Matcher`), a condition
    on a field the event does not record is not met (except ``exists:
    false``), and an equality is exact in type (``true`` is the boolean
    true). Whether what the event records is true (the approval exists, the
    staff member was trained) is not checked here.

Statuses
    Every condition met: ``fulfilled``, and ``fulfilled_by`` lists the
    trigger itself. Any condition not met: ``breached`` (a *bør* rule would
    read ``not_followed``), and the explanation names the conditions not
    met. ``due``, ``contested`` and ``fulfilled_late`` cannot arise.

The window and the account
    ``window``: opens, ``due`` and ``due_lenient`` are all the trigger's
    instant. Events used: the trigger (``trigger``). The rule's
    ``fulfilled_by`` pattern (by convention the trigger's own event type) is
    not read here.
"""

from __future__ import annotations

from ..._inputs.rules import CheckTiming
from ..compile import Matcher
from ..report import Obligation, Status, Window, build
from ..facts import EventFact
from .common import (
    _conditions_text,
    _Ctx,
)


def _check(ctx: _Ctx, timing: CheckTiming, triggers: list[EventFact]) -> list[Obligation]:
    """Each trigger must meet ``requires`` on its own fields, at its own instant."""
    conds = ctx.rule.check_conditions()
    m = Matcher("", "", "", conds)
    out = []
    for trig in triggers:
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
