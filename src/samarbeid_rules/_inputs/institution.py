"""A prison's institution records (catalog section F): routines, agreements and meetings.

An :class:`Institution` holds what a prison records as an organisation, not
one person's custody:

- ``routines``: local routine descriptions (*lokale rutinebeskrivelser*), one
  of the topics 001 §8.4 lists, with the date adopted and last reviewed;
- ``agreements``: cooperation agreements (*samarbeidsavtaler*) with the local
  health trust (SHT) and the municipal health and care service (KHO);
- ``meetings``: cooperation meetings, at leader or staff level;
- ``cooperation_routines``: routines for ongoing cooperation other than
  fixed meetings (*andre rutiner for løpende samarbeid*, 000 §4.2), with the
  day adopted and, where ended, the last day in force;
- ``activity_plans``: the prison's plans for activation, meaningful human
  contact and physical activity (001 §5.2.4), with what each covers;
- ``changes`` and ``change_notices``: changes that affect partner agencies'
  ability to serve inmates, with the day decided and the day they take
  effect, and the notices given to each agency (000 §4.2).

Records carry ids, never names. Unknown fields are rejected, and every
validation problem is an :class:`InstitutionError` naming the file, the list
(``routines``/``agreements``/``meetings``), the index, the record id and the
field. The duties are judged in :mod:`.._uses.institution`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from .._common.errors import InstitutionError
from .._common.wording import first_error, plain_problem
from .events.base import Day
from .jsonread import parse_json, read_source
from .timeline import Id, shown_id, shown_key

__all__ = [
    "ActivityPlan",
    "Agreement",
    "AgreementKind",
    "Change",
    "ChangeNotice",
    "CooperationRoutine",
    "Institution",
    "Meeting",
    "MeetingLevel",
    "Partner",
    "Party",
    "PlanElement",
    "Routine",
    "RoutineTopic",
    "load_institution",
    "validate_institution",
]


# --- errors ------------------------------------------------------------------


class _LocatedValueError(ValueError):
    """Raised inside validators; turned into an InstitutionError by the loader."""

    def __init__(self, problem: str, collection: str, index: int, record_id: str, field: str) -> None:
        super().__init__(problem)
        self.problem, self.collection, self.index = problem, collection, index
        self.record_id, self.field = record_id, field


# --- models --------------------------------------------------------------------

class RoutineTopic(str, Enum):
    """The routine topics of 001 §8.4: the two it asks for *som minimum* (first), and the nine of *Det bør
    blant annet være rutiner for …*."""

    #: som minimum: samarbeidsrutiner for kartlegging ved innkomst
    MAPPING_AT_ADMISSION = "mapping_at_admission"
    #: som minimum: formidling av kontakt med helse- og omsorgstjenesten innenfor rammene av taushetsplikten
    HEALTH_CONTACT_WITHIN_CONFIDENTIALITY = "health_contact_within_confidentiality"
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


#: the topics 001 §8.4 asks for "som minimum" (the others "blant annet")
MINIMUM_TOPICS = frozenset({RoutineTopic.MAPPING_AT_ADMISSION, RoutineTopic.HEALTH_CONTACT_WITHIN_CONFIDENTIALITY})


class PlanElement(str, Enum):
    """What 001 §5.2.4 asks the prison's plans to cover (*planer for aktivisering, meningsfull menneskelig
    kontakt og fysisk aktivitet*)."""

    ACTIVATION = "activation"
    MEANINGFUL_CONTACT = "meaningful_contact"
    PHYSICAL_ACTIVITY = "physical_activity"


class Partner(str, Enum):
    """A partner agency (*samarbeidende etat*) a change may affect (000 §4.2)."""

    KHO = "kho"
    SHT = "sht"
    NAV = "nav"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"
    OTHER = "other"


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
    # strict as timelines are (see events/base.py): dates as YYYY-MM-DD text, enums by value
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


#: the most records an institution file may hold in each list
MAX_RECORDS = 10_000


def _unique_parties(parties: list[Party]) -> str | None:
    seen: set[Party] = set()
    for p in parties:
        if p in seen:
            return f"party '{p.value}' is listed twice"
        seen.add(p)
    return None


class _Reviewed:
    """For a record adopted on a day (``adopted``) and perhaps reviewed later (``last_reviewed``); the
    record declares the fields."""

    if TYPE_CHECKING:
        adopted: date
        last_reviewed: date | None

    def confirmed_days(self) -> tuple[date, ...]:
        """The days it was adopted and last reviewed."""
        return (self.adopted,) if self.last_reviewed is None else (self.adopted, self.last_reviewed)

    def last_confirmed(self, as_of: date) -> date | None:
        """The latest of adoption and review on or before ``as_of`` (None: not yet adopted)."""
        days = [d for d in self.confirmed_days() if d <= as_of]
        return max(days) if days else None


class Routine(_Base, _Reviewed):
    """A local routine description (*lokal rutinebeskrivelse*, 001 §8.4)."""

    id: Id
    topic: RoutineTopic = Field(strict=False)
    adopted: Day = Field(description="Date the routine was adopted.")
    last_reviewed: Day | None = Field(
        default=None, description="Date it was last reviewed and found current; on or after 'adopted'."
    )
    rules_version: str | None = Field(
        default=None,
        max_length=100,
        description="The rules the routine says it follows (e.g. 'circular-2025'); informational.",
    )


class Agreement(_Base):
    """A cooperation agreement (*samarbeidsavtale*; *trepartsavtale* when tripartite)."""

    id: Id
    kind: AgreementKind = Field(strict=False)
    parties: list[Annotated[Party, Strict(False)]] = Field(min_length=2, max_length=3)
    signed: Day
    expires: Day | None = Field(
        default=None, description="Last day the agreement is in force; unset means open-ended."
    )

    def in_force_on(self, day: date) -> bool:
        return self.signed <= day and (self.expires is None or day <= self.expires)


class Meeting(_Base):
    """A cooperation meeting (*møteplass*) held on a date."""

    id: Id
    date: Day
    level: MeetingLevel = Field(strict=False)
    parties: list[Annotated[Party, Strict(False)]] = Field(min_length=1, max_length=3, description="Who took part.")

    def qualifies(self) -> bool:
        """Leader level, with both KHO and SHT taking part (001 §8.3)."""
        return self.level is MeetingLevel.LEADER and {Party.KHO, Party.SHT} <= set(self.parties)


class CooperationRoutine(_Base):
    """A routine for ongoing cooperation other than fixed meetings (*andre rutiner for løpende
    samarbeid*, guidelines to strgjfl. § 4, 000 §4.2): a standing arrangement with the health
    services, in force from the day adopted to the day it ended."""

    id: Id
    adopted: Day = Field(description="Date the routine was adopted: in force from that day.")
    ended: Day | None = Field(
        default=None, description="Last day the routine was in force; unset means still in force."
    )
    parties: list[Annotated[Party, Strict(False)]] = Field(min_length=1, max_length=3, description="Who the routine is with.")

    def in_force_on(self, day: date) -> bool:
        return self.adopted <= day and (self.ended is None or day <= self.ended)

    def qualifies(self) -> bool:
        """With both KHO and SHT, as a meeting must be (000 §4.2; 001 §8.3)."""
        return {Party.KHO, Party.SHT} <= set(self.parties)


class ActivityPlan(_Base, _Reviewed):
    """A plan for activation, meaningful human contact and/or physical activity (001 §5.2.4)."""

    id: Id
    covers: list[Annotated[PlanElement, Strict(False)]] = Field(
        min_length=1, max_length=len(PlanElement), description="What the plan provides for."
    )
    adopted: Day = Field(description="Date the plan was adopted.")
    last_reviewed: Day | None = Field(default=None, description="Last reviewed and found current.")
    adapted_to_routines: bool = Field(description="Adapted to the prison's routines and frames (tilpasset).")


class Change(_Base):
    """A change in the prison that affects partner agencies' ability to serve inmates (000 §4.2)."""

    id: Id
    decided: Day = Field(description="The day the change was decided (known).")
    takes_effect: Day = Field(description="The first day the change is in effect.")
    affects: list[Annotated[Partner, Strict(False)]] = Field(
        min_length=1, max_length=len(Partner), description="The agencies whose services it affects."
    )


