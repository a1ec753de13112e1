"""Institution-level checks: a prison's routines, agreements and meetings judged.

Catalog section F (circular 001 §8.3–8.4, guidelines 000 §4.2) asks things of
a prison as an organisation. :func:`check_institution` judges its duties on
the prison's records (:class:`~.._inputs.institution.Institution`):

- ``org.routines`` (*bør*): a current routine for each of the topics, the two
  asked for *som minimum* among them;
- ``org.activity_plans`` (*skal*) and ``org.early_change_notice`` (*skal*):
  see :mod:`.institution_org`;
- ``org.tripartite_agreement`` (*bør*): a tripartite agreement in force;
- ``org.local_meetings`` (*skal*): leader-level meetings with KHO and SHT,
  never further apart than the profile term ``jevnlig``; before circular 001
  took effect, under the guidelines to strgjfl. § 4 (000 §4.2: "faste
  samordningsmøter eller andre rutiner for løpende samarbeid"), a recorded
  cooperation routine in force counts as well.

Each finding names the legal bases (``rules/bases.yaml``) it was judged
under; the dates are read from the shipped registry, and circular 001's from
``rules_effective`` (by default the rule set's setting
``circular_2025_effective``). A check whose bases were not yet in force on
``as_of`` judges nothing (reason ``not_in_force``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from .._common.calendar import zone
from .._common.errors import InstitutionError, ProfileError, SamarbeidError
from .._inputs.bases import Registry, resolve
from .._inputs.institution import MINIMUM_TOPICS, AgreementKind, Institution, MeetingLevel, Party, RoutineTopic
from .._inputs.profile import DurationTerm, Profile, default_profile, iso_duration
from .._inputs.rules import Citation
from .._inputs.ruleset import shipped_registry
from .._pipeline.report import ProfileRef, Status, term_use, worst
from .institution_org import ORG_CITATIONS, _TITLE_000, _TITLE_001, check_activity_plans, check_change_notices
from .institution_report import (
    ChangeFinding,
    InstitutionFinding,
    InstitutionParameters,
    InstitutionReport,
    MeetingGap,
    PlanFinding,
    TopicFinding,
)

__all__ = [
    "CITATIONS",
    "ChangeFinding",
    "InstitutionFinding",
    "InstitutionParameters",
    "InstitutionReport",
    "MeetingGap",
    "PlanFinding",
    "RULES_EFFECTIVE_DEFAULT",
    "STALE_AFTER_DEFAULT",
    "TopicFinding",
    "check_institution",
    "latest_record_date",
]

STALE_AFTER_DEFAULT = relativedelta(years=2)

#: The setting of the shipped rule set (rules/ruleset.yaml) that holds the date circular 001 took effect.
EFFECTIVE_SETTING = "circular_2025_effective"

#: The date circular 001 took effect, read from the shipped rule set's setting
#: ``circular_2025_effective``. ASSUMPTION: the text of 001 does not print it.
#: Override with ``rules_effective=``.
RULES_EFFECTIVE_DEFAULT: date = shipped_registry()[0].settings[EFFECTIVE_SETTING]

#: the legal bases (rules/bases.yaml) of each check: the institution checks are the one place
#: outside the rule files that names bases, as it names duties
BASES = {
    "org.local_meetings": ("guidelines-strgjfl-4", "circular-001"),
    "org.routines": ("circular-001",),
    "org.tripartite_agreement": ("circular-001",),
    "org.activity_plans": ("circular-001",),
    "org.early_change_notice": ("guidelines-strgjfl-4",),
}

_JEVNLIG = "jevnlig"



# --- citations -----------------------------------------------------------------

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
        "Både på sentralt, regionalt og lokalt nivå skal det etableres faste samordningsmøter eller "
        "andre rutiner for løpende samarbeid."
    ),
)
_CITE_ROUTINES = Citation(
    document="001",
    title=_TITLE_001,
    section="8.4",
    text=(
        "Det bør også utarbeides lokale rutinebeskrivelser som sikrer tydelig oppgave- og "
        "ansvarsfordeling mellom partene. For innsatte med rusmiddelproblemer og/eller psykiske plager og "
        "lidelser bør det som minimum være samarbeidsrutiner for kartlegging ved innkomst og formidling av "
        "kontakt med helse- og omsorgstjenesten innenfor rammene av taushetsplikten. Det bør blant annet "
        "være rutiner for […]"
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
_CITE_TOPICS = Citation(
    document="001",
    title=_TITLE_001,
    section="8.4",
    text=(
        "Det bør blant annet være rutiner for • avrusning, rutiner i tråd med nasjonale faglige "
        "retningslinjer • legemiddelhåndtering, inkludert legemiddelassistert rehabilitering (LAR) • "
        "innhenting av samtykke til utveksling av taushetsbelagte opplysninger • kontakt og samarbeid "
        "med legevakt og akuttpsykiatriske tjenester utenfor kontortiden til stedlig kommunale helse- og "
        "omsorgstjenester • faste møtepunkt og tverrfaglig samarbeid • tilsyn og oppfølging av innsatte "
        "som er utelukket, avstår fra fellesskapet eller er i varetekt med restriksjoner, samt de som er "
        "plassert på sikkerhetscelle og i sikkerhetsseng • forebygging og håndtering av selvskading, "
        "selvmordsforsøk og selvmord • registrering av avvik og avvikshåndtering, deriblant avlyste "
        "helseframstillinger • informasjonsutveksling og koordinering av tjenester ved overføringer "
        "internt i fengselet, til andre fengsler, varetekt med elektronisk kontroll, "
        "straffegjennomføring i samfunnet eller løslatelse"
    ),
)

#: every sentence the checks judge, by duty: the citations their findings give, and the nine
#: topics of 001 §8.4 that ``org.routines`` judges one by one (RoutineTopic). The sentence check
#: (``samarbeid-rules coverage --sentences``) counts these sentences as judged.
CITATIONS: dict[str, tuple[Citation, ...]] = {
    "org.local_meetings": (_CITE_MEETINGS, _CITE_000),
    "org.routines": (_CITE_ROUTINES, _CITE_TOPICS, _CITE_CURRENT),
    "org.tripartite_agreement": (_CITE_TRIPARTITE, _CITE_CURRENT),
    **ORG_CITATIONS,
}


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
    meta, shipped = shipped_registry()
    try:
        registry = resolve(shipped.file, {**meta.settings, EFFECTIVE_SETTING: effective})
    except SamarbeidError as exc:
        raise ProfileError(f"rules_effective {effective.isoformat()}: {exc.problem}", path="<arguments>",
                           field="rules_effective") from None

    findings = [
        _with_bases(_check_meetings(institution, day, jevnlig, effective, registry), registry, day),
        _with_bases(_check_routines(institution, day, stale_from, effective), registry, day),
        _with_bases(_check_tripartite(institution, day, effective), registry, day),
        _with_bases(check_activity_plans(institution, day, stale_from), registry, day),
        _with_bases(check_change_notices(institution, day, profile), registry, day),
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


def _with_bases(finding: InstitutionFinding, registry: Registry, day: date) -> InstitutionFinding:
    """The finding with the bases of its check in force on some day up to ``day`` (ids in the
    order of :data:`BASES`), or, before every basis, judged as not in force."""
    ids = [b for b in BASES[finding.duty_id] if registry.bases[b].start.day <= day]
    if not ids:
        first = min((registry.bases[b] for b in BASES[finding.duty_id]), key=lambda b: b.start.day)
        return finding.model_copy(update={
            "status": Status.DUE, "breach": False, "reason": "not_in_force", "record_ids": [], "topics": [],
            "plans": [], "changes": [], "gaps": [], "bases": [],
            "basis_dates_assumed": first.start.assumed,
            "explanation": [f"no basis of {finding.duty_id} in force on {day.isoformat()}: {first.id} in force "
                            f"from {first.start.day.isoformat()}{' (assumed)' if first.start.assumed else ''}"],
        })
    return finding.model_copy(update={"bases": ids,
                                      "basis_dates_assumed": any(registry.bases[b].assumed for b in ids)})


def _check_meetings(
    inst: Institution, day: date, term: DurationTerm, effective: date, registry: Registry
) -> InstitutionFinding:
    begins = registry.bases[BASES["org.local_meetings"][0]].start.day  # 000 §4.2: the earliest basis
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
    # 000 §4.2: "faste samordningsmøter eller andre rutiner for løpende samarbeid". Before 001 a
    # cooperation routine in force covers the days it was in force; from 001's date, 001 §8.3 asks for
    # fixed meeting places at leader level, and a routine no longer stands in for them.
    routines: list[tuple[date, date, str]] = []
    for c in sorted(inst.cooperation_routines, key=lambda c: (c.adopted, c.id)):
        if c.adopted > day:
            continue
        if not c.qualifies():
            missing = sorted(p.value for p in {Party.KHO, Party.SHT} - set(c.parties))
            explanation.append(f"cooperation routine {c.id} not counted: not with {', '.join(missing)}")
            continue
        a = max(c.adopted, begins)
        b = min(c.ended or day, day, effective - timedelta(days=1))
        if a > b:
            explanation.append(f"cooperation routine {c.id} not counted: in force only from {effective.isoformat()}, "
                               "when circular 001 §8.3 asks for fixed leader-level meeting places")
            continue
        routines.append((a, b, c.id))
        explanation.append(f"cooperation routine {c.id} counted from {a.isoformat()} to {b.isoformat()} "
                           "(000 §4.2: other routines for ongoing cooperation)")
    later = sorted([m.id for m in inst.meetings if m.date > day] +
                   [c.id for c in inst.cooperation_routines if c.adopted > day])
    if later:
        explanation.append(f"after as_of, not counted: {', '.join(later)}")

    covers = sorted([(m.date, m.date, m.id) for m in used] + routines)
    merged: list[list] = []
    for a, b, rid in covers:
        if merged and a <= merged[-1][1]:
            if b >= merged[-1][1]:
                merged[-1][1], merged[-1][3] = b, rid
            continue
        merged.append([a, b, rid, rid])  # start, end, first record, record at the end
    gaps: list[MeetingGap] = []
    for (_, end_a, _, id_a), (start_b, _, id_b, _) in zip(merged, merged[1:]):
        if start_b >= begins:
            gaps.append(_gap(max(end_a, begins), start_b, id_a, id_b, term, ongoing=False))
    if merged:
        gaps.append(_gap(max(merged[-1][1], begins), day, merged[-1][3], None, term, ongoing=True))
    if routines:
        explanation.append(
            f"{len(routines)} cooperation routine(s) counted as cover before {effective.isoformat()}"
        )

    if not merged:
        status, reason = Status.BREACHED, "no_meetings"
        explanation.insert(0, "no leader-level meeting with both KHO and SHT on or before as_of"
                           + (", nor a cooperation routine in force before circular 001" if day < effective else ""))
    else:
        status = worst([g.status for g in gaps], Status.FULFILLED)
        reason = {
            Status.BREACHED: "gap_over_lenient",
            Status.CONTESTED: "gap_over_strict",
        }.get(status, "regular")
        longest = max(gaps, key=lambda g: g.length)
        explanation.insert(
            0,
            f"{len(used)} leader-level meeting(s) with KHO and SHT; longest gap {iso_duration(longest.length)} "
            f"({longest.start.isoformat()} to {longest.end.isoformat()}); jevnlig: {term.bounds_text()}",
        )
    explanation.append(
        "reading: before circular 001, the guidelines to strgjfl. § 4 (000 §4.2) ask for fixed coordination "
        "meetings or other routines for ongoing cooperation (skal); from it, 001 §8.3 asks for fixed "
        "leader-level meeting places and 'jevnlig samordning'; the time between meetings (or the end of a "
        "routine) is measured against the profile term jevnlig (a gap longer than the strict bound is "
        "contested, longer than the lenient bound a breach)"
    )
    return InstitutionFinding(
        duty_id="org.local_meetings",
        title="Fixed leader-level meeting places with the local health trust and the municipal health service",
        modality="skal",
        actor="KO",
        status=status,
        breach=status.is_breach,
        reason=reason,
        record_ids=sorted([m.id for m in used] + [rid for _, _, rid in routines]),
        gaps=gaps,
        terms=[term_use(_JEVNLIG, term)],
        explanation=explanation,
        # before 001 took effect the finding rests on 000 §4.2 alone
        citation=_CITE_MEETINGS if day >= effective else _CITE_000,
        see_also=[_CITE_000] if day >= effective else [],
    )


def _gap(start: date, end: date, a: str, b: str | None, term: DurationTerm, *, ongoing: bool) -> MeetingGap:
    """A gap judged against ``jevnlig``, before circular 001 (000 §4.2) as after it (001 §8.3): a duty."""
    length = timedelta(days=(end - start).days)
    if length > term.lenient:
        status = Status.BREACHED
    elif length > term.strict:
        status = Status.CONTESTED
    else:
        status = Status.FULFILLED
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
                TopicFinding(topic=topic, minimum=topic in MINIMUM_TOPICS, status=Status.NOT_FOLLOWED,
                             reason="missing", explanation=text)
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
                minimum=topic in MINIMUM_TOPICS,
                status=Status.NOT_FOLLOWED if why else Status.FULFILLED,
                reason="stale" if why else "current",
                routine_ids=ids,
                last_confirmed=confirmed,
                explanation=f"{basis}: " + "; ".join(why) if why else basis,
            )
        )
    status = worst([t.status for t in topics], Status.FULFILLED)
    missing = [t.topic.value for t in topics if t.reason == "missing"]
    stale = [t.topic.value for t in topics if t.reason == "stale"]
    current = sum(1 for t in topics if t.reason == "current")
    explanation.append(f"{current} of {len(topics)} topics have a current routine")
    minimum_missing = [t.topic.value for t in topics if t.minimum and t.reason != "current"]
    if minimum_missing:
        explanation.append(f"of the routines asked for 'som minimum', not current: {', '.join(minimum_missing)}")
    if missing:
        explanation.append(f"missing: {', '.join(missing)}")
    if stale:
        explanation.append(f"stale: {', '.join(stale)}")
    reason = "missing" if missing else "stale" if stale else "current"
    return InstitutionFinding(
        duty_id="org.routines",
        title="Local routines for the topics of 001 §8.4 (two of them 'som minimum'), current with the rules in force",
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
    days = [d for r in (*inst.routines, *inst.activity_plans) for d in r.confirmed_days()]
    days.extend(a.signed for a in inst.agreements)
    days.extend(m.date for m in inst.meetings)
    for c in inst.cooperation_routines:
        days.append(c.adopted)
        if c.ended is not None:
            days.append(c.ended)
    days.extend(c.decided for c in inst.changes)
    days.extend(n.date for n in inst.change_notices)
    return max(days) if days else None
