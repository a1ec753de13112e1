"""Institution-level checks: a prison's routines, agreements and meetings judged.

Catalog section F (circular 001 §8.3–8.4, guidelines 000 §4.2) asks things of
a prison as an organisation. :func:`check_institution` judges its duties on
the prison's records (:class:`~.._inputs.institution.Institution`):

- ``org.routines`` (*bør*): a current routine for each of the topics;
- ``org.tripartite_agreement`` (*bør*): a tripartite agreement in force;
- ``org.local_meetings`` (*skal*): leader-level meetings with KHO and SHT,
  never further apart than the profile term ``jevnlig``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import Field

from .._common.calendar import zone
from .._common.errors import InstitutionError, ProfileError
from .._inputs.institution import AgreementKind, Institution, MeetingLevel, Party, RoutineTopic
from .._inputs.profile import DurationTerm, Profile, default_profile, iso_duration
from .._inputs.rules import Citation
from .._pipeline.report import ProfileRef, Status, TermUse, _Out, worst

__all__ = [
    "InstitutionFinding",
    "InstitutionParameters",
    "InstitutionReport",
    "MeetingGap",
    "RULES_EFFECTIVE_DEFAULT",
    "STALE_AFTER_DEFAULT",
    "TopicFinding",
    "check_institution",
    "latest_record_date",
]

STALE_AFTER_DEFAULT = relativedelta(years=2)

#: The date circular 001 took effect. ASSUMPTION: the text of 001 does not print
#: it; this mirrors the rule set setting ``circular_2025_effective``
#: (rules/ruleset.yaml). Override with ``rules_effective=``.
RULES_EFFECTIVE_DEFAULT = date(2025, 7, 1)

_JEVNLIG = "jevnlig"



# --- report --------------------------------------------------------------------


class TopicFinding(_Out):
    """``org.routines``: how one of the nine topics stands."""

    topic: RoutineTopic
    status: Status
    reason: Literal["current", "missing", "stale"]
    routine_ids: list[str] = Field(default_factory=list)
    last_confirmed: date | None = Field(None, description="Latest adoption or review on or before as_of.")
    explanation: str


class MeetingGap(_Out):
    """``org.local_meetings``: the time between two qualifying meetings, or from the last to as_of."""

    start: date
    end: date
    length: timedelta
    status: Status
    from_meeting: str
    to_meeting: str | None = Field(None, description="Unset for the gap from the last meeting to as_of.")
    ongoing: bool = False


class InstitutionFinding(_Out):
    """One duty of catalog section F, and how the prison stands."""

    duty_id: str
    title: str
    modality: Literal["skal", "bør"]
    actor: str
    status: Status
    breach: bool
    reason: str | None = Field(None, description="A short machine-readable reason for the status.")
    record_ids: list[str] = Field(default_factory=list, description="The records behind the finding.")
    topics: list[TopicFinding] = Field(default_factory=list)
    gaps: list[MeetingGap] = Field(default_factory=list)
    terms: list[TermUse] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)
    citation: Citation
    see_also: list[Citation] = Field(default_factory=list)


class InstitutionParameters(_Out):
    """The policy parameters a report relied on (not law)."""

    stale_after: str = Field(description="Staleness window of a routine, ISO 8601 (e.g. P2Y).")
    stale_from: date = Field(description="A routine last adopted or reviewed before this date is stale.")
    rules_effective: date
    rules_effective_note: str


class InstitutionReport(_Out):
    """The result of checking one prison's records."""

    prison_id: str
    as_of: date
    profile: ProfileRef
    parameters: InstitutionParameters
    findings: list[InstitutionFinding]
    summary: dict[str, int]

    @property
    def breaches(self) -> list[InstitutionFinding]:
        """Findings that are a breach of a duty (*skal*); a recommendation never is."""
        return [f for f in self.findings if f.breach]

    def finding(self, duty_id: str) -> InstitutionFinding:
        for f in self.findings:
            if f.duty_id == duty_id:
                return f
        raise KeyError(duty_id)

    def to_json(self, *, indent: int | None = None) -> str:
        """Deterministic JSON: the same records and arguments give the same bytes."""
        return self.model_dump_json(indent=indent)


