"""The events of a timeline, to build one by hand (public API).

Each event type is a typed, frozen Pydantic model with a ``type`` literal, a
stable ``id`` and a timezone-aware instant ``at``; unknown fields are
rejected. :data:`Event` is their discriminated union on ``type``, as in
:attr:`samarbeid_rules.Timeline.events`::

    from datetime import date, datetime, timezone
    from samarbeid_rules import Person, Timeline, evaluate
    from samarbeid_rules.events import Admitted, CustodyKind

    at = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
    tl = Timeline(case_id="c-1", person=Person(id="p-1", birth_date=date(1990, 1, 1)),
                  events=[Admitted(id="e1", at=at, custody_kind=CustodyKind.SENTENCE)])
    report = evaluate(tl)

The event types by section of the duty catalog (the sections whose duties
they trigger or fulfil):

A. Admission
    Admitted, IntakeInterview, NeedsMapped, HealthIntakeConversation,
    MeasuresPlanAssessed, IndividualPlanRequested, IndividualPlanEstablished,
    CoordinatedServicesNeedRecorded, CoordinatorOffered, SpecialistFollowup

B. During the sentence
    HealthNeedObserved, HealthContactEstablished (at admission too);
    BrikOffered, SubstanceOfferMade, PopPlanAssisted; AcuteAssessment,
    SuicideRiskMapped, ReferralReceived, ReferralAssessed;
    CompulsoryCareConditionsAssumed, DoctorExaminationRequested,
    CompulsoryCarePetition, CompulsoryCareFeedback; StaffMedicationHandout;
    EscortCancelled, EscortCancellationNotified, EscortRescheduled,
    DeviationRegistered; TransferDecided, TransferNoticeSent, Transferred

C. Release and transfer out
    ExpectedReleaseDateSet, ReleaseNoticeSent, Released, ReleaseDecided,
    ImmediateNoticeAssessed, CooperationMeetingInvited, ReleaseConversation,
    OverdosePreventionConversation, ContinuityAssistance,
    SpecialistInformationForwarded

D. Confidentiality and consent
    ConsentGiven, ConsentWithdrawn, InformationDisclosed

E. Isolation
    ExclusionStarted, ExclusionEnded, SecurityCellStarted, SecurityCellEnded,
    RestraintBedStarted, RestraintBedEnded, ContinuousSupervisionStarted,
    ContinuousSupervisionEnded; SupervisionLook, DoctorNotified,
    DoctorStatementObtained, LeaderReview; ForceUsed,
    InmateAskedForHealthSupervision, HealthSupervisionRequested,
    WeeklyPlanMade, MeaningfulContact, HealthAdviceGiven,
    HealthAdviceFollowedUp; HealthVisit, HarmObserved, HarmReported,
    InjuryObserved, InjuryDocumented, FollowupPlanMade

The values of event fields
    Agency, ConsentForm, CustodyKind, DisclosureBasis, ExclusionBasis,
    ExclusionScope, HealthNeed, MeasureKind, TransferDestination

``docs/timeline-format.md`` describes every field; the models are in
``samarbeid_rules/_inputs/events/``.
"""

