"""Institution-level checks: a prison's routines, agreements and meetings.

Catalog section F (circular 001 §8.3–8.4, guidelines 000 §4.2) asks things of
a prison as an organisation, not of one person's custody. They are checked on
the prison's records, an :class:`Institution`:

- ``routines``: local routine descriptions (*lokale rutinebeskrivelser*), one
  of the nine topics 001 §8.4 lists, with the date adopted and last reviewed;
- ``agreements``: cooperation agreements (*samarbeidsavtaler*) with the local
  health trust (SHT) and the municipal health and care service (KHO);
- ``meetings``: cooperation meetings, at leader or staff level.

:func:`check_institution` judges three duties against them:

- ``org.routines`` (*bør*): a current routine for each of the nine topics;
- ``org.tripartite_agreement`` (*bør*): a tripartite agreement in force;
- ``org.local_meetings`` (*skal*): leader-level meetings with KHO and SHT,
  never further apart than the profile term ``jevnlig``.

Records carry ids, never names. Unknown fields are rejected, and every
validation problem is an :class:`InstitutionError` naming the file, the list
(``routines``/``agreements``/``meetings``), the index, the record id and the
field.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TextIO

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._calendar import zone
from ._errors import InstitutionError, ProfileError, SamarbeidError
from ._jsonsource import parse_json, read_source
from ._profile import DurationTerm, Profile, default_profile, iso_duration
from ._render import _clean, _grid, _status_text
from ._report import ProfileRef, Status, TermUse, _Out, worst
from ._timeline import Id
from ._rules import Citation

__all__ = [
    "Agreement",
    "AgreementKind",
    "Institution",
    "InstitutionError",
    "InstitutionFinding",
    "InstitutionReport",
    "Meeting",
    "MeetingGap",
    "MeetingLevel",
    "Party",
    "RULES_EFFECTIVE_DEFAULT",
    "Routine",
    "RoutineTopic",
    "STALE_AFTER_DEFAULT",
    "TopicFinding",
    "add_institution_parser",
    "check_institution",
    "load_institution",
    "run_check_institution",
    "validate_institution",
]

#: A routine not adopted or reviewed within this window before ``as_of`` is stale.
#: A policy choice of the project (001 §8.4 says only "til enhver tid i tråd med
#: gjeldende regelverk"), not law; override with ``stale_after=``.
STALE_AFTER_DEFAULT = relativedelta(years=2)

#: The date circular 001 took effect. ASSUMPTION: the text of 001 does not print
#: it; this mirrors the rule set setting ``circular_2025_effective``
#: (rules/ruleset.yaml). Override with ``rules_effective=``.
RULES_EFFECTIVE_DEFAULT = date(2025, 7, 1)

_JEVNLIG = "jevnlig"


# --- errors ------------------------------------------------------------------


class _LocatedValueError(ValueError):
    """Raised inside validators; turned into an InstitutionError by the loader."""

    def __init__(self, problem: str, collection: str, index: int, record_id: str, field: str) -> None:
        super().__init__(problem)
        self.problem, self.collection, self.index = problem, collection, index
        self.record_id, self.field = record_id, field


# --- models --------------------------------------------------------------------

class RoutineTopic(str, Enum):
    """The nine routine topics of 001 §8.4 (*Det bør blant annet være rutiner for …*)."""

    #: avrusning, i tråd med nasjonale faglige retningslinjer
    DETOX = "detox"
    #: legemiddelhåndtering, inkludert legemiddelassistert rehabilitering (LAR)
    MEDICATION_INCL_LAR = "medication_incl_lar"
    #: innhenting av samtykke til utveksling av taushetsbelagte opplysninger
    CONSENT = "consent"
    #: kontakt og samarbeid med legevakt og akuttpsykiatriske tjenester utenfor kontortiden
    OUT_OF_HOURS_EMERGENCY_CONTACT = "out_of_hours_emergency_contact"
    #: faste møtepunkt og tverrfaglig samarbeid
    FIXED_MEETING_POINTS = "fixed_meeting_points"
    #: tilsyn og oppfølging av innsatte som er utelukket, avstår fra fellesskapet, …
    SUPERVISION_OF_ISOLATED = "supervision_of_isolated"
    #: forebygging og håndtering av selvskading, selvmordsforsøk og selvmord
    SELF_HARM_AND_SUICIDE = "self_harm_and_suicide"
    #: registrering av avvik og avvikshåndtering, deriblant avlyste helseframstillinger
    DEVIATION_REGISTRATION_INCL_CANCELLED_ESCORTS = "deviation_registration_incl_cancelled_escorts"
    #: informasjonsutveksling og koordinering av tjenester ved overføringer … eller løslatelse
    INFORMATION_EXCHANGE_AT_TRANSFER_AND_RELEASE = "information_exchange_at_transfer_and_release"


class Party(str, Enum):
    """A party to an agreement or a meeting."""

    #: kriminalomsorgen (the prison)
    KO = "ko"
    #: the municipal health and care service (the prison health service)
    KHO = "kho"
    #: the specialist health service (the local health trust, *helseforetaket*)
    SHT = "sht"


class AgreementKind(str, Enum):
    TRIPARTITE = "tripartite"
    BILATERAL = "bilateral"


class MeetingLevel(str, Enum):
    #: *på ledernivå*
    LEADER = "leader"
    STAFF = "staff"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique_parties(parties: list[Party]) -> str | None:
    seen: set[Party] = set()
    for p in parties:
        if p in seen:
            return f"party {p.value!r} is listed twice"
        seen.add(p)
    return None


class Routine(_Base):
    """A local routine description (*lokal rutinebeskrivelse*, 001 §8.4)."""

    id: Id
    topic: RoutineTopic
    adopted: date = Field(description="Date the routine was adopted.")
    last_reviewed: date | None = Field(
        default=None, description="Date it was last reviewed and found current; on or after 'adopted'."
    )
    rules_version: str | None = Field(
        default=None,
        max_length=100,
        description="The rules the routine says it follows (e.g. 'circular-2025'); informational.",
    )

    def last_confirmed(self, as_of: date) -> date | None:
        """The latest of adoption and review on or before ``as_of`` (None: not yet adopted)."""
        days = [d for d in (self.adopted, self.last_reviewed) if d is not None and d <= as_of]
        return max(days) if days else None


class Agreement(_Base):
    """A cooperation agreement (*samarbeidsavtale*; *trepartsavtale* when tripartite)."""

    id: Id
    kind: AgreementKind
    parties: list[Party] = Field(min_length=2)
    signed: date
    expires: date | None = Field(
        default=None, description="Last day the agreement is in force; unset means open-ended."
    )

    def in_force_on(self, day: date) -> bool:
        return self.signed <= day and (self.expires is None or day <= self.expires)


class Meeting(_Base):
    """A cooperation meeting (*møteplass*) held on a date."""

    id: Id
    date: date
    level: MeetingLevel
    parties: list[Party] = Field(min_length=1, description="Who took part.")

    def qualifies(self) -> bool:
        """Leader level, with both KHO and SHT taking part (001 §8.3)."""
        return self.level is MeetingLevel.LEADER and {Party.KHO, Party.SHT} <= set(self.parties)


_COLLECTIONS = ("routines", "agreements", "meetings")


class Institution(_Base):
    """A prison's records for the institution checks. Ids only, no names."""

    prison_id: Id
    routines: list[Routine] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    meetings: list[Meeting] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_records(self) -> Institution:
        seen: dict[str, str] = {}
        for coll in _COLLECTIONS:
            for i, rec in enumerate(getattr(self, coll)):
                if rec.id in seen:
                    raise _LocatedValueError(
                        f"duplicate record id (first used at {seen[rec.id]})", coll, i, rec.id, "id"
                    )
                seen[rec.id] = f"{coll}[{i}]"
        for i, r in enumerate(self.routines):
            if r.last_reviewed is not None and r.last_reviewed < r.adopted:
                raise _LocatedValueError(
                    "last_reviewed is before the routine was adopted", "routines", i, r.id, "last_reviewed"
                )
        for i, a in enumerate(self.agreements):
            problem = _unique_parties(a.parties)
            if problem:
                raise _LocatedValueError(problem, "agreements", i, a.id, "parties")
            if a.kind is AgreementKind.TRIPARTITE and set(a.parties) != set(Party):
                raise _LocatedValueError(
                    "a tripartite agreement has exactly the parties ko, kho and sht", "agreements", i, a.id, "parties"
                )
            if a.kind is AgreementKind.BILATERAL and len(a.parties) != 2:
                raise _LocatedValueError(
                    "a bilateral agreement has exactly two parties", "agreements", i, a.id, "parties"
                )
            if a.expires is not None and a.expires < a.signed:
                raise _LocatedValueError("expires is before the agreement was signed", "agreements", i, a.id, "expires")
        for i, m in enumerate(self.meetings):
            problem = _unique_parties(m.parties)
            if problem:
                raise _LocatedValueError(problem, "meetings", i, m.id, "parties")
        return self


