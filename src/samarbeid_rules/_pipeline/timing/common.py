"""What every timing kind shares: the per-rule context, bounds, correlation, measures.

Nothing here is particular to one kind (that lives in the kind's module), and
nothing here imports a kind module: the kinds import this one, never the
reverse.

- :class:`Uses` and :class:`_Ctx` -- which obligation used which event, and
  one rule on one timeline (its triggers, the legal bases in force, the parts
  of a measure judged, local times, the fields every obligation of the rule
  shares, and the *bør* reading of statuses); what depends on the rule file
  alone is read from its plan (:mod:`.plan`, once per rule set);
- bounds -- :func:`_due_after` (a deadline counted from an instant, strict
  and lenient, from a profile term, a duration or working days) and
  :func:`_durations` (a bound that is a length, for gaps);
- :func:`_deadline_status` -- the statuses of a single deadline (``deadline``
  and ``measure_deadline``);
- correlation -- :class:`_Correlated` (fulfilling or closing events grouped
  by ``same`` / ``responds_to``) and :func:`_closer`;
- :func:`_conditions_text` -- conditions in words (``check``, ``permission``);
- measures -- a measure's span and its text, and the parts of a measure in
  a rule's in-force periods (:meth:`_Ctx.parts_of`, :func:`_spans_in_force`);
  what only the measure kinds use (gaps, days, a measure kind's obligation)
  is in :mod:`.measures`.

What holds for every kind, decided here:

- A rule is in force on a local (Europe/Oslo) day when one of the bases it
  names is (``bases.yaml``). A deadline kind (``deadline``,
  ``before_close``, ``check``, ``permission``, ``measure_deadline``) judges
  only the triggers whose local date the rule is in force on; each opens at
  most one obligation, with the id ``duty[/part]:trigger event id``.
- A measure kind judged day by day (``recurring_looks``,
  ``continuous_cover``, ``per_day``, ``per_dogn``, ``daily_sum``) judges the
  part of each measure that lies in the rule's in-force period, from the
  local midnight it came into force to the local midnight it went out of
  force, whenever the measure began: a measure running on the day a basis
  takes effect is judged under it from that day. A part that begins after
  the measure's start has the id ``duty[/part]:trigger event id@YYYY-MM-DD``
  (its first local day), so two rule files judging parts of one measure give
  distinct ids; the part is judged as if the measure began at that midnight
  (events before it do not count).
- Every obligation names the bases it was judged under (those of the rule
  in force on the trigger's local date, or on some day of the part), flags
  ``basis_dates_assumed`` when one of their dates, or of a dated value it
  used, is assumed, and names the rule-set version in force on that date
  (the first day of a part).
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
  ``fulfilled_late`` as ``followed_late``, and is never a breach; its gaps'
  statuses are read the same way, so that a gap never says ``breached``
  where the obligation says ``not_followed``.

The names keep their leading underscore: they are the timing package's
internals, imported by its kind modules and by nothing outside the package.

Longer than 600 lines: it is what the timing kinds share, and each part
(bounds, correlation, measures, the rule context) is used by several kinds;
a module per part would only move the shared context around.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import product
from operator import attrgetter
from typing import Any, NamedTuple

from ..._common.calendar import add_working_days, end_of_local_day, start_of_local_day, to_local
from ..._inputs.bases import ValueOn
from ..._inputs.profile import DurationTerm, iso_duration
from ..._inputs.rules import Bound
from ..._inputs.ruleset import LoadedRule, RuleSet
from ..compile import Matcher
from ..facts import EventFact, Facts, values_of
from ..report import EventUse, Gap, Obligation, Status, TermUse, build
from .plan import Link, RulePlan, plan_of, term_use_of


Classification = dict[tuple[str, str], list[int]]
_DAY = timedelta(days=1)


class Uses:
    """Which obligation used which event, in which role.

    ``by_event`` maps an event id to its uses: a tuple while there is one
    (shared by every event an obligation used in the same role, such as the
    looks of a measure), a list once there are more. ``Uses(recording=False)`` records
    nothing: for a caller that needs no account of events (the live monitor's work list).
    """

    __slots__ = ("by_event", "recording")

    def __init__(self, *, recording: bool = True) -> None:
        self.by_event: dict[str, tuple[EventUse, ...] | list[EventUse]] = {}
        self.recording = recording

    def add(self, event_id: str, obligation: str, role: str) -> None:
        if not self.recording:
            return
        prev = self.by_event.get(event_id)
        if prev is None:  # the common case: the event's first use
            self.by_event[event_id] = (EventUse(obligation, role),)
        else:
            self._put(event_id, (EventUse(obligation, role),))

    def add_all(self, event_ids: Sequence[str], obligation: str, role: str) -> None:
        """The same use of every event in ``event_ids``."""
        if not self.recording:
            return
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
        elif isinstance(prev, tuple):
            self.by_event[event_id] = [*prev, one[0]]
        else:
            prev.append(one[0])


class _Part(NamedTuple):
    """The part of a measure a rule judges: the stretch of the measure in the rule's in-force period."""

    start: datetime
    end: datetime
    end_fact: EventFact | None  #: the measure's end event, if the part ends with the measure
    is_open: bool  #: the part runs to as_of with the measure still in effect
    suffix: str  #: "" for a part from the measure's start, else "@YYYY-MM-DD" (its first local day)
    measure_start: datetime
    measure_end: datetime  #: the measure's end (its end event, else as_of)
    measure_ended: bool  #: the measure has an end event (at or before as_of)
    first_day: date
    last_day: date  #: the last local day the part touches


#: what a kind judged day by day over a measure is given: each trigger's measure, cut to the rule's
#: in-force periods (``_Ctx.measure_parts``)
Parts = list[tuple[EventFact, _Part]]


def _spans_in_force(start: datetime, end: datetime, periods, tz, cal=None) -> list[tuple[datetime, datetime]]:
    """The stretches of ``[start, end]`` inside ``periods`` (local days, first inclusive, second
    exclusive), each from the later of ``start`` and the local midnight a period begins to the
    earlier of ``end`` and the midnight it ends. A measure of no length counts where its instant
    is in force."""
    midnight = (lambda d: cal(start_of_local_day, d, tz)) if cal is not None else (
        lambda d: start_of_local_day(d, tz))
    out = []
    for s_day, e_day in periods:
        s = midnight(s_day)
        u = midnight(e_day) if e_day is not None else None
        a = max(start, s)
        b = end if u is None else min(end, u)
        if a < b or (a == b == start and s <= start and (u is None or start < u)):
            out.append((a, b))
    return out


class _Ctx:
    """One rule on one timeline: what every timing kind reads, looked up once.

    What depends on the rule file alone is its :class:`~.plan.RulePlan` (``plan``), built once per
    rule set; what is derived once per evaluation and shared by every rule is in ``facts.memo``.
    """

    __slots__ = (
        "loaded", "plan", "facts", "cls", "uses", "rule_set", "rule", "tz", "_periods", "_day_of", "_local_of",
        "_calendar",
    )

    def __init__(self, loaded: LoadedRule, facts: Facts, cls: Classification, uses: Uses, rule_set: RuleSet,
                 plan: RulePlan | None = None) -> None:
        self.loaded = loaded
        self.plan = plan = plan if plan is not None else plan_of(loaded, rule_set)
        self.facts = facts
        self.cls = cls
        self.uses = uses
        self.rule_set = rule_set
        self.rule = loaded.rule
        self.tz = facts.tz
        self._periods = plan.periods
        # Per evaluation, shared by every rule: an instant's local date, an
        # instant in local time, and calendar values (see cal).
        shared = facts.memo.get("ctx")
        if shared is None:
            shared = facts.memo["ctx"] = ({}, {}, {})
        self._day_of: dict[datetime, date]
        self._local_of: dict[datetime, datetime]
        self._calendar: dict[tuple[Any, ...], Any]
        self._day_of, self._local_of, self._calendar = shared

    def facts_for(self, role: str) -> list[EventFact]:
        found = list(map(self.facts.ordered.__getitem__, self.cls.get((self.loaded.rule_id, role), ())))
        if role == "fulfil" and self.plan.dated_fulfil:
            found = [f for f in found if self._dated_ok(f)]
        return found

    def _dated_ok(self, f: EventFact) -> bool:
        """A fulfilling event meets its pattern's dated conditions on its own local date."""
        registry = self.rule_set.registry
        for name, value_name in self.plan.dated_fulfil.get(f.type, ()):
            value = registry.value_on(value_name, self.day(f.at))
            if value is None or not value.holds(f.record.get(name)):
                return False
        return True

    def day(self, t: datetime) -> date:
        """The local (Europe/Oslo) calendar date of ``t``."""
        d = self._day_of.get(t)
        if d is None:
            d = self._day_of[t] = t.astimezone(self.tz).date()
        return d

    def in_force_at(self, t: datetime) -> bool:
        """The rule is in force on ``t``'s local date (one of its bases is)."""
        d = self.day(t)
        for s, e in self._periods:
            if s <= d and (e is None or d < e):
                return True
        return False

    def triggers(self) -> list[EventFact]:
        """Triggers judged by a deadline kind: those on whose local date the rule is in force (and, for a
        pattern with ``during``, made while such a measure was in effect)."""
        found = [f for f in self.facts_for("trigger") if self.in_force_at(f.at)]
        patterns = self.plan.during_patterns
        if patterns is not None:
            found = [f for f in found if self._during_ok(f, patterns)]
        return found

    def _during_ok(self, f: EventFact, patterns: Sequence[tuple[Any, Matcher]]) -> bool:
        """``f`` matches a trigger pattern without ``during``, or one whose measure was in effect at it."""
        for pat, matcher in patterns:
            if pat.event != f.type or not matcher.matches(f.record):
                continue
            if not pat.during:
                return True
            for d in pat.during:
                if self.measure_in_effect(d.event, f, d.same) is not None:
                    return True
        return False

    def measure_in_effect(self, start_type: str, f: EventFact, same: Sequence[str] = ()) -> EventFact | None:
        """The start of a measure begun by an event of ``start_type`` in effect at ``f`` (from its start,
        inclusive, to its end, exclusive, or as_of) and tied to ``f`` by ``same`` (a field unset on
        ``f`` ties it to any), the latest begun; None if there is none."""
        for start, end, start_fact in reversed(self.spans_of(start_type)):
            if start <= f.at and (end is None or f.at < end) and all(
                f.value(n) is None or f.value(n) == start_fact.value(n) for n in same
            ):
                return start_fact
        return None

    def events_of(self, event_type: str) -> list[EventFact]:
        """Every event of ``event_type`` at or before as_of, matched or not, in time order (indexed once per
        evaluation)."""
        memo = self.facts.memo
        by_type = memo.get("by_type")
        if by_type is None:
            by_type = memo["by_type"] = {}
            for f in self.facts.ordered:
                by_type.setdefault(f.type, []).append(f)
        return by_type.get(event_type, [])

    def spans_of(self, start_type: str) -> list[tuple[datetime, datetime | None, EventFact]]:
        """(start, end or None while in effect, start fact) of every measure begun by ``start_type``, in time
        order (once per evaluation)."""
        key = ("spans", start_type)
        memo = self.facts.memo
        spans = memo.get(key)
        if spans is None:
            spans = []
            by_id = self.facts.by_id
            for pair in self.facts.measures.values():
                if pair.start.type == start_type and pair.start.id in by_id:  # type: ignore[attr-defined]  # each kind's own field
                    end = by_id[pair.end.id].at if pair.end is not None else None
                    spans.append((by_id[pair.start.id].at, end, by_id[pair.start.id]))
            spans.sort(key=lambda t: (t[0], t[2].index))
            memo[key] = spans
        return spans

    def measure_parts(self) -> list[tuple[EventFact, _Part]]:
        """Every trigger's measure, cut to the rule's in-force periods: (trigger, part) pairs."""
        out: list[tuple[EventFact, _Part]] = []
        for trig in self.facts_for("trigger"):
            out.extend((trig, part) for part in self.parts_of(trig))
        return out

    def parts_of(self, trig: EventFact) -> list[_Part]:
        start, end, end_fact = _measure_span(self, trig)
        tz = self.tz
        parts = []
        for a, b in _spans_in_force(start, end, self._periods, tz, self.cal):
            with_end = b == end
            first, last = self.day(a), self.day(b)
            if b > a and b == self.cal(start_of_local_day, last, tz):
                last -= _DAY  # a part ending at midnight does not touch the next day
            parts.append(_Part(
                a, b, end_fact if with_end else None, end_fact is None and with_end,
                "" if a == start else f"@{first.isoformat()}", start, end, end_fact is not None, first, last,
            ))
        return parts

    def version_at(self, t: datetime) -> str | None:
        return self.rule_set.version_on(self.day(t))

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
        local = self.local(t)
        assert local is not None
        return local.isoformat(timespec="minutes")

    def ob_id(self, trigger: EventFact, part: _Part | None = None) -> str:
        return f"{self.plan.key}:{trigger.id}{part.suffix if part is not None else ''}"

    def term_use(self, name: str) -> TermUse:
        """The profile term ``name`` as the report cites it (one per profile)."""
        return term_use_of(self.facts.profile, name)

    def obligation(
        self, trigger: EventFact, *, part: _Part | None = None, dated: Sequence[ValueOn | None] = (),
        ob_id: str | None = None, **kw: Any
    ) -> Obligation:
        """The obligation of ``trigger`` (and ``part``), with the fields the rule shares; ``ob_id`` if the
        caller has it already."""
        status: Status = kw["status"]
        if self.rule.modality == "bør":
            status = kw["status"] = status.for_recommendation()
            if kw.get("gaps"):  # a gap of a recommendation is read as the obligation is
                kw["gaps"] = [g if g.status is g.status.for_recommendation() else
                              build(Gap, **{**g.__dict__, "status": g.status.for_recommendation()})
                              for g in kw["gaps"]]
        if part is None:  # judged on the trigger's local date
            on = self.plan.on_day(self.day(trigger.at))
            bases, assumed = list(on.bases), on.assumed
        else:  # judged on every day of the part: the bases in force on any of them
            on = self.plan.on_day(part.first_day)
            rule_set = self.rule_set
            bases = rule_set.bases_on(self.loaded, part.first_day, part.last_day)
            assumed = any(rule_set.registry.bases[b].assumed for b in bases)
        assumed = assumed or any(v is not None and v.assumed for v in dated)
        # Built from values this module computed, so not validated again.
        return build(
            Obligation,
            id=ob_id if ob_id is not None else self.ob_id(trigger, part),
            breach=status.is_breach,
            rule_set_version=on.version,
            bases=bases,
            basis_dates_assumed=assumed,
            **self.plan.fixed,
            **kw,
        )


_UNSET = object()


# --- bounds ---------------------------------------------------------------


class _Due(NamedTuple):
    strict: datetime
    lenient: datetime
    term: TermUse | None
    words: str
    dated: ValueOn | None = None  #: the dated value the bound was read from, on the trigger's date


def _due_after(ctx: _Ctx, b: Bound, t0: datetime) -> _Due:
    """Strict and lenient deadlines of bound ``b`` counted from ``t0``."""
    if b.value is not None:
        # A number of working days the law changed over time: the value in
        # force on t0's local date (the loader checked it has one there).
        on = ctx.day(t0)
        dated = ctx.rule_set.registry.value_on(b.value, on)
        assert dated is not None and isinstance(dated.value, int)
        day = ctx.cal(add_working_days, on, dated.value)
        due = ctx.cal(end_of_local_day, day, ctx.tz)
        since = (f"from {dated.since.day.isoformat()}{' (assumed)' if dated.since.assumed else ''}"
                 if dated.since is not None else "from the start")
        words = (f"{dated.value} working days (by the end of {day.isoformat()}; {b.value} on "
                 f"{on.isoformat()}: {dated.value}, {since})")
        return _Due(due, due, None, words, dated)
    if b.working_days is not None:
        day = ctx.cal(add_working_days, t0.astimezone(ctx.tz).date(), b.working_days)
        due = ctx.cal(end_of_local_day, day, ctx.tz)
        return _Due(due, due, None, f"{b.working_days} working days (by the end of {day.isoformat()})")
    # A length: its bounds and words are the same for every trigger (kept per evaluation).
    key = ("bound", id(b))
    fixed: tuple[timedelta, timedelta, TermUse | None, str] | None = ctx.facts.memo.get(key)
    if fixed is None:
        if b.duration is not None:
            fixed = (b.duration, b.duration, None, iso_duration(b.duration))
        else:
            assert b.term is not None  # a bound is exactly one of its forms (the loader checks)
            term = ctx.facts.profile.terms[b.term]  # presence and kind checked by check_profile_terms
            assert isinstance(term, DurationTerm)
            cited = ctx.term_use(b.term)
            fixed = (term.strict, term.lenient, cited, _term_words(b.term, cited.bounds, b.reads))
        ctx.facts.memo[key] = fixed
    strict, lenient, use, words = fixed
    return _Due(t0 + strict, t0 + lenient, use, words)


def _term_words(term: str, bounds: str, reads: str | None) -> str:
    """A term in an explanation: the time word the rule's sentence uses (``reads``), or, where the sentence
    has none, the term as the profile's default -- never a Norwegian word the sentence does not use."""
    if reads:
        return f"'{reads}' ({term}: {bounds})"
    return f"the profile's default {term} ({bounds}; the source gives no time word)"


def _durations(ctx: _Ctx, b: Bound) -> tuple[timedelta, timedelta, TermUse | None]:
    """A bound that is a length (for gaps): strict, lenient, term."""
    if b.duration is not None:
        return b.duration, b.duration, None
    if b.working_days is not None or b.value is not None:
        raise ValueError("working days are not a length")  # pragma: no cover - the loader admits lengths only
    assert b.term is not None  # a bound is exactly one of its forms (the loader checks)
    term = ctx.facts.profile.terms[b.term]
    assert isinstance(term, DurationTerm)
    return term.strict, term.lenient, ctx.term_use(b.term)


_SECOND = timedelta(seconds=1)  # (made once: a timedelta built from keywords is slow)


def _late_by(td: timedelta) -> timedelta:
    """Lateness in whole seconds, rounded up: a date deadline ends at the day's last microsecond
    (23:59:59.999999), so a fulfilment at the next midnight is late by one second, not zero."""
    whole, part = divmod(td, _SECOND)
    return _SECOND * (whole + (1 if part else 0))


# --- deadline status --------------------------------------------------------


def _deadline_status(
    due: datetime, due_lenient: datetime, fulfilled_at: datetime | None, horizon: datetime, closed: bool
) -> tuple[Status, timedelta | None]:
    late: timedelta | None
    if fulfilled_at is not None:
        if fulfilled_at <= due:
            return Status.FULFILLED, None
        late = _late_by(fulfilled_at - due)
        return (Status.CONTESTED if fulfilled_at <= due_lenient else Status.FULFILLED_LATE), late
    late = _late_by(horizon - due) if horizon > due else None
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

    def __init__(self, ctx: _Ctx, facts: Sequence[EventFact], links: Sequence[Link] | None = None) -> None:
        self.patterns = []
        if not facts:
            return  # nothing matches: every search finds nothing
        if links is None:
            links = ctx.plan.fulfil_links
        by_type: dict[str, list[EventFact]] = {}
        if len(links) == 1:  # every fulfilling event is of the one pattern's type
            by_type[links[0].event] = list(facts)
        else:
            for f in facts:
                by_type.setdefault(f.type, []).append(f)
        for link in links:
            pairs = link.pairs
            groups: dict[tuple[Any, ...], list[EventFact]] = {}
            candidates = by_type.get(link.event, ())
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
            self.patterns.append((pairs, link.lookback, {k: (v, list(map(_AT, v))) for k, v in groups.items()}))

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
    links = ctx.plan.close_links
    return _Correlated(ctx, ctx.facts_for("close") if links else (), links)


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