from ._inputs.events import (
    AcuteAssessment,
    Admitted,
    Agency,
    BrikOffered,
    CompulsoryCareConditionsAssumed,
    CompulsoryCareFeedback,
    CompulsoryCarePetition,
    ConsentForm,
    ConsentGiven,
    ConsentWithdrawn,
    ContinuityAssistance,
    ContinuousSupervisionEnded,
    ContinuousSupervisionStarted,
    CooperationMeetingInvited,
    CoordinatedServicesNeedRecorded,
    CoordinatorOffered,
    CustodyKind,
    DeviationRegistered,
    DisclosureBasis,
    DoctorExaminationRequested,
    DoctorNotified,
    DoctorStatementObtained,
    EscortCancellationNotified,
    EscortCancelled,
    EscortRescheduled,
    Event,
    ExclusionBasis,
    ExclusionEnded,
    ExclusionScope,
    ExclusionStarted,
    ExpectedReleaseDateSet,
    FollowupPlanMade,
    ForceUsed,
    HarmObserved,
    HarmReported,
    HealthAdviceFollowedUp,
    HealthAdviceGiven,
    HealthContactEstablished,
    HealthIntakeConversation,
    HealthNeed,
    HealthNeedObserved,
    HealthSupervisionRequested,
    HealthVisit,
    ImmediateNoticeAssessed,
    IndividualPlanEstablished,
    IndividualPlanRequested,
    InformationDisclosed,
    InjuryDocumented,
    InjuryObserved,
    InmateAskedForHealthSupervision,
    IntakeInterview,
    LeaderReview,
    MeaningfulContact,
    MeasureKind,
    MeasuresPlanAssessed,
    NeedsMapped,
    OverdosePreventionConversation,
    PopPlanAssisted,
    ReferralAssessed,
    ReferralReceived,
    ReleaseConversation,
    ReleaseDecided,
    ReleaseNoticeSent,
    Released,
    RestraintBedEnded,
    RestraintBedStarted,
    SecurityCellEnded,
    SecurityCellStarted,
    SpecialistFollowup,
    SpecialistInformationForwarded,
    StaffMedicationHandout,
    SubstanceOfferMade,
    SuicideRiskMapped,
    SupervisionLook,
    TransferDecided,
    TransferDestination,
    TransferNoticeSent,
    Transferred,
    WeeklyPlanMade,
)

__all__ = [
    "AcuteAssessment",
    "Admitted",
    "Agency",
    "BrikOffered",
    "CompulsoryCareConditionsAssumed",
    "CompulsoryCareFeedback",
    "CompulsoryCarePetition",
    "ConsentForm",
    "ConsentGiven",
    "ConsentWithdrawn",
    "ContinuityAssistance",
    "ContinuousSupervisionEnded",
    "ContinuousSupervisionStarted",
    "CooperationMeetingInvited",
    "CoordinatedServicesNeedRecorded",
    "CoordinatorOffered",
    "CustodyKind",
    "DeviationRegistered",
    "DisclosureBasis",
    "DoctorExaminationRequested",
    "DoctorNotified",
    "DoctorStatementObtained",
    "EscortCancellationNotified",
    "EscortCancelled",
    "EscortRescheduled",
    "Event",
    "ExclusionBasis",
    "ExclusionEnded",
    "ExclusionScope",
    "ExclusionStarted",
    "ExpectedReleaseDateSet",
    "FollowupPlanMade",
    "ForceUsed",
    "HarmObserved",
    "HarmReported",
    "HealthAdviceFollowedUp",
    "HealthAdviceGiven",
    "HealthContactEstablished",
    "HealthIntakeConversation",
    "HealthNeed",
    "HealthNeedObserved",
    "HealthSupervisionRequested",
    "HealthVisit",
    "ImmediateNoticeAssessed",
    "IndividualPlanEstablished",
    "IndividualPlanRequested",
    "InformationDisclosed",
    "InjuryDocumented",
    "InjuryObserved",
    "InmateAskedForHealthSupervision",
    "IntakeInterview",
    "LeaderReview",
    "MeaningfulContact",
    "MeasureKind",
    "MeasuresPlanAssessed",
    "NeedsMapped",
    "OverdosePreventionConversation",
    "PopPlanAssisted",
    "ReferralAssessed",
    "ReferralReceived",
    "ReleaseConversation",
    "ReleaseDecided",
    "ReleaseNoticeSent",
    "Released",
    "RestraintBedEnded",
    "RestraintBedStarted",
    "SecurityCellEnded",
    "SecurityCellStarted",
    "SpecialistFollowup",
    "SpecialistInformationForwarded",
    "StaffMedicationHandout",
    "SubstanceOfferMade",
    "SuicideRiskMapped",
    "SupervisionLook",
    "TransferDecided",
    "TransferDestination",
    "TransferNoticeSent",
    "Transferred",
    "WeeklyPlanMade",
]
