"""Deadlines, recurrences and statuses: where a duty's timing is decided.

This package is the only place that reasons about time. It takes the facts
(events in time order, measures), the engine's classification (which events
trigger, fulfil or close which rule) and the profile, and computes every
obligation in virtual time: "now" is ``as_of``, never the wall clock.

One module per timing kind of the rule language (``docs/rule-files.md``),
named after the kind; :func:`resolve_rule` sends each rule to its kind's
function through the table at the end of this module. What the kinds share
(the per-rule context, bounds, correlation by ``same`` / ``responds_to``,
measure spans, gaps, local days and the deadline statuses) is in
:mod:`.common`, which imports no kind module. What depends on a rule file
and its rule set alone (its key, in-force stretches, the fields its
obligations share, its patterns compiled for correlation and near misses,
the files whose triggers replace its own) is its plan, worked out once per
rule set in :mod:`.plan`, not once per timeline.

====================  =========================  ==============================================
kind                  module                     what it judges
====================  =========================  ==============================================
``deadline``          :mod:`.deadline`           fulfil within a bound after the trigger (a
                                                 profile term, a duration, or working days), or
                                                 by a date before a date on the trigger
                                                 (calendar months or a lead-time term), with a
                                                 bound from the trigger when that date came too
                                                 late; a later trigger may replace an earlier
                                                 one; a closing event ends the chance to fulfil
``before_close``      :mod:`.before_close`       fulfil at any time before the closing event
                                                 (release)
``check``             :mod:`.check`              each trigger must itself meet conditions
                                                 (prohibitions such as staff handing out
                                                 medication)
``permission``        :mod:`.permission`         each trigger is allowed only under a statutory
                                                 exception recorded on it, or a permitting
                                                 measure (consent) in effect at that instant
                                                 and covering its recipient
``recurring_looks``   :mod:`.recurring_looks`    longest time between looks in the daytime
                                                 window (or around the clock) and a minimum
                                                 count each night
``continuous_cover``  :mod:`.continuous_cover`   every moment of the measure covered (up to an
                                                 age)
``per_day``           :mod:`.per_day`            a fulfilling event on every local calendar day
``per_dogn``          :mod:`.per_dogn`           once per døgn (rolling 24 h or calendar day,
                                                 by profile)
``daily_sum``         :mod:`.daily_sum`          minutes of fulfilling events per local day
``measure_deadline``  :mod:`.measure_deadline`   for a measure expected or found to last long:
                                                 a deadline from its start
====================  =========================  ==============================================

Every position is found by bisection on sorted lists; nothing scans pairs of
events, so the cost grows linearly with the timeline. (One walk is not a
bisection: ``permission`` goes back from each disclosure through the consents
given before it until one covers the recipient.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from ..._inputs.ruleset import LoadedRule, RuleSet
from ..._inputs.rules import (
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
from ..facts import EventFact, Facts
from ..report import NotInForce, Obligation
from .before_close import _before_close
from .check import _check
from .common import Classification, Uses, _Ctx, _spans_in_force
from .continuous_cover import _continuous_cover
from .daily_sum import _daily_sum
from .deadline import _deadline
from .measure_deadline import _measure_deadline
from .per_day import _per_day
from .per_dogn import _per_dogn
from .permission import _permission
from .plan import plan_of
from .recurring_looks import _recurring_looks

__all__ = ["MEASURE_KINDS", "judges", "not_in_force", "not_in_force_record", "resolve_rule", "Uses"]


def resolve_rule(loaded: LoadedRule, rule_set: RuleSet, facts: Facts, cls: Classification, uses: Uses) -> list[Obligation]:
    """All obligations of one rule on one timeline."""
    if not cls.get((loaded.rule_id, "trigger")):
        return []  # nothing triggered this rule: the common case, kept cheap
    ctx = _Ctx(loaded, facts, cls, uses, rule_set, plan_of(loaded, rule_set))  # the plan: once per rule set
    timing = loaded.rule.timing
    kind = _KINDS.get(type(timing))
    if kind is None:  # pragma: no cover - the loader admits no other kind
        raise AssertionError(type(timing))
    # What the kind judges: the parts of the triggers' measures in force (kinds judged day by day),
    # else the triggers on whose local date the rule is in force. None: no obligation to give.
    judged = ctx.measure_parts() if isinstance(timing, MEASURE_KINDS) else ctx.triggers()
    if not judged:
        return []
    return kind(ctx, timing, judged)


#: the kinds judged day by day over a measure (the others by their trigger's date)
MEASURE_KINDS = (RecurringLooksTiming, ContinuousCoverTiming, PerDayTiming, PerDognTiming, DailySumTiming)


def judges(rule_set: RuleSet, loaded: LoadedRule, f: EventFact, facts: Facts) -> bool:
    """The rule judges trigger ``f``: it is in force on its local date, or, for a kind judged day by
    day, on some day of its measure."""
    tz = facts.tz
    if not isinstance(loaded.rule.timing, MEASURE_KINDS):
        return rule_set.in_force_on(loaded, f.at.astimezone(tz).date())
    pair = facts.measures[f.event.measure_id]
    end: datetime = facts.by_id[pair.end.id].at if pair.end is not None else facts.as_of
    return bool(_spans_in_force(f.at, end, rule_set.in_force[loaded.rule_id], tz))


def not_in_force_record(rule_set: RuleSet, loaded: LoadedRule, day: date) -> NotInForce:
    """Why ``loaded`` judges nothing on ``day``: the next basis to come into force, or the last
    to go out of force."""
    bases = [rule_set.basis(b) for b in loaded.rule.bases]
    later = [b for b in bases if b.start.day > day]
    if later:
        first = min(later, key=lambda b: b.start.day)
        return NotInForce(loaded.rel, loaded.rule.key, "not_yet_in_force", first.id, first.start.day,
                          first.start.assumed)
    last = max((b for b in bases if b.end is not None), key=lambda b: b.end.day)  # type: ignore[union-attr]
    assert last.end is not None
    return NotInForce(loaded.rel, loaded.rule.key, "no_longer_in_force", last.id, last.end.day, last.end.assumed)


def not_in_force(rule_set: RuleSet, facts: Facts, cls: Classification) -> dict[int, tuple[NotInForce, ...]]:
    """Event position → the rule files for which it was a trigger outside their in-force dates, where no
    rule file of the same duty (and part) judged it."""
    by_id = rule_set.by_id
    tried: dict[int, dict[str, list[LoadedRule]]] = {}
    judged: set[tuple[int, str]] = set()
    ordered = facts.ordered
    first_day = ordered[0].at.astimezone(facts.tz).date() if ordered else None
    for (rule_id, role), positions in cls.items():
        if role != "trigger" or not positions:
            continue
        loaded = by_id[rule_id]
        periods = rule_set.in_force[rule_id]
        key = loaded.rule.key
        if len(periods) == 1 and periods[0][1] is None and first_day is not None and periods[0][0] <= first_day:
            # in force from before the first event to this day: every trigger is judged
            judged.update((pos, key) for pos in positions)
            continue
        for pos in positions:
            if judges(rule_set, loaded, facts.ordered[pos], facts):
                judged.add((pos, key))
            else:
                tried.setdefault(pos, {}).setdefault(key, []).append(loaded)
    out: dict[int, tuple[NotInForce, ...]] = {}
    for pos, by_key in tried.items():
        day = facts.ordered[pos].at.astimezone(facts.tz).date()
        records = [
            not_in_force_record(rule_set, loaded, day)
            for key, rules in sorted(by_key.items()) if (pos, key) not in judged
            for loaded in sorted(rules, key=lambda r: r.rule_id)
        ]
        if records:
            out[pos] = tuple(records)
    return out


#: each timing kind's function (each takes the context, its own timing and what it judges)
_KINDS: dict[type, Callable[..., list[Obligation]]] = {
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
