"""Two institution checks of catalog section F: the activity plans (001 §5.2.4) and early notice of
changes to partner agencies (000 §4.2).

Judged in :func:`.institution.check_institution`, which adds the legal bases each finding rests on.

- ``org.activity_plans`` (*skal*): "Kriminalomsorgen skal utarbeide planer for aktivisering,
  meningsfull menneskelig kontakt og fysisk aktivitet som er tilpasset rutiner og rammer i
  fengselet." Each of the three elements needs a plan that covers it, is adapted to the prison's
  routines (``adapted_to_routines``) and is current: adopted or reviewed within the staleness window
  (the same parameter as the routines', a policy choice, not law). An element without such a plan
  is ``breached``; one whose only plan is stale is ``contested`` (whether a plan is still "current"
  is a reading of the window, not of the sentence); a plan not adapted to the routines does not
  count.
- ``org.early_change_notice`` (*skal*): "Kriminalomsorgen skal tidlig informere om endringer som vil
  få konsekvenser for samarbeidende etaters muligheter til å tilby tjenester til domfelte eller
  innsatte." For each change (decided on or before ``as_of``) and each agency it affects: the first
  notice to that agency, given on or after the day the change was decided and before the day it
  takes effect, is judged against the profile's lead-time term ``tidlig_foer_endring`` before the
  day it takes effect (strict 30 days, lenient 14); where the change was decided later than the
  strict lead allows, the profile term ``saa_tidlig_som_praktisk_mulig`` from the day it was decided
  applies instead (never later than the day before it takes effect). A notice by the strict day is
  ``fulfilled``, by the lenient one ``contested``, later but before the change takes effect
  ``fulfilled_late``; none before it takes effect ``breached``; none yet, ``due`` (or ``contested``
  / ``breached`` once the day has passed). The worst agency's status is the finding's.
"""

from __future__ import annotations

from datetime import date, timedelta

from .._inputs.institution import ActivityPlan, Institution, PlanElement
from .._inputs.profile import DurationTerm, LeadTimeTerm, Profile
from .._inputs.rules import Citation
from .._pipeline.report import Status, term_use, worst
from .._common.errors import ProfileError
from .institution_report import ChangeFinding, InstitutionFinding, PlanFinding

__all__ = ["ORG_CITATIONS", "SAA_TIDLIG", "TIDLIG", "check_activity_plans", "check_change_notices"]

#: the profile terms org.early_change_notice reads
TIDLIG = "tidlig_foer_endring"
SAA_TIDLIG = "saa_tidlig_som_praktisk_mulig"

#: the documents' titles, in these checks' citations and in :mod:`.institution`'s
_TITLE_000 = "Retningslinjer til straffegjennomføringsloven § 4 (forvaltningssamarbeid)"
_TITLE_001 = (
    "Rundskriv om samarbeid mellom kriminalomsorgen og helse- og omsorgstjenesten om innsatte "
    "med rusmiddelproblemer og/eller psykiske plager og lidelser (2025)"
)
_CITE_PLANS = Citation(
    document="001",
    title=_TITLE_001,
    section="5.2.4",
    text=(
        "Kriminalomsorgen skal utarbeide planer for aktivisering, meningsfull menneskelig kontakt og "
        "fysisk aktivitet som er tilpasset rutiner og rammer i fengselet."
    ),
)
_CITE_CHANGES = Citation(
    document="000",
    title=_TITLE_000,
    section="4.2",
    statute="straffegjennomføringsloven § 4",
    text=(
        "Kriminalomsorgen skal tidlig informere om endringer som vil få konsekvenser for samarbeidende "
        "etaters muligheter til å tilby tjenester til domfelte eller innsatte."
    ),
)

#: what each of these checks cites (the sentence check counts them as judged)
ORG_CITATIONS: dict[str, tuple[Citation, ...]] = {
    "org.activity_plans": (_CITE_PLANS,),
    "org.early_change_notice": (_CITE_CHANGES,),
}


# org.activity_plans ---------------------------------------------------------------


def check_activity_plans(inst: Institution, day: date, stale_from: date) -> InstitutionFinding:
    elements: list[PlanFinding] = []
    used: set[str] = set()
    explanation: list[str] = []
    for element in PlanElement:
        plans = [p for p in inst.activity_plans if element in p.covers and p.last_confirmed(day) is not None]
        adapted = [p for p in plans if p.adapted_to_routines]
        for p in plans:
            if not p.adapted_to_routines:
                explanation.append(f"plan {p.id} not counted for {element.value}: not adapted to the prison's "
                                   "routines and frames")
        if not adapted:
            elements.append(PlanFinding(element=element, status=Status.BREACHED, reason="missing",
                                        plan_ids=sorted(p.id for p in plans),
                                        explanation="no plan adapted to the prison's routines covers it"))
            continue
        best: ActivityPlan = max(adapted, key=lambda p: (p.last_confirmed(day), p.id))
        confirmed = best.last_confirmed(day)
        assert confirmed is not None
        used.update(p.id for p in adapted)
        if confirmed < stale_from:
            elements.append(PlanFinding(
                element=element, status=Status.CONTESTED, reason="stale", plan_ids=sorted(p.id for p in adapted),
                last_confirmed=confirmed,
                explanation=f"plan {best.id} last adopted or reviewed {confirmed.isoformat()}, before "
                            f"{stale_from.isoformat()} (staleness window): whether it is current is contested"))
        else:
            elements.append(PlanFinding(
                element=element, status=Status.FULFILLED, reason="current", plan_ids=sorted(p.id for p in adapted),
                last_confirmed=confirmed,
                explanation=f"plan {best.id} last adopted or reviewed {confirmed.isoformat()}"))
    later = sorted(p.id for p in inst.activity_plans if p.last_confirmed(day) is None)
    if later:
        explanation.append(f"adopted after as_of, not counted: {', '.join(later)}")
    status = worst([e.status for e in elements], Status.FULFILLED)
    missing = [e.element.value for e in elements if e.reason == "missing"]
    stale = [e.element.value for e in elements if e.reason == "stale"]
    explanation.insert(0, f"{sum(e.reason == 'current' for e in elements)} of {len(elements)} elements have a "
                          "current plan adapted to the prison's routines")
    if missing:
        explanation.append(f"missing: {', '.join(missing)}")
    if stale:
        explanation.append(f"stale: {', '.join(stale)}")
    return InstitutionFinding(
        duty_id="org.activity_plans",
        title="Plans for activation, meaningful human contact and physical activity, adapted to the prison",
        modality="skal", actor="KO", status=status, breach=status.is_breach,
        reason="missing" if missing else "stale" if stale else "current",
        record_ids=sorted(used), plans=elements, explanation=explanation, citation=_CITE_PLANS,
    )


