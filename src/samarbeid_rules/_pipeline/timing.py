"""Deadlines, recurrences and statuses: where a duty's timing is decided.

This is the only module that reasons about time. It takes the facts (events in
time order, measures), the engine's classification (which events trigger,
fulfil or close which rule) and the profile, and computes every obligation in
virtual time: "now" is ``as_of``, never the wall clock.

One function per timing kind of the rule language (``docs/rule-files.md``):

=================  ==========================================================
``deadline``       fulfil within a bound after the trigger (a profile term, a
                   duration, or working days), or by a date before a date on
                   the trigger (calendar months or a lead-time term), with a
                   bound from the trigger when that date came too late; a
                   later trigger may replace an earlier one; a closing event
                   ends the chance to fulfil
``before_close``   fulfil at any time before the closing event (release)
``check``          each trigger must itself meet conditions (prohibitions
                   such as staff handing out medication)
``permission``     each trigger is allowed only under a statutory exception
                   recorded on it, or a permitting measure (consent) in
                   effect at that instant and covering its recipient
``recurring_looks``  longest time between looks in the daytime window (or
                   around the clock) and a minimum count each night
``continuous_cover``  every moment of the measure covered (up to an age)
``per_day``        a fulfilling event on every local calendar day
``per_dogn``       once per døgn (rolling 24 h or calendar day, by profile)
``daily_sum``      minutes of fulfilling events per local day
``measure_deadline``  for a measure expected or found to last long: a
                   deadline from its start
=================  ==========================================================

Every position is found by bisection on sorted lists; nothing scans pairs of
events, so the cost grows linearly with the timeline.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import compress, count, product
from operator import attrgetter, sub
from typing import Any, NamedTuple

from .._common.calendar import (
    add_working_days,
    to_local,
    birthday_instant,
    calendar_months_before,
    end_of_local_day,
    local_instant,
    start_of_local_day,
)
from .compile import Matcher
from .facts import EventFact, Facts, values_of
from .._inputs.profile import CountTerm, DurationTerm, LeadTimeTerm, iso_duration
from .report import EventUse, Gap, Obligation, Status, TermUse, Window, build, worst
from .._inputs.rules import (
    BeforeCloseTiming,
    Bound,
    CheckTiming,
    ContinuousCoverTiming,
    DailySumTiming,
    DeadlineTiming,
    MeasureDeadlineTiming,
    PerDayTiming,
    PerDognTiming,
    PermissionTiming,
    RecurringLooksTiming,
)
from .._inputs.ruleset import LoadedRule, RuleSet

__all__ = ["resolve_rule", "Uses"]

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


def resolve_rule(loaded: LoadedRule, rule_set: RuleSet, facts: Facts, cls: Classification, uses: Uses) -> list[Obligation]:
    """All obligations of one rule on one timeline."""
    if not cls.get((loaded.rule_id, "trigger")):
        return []  # nothing triggered this rule: the common case, kept cheap
    ctx = _Ctx(loaded, facts, cls, uses, rule_set)
    timing = loaded.rule.timing
    kind = _KINDS.get(type(timing))
    if kind is None:  # pragma: no cover - the loader admits no other kind
        raise AssertionError(type(timing))
    return kind(ctx, timing)


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
                if best is None or (cand.at, cand.index) < (best.at, best.index):
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
        return list(heapq.merge(*slices, key=lambda f: (f.at, f.index)))


_AT = attrgetter("at")
_ID = attrgetter("id")
def _ids(facts: Sequence[EventFact]) -> list[str]:
    return list(map(_ID, facts))


def _closer(ctx: _Ctx) -> _Correlated:
    """The closing events of the rule, searched like fulfilments: the first at or after a trigger,
    tied to it by the closing pattern's ``same`` / ``responds_to``."""
    return _Correlated(ctx, ctx.facts_for("close"), ctx.rule.closed_by or ())