# --- citations -----------------------------------------------------------------

_TITLE_001 = (
    "Rundskriv om samarbeid mellom kriminalomsorgen og helse- og omsorgstjenesten om innsatte "
    "med rusmiddelproblemer og/eller psykiske plager og lidelser (2025)"
)
_TITLE_000 = "Retningslinjer til straffegjennomføringsloven § 4 (forvaltningssamarbeid)"

_CITE_MEETINGS = Citation(
    document="001",
    title=_TITLE_001,
    section="8.3",
    text=(
        "Det skal etableres faste møteplasser på ledernivå. Samarbeidet skal omfatte jevnlig "
        "samordning, forberedelse til løslatelse, overføring til varetekt med elektronisk kontroll "
        "eller straffegjennomføring i samfunn, samt evaluering."
    ),
)
_CITE_000 = Citation(
    document="000",
    title=_TITLE_000,
    section="4.2",
    statute="straffegjennomføringsloven § 4",
    text=(
        "Kriminalomsorgen skal invitere til samarbeid med etater som skal tilby tjenester til "
        "domfelte eller innsatte for å samordne ressurser og synliggjøre behov i plan- og "
        "budsjettprosesser."
    ),
)
_CITE_ROUTINES = Citation(
    document="001",
    title=_TITLE_001,
    section="8.4",
    text=(
        "Det bør også utarbeides lokale rutinebeskrivelser som sikrer tydelig oppgave- og "
        "ansvarsfordeling mellom partene. […] Det bør blant annet være rutiner for […]"
    ),
)
_CITE_CURRENT = Citation(
    document="001",
    title=_TITLE_001,
    section="8.4",
    text=(
        "Partene må sikre at samarbeidsavtaler og samarbeidsrutiner til enhver tid er i tråd med "
        "gjeldende regelverk og faglige føringer."
    ),
)
_CITE_TRIPARTITE = Citation(
    document="001",
    title=_TITLE_001,
    section="8.4",
    statute="helse- og omsorgstjenesteloven kapittel 6",
    text=(
        "Det bør etableres trepartsavtaler mellom fengsler, helseforetak og den kommunale helse- "
        "og omsorgstjenesten."
    ),
)


# --- checks --------------------------------------------------------------------


def check_institution(
    institution: Institution,
    *,
    as_of: date,
    profile: Profile | None = None,
    stale_after: relativedelta | timedelta | None = None,
    rules_effective: date | None = None,
) -> InstitutionReport:
    """Judge a prison's records against catalog section F at ``as_of``.

    ``as_of`` is a date (an aware datetime is taken as its Europe/Oslo date).
    Records dated after ``as_of`` count as not yet made. ``profile`` gives the
    bounds of *jevnlig* (default: the shipped profile); ``stale_after`` the
    staleness window of a routine (default :data:`STALE_AFTER_DEFAULT`, two
    calendar years); ``rules_effective`` the date circular 001 took effect
    (default :data:`RULES_EFFECTIVE_DEFAULT`, an assumption). Raises
    :class:`ProfileError` if the profile has no duration term ``jevnlig`` or
    ``stale_after`` is not a positive window.
    """
    if not isinstance(institution, Institution):
        raise TypeError("institution must be an Institution (see load_institution)")
    day = _as_date(as_of)
    profile = profile if profile is not None else default_profile()
    jevnlig = _jevnlig(profile)
    window = STALE_AFTER_DEFAULT if stale_after is None else stale_after
    stale_from = _stale_from(day, window)
    effective = RULES_EFFECTIVE_DEFAULT if rules_effective is None else rules_effective
    if isinstance(effective, datetime) or not isinstance(effective, date):
        raise TypeError("rules_effective must be a date")

    findings = [
        _check_meetings(institution, day, jevnlig, effective),
        _check_routines(institution, day, stale_from, effective),
        _check_tripartite(institution, day, effective),
    ]
    summary: dict[str, int] = {"findings": len(findings)}
    for status in Status:
        summary[status.value] = sum(1 for f in findings if f.status is status)
    summary["breaches"] = sum(1 for f in findings if f.breach)
    return InstitutionReport(
        prison_id=institution.prison_id,
        as_of=day,
        profile=ProfileRef(id=profile.id, version=profile.version, policy_note=profile.policy_note),
        parameters=InstitutionParameters(
            stale_after=_window_text(window),
            stale_from=stale_from,
            rules_effective=effective,
            rules_effective_note=(
                "ASSUMPTION: circular 001 does not print the date it took effect; "
                f"{effective.isoformat()} is used (rule set setting circular_2025_effective)."
            ),
        ),
        findings=findings,
        summary=summary,
    )


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError("as_of as a datetime must carry a UTC offset; or pass a date")
        try:
            value = value.astimezone(zone("Europe/Oslo")).date()
        except OverflowError:
            raise InstitutionError("as_of must be from 1900 up to 2200", field="as_of") from None
    if not isinstance(value, date):
        raise TypeError("as_of must be a date")
    if not date(1900, 1, 1) <= value < date(2200, 1, 1):
        # the same range as the records' dates: every window computed from it stays in the calendar
        raise InstitutionError("as_of must be from 1900 up to 2200", field="as_of")
    return value


