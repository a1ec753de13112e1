"""Deadlines, recurrences and statuses: where a duty's timing is decided.

This is the only module that reasons about time. It takes the facts (events in
time order, measures), the engine's classification (which events trigger,
fulfil or close which duty) and the profile, and computes every obligation in
virtual time: "now" is ``as_of``, never the wall clock.

One function per timing kind of the rule language:

- :func:`_deadline`: fulfil within a bound after the trigger, or by a date a
  number of calendar months before a date on the trigger (with a bound from
  the trigger when the date came too late); optionally a later trigger
  replaces an earlier one; a closing event ends the chance to fulfil.
- :func:`_recurring_looks`: within the trigger's measure, the longest time
  between looks inside the daytime window, and a minimum count each night.
- :func:`_continuous_cover`: every moment of the trigger's measure (up to an
  age limit) covered by the fulfilling measures.

Every event's position is found by bisection on sorted lists; nothing scans
pairs of events, so the cost grows linearly with the timeline.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import product
from typing import Any

from ._calendar import (
    birthday_instant,
    calendar_months_before,
    end_of_local_day,
    local_instant,
)
from ._facts import EventFact, Facts
from ._profile import ClockWindowTerm, CountTerm, DurationTerm, Profile
from ._report import SEVERITY, EventUse, Gap, Obligation, Status, TermUse, Window
from ._rules import (
    Bound,
    ContinuousCoverTiming,
    DeadlineTiming,
    LoadedRule,
    RecurringLooksTiming,
)

__all__ = ["resolve_rule", "Uses"]

Classification = dict[tuple[str, str], list[int]]


@dataclass
class Uses:
    """Which obligation used which event, in which role."""

    by_event: dict[str, list[EventUse]] = field(default_factory=dict)

    def add(self, event_id: str, obligation: str, role: str) -> None:
        self.by_event.setdefault(event_id, []).append(EventUse(obligation=obligation, role=role))


@dataclass(frozen=True)
class _Ctx:
    loaded: LoadedRule
    facts: Facts
    cls: Classification
    uses: Uses
    rule_file: str
    rule_set: str

    @property
    def rule(self):
        return self.loaded.rule

    def facts_for(self, role: str) -> list[EventFact]:
        ordered = self.facts.ordered
        return [ordered[p] for p in self.cls.get((self.rule.duty, role), ())]

    def local(self, t: datetime) -> datetime:
        return t.astimezone(self.facts.tz)

    def obligation(self, trigger: EventFact, **kw: Any) -> Obligation:
        rule = self.rule
        status: Status = kw.pop("status")
        return Obligation(
            id=f"{rule.duty}:{trigger.id}",
            duty_id=rule.duty,
            title=rule.title,
            actor=rule.actor,
            modality=rule.modality,
            status=status,
            breach=status.is_breach,
            citation=rule.source,
            rule_file=self.rule_file,
            rule_set=self.rule_set,
            **kw,
        )


def resolve_rule(
    loaded: LoadedRule, rule_file: str, rule_set: str, facts: Facts, cls: Classification, uses: Uses
) -> list[Obligation]:
    """All obligations of one rule on one timeline."""
    ctx = _Ctx(loaded, facts, cls, uses, rule_file, rule_set)
    timing = loaded.rule.timing
    if isinstance(timing, DeadlineTiming):
        return _deadline(ctx, timing)
    if isinstance(timing, RecurringLooksTiming):
        return _recurring_looks(ctx, timing)
    if isinstance(timing, ContinuousCoverTiming):
        return _continuous_cover(ctx, timing)
    raise AssertionError(type(timing))  # pragma: no cover - the loader admits no other kind


# --- bounds ---------------------------------------------------------------


def _bound(profile: Profile, b: Bound) -> tuple[timedelta, timedelta, TermUse | None]:
    if b.duration is not None:
        return b.duration, b.duration, None
    term = profile.terms[b.term]  # presence and kind checked by check_profile_terms
    assert isinstance(term, DurationTerm)
    return term.strict, term.lenient, _term_use(b.term, term)


def _term_use(name: str, term: DurationTerm | ClockWindowTerm | CountTerm) -> TermUse:
    return TermUse(term=name, words=list(term.words), bounds=term.bounds_text())


def _worst(statuses: Iterable[Status]) -> Status | None:
    worst = None
    for s in statuses:
        if worst is None or SEVERITY.index(s) > SEVERITY.index(worst):
            worst = s
    return worst


def _fmt(t: datetime, tz) -> str:
    return t.astimezone(tz).isoformat(timespec="minutes")


# --- correlation ----------------------------------------------------------


class _Correlated:
    """Fulfilling events grouped by their ``same`` fields, each group in time order.

    A fulfilling event whose ``same`` field is unset counts for any trigger, so
    a trigger looks in the groups of its own values and of "unset", for each
    field: at most 2**len(same) groups, each searched by bisection.
    """

    def __init__(self, facts: Sequence[EventFact], same: Sequence[str]) -> None:
        self.same = tuple(same)
        groups: dict[tuple[Any, ...], list[EventFact]] = {}
        for f in facts:
            groups.setdefault(tuple(f.record.get(name) for name in self.same), []).append(f)
        self.groups = {k: (v, [f.at for f in v]) for k, v in groups.items()}

    def _groups_for(self, trigger: EventFact):
        options = [(trigger.record.get(name), None) for name in self.same]
        seen = set()
        for key in product(*options):
            if key in seen:
                continue
            seen.add(key)
            g = self.groups.get(key)
            if g is not None:
                yield g

    def first(self, trigger: EventFact, start: datetime, end: datetime | None) -> EventFact | None:
        """The earliest fulfilling event at or after ``start`` (and before ``end``)."""
        best = None
        for facts, times in self._groups_for(trigger):
            i = bisect_left(times, start)
            if i < len(facts) and (end is None or times[i] < end):
                cand = facts[i]
                if best is None or (cand.at, cand.index) < (best.at, best.index):
                    best = cand
        return best

    def between(self, trigger: EventFact, start: datetime, end: datetime) -> list[EventFact]:
        """Fulfilling events with ``start <= at <= end``, in time order."""
        slices = []
        for facts, times in self._groups_for(trigger):
            slices.append(facts[bisect_left(times, start) : bisect_right(times, end)])
        if len(slices) == 1:
            return list(slices[0])
        return list(heapq.merge(*slices, key=lambda f: (f.at, f.index)))


def _first_at_or_after(facts: Sequence[EventFact], times: Sequence[datetime], t: datetime) -> EventFact | None:
    i = bisect_left(times, t)
    return facts[i] if i < len(facts) else None


# --- deadline -------------------------------------------------------------


def _whole_seconds(td: timedelta) -> timedelta:
    """Lateness in whole seconds (a date deadline ends at the day's last microsecond)."""
    return timedelta(seconds=int(td.total_seconds()))


def _deadline_status(
    due: datetime, due_lenient: datetime, fulfilled_at: datetime | None, horizon: datetime, closed: bool
) -> tuple[Status, timedelta | None]:
    if fulfilled_at is not None:
        if fulfilled_at <= due:
            return Status.FULFILLED, None
        late = _whole_seconds(fulfilled_at - due)
        return (Status.CONTESTED if fulfilled_at <= due_lenient else Status.FULFILLED_LATE), late
    late = _whole_seconds(horizon - due) if horizon > due else None
    if closed:
        return Status.BREACHED, late
    if horizon <= due:
        return Status.DUE, None
    if horizon <= due_lenient:
        return Status.CONTESTED, late
    return Status.BREACHED, late


def _deadline(ctx: _Ctx, timing: DeadlineTiming) -> list[Obligation]:
    rule, facts, tz = ctx.rule, ctx.facts, ctx.facts.tz
    triggers = ctx.facts_for("trigger")
    corr = _Correlated(ctx.facts_for("fulfil"), rule.fulfilled_by.same)
    closes = ctx.facts_for("close")
    close_times = [f.at for f in closes]
    out: list[Obligation] = []
    replaced: list[EventFact] = []
    for i, trig in enumerate(triggers):
        explanation: list[str] = []
        terms: list[TermUse] = []
        nxt = triggers[i + 1] if timing.superseded_by_next_trigger and i + 1 < len(triggers) else None
        close = _first_at_or_after(closes, close_times, trig.at)
        if timing.within is not None:
            strict, lenient, term = _bound(facts.profile, timing.within)
            due, due_lenient = trig.at + strict, trig.at + lenient
            if term:
                terms.append(term)
            explanation.append(f"due within {_bound_words(timing.within, term)} of the trigger")
        else:
            bd = timing.before_date
            anchor = getattr(trig.event, bd.field)
            mark = calendar_months_before(anchor, bd.calendar_months)
            firm = end_of_local_day(mark, tz)
            if trig.at <= firm:
                due = due_lenient = firm
                explanation.append(
                    f"{bd.field} {anchor.isoformat()} known at {_fmt(trig.at, tz)}: due by the end of "
                    f"{mark.isoformat()}, {bd.calendar_months} calendar months before"
                )
            else:
                strict, lenient, term = _bound(facts.profile, timing.if_known_later)
                due, due_lenient = trig.at + strict, trig.at + lenient
                if term:
                    terms.append(term)
                explanation.append(
                    f"{bd.field} {anchor.isoformat()} became known at {_fmt(trig.at, tz)}, after "
                    f"{mark.isoformat()} ({bd.calendar_months} calendar months before): due "
                    f"{_bound_words(timing.if_known_later, term)} after it became known"
                )
        # A fulfilment counts from the trigger until the next trigger replaces
        # it, and not after the closing event.
        limit = nxt.at if nxt is not None else None
        if close is not None and (limit is None or close.at < limit):
            limit_close = close.at
        else:
            limit_close = None
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
            explanation.append(f"closed by {close.type} at {_fmt(close.at, tz)} without fulfilment")
        if nxt is not None:
            explanation.append(f"replaced by {nxt.id} at {_fmt(nxt.at, tz)}")
        status, lateness = _deadline_status(due, due_lenient, found.at if found else None, horizon, closed)
        ob_id = f"{rule.duty}:{trig.id}"
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
                window=Window(
                    opens=ctx.local(trig.at),
                    due=ctx.local(due),
                    due_lenient=ctx.local(due_lenient),
                    closes=ctx.local(limit_close) if limit_close is not None else None,
                ),
                fulfilled_by=[found.id] if found else [],
                lateness=lateness,
                terms=terms,
                explanation=explanation,
            )
        )
    return out


