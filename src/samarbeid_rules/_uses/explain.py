"""``explain``: why a duty arose or did not, how its deadline was computed, what fulfilled it.

For every obligation of the duty: its trigger events and the conditions that
held, the legal bases it was judged under (with their dates, marked where a
date is assumed), the deadline computation (profile terms with their bounds,
calendar rules) and what fulfilled it or would have. For every event that
could have triggered the duty but did not: the condition that was not met,
or that no basis of the rule file was in force on its date (the next to come
into force, or the last to go, with its date).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from .._pipeline.compile import Matcher
from .._pipeline.evaluate import evaluate_with_facts, prepare_rules
from .._inputs.profile import iso_duration
from .._pipeline.report import BasisInfo, Obligation
from .._pipeline.timing import judges, not_in_force_record
from .._inputs.rules import DailySumTiming, MeasureDeadlineTiming
from .._inputs.ruleset import unknown_duty_text
from .._inputs.timeline import Timeline, load_timeline

__all__ = ["Explanation", "NotArisen", "explain"]


class NotArisen(BaseModel):
    """An event that could have triggered the duty, and why it did not."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    type: str
    rule_files: list[str]
    reasons: list[str]


class Explanation(BaseModel):
    """Everything ``explain`` found for one duty on one timeline."""

    model_config = ConfigDict(frozen=True)

    duty_id: str
    case_id: str
    as_of: datetime
    rule_files: list[str]
    trigger_events: list[str]
    fulfilling_events: list[str]
    obligations: list[Obligation]
    not_arisen: list[NotArisen]
    conditions_held: dict[str, list[str]] = {}
    #: the legal bases the obligations were judged under, with their dates
    bases: list[BasisInfo] = []

    def text(self) -> str:
        """A readable account."""
        lines = [f"{self.duty_id} on case {self.case_id}, as of {self.as_of.isoformat(timespec='minutes')}"]
        lines.append(f"  rule files: {', '.join(self.rule_files)}")
        lines.append(f"  arises on: {', '.join(self.trigger_events)}; fulfilled by: {', '.join(self.fulfilling_events)}")
        if not self.obligations:
            lines.append("  no obligation arose")
        for o in self.obligations:
            lines.append(f"  obligation {o.id}: {o.status.value}{' (breach)' if o.breach else ''}")
            lines.append(f"    why it arose: trigger {', '.join(o.trigger_event_ids)}"
                         f" (rule-set version {o.rule_set_version or 'none'}, {o.rule_file})")
            lines.append(f"    judged under: {', '.join(self._basis_text(b) for b in o.bases)}"
                         + ("  † rests on an assumed in-force date" if o.basis_dates_assumed else ""))
            for held in self.conditions_held.get(o.id, []):
                lines.append(f"    condition held: {held}")
            for e in o.explanation:
                lines.append(f"    {e}")
            for t in o.terms:
                lines.append(f"    profile term {t.term} ({', '.join(t.words)}): {t.bounds}")
            if o.window.due is not None:
                lines.append(f"    due {o.window.due.isoformat(timespec='minutes')}"
                             + (f", lenient {o.window.due_lenient.isoformat(timespec='minutes')}"
                                if o.window.due_lenient and o.window.due_lenient != o.window.due else ""))
            if o.fulfilled_by:
                shown = o.fulfilled_by if len(o.fulfilled_by) <= 5 else [*o.fulfilled_by[:2], "…", o.fulfilled_by[-1]]
                lines.append(f"    fulfilled by: {', '.join(shown)}")
            else:
                lines.append(f"    would have been fulfilled by: {', '.join(self.fulfilling_events)}")
            for g in o.gaps:
                lines.append(f"    gap {g.kind} {g.start.isoformat(timespec='minutes')} → "
                             f"{g.end.isoformat(timespec='minutes')} ({g.status.value})")
        for n in self.not_arisen:
            lines.append(f"  {n.event_id} ({n.type}) did not trigger it: {'; '.join(n.reasons)}")
        return "\n".join(lines) + "\n"

    def _basis_text(self, basis_id: str) -> str:
        info = next((b for b in self.bases if b.id == basis_id), None)
        if info is None:
            return basis_id
        until = f" to {info.in_force_until.isoformat()} (excl.)" if info.in_force_until else ""
        return f"{basis_id} (from {info.in_force_from.isoformat()}{until}{', assumed' if info.dates_assumed else ''})"