def _jevnlig(profile: Profile) -> DurationTerm:
    term = profile.terms.get(_JEVNLIG)
    if term is None:
        raise ProfileError(
            "the profile has no term 'jevnlig', which org.local_meetings needs",
            path=profile.citation(),
            field=f"terms.{_JEVNLIG}",
        )
    if not isinstance(term, DurationTerm):
        raise ProfileError(
            f"term 'jevnlig' must be of kind 'duration', not {term.kind!r}",
            path=profile.citation(),
            field=f"terms.{_JEVNLIG}.kind",
        )
    return term


def _stale_from(day: date, window: Any) -> date:
    if isinstance(window, relativedelta):
        if window.hours or window.minutes or window.seconds or window.microseconds or window.weekday:
            raise ProfileError(
                "stale_after must be given in years, months and days", path="<arguments>", field="stale_after"
            )
        start = day - window
        if not start < day:
            raise ProfileError("stale_after must be a positive window", path="<arguments>", field="stale_after")
        return start
    if isinstance(window, timedelta):
        if window.total_seconds() <= 0 or window % timedelta(days=1):
            raise ProfileError(
                "stale_after must be a positive whole number of days", path="<arguments>", field="stale_after"
            )
        return day - window
    raise ProfileError(
        "stale_after must be a dateutil relativedelta or a timedelta", path="<arguments>", field="stale_after"
    )


def _window_text(window: Any) -> str:
    if isinstance(window, timedelta):
        return iso_duration(window)
    parts = [(window.years, "Y"), (window.months, "M"), (window.days, "D")]
    text = "".join(f"{n}{unit}" for n, unit in parts if n)
    return "P" + (text or "0D")


# org.local_meetings ------------------------------------------------------------


