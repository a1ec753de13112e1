"""Timing kind ``per_dogn``: something done at least once per døgn while the measure lasts.

The sentence of the law
    "Health personnel shall see the inmate as soon as possible after the
    measure begins, and thereafter at least once per døgn" (*deretter
    minimum en gang per døgn*, 001 §7.1.3). "As soon as possible" is another
    duty (``isolation.health_first_visit``, a ``deadline``); this kind
    judges "thereafter": it counts from the first visit. A *døgn* is read,
    by the profile setting ``dogn``, either as 24 hours of elapsed time
    (``rolling``, the default) or as a local calendar day (``calendar``).

Used by (1 rule file, ``kind: per_dogn``)
    ``isolation.health_daily_visit`` (*skal*): each full ``exclusion_started``,
    ``security_cell_started`` or ``restraint_bed_started``, fulfilled by a
    ``health_visit`` with the measure's ``measure_id`` (or none).

The measure and its visits
    The measure runs from its start event to its end event, or to ``as_of``
    while it is in effect; the visits are the fulfilling events in that time
    (both ends inclusive, tied by ``same``). The count starts at the first
    visit, or at the measure's start if there is none.

``dogn: rolling``
    The points are the first visit (or the start), the later visits, and
    the measure's end (or ``as_of``). Two consecutive points more than 24
    hours of elapsed time apart are a ``dogn`` gap, ``breached``; exactly 24
    hours is in time, and a daylight-saving change does not lengthen or
    shorten a døgn. A gap that runs to ``as_of`` of a measure still in
    effect is ``ongoing``. A measure with no visit at all has one gap from
    its start, if it lasted more than 24 hours.

``dogn: calendar``
    Every local calendar day after the day of the first visit (or of the
    start) on which the measure is in effect needs a visit; the first visit's
    day itself, and any day of the measure before it, is not judged. The
    measure's last day, when the measure ends before its midnight, follows
    the profile setting ``partial_days`` (as for ``daily_sum``): ``prorate``
    (the default) asks for the visit only if the measure covers at least half
    of that day (one visit in proportion, rounded half up: a measure ending at
    00:30 needs no visit in those 30 minutes), ``exempt`` never, ``full``
    always. Days and the events counted for them are as for ``per_day``
    (an event at midnight counts for the day it begins; the measure's end
    instant counts for its last day), and a day still running at ``as_of`` is
    not judged. A day without a visit is a ``day`` gap, ``breached``.

Status
    ``breached`` if there is any gap; otherwise ``due`` while the measure is
    in effect, ``fulfilled`` once it has ended. There is no vague term, so no
    ``contested``.

When the next visit is due (``next_due``, measure still in effect)
    ``rolling``: the last visit (or the start) + 24 hours. ``calendar``: the
    end of the local day after the last visit's (or the start's) day.

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
    event (``measure_end``), every visit (``fulfilment``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from ..._common.calendar import end_of_local_day
from ..._inputs.rules import PerDognTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    Parts,
    _AT,
    _Correlated,
    _Ctx,
    _DAY,
    _ids,
)
from .measures import _day_slice, _days_of, _measure_obligation, _part_text, _segment_gaps


def _per_dogn(ctx: _Ctx, timing: PerDognTiming, parts: Parts) -> list[Obligation]:
    """Once per døgn, counted from the first fulfilment (or the start if there is none)."""
    mode = ctx.facts.profile.settings.dogn
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig, part in parts:
        start, end, is_open = part.start, part.end, part.is_open
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        ref = times[0] if times else start
        gaps = []
        if mode == "rolling":
            for a, b, ongoing in _segment_gaps([(ref, end, is_open)], times, _DAY):
                gaps.append(build(Gap, kind="dogn", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED, ongoing=ongoing))
            how = "rolling 24 hours between visits, from the first visit (profile setting dogn: rolling)"
        else:
            first_day = ref.astimezone(ctx.tz).date()
            partial = ctx.facts.profile.settings.partial_days
            for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
                if day <= first_day or not complete:
                    continue
                if b - a < de - ds and _partial_day_needs(partial, (b - a) / (de - ds)) == 0:
                    continue  # the measure's last day, too short a part of it to need a visit
                lo, hi = _day_slice(times, a, b, end)
                if hi - lo == 0:
                    gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                    status=Status.BREACHED, looks=0, required=1, required_lenient=1))
            how = ("each calendar day after the first visit's day (profile setting dogn: calendar); the "
                   f"measure's partial last day as the setting partial_days says ({partial})")
        out.append(_measure_obligation(
            ctx, trig, part, item_ids, gaps, start=start, end=end, is_open=is_open,
            next_due=ctx.local(_next_dogn_due(ctx, mode, times, start)) if is_open else None,
            explanation=[*_part_text(ctx, trig, part), how]
            + (["none recorded, and none came due before the measure ended"] if not (items or gaps or is_open) else []),
        ))
    return out


def _partial_day_needs(partial: str, share: float) -> int:
    """Visits a partial day needs under the profile setting ``partial_days``: ``prorate`` the one
    visit in proportion to the share of the day, rounded half up (a half day or more needs it);
    ``exempt`` none; ``full`` the visit."""
    if partial == "exempt":
        return 0
    if partial == "full":
        return 1
    return math.floor(share + 0.5)


def _next_dogn_due(ctx: _Ctx, mode: str, times: Sequence[datetime], start: datetime) -> datetime:
    """When the next visit is due for a measure still in effect: 24 hours after the last visit
    (or the start), or by the end of the day after the last visit's (or the start's) day."""
    last = times[-1] if times else start
    if mode == "rolling":
        return last + _DAY
    return ctx.cal(end_of_local_day, last.astimezone(ctx.tz).date() + _DAY, ctx.tz)