def explain(
    timeline: Timeline | str | Path | Mapping[str, Any],
    duty_id: str,
    *,
    as_of: datetime | str | None = None,
    rules=None,
    profile=None,
    engine: str = "native",
) -> Explanation:
    """Explain ``duty_id`` on ``timeline`` (see the module docstring)."""
    if not isinstance(timeline, Timeline):
        timeline = load_timeline(timeline)
    compiled = prepare_rules(rules)
    rule_set = compiled.rule_set
    loaded = rule_set.by_duty().get(duty_id)
    if not loaded:
        raise KeyError(unknown_duty_text(duty_id, rule_set.by_duty()))
    report, facts = evaluate_with_facts(timeline, as_of=as_of, rules=compiled, profile=profile, engine=engine)
    obligations = [o for o in report.obligations if o.duty_id == duty_id]
    triggered = {t for o in obligations for t in o.trigger_event_ids}
    not_arisen: list[NotArisen] = []
    held: dict[str, list[str]] = {}
    for o in obligations:
        trig = facts.by_id.get(o.trigger_event_ids[-1])
        rule = next((r for r in loaded if r.rel == o.rule_file), None)
        if trig is None or rule is None:
            continue
        for pat in rule.rule.trigger:
            conds = pat.conditions()
            if pat.event == trig.type and Matcher("", "", "", conds).matches(trig.record):
                held[o.id] = [f"{n} {op} {v!r} ({n} is {trig.record.get(n)!r})" for n, op, v in conds]
                break
    trigger_types = sorted({p.event for r in loaded for p in r.rule.trigger})
    fulfil_types = sorted({p.event for r in loaded for p in r.rule.fulfilled_by})
    for f in facts.ordered:
        if f.type not in trigger_types or f.id in triggered:
            continue
        reasons: list[str] = []
        files: set[str] = set()  # the rule files a reason was given for
        for r in loaded:
            for pat in r.rule.trigger:
                if pat.event != f.type:
                    continue
                files.add(r.rel)
                failed = [c for c in pat.conditions() if not Matcher("", "", "", (c,)).matches(f.record)]
                if failed:
                    for name, op, value in failed:
                        actual = f.record.get(name, "unset")
                        reasons.append(f"{r.rel}: condition {name} {op} {value!r} not met ({name} is {actual!r})")
                    continue
                day = f.at.astimezone(facts.tz).date()
                if not judges(rule_set, r, f, facts):
                    rec = not_in_force_record(rule_set, r, day)
                    when = "in force" if rec.reason == "not_yet_in_force" else "no longer in force"
                    reasons.append(
                        f"{r.rel}: no basis of the rule in force on {day.isoformat()} "
                        f"({', '.join(r.rule.bases)}); {rec.basis} {when} from {rec.date.isoformat()}"
                        + (" (assumed)" if rec.date_assumed else "")
                    )
                    continue
                t = r.rule.timing
                if isinstance(t, (DailySumTiming, MeasureDeadlineTiming)):
                    limit = t.applies_if_longer_than if isinstance(t, DailySumTiming) else t.longer_than
                    reasons.append(f"{r.rel}: the measure was neither expected nor found to last longer than "
                                   f"{iso_duration(limit)}")
                    continue
                reasons.append(f"{r.rel}: replaced by a later trigger before it was due or met")
        not_arisen.append(
            NotArisen(event_id=f.id, type=f.type, rule_files=sorted(files) or [loaded[0].rel], reasons=reasons)
        )
    return Explanation(
        duty_id=duty_id,
        case_id=report.case_id,
        as_of=report.as_of,
        rule_files=sorted(r.rel for r in loaded),
        trigger_events=trigger_types,
        fulfilling_events=fulfil_types,
        obligations=obligations,
        not_arisen=not_arisen,
        conditions_held=held,
        bases=[b for b in report.bases if any(b.id in o.bases for o in obligations)],
    )
