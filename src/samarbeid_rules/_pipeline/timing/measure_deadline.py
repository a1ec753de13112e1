"""Timing kind ``measure_deadline``: a deadline from the start of a measure that lasts long.

The sentence of the law
    "Where the exclusion is expected to exceed three døgn (72 hours), make a
    weekly plan" (*utarbeide en ukeplan der det forventes at utelukkelsen
    vil overstige tre døgn (72 timer)*, 001 §7.1.2). The duty depends on how
    long the measure is expected to last; if it was not expected to last
    that long but does, the duty arises at the latest when it has.

Used by (1 rule file, ``kind: measure_deadline``)
    ``exclusion.weekly_plan`` (*skal*): each ``exclusion_started``,
    ``longer_than: 72 hours``, ``within: {term: uten_ugrunnet_opphold}``
    (1 hour strictly, 4 hours leniently in the default profile), fulfilled
    by a ``weekly_plan_made`` with the exclusion's ``measure_id`` (or none).

When the duty applies, and its deadline
    The measure runs from its start event to its end event, or to ``as_of``
    while it is in effect. Let the *mark* be the start + ``longer_than``.

    - Expected from the start (``expected_end`` more than ``longer_than``
      after the start): ``due`` is the start + the strict ``within``,
      ``due_lenient`` the start + the lenient ``within``, neither later than
      the mark. This holds even if the measure in fact ended sooner.
    - Otherwise, found to last longer (its end, or ``as_of`` while in
      effect, more than ``longer_than`` after the start): ``due`` and
      ``due_lenient`` are the mark. An obligation of this kind first appears
      once ``as_of`` is past the mark, and so, without a fulfilment by the
      mark, already ``breached`` (or ``fulfilled_late``).
    - Neither: no obligation (for a measure still in effect, not yet).
      Exactly ``longer_than`` is not longer. An expectation that arises
      later (an extension) is not on the timeline; it is judged at the mark.

The fulfilment
    The first fulfilling event at or after the start (less the pattern's
    ``lookback``), tied to the measure by ``same`` (one naming no measure
    counts). It has no upper bound: a plan made after the measure ended
    still counts, late. There is no closing event.

Statuses (:func:`.common._deadline_status`, as for ``deadline``)
    Fulfilled at or before ``due``: ``fulfilled``; after it, at or before
    ``due_lenient``: ``contested``; later: ``fulfilled_late``. Not
    fulfilled at ``as_of``: at or before ``due`` ``due``, then ``contested``
    up to ``due_lenient``, then ``breached``. ``lateness`` is the time after
    ``due``, in whole seconds.

The window and the account
    ``window``: opens at the measure's start, ``due``, ``due_lenient``; no
    ``closes``. Events used: the trigger (``trigger``) and the fulfilment
    (``fulfilment``); the measure's end event is not accounted to this
    obligation. Term cited: ``within``'s term.
"""

from __future__ import annotations

from ..._inputs.profile import iso_duration
from ..._inputs.rules import MeasureDeadlineTiming
from ..report import Obligation, Status, Window, build
from ..facts import EventFact
from .common import (
    _Correlated,
    _Ctx,
    _deadline_status,
    _due_after,
    _measure_span,
    _measure_text,
)
from .measures import _first_expected_longer
from .near_misses import near_misses_of


def _measure_deadline(ctx: _Ctx, timing: MeasureDeadlineTiming, triggers: list[EventFact]) -> list[Obligation]:
    """For a measure expected (from its start, or from an extension) or found to exceed ``longer_than``:
    fulfil by the time it has lasted that long; an expectation that arises late (an extension near or
    after that mark) gives ``within`` after it."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    length = iso_duration(timing.longer_than)
    for trig in triggers:
        start, end, end_fact = _measure_span(ctx, trig)
        mark = start + timing.longer_than
        since, ext = _first_expected_longer(ctx, trig, timing.longer_than, timing.extended_by)
        found_long = end - start > timing.longer_than
        terms, dated = [], []
        if since is not None and (since <= mark or not found_long):
            d = _due_after(ctx, timing.within, since)
            due, due_lenient = max(mark, d.strict), max(mark, d.lenient)
            if ext is None:
                why = (f"expected from the start to last more than {length}: due by the time it has lasted "
                       f"that long, {ctx.fmt(mark)} (the source gives no time word)")
            else:
                why = (f"{ext.id} at {ctx.fmt(ext.at)} made it expected to last more than {length}: due by the "
                       f"later of {ctx.fmt(mark)} and {d.words} after the extension")
                if d.term and due_lenient > mark:
                    terms.append(d.term)
                dated.append(d.dated)
        elif found_long:
            due = due_lenient = mark
            why = f"lasted more than {length}: due by {ctx.fmt(mark)}"
            if ext is not None:
                why += f" (the extension {ext.id} came after that)"
        else:
            continue
        found = corr.first(trig, start, None)
        status, lateness = _deadline_status(due, due_lenient, found.at if found else None, ctx.facts.as_of, False)
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        if ext is not None:
            ctx.uses.add(ext.id, ob_id, "extension")
        if end_fact is not None:
            ctx.uses.add(end_fact.id, ob_id, "measure_end")  # its length decided the duty
        if found is not None:
            ctx.uses.add(found.id, ob_id, "fulfilment")
        explanation = [_measure_text(ctx, trig, start, end, end_fact), why]
        misses = near_misses_of(ctx, trig, found, None, None, explanation) if status is not Status.FULFILLED else []
        out.append(ctx.obligation(
            trig, ob_id=ob_id, dated=dated, status=status, trigger_event_ids=[trig.id] + ([ext.id] if ext is not None else []),
            window=build(Window, opens=ctx.local(start), due=ctx.local(due), due_lenient=ctx.local(due_lenient)),
            fulfilled_by=[found.id] if found else [], lateness=lateness, terms=terms,
            explanation=explanation, near_misses=misses,
        ))
    return out
