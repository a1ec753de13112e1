"""Timeline models: one person's custody as a list of dated events.

A :class:`Timeline` holds a case id, the person (only what the rules need: an
opaque id and the birth date) and the events. Events form a discriminated
union on ``type``; each has a stable ``id`` unique in the timeline and a
timezone-aware instant ``at``. A naive datetime is an error, never a guess.

Measures that last (exclusion, security cell, restraint bed, continuous
supervision) are recorded as a ``…_started`` and a ``…_ended`` event sharing a
``measure_id``. An end without its start, an end before its start, or a start
used twice are errors.

Unknown fields are rejected: nothing in the input is silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from .._common.calendar import utc
from .._common.errors import TimelineError
from .jsonread import parse_json, read_source

__all__ = [
    "Agency",
    "CustodyKind",
    "Event",
    "ExclusionBasis",
    "ExclusionScope",
    "MeasureKind",
    "Person",
    "Timeline",
    "load_timeline",
    "timeline_json_schema",
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
    id: Id = Field(description="Stable id of the event, unique in the timeline.")
    at: Instant = Field(description="When it happened; must carry a UTC offset (1900–2200).")


class _Response(_EventBase):
    """An event that answers an earlier one (a referral assessed, advice followed up …)."""

    responds_to: Id | None = Field(
        default=None,
        description="Id of the event this one answers; unset means it answers any open one.",
    )


class _MeasureStart(_EventBase):
    measure_kind: ClassVar[MeasureKind]
    measure_id: Id = Field(description="Id shared by the started and ended events of one measure.")


class _MeasureEnd(_EventBase):
    measure_kind: ClassVar[MeasureKind]
    measure_id: Id = Field(description="The measure_id of the started event this ends.")


# --- custody --------------------------------------------------------------


class Admitted(_EventBase):
    """Admitted to prison (*innsettelse*)."""

    type: Literal["admitted"] = "admitted"
    custody_kind: CustodyKind
    ongoing_specialist_treatment: bool = Field(
        default=False, description="In ongoing specialist treatment when admitted."
    )


class ExpectedReleaseDateSet(_EventBase):
    """The expected release date became known, or changed (*forventet løslatelse*).

    ``at`` is when the date became known; a later event of this type replaces
    the date.
    """

    type: Literal["expected_release_date_set"] = "expected_release_date_set"
    release_date: Day = Field(description="Expected release date, a Europe/Oslo calendar date.")


class ReleaseNoticeSent(_EventBase):
    """Notice of the expected release sent to an agency (*varsel om løslatelse*)."""

    type: Literal["release_notice_sent"] = "release_notice_sent"
    recipient: Agency


class Released(_EventBase):
    """Released from prison (*løslatt*)."""

    type: Literal["released"] = "released"


# --- isolation ------------------------------------------------------------


class ExclusionStarted(_MeasureStart):
    """Excluded from association with other inmates (*utelukkelse fra fellesskapet*)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.EXCLUSION
    type: Literal["exclusion_started"] = "exclusion_started"
    basis: ExclusionBasis
    scope: ExclusionScope
    expected_end: Instant | None = Field(
        default=None, description="When the exclusion is expected to end, if known."
    )


class ExclusionEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.EXCLUSION
    type: Literal["exclusion_ended"] = "exclusion_ended"


class SecurityCellStarted(_MeasureStart):
    """Placed in a security cell (*sikkerhetscelle*, strgjfl. § 38)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.SECURITY_CELL
    type: Literal["security_cell_started"] = "security_cell_started"


class SecurityCellEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.SECURITY_CELL
    type: Literal["security_cell_ended"] = "security_cell_ended"


class RestraintBedStarted(_MeasureStart):
    """Placed in a restraint bed (*sikkerhetsseng*, strgjfl. § 38)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.RESTRAINT_BED
    type: Literal["restraint_bed_started"] = "restraint_bed_started"


class RestraintBedEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.RESTRAINT_BED
    type: Literal["restraint_bed_ended"] = "restraint_bed_ended"


