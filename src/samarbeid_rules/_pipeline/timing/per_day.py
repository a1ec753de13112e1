"""Timing kind ``per_day``: something done on every calendar day the measure lasts.

The sentence of the law
    "*Y* shall be done daily while the measure lasts": the prison leader
    shall daily acquaint themself with the condition of an inmate in a
    security cell or restraint bed (*Fengselsleder skal daglig gjøre seg
    kjent med innsattes tilstand*, retningslinjer pkt. 38.7). "Daily" is
    read as every local calendar day, including the first and the last day
    of the measure however short.

Used by (1 rule file, ``kind: per_day``)
    ``security_cell.leader_daily`` (*skal*): each ``security_cell_started`` or
    ``restraint_bed_started``, fulfilled by a ``leader_review`` with the
    measure's ``measure_id`` (or none).

The days
    The measure runs from its start event to its end event, or to ``as_of``
    while it is in effect; only fulfilling events in that time (both ends
    inclusive, tied by ``same``) count. Its days are the local (Europe/Oslo)
    calendar days from the start's to the end's that the measure touches for
    some time; a day is its local midnight to the next (23, 24 or 25 hours).
    A measure that ends exactly at midnight does not touch the next day; one
    that starts and ends at the same instant has that one day.

    An event counts for a day if it falls from the later of the day's
    midnight and the measure's start, up to but not including the earlier of
    the next midnight and the measure's end -- so an event at midnight counts
    once, for the day it begins -- except that on the measure's last day the
    end instant itself counts. A day still running at ``as_of`` (measure in
    effect, ``as_of`` before the next midnight) is not judged.

Gaps and status
    Each judged day with no fulfilling event is a ``day`` gap, ``breached``
    (``looks`` 0, ``required`` 1). Status: ``breached`` if there is any gap;
    otherwise ``due`` while the measure is in effect, ``fulfilled`` once it
    has ended. There is no vague term, so no ``contested``; no ``next_due``.

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
    event (``measure_end``), every fulfilling event in the measure
    (``fulfilment``).
"""

from __future__ import annotations


from ..._inputs.rules import PerDayTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    Parts,
    _AT,
    _Correlated,
    _Ctx,
    _ids,
)
from .measures import _day_slice, _days_of, _measure_obligation, _part_text


def _per_day(ctx: _Ctx, timing: PerDayTiming, parts: Parts) -> list[Obligation]:
    """A fulfilling event on every local calendar day the measure touches (today: not yet judged)."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig, part in parts:
        start, end, is_open = part.start, part.end, part.is_open
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        gaps = []
        for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
            # A day is [its start, the next day's start): an event at midnight
            # counts for the day it begins, once. The measure's own end counts.
            lo, hi = _day_slice(times, a, b, end)
            count = hi - lo
            if count == 0 and complete:
                gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED, looks=0, required=1, required_lenient=1))
        out.append(_measure_obligation(
            ctx, trig, part, item_ids, gaps, start=start, end=end, is_open=is_open,
            explanation=[*_part_text(ctx, trig, part),
                         "each local calendar day of the measure needs one; a day still running is not judged"],
        ))
    return out