# --- deadline -------------------------------------------------------------


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
    facts, tz = ctx.facts, ctx.tz
    triggers = ctx.triggers()
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    closer = _closer(ctx)
    out: list[Obligation] = []
    replaced: list[EventFact] = []
    for i, trig in enumerate(triggers):
        explanation: list[str] = []
        terms: list[TermUse] = []
        nxt = triggers[i + 1] if timing.superseded_by_next_trigger and i + 1 < len(triggers) else None
        close = closer.first(trig, trig.at, None)
        if timing.within is not None:
            d = _due_after(ctx, timing.within, trig.at)
            due, due_lenient = d.strict, d.lenient
            explanation.append(f"due within {d.words} of the trigger")
            if d.term:
                terms.append(d.term)
        else:
            bd = timing.before_date
            anchor: date = getattr(trig.event, bd.field)
            if bd.calendar_months is not None:
                mark = mark_lenient = ctx.cal(calendar_months_before, anchor, bd.calendar_months)
                lead_words = f"{bd.calendar_months} calendar months before"
            else:
                lead = facts.profile.terms[bd.lead]
                assert isinstance(lead, LeadTimeTerm)
                terms.append(ctx.term_use(bd.lead))
                mark, mark_lenient = anchor - lead.strict, anchor - lead.lenient
                lead_words = f"'{lead.words[0]}' ({bd.lead}: {lead.bounds_text()})"
            firm, firm_lenient = ctx.cal(end_of_local_day, mark, tz), ctx.cal(end_of_local_day, mark_lenient, tz)
            d = _due_after(ctx, timing.if_known_later, trig.at)
            if d.strict <= firm:
                due, due_lenient = firm, max(firm_lenient, d.lenient)
                explanation.append(
                    f"{bd.field} {anchor.isoformat()} known at {ctx.fmt(trig.at)}: due by the end of "
                    f"{mark.isoformat()}, {lead_words}"
                )
            else:
                # Known too late to give the full lead time: "or as early as
                # practicable" after it became known, never earlier than the
                # date the lead time gives.
                due, due_lenient = d.strict, max(d.lenient, firm_lenient)
                if d.term:
                    terms.append(d.term)
                explanation.append(
                    f"{bd.field} {anchor.isoformat()} became known at {ctx.fmt(trig.at)}, after "
                    f"{mark.isoformat()} ({lead_words}): due {d.words} after it became known"
                )
        # A fulfilment counts from the trigger until the next trigger replaces
        # it, and not after the closing event.
        limit = nxt.at if nxt is not None else None
        limit_close = close.at if close is not None and (limit is None or close.at < limit) else None
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
            explanation.append(f"closed by {close.type} at {ctx.fmt(close.at)} without fulfilment")
        if nxt is not None:
            explanation.append(f"replaced by {nxt.id} at {ctx.fmt(nxt.at)}")
        if found is not None and found.at < trig.at:
            explanation.append(f"fulfilled by {found.id}, before the trigger (allowed look-back)")
        status, lateness = _deadline_status(due, due_lenient, found.at if found else None, horizon, closed)
        ob_id = ctx.ob_id(trig)
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
                window=build(Window, 
                    opens=ctx.local(trig.at),
                    due=ctx.local(due),
                    due_lenient=ctx.local(due_lenient),
                    closes=ctx.local(limit_close),
                ),
                fulfilled_by=[found.id] if found else [],
                lateness=lateness,
                terms=terms,
                explanation=explanation,
            )
        )
    return out


