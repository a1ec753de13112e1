"""What every event shares: the bases, the id and instant types, the enums.

- :class:`_EventBase`: a stable ``id`` and a timezone-aware instant ``at``;
- :class:`_Response`: an event that answers an earlier one (``responds_to``);
- :class:`_MeasureStart`, :class:`_MeasureEnd`: the two ends of a measure that
  lasts, sharing a ``measure_id``; each subclass names its :class:`MeasureKind`
  in the ``measure_kind`` class variable.

``Id``, ``Instant`` and ``Day`` are the annotated types fields use; an instant
or date outside 1900–2200 is refused. The enums are the closed vocabularies
of event fields (agencies, custody kinds, health needs, …).

Strict, the same from JSON and from Python (docs/timeline-format.md#strict-values):

- an ``Id`` is 1–200 printable ASCII characters other than space (``!``–``~``),
  and is never shaped like a Norwegian national identity number (11 digits
  whose two check digits are right: a fødselsnummer, D- or H-number);
- an ``Instant`` is an aware ``datetime`` or an ISO 8601 text
  ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with ``Z`` or ``±HH:MM`` (:data:`INSTANT_PATTERN`),
  a ``Day`` a ``date`` or ``YYYY-MM-DD`` (:data:`DAY_PATTERN`): a number is never
  an instant, and a date is not an instant;
- a ``bool`` is ``true`` or ``false`` only (``"yes"``, ``1`` are refused), an
  ``int`` is a JSON integer (``true`` and ``"30"`` are refused; ``30.0``, which
  JSON Schema counts as the integer 30, is 30), a ``str`` is a string.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from enum import Enum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "Count",
    "DAY_PATTERN",
    "EARLIEST",
    "ID_PATTERN",
    "INSTANT_PATTERN",
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

#: an id: printable ASCII without space (the same in every regular-expression engine). The
#: published patterns end in ``$(?!\n)``: in ECMA-262 (JSON Schema's dialect) ``$`` is the end of
#: the text, in Python's ``re`` it also matches before a final newline, which the lookahead excludes
ID_PATTERN = r"^[!-~]+$(?!\n)"
ID_MAX = 200
_ID_FULL = re.compile(r"[!-~]+")


def _checked_fnr(digits: str) -> bool:
    """Whether 11 digits have the two mod-11 check digits of a Norwegian national identity number."""
    d = [int(c) for c in digits]
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k1 = 11 - sum(a * b for a, b in zip(w1, d)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10 or k1 != d[9]:
        return False
    k2 = 11 - sum(a * b for a, b in zip(w2, d)) % 11
    k2 = 0 if k2 == 11 else k2
    return k2 != 10 and k2 == d[10]


def _plausible_birth(digits: str) -> bool:
    """Day and month of a fødselsnummer, D-number (day + 40), H-number (month + 40) or synthetic
    test number (month + 80)."""
    day, month = int(digits[:2]), int(digits[2:4])
    day = day - 40 if day > 40 else day
    month = month - 80 if month > 80 else month - 40 if month > 40 else month
    return 1 <= day <= 31 and 1 <= month <= 12


_DIGIT_RUNS = re.compile(r"(?<![0-9])[0-9]{11}(?![0-9])")


def looks_like_national_id(text: str) -> bool:
    """Whether ``text`` holds, as a run of exactly 11 digits, a number shaped like a Norwegian
    national identity number (plausible date, both check digits right)."""
    if len(text) < 11:  # the common case, an id too short to hold one: no regular expression run
        return False
    return any(_plausible_birth(m) and _checked_fnr(m) for m in _DIGIT_RUNS.findall(text))


#: what an id is, in words: the one message for an id of the wrong length or characters
ID_WORDS = f"an id is 1 to {ID_MAX} printable ASCII characters, without spaces or control characters (! to ~)"


#: an id that is certainly valid: printable ASCII without a run of more than ten digits (so holding
#: no national identity number); atomic groups, so that a failed match does not backtrack
_ID_PLAIN = re.compile(r"(?>[!-/:-~]++|[0-9]{1,10}+(?![0-9]))++")


def _not_national_id(value: str) -> str:
    if len(value) <= ID_MAX and _ID_PLAIN.fullmatch(value):  # most ids: one look
        return value
    # The length is checked here, not by Field(min_length=…), so that every id problem but one
    # reads the same (and pydantic's "String should have at least 1 character" is not shown).
    if not 0 < len(value) <= ID_MAX or not _ID_FULL.fullmatch(value):
        raise PydanticCustomError("id_pattern", ID_WORDS)
    if looks_like_national_id(value):
        raise PydanticCustomError(
            "national_id", "an id must not be a national identity number (fødselsnummer or D-number)"
        )
    return value


Id = Annotated[
    str,
    Field(strict=True),
    AfterValidator(_not_national_id),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": ID_MAX, "pattern": ID_PATTERN}),
]


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
    # strict: no bool from "yes" or 1, no int from true or "30", no str from bytes; instants,
    # dates and enums take their JSON text explicitly (Instant, Day; enum fields are lax)
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, strict=True)


_D = r"(?:(?:19|20|21)[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)"  # noqa: E501
#: a calendar date 1900-01-01 … 2199-12-31, leap days included (the JSON Schema's pattern)
DAY_PATTERN = f"^{_D}$(?!\\n)"
#: a date-time with seconds optional, up to six decimals, and ``Z`` or an offset below 24 h
INSTANT_PATTERN = (
    f"^{_D}T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{{1,6}})?)?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$(?!\\n)"
)
_INSTANT_RE = re.compile(INSTANT_PATTERN)
_NAIVE_RE = re.compile(INSTANT_PATTERN.removesuffix("(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$(?!\\n)") + "$(?!\\n)")
_DAY_RE = re.compile(DAY_PATTERN)


def _instant(value: Any) -> Any:
    # The range (_in_range) is checked here, not after AwareDatetime: an instant written as text
    # is in range by the pattern, and a naive datetime is left to AwareDatetime to refuse.
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            _in_range(value)
        return value  # checked as an aware datetime next
    if isinstance(value, str) and _INSTANT_RE.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:  # pragma: no cover - the pattern admits only valid instants
            pass
    if isinstance(value, str) and _NAIVE_RE.fullmatch(value):
        raise PydanticCustomError("timezone_aware", "datetime has no UTC offset (naive datetimes are not accepted)")
    raise PydanticCustomError(
        "instant", "expected an ISO 8601 date-time with a UTC offset, as a string (YYYY-MM-DDTHH:MM+01:00)"
    )


def _day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:  # pragma: no cover - the pattern admits only valid dates
            pass
    raise PydanticCustomError("day", "expected an ISO 8601 calendar date, as a string (YYYY-MM-DD)")


#: the instants and dates a timeline may hold: custody records, with room on
#: both sides; outside it, calendar arithmetic would leave Python's range
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _in_range(value: datetime) -> datetime:
    # The instant's own (written) date must lie in 1900 … 2199: the same range the JSON
    # Schema's pattern states. A UTC offset is below a day, so its UTC date is then within
    # a day of the range, far inside Python's calendar.
    if not EARLIEST.year <= value.year < LATEST.year:
        raise ValueError("instant must be from 1900 up to 2200 (its own date, 1900-01-01 to 2199-12-31)")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("date must be from 1900 up to 2200")
    return value


_INSTANT_SCHEMA = {"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}
_DAY_SCHEMA = {"type": "string", "format": "date", "pattern": DAY_PATTERN}
Instant = Annotated[
    AwareDatetime, BeforeValidator(_instant), WithJsonSchema(_INSTANT_SCHEMA)
]
Day = Annotated[date, BeforeValidator(_day), AfterValidator(_date_in_range), WithJsonSchema(_DAY_SCHEMA)]


def _integral(value: Any) -> Any:
    # JSON Schema: "a number with a zero fractional part is an integer" (30.0 is 30)
    if type(value) is float and value.is_integer():
        return int(value)
    return value


#: an integer field: a JSON integer (or a number with a zero fractional part); never a bool or text
Count = Annotated[int, BeforeValidator(_integral)]


def _type_required(schema: dict[str, Any]) -> None:
    # The loader needs "type" to choose the event's class: the schema says so (pydantic would not,
    # "type" having a default).
    schema["required"] = ["type", *[r for r in schema.get("required", []) if r != "type"]]


class _EventBase(_Base):
    model_config = ConfigDict(json_schema_extra=_type_required)

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
