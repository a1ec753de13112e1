"""``Monitor``: one case, fed event by event, for case systems.

A case system records events as they happen and wants, after each one, the
work that is due soon. :class:`Monitor` keeps the events of one case and
answers two questions at any instant ``as_of``:

- :meth:`Monitor.report` -- exactly what :func:`evaluate` returns for a
  :class:`Timeline` made of the events added so far (it calls it);
- :meth:`Monitor.worklist` -- the open obligations due within a horizon, as
  :class:`WorkItem` rows sorted by due time.

The monitor's timeline lists the events in **canonical order**: by instant;
at one instant an admission or the start of a measure first; then by event
id. The report is therefore a function of the set of events
added, whatever order they arrived in. An event that sorts before the latest
one already added is accepted and inserted at its place: the monitor then
holds what it would hold had the events arrived in order. The events after
it keep their derived records and roles (age depends on an event's own
instant, the custody kind on the admissions before it) and move one place
on, so the cost grows with the number of events after it, not with the
whole timeline; only a late admission, which changes the custody kind of
the events after it, re-derives everything. :meth:`Monitor.add` says when
an event's instant is earlier than the latest (``out_of_order``, in its
:class:`AddResult`), and also when the event lies at or before an ``as_of``
already reported for (``affects_reported``): an earlier report or worklist
would now read differently.

Speed. ``report`` re-evaluates (it is the reference). ``worklist`` does not:
the monitor keeps, incrementally, every event's derived record (age, custody
kind) and the roles the engine gives it, and resolves each rule only over the
events that play a role in it. For a recurring-looks duty it passes only the
looks of ``as_of``'s local day: a work item depends on the next look due and
on the current stretch without looks, both decided inside that day's daytime
window (windows are same-day by the profile's validation). Every other
timing kind is resolved over all its role events up to ``as_of``. Recurring
looks and continuous cover are reused too, until the first instant a stretch
without looks or cover may pass a bound (:meth:`Monitor._moving_until`);
:meth:`Monitor.open_work` gives every open item with the instant until which
they hold. A rule
whose work items change only at known instants or with its inputs keeps its
result until then; its inputs change when an event is added in one of its
roles, a measure named by one of its role events ends, or an event is added
that it reads without a role (an extension, a measure its triggers must be
made during, the role events of the other files of its chain: :class:`_ExtraInputs`);
nothing else reaches its obligations. The tests check, on generated timelines, that the
result equals the work list derived from :func:`evaluate`'s report
(:func:`.worklist.worklist_from_report`).

Longer than 600 lines: one class whose incremental state (event records and
roles, measure ends, cached rule results and their expiry) is read and kept
consistent by every method; split apart, each piece would need the others'
invariants.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .._common.calendar import birthday_instant, local_instant, zone
from .._pipeline.compile import CompiledRules
from .._pipeline.engines import get_engine
from .._common.errors import TimelineError, quoted
from .._pipeline.evaluate import _as_of, check_profile_terms, evaluate, prepare_rules, resolve_profile
from .._pipeline.facts import EventFact, Facts, derive_facts, tie_rank
from .._inputs.profile import Profile
from .._pipeline.report import Obligation, Report
from .._inputs.rules import (
    BeforeCloseTiming,
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
from .._inputs.timeline import shown_id
from .._inputs.timeline import (
    EVENT_TYPES,
    Admitted,
    MeasurePair,
    Person,
    Timeline,
    _MeasureEnd,
    _MeasureStart,
    validate_timeline,
)
from .._pipeline.timing import Uses, resolve_rule
from .._pipeline.timing.plan import plan_of
from .worklist import WorkItem, by_rule_file, latest_by_rule_file, open_item, work_items, worklist_from_report

__all__ = ["AddResult", "Monitor", "WorkItem", "worklist_from_report"]  # WorkItem and worklist_from_report: from .worklist

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
_EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
_EVENT_CLASSES = tuple(EVENT_TYPES.values())

def _us(t: datetime) -> int:
    """An aware instant as integer microseconds since the epoch (cheap to compare)."""
    return (t - _EPOCH) // _US


def _us_length(d: timedelta) -> int:
    return d // _US


def _key(event: Any) -> tuple[int, int, str]:
    """Canonical order, the one :func:`evaluate` uses (:func:`.._pipeline.facts.canonical_key`): by
    instant; at one instant admissions and measure starts first; then by id."""
    return (_us(event.at), tie_rank(event), event.id)


@dataclass(frozen=True, slots=True)
class AddResult:
    """What :meth:`Monitor.add` did with an event (an invalid event raises instead)."""

    event_id: str
    accepted: bool = True
    #: earlier than the latest event already added
    out_of_order: bool = False
    #: at or before an ``as_of`` already given to ``report`` or ``worklist``
    affects_reported: bool = False


_FOREVER = 2**62  #: µs: no instant of a timeline comes near it
#: kinds whose work items change only at known instants (deadlines, days) or
#: with new events; their results are reused until then
_STABLE_KINDS = (
    DeadlineTiming,
    BeforeCloseTiming,
    CheckTiming,
    PermissionTiming,
    PerDayTiming,
    PerDognTiming,
    DailySumTiming,
    MeasureDeadlineTiming,
)
#: kinds whose work items change with ``as_of`` alone (a stretch without looks or cover growing past a
#: bound); their results are reused until the first instant at which one may turn (_moving_until)
_MOVING_KINDS = (RecurringLooksTiming, ContinuousCoverTiming)
#: stable kinds whose reused results expire at local midnight. Not daily sums: a
#: new day only judges the day before, and a daily sum's work item does not read
#: its day gaps (they are never ongoing, and it has no due or next-due instant);
#: it is there while the measure is in effect, the duty applies and no fulfilling
#: event has come (see worklist.open_item). Resolving every day of a long measure again
#: at each midnight was the costliest step of a work list.
_EXPIRE_AT_MIDNIGHT = (PerDayTiming, PerDognTiming, MeasureDeadlineTiming)


class _ExtraInputs:
    """What reaches a rule's obligations besides its own role events and the spans of the measures
    those name (worked out once per rule set):

    - an event of a ``measure_deadline`` or ``daily_sum`` rule's ``extended_by`` type (an exclusion's
      later expected end): the rule reads it for its measure (whether and when the measure is expected
      to last long), though it plays no role in it. Kept as the pseudo-role ``extension`` and passed
      to the rule;
    - the start of a measure of a type a trigger pattern must be made ``during`` (and, through it, that
      measure's end): whether a trigger counts depends on it. Kept as the pseudo-role ``during``, only
      to count a change of input (the rule reads measures from all of them);
    - a ``deadline`` rule with ``superseded_by_next_trigger`` is judged in one chain with the other files
      of its duty (and part) that set it (a release date set under one circular and changed under
      another): their role events are its inputs too (``siblings``);
    - the measures a recurring-looks rule is fulfilled by (continuous supervision): a cover begun before
      the day resolved still covers it while it lasts (``cover_types``). Their starts that fulfil the
      rule are kept in the pseudo-role ``cover`` too, so that the covers are found without a walk
      through every look.
    """

    def __init__(self, rule_set: RuleSet) -> None:
        self.extension: dict[str, tuple[str, ...]] = {}  # event type -> rule ids
        self.during: dict[str, tuple[str, ...]] = {}  # measure start type -> rule ids
        self.siblings: dict[str, tuple[str, ...]] = {}  # rule id -> the other rule ids of its chain
        self.cover_types: dict[str, frozenset[str]] = {}  # rule id -> fulfilling measure start types
        extension: dict[str, set[str]] = {}
        during: dict[str, set[str]] = {}
        for r in rule_set.rules:
            t = r.rule.timing
            ext = getattr(t, "extended_by", None)
            if isinstance(t, (MeasureDeadlineTiming, DailySumTiming)) and ext:
                extension.setdefault(ext, set()).add(r.rule_id)
            for pat in r.rule.trigger:
                for d in pat.during:
                    during.setdefault(d.event, set()).add(r.rule_id)
            plan = plan_of(r, rule_set)
            if plan.replacing:  # the files judged in one chain with it
                self.siblings[r.rule_id] = tuple(o.rule_id for o in plan.replacing)
            if isinstance(t, RecurringLooksTiming) and plan.cover_types:
                self.cover_types[r.rule_id] = plan.cover_types
        self.extension = {k: tuple(sorted(v)) for k, v in extension.items()}
        self.during = {k: tuple(sorted(v)) for k, v in during.items()}

    def roles(self, model: Any, classified: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        """The pseudo-roles of ``model``: (rule id, ``extension``), (rule id, ``during``) and, given
        the roles it was ``classified`` in, (rule id, ``cover``)."""
        kind = getattr(model, "type", None)
        out = [(rid, "extension") for rid in self.extension.get(kind, ())]
        if isinstance(model, _MeasureStart):
            out += [(rid, "during") for rid in self.during.get(kind, ())]
            out += [(rid, "cover") for rid, role in classified
                    if role == "fulfil" and kind in self.cover_types.get(rid, ())]
        return out


class Monitor:
    """The events of one case, fed one at a time, with its report and work list at any instant.

    ``person`` is a :class:`Person` or a mapping (``{"id": ..., "birth_date": ...}``).
    ``rules``, ``profile`` and ``engine`` are as for :func:`evaluate` and are
    compiled once. A monitor is safe to share between threads (calls are
    serialised by a lock).
    """

    def __init__(
        self,
        case_id: str,
        person: Person | Mapping[str, Any],
        prison_id: str | None = None,
        *,
        rules: RuleSet | CompiledRules | str | Path | None = None,
        profile: Profile | str | Path | Mapping[str, Any] | None = None,
        engine: str = "native",
    ) -> None:
        head: dict[str, Any] = {"case_id": case_id, "person": person, "events": []}
        if prison_id is not None:
            head["prison_id"] = prison_id
        empty = validate_timeline(head, source="<monitor>")
        self.case_id: str = empty.case_id
        self.prison_id: str | None = empty.prison_id
        self.person: Person = empty.person
        self._head = {"case_id": self.case_id, "prison_id": self.prison_id, "person": self.person}
        self._rules = prepare_rules(rules)
        self._profile = resolve_profile(profile)
        check_profile_terms(self._rules, self._profile)
        self._engine_name = engine
        self._engine = get_engine(engine)
        self._tz = zone(self._profile.settings.timezone)
        self._stub = Timeline.model_construct(**self._head, events=[])
        rule_set = self._rules.rule_set
        self._rule_set = rule_set
        # per rule, once: (rule, duty id, is a deadline duty, its results are reused until they can change)
        self._plan: tuple[tuple[LoadedRule, str, bool, bool], ...] = tuple(
            (r, r.rule_id, isinstance(r.rule.timing, DeadlineTiming),
             isinstance(r.rule.timing, (*_STABLE_KINDS, *_MOVING_KINDS)))
            for r in rule_set.rules
        )
        self._by_rule_file = by_rule_file(rule_set)
        self._extra = _ExtraInputs(rule_set)
        # per rule, once: local midnight of each day a basis of it comes into or goes out of force, and
        # the microsecond after (µs, sorted; see _stable_until)
        self._in_force_edges: dict[str, tuple[int, ...]] = {
            r.rule_id: tuple(sorted(
                edge + n
                for period in rule_set.in_force[r.rule_id]
                for day in period if day is not None
                for edge in (_us(local_instant(day, time(0), self._tz)),)
                for n in (0, 1)
            ))
            for r in rule_set.rules
        }
        self._lock = threading.RLock()
        self._reported_upto: int | None = None  # latest as_of reported for, in µs
        self._report_cache: tuple[int, int, Report] | None = None
        self._version = 0
        self._reset()

    # --- state ---------------------------------------------------------------

    def _reset(self) -> None:
        self._events: list[Any] = []  # validated models, canonical order
        self._keys: list[tuple[int, int, str]] = []  # canonical sort keys (_key), parallel to _events
        self._facts: list[EventFact] = []  # parallel to _events
        self._by_id: dict[str, EventFact] = {}
        self._measures: dict[str, MeasurePair] = {}
        self._measure_end_us: dict[str, int] = {}  # measure id -> its end in µs, once recorded
        # event id -> measure id, for a doctor's statement added before the measure it names started
        self._pending: dict[str, str] = {}
        # the admissions, in canonical order, and their keys (to find the custody in force anywhere)
        self._admissions: list[Any] = []
        self._admission_keys: list[tuple[int, int, str]] = []
        # (duty, role) -> facts in canonical order, and their instants in µs
        self._role_facts: dict[tuple[str, str], list[EventFact]] = {}
        self._role_times: dict[tuple[str, str], list[int]] = {}
        # measure id -> the duties in which an event naming the measure plays a role
        # (the measure's span, read from its end, is one of their inputs)
        self._measure_duties: dict[str, set[str]] = {}
        # duty -> a count that changes whenever the duty's inputs do: an event added
        # in one of its roles, or the end of a measure named by one of its role events
        self._rule_version: dict[str, int] = {}
        # rule -> (rule version, from µs, until µs, obligations): the obligations
        # of a rule whose work items cannot change before "until" (findings no
        # work item reads, such as a daily sum's day gaps, may be out of date);
        # a deadline rule with nothing open after its last role event stays so
        # until its version changes (until = _FOREVER, no obligations kept)
        self._stable: dict[str, tuple[int, int, int, list[Obligation]]] = {}
        # the same for stretches judged ahead (open_work(served=False)), kept apart so that a look
        # ahead does not push out the present's; either is reused where it holds
        self._stable_ahead: dict[str, tuple[int, int, int, list[Obligation]]] = {}
        # (rule id, local day) -> the day's fixed edges in µs (see _day_edges; they depend on no event)
        self._edges_memo: dict[tuple[str, date], list[int]] = {}

    # --- persistence ---------------------------------------------------------------

    @classmethod
    def from_events(
        cls,
        case_id: str,
        person: Person | Mapping[str, Any],
        prison_id: str | None = None,
        events: Iterable[Any] = (),
        *,
        rules: RuleSet | CompiledRules | str | Path | None = None,
        profile: Profile | str | Path | Mapping[str, Any] | None = None,
        engine: str = "native",
    ) -> Monitor:
        """A monitor holding ``events`` (models or mappings, in any order), as if each had been added.

        The events are validated together as a timeline (a :class:`TimelineError` names the event's
        position in ``events``) and the derived state is built in one pass, not replayed event by
        event. Its reports and work lists are those of a monitor fed the same events one at a time.
        """
        mon = cls(case_id, person, prison_id, rules=rules, profile=profile, engine=engine)
        given = list(events)
        if given:
            models = validate_timeline({**mon._head, "events": given}, source=mon.case_id).events
            ordered = sorted(models, key=_key)
            mon._rebuild(ordered, [_key(m) for m in ordered])
            mon._version += 1
        return mon

    def snapshot(self) -> dict[str, Any]:
        """The monitor as JSON-ready data: its case, its events (canonical order) and the latest
        ``as_of`` reported for. :meth:`restore` gives a monitor that reports and flags as this one."""
        with self._lock:
            upto = None if self._reported_upto is None else (_EPOCH + self._reported_upto * _US).isoformat()
            return {
                "snapshot": 1,
                "case_id": self.case_id,
                "prison_id": self.prison_id,
                "person": self.person.model_dump(mode="json"),
                "events": [e.model_dump(mode="json") for e in self._events],
                "reported_upto": upto,
            }

    @classmethod
    def restore(
        cls,
        snapshot: Mapping[str, Any],
        *,
        rules: RuleSet | CompiledRules | str | Path | None = None,
        profile: Profile | str | Path | Mapping[str, Any] | None = None,
        engine: str = "native",
    ) -> Monitor:
        """The monitor a :meth:`snapshot` was taken of (with the same rules, profile and engine)."""
        if not isinstance(snapshot, Mapping) or snapshot.get("snapshot") != 1:
            raise TimelineError("not a monitor snapshot (format 1)", source="<snapshot>")
        mon = cls.from_events(
            snapshot.get("case_id"), snapshot.get("person"), snapshot.get("prison_id"), snapshot.get("events") or (),
            rules=rules, profile=profile, engine=engine,
        )
        upto = snapshot.get("reported_upto")
        if upto is not None:
            mon._note_reported(_as_of(upto, mon._stub))
        return mon

    @property
    def events(self) -> tuple[Any, ...]:
        """The events added so far, in canonical order (instant; admissions and starts first; id)."""
        return tuple(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def timeline(self) -> Timeline:
        """The events added so far as a validated :class:`Timeline` (canonical order)."""
        with self._lock:
            return Timeline(**self._head, events=list(self._events))

    # --- adding events ---------------------------------------------------------

    def add(self, event: Any) -> AddResult:
        """Add one event (an event model, or a mapping validated as one).

        Raises :class:`TimelineError` naming the event if it is invalid on its
        own or together with the events already added (duplicate id, unknown
        measure, end before start, ...); the monitor is then unchanged.
        """
        with self._lock:
            model = self._validate(event)
            key = _key(model)
            latest = self._keys[-1][0] if self._keys else None
            out_of_order = latest is not None and key[0] < latest
            affects = self._reported_upto is not None and key[0] <= self._reported_upto
            if not self._keys or key > self._keys[-1]:
                self._append(model, key)
            else:
                self._insert(model, key)
            if isinstance(model, _MeasureStart):
                self._resolve_pending(model)
            self._version += 1
            return AddResult(model.id, True, out_of_order, affects)

    def _validate(self, event: Any) -> Any:
        if isinstance(event, _EVENT_CLASSES):
            raw_id: Any = event.id
            ref = getattr(event, "measure_id", None)
            answers = getattr(event, "responds_to", None)
        elif isinstance(event, Mapping):
            raw_id = event.get("id")
            ref = event.get("measure_id")
            answers = event.get("responds_to")
        else:
            raise TimelineError(
                f"an event must be an event model or a mapping, not {type(event).__name__}",
                source=self.case_id,
            )
        event_id = raw_id if isinstance(raw_id, str) else None
        if event_id is not None and event_id in self._by_id:
            raise TimelineError("duplicate event id", source=self.case_id, event_id=event_id, field="id")
        # Validate the event together with what the structural checks relate it to: its measure's
        # start and end, and the event it answers (with that event's measure).
        related: list[Any] = []

        def add(ev: Any) -> None:
            if all(r is not ev for r in related):
                related.append(ev)

        def add_measure(mid: Any) -> None:
            pair = self._measures.get(mid) if isinstance(mid, str) else None
            if pair is not None:
                add(pair.start)
                if pair.end is not None:
                    add(pair.end)

        add_measure(ref)
        if isinstance(answers, str) and answers in self._by_id:
            target = self._by_id[answers].event
            add_measure(getattr(target, "measure_id", None))
            add(target)
        candidate: Any = event
        pending = False
        if shown_id(ref) is not None and ref not in self._measures and self._may_precede(event):
            # A doctor's statement may come before the measure it names starts (evaluate accepts it
            # so): checked without the reference, which the measure's start resolves later.
            pending = True
            candidate = {k: v for k, v in event.items() if k != "measure_id"} if isinstance(event, Mapping) \
                else event.model_copy(update={"measure_id": None})
        try:
            tl = validate_timeline({**self._head, "events": [*related, candidate]}, source=self.case_id)
        except TimelineError as exc:
            problem = exc.problem
            if exc.event_id is not None and exc.event_id != event_id:
                problem = f"{problem} (with event {quoted(exc.event_id)} already added)"
            raise TimelineError(problem, source=self.case_id, event_id=event_id, field=exc.field) from None
        model = tl.events[-1]
        if pending:
            # Held without the reference (it counts for any measure, as an unset measure_id does)
            # until the measure starts; then it gets it back (see add).
            self._pending[model.id] = ref
        return model

    @staticmethod
    def _may_precede(event: Any) -> bool:
        if isinstance(event, Mapping):
            kind = event.get("type")  # not yet validated: any JSON value (a dict is unhashable)
            cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
        else:
            cls = type(event)
        return bool(cls is not None and getattr(cls, "may_precede_measure", False))

    def _resolve_pending(self, started: Any) -> None:
        """A measure started that earlier events named before it began: give them their reference back."""
        waiting = [eid for eid, ref in self._pending.items() if ref == started.measure_id]
        if not waiting:
            return
        for eid in waiting:
            del self._pending[eid]
        events = [
            ev.model_copy(update={"measure_id": started.measure_id}) if ev.id in waiting else ev for ev in self._events
        ]
        self._rebuild(events, list(self._keys))

    def _admitted_before(self, key: tuple[int, int, str]) -> Any:
        """The last admission before ``key`` in canonical order (its custody kind is in force there), or None."""
        j = bisect_left(self._admission_keys, key)
        return self._admissions[j - 1] if j else None

    def _record_fact(self, model: Any, index: int, admitted: Any) -> EventFact:
        """The derived record of ``model`` at canonical position ``index`` (via derive_facts).

        ``admitted`` is the last admission before it in canonical order (None if there is none):
        the record's age depends only on the event's own instant, its custody kind only on that.
        """
        mini = [model] if admitted is None else [admitted, model]
        facts = derive_facts(self._stub.model_copy(update={"events": mini}), _EARLIEST, self._profile)
        return facts.after_as_of[-1].replace(index=index)

    def _append(self, model: Any, key: tuple[int, int, str]) -> None:
        fact = self._record_fact(model, len(self._events), self._admitted_before(key))
        classified = list(self._engine.classify_facts(self._rules, [fact]))
        roles = [*classified, *self._extra.roles(model, classified)]
        self._events.append(model)
        self._keys.append(key)
        self._facts.append(fact)
        self._by_id[model.id] = fact
        for dr in roles:
            self._role_facts.setdefault(dr, []).append(fact)
            self._role_times.setdefault(dr, []).append(key[0])
        self._note_inputs(model, {duty for duty, _ in roles})
        self._note_measure(model, key)

    def _note_inputs(self, model: Any, duties: set[str]) -> None:
        """Count a change of input for each duty ``model`` plays a role in and, if it ends a measure,
        for each duty in which an event naming that measure plays a role (the measure's span changes).

        A duty judged in one chain with other rule files (:class:`_ExtraInputs` ``siblings``) counts
        their changes too. ``duties`` includes the pseudo-roles of ``_ExtraInputs.roles`` (an
        extension, a measure start a trigger must be made during). Nothing else reaches a duty's
        obligations: they are resolved from its role events, those, the spans
        of the measures those events name, and the records of those events (which an event added
        later changes only if it is an admission before them, and that rebuilds everything).
        """
        for duty in duties:
            for linked in (duty, *self._extra.siblings.get(duty, ())):
                self._rule_version[linked] = self._rule_version.get(linked, 0) + 1
        ref = getattr(model, "measure_id", None)
        if ref is None:
            return
        named = self._measure_duties.setdefault(ref, set())
        named.update(duties)
        if isinstance(model, _MeasureEnd):
            for duty in named - duties:
                for linked in (duty, *self._extra.siblings.get(duty, ())):
                    self._rule_version[linked] = self._rule_version.get(linked, 0) + 1

    def _note_measure(self, model: Any, key: tuple[int, int, str]) -> None:
        """Record a measure start or end, or an admission (in canonical order)."""
        if isinstance(model, Admitted):
            j = bisect_left(self._admission_keys, key)
            self._admission_keys.insert(j, key)
            self._admissions.insert(j, model)
        ref = getattr(model, "measure_id", None)
        if ref is None:
            return
        if isinstance(model, _MeasureStart):
            self._measures[ref] = MeasurePair(model.measure_kind, model, None)
        elif isinstance(model, _MeasureEnd):
            pair = self._measures[ref]
            self._measures[ref] = MeasurePair(pair.kind, pair.start, model)
            self._measure_end_us[ref] = _us(model.at)

    def _insert(self, model: Any, key: tuple[int, int, str]) -> None:
        """An event before the latest, at canonical position ``i``: work proportional to the events after it.

        The events after ``i`` keep their records (age depends on an event's own instant, custody kind
        on the admissions before it) and so their roles; they move one place on (new facts with
        ``index + 1``). The new event gets its record and roles as an appended one would. An admission
        changes the custody kind of the events after it, so it rebuilds everything instead.
        """
        i = bisect_left(self._keys, key)
        if isinstance(model, Admitted):
            self._rebuild([*self._events[:i], model, *self._events[i:]], [*self._keys[:i], key, *self._keys[i:]])
            return
        fact = self._record_fact(model, i, self._admitted_before(key))
        classified = list(self._engine.classify_facts(self._rules, [fact]))
        roles = [*classified, *self._extra.roles(model, classified)]
        moved = [f.replace(index=f.index + 1) for f in self._facts[i:]]
        self._events.insert(i, model)
        self._keys.insert(i, key)
        self._facts[i:] = [fact, *moved]
        self._by_id[model.id] = fact
        for f in moved:
            self._by_id[f.id] = f
        for dr, facts in self._role_facts.items():
            times = self._role_times[dr]
            p = self._first_at_or_after(facts, times, key[0], i)
            facts[p:] = [self._facts[f.index + 1] for f in facts[p:]]
            if dr in roles:
                facts.insert(p, fact)
                times.insert(p, key[0])
        for dr in roles:
            if dr not in self._role_facts:  # the first event in this role
                self._role_facts[dr] = [fact]
                self._role_times[dr] = [key[0]]
        self._note_inputs(model, {duty for duty, _ in roles})
        self._note_measure(model, key)

    @staticmethod
    def _first_at_or_after(facts: list[EventFact], times: list[int], at_us: int, index: int) -> int:
        """The position in a (duty, role) list of its first fact at canonical position ``index`` or later.

        ``times`` are the facts' instants (µs); a fact at position ``index`` or later is at ``at_us`` or later.
        """
        p = bisect_left(times, at_us)
        while p < len(facts) and facts[p].index < index:
            p += 1  # at the same instant but earlier in canonical order
        return p

    def _rebuild(self, events: list[Any], keys: list[tuple[int, int, str]]) -> None:
        facts = derive_facts(self._stub.model_copy(update={"events": events}), _EARLIEST, self._profile)
        ordered = list(facts.after_as_of)  # all events, canonical order, index = position
        cls = {dr: list(ps) for dr, ps in self._engine.classify_facts(self._rules, ordered).items()}
        of: dict[int, list[tuple[str, str]]] = {}  # position -> the roles it was classified in
        for dr, positions in cls.items():
            for p in positions:
                of.setdefault(p, []).append(dr)
        for p, ev in enumerate(events):
            for dr in self._extra.roles(ev, of.get(p, ())):
                cls.setdefault(dr, []).append(p)
        pending = self._pending
        self._reset()
        self._pending = pending
        self._events, self._keys, self._facts = events, keys, ordered
        self._by_id = {f.id: f for f in ordered}
        for dr, positions in cls.items():
            self._role_facts[dr] = [ordered[p] for p in positions]
            self._role_times[dr] = [keys[p][0] for p in positions]
            for p in positions:
                ref = getattr(events[p], "measure_id", None)
                if ref is not None:
                    self._measure_duties.setdefault(ref, set()).add(dr[0])
        for ev, key in zip(events, keys):
            self._note_measure(ev, key)

    # --- reading -----------------------------------------------------------------

    def _when(self, as_of: datetime | str | None) -> datetime:
        if as_of is None and self._events:
            return self._events[-1].at
        return _as_of(as_of, self._stub)

    def _note_reported(self, when: datetime) -> None:
        upto = _us(when)
        if self._reported_upto is None or upto > self._reported_upto:
            self._reported_upto = upto

    def report(self, as_of: datetime | str | None = None) -> Report:
        """Exactly ``evaluate(self.timeline(), as_of=as_of, ...)`` with the monitor's rules, profile and engine.

        ``as_of`` defaults to the latest event's instant, as in :func:`evaluate`.
        """
        with self._lock:
            when = self._when(as_of)
            self._note_reported(when)
            key = (self._version, _us(when))
            if self._report_cache is not None and self._report_cache[:2] == key:
                return self._report_cache[2]
            rep = evaluate(
                self.timeline(), as_of=when, rules=self._rules, profile=self._profile, engine=self._engine_name
            )
            self._report_cache = (*key, rep)
            return rep

    def worklist(self, as_of: datetime | str | None = None, horizon: timedelta = timedelta(hours=24)) -> list[WorkItem]:
        """Open obligations due by ``as_of + horizon`` (overdue ones included), sorted by due time.

        Equal to ``worklist_from_report(self.report(as_of), horizon=horizon)``,
        computed without building the report.
        """
        with self._lock:
            when = self._when(as_of)
            self._note_reported(when)
            obligations, _ = self._open_obligations(when)
            return work_items(obligations, self._by_rule_file, when.astimezone(self._tz), horizon)

    def open_work(
        self, as_of: datetime | str | None = None, *, served: bool = True
    ) -> tuple[list[WorkItem], datetime | None]:
        """Every open work item at ``as_of`` (no horizon), and an instant before which, with no further
        event added, the items at any later ``as_of`` are the same (``None``: never).

        ``worklist(t, horizon)`` for ``as_of <= t < until`` is then the items due by ``t + horizon``:
        a caller that asks often at moving instants (a prison's work list) filters instead of asking.

        ``served=False``: a look ahead, not an answer given to anyone (the service judges a case's
        next stretch before it is asked for): ``as_of`` does not count as reported (a later event
        before it is not flagged ``affects_reported``), and what the monitor keeps of each rule's
        stretch for reuse is kept beside the present's, not in its place.
        """
        with self._lock:
            when = self._when(as_of)
            if served:
                self._note_reported(when)
            obligations, until = self._open_obligations(when, keep=served)
            unbounded = datetime.max.replace(tzinfo=timezone.utc) - when.astimezone(timezone.utc)
            items = work_items(obligations, self._by_rule_file, when.astimezone(self._tz), unbounded)
            return items, None if until >= _FOREVER else _EPOCH + until * _US

    def _open_obligations(self, when: datetime, keep: bool = True) -> tuple[list[Obligation], int]:
        """The obligations the work list at ``when`` is made of, and the first instant (µs) at which,
        with no further event, they may read differently (``keep``: each rule's stretch is kept
        as the present's for reuse; otherwise as a look ahead's)."""
        upto = _us(when)
        kept = self._stable if keep else self._stable_ahead  # where this call's stretches are kept
        obligations: list[Obligation] = []
        nxt = bisect_left(self._keys, (upto + 1,))  # the next event: a rule without a trigger may get one
        until = self._keys[nxt][0] if nxt < len(self._keys) else _FOREVER
        # Every timing kind is worked out per rule from that rule's role
        # events; recurring looks and continuous cover have shortcuts.
        last_of: dict[str, int] | None = None  # duty -> its latest role event (µs), once per call
        for loaded, duty, deadline, stable in self._plan:
            trigger_times = self._role_times.get((duty, "trigger"))
            if not trigger_times or trigger_times[0] > upto:
                continue  # no trigger yet: no obligation (the common case, kept cheap)
            version = self._rule_version.get(duty, 0)
            cached = self._stable.get(duty)
            if cached is None or cached[0] != version or not cached[1] <= upto < cached[2]:
                cached = self._stable_ahead.get(duty)
            if cached is not None and cached[0] == version and cached[1] <= upto < cached[2]:
                obligations.extend(cached[3])
                until = min(until, cached[2])
                continue  # nothing that could change its work items has happened
            facts, cls = self._rule_facts(loaded, when)
            if not cls.get((duty, "trigger")):
                continue  # every obligation comes from a trigger (a measure that starts is an event)
            found = resolve_rule(loaded, self._rule_set, facts, cls, Uses(recording=False))  # a work list needs no account of events
            obligations.extend(found)
            rule_until = upto + 1  # a kind not reused: may differ at the next microsecond
            if stable:
                rule_until = (
                    self._moving_until(duty, loaded, found, when, upto)
                    if isinstance(loaded.rule.timing, _MOVING_KINDS)
                    else self._stable_until(duty, loaded, found, when, upto)
                )
                kept[duty] = (version, upto, rule_until, found)
            if deadline:
                latest = latest_by_rule_file(found)
                if last_of is None:
                    last_of = {}
                    for (d, _), t in self._role_times.items():
                        if t and t[-1] > last_of.get(d, 0):
                            last_of[d] = t[-1]
                linked = (duty, *self._extra.siblings.get(duty, ()))
                last_role = max((last_of.get(d, 0) for d in linked), default=0)
                if upto >= last_role and not any(open_item(o, loaded, latest) for o in found):
                    kept[duty] = (version, upto, _FOREVER, [])  # nothing open, nor will be
            until = min(until, rule_until)
        return obligations, until

    def _stable_until(self, duty: str, loaded: LoadedRule, found: list[Obligation], when: datetime, upto: int) -> int:
        """The first instant (µs) at which the rule's work items, from its obligations as computed at
        ``when``, may read differently: a deadline or next-due instant passing, a new local day for
        some per-day kinds (``_EXPIRE_AT_MIDNIGHT``), the long-measure mark, or the next event after
        ``when`` (of any kind: it may be this rule's)."""
        limits: list[int] = []
        for o in found:
            for t in (o.window.due, o.window.due_lenient, o.next_due):
                # a status turns the moment as_of passes a deadline (as_of > t)
                if t is not None and _us(t) >= upto:
                    limits.append(_us(t) + 1)
        timing = loaded.rule.timing
        if isinstance(timing, _EXPIRE_AT_MIDNIGHT):
            tomorrow = when.astimezone(self._tz).date() + timedelta(days=1)
            limits.append(_us(local_instant(tomorrow, time(0), self._tz)))
        long_mark = (
            timing.longer_than if isinstance(timing, MeasureDeadlineTiming)
            else timing.applies_if_longer_than if isinstance(timing, DailySumTiming)
            else None
        )
        if long_mark is not None:  # a measure found to last long starts to count then
            for f in self._role_facts.get((duty, "trigger"), ()):
                mark = _us(f.at + long_mark) + 1
                if mark > upto:
                    limits.append(mark)
        # a basis coming into or going out of force starts or ends obligations at local midnight of
        # that day, with no event (a measure judged day by day gains the days of a new circular)
        edges = self._in_force_edges[loaded.rule_id]  # at midnight, and just past it
        later = bisect_right(edges, upto)
        if later < len(edges):
            limits.append(edges[later])
        nxt = bisect_left(self._keys, (upto + 1,))
        if nxt < len(self._keys):
            limits.append(self._keys[nxt][0])
        return min(limits, default=_FOREVER)

    def _moving_until(self, duty: str, loaded: LoadedRule, found: list[Obligation], when: datetime, upto: int) -> int:
        """For recurring looks and continuous cover: an instant (µs) before which no work item of the
        rule, from its obligations as computed at ``when``, can read differently. Conservative: every
        instant at which a stretch without looks (or cover) that began at an anchor may pass its strict
        or lenient bound, every window edge and midnight of the day and the next, the 18th-birthday end
        of a duty, and whatever :meth:`_stable_until` counts (deadlines, next-due instants, the next event).

        An anchor is any instant a stretch can start from: the measure's start, local midnight (the
        day is resolved from midnight), a window's start, or a role event (or the end of a cover)
        within the lenient bound before ``when``; one further back has passed both bounds already.
        """
        timing = loaded.rule.timing
        tz = self._tz
        bound = timing.day_max_gap if isinstance(timing, RecurringLooksTiming) else timing.max_gap
        if bound.duration is not None:
            lengths = (_us_length(bound.duration), _us_length(bound.duration))
        else:
            term = self._profile.terms[bound.term]
            lengths = (_us_length(term.strict), _us_length(term.lenient))
        edges = self._day_edges(loaded, when.astimezone(tz).date())
        anchors = [*edges, *(_us(o.window.opens) for o in found)]
        for role in ("trigger", "fulfil", "close"):  # an event at ``when`` itself
            times = self._role_times.get((duty, role), ())
            anchors += times[bisect_left(times, upto) : bisect_right(times, upto)]
        anchors += self._stretch_starts(duty, loaded, upto, upto - max(lengths))
        anchors += self._cover_ends(duty, upto, upto - max(lengths))
        # an anchor itself too: a look at ``when`` ends the stretch before it only once ``as_of`` is past it
        candidates = [*anchors, *(a + n for a in anchors for n in lengths)]
        # the first instant past ``upto`` of each candidate and the microsecond after it
        soonest = min((c if c > upto else c + 1 for c in candidates if c >= upto), default=_FOREVER)
        return min(soonest, self._stable_until(duty, loaded, found, when, upto))

    def _day_edges(self, loaded: LoadedRule, day: date) -> list[int]:
        """The fixed instants (µs) at which a recurring-looks or cover rule's stretch may change on
        ``day`` and the next: both midnights, the daytime window's edges (strict and lenient), and
        the end of a duty at an age. Worked out once per rule and day (they depend on nothing else)."""
        key = (loaded.rule_id, day)
        edges = self._edges_memo.get(key)
        if edges is not None:
            return edges
        timing, tz = loaded.rule.timing, self._tz
        days = (day, day + timedelta(days=1))
        edges = [_us(local_instant(d, time(0), tz)) for d in days]
        if isinstance(timing, RecurringLooksTiming) and timing.day_window is not None:
            window = self._profile.terms[timing.day_window]
            for win in (window.strict, window.lenient):
                edges += [_us(local_instant(d, t, tz)) for d in days for t in (win.start, win.end)]
        if isinstance(timing, ContinuousCoverTiming) and timing.until_age is not None:
            leap = self._profile.settings.leap_day_birthday
            edges.append(_us(birthday_instant(self.person.birth_date, timing.until_age, tz, leap)))
        self._edges_memo[key] = edges
        return edges

    def _stretch_starts(self, duty: str, loaded: LoadedRule, upto: int, lookback: int) -> list[int]:
        """The instants (µs, after ``lookback``) at which a stretch without looks or cover ongoing at
        ``upto`` can have begun, besides the measure's start and the day's edges.

        Looks tied to their measure by ``measure_id`` alone: the last look of each measure, the last
        without a measure and the last of all. Cover: the furthest end of a cover by then (the stretch
        since the furthest cover ended). Any other correlation: every role event and cover end since
        ``lookback`` (a stretch that began before it has passed both bounds already).
        """
        times = self._role_times.get((duty, "fulfil"), ())
        facts = self._role_facts.get((duty, "fulfil"), ())
        hi = bisect_right(times, upto)
        tight = all(
            set(p.same) <= {"measure_id"} and not p.responds_to and p.lookback is None and not p.where
            for p in loaded.rule.fulfilled_by
        )
        if isinstance(loaded.rule.timing, ContinuousCoverTiming):
            ends = [self._measure_end_us.get(getattr(f.event, "measure_id", None) or "") for f in facts[:hi]]
            past = [e for e in ends if e is not None and lookback <= e <= upto]
            return [max(past)] if tight and past else past
        if not tight:
            out: list[int] = []
            for role in ("trigger", "fulfil", "close"):
                t = self._role_times.get((duty, role), ())
                out += t[bisect_left(t, lookback) : bisect_right(t, upto)]
            return out
        last: dict[Any, int] = {}
        for f, t in zip(facts[bisect_left(times, lookback) : hi], times[bisect_left(times, lookback) : hi]):
            last[getattr(f.event, "measure_id", None)] = t
        return [*last.values(), *times[hi - 1 : hi]]

    def _day_start(self, when: datetime) -> datetime:
        """The local midnight a daytime recurring-looks rule is resolved from at ``when``: that of the day
        of the instant just before it. At midnight itself that is the day before: the measure resolved from
        that midnight, not from ``when`` (a measure of no length, which a cover begun before it could not
        cover: the next look would read as due the next morning)."""
        return local_instant((when - _US).astimezone(self._tz).date(), time(0), self._tz)

    def _cover_ends(self, duty: str, upto: int, lookback: int) -> list[int]:
        """For recurring looks fulfilled by a cover too (continuous supervision): the ends (µs, from
        ``lookback`` to ``upto``) of the covers begun by ``upto`` -- a stretch without looks starts there."""
        times = self._role_times.get((duty, "cover"), ())
        facts = self._role_facts.get((duty, "cover"), ())
        ends = (
            self._measure_end_us.get(getattr(f.event, "measure_id", None) or "")
            for f in facts[: bisect_right(times, upto)]
        )
        return [e for e in ends if e is not None and lookback <= e <= upto]

    def _rule_facts(self, loaded: LoadedRule, when: datetime) -> tuple[Facts, dict[tuple[str, str], list[int]]]:
        """Facts holding only the events of ``loaded`` that can change a work item at ``when``.

        Deadline duties get all their role events (few). A recurring-looks or
        continuous-cover duty can only have a work item while its measure is
        in effect, so only triggers of measures still open at ``when`` are
        kept, and:

        - recurring looks: the next look due and the current stretch without
          looks are decided inside ``when``'s local day (daytime windows are
          same-day), so the measure is resolved as if it began at the later
          of its start and local midnight, with the looks since then;
        - continuous cover: whether the measure is uncovered now, and since
          when, depends only on the cover that reaches furthest among those
          begun before ``when`` (and a cover exists at all iff that one does).
        """
        duty = loaded.rule_id
        upto = _us(when)
        timing = loaded.rule.timing
        measures = self._measures_at(when, upto)
        picked: dict[int, EventFact] = {}
        per_role: dict[tuple[str, str], list[EventFact]] = {}
        # a rule judged in one chain with its siblings reads their role events too (see _ExtraInputs)
        wanted = [(duty, role) for role in ("trigger", "fulfil", "close", "extension")]
        wanted += [(rid, role) for rid in self._extra.siblings.get(duty, ()) for role in ("trigger", "fulfil", "close")]
        for rid, role in wanted:
            times = self._role_times.get((rid, role))
            if not times:
                continue
            lo, hi = 0, bisect_right(times, upto)
            facts = self._role_facts[(rid, role)]
            if rid != duty:
                chosen = facts[lo:hi]
            elif isinstance(timing, (RecurringLooksTiming, ContinuousCoverTiming)):
                if role == "trigger":
                    chosen = [f for f in facts[:hi] if measures[f.event.measure_id].end is None]
                    if isinstance(timing, RecurringLooksTiming) and timing.day_window is not None:
                        # Daytime gaps restart each day: only today matters.
                        midnight = self._day_start(when)
                        chosen = [
                            f if f.at >= midnight else f.replace(at=midnight)
                            for f in chosen
                        ]
                elif role == "fulfil" and isinstance(timing, RecurringLooksTiming) and timing.day_window is None:
                    chosen = facts[lo:hi]  # around the clock: a gap may span midnight
                elif role == "fulfil" and isinstance(timing, RecurringLooksTiming):
                    midnight_us = _us(self._day_start(when))
                    since = bisect_left(times, midnight_us)
                    # a cover (continuous supervision) begun before midnight covers today while it lasts
                    cover_times = self._role_times.get((duty, "cover"), ())
                    earlier = self._role_facts.get((duty, "cover"), [])[: bisect_left(cover_times, midnight_us)]
                    chosen = earlier + facts[since:hi]
                elif role == "fulfil":
                    chosen = self._furthest_cover(facts[: bisect_left(times, upto)], upto)
                else:
                    chosen = facts[lo:hi]
            else:
                chosen = facts[lo:hi]
            if chosen:
                per_role[(rid, role)] = chosen
                for f in chosen:
                    picked[f.index] = f
        order = sorted(picked)
        pos = {idx: p for p, idx in enumerate(order)}
        cls = {dr: [pos[f.index] for f in fs] for dr, fs in per_role.items()}
        facts_out = Facts(
            timeline=self._stub,
            as_of=when,
            profile=self._profile,
            ordered=tuple(picked[i] for i in order),
            after_as_of=(),
            measures=MappingProxyType(measures),
            by_id=MappingProxyType(self._by_id),
        )
        return facts_out, cls

    def _measures_at(self, when: datetime, upto: int) -> Mapping[str, MeasurePair]:
        """The measures as they stand at ``when`` (an end after it has not happened)."""
        if not self._keys or upto >= self._keys[-1][0]:
            return self._measures
        measures: dict[str, MeasurePair] = {}
        for mid, pair in self._measures.items():
            # compared in µs (UTC): two instants sharing a ZoneInfo compare by wall clock
            if _us(pair.start.at) <= upto:
                if pair.end is not None and self._measure_end_us[mid] > upto:
                    pair = MeasurePair(pair.kind, pair.start, None)
                measures[mid] = pair
        return measures

    def _furthest_cover(self, covers: list[EventFact], upto: int) -> list[EventFact]:
        """The cover (begun before ``upto``) whose measure reaches furthest at ``upto``."""
        end_us = self._measure_end_us
        best: EventFact | None = None
        best_end = -1
        for f in covers:
            e = end_us.get(f.event.measure_id)
            if e is None or e > upto:
                e = upto
            if e >= best_end:
                best, best_end = f, e
        return [best] if best is not None else []