# org.early_change_notice ------------------------------------------------------------


def _terms(profile: Profile) -> tuple[LeadTimeTerm, DurationTerm]:
    lead, later = profile.terms.get(TIDLIG), profile.terms.get(SAA_TIDLIG)
    if not isinstance(lead, LeadTimeTerm):
        raise ProfileError(f"org.early_change_notice needs a lead_time term {TIDLIG!r}", path=profile.citation(),
                           field=f"terms.{TIDLIG}")
    if not isinstance(later, DurationTerm):
        raise ProfileError(f"org.early_change_notice needs a duration term {SAA_TIDLIG!r}",
                           path=profile.citation(), field=f"terms.{SAA_TIDLIG}")
    return lead, later


def _days(td: timedelta) -> int:
    """A bound as whole days (a date check): a part of a day rounds up."""
    return td.days + (1 if td - timedelta(days=td.days) else 0)


def check_change_notices(inst: Institution, day: date, profile: Profile) -> InstitutionFinding:
    lead, later = _terms(profile)
    results: list[ChangeFinding] = []
    used: list[str] = []
    explanation: list[str] = []
    for change in sorted(inst.changes, key=lambda c: (c.decided, c.id)):
        if change.decided > day:
            explanation.append(f"change {change.id} decided after as_of, not judged")
            continue
        last = change.takes_effect - timedelta(days=1)  # "before the change takes effect"
        strict_mark = change.takes_effect - timedelta(days=_days(lead.strict))
        lenient_mark = change.takes_effect - timedelta(days=_days(lead.lenient))
        late_strict = change.decided + timedelta(days=_days(later.strict))
        late_lenient = change.decided + timedelta(days=_days(later.lenient))
        if late_strict <= strict_mark:
            due, due_lenient, how = strict_mark, max(lenient_mark, late_lenient), "by the strict lead"
        else:
            due, due_lenient, how = late_strict, max(late_lenient, lenient_mark), "decided late: as early as practicable"
        due, due_lenient = min(due, last), min(due_lenient, last)
        for agency in change.affects:
            notices = sorted((n for n in inst.change_notices if n.change == change.id and n.agency is agency
                              and change.decided <= n.date <= day), key=lambda n: (n.date, n.id))
            first = next((n for n in notices if n.date <= last), None)
            if first is not None:
                used.append(first.id)
                status = (Status.FULFILLED if first.date <= due else Status.CONTESTED if first.date <= due_lenient
                          else Status.FULFILLED_LATE)
                words = f"told {first.date.isoformat()} ({first.id})"
            elif day > last:
                status = Status.BREACHED
                words = "not told before the change took effect" + (
                    f" (told only on {notices[0].date.isoformat()}, {notices[0].id})" if notices else "")
            else:
                status = Status.DUE if day <= due else Status.CONTESTED if day <= due_lenient else Status.BREACHED
                words = "not told yet"
            results.append(ChangeFinding(
                change_id=change.id, agency=agency, status=status, due=due, due_lenient=due_lenient,
                notice_id=first.id if first is not None else None, explanation=(
                    f"takes effect {change.takes_effect.isoformat()}, decided {change.decided.isoformat()}: due by "
                    f"{due.isoformat()} (lenient {due_lenient.isoformat()}, {how}); {words}")))
    status = worst([r.status for r in results], Status.FULFILLED)
    explanation.insert(0, f"{len(results)} agency notice(s) of {len({r.change_id for r in results})} change(s); "
                          f"tidlig: {lead.bounds_text()} the day it takes effect, or {SAA_TIDLIG} "
                          f"({later.bounds_text()}) after it was decided")
    return InstitutionFinding(
        duty_id="org.early_change_notice",
        title="Partner agencies are told early of changes that affect their services to inmates",
        modality="skal", actor="KO", status=status, breach=status.is_breach,
        reason="no_changes" if not results else status.value,
        record_ids=sorted({*used, *(r.change_id for r in results)}), changes=results,
        terms=[term_use(TIDLIG, lead), term_use(SAA_TIDLIG, later)],
        explanation=explanation, citation=_CITE_CHANGES,
    )