# --- loading -------------------------------------------------------------------


def load_institution(
    source: str | Path | Mapping[str, Any] | bytes, *, name: str | None = None
) -> Institution:
    """Load and validate a prison's records.

    ``source`` is a path to a JSON file, a JSON text (``str`` starting with
    ``{`` or ``bytes``), or an already parsed mapping. Raises
    :class:`InstitutionError` naming the file, the list, the index, the record
    id and the field.
    """
    text, label = read_source(source, name, InstitutionError)
    data = parse_json(text, label, InstitutionError) if isinstance(text, (str, bytes)) else text
    return validate_institution(data, source=label)


def validate_institution(data: Any, *, source: str = "<input>") -> Institution:
    """Validate parsed JSON data as an institution, raising a located InstitutionError."""
    if not isinstance(data, Mapping):
        raise InstitutionError("an institution must be a JSON object", source=source)
    try:
        return Institution.model_validate(data)
    except ValidationError as exc:
        raise _error_from(exc, data, source) from None
    except RecursionError:
        raise InstitutionError("input is nested too deeply", source=source) from None


def _error_from(exc: ValidationError, data: Mapping[str, Any], source: str) -> InstitutionError:
    err = exc.errors(include_url=False, include_input=False)[0]
    ctx_err = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_err, _LocatedValueError):
        return InstitutionError(
            ctx_err.problem,
            source=source,
            collection=ctx_err.collection,
            index=ctx_err.index,
            record_id=ctx_err.record_id,
            field=ctx_err.field,
        )
    loc = list(err["loc"])
    problem = _describe(err)
    if len(loc) >= 2 and loc[0] in _COLLECTIONS and isinstance(loc[1], int):
        coll, index = loc[0], loc[1]
        record_id = None
        records = data.get(coll)
        if isinstance(records, list) and 0 <= index < len(records) and isinstance(records[index], Mapping):
            raw = records[index].get("id")
            record_id = raw if isinstance(raw, str) else None
        field = ".".join(str(p) for p in loc[2:]) or None
        return InstitutionError(
            problem, source=source, collection=coll, index=index, record_id=record_id, field=field
        )
    field = ".".join(str(p) for p in loc) or None
    return InstitutionError(problem, source=source, field=field)


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        return err["msg"]
    return str(err["msg"]).removeprefix("Value error, ")


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
        return value.astimezone(zone("Europe/Oslo")).date()
    if isinstance(value, date):
        return value
    raise TypeError("as_of must be a date")


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


