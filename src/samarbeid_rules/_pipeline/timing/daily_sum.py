"""Timing kind ``daily_sum``: a number of minutes of something on every day of a long measure.

The sentence of the law
    "Where the exclusion is expected to exceed three døgn (72 hours), make a
    weekly plan that secures the inmate at least two hours of meaningful
    human contact daily" (001 §7.1.2). The plan itself is
    ``exclusion.weekly_plan`` (``measure_deadline``); this kind checks the
    outcome on the timeline: on each day, the minutes of the contacts
    recorded add up to the required amount.

Used by (1 rule file, ``kind: daily_sum``)
    ``exclusion.daily_contact`` (*skal*): each ``exclusion_started``,
    ``minutes: kontakt_minutter_daglig`` (120 minutes by both readings in the
    default profile), ``applies_if_longer_than: 72 hours``; the contacts are
    ``meaningful_contact`` events with the exclusion's ``measure_id`` (or
    none), each with its ``minutes``.

When the duty applies
    The measure runs from its start event to its end event, or to ``as_of``
    while it is in effect. With ``applies_if_longer_than``, the duty arises
    only for a measure expected from its start (its ``expected_end`` more
    than that after the start) or found (its end, or ``as_of`` while in
    effect, more than that after the start) to last longer; exactly the
    threshold is not longer. A measure that does neither raises no
    obligation -- one still in effect may raise it at a later ``as_of``. Once
    the duty applies, every day from the start is judged.

The days and the minutes
    The days are the local (Europe/Oslo) calendar days the measure touches,
    as for ``per_day``; a day still running at ``as_of`` is not judged. A
    contact counts with all its ``minutes`` (none recorded: 0) on the day it
    began, even if it runs past midnight or past the measure's end; a
    contact counts for a day if it began from the later of the day's
    midnight and the measure's start, up to but not including the next
    midnight -- and, on the measure's last day, up to and including its end
    instant (as for ``per_day`` and every measure kind: the events of a
    measure are those from its start to its end, both inclusive).

    The requirement for a whole day (midnight to midnight, 23, 24 or 25
    hours) is the term's strict and lenient minutes. The measure's partial
    first and last days follow the profile setting ``partial_days``:
    ``prorate`` (the default) scales both by the share of the day covered,
    each rounded half up (``floor(minutes * share + 0.5)``; a requirement
    rounding to 0 asks for nothing); ``exempt`` does not judge them; ``full``
    asks for the whole requirement.

Gaps and status
    A day with fewer minutes than the strict requirement is a ``day`` gap,
    with ``minutes`` (recorded) and ``required_minutes`` (strict):
    ``breached`` if fewer than the lenient requirement, else ``contested``.
    Status: the worst gap's; with no gap, ``due`` while the measure is in
    effect, ``fulfilled`` once it has ended. No ``next_due``.

The days judged
    Day by day (:meth:`.common._Ctx.parts_of`): only the part of the
    measure inside the rule file's in-force period is judged, from the
    local midnight a basis came into force (or the measure's start, if
    later) to the midnight the last went out of force (or the measure's
    end). A part beginning after the measure's start is judged as if the
    measure began then, and its id ends ``@YYYY-MM-DD``.

The window and the account
    ``window``: opens at the measure's start, closes at its end (none while
    in effect). Events used: the trigger (``trigger``), the measure's end
    event (``measure_end``), every contact in the measure (``fulfilment``).
    Term cited: ``minutes``.
"""

from __future__ import annotations

import math

from ..._inputs.profile import CountTerm
from ..._inputs.rules import DailySumTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    Parts,
    _AT,
    _Correlated,
    _Ctx,
    _ids,
)
from .measures import _day_slice, _days_of, _expected_or_found_longer, _first_expected_longer, _measure_obligation, _part_text


def _daily_sum(ctx: _Ctx, timing: DailySumTiming, parts: Parts) -> list[Obligation]:
    """Minutes of the fulfilling events on each local day of the measure reach the required amount."""
    term = ctx.facts.profile.terms[timing.minutes]
    assert isinstance(term, CountTerm)
    partial = ctx.facts.profile.settings.partial_days
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig, part in parts:
        start, end, is_open = part.start, part.end, part.is_open
        ext = None
        if timing.applies_if_longer_than is not None:
            expected, found = _expected_or_found_longer(trig, part.measure_end, timing.applies_if_longer_than)
            if not (expected or found) and timing.extended_by is not None:
                since, ext = _first_expected_longer(ctx, trig, timing.applies_if_longer_than, timing.extended_by)
                expected = since is not None
            if not (expected or found):
                continue
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        gaps = []
        for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
            if not complete:
                continue
            share = (b - a) / (de - ds)
            whole = a == ds and b == de
            if not whole and partial == "exempt":
                continue
            factor = 1.0 if (whole or partial == "full") else share
            need_s = math.floor(term.strict * factor + 0.5)
            need_l = math.floor(term.lenient * factor + 0.5)
            # As for per_day: [the day's start, the next day's start), and the
            # measure's own end instant counts for its last day.
            lo, hi = _day_slice(times, a, b, end)
            got = sum(f.value("minutes") or 0 for f in items[lo:hi])  # none recorded: 0
            if got < need_s:
                gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED if got < need_l else Status.CONTESTED,
                                minutes=got, required_minutes=need_s))
        if ext is not None:
            ctx.uses.add(ext.id, ctx.ob_id(trig, part), "extension")
        out.append(_measure_obligation(
            ctx, trig, part, item_ids, gaps, start=start, end=end, is_open=is_open,
            terms=[ctx.term_use(timing.minutes)],
            explanation=[*_part_text(ctx, trig, part),
                         f"partial first and last days: {partial} (profile setting partial_days); "
                         "a contact counts on the day it began; a day still running is not judged"],
        ))
    return out