class SupervisionLook(_EventBase):
    """A member of staff looked in on the inmate (*tilsyn*)."""

    type: Literal["supervision_look"] = "supervision_look"
    measure_id: Id | None = Field(
        default=None,
        description="The measure the look was made under; unset means it counts for any.",
    )


class ContinuousSupervisionStarted(_MeasureStart):
    """Continuous supervision began (*kontinuerlig tilsyn*)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONTINUOUS_SUPERVISION
    type: Literal["continuous_supervision_started"] = "continuous_supervision_started"


class ContinuousSupervisionEnded(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONTINUOUS_SUPERVISION
    type: Literal["continuous_supervision_ended"] = "continuous_supervision_ended"


class DoctorNotified(_EventBase):
    """A doctor in the municipal health service was notified (*varsle lege*)."""

    type: Literal["doctor_notified"] = "doctor_notified"
    measure_id: Id | None = Field(
        default=None,
        description="The measure the notice was about; unset means it counts for any.",
    )


# --- admission and health ------------------------------------------------


def _simple(type_name: str, doc: str, base: type = _EventBase, **fields: Any) -> type:
    """A small event class: ``type`` plus the given (annotation, Field) pairs."""
    annotations = {"type": Literal[type_name]}  # type: ignore[valid-type]
    namespace: dict[str, Any] = {"__doc__": doc, "type": type_name}
    for name, (annotation, default) in fields.items():
        annotations[name] = annotation
        namespace[name] = default
    namespace["__annotations__"] = annotations
    cls_name = "".join(part.capitalize() for part in type_name.split("_"))
    return type(cls_name, (base,), namespace)


_B = lambda doc: Field(default=False, description=doc)  # noqa: E731

IntakeInterview = _simple(
    "intake_interview", "Intake interview that screens for suicide and self-harm risk (*innkomstsamtale*)."
)
NeedsMapped = _simple("needs_mapped", "Needs for help from other agencies mapped with the inmate (*kartlegging*).")
HealthIntakeConversation = _simple(
    "health_intake_conversation", "Health intake conversation by the health service (*innkomstsamtale helse*)."
)
HealthNeedObserved = _simple(
    "health_need_observed",
    "Something that calls for health care was asked for or observed.",
    need=(HealthNeed, ...),
    at_admission=(bool, _B("Observed at admission (intake), not later in custody.")),
    acute=(bool, _B("Needs emergency help (raised suicide risk, psychosis).")),
)
HealthContactEstablished = _simple(
    "health_contact_established", "Contact with the municipal health service established.", _Response
)
MeasuresPlanAssessed = _simple(
    "measures_plan_assessed", "Need for a measures plan (*tiltaksplan*) assessed and recorded.", _Response
)
IndividualPlanRequested = _simple(
    "individual_plan_requested", "Inmate entitled to and wanting an individual plan (*individuell plan*)."
)
IndividualPlanEstablished = _simple("individual_plan_established", "Individual plan established.", _Response)
CoordinatedServicesNeedRecorded = _simple(
    "coordinated_services_need_recorded", "Need for long-term coordinated services recorded."
)
CoordinatorOffered = _simple("coordinator_offered", "Coordinator (*koordinator*) offered.", _Response)
SpecialistFollowup = _simple(
    "specialist_followup", "Specialist treatment continued: follow-up by the specialist service recorded.", _Response
)
BrikOffered = _simple("brik_offered", "Needs-and-resources mapping (BRIK) offered.")
SubstanceOfferMade = _simple(
    "substance_offer_made", "Drug counselling, a programme or overdose-risk measures offered.", _Response
)
AcuteAssessment = _simple("acute_assessment", "Assessment by the specialist service without referral.", _Response)
SuicideRiskMapped = _simple("suicide_risk_mapped", "Suicide risk mapped by health personnel.", _Response)
ReferralReceived = _simple("referral_received", "Referral received by the specialist service (*henvisning*).")
ReferralAssessed = _simple("referral_assessed", "Referral assessed (pasient- og brukerrettighetsloven § 2-2).", _Response)
CompulsoryCareConditionsAssumed = _simple(
    "compulsory_care_conditions_assumed",
    "Person assumed to meet the conditions for compulsory mental health care, not seeking treatment.",
)
DoctorExaminationRequested = _simple(
    "doctor_examination_requested", "Examination by a doctor requested (psykisk helsevernloven § 3-6).", _Response
)
CompulsoryCarePetition = _simple("compulsory_care_petition", "KO petitioned for compulsory mental health care.")
CompulsoryCareFeedback = _simple(
    "compulsory_care_feedback",
    "Feedback from the specialist service to KO on a petition.",
    _Response,
    written=(bool, Field(default=True, description="The feedback was in writing.")),
)
StaffMedicationHandout = _simple(
    "staff_medication_handout",
    "KO staff handed out medication (straffegjennomføringsforskriften § 3-17).",
    arrangement_approved=(bool, _B("The municipal chief medical officer approved the arrangement.")),
    staff_trained=(bool, _B("The staff member had the necessary training.")),
)

# --- escorts and transfers ------------------------------------------------

EscortCancelled = _simple("escort_cancelled", "An escort (*framstilling*) to treatment could not be carried out.")
EscortCancellationNotified = _simple(
    "escort_cancellation_notified",
    "Treatment place and prison health service told of a cancelled escort.",
    _Response,
)
EscortRescheduled = _simple("escort_rescheduled", "A new escort scheduled.", _Response)
DeviationRegistered = _simple("deviation_registered", "A deviation (*avvik*) registered.", _Response)
TransferDecided = _simple(
    "transfer_decided",
    "Transfer decided (other unit or prison, remand with electronic monitoring, community sentence).",
    destination=(TransferDestination, ...),
    transfer_date=(Day | None, Field(default=None, description="Planned date of the transfer, if known.")),
    substance_or_mental_health_problems=(
        bool | None,
        Field(
            default=None,
            description="Inmate has substance problems or mental illness; unset means not recorded "
            "(a transfer to remand with electronic monitoring then still asks for the assessment).",
        ),
    ),
)
TransferNoticeSent = _simple(
    "transfer_notice_sent",
    "An agency told of a decided transfer.",
    _Response,
    recipient=(Agency, ...),
)
Transferred = _simple("transferred", "The transfer took place.", _Response)

# --- release --------------------------------------------------------------

ReleaseDecided = _simple(
    "release_decided",
    "Release (or transfer out) decided or planned; flags say what the release must attend to.",
    from_remand=(bool, _B("Release from remand custody.")),
    substance_or_mental_health_problems=(bool, _B("Inmate has substance problems or mental illness.")),
    raised_overdose_risk=(bool, _B("Raised risk of overdose.")),
    raised_suicide_risk=(bool, _B("Raised risk of suicide.")),
    ongoing_health_services=(bool, _B("Receives health services that must continue.")),
    ongoing_specialist_treatment=(bool, _B("In ongoing specialist treatment.")),
    consents_to_cooperation_meeting=(bool, _B("Inmate consents to a cooperation meeting.")),
    consents_to_specialist_handover=(bool, _B("Inmate consents to information going to the receiving health trust.")),
    consents_to_gp_notice=(bool, _B("Inmate consents to the GP (*fastlege*) being informed.")),
)
ImmediateNoticeAssessed = _simple(
    "immediate_notice_assessed", "Assessment of immediate notice to the health services recorded.", _Response
)
CooperationMeetingInvited = _simple(
    "cooperation_meeting_invited", "Health service and other agencies invited to a cooperation meeting.", _Response
)
ReleaseConversation = _simple(
    "release_conversation", "Release conversation held to prevent overdose and suicide.", _Response
)
OverdosePreventionConversation = _simple(
    "overdose_prevention_conversation", "Structured overdose-prevention conversation held.", _Response
)
ContinuityAssistance = _simple(
    "continuity_assistance", "Help given to continue health services in the home municipality.", _Response
)
SpecialistInformationForwarded = _simple(
    "specialist_information_forwarded", "Relevant information forwarded to the receiving health trust.", _Response
)
PopPlanAssisted = _simple("pop_plan_assisted", "Assistance with the follow-up and progression plan (POP) recorded.")

# --- consent and disclosure -------------------------------------------------


class ConsentGiven(_MeasureStart):
    """Consent to share confidential information (*samtykke*); lasts until withdrawn.

    ``measure_id`` is the consent's id; ``scope`` lists the recipients it covers.
    """

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONSENT
    type: Literal["consent_given"] = "consent_given"
    scope: list[Agency] = Field(min_length=1, max_length=20)
    form: ConsentForm
    informed: bool = Field(description="The inmate was informed of what the consent means.")
    filed_in_own_record: bool = Field(description="Filed in the recording party's own record system.")
    recorded_by: Literal["KO", "KHO"]


class ConsentWithdrawn(_MeasureEnd):
    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONSENT
    type: Literal["consent_withdrawn"] = "consent_withdrawn"


InformationDisclosed = _simple(
    "information_disclosed",
    "Confidential information shared by KO with another agency.",
    recipient=(Agency, ...),
    legal_basis=(DisclosureBasis, ...),
)

# --- isolation (more) -------------------------------------------------------

ForceUsed = _simple(
    "force_used",
    "Physical force used to carry out an exclusion.",
    measure_id=(Id | None, Field(default=None, description="The measure it was used for.")),
)
InmateAskedForHealthSupervision = _simple(
    "inmate_asked_for_health_supervision", "The inmate asked to be seen by health personnel."
)
HealthSupervisionRequested = _simple(
    "health_supervision_requested", "KO asked health personnel to see the inmate.", _Response
)
WeeklyPlanMade = _simple(
    "weekly_plan_made",
    "Weekly plan (*ukeplan*) for an exclusion made.",
    measure_id=(Id | None, Field(default=None, description="The exclusion it is for.")),
)
MeaningfulContact = _simple(
    "meaningful_contact",
    "Meaningful human contact; ``at`` is when it began.",
    minutes=(int, Field(ge=1, le=24 * 60, description="How long it lasted, in minutes.")),
    measure_id=(Id | None, Field(default=None)),
)
HealthAdviceGiven = _simple("health_advice_given", "Health personnel gave advice about an isolated inmate.")
HealthAdviceFollowedUp = _simple(
    "health_advice_followed_up", "Advice followed up with measures, or a reason recorded.", _Response
)
DoctorStatementObtained = _simple(
    "doctor_statement_obtained",
    "Doctor's statement obtained before a security cell or bed decision; it may name the "
    "measure it was for even though it comes before the measure starts.",
    measure_id=(Id | None, Field(default=None)),
)
DoctorStatementObtained.may_precede_measure = True
LeaderReview = _simple(
    "leader_review",
    "The prison leader acquainted themself with the inmate's condition.",
    measure_id=(Id | None, Field(default=None)),
)
HealthVisit = _simple(
    "health_visit",
    "Health personnel saw the inmate (*tilsyn av helsepersonell*).",
    measure_id=(Id | None, Field(default=None)),
)
HarmObserved = _simple("harm_observed", "Physical or mental harm from an isolation measure observed.")
HarmReported = _simple("harm_reported", "Harm reported to the prison leader.", _Response)
InjuryObserved = _simple("injury_observed", "Injury sustained in carrying out a measure.")
InjuryDocumented = _simple("injury_documented", "Injury documented by health personnel.", _Response)
FollowupPlanMade = _simple(
    "followup_plan_made",
    "Doctor's plan for how often health personnel follow up an inmate locked in large parts of the day.",
    measure_id=(Id | None, Field(default=None)),
)

Event = Annotated[
    Union[
        Admitted,
        ExclusionStarted,
        ExclusionEnded,
        SecurityCellStarted,
        SecurityCellEnded,
        RestraintBedStarted,
        RestraintBedEnded,
        SupervisionLook,
        ContinuousSupervisionStarted,
        ContinuousSupervisionEnded,
        DoctorNotified,
        ExpectedReleaseDateSet,
        ReleaseNoticeSent,
        Released,
        IntakeInterview,
        NeedsMapped,
        HealthIntakeConversation,
        HealthNeedObserved,
        HealthContactEstablished,
        MeasuresPlanAssessed,
        IndividualPlanRequested,
        IndividualPlanEstablished,
        CoordinatedServicesNeedRecorded,
        CoordinatorOffered,
        SpecialistFollowup,
        BrikOffered,
        SubstanceOfferMade,
        AcuteAssessment,
        SuicideRiskMapped,
        ReferralReceived,
        ReferralAssessed,
        CompulsoryCareConditionsAssumed,
        DoctorExaminationRequested,
        CompulsoryCarePetition,
        CompulsoryCareFeedback,
        StaffMedicationHandout,
        EscortCancelled,
        EscortCancellationNotified,
        EscortRescheduled,
        DeviationRegistered,
        TransferDecided,
        TransferNoticeSent,
        Transferred,
        ReleaseDecided,
        ImmediateNoticeAssessed,
        CooperationMeetingInvited,
        ReleaseConversation,
        OverdosePreventionConversation,
        ContinuityAssistance,
        SpecialistInformationForwarded,
        PopPlanAssisted,
        ConsentGiven,
        ConsentWithdrawn,
        InformationDisclosed,
        ForceUsed,
        InmateAskedForHealthSupervision,
        HealthSupervisionRequested,
        WeeklyPlanMade,
        MeaningfulContact,
        HealthAdviceGiven,
        HealthAdviceFollowedUp,
        DoctorStatementObtained,
        LeaderReview,
        HealthVisit,
        HarmObserved,
        HarmReported,
        InjuryObserved,
        InjuryDocumented,
        FollowupPlanMade,
    ],
    Field(discriminator="type"),
]

EVENT_TYPES: dict[str, type[_EventBase]] = {
    cls.model_fields["type"].default: cls  # type: ignore[misc]
    for cls in Event.__origin__.__args__  # type: ignore[attr-defined]
}


class Person(_Base):
    """The person in custody: an opaque id and the birth date, nothing more."""

    id: Id = Field(description="Opaque person id; never a name or national id number.")
    birth_date: Day


@dataclass(frozen=True, slots=True)
class MeasurePair:
    """A measure's started event and, if recorded, its ended event."""

    kind: MeasureKind
    start: Any
    end: Any | None