# --- command line ------------------------------------------------------------------

EXIT_OK = 0
EXIT_BREACH = 1
EXIT_BAD_INPUT = 3


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date (YYYY-MM-DD): {text!r}") from None


def add_institution_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``check-institution FILE [--as-of DATE] [--format table|json]`` to a subparsers action."""
    p = subparsers.add_parser(
        "check-institution",
        help="check a prison's routines, agreements and meetings (catalog section F)",
        description=(
            "Check a prison's records (routines, agreements, meetings) against org.local_meetings, "
            "org.routines and org.tripartite_agreement."
        ),
        epilog="exit codes: 0 no breach, 1 breach of a duty (skal), 3 bad input",
    )
    p.add_argument("file", metavar="FILE", help="institution records, JSON")
    p.add_argument(
        "--as-of", type=_date_arg, default=None, metavar="DATE",
        help="date to judge at, YYYY-MM-DD (default: the latest date in the records)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    p.set_defaults(func=run_check_institution)
    return p


def run_check_institution(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``check-institution``: 0 no breach, 1 breach of a *skal* duty, 3 bad input."""
    out = out if out is not None else sys.stdout
    try:
        inst = load_institution(Path(args.file))
        as_of = getattr(args, "as_of", None)
        from_records = as_of is None
        if from_records:
            as_of = _latest_record_date(inst)
            if as_of is None:
                raise InstitutionError("no dated records and no --as-of: nothing to judge at", source=str(args.file))
        report = check_institution(inst, as_of=as_of)
    except SamarbeidError as exc:
        print(f"samarbeid-rules: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "format", "table") == "json":
        out.write(report.to_json(indent=2) + "\n")
    else:
        out.write(institution_table(report, as_of_from_records=from_records))
    return EXIT_BREACH if report.breaches else EXIT_OK


def _latest_record_date(inst: Institution) -> date | None:
    days: list[date] = []
    for r in inst.routines:
        days.append(r.adopted)
        if r.last_reviewed is not None:
            days.append(r.last_reviewed)
    days.extend(a.signed for a in inst.agreements)
    days.extend(m.date for m in inst.meetings)
    return max(days) if days else None


def institution_table(report: InstitutionReport, *, as_of_from_records: bool = False) -> str:
    """The report as a readable text table (what ``check-institution`` prints)."""
    as_of = report.as_of.isoformat()
    if as_of_from_records:
        as_of += "  (latest record date; pass --as-of to judge another day)"
    p = report.parameters
    lines = [
        f"prison    {_clean(report.prison_id)}",
        f"as of     {as_of}",
        f"profile   {report.profile.id} {report.profile.version}",
        f"routines  stale after {p.stale_after} (before {p.stale_from.isoformat()}) "
        f"or before {p.rules_effective.isoformat()} (circular 001 in force; assumed)",
        "",
    ]
    header = ("DUTY", "MODALITY", "ACTOR", "STATUS", "REASON", "SOURCE")
    rows = [
        (
            f.duty_id,
            f.modality,
            f.actor,
            _status_text(f.status.value),
            f.reason or "-",
            f"{f.citation.document} §{f.citation.section}",
        )
        for f in report.findings
    ]
    # one grid for the header and the finding rows; each finding's details follow its row
    header_line, *row_lines = _grid(header, rows)
    lines.append(header_line)
    for f, row_line in zip(report.findings, row_lines):
        lines.append(row_line)
        for text in f.explanation:
            lines.append(f"    {_clean(text)}")
        for t in f.topics:
            lines.append(f"    {t.topic.value:<48} {t.status.value:<13} {_clean(t.explanation)}")
        for g in f.gaps:
            to = _clean(g.to_meeting or "as_of")
            lines.append(
                f"    gap {_clean(g.from_meeting)} -> {to}  {g.start.isoformat()} to {g.end.isoformat()}  "
                f"P{g.length.days}D  {_status_text(g.status.value)}"
            )
    lines.append("")
    lines.append(f"breaches  {report.summary['breaches']}")
    lines.append("note      a recommendation (bør) is never a breach: it is followed or not_followed")
    lines.append("note      '?' contested: over the strict bound of a vague term only; '!' breach")
    lines.append(f"policy    {report.profile.policy_note}")
    return "\n".join(lines) + "\n"