def _bound_words(b: Bound, term: TermUse | None) -> str:
    if term is not None:
        return f"'{term.words[0]}' ({term.term}: {term.bounds})"
    from ._profile import iso_duration

    return iso_duration(b.duration)


# --- measures -------------------------------------------------------------


def _measure_span(ctx: _Ctx, trig: EventFact) -> tuple[datetime, datetime, EventFact | None]:
    """Start, end (its end event, else as_of), and the end event if recorded."""
    pair = ctx.facts.measures[trig.event.measure_id]
    end_fact = ctx.facts.by_id[pair.end.id] if pair.end is not None else None
    end = end_fact.at if end_fact is not None else ctx.facts.as_of
    return trig.at, end, end_fact


def _gaps_in(points: Sequence[datetime], max_gap: timedelta) -> list[tuple[datetime, datetime]]:
    return [(a, b) for a, b in zip(points, points[1:]) if b - a > max_gap]


def _recurring_looks(ctx: _Ctx, timing: RecurringLooksTiming) -> list[Obligation]:
    rule, facts, tz = ctx.rule, ctx.facts, ctx.facts.tz
    window_term = facts.profile.terms[timing.day_window]
    assert isinstance(window_term, ClockWindowTerm)
    max_strict, max_lenient, gap_term = _bound(facts.profile, timing.day_max_gap)
    night_term = facts.profile.terms[timing.night_min_count] if timing.night_min_count else None
    corr = _Correlated(ctx.facts_for("fulfil"), rule.fulfilled_by.same)
    out: list[Obligation] = []
    for trig in ctx.facts_for("trigger"):
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        looks = corr.between(trig, start, end)
        times = [f.at for f in looks]
        gaps: list[Gap] = []
        next_due: datetime | None = None
        first_day = start.astimezone(tz).date()
        last_day = end.astimezone(tz).date()

        def day_gaps(win, max_gap: timedelta) -> list[tuple[datetime, datetime, bool]]:
            found: list[tuple[datetime, datetime, bool]] = []
            day = first_day
            while day <= last_day:
                ws, we = local_instant(day, win.start, tz), local_instant(day, win.end, tz)
                a, b = max(ws, start), min(we, end)
                if a < b:
                    inside = times[bisect_right(times, a) : bisect_left(times, b)]
                    points = [a, *inside, b]
                    ongoing_tail = is_open and b == end and end < we
                    for p, q in _gaps_in(points, max_gap):
                        found.append((p, q, ongoing_tail and q == b))
                day += timedelta(days=1)
            return found

        strict_gaps = day_gaps(window_term.strict, max_strict)
        lenient_gaps = day_gaps(window_term.lenient, max_lenient)
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
                Gap(
                    kind="daytime",
                    start=ctx.local(a),
                    end=ctx.local(b),
                    length=b - a,
                    status=Status.BREACHED if breached else Status.CONTESTED,
                    ongoing=ongoing,
                )
            )
        if night_term is not None:
            assert isinstance(night_term, CountTerm)
            lw = window_term.lenient
            day = first_day - timedelta(days=1)
            while day <= last_day:
                ns, ne = local_instant(day, lw.end, tz), local_instant(day + timedelta(days=1), lw.start, tz)
                a, b = max(ns, start), min(ne, end)
                if a < b and not (is_open and b == end and end < ne):
                    frac = (b - a) / (ne - ns)
                    need_s = math.floor(night_term.strict * frac + 0.5)
                    need_l = math.floor(night_term.lenient * frac + 0.5)
                    count = bisect_right(times, b) - bisect_left(times, a)
                    if count < need_s:
                        gaps.append(
                            Gap(
                                kind="night",
                                start=ctx.local(a),
                                end=ctx.local(b),
                                length=b - a,
                                status=Status.BREACHED if count < need_l else Status.CONTESTED,
                                looks=count,
                                required=need_s,
                                required_lenient=need_l,
                            )
                        )
                day += timedelta(days=1)
        gaps.sort(key=lambda g: (g.start, g.kind))
        if is_open:
            next_due = _next_look_due(start, end, times, window_term.strict, max_strict, tz)
        worst = _worst(g.status for g in gaps)
        status = worst or (Status.DUE if is_open else Status.FULFILLED)
        ob_id = f"{rule.duty}:{trig.id}"
        ctx.uses.add(trig.id, ob_id, "trigger")
        if end_fact is not None:
            ctx.uses.add(end_fact.id, ob_id, "measure_end")
        for f in looks:
            ctx.uses.add(f.id, ob_id, "fulfilment")
        terms = [_term_use(timing.day_window, window_term)]
        if gap_term:
            terms.append(gap_term)
        if night_term is not None:
            terms.append(_term_use(timing.night_min_count, night_term))
        explanation = [
            f"measure {trig.event.measure_id} from {_fmt(start, tz)} to "
            + (f"{_fmt(end, tz)}" if not is_open else f"as_of {_fmt(end, tz)} (still in effect)"),
            f"{len(looks)} looks; {sum(g.kind == 'daytime' for g in gaps)} daytime gaps, "
            f"{sum(g.kind == 'night' for g in gaps)} nights short of looks",
        ]
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=[trig.id],
                window=Window(opens=ctx.local(start), closes=ctx.local(end) if not is_open else None),
                fulfilled_by=[f.id for f in looks],
                next_due=ctx.local(next_due) if next_due else None,
                gaps=gaps,
                terms=terms,
                explanation=explanation,
            )
        )
    return out