class ChangeNotice(_Base):
    """A notice of a change given to one agency."""

    id: Id
    change: Id = Field(description="The id of the change it tells of.")
    agency: Partner = Field(strict=False)
    date: Day


_COLLECTIONS = ("routines", "agreements", "meetings", "cooperation_routines", "activity_plans", "changes",
                "change_notices")
_FIELD_NAMES = frozenset({"prison_id", *_COLLECTIONS, "id", "topic", "adopted", "last_reviewed", "rules_version",
                          "kind", "parties", "signed", "expires", "date", "level", "ended", "covers",
                          "adapted_to_routines", "decided", "takes_effect", "affects", "change", "agency"})


class Institution(_Base):
    """A prison's records for the institution checks. Ids only, no names."""

    prison_id: Id
    routines: list[Routine] = Field(default_factory=list, max_length=MAX_RECORDS)
    agreements: list[Agreement] = Field(default_factory=list, max_length=MAX_RECORDS)
    meetings: list[Meeting] = Field(default_factory=list, max_length=MAX_RECORDS)
    cooperation_routines: list[CooperationRoutine] = Field(default_factory=list, max_length=MAX_RECORDS)
    activity_plans: list[ActivityPlan] = Field(default_factory=list, max_length=MAX_RECORDS)
    changes: list[Change] = Field(default_factory=list, max_length=MAX_RECORDS)
    change_notices: list[ChangeNotice] = Field(default_factory=list, max_length=MAX_RECORDS)

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
        for i, c in enumerate(self.cooperation_routines):
            problem = _unique_parties(c.parties)
            if problem:
                raise _LocatedValueError(problem, "cooperation_routines", i, c.id, "parties")
            if c.ended is not None and c.ended < c.adopted:
                raise _LocatedValueError("ended is before the routine was adopted", "cooperation_routines", i, c.id,
                                         "ended")
        for i, pl in enumerate(self.activity_plans):
            if len(set(pl.covers)) != len(pl.covers):
                raise _LocatedValueError("an element is listed twice", "activity_plans", i, pl.id, "covers")
            if pl.last_reviewed is not None and pl.last_reviewed < pl.adopted:
                raise _LocatedValueError("last_reviewed is before the plan was adopted", "activity_plans", i, pl.id,
                                         "last_reviewed")
        changes = {c.id: c for c in self.changes}
        for i, c in enumerate(self.changes):
            if c.takes_effect < c.decided:
                raise _LocatedValueError("takes_effect is before the change was decided", "changes", i, c.id,
                                         "takes_effect")
            if len(set(c.affects)) != len(c.affects):
                raise _LocatedValueError("an agency is listed twice", "changes", i, c.id, "affects")
        for i, n in enumerate(self.change_notices):
            change = changes.get(n.change)
            if change is None:
                raise _LocatedValueError(f"names change {n.change!r}, which is not among the changes",
                                         "change_notices", i, n.id, "change")
            if n.agency not in change.affects:
                raise _LocatedValueError(f"change {n.change!r} does not affect {n.agency.value!r}",
                                         "change_notices", i, n.id, "agency")
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
    data = parse_json(text, label, InstitutionError, field_names=_FIELD_NAMES) if isinstance(text, (str, bytes)) \
        else text
    return validate_institution(data, source=label)


def validate_institution(data: Any, *, source: str = "<input>") -> Institution:
    """Validate parsed JSON data as an institution, raising a located InstitutionError."""
    if not isinstance(data, Mapping):
        raise InstitutionError("an institution must be a JSON object", source=source)
    for coll in _COLLECTIONS:
        records = data.get(coll)
        if isinstance(records, list) and len(records) > MAX_RECORDS:
            raise InstitutionError(f"at most {MAX_RECORDS} records in a list", source=source, collection=coll)
    try:
        return Institution.model_validate(data)
    except ValidationError as exc:
        raise _error_from(exc, data, source) from None
    except RecursionError:
        raise InstitutionError("input is nested too deeply", source=source) from None


def _error_from(exc: ValidationError, data: Mapping[str, Any], source: str) -> InstitutionError:
    err = first_error(exc)
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
            record_id = shown_id(records[index].get("id"))
        field = ".".join(shown_key(p) for p in loc[2:]) or None
        if field == "id":
            record_id = None
        return InstitutionError(
            problem, source=source, collection=coll, index=index, record_id=record_id, field=field
        )
    field = ".".join(shown_key(p) for p in loc) or None
    return InstitutionError(problem, source=source, field=field)


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    return plain_problem(err)