class Timeline(_Base):
    """One person's custody case (*ett opphold*)."""

    case_id: Id
    prison_id: Id | None = Field(default=None, description="Prison (institution) id.")
    person: Person
    events: list[Event]

    @model_validator(mode="after")
    def _check_structure(self) -> Timeline:
        seen: dict[str, int] = {}
        for i, ev in enumerate(self.events):
            if ev.id in seen:
                raise _LocatedValueError(
                    f"duplicate event id (first used at events[{seen[ev.id]}])", i, ev.id, "id"
                )
            seen[ev.id] = i
            if isinstance(ev, ExclusionStarted) and ev.expected_end is not None:
                if utc(ev.expected_end) < utc(ev.at):
                    raise _LocatedValueError(
                        "expected_end is before the exclusion started", i, ev.id, "expected_end"
                    )
        for i, ev in enumerate(self.events):
            target = ev.__dict__.get("responds_to")
            if target is None:
                continue
            if target not in seen:
                raise _LocatedValueError(
                    f"responds to event {target!r}, which is not in the timeline", i, ev.id, "responds_to"
                )
            if utc(self.events[seen[target]].at) > utc(ev.at):
                raise _LocatedValueError(
                    f"responds to event {target!r}, which comes later (events[{seen[target]}])", i, ev.id,
                    "responds_to",
                )
        pair_measures(self.events)
        return self

    def measures(self) -> dict[str, MeasurePair]:
        """The measures of this timeline, keyed by measure id."""
        return pair_measures(self.events)


