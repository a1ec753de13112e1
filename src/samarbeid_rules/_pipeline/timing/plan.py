"""What judging a rule file needs that depends only on the rule file and its rule set: worked out
once per rule set, not once per timeline.

Every timeline is judged by every rule file of the rule set; what does not
depend on the timeline (the rule's key, its in-force periods, the fields every
obligation of the rule shares, its patterns compiled for correlation and for
near misses, the rule files whose triggers replace its own) is a
:class:`RulePlan`, built here.

:func:`plan_of` gives a rule file's plan. The plans of a rule set are built
together the first time one is asked for, and kept as long as the rule set
object lives (keyed on its identity: a rule set is immutable, and
:meth:`~.._inputs.ruleset.RuleSet.only` or ``with_settings`` make new ones).
A plan is never changed once built, so evaluations in several threads share
it; what is worked out per evaluation stays in ``Facts.memo``. The report's form of a
profile term (:func:`term_use_of`) is kept the same way, once per profile object (profiles are
immutable too).
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from datetime import date, timedelta
from typing import Any, Callable, NamedTuple

from ..._inputs.bases import InForce
from ..._inputs.profile import Profile
from ..._inputs.rules import DeadlineTiming
from ..._inputs.ruleset import LoadedRule, RuleSet
from ..._inputs.timeline import EVENT_TYPES, _MeasureStart
from ..compile import Matcher
from ..report import TermUse, term_use

__all__ = ["InForceOn", "Link", "NearMissPattern", "RulePlan", "plan_of", "term_use_of"]


class Link(NamedTuple):
    """A fulfilling or closing pattern as correlation reads it: its event type, the (event field,
    trigger field) pairs that tie an event to a trigger (``same``, and ``responds_to`` against the
    trigger's ``id``), and its ``lookback``."""

    event: str
    pairs: tuple[tuple[str, str], ...]
    lookback: timedelta


def links(patterns: Any) -> tuple[Link, ...]:
    """The correlation of each pattern in ``patterns``."""
    out = []
    for pat in patterns:
        pairs = [(name, name) for name in pat.same]
        if pat.responds_to:
            pairs.append(("responds_to", "id"))
        out.append(Link(pat.event, tuple(pairs), getattr(pat, "lookback", None) or timedelta(0)))
    return tuple(out)


class NearMissPattern(NamedTuple):
    """A fulfilment pattern as near misses read it (:mod:`.near_misses`)."""

    event: str
    lookback: timedelta
    #: (field, operator, value, a matcher of that one condition; None for a dated ``in_value``)
    conditions: tuple[tuple[str, str, Any, Matcher | None], ...]
    same: tuple[str, ...]
    responds_to: bool


class InForceOn(NamedTuple):
    """What an obligation judged on one local day cites: the rule file's bases in force that day (in the
    rule file's order), whether a date of one of them is assumed, and the rule-set version in force."""

    bases: tuple[str, ...]
    assumed: bool
    version: str | None


class RulePlan:
    """One rule file of a rule set, with what every timeline's judging of it reads."""

    __slots__ = (
        "loaded", "rule", "rule_id", "key", "periods", "fixed",
        "dated_fulfil", "during_patterns", "fulfil_links", "close_links", "has_lookback", "cover_types",
        "near_miss_patterns",
        "replacing", "_marks", "_on_days",
    )

    def __init__(self, loaded: LoadedRule, rule_set: RuleSet) -> None:
        rule = loaded.rule
        self.loaded = loaded
        self.rule = rule
        self.rule_id = loaded.rule_id
        #: duty id, with the part if any: what obligation ids start with
        self.key: str = rule.key
        self.periods = rule_set.in_force[loaded.rule_id]
        #: the fields every obligation of this rule shares (read, never changed)
        self.fixed: dict[str, Any] = {
            "duty_id": rule.duty,
            "part": rule.part,
            "title": rule.title,
            "actor": rule.actor,
            "modality": rule.modality,
            "citation": rule.source,
            "rule_file": loaded.rel,
            "rule_set": rule_set.citation(),
        }
        #: fulfilment patterns with a condition read from a dated value, by event type
        self.dated_fulfil: dict[str, list[tuple[str, Any]]] = {}
        for p in rule.fulfilled_by:
            dated = [(name, value) for name, op, value in p.conditions() if op == "in_value"]
            if dated:
                self.dated_fulfil[p.event] = dated
        #: the trigger patterns with their matchers, where one has ``during`` (else None)
        self.during_patterns: tuple[tuple[Any, Matcher], ...] | None = (
            tuple((pat, Matcher("", "", "", pat.conditions())) for pat in rule.trigger)
            if any(p.during for p in rule.trigger) else None
        )
        self.fulfil_links = links(rule.fulfilled_by)
        self.close_links = links(rule.closed_by or ())
        #: a fulfilment may come before the trigger (a pattern has ``lookback``)
        self.has_lookback = any(p.lookback for p in rule.fulfilled_by)
        #: the fulfilling event types that start a measure (continuous supervision covering recurring looks)
        self.cover_types: frozenset[str] = frozenset(
            p.event for p in rule.fulfilled_by if issubclass(EVENT_TYPES[p.event], _MeasureStart)
        )
        self.near_miss_patterns = tuple(
            NearMissPattern(
                pat.event,
                getattr(pat, "lookback", None) or timedelta(0),
                tuple((name, op, value, None if op == "in_value" else Matcher("", "", "", ((name, op, value),)))
                      for name, op, value in pat.conditions()),
                tuple(pat.same),
                getattr(pat, "responds_to", False),
            )
            for pat in rule.fulfilled_by
        )
        #: with ``superseded_by_next_trigger`` (a deadline): the other rule files of the same duty (and
        #: part) that set it too, whose triggers replace this file's and are replaced by them
        self.replacing: tuple[LoadedRule, ...] = ()
        t = rule.timing
        if isinstance(t, DeadlineTiming) and t.superseded_by_next_trigger:
            self.replacing = tuple(
                other for other in rule_set.rules
                if other is not loaded and other.rule.key == self.key
                and isinstance(other.rule.timing, DeadlineTiming) and other.rule.timing.superseded_by_next_trigger
            )
        self._plan_days(rule_set)


    def on_day(self, day: date) -> InForceOn:
        """The bases, their assumed dates and the rule-set version of an obligation judged on ``day``."""
        return self._on_days[bisect_right(self._marks, day)]

    def _plan_days(self, rule_set: RuleSet) -> None:
        """The days on which the rule file's bases or the rule set's versions come into or go out of
        force cut time into stretches that cite the same; each stretch's citation, worked out once."""
        bases = rule_set.registry.bases
        ids = [*self.rule.bases, *(v.basis for v in rule_set.meta.versions)]
        marks = sorted({d for b in ids for d in _days_of(bases[b]) if d is not None})
        # A day of each stretch: the day before the first mark, then each mark.
        days = [marks[0] - timedelta(days=1) if marks and marks[0] > date.min else date.min, *marks]
        self._marks = marks
        self._on_days = []
        for day in days:
            cited = tuple(rule_set.bases_on(self.loaded, day))
            self._on_days.append(InForceOn(cited, any(bases[b].assumed for b in cited), rule_set.version_on(day)))


class ByIdentity:
    """Values worked out once per immutable input object (a rule set, a profile), kept as
    long as the object lives: keyed on its identity, with a weak reference that drops the entry when
    it goes (so an object need not be hashable). Each value is built whole before it is stored, so a
    thread that builds it too stores an equal one."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Any]] = {}

    def get(self, obj: Any, build: Callable[[Any], Any]) -> Any:
        """The value kept for ``obj``, built by ``build(obj)`` (and kept) the first time."""
        key = id(obj)
        entry = self._entries.get(key)
        if entry is None or entry[0]() is not obj:
            entry = (weakref.ref(obj, self._forget(key)), build(obj))
            self._entries[key] = entry
        return entry[1]

    def _forget(self, key: int) -> Any:
        return lambda _ref: self._entries.pop(key, None)


_PLANS = ByIdentity()  #: a rule set → its plans by rule id


def plan_of(loaded: LoadedRule, rule_set: RuleSet) -> RulePlan:
    """The plan of rule file ``loaded`` of ``rule_set`` (built once per rule set)."""
    plans = _PLANS.get(rule_set, lambda rs: {r.rule_id: RulePlan(r, rs) for r in rs.rules})
    plan = plans.get(loaded.rule_id)
    if plan is None or plan.loaded is not loaded:
        return RulePlan(loaded, rule_set)  # a rule file from outside the rule set: planned afresh
    return plan


_TERM_USES = ByIdentity()  #: a profile → its terms as reports cite them, by name (filled as used)


def term_use_of(profile: Profile, name: str) -> TermUse:
    """Profile term ``name`` as the report cites it (built once per profile)."""
    uses: dict[str, TermUse] = _TERM_USES.get(profile, lambda _p: {})
    use = uses.get(name)
    if use is None:
        use = uses.setdefault(name, term_use(name, profile.terms[name]))
    return use


def _days_of(basis: InForce) -> tuple[date, date | None]:
    """A basis's first day in force and its first day no longer in force (None: in force)."""
    end = basis.end
    return basis.start.day, (end.day if end is not None else None)
