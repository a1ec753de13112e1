"""Timing kind ``continuous_cover``: every moment of a measure covered by continuous supervision.

The sentence of the law
    "When a restraint bed is used, there shall be continuous supervision"
    (*Ved bruk av sikkerhetsseng skal det gjennomføres kontinuerlig
    tilsyn*, strgjfl. § 38 fjerde ledd); "inmates under 18 shall (always)
    have continuous supervision" (retningslinjer pkt. 37.14; strgjfl. § 38
    fjerde ledd and § 10 a). For as long as one measure lasts, another
    state of affairs -- continuous supervision, itself recorded as a measure
    with a start and an end -- must be in effect without interruption.

Used by (3 rule files, ``kind: continuous_cover``)
    All *skal*, with ``max_gap: {term: kontinuerlig}`` (zero by both
    readings in the default profile):

    - ``security_bed.continuous``: every ``restraint_bed_started``;
    - ``exclusion.minor_continuous``: ``exclusion_started`` of a person
      under 18, ``until_age: 18``;
    - ``security_cell.minor_continuous``: ``security_cell_started`` or
      ``restraint_bed_started`` of a person under 18, ``until_age: 18``.

    The cover is ``continuous_supervision_started``, each from its start to
    its end event (or ``as_of`` while in effect).

The duty's span
    From the measure's start to its end (or ``as_of`` while it is in
    effect). With ``until_age``, the duty ends at the instant the person
    reaches that age -- local midnight starting the birthday; for a person
    born 29 February, the profile setting ``leap_day_birthday`` -- if that
    comes before the end: the duty is then over even if the measure is
    still in effect. (Whether the duty arises at all is the trigger's
    ``where: age < 18``, on the start's local date.)

The cover
    Every fulfilling measure covers from its start to its end, whatever
    measure it serves (this kind does not read ``same``, ``responds_to`` or
    ``lookback``). Overlapping and back-to-back covers join; a cover started
    before the measure counts from the measure's start; one ended exactly at
    the measure's start covers nothing.

Gaps (gap kind ``uncovered``)
    Each stretch of the duty's span that no cover reaches -- before the
    first cover, between covers, after the last -- that is longer than the
    strict bound of ``max_gap`` is a gap: ``breached`` if longer than the
    lenient bound, else ``contested``; a hole of exactly the bound is
    tolerated. With ``kontinuerlig`` (zero, zero) any uncovered moment is a
    breach. A hole that runs to ``as_of`` of a duty still in effect is
    ``ongoing``. ``max_gap`` is a length (a term or a duration; the loader
    rejects working days here).

Status
    The worst gap's status; with no gap, ``due`` while the duty is in effect
    and ``fulfilled`` once it has ended (at the measure's end or the
    birthday). No ``next_due``.

The days judged
    Day by day (:meth:`.common._Ctx.parts_of`): only the part of the
    measure inside the rule file's in-force period is judged, from the
    local midnight a basis came into force (or the measure's start, if
    later) to the midnight the last went out of force (or the measure's
    end). A part beginning after the measure's start is judged as if the
    measure began then, and its id ends ``@YYYY-MM-DD``.

The window and the account
    ``window``: opens at the measure's start, closes at the end of the duty
    (none while in effect). Events used: the trigger (``trigger``), the
    measure's end event (``measure_end``), the start of each cover that
    added to the cover (``fulfilment``; a cover lying wholly within cover
    already counted is not listed) and its end event (``cover_end``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

from ..._common.calendar import birthday_instant
from ..._inputs.rules import ContinuousCoverTiming
from ..facts import EventFact
from ..report import Gap, Obligation, Status, build
from .common import (
    Parts,
    _Ctx,
    _durations,
    _measure_span,
)
from .measures import _measure_obligation, _part_text


def _continuous_cover(ctx: _Ctx, timing: ContinuousCoverTiming, parts: Parts) -> list[Obligation]:
    facts, tz = ctx.facts, ctx.tz
    strict, lenient, term = _durations(ctx, timing.max_gap)
    spans: list[tuple[datetime, datetime, EventFact, EventFact | None]] = []
    for f in ctx.facts_for("fulfil"):
        s, e, end_fact = _measure_span(ctx, f)
        spans.append((s, e, f, end_fact))
    starts = [s for s, _, _, _ in spans]
    prefix_max_end: list[datetime] = []
    for _, e, _, _ in spans:
        prefix_max_end.append(e if not prefix_max_end else max(prefix_max_end[-1], e))
    out: list[Obligation] = []
    for trig, part in parts:
        start, end = part.start, part.end
        explanation = []
        duty_end, is_open = end, part.is_open
        if timing.until_age is not None:
            limit = birthday_instant(facts.birth_date, timing.until_age, tz, facts.profile.settings.leap_day_birthday)
            if limit <= start and start > part.measure_start:
                continue  # the part judged begins after the birthday that ends the duty
            explanation.append(
                f"aged {trig.record['age']} at the start; the duty ends at age {timing.until_age} ({ctx.fmt(limit)})"
            )
            if limit < duty_end:
                duty_end, is_open = limit, False
        explanation.extend(_part_text(ctx, trig, part))
        lo = bisect_left(prefix_max_end, start)
        hi = bisect_right(starts, duty_end)
        cursor = start
        holes: list[tuple[datetime, datetime]] = []
        used: list[tuple[EventFact, EventFact | None]] = []
        for s, e, f, ef in spans[lo:hi]:
            if e <= cursor or s >= duty_end:
                continue
            if s > cursor:
                holes.append((cursor, s))
            cursor = max(cursor, e)
            used.append((f, ef))
            if cursor >= duty_end:
                break
        tail_open = False
        if cursor < duty_end:
            holes.append((cursor, duty_end))
            tail_open = is_open
        gaps = []
        for a, b in holes:
            length = b - a
            if length <= strict:
                continue
            gaps.append(
                build(Gap, 
                    kind="uncovered",
                    start=ctx.local(a),
                    end=ctx.local(b),
                    length=length,
                    status=Status.BREACHED if length > lenient else Status.CONTESTED,
                    ongoing=tail_open and b == duty_end,
                )
            )
        out.append(
            _measure_obligation(
                ctx, trig, part, [f.id for f, _ in used], gaps, start=start, end=duty_end, is_open=is_open,
                terms=[term] if term else [], explanation=explanation,
            )
        )
        ob_id = ctx.ob_id(trig, part)
        for _, ef in used:
            if ef is not None:
                ctx.uses.add(ef.id, ob_id, "cover_end")
    return out
