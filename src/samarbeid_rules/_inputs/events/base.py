"""What every event shares: the bases, the id and instant types, the enums.

- :class:`_EventBase`: a stable ``id`` and a timezone-aware instant ``at``;
- :class:`_Response`: an event that answers an earlier one (``responds_to``);
- :class:`_MeasureStart`, :class:`_MeasureEnd`: the two ends of a measure that
  lasts, sharing a ``measure_id``; each subclass names its :class:`MeasureKind`
  in the ``measure_kind`` class variable.

``Id``, ``Instant`` and ``Day`` are the annotated types fields use; an instant
or date outside 1900–2200 is refused. The enums are the closed vocabularies
of event fields (agencies, custody kinds, health needs, …).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "EARLIEST",
    "LATEST",
    "Agency",
    "ConsentForm",
    "CustodyKind",
    "Day",
    "DisclosureBasis",
    "EscortNoticeRecipient",
    "ExclusionBasis",
    "ExclusionScope",
    "HealthNeed",
    "Id",
    "Instant",
    "MeasureKind",
    "TransferDestination",
]

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]


class CustodyKind(str, Enum):
    """Kind of custody (*varetekt*, *dom*, *forvaring*)."""

    REMAND = "remand"
    SENTENCE = "sentence"
    PREVENTIVE_DETENTION = "preventive_detention"


class ExclusionBasis(str, Enum):
    """Legal basis of an exclusion from association (*utelukkelse fra fellesskapet*)."""

    #: decided by the Correctional Service, straffegjennomføringsloven § 37
    STRGJFL_37 = "strgjfl_37"
    #: decided by a court for a remand prisoner, straffeprosessloven § 186 a
    STRPL_186A = "strpl_186a"


class ExclusionScope(str, Enum):
    """Full exclusion (*helt*) or partial exclusion (*delvis*)."""

    FULL = "full"
    PARTIAL = "partial"


class Agency(str, Enum):
    """Who receives a notice or a disclosure."""

    #: the municipal health and care service (prison health service)
    KHO = "kho"
    #: the specialist health service
    SHT = "sht"
    NAV = "nav"
    MUNICIPALITY = "municipality"
    GP = "gp"
    SCHOOL = "school"
    OTHER = "other"


class MeasureKind(str, Enum):
    """Things that last, recorded as a started/ended (given/withdrawn) pair."""

    EXCLUSION = "exclusion"
    SECURITY_CELL = "security_cell"
    RESTRAINT_BED = "restraint_bed"
    CONTINUOUS_SUPERVISION = "continuous_supervision"
    CONSENT = "consent"
    #: locked in without a formal decision (*faktisk innlåsing uten formelt grunnlag*, 001 §1, §7.1.1)
    LOCK_IN = "lock_in"


class HealthNeed(str, Enum):
    """What was observed or asked for that calls for health care."""

    ASKS_FOR_CARE = "asks_for_care"
    ILLNESS_SIGNS = "illness_signs"
    SUICIDE_RISK = "suicide_risk"
    SELF_HARM_RISK = "self_harm_risk"
    DETOX_NEED = "detox_need"
    MENTAL_HEALTH_CONCERN = "mental_health_concern"
    SUBSTANCE_PROBLEM = "substance_problem"
    OVERDOSE_RISK = "overdose_risk"
    PSYCHOSIS = "psychosis"


# TransferDestination and ConsentForm have no docstring on purpose: an enum's
# docstring becomes its description in the timeline JSON Schema, which has
# none for these two (timeline_json_schema() is kept unchanged).


class TransferDestination(str, Enum):
    OTHER_UNIT = "other_unit"
    OTHER_PRISON = "other_prison"
    REMAND_ELECTRONIC_MONITORING = "remand_electronic_monitoring"
    COMMUNITY_SENTENCE = "community_sentence"
    OUTSIDE_PRISON = "outside_prison"


class ConsentForm(str, Enum):
    WRITTEN = "written"
    ORAL = "oral"


class DisclosureBasis(str, Enum):
    """Legal basis recorded on a disclosure of confidential information (001 §6.1)."""

    CONSENT = "consent"
    #: illness notice, straffegjennomføringsforskriften § 3-16
    ILLNESS_NOTICE = "illness_notice"
    #: compulsory mental health care notice, psykisk helsevernloven § 3-6
    COMPULSORY_CARE_NOTICE = "compulsory_care_notice"
    #: danger to life or health, forvaltningsloven § 13 b nr. 7
    DANGER_TO_LIFE_OR_HEALTH = "danger_to_life_or_health"
    #: the person's connection to KO and decisions taken, forvaltningsloven § 13 b nr. 5
    CONNECTION_TO_KO = "connection_to_ko"
    #: other information necessary to further KO's tasks, forvaltningsloven § 13 b nr. 5 (its third limb)
    KO_TASKS = "ko_tasks"


class EscortNoticeRecipient(str, Enum):
    """Who was told that an escort (*framstilling*) to treatment could not be carried out (001 §5.2.1:
    the treatment place and the prison health service, each)."""

    #: the treatment place (*aktuelt behandlingssted*)
    TREATMENT_PLACE = "treatment_place"
    #: the municipal health and care service in the prison
    KHO = "kho"
    #: both, in one notice (also what a notice recorded without a recipient means)
    BOTH = "both"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


#: the instants and dates a timeline may hold: custody records, with room on
#: both sides; outside it, calendar arithmetic would leave Python's range
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _in_range(value: datetime) -> datetime:
    # A UTC offset is less than a day, so an instant whose local year lies
    # strictly between the bounds' years is in range without converting it
    # (converting costs more than the rest of an event's validation).
    if EARLIEST.year < value.year < LATEST.year - 1:
        return value
    try:
        ok = EARLIEST <= value.astimezone(timezone.utc) < LATEST
    except OverflowError:
        ok = False
    if not ok:
        raise ValueError("instant must be from 1900 up to 2200 (UTC)")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("date must be from 1900 up to 2200")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[date, AfterValidator(_date_in_range)]


class _EventBase(_Base):
    #: an event that names a measure may come before the measure starts only
    #: where its nature says so (a doctor's statement obtained before the decision)
    may_precede_measure: ClassVar[bool] = False

    id: Id = Field(description="Stable id of the event, unique in the timeline.")
    at: Instant = Field(description="When it happened; must carry a UTC offset (1900–2200).")


class _Response(_EventBase):
    """An event that answers an earlier one (a referral assessed, advice followed up …)."""

    responds_to: Id | None = Field(
        default=None,
        description="Id of the event this one answers; unset means it answers any open one.",
    )


class _MeasureStart(_EventBase):
    """The start of a measure that lasts; its ``…_ended`` event names the same ``measure_id``."""

    measure_kind: ClassVar[MeasureKind]
    measure_id: Id = Field(description="Id shared by the started and ended events of one measure.")


class _MeasureEnd(_EventBase):
    """The end of a measure that lasts, naming the ``measure_id`` of its start."""

    measure_kind: ClassVar[MeasureKind]
    measure_id: Id = Field(description="The measure_id of the started event this ends.")