class _LocatedValueError(ValueError):
    """Raised inside validators; turned into a TimelineError by the loader."""

    def __init__(self, problem: str, index: int, event_id: str, field: str) -> None:
        super().__init__(problem)
        self.problem, self.index, self.event_id, self.field = problem, index, event_id, field


def pair_measures(events: Iterable[Any], *, check_refs: bool = True) -> dict[str, MeasurePair]:
    """Pair every ``…_started`` with its ``…_ended`` event by ``measure_id``.

    Raises a located error for an end without a start (an unknown measure), a
    second start or end of the same measure, an end of another kind of measure,
    and an end before its start.
    """
    events = list(events)
    pairs: dict[str, MeasurePair] = {}
    index_of: dict[str, int] = {}
    for i, ev in enumerate(events):
        if isinstance(ev, _MeasureStart):
            if ev.measure_id in pairs:
                raise _LocatedValueError(
                    f"measure {ev.measure_id!r} is started twice", i, ev.id, "measure_id"
                )
            pairs[ev.measure_id] = MeasurePair(ev.measure_kind, ev, None)
            index_of[ev.measure_id] = i
    for i, ev in enumerate(events):
        if not isinstance(ev, _MeasureEnd):
            continue
        pair = pairs.get(ev.measure_id)
        if pair is None:
            raise _LocatedValueError(
                f"ends measure {ev.measure_id!r}, which no started event opens", i, ev.id, "measure_id"
            )
        if pair.kind is not ev.measure_kind:
            raise _LocatedValueError(
                f"ends measure {ev.measure_id!r}, which is a {pair.kind.value}, not a "
                f"{ev.measure_kind.value}",
                i,
                ev.id,
                "measure_id",
            )
        if pair.end is not None:
            raise _LocatedValueError(
                f"measure {ev.measure_id!r} is ended twice", i, ev.id, "measure_id"
            )
        if utc(ev.at) < utc(pair.start.at):
            raise _LocatedValueError(
                f"ends measure {ev.measure_id!r} before it started (events[{index_of[ev.measure_id]}])",
                i,
                ev.id,
                "at",
            )
        pairs[ev.measure_id] = MeasurePair(pair.kind, pair.start, ev)
    # Events that refer to a measure (looks, doctor notices) must name a known
    # one, and come after it started unless made before by nature (a doctor's
    # statement obtained before the decision).
    if not check_refs:
        return pairs
    for i, ev in enumerate(events):
        ref = ev.__dict__.get("measure_id")
        if ref is None or isinstance(ev, (_MeasureStart, _MeasureEnd)):
            continue
        if ref not in pairs:
            raise _LocatedValueError(
                f"refers to measure {ref!r}, which no started event opens", i, ev.id, "measure_id"
            )
        if utc(ev.at) < utc(pairs[ref].start.at) and not getattr(ev, "may_precede_measure", False):
            raise _LocatedValueError(
                f"refers to measure {ref!r} before it started", i, ev.id, "at"
            )
    return pairs


