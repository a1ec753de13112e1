"""What every timing kind shares: the per-rule context, bounds, correlation, measures.

Nothing here is particular to one kind (that lives in the kind's module), and
nothing here imports a kind module: the kinds import this one, never the
reverse.

- :class:`Uses` and :class:`_Ctx` -- which obligation used which event, and
  one rule on one timeline (its triggers, versions, local times, the fields
  every obligation of the rule shares, and the *bør* reading of statuses);
- bounds -- :func:`_due_after` (a deadline counted from an instant, strict
  and lenient, from a profile term, a duration or working days) and
  :func:`_durations` (a bound that is a length, for gaps);
- :func:`_deadline_status` -- the statuses of a single deadline (``deadline``
  and ``measure_deadline``);
- correlation -- :class:`_Correlated` (fulfilling or closing events grouped
  by ``same`` / ``responds_to``) and :func:`_closer`;
- :func:`_conditions_text` -- conditions in words (``check``, ``permission``);
- measures -- a measure's span and its text, gaps between points
  (:func:`_segment_gaps`), the local days a measure touches
  (:func:`_days_of`), a measure kind's obligation and status
  (:func:`_measure_obligation`), and whether a measure is expected or found
  to last longer than a threshold.

What holds for every kind, decided here:

- A rule judges only the triggers whose local date falls in one of the
  rule's versions of the rule set; each opens at most one obligation, with
  the id ``duty[/part]:trigger event id``.
- Where a kind ties events to the trigger (all but ``check``,
  ``permission`` and ``continuous_cover``, which do not read ``same``), a
  fulfilling (or closing) event counts for a trigger only if every ``same``
  field is equal on both and, with ``responds_to``, it names the trigger;
  an event on which such a field is unset counts for every trigger.
  ``lookback`` widens the search for the *first* fulfilment (``deadline``,
  ``before_close``, ``measure_deadline``); the events found *between* two
  instants (the looks, visits and contacts of a measure) are taken from the
  measure's start without it.
- A measure runs from its start event to its end event (paired by
  ``measure_id``), or to ``as_of`` while it is in effect. The status of a
  measure kind judged by gaps (all but ``measure_deadline``) is its worst
  gap's; with no gap, ``due`` while the duty lasts and ``fulfilled`` once it
  has ended.
- A *bør* rule reads ``breached`` as ``not_followed`` and
  ``fulfilled_late`` as ``followed_late``, and is never a breach; only the
  obligation's status is read so, not its gaps' statuses.

The names keep their leading underscore: they are the timing package's
internals, imported by its kind modules and by nothing outside the package.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import compress, count, product
from operator import attrgetter, sub
from typing import Any, NamedTuple

from ..._common.calendar import add_working_days, end_of_local_day, start_of_local_day, to_local
from ..._inputs.profile import DurationTerm, iso_duration
from ..._inputs.rules import Bound
from ..._inputs.ruleset import LoadedRule, RuleSet
from ..facts import EventFact, Facts, values_of
from ..report import EventUse, Gap, Obligation, Status, TermUse, Window, build, worst


Classification = dict[tuple[str, str], list[int]]
_DAY = timedelta(days=1)


class Uses:
    """Which obligation used which event, in which role.

    ``by_event`` maps an event id to its uses: a tuple while there is one
    (shared by every event an obligation used in the same role, such as the
    looks of a measure), a list once there are more.
    """

    __slots__ = ("by_event",)

    def __init__(self) -> None:
        self.by_event: dict[str, tuple[EventUse, ...] | list[EventUse]] = {}

    def add(self, event_id: str, obligation: str, role: str) -> None:
        self._put(event_id, (EventUse(obligation, role),))

    def add_all(self, event_ids: Sequence[str], obligation: str, role: str) -> None:
        """The same use of every event in ``event_ids``."""
        one = (EventUse(obligation, role),)
        by_event = self.by_event
        if by_event.keys().isdisjoint(event_ids):  # the common case: first use of each
            by_event.update(dict.fromkeys(event_ids, one))
            return
        for event_id in event_ids:
            if event_id in by_event:
                self._put(event_id, one)
            else:
                by_event[event_id] = one

    def _put(self, event_id: str, one: tuple[EventUse]) -> None:
        prev = self.by_event.get(event_id)
        if prev is None:
            self.by_event[event_id] = one
        elif type(prev) is tuple:
            self.by_event[event_id] = [*prev, one[0]]
        else:
            prev.append(one[0])


class _Ctx:
    """One rule on one timeline: what every timing kind reads, looked up once."""

    __slots__ = (
        "loaded", "facts", "cls", "uses", "rule_set", "rule", "tz", "_versions", "_version_of", "_local_of", "_calendar",
        "_fixed",
    )

    def __init__(self, loaded: LoadedRule, facts: Facts, cls: Classification, uses: Uses, rule_set: RuleSet) -> None:
        self.loaded = loaded
        self.facts = facts
        self.cls = cls
        self.uses = uses
        self.rule_set = rule_set
        self.rule = loaded.rule
        self.tz = facts.tz
        self._versions = frozenset(self.rule.versions)
        # Per evaluation, shared by every rule: the rule set's version on an
        # instant's local date, and an instant in local time.
        memo = facts.memo
        self._version_of: dict[datetime, str | None] = memo.setdefault("version", {})
        self._local_of: dict[datetime, datetime] = memo.setdefault("local", {})
        self._calendar: dict[tuple[Any, ...], Any] = memo.setdefault("calendar", {})
        rule = self.rule
        # The fields every obligation of this rule shares.
        self._fixed = {
            "duty_id": rule.duty,
            "part": rule.part,
            "title": rule.title,
            "actor": rule.actor,
            "modality": rule.modality,
            "citation": rule.source,
            "rule_file": loaded.rel,
            "rule_set": rule_set.citation(),
        }

    def facts_for(self, role: str) -> list[EventFact]:
        ordered = self.facts.ordered
        return [ordered[p] for p in self.cls.get((self.loaded.rule_id, role), ())]

    def version_at(self, t: datetime) -> str | None:
        version = self._version_of.get(t, _UNSET)
        if version is _UNSET:
            version = self._version_of[t] = self.rule_set.meta.version_on(t.astimezone(self.tz).date())
        return version

    def triggers(self) -> list[EventFact]:
        """Triggers judged by this rule: those whose date falls in one of the rule's versions."""
        versions = self._versions
        return [f for f in self.facts_for("trigger") if self.version_at(f.at) in versions]

    def local(self, t: datetime | None) -> datetime | None:
        """``t`` in local time with its fixed offset, as reports give instants."""
        if t is None:
            return None
        local = self._local_of.get(t)
        if local is None:
            local = self._local_of[t] = to_local(t, self.tz)
        return local

    def cal(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` for a pure calendar function of :mod:`._calendar`, once per evaluation.

        A measure's days, windows and deadlines repeat across rules and
        triggers; zone conversions are the costly part of each.
        """
        key = (fn, *args)
        value = self._calendar.get(key)
        if value is None:
            value = self._calendar[key] = fn(*args)
        return value

    def fmt(self, t: datetime) -> str:
        """``t`` as local time to the minute, for explanations."""
        return self.local(t).isoformat(timespec="minutes")

    def ob_id(self, trigger: EventFact) -> str:
        return f"{self.rule.key}:{trigger.id}"

    def term_use(self, name: str) -> TermUse:
        """The profile term ``name`` as the report cites it (one per evaluation)."""
        memo = self.facts.memo
        use = memo.get(("term", name))
        if use is None:
            use = memo[("term", name)] = _term_use(name, self.facts.profile.terms[name])
        return use

    def obligation(self, trigger: EventFact, **kw: Any) -> Obligation:
        status: Status = kw["status"]
        if self.rule.modality == "bør":
            status = kw["status"] = status.for_recommendation()
        # Built from values this module computed, so not validated again.
        return build(
            Obligation,
            id=self.ob_id(trigger),
            breach=status.is_breach,
            rule_set_version=self.version_at(trigger.at) or "",
            **self._fixed,
            **kw,
        )


_UNSET = object()


# --- bounds ---------------------------------------------------------------


def _term_use(name: str, term: Any) -> TermUse:
    return build(TermUse, term=name, words=list(term.words), bounds=term.bounds_text())


class _Due(NamedTuple):
    strict: datetime
    lenient: datetime
    term: TermUse | None
    words: str


def _due_after(ctx: _Ctx, b: Bound, t0: datetime) -> _Due:
    """Strict and lenient deadlines of bound ``b`` counted from ``t0``."""
    if b.working_days is not None:
        day = ctx.cal(add_working_days, t0.astimezone(ctx.tz).date(), b.working_days)
        due = ctx.cal(end_of_local_day, day, ctx.tz)
        return _Due(due, due, None, f"{b.working_days} working days (by the end of {day.isoformat()})")
    # A length: its bounds and words are the same for every trigger (kept per evaluation).
    key = ("bound", id(b))
    fixed = ctx.facts.memo.get(key)
    if fixed is None:
        if b.duration is not None:
            fixed = (b.duration, b.duration, None, iso_duration(b.duration))
        else:
            term = ctx.facts.profile.terms[b.term]  # presence and kind checked by check_profile_terms
            assert isinstance(term, DurationTerm)
            use = ctx.term_use(b.term)
            fixed = (term.strict, term.lenient, use, f"'{term.words[0]}' ({b.term}: {use.bounds})")
        ctx.facts.memo[key] = fixed
    strict, lenient, use, words = fixed
    return _Due(t0 + strict, t0 + lenient, use, words)


def _durations(ctx: _Ctx, b: Bound) -> tuple[timedelta, timedelta, TermUse | None]:
    """A bound that is a length (for gaps): strict, lenient, term."""
    if b.duration is not None:
        return b.duration, b.duration, None
    if b.working_days is not None:
        raise ValueError("working days are not a length")  # pragma: no cover - rule files use lengths here
    term = ctx.facts.profile.terms[b.term]
    assert isinstance(term, DurationTerm)
    return term.strict, term.lenient, ctx.term_use(b.term)


def _whole_seconds(td: timedelta) -> timedelta:
    """Lateness in whole seconds (a date deadline ends at the day's last microsecond)."""
    return timedelta(seconds=int(td.total_seconds()))


# --- deadline status --------------------------------------------------------


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


# --- correlation ----------------------------------------------------------


class _Correlated:
    """Fulfilling events grouped by correlation keys, each group in time order.

    For each fulfilment pattern of the rule, the pattern's ``same`` fields
    (and ``responds_to`` against the trigger's id) form a key. A fulfilling
    event on which a key field is unset counts for any trigger, so a trigger
    looks in the groups of its own values and of "unset", for each field: at
    most 2**len(keys) groups per pattern, each searched by bisection.
    """

    def __init__(self, ctx: _Ctx, facts: Sequence[EventFact], patterns: Sequence[Any] | None = None) -> None:
        self.patterns = []
        if not facts:
            return  # nothing matches: every search finds nothing
        if patterns is None:
            patterns = ctx.rule.fulfilled_by
        by_type: dict[str, list[EventFact]] = {}
        if len(patterns) == 1:  # every fulfilling event is of the one pattern's type
            by_type[patterns[0].event] = list(facts)
        else:
            for f in facts:
                by_type.setdefault(f.type, []).append(f)
        for pat in patterns:
            pairs = [(name, name) for name in pat.same]
            if pat.responds_to:
                pairs.append(("responds_to", "id"))
            groups: dict[tuple[Any, ...], list[EventFact]] = {}
            candidates = by_type.get(pat.event, ())
            if len(pairs) == 1:
                name = pairs[0][0]
                values = values_of(candidates, name)
                if len(set(values)) == 1:  # the common case: all of one measure
                    groups[(values[0],)] = list(candidates)
                else:
                    for value, f in zip(values, candidates):
                        key = (value,)
                        group = groups.get(key)
                        if group is None:
                            groups[key] = [f]
                        else:
                            group.append(f)
            else:
                for f in candidates:
                    groups.setdefault(tuple(f.value(fn) for fn, _ in pairs), []).append(f)
            self.patterns.append(
                (pairs, getattr(pat, "lookback", None) or timedelta(0), {k: (v, list(map(_AT, v))) for k, v in groups.items()})
            )

    def _groups_for(self, trigger: EventFact):
        for pairs, lookback, groups in self.patterns:
            options = [(trigger.value(tn) if tn != "id" else trigger.id, None) for _, tn in pairs]
            seen = set()
            for key in product(*options):
                if key in seen:
                    continue
                seen.add(key)
                g = groups.get(key)
                if g is not None:
                    yield lookback, g

    def first(self, trigger: EventFact, start: datetime, end: datetime | None) -> EventFact | None:
        """The earliest fulfilling event from ``start`` (less the pattern's lookback) until ``end``."""
        best = None
        for lookback, (facts, times) in self._groups_for(trigger):
            i = bisect_left(times, start - lookback)
            if i < len(facts) and (end is None or times[i] < end):
                cand = facts[i]
                if best is None or (cand.at, cand.order) < (best.at, best.order):
                    best = cand
        return best

    def between(self, trigger: EventFact, start: datetime, end: datetime) -> list[EventFact]:
        """Fulfilling events with ``start <= at <= end``, in time order."""
        slices = []
        for _, (facts, times) in self._groups_for(trigger):
            found = facts[bisect_left(times, start) : bisect_right(times, end)]
            if found:
                slices.append(found)
        if len(slices) <= 1:
            return slices[0] if slices else []
        return list(heapq.merge(*slices, key=lambda f: (f.at, f.order)))


_AT = attrgetter("at")
_ID = attrgetter("id")
def _ids(facts: Sequence[EventFact]) -> list[str]:
    return list(map(_ID, facts))


def _closer(ctx: _Ctx) -> _Correlated:
    """The closing events of the rule, searched like fulfilments: the first at or after a trigger,
    tied to it by the closing pattern's ``same`` / ``responds_to``."""
    return _Correlated(ctx, ctx.facts_for("close"), ctx.rule.closed_by or ())


# --- conditions -----------------------------------------------------------


def _conditions_text(conds: Sequence[tuple[str, str, Any]]) -> str:
    return " and ".join(f"{n} {op} {v!r}" for n, op, v in conds)


# --- measures -------------------------------------------------------------


def _measure_span(ctx: _Ctx, trig: EventFact) -> tuple[datetime, datetime, EventFact | None]:
    """Start, end (its end event, else as_of), and the end event if recorded."""
    pair = ctx.facts.measures[trig.event.measure_id]
    end_fact = ctx.facts.by_id[pair.end.id] if pair.end is not None else None
    end = end_fact.at if end_fact is not None else ctx.facts.as_of
    return trig.at, end, end_fact


def _measure_text(ctx: _Ctx, trig: EventFact, start: datetime, end: datetime, end_fact) -> str:
    tail = ctx.fmt(end) if end_fact is not None else f"as_of {ctx.fmt(end)} (still in effect)"
    return f"{trig.type} {trig.event.measure_id} from {ctx.fmt(start)} to {tail}"


def _gaps_in(points: Sequence[datetime], max_gap: timedelta) -> list[tuple[datetime, datetime]]:
    """Consecutive points further apart than ``max_gap`` (the scan runs in C: looks are many, gaps few)."""
    longer = compress(count(), map(max_gap.__lt__, map(sub, points[1:], points)))
    return [(points[i], points[i + 1]) for i in longer]


def _segment_gaps(
    segments: Iterable[tuple[datetime, datetime, bool]], times: Sequence[datetime], max_gap: timedelta
) -> list[tuple[datetime, datetime, bool]]:
    """Gaps longer than ``max_gap`` between the segment ends and the looks inside each segment.

    A segment is (start, end, ends_at_as_of); a gap reaching an as_of end is ongoing.
    """
    found = []
    for a, b, open_tail in segments:
        inside = times[bisect_right(times, a) : bisect_left(times, b)]
        for p, q in _gaps_in([a, *inside, b], max_gap):
            found.append((p, q, open_tail and q == b))
    return found


def _days_of(ctx: _Ctx, start: datetime, end: datetime, is_open: bool):
    """(day, day_start, day_end, covered_start, covered_end, complete) for each local day touched."""
    tz = ctx.tz
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        ds, de = ctx.cal(start_of_local_day, day, tz), ctx.cal(start_of_local_day, day + _DAY, tz)
        a, b = max(ds, start), min(de, end)
        if a < b or (a == b == start):
            complete = not (is_open and end < de)
            yield day, ds, de, a, b, complete
        day += _DAY


def _measure_status(gaps: Sequence[Gap], is_open: bool) -> Status:
    """The worst gap's status; with no gap, due while the measure lasts, else fulfilled."""
    return worst((g.status for g in gaps), Status.DUE if is_open else Status.FULFILLED)


def _measure_obligation(
    ctx: _Ctx,
    trig: EventFact,
    end_fact: EventFact | None,
    item_ids: list[str],
    gaps: list[Gap],
    *,
    start: datetime,
    end: datetime,
    is_open: bool,
    **kw: Any,
) -> Obligation:
    """A measure kind's obligation: the uses of its trigger, end and fulfilling events, its status
    from its gaps (due while it lasts), and its window from ``start`` to ``end`` (unless open)."""
    ob_id = ctx.ob_id(trig)
    ctx.uses.add(trig.id, ob_id, "trigger")
    if end_fact is not None:
        ctx.uses.add(end_fact.id, ob_id, "measure_end")
    ctx.uses.add_all(item_ids, ob_id, "fulfilment")
    return ctx.obligation(
        trig,
        status=_measure_status(gaps, is_open),
        trigger_event_ids=[trig.id],
        window=build(Window, opens=ctx.local(start), closes=None if is_open else ctx.local(end)),
        fulfilled_by=item_ids,
        gaps=gaps,
        **kw,
    )


def _expected_or_found_longer(trig: EventFact, end: datetime, threshold: timedelta) -> tuple[bool, bool]:
    """(expected from the start to last longer, found to last longer) than ``threshold``."""
    expected_end = getattr(trig.event, "expected_end", None)
    expected = expected_end is not None and expected_end - trig.at > threshold
    return expected, end - trig.at > threshold