def _check_meetings(inst: Institution, day: date, term: DurationTerm, effective: date) -> InstitutionFinding:
    used = sorted((m for m in inst.meetings if m.date <= day and m.qualifies()), key=lambda m: (m.date, m.id))
    explanation: list[str] = []
    not_counted = sorted(
        (m for m in inst.meetings if m.date <= day and not m.qualifies()), key=lambda m: (m.date, m.id)
    )
    for m in not_counted:
        if m.level is MeetingLevel.STAFF:
            why = "staff level"
        else:
            missing = sorted(p.value for p in {Party.KHO, Party.SHT} - set(m.parties))
            why = f"{', '.join(missing)} did not take part"
        explanation.append(f"meeting {m.id} ({m.date.isoformat()}) not counted: {why}")
    later = sorted(m.id for m in inst.meetings if m.date > day)
    if later:
        explanation.append(f"after as_of, not counted: {', '.join(later)}")

    gaps: list[MeetingGap] = []
    for a, b in zip(used, used[1:]):
        gaps.append(_gap(a.date, b.date, a.id, b.id, term, ongoing=False, effective=effective))
    if used:
        last = used[-1]
        gaps.append(_gap(last.date, day, last.id, None, term, ongoing=True, effective=effective))
    earlier = sum(g.end < effective for g in gaps)
    if earlier:
        explanation.append(
            f"{earlier} gap(s) ended before {effective.isoformat()}, when circular 001 made the meetings a "
            "duty (skal): judged as G-8/2006's recommendation (bør), never a breach"
        )

    if not used:
        status, reason = Status.BREACHED, "no_meetings"
        if day < effective:
            status = status.for_recommendation()
        explanation.insert(0, "no leader-level meeting with both KHO and SHT on or before as_of")
    else:
        status = worst([g.status for g in gaps], Status.FULFILLED)
        reason = {
            Status.BREACHED: "gap_over_lenient",
            Status.NOT_FOLLOWED: "gap_over_lenient",
            Status.CONTESTED: "gap_over_strict",
        }.get(status, "regular")
        longest = max(gaps, key=lambda g: g.length)
        explanation.insert(
            0,
            f"{len(used)} leader-level meeting(s) with KHO and SHT; longest gap {iso_duration(longest.length)} "
            f"({longest.start.isoformat()} to {longest.end.isoformat()}); jevnlig: {term.bounds_text()}",
        )
    explanation.append(
        "reading: 001 §8.3 asks for fixed leader-level meeting places and 'jevnlig samordning'; "
        "the time between meetings is measured against the profile term jevnlig (a gap longer than "
        "the strict bound is contested, longer than the lenient bound a breach)"
    )
    return InstitutionFinding(
        duty_id="org.local_meetings",
        title="Fixed leader-level meeting places with the local health trust and the municipal health service",
        modality="skal",
        actor="KO",
        status=status,
        breach=status.is_breach,
        reason=reason,
        record_ids=[m.id for m in used],
        gaps=gaps,
        terms=[TermUse(term=_JEVNLIG, words=list(term.words), bounds=term.bounds_text())],
        explanation=explanation,
        citation=_CITE_MEETINGS,
        see_also=[_CITE_000],
    )


def _gap(
    start: date, end: date, a: str, b: str | None, term: DurationTerm, *, ongoing: bool, effective: date
) -> MeetingGap:
    """A gap judged against ``jevnlig``; one that ended before ``effective`` is judged as the
    recommendation of G-8/2006 (*bør*), a breach of nothing."""
    length = timedelta(days=(end - start).days)
    if length > term.lenient:
        status = Status.BREACHED
    elif length > term.strict:
        status = Status.CONTESTED
    else:
        status = Status.FULFILLED
    if end < effective:
        status = status.for_recommendation()
    return MeetingGap(
        start=start, end=end, length=length, status=status, from_meeting=a, to_meeting=b, ongoing=ongoing
    )


# org.routines ------------------------------------------------------------------


