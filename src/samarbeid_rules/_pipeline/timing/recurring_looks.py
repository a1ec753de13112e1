"""Timing kind ``recurring_looks``: supervision at least once an hour in the daytime.

This module is where the timing of hourly supervision is decided.

The sentence of the law
    "Supervise the inmate several times a day; the starting point is
    supervision once an hour in the daytime" (*føre tilsyn ... flere ganger
    daglig. Utgangspunktet er tilsyn én gang i timen på dagtid*,
    retningslinjer til strgjfl. pkt. 37.14), or "supervision at least once
    an hour" day and night (*minimum én gang per time*, strgjfl. § 38 fjerde
    ledd). The duty lasts as long as the measure that triggered it; what the
    law bounds is the time *between* looks, and, at night, how many there
    are.

Used by (2 rule files, ``kind: recurring_looks``; both *skal*)
    - ``exclusion.hourly_supervision``: ``day_window: dagtid``,
      ``day_max_gap: {term: tilsyn_dagtid_intervall}``, ``night_min_count:
      flere_ganger_daglig_natt`` (default profile: daytime 07-22 strictly,
      08-20 leniently; one hour by both readings; two looks a night
      strictly, one leniently);
    - ``security_cell.hourly_supervision``: ``day_max_gap: {duration:
      PT1H}`` and no window: one hour around the clock.

    The looks are ``supervision_look`` events with the measure's
    ``measure_id`` (or none).

The measure and its looks
    The measure runs from its start event to its end event, or to ``as_of``
    while it is in effect. Its looks are the fulfilling events from the start
    to the end, both inclusive, tied to it by ``same`` (a ``lookback`` is not
    applied). Lengths are elapsed time; windows and nights are read on the
    local clock (Europe/Oslo), across daylight-saving changes.

Gaps between looks (gap kind ``daytime``, or ``around_the_clock``)
    Without a window the whole measure is one stretch. With one, each local
    day's window (from its start, up to its end) within the measure is a
    stretch, and the time outside the windows belongs to none: the count
    starts afresh each morning at the window's start (or the measure's
    start, if later), and the last look of the evening is measured against
    the window's end (or the measure's end, if earlier). In each stretch the
    points are its start, the looks strictly inside it, and its end; two
    consecutive points more than ``day_max_gap`` apart are a gap (exactly the
    bound is in time). So the first look is due within the bound after the
    stretch starts, and the stretch's end within the bound after the last.

    This is done twice: with the strict window and strict bound, and with
    the lenient window and lenient bound. Each gap the strict reading finds
    is reported: ``breached`` if the lenient reading finds a gap lying wholly
    inside it, else ``contested`` (with the default profile, looks missing
    only between 07 and 08 or between 20 and 22 are contested). A gap that
    runs to ``as_of`` of a measure still in effect is ``ongoing`` (with a
    window, only if ``as_of`` falls before that window's end).

Looks per night (gap kind ``night``)
    Only with ``night_min_count``, which needs ``day_window``. A night runs
    from one day's lenient window end to the next day's lenient window start
    (20:00 to 08:00 by default), and counts only where it lies within the
    measure; the night that ends on the morning of the measure's first day is
    included. Its looks are counted with both ends inclusive (a look at 20:00
    or 08:00 counts for the night as well as for the day). The strict and
    lenient counts of the term apply in proportion to the share of the night
    inside the measure, each rounded half up (``floor(n * share + 0.5)``).
    Fewer looks than the strict count is a gap: ``breached`` if fewer than the
    lenient count, else ``contested``; it gives ``looks``, ``required`` and
    ``required_lenient``. A night still running at ``as_of`` (measure in
    effect, ``as_of`` before the night's end) is not judged; a night cut short
    by the measure's end is judged on its share.

Status
    The worst gap's status; with no gap, ``due`` while the measure is in
    effect and ``fulfilled`` once it has ended. (A *bør* rule would read
    ``breached`` as ``not_followed``, in its gaps too.)
    Gaps are listed by start.

When the next look is due (``next_due``, measure still in effect)
    Around the clock: the last look (or the start) + the strict bound. With a
    window (the strict one), on ``as_of``'s local day: inside the window,
    the later of the last look and the window's start, + the bound, if that
    comes before the window's end; if it does not (the last look was within
    the bound of the window's end, which counts as a point), and after the
    window, the next day's window start + the bound; before the window, its
    start + the bound.

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
    event (``measure_end``), every look (``fulfilment``). Terms cited: the
    window, the gap bound (if a term), the night count.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from ..._common.calendar import local_instant
from ..._inputs.profile import ClockWindowTerm, CountTerm
from ..._inputs.rules import RecurringLooksTiming
from ..report import Gap, Obligation, Status, build
from .common import (
    Parts,
    _AT,
    _Correlated,
    _Ctx,
    _DAY,
    _durations,
    _ids,
    _measure_span,
)
from .measures import _day_slice, _days_of, _measure_obligation, _part_text, _segment_gaps

_TYPE = attrgetter("type")


def _recurring_looks(ctx: _Ctx, timing: RecurringLooksTiming, parts: Parts) -> list[Obligation]:
    facts, tz = ctx.facts, ctx.tz
    window_term = facts.profile.terms[timing.day_window] if timing.day_window else None
    max_strict, max_lenient, gap_term = _durations(ctx, timing.day_max_gap)
    night_term = facts.profile.terms[timing.night_min_count] if timing.night_min_count else None
    day_term = facts.profile.terms[timing.day_min_count] if timing.day_min_count else None
    # the terms every obligation cites: the window, the gap bound (if a term), the night and day counts
    window_use = ctx.term_use(timing.day_window) if timing.day_window else None
    night_use = ctx.term_use(timing.night_min_count) if timing.night_min_count else None
    day_use = ctx.term_use(timing.day_min_count) if timing.day_min_count else None
    partial = facts.profile.settings.partial_days
    cover_types = ctx.plan.cover_types
    fulfil = ctx.facts_for("fulfil")
    look_links = [link for link in ctx.plan.fulfil_links if link.event not in cover_types]
    if cover_types.isdisjoint(map(_TYPE, fulfil)):  # the common case: looks only
        looks_found, cover_starts = fulfil, []
    else:
        looks_found = [f for f in fulfil if f.type not in cover_types]
        cover_starts = [f for f in fulfil if f.type in cover_types]
    corr = _Correlated(ctx, looks_found, look_links)
    all_covers = _joined([_measure_span(ctx, f) + (f,) for f in cover_starts])
    out: list[Obligation] = []
    for trig, part in parts:
        start, end, is_open = part.start, part.end, part.is_open
        looks = corr.between(trig, start, end)
        times = list(map(_AT, looks))
        look_ids = _ids(looks)
        covers = [(max(a, start), min(b, end), fs) for a, b, fs in all_covers if a < end and b > start]
        # A cover (continuous supervision) is supervision for as long as it lasts: its ends are
        # points, and no gap lies inside it.
        points = sorted([*times, *(c[0] for c in covers), *(c[1] for c in covers)]) if covers else times
        gaps: list[Gap] = []
        first_day = start.astimezone(tz).date()
        last_day = end.astimezone(tz).date()

        def segments(win):
            if win is None:
                yield start, end, is_open
                return
            day = first_day
            while day <= last_day:
                # Each day's window once per part and reading: not worth a memo.
                ws, we = local_instant(day, win.start, tz), local_instant(day, win.end, tz)
                a, b = max(ws, start), min(we, end)
                if a < b:
                    yield a, b, is_open and b == end and end < we
                day += _DAY

        def uncovered_gaps(found):
            if not covers:
                return found
            return [g for g in found if not any(ca <= g[0] and g[1] <= cb for ca, cb, _ in covers)]

        kind = "daytime" if window_term is not None else "around_the_clock"
        strict_gaps = uncovered_gaps(
            _segment_gaps(segments(window_term.strict if window_term else None), points, max_strict))
        lenient_gaps = uncovered_gaps(
            _segment_gaps(segments(window_term.lenient if window_term else None), points, max_lenient))
        j = 0
        for a, b, ongoing in strict_gaps:
            while j < len(lenient_gaps) and lenient_gaps[j][1] <= a:
                j += 1
            breached, k = False, j
            while k < len(lenient_gaps) and lenient_gaps[k][0] < b:
                la, lb, _ = lenient_gaps[k]
                breached = breached or (la >= a and lb <= b)
                k += 1
            gaps.append(
                build(Gap,
                    kind=kind,
                    start=ctx.local(a),
                    end=ctx.local(b),
                    length=b - a,
                    status=Status.BREACHED if breached else Status.CONTESTED,
                    ongoing=ongoing,
                )
            )
        if night_term is not None:
            assert isinstance(night_term, CountTerm) and isinstance(window_term, ClockWindowTerm)
            lw = window_term.lenient
            day = first_day - _DAY
            while day <= last_day:
                ns, ne = local_instant(day, lw.end, tz), local_instant(day + _DAY, lw.start, tz)
                a, b = max(ns, start), min(ne, end)
                if a < b and not (is_open and b == end and end < ne):
                    frac = _uncovered(a, b, covers) / (ne - ns)
                    need_s = math.floor(night_term.strict * frac + 0.5)
                    need_l = math.floor(night_term.lenient * frac + 0.5)
                    count = bisect_right(times, b) - bisect_left(times, a)
                    if count < need_s:
                        gaps.append(_count_gap(ctx, "night", a, b, count, need_s, need_l))
                day += _DAY
        if day_term is not None:
            assert isinstance(day_term, CountTerm)
            for _day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
                if not complete:
                    continue  # a day still running at as_of is not judged
                share = _uncovered(a, b, covers) / (de - ds)
                whole = a == ds and b == de and share == 1
                if not whole and partial == "exempt":
                    continue
                factor = 1.0 if whole or (partial == "full" and share > 0) else share
                need_s = math.floor(day_term.strict * factor + 0.5)
                need_l = math.floor(day_term.lenient * factor + 0.5)
                lo, hi = _day_slice(times, a, b, end)
                count = hi - lo
                if count < need_s:
                    gaps.append(_count_gap(ctx, "day", a, b, count, need_s, need_l))
        gaps.sort(key=lambda g: (g.start, g.kind))
        next_due = None
        if is_open and not any(cb == end for _, cb, _ in covers):
            win = window_term.strict if window_term is not None else None
            last_points = [p for p in points if p <= end]
            next_due = _next_look_due(start, end, last_points, win, max_strict, tz)
        terms = [u for u in (window_use, gap_term, night_use, day_use) if u is not None]
        counts = [f"{sum(g.kind in ('daytime', 'around_the_clock') for g in gaps)} gaps too long"]
        if night_term is not None:
            counts.append(f"{sum(g.kind == 'night' for g in gaps)} nights short of looks")
        if day_term is not None:
            counts.append(f"{sum(g.kind == 'day' for g in gaps)} days short of looks "
                          f"(partial days: {partial}, profile setting partial_days)")
        explanation = [*_part_text(ctx, trig, part), f"{len(looks)} looks; " + ", ".join(counts)]
        if covers:
            explanation.append("continuous supervision covers " + ", ".join(
                f"{fs.id} {ctx.fmt(ca)}-{ctx.fmt(cb)}" for ca, cb, fs in covers))
        cover_ids = [fs.id for _, _, fs in covers]
        out.append(
            _measure_obligation(
                ctx, trig, part, look_ids + cover_ids, gaps, start=start, end=end, is_open=is_open,
                next_due=ctx.local(next_due), terms=terms, explanation=explanation,
            )
        )
    return out


def _count_gap(ctx: _Ctx, kind: str, a: datetime, b: datetime, count: int, need_s: int, need_l: int) -> Gap:
    return build(Gap, kind=kind, start=ctx.local(a), end=ctx.local(b), length=b - a,
                 status=Status.BREACHED if count < need_l else Status.CONTESTED,
                 looks=count, required=need_s, required_lenient=need_l)


def _joined(spans: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Cover measures (start, end, end fact, start fact) joined where they overlap or touch: (start, end,
    the first start fact)."""
    out: list[list[Any]] = []
    for a, b, _end_fact, fs in sorted(spans, key=lambda s: (s[0], s[3].index)):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b, fs])
    return [tuple(c) for c in out]


def _uncovered(a: datetime, b: datetime, covers) -> timedelta:
    """The time from ``a`` to ``b`` outside the (joined, sorted) covers."""
    left = b - a
    for ca, cb, _ in covers:
        lo, hi = max(a, ca), min(b, cb)
        if lo < hi:
            left -= hi - lo
    return left


def _next_look_due(start, as_of, times, win, max_gap, tz) -> datetime:
    """When the next look is due for a measure still in effect at ``as_of`` (strict bound)."""
    last = max(times[-1] if times else start, start)
    if win is None:
        return last + max_gap
    day = as_of.astimezone(tz).date()
    ws, we = local_instant(day, win.start, tz), local_instant(day, win.end, tz)
    if ws <= as_of < we:
        due = max(last, ws) + max_gap
        if due < we:
            return due
        # The window's end is a point: with the last look within the bound of
        # it, no look is needed before the next morning's window opens.
        return local_instant(day + _DAY, win.start, tz) + max_gap
    if as_of < ws:
        return max(ws, start) + max_gap
    return local_instant(day + _DAY, win.start, tz) + max_gap