_TIMELINE_ADAPTER = TypeAdapter(Timeline)


def timeline_json_schema() -> dict[str, Any]:
    """The JSON Schema of a timeline file."""
    return Timeline.model_json_schema()


def load_timeline(source: str | Path | Mapping[str, Any] | bytes, *, name: str | None = None) -> Timeline:
    """Load and validate a timeline.

    ``source`` is a path to a JSON file, a JSON text (``str`` starting with
    ``{`` or ``bytes``), or an already parsed mapping. Raises
    :class:`TimelineError` naming the file, the event index and id, and the
    field.
    """
    text, label = read_source(source, name, TimelineError)
    if isinstance(text, (str, bytes)):
        return _validate_text(text, label)
    return validate_timeline(text, source=label)


def _validate_text(text: str | bytes, label: str) -> Timeline:
    """Parse and validate JSON text in one pass (pydantic-core); on failure,
    parse it again the plain way to locate and describe the problem."""
    try:
        return _TIMELINE_ADAPTER.validate_json(text)
    except (ValidationError, RecursionError, ValueError):
        pass
    return validate_timeline(parse_json(text, label, TimelineError), source=label)


def validate_timeline(data: Any, *, source: str = "<input>") -> Timeline:
    """Validate parsed JSON data as a timeline, raising a located TimelineError."""
    if not isinstance(data, Mapping):
        raise TimelineError("a timeline must be a JSON object", source=source)
    _check_depth(data, source)
    try:
        return _TIMELINE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise _timeline_error_from(exc, data, source) from None
    except RecursionError:
        raise TimelineError("input is nested too deeply", source=source) from None