def _before_close(ctx: _Ctx, timing: BeforeCloseTiming) -> list[Obligation]:
    """Fulfil at any time after the trigger and before the closing event; no fixed deadline."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    closer = _closer(ctx)
    out = []
    for trig in ctx.triggers():
        close = closer.first(trig, trig.at, None)
        found = corr.first(trig, trig.at, None)
        if found is not None and close is not None and found.at > close.at:
            found = None
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        explanation = ["no fixed deadline: due before the closing event"]
        if found is not None:
            status = Status.FULFILLED
            ctx.uses.add(found.id, ob_id, "fulfilment")
        elif close is not None:
            status = Status.BREACHED
            explanation.append(f"closed by {close.type} at {ctx.fmt(close.at)} without fulfilment")
        else:
            status = Status.DUE
        if close is not None:
            ctx.uses.add(close.id, ob_id, "close")
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(close.at) if close else None,
                              closes=ctx.local(close.at) if close else None),
                fulfilled_by=[found.id] if found else [],
                explanation=explanation,
            )
        )
    return out


# --- judged at the trigger ----------------------------------------------------


def _conditions_text(conds: Sequence[tuple[str, str, Any]]) -> str:
    return " and ".join(f"{n} {op} {v!r}" for n, op, v in conds)


def _check(ctx: _Ctx, timing: CheckTiming) -> list[Obligation]:
    """Each trigger must meet ``requires`` on its own fields, at its own instant."""
    conds = ctx.rule.check_conditions()
    m = Matcher("", "", "", conds)
    out = []
    for trig in ctx.triggers():
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


def _permission(ctx: _Ctx, timing: PermissionTiming) -> list[Obligation]:
    """Allowed under a statutory exception on the trigger, or a covering measure in effect."""
    exempt = ctx.rule.check_conditions()
    exempt_m = Matcher("", "", "", exempt)
    spans = []
    for f in ctx.facts_for("fulfil"):
        s, e, end_fact = _measure_span(ctx, f)
        spans.append((s, e, end_fact, f))
    starts = [s for s, *_ in spans]
    out = []
    for trig in ctx.triggers():
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        wanted = trig.record.get(timing.covers_field)
        permit = None
        explanation = []
        if exempt and exempt_m.matches(trig.record):
            status = Status.FULFILLED
            explanation.append(f"statutory exception recorded: {_conditions_text(exempt)}")
        else:
            # The latest permitting measure started at or before the trigger,
            # not ended before it, covering the recipient.
            withdrawn = []
            for s, e, end_fact, f in reversed(spans[: bisect_right(starts, trig.at)]):
                covers = wanted in (f.record.get(timing.covers_list) or ())
                if not covers:
                    continue
                if end_fact is not None and end_fact.at <= trig.at:
                    withdrawn.append((f, end_fact))
                    continue
                permit = f
                break
            if permit is not None:
                status = Status.FULFILLED
                ctx.uses.add(permit.id, ob_id, "fulfilment")
                explanation.append(f"{permit.type} {permit.id} in effect, covering {timing.covers_field} {wanted!r}")
            else:
                status = Status.BREACHED
                explanation.append(
                    f"no {' or '.join(p.event for p in ctx.rule.fulfilled_by)} in effect at "
                    f"{ctx.fmt(trig.at)} covering {timing.covers_field} {wanted!r}, and no statutory exception"
                )
                for f, end_fact in withdrawn[:3]:
                    explanation.append(f"{f.id} covered it but was ended by {end_fact.id} at {ctx.fmt(end_fact.at)}")
                    ctx.uses.add(f.id, ob_id, "withdrawn_permission")
                    ctx.uses.add(end_fact.id, ob_id, "withdrawal")
        out.append(
            ctx.obligation(
                trig,
                status=status,
                trigger_event_ids=[trig.id],
                window=build(Window, opens=ctx.local(trig.at), due=ctx.local(trig.at), due_lenient=ctx.local(trig.at)),
                fulfilled_by=[permit.id] if permit is not None else [],
                explanation=explanation,
            )
        )
    return out


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


def _recurring_looks(ctx: _Ctx, timing: RecurringLooksTiming) -> list[Obligation]:
    facts, tz = ctx.facts, ctx.tz
    window_term = facts.profile.terms[timing.day_window] if timing.day_window else None
    max_strict, max_lenient, gap_term = _durations(ctx, timing.day_max_gap)
    night_term = facts.profile.terms[timing.night_min_count] if timing.night_min_count else None
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out: list[Obligation] = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        looks = corr.between(trig, start, end)
        times = list(map(_AT, looks))
        look_ids = _ids(looks)
        gaps: list[Gap] = []
        first_day = start.astimezone(tz).date()
        last_day = end.astimezone(tz).date()

        def segments(win):
            if win is None:
                yield start, end, is_open
                return
            day = first_day
            while day <= last_day:
                ws, we = ctx.cal(local_instant, day, win.start, tz), ctx.cal(local_instant, day, win.end, tz)
                a, b = max(ws, start), min(we, end)
                if a < b:
                    yield a, b, is_open and b == end and end < we
                day += _DAY

        kind = "daytime" if window_term is not None else "around_the_clock"
        strict_gaps = _segment_gaps(segments(window_term.strict if window_term else None), times, max_strict)
        lenient_gaps = _segment_gaps(segments(window_term.lenient if window_term else None), times, max_lenient)
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
            assert isinstance(night_term, CountTerm) and window_term is not None
            lw = window_term.lenient
            day = first_day - _DAY
            while day <= last_day:
                ns, ne = ctx.cal(local_instant, day, lw.end, tz), ctx.cal(local_instant, day + _DAY, lw.start, tz)
                a, b = max(ns, start), min(ne, end)
                if a < b and not (is_open and b == end and end < ne):
                    frac = (b - a) / (ne - ns)
                    need_s = math.floor(night_term.strict * frac + 0.5)
                    need_l = math.floor(night_term.lenient * frac + 0.5)
                    count = bisect_right(times, b) - bisect_left(times, a)
                    if count < need_s:
                        gaps.append(
                            build(Gap, 
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
                day += _DAY
        gaps.sort(key=lambda g: (g.start, g.kind))
        next_due = None
        if is_open:
            win = window_term.strict if window_term is not None else None
            next_due = _next_look_due(start, end, times, win, max_strict, tz)
        terms = [ctx.term_use(timing.day_window)] if window_term is not None else []
        if gap_term:
            terms.append(gap_term)
        if night_term is not None:
            terms.append(ctx.term_use(timing.night_min_count))
        explanation = [
            _measure_text(ctx, trig, start, end, end_fact),
            f"{len(looks)} looks; {sum(g.kind != 'night' for g in gaps)} gaps too long, "
            f"{sum(g.kind == 'night' for g in gaps)} nights short of looks",
        ]
        out.append(
            _measure_obligation(
                ctx, trig, end_fact, look_ids, gaps, start=start, end=end, is_open=is_open,
                next_due=ctx.local(next_due), terms=terms, explanation=explanation,
            )
        )
    return out


def _next_look_due(start, as_of, times, win, max_gap, tz) -> datetime:
    """When the next look is due for a measure still in effect at ``as_of`` (strict bound)."""
    last = max(times[-1] if times else start, start)
    if win is None:
        return last + max_gap
    day = as_of.astimezone(tz).date()
    ws, we = local_instant(day, win.start, tz), local_instant(day, win.end, tz)
    if ws <= as_of < we:
        return min(max(last, ws) + max_gap, we)
    if as_of < ws:
        return max(ws, start) + max_gap
    return local_instant(day + _DAY, win.start, tz) + max_gap


# --- continuous cover -----------------------------------------------------


def _continuous_cover(ctx: _Ctx, timing: ContinuousCoverTiming) -> list[Obligation]:
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
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        explanation = []
        duty_end, is_open = end, end_fact is None
        if timing.until_age is not None:
            limit = birthday_instant(facts.birth_date, timing.until_age, tz, facts.profile.settings.leap_day_birthday)
            explanation.append(
                f"aged {trig.record['age']} at the start; the duty ends at age {timing.until_age} ({ctx.fmt(limit)})"
            )
            if limit < duty_end:
                duty_end, is_open = limit, False
        explanation.append(_measure_text(ctx, trig, start, end, end_fact))
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
                ctx, trig, end_fact, [f.id for f, _ in used], gaps, start=start, end=duty_end, is_open=is_open,
                terms=[term] if term else [], explanation=explanation,
            )
        )
        ob_id = ctx.ob_id(trig)
        for _, ef in used:
            if ef is not None:
                ctx.uses.add(ef.id, ob_id, "cover_end")
    return out


# --- per day, per døgn, daily sums ------------------------------------------


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


def _per_day(ctx: _Ctx, timing: PerDayTiming) -> list[Obligation]:
    """A fulfilling event on every local calendar day the measure touches (today: not yet judged)."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        items = corr.between(trig, start, end)
        times = list(map(_AT, items))
        item_ids = _ids(items)
        gaps = []
        for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
            # A day is [its start, the next day's start): an event at midnight
            # counts for the day it begins, once. The measure's own end counts.
            count = (bisect_right(times, b) if b == end else bisect_left(times, b)) - bisect_left(times, a)
            if count == 0 and complete:
                gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED, looks=0, required=1, required_lenient=1))
        out.append(_measure_obligation(
            ctx, trig, end_fact, item_ids, gaps, start=start, end=end, is_open=is_open,
            explanation=[_measure_text(ctx, trig, start, end, end_fact),
                         "each local calendar day of the measure needs one; a day still running is not judged"],
        ))
    return out