def _next_look_due(start, as_of, times, win, max_gap, tz) -> datetime:
    """When the next look is due for a measure still in effect at ``as_of`` (strict bound)."""
    day = as_of.astimezone(tz).date()
    ws, we = local_instant(day, win.start, tz), local_instant(day, win.end, tz)
    if ws <= as_of < we:
        last = max(times[-1] if times else start, ws, start)
        return min(last + max_gap, we) if last + max_gap < we else we
    if as_of < ws:
        return max(ws, start) + max_gap
    nxt = day + timedelta(days=1)
    return local_instant(nxt, win.start, tz) + max_gap


# --- continuous cover -----------------------------------------------------


def _continuous_cover(ctx: _Ctx, timing: ContinuousCoverTiming) -> list[Obligation]:
    rule, facts, tz = ctx.rule, ctx.facts, ctx.facts.tz
    strict, lenient, term = _bound(facts.profile, timing.max_gap)
    covers = ctx.facts_for("fulfil")
    spans: list[tuple[datetime, datetime, EventFact, EventFact | None]] = []
    for f in covers:
        s, e, end_fact = _measure_span(ctx, f)
        spans.append((s, e, f, end_fact))
    starts = [s for s, _, _, _ in spans]
    prefix_max_end: list[datetime] = []
    for _, e, _, _ in spans:
        prefix_max_end.append(e if not prefix_max_end else max(prefix_max_end[-1], e))
    out: list[Obligation] = []
    for trig in ctx.facts_for("trigger"):
        start, end, end_fact = _measure_span(ctx, trig)
        explanation = []
        duty_end, is_open = end, end_fact is None
        if timing.until_age is not None:
            limit = birthday_instant(
                facts.birth_date, timing.until_age, tz, facts.profile.settings.leap_day_birthday
            )
            explanation.append(
                f"aged {trig.record['age']} at the start; the duty ends at age {timing.until_age} "
                f"({_fmt(limit, tz)})"
            )
            if limit < duty_end:
                duty_end, is_open = limit, False
        explanation.append(
            f"measure {trig.event.measure_id} from {_fmt(start, tz)} to "
            + (_fmt(end, tz) if end_fact is not None else f"as_of {_fmt(end, tz)} (still in effect)")
        )
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
                Gap(
                    kind="uncovered",
                    start=ctx.local(a),
                    end=ctx.local(b),
                    length=length,
                    status=Status.BREACHED if length > lenient else Status.CONTESTED,
                    ongoing=tail_open and b == duty_end,
                )
            )
        worst = _worst(g.status for g in gaps)
        status = worst or (Status.DUE if is_open else Status.FULFILLED)
        ob_id = f"{rule.duty}:{trig.id}"
        ctx.uses.add(trig.id, ob_id, "trigger")
        if end_fact is not None:
            ctx.uses.add(end_fact.id, ob_id, "measure_end")
        for f, ef in used:
            ctx.uses.add(f.id, ob_id, "fulfilment")
            if ef is not None:
                ctx.uses.add(ef.id, ob_id, "cover_end")
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=[trig.id],
                window=Window(
                    opens=ctx.local(start),
                    closes=ctx.local(duty_end) if not is_open else None,
                ),
                fulfilled_by=[f.id for f, _ in used],
                gaps=gaps,
                terms=[term] if term else [],
                explanation=explanation,
            )
        )
    return out