#: no field of a timeline nests deeper than this; deeper input is refused
#: before validation (pydantic-core would recurse through it)
MAX_DEPTH = 32


def _check_depth(data: Mapping[str, Any], source: str) -> None:
    """Refuse input nested deeper than MAX_DEPTH, naming the event and field (iteratively)."""
    for key, value in data.items():
        if key != "events" or not isinstance(value, list):
            if _too_deep(value, 1):
                raise TimelineError("value is nested too deeply", source=source, field=str(key))
            continue
        for i, ev in enumerate(value):
            if not isinstance(ev, Mapping):
                if _too_deep(ev, 2):
                    raise TimelineError("value is nested too deeply", source=source, index=i)
                continue
            for name, v in ev.items():
                if _too_deep(v, 3):
                    raw_id = ev.get("id")
                    raise TimelineError(
                        "value is nested too deeply", source=source, index=i,
                        event_id=raw_id if isinstance(raw_id, str) else None, field=str(name),
                    )


def _too_deep(value: Any, start: int) -> bool:
    """Whether lists and mappings nest past MAX_DEPTH (``value`` itself at depth ``start``), without recursion."""
    stack = [(value, start)]
    while stack:
        v, d = stack.pop()
        if d > MAX_DEPTH:
            return True
        if isinstance(v, Mapping):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return False