def _per_dogn(ctx: _Ctx, timing: PerDognTiming) -> list[Obligation]:
    """Once per døgn, counted from the first fulfilment (or the start if there is none)."""
    mode = ctx.facts.profile.settings.dogn
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
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
            for day, ds, de, a, b, complete in _days_of(ctx, start, end, is_open):
                if day <= first_day or not complete:
                    continue
                hi = bisect_right(times, b) if b == end else bisect_left(times, b)
                if hi - bisect_left(times, a) == 0:
                    gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                    status=Status.BREACHED, looks=0, required=1, required_lenient=1))
            how = "each calendar day after the first visit's day (profile setting dogn: calendar)"
        out.append(_measure_obligation(
            ctx, trig, end_fact, item_ids, gaps, start=start, end=end, is_open=is_open,
            next_due=ctx.local(_next_dogn_due(ctx, mode, times, start)) if is_open else None,
            explanation=[_measure_text(ctx, trig, start, end, end_fact), how]
            + (["none recorded, and none came due before the measure ended"] if not (items or gaps or is_open) else []),
        ))
    return out


def _next_dogn_due(ctx: _Ctx, mode: str, times: Sequence[datetime], start: datetime) -> datetime:
    """When the next visit is due for a measure still in effect: 24 hours after the last visit
    (or the start), or by the end of the day after the last visit's (or the start's) day."""
    last = times[-1] if times else start
    if mode == "rolling":
        return last + _DAY
    return ctx.cal(end_of_local_day, last.astimezone(ctx.tz).date() + _DAY, ctx.tz)