def _check_routines(inst: Institution, day: date, stale_from: date, effective: date) -> InstitutionFinding:
    topics: list[TopicFinding] = []
    record_ids: list[str] = []
    explanation: list[str] = []
    for topic in RoutineTopic:
        # each routine's latest adoption or review on or before as_of (None: adopted later)
        confirmed_on = {r.id: r.last_confirmed(day) for r in inst.routines if r.topic is topic}
        existing = [r for r in inst.routines if r.topic is topic and confirmed_on[r.id] is not None]
        future = sorted(rid for rid, when in confirmed_on.items() if when is None)
        ids = sorted(r.id for r in existing)
        record_ids.extend(ids)
        if not existing:
            text = "no routine adopted on or before as_of"
            if future:
                text += f" (adopted after as_of: {', '.join(future)})"
            topics.append(
                TopicFinding(topic=topic, status=Status.NOT_FOLLOWED, reason="missing", explanation=text)
            )
            continue
        best = max(existing, key=lambda r: (confirmed_on[r.id], r.id))
        confirmed = confirmed_on[best.id]
        why = []
        if confirmed < stale_from:
            why.append(f"not adopted or reviewed since {stale_from.isoformat()} (staleness window)")
        if day >= effective and confirmed < effective:
            why.append(f"last adopted or reviewed before circular 001 took effect ({effective.isoformat()})")
        basis = f"routine {best.id} last adopted or reviewed {confirmed.isoformat()}"
        if best.rules_version:
            basis += f", says it follows {best.rules_version!r}"
        topics.append(
            TopicFinding(
                topic=topic,
                status=Status.NOT_FOLLOWED if why else Status.FULFILLED,
                reason="stale" if why else "current",
                routine_ids=ids,
                last_confirmed=confirmed,
                explanation=f"{basis}: " + "; ".join(why) if why else basis,
            )
        )
    if day < effective:
        explanation.append(
            f"as_of is before circular 001 took effect ({effective.isoformat()}): routines are not "
            "required to postdate it"
        )
    status = worst([t.status for t in topics], Status.FULFILLED)
    missing = [t.topic.value for t in topics if t.reason == "missing"]
    stale = [t.topic.value for t in topics if t.reason == "stale"]
    current = sum(1 for t in topics if t.reason == "current")
    explanation.append(f"{current} of {len(topics)} topics have a current routine")
    if missing:
        explanation.append(f"missing: {', '.join(missing)}")
    if stale:
        explanation.append(f"stale: {', '.join(stale)}")
    reason = "missing" if missing else "stale" if stale else "current"
    return InstitutionFinding(
        duty_id="org.routines",
        title="Local routines for the nine topics of 001 §8.4, current with the rules in force",
        modality="bør",
        actor="KO, KHO, SHT",
        status=status,
        breach=False,
        reason=reason,
        record_ids=sorted(record_ids),
        topics=topics,
        explanation=explanation,
        citation=_CITE_ROUTINES,
        see_also=[_CITE_CURRENT],
    )


# org.tripartite_agreement ---------------------------------------------------------


def _check_tripartite(inst: Institution, day: date, effective: date) -> InstitutionFinding:
    signed = [a for a in inst.agreements if a.signed <= day]
    current = sorted(
        (a for a in signed if a.kind is AgreementKind.TRIPARTITE and a.in_force_on(day)),
        key=lambda a: (a.signed, a.id),
    )
    explanation: list[str] = []
    if current:
        status, reason = Status.FULFILLED, "current"
        ids = [a.id for a in current]
        explanation.append(f"tripartite agreement(s) in force on as_of: {', '.join(ids)}")
        newest = current[-1]
        if newest.signed < effective:
            explanation.append(
                f"note: {newest.id} was signed before circular 001 took effect ({effective.isoformat()}); "
                "001 §8.4 asks that agreements be kept in line with the rules in force (not judged here)"
            )
    else:
        status = Status.NOT_FOLLOWED
        expired = sorted(a.id for a in signed if a.kind is AgreementKind.TRIPARTITE)
        bilateral = sorted(a.id for a in signed if a.kind is AgreementKind.BILATERAL and a.in_force_on(day))
        ids = sorted(set(expired) | set(bilateral))
        if expired:
            reason = "expired"
            explanation.append(f"tripartite agreement(s) no longer in force: {', '.join(expired)}")
        elif bilateral:
            reason = "bilateral_only"
        else:
            reason = "none"
            explanation.append("no cooperation agreement in force on as_of")
        if bilateral:
            explanation.append(f"bilateral agreement(s) in force (not tripartite): {', '.join(bilateral)}")
    later = sorted(a.id for a in inst.agreements if a.signed > day)
    if later:
        explanation.append(f"signed after as_of, not counted: {', '.join(later)}")
    return InstitutionFinding(
        duty_id="org.tripartite_agreement",
        title="A tripartite cooperation agreement prison–health trust–municipality",
        modality="bør",
        actor="KO, SHT, KHO",
        status=status,
        breach=False,
        reason=reason,
        record_ids=ids,
        explanation=explanation,
        citation=_CITE_TRIPARTITE,
        see_also=[_CITE_CURRENT],
    )




def latest_record_date(inst: Institution) -> date | None:
    """The latest date in the records (adopted, reviewed, signed, met), or None if there is none."""
    days: list[date] = []
    for r in inst.routines:
        days.append(r.adopted)
        if r.last_reviewed is not None:
            days.append(r.last_reviewed)
    days.extend(a.signed for a in inst.agreements)
    days.extend(m.date for m in inst.meetings)
    return max(days) if days else None
