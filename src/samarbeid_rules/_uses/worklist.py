"""Work lists: the open obligations of a report that are due within a horizon.

:func:`worklist_from_report` is the definition: an obligation is on the list
while it can still be met (not closed, not yet fulfilled; for a recurring or
continuous duty, its next look due or its ongoing gap), and its due instant
lies within ``horizon`` of the report's ``as_of``. :class:`.monitor.Monitor`
computes the same list incrementally, and the service serves it per case and
per prison.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .._inputs.ruleset import LoadedRule, RuleSet
from .._pipeline.compile import CompiledRules
from .._pipeline.evaluate import prepare_rules
from .._pipeline.report import Obligation, Report, Status

__all__ = ["WorkItem", "by_rule_file", "latest_by_rule_file", "open_item", "work_items", "worklist_from_report"]

#: what a work item asks for, by the event type that fulfils the duty
_WHAT = {
    "doctor_notified": "doctor must be notified",
    "supervision_look": "next look due",
    "continuous_supervision_started": "continuous supervision must be in place",
    "release_notice_sent": "health service must be told of the release",
}


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One open obligation that is due within the horizon.

    ``due`` is the strict deadline (``window.due``) of a deadline duty, the
    next look (``next_due``) of a recurring duty, and for a continuous duty
    the start of the stretch that is not covered. ``status`` is the state of
    this item at ``as_of``: ``due`` (not late), ``contested`` (late by the
    strict bound only) or ``breached`` (late by the lenient bound too). The
    obligation's overall status, which for a recurring duty also counts past
    gaps, is in :meth:`Monitor.report`.
    """

    obligation_id: str
    duty_id: str
    actor: str
    what: str
    due: datetime
    status: Status


def _what(loaded: LoadedRule) -> str:
    return _WHAT.get(loaded.rule.fulfilled_by[0].event) or loaded.rule.title


def latest_by_rule_file(obligations: Iterable[Obligation]) -> dict[str, Obligation]:
    """The latest obligation of each rule file (a duty, part and version)."""
    latest: dict[str, Obligation] = {}
    for o in obligations:
        cur = latest.get(o.rule_file)
        if cur is None or (o.window.opens, o.id) > (cur.window.opens, cur.id):
            latest[o.rule_file] = o
    return latest


def open_item(o: Obligation, loaded: LoadedRule, latest: Mapping[str, Obligation]) -> tuple[datetime, Status] | None:
    """(due, status) if ``o`` can still be met and so belongs on a work list, else None."""
    if o.window.closes is not None:
        return None
    if o.window.due is not None:
        if o.fulfilled_by:
            return None
        # For a duty whose later trigger replaces the earlier one (a changed
        # release date), only the latest trigger's obligation can still be met.
        if getattr(loaded.rule.timing, "superseded_by_next_trigger", False) and latest[o.rule_file] is not o:
            return None
        return o.window.due, o.status
    ongoing = [g for g in o.gaps if g.ongoing]
    if o.next_due is not None:
        return o.next_due, (ongoing[-1].status if ongoing else Status.DUE)
    if ongoing:
        return ongoing[-1].start, ongoing[-1].status
    if not o.fulfilled_by:
        return o.window.opens, Status.DUE
    return None  # covered at as_of


def work_items(
    obligations: Iterable[Obligation], rules: Mapping[str, LoadedRule], as_of: datetime, horizon: timedelta
) -> list[WorkItem]:
    obligations = list(obligations)
    latest = latest_by_rule_file(obligations)
    limit = as_of.astimezone(timezone.utc) + horizon  # elapsed time, also across DST
    out: list[WorkItem] = []
    for o in obligations:
        loaded = rules.get(o.rule_file)
        if loaded is None:
            continue
        item = open_item(o, loaded, latest)
        if item is not None and item[0] <= limit:
            out.append(WorkItem(o.id, o.duty_id, o.actor, _what(loaded), item[0], item[1]))
    out.sort(key=lambda w: (w.due, w.obligation_id))
    return out


def worklist_from_report(
    report: Report,
    *,
    horizon: timedelta = timedelta(hours=24),
    rules: RuleSet | CompiledRules | str | Path | None = None,
) -> list[WorkItem]:
    """The work list of an :func:`evaluate` report: its open obligations due within ``horizon`` of its ``as_of``.

    This is the definition :meth:`Monitor.worklist` computes incrementally.
    ``rules`` must be the rule set the report was made with (default: shipped).
    """
    compiled = prepare_rules(rules)
    return work_items(report.obligations, by_rule_file(compiled.rule_set), report.as_of, horizon)


def by_rule_file(rule_set: RuleSet) -> dict[str, LoadedRule]:
    return {r.rel: r for r in rule_set.rules}