def _expected_or_found_longer(trig: EventFact, end: datetime, threshold: timedelta) -> tuple[bool, bool]:
    """(expected from the start to last longer, found to last longer) than ``threshold``."""
    expected_end = getattr(trig.event, "expected_end", None)
    expected = expected_end is not None and expected_end - trig.at > threshold
    return expected, end - trig.at > threshold


def _daily_sum(ctx: _Ctx, timing: DailySumTiming) -> list[Obligation]:
    """Minutes of the fulfilling events on each local day of the measure reach the required amount."""
    term = ctx.facts.profile.terms[timing.minutes]
    assert isinstance(term, CountTerm)
    partial = ctx.facts.profile.settings.partial_days
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        is_open = end_fact is None
        if timing.applies_if_longer_than is not None:
            expected, found = _expected_or_found_longer(trig, end, timing.applies_if_longer_than)
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
            got = sum(f.record.get("minutes", 0) for f in items[bisect_left(times, a): bisect_left(times, b)])
            if got < need_s:
                gaps.append(build(Gap, kind="day", start=ctx.local(a), end=ctx.local(b), length=b - a,
                                status=Status.BREACHED if got < need_l else Status.CONTESTED,
                                minutes=got, required_minutes=need_s))
        out.append(_measure_obligation(
            ctx, trig, end_fact, item_ids, gaps, start=start, end=end, is_open=is_open,
            terms=[ctx.term_use(timing.minutes)],
            explanation=[_measure_text(ctx, trig, start, end, end_fact),
                         f"partial first and last days: {partial} (profile setting partial_days); "
                         "a contact counts on the day it began; a day still running is not judged"],
        ))
    return out


def _measure_deadline(ctx: _Ctx, timing: MeasureDeadlineTiming) -> list[Obligation]:
    """For a measure expected or found to exceed ``longer_than``: fulfil within ``within`` when
    expected from the start, and in any case by the time ``longer_than`` has passed."""
    corr = _Correlated(ctx, ctx.facts_for("fulfil"))
    out = []
    for trig in ctx.triggers():
        start, end, end_fact = _measure_span(ctx, trig)
        expected, found_long = _expected_or_found_longer(trig, end, timing.longer_than)
        if not (expected or found_long):
            continue
        latest = start + timing.longer_than
        terms = []
        if expected:
            d = _due_after(ctx, timing.within, start)
            due, due_lenient = min(d.strict, latest), min(d.lenient, latest)
            if d.term:
                terms.append(d.term)
            why = (f"expected from the start to last more than {iso_duration(timing.longer_than)}: due "
                   f"{d.words} after the start, at the latest {ctx.fmt(latest)}")
        else:
            due = due_lenient = latest
            why = f"lasted more than {iso_duration(timing.longer_than)}: due by {ctx.fmt(latest)}"
        found = corr.first(trig, start, None)
        status, lateness = _deadline_status(due, due_lenient, found.at if found else None, ctx.facts.as_of, False)
        ob_id = ctx.ob_id(trig)
        ctx.uses.add(trig.id, ob_id, "trigger")
        if found is not None:
            ctx.uses.add(found.id, ob_id, "fulfilment")
        out.append(ctx.obligation(
            trig, status=status, trigger_event_ids=[trig.id],
            window=build(Window, opens=ctx.local(start), due=ctx.local(due), due_lenient=ctx.local(due_lenient)),
            fulfilled_by=[found.id] if found else [], lateness=lateness, terms=terms,
            explanation=[_measure_text(ctx, trig, start, end, end_fact), why],
        ))
    return out


_KINDS = {
    DeadlineTiming: _deadline,
    BeforeCloseTiming: _before_close,
    CheckTiming: _check,
    PermissionTiming: _permission,
    RecurringLooksTiming: _recurring_looks,
    ContinuousCoverTiming: _continuous_cover,
    PerDayTiming: _per_day,
    PerDognTiming: _per_dogn,
    DailySumTiming: _daily_sum,
    MeasureDeadlineTiming: _measure_deadline,
}