def _timeline_error_from(exc: ValidationError, data: Mapping[str, Any], source: str) -> TimelineError:
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = list(err["loc"])
    ctx_err = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_err, _LocatedValueError):
        return TimelineError(
            ctx_err.problem,
            source=source,
            index=ctx_err.index,
            event_id=ctx_err.event_id,
            field=ctx_err.field,
        )
    # Unwrap the located error carried by a model validator.
    if err["type"] == "value_error" and not loc:
        msg = err["msg"].removeprefix("Value error, ")
        return TimelineError(msg, source=source)
    index = event_id = None
    if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
        index = loc[1]
        events = data.get("events")
        if isinstance(events, list) and 0 <= index < len(events) and isinstance(events[index], Mapping):
            raw_id = events[index].get("id")
            event_id = raw_id if isinstance(raw_id, str) else None
        rest = loc[2:]
        # The discriminated union puts the event type in the location; drop it.
        if rest and isinstance(rest[0], str) and rest[0] in EVENT_TYPES:
            rest = rest[1:]
        field = ".".join(str(p) for p in rest) or None
    else:
        field = ".".join(str(p) for p in loc) or None
    problem = _describe(err)
    return TimelineError(problem, source=source, index=index, event_id=event_id, field=field)


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "timezone_aware":
        return "datetime has no UTC offset (naive datetimes are not accepted)"
    if kind == "union_tag_invalid":
        known = ", ".join(sorted(EVENT_TYPES))
        return f"unknown event type; known types: {known}"
    if kind == "union_tag_not_found":
        return "event has no 'type'"
    if kind == "extra_forbidden":
        return "unknown field (not part of this record's type)"
    if kind == "missing":
        return "required field is missing"
    return err["msg"]
