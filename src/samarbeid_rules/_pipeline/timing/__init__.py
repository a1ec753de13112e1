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
:mod:`.common`, which imports no kind module.

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
from ..facts import Facts
from ..report import Obligation
from .before_close import _before_close
from .check import _check
from .common import Classification, Uses, _Ctx
from .continuous_cover import _continuous_cover
from .daily_sum import _daily_sum
from .deadline import _deadline
from .measure_deadline import _measure_deadline
from .per_day import _per_day
from .per_dogn import _per_dogn
from .permission import _permission
from .recurring_looks import _recurring_looks

__all__ = ["resolve_rule", "Uses"]


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
