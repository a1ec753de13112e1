"""Events of catalog section B, during the sentence (circular 001 §5.2): the
duties ``custody.*``.

Health needs observed or asked for (at admission too) and the contact with the
health service they call for; offers (BRIK, substance help, POP);
referrals and acute assessments by the specialist service; compulsory mental
health care; medication handed out by staff; escorts (*framstilling*) to
treatment; transfers to another unit, prison or form of serving.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Agency, Day, EscortNoticeRecipient, HealthNeed, Instant, TransferDestination, _EventBase, _Response

__all__ = [
    "AcuteAssessment",
    "BrikOffered",
    "CareInPrisonNotPossible",
    "CompulsoryCareConditionsAssumed",
    "CompulsoryCareFeedback",
    "CompulsoryCarePetition",
    "DeviationRegistered",
    "DoctorExaminationRequested",
    "EscortCancellationNotified",
    "EscortCancelled",
    "EscortCarriedOut",
    "EscortRescheduled",
    "FullTimeCareTransferCooperation",
    "HealthContactEstablished",
    "HealthNeedObserved",
    "PopPlanAssisted",
    "ReferralAssessed",
    "ReferralReceived",
    "SpecialistContactedForAcuteHelp",
    "StaffMedicationHandout",
    "SubstanceOfferMade",
    "SuicideRiskMapped",
    "TransferDecided",
    "TransferNoticeSent",
    "Transferred",
    "TreatmentAppointmentOutside",
]


# --- health needs and contact with the health service ----------------------


class HealthNeedObserved(_EventBase):
    """Something that calls for health care was asked for or observed."""

    type: Literal["health_need_observed"] = "health_need_observed"
    need: HealthNeed = Field(strict=False)
    at_admission: bool = Field(default=False, description="Observed at admission (intake), not later in custody.")
    acute: bool = Field(default=False, description="Needs emergency help (raised suicide risk, psychosis).")


class HealthContactEstablished(_Response):
    """Contact with the municipal health service established."""

    type: Literal["health_contact_established"] = "health_contact_established"


# --- offers ------------------------------------------------------------------


class BrikOffered(_EventBase):
    """Needs-and-resources mapping (BRIK) offered."""

    type: Literal["brik_offered"] = "brik_offered"


class SubstanceOfferMade(_Response):
    """Drug counselling, a programme or overdose-risk measures offered."""

    type: Literal["substance_offer_made"] = "substance_offer_made"


class PopPlanAssisted(_EventBase):
    """Assistance with the follow-up and progression plan (POP) recorded."""

    type: Literal["pop_plan_assisted"] = "pop_plan_assisted"


# --- specialist health service -----------------------------------------------


class SpecialistContactedForAcuteHelp(_Response):
    """The specialist health service was told of a need for emergency help (*øyeblikkelig hjelp*) or acute
    admission, e.g. raised suicide risk or psychosis (001 §5.2.3): its assessment without referral is due from
    here. ``responds_to`` may name the observed need."""

    type: Literal["specialist_contacted_for_acute_help"] = "specialist_contacted_for_acute_help"


class AcuteAssessment(_Response):
    """Assessment by the specialist service without referral."""

    type: Literal["acute_assessment"] = "acute_assessment"


class SuicideRiskMapped(_Response):
    """Suicide risk mapped by health personnel."""

    type: Literal["suicide_risk_mapped"] = "suicide_risk_mapped"


class ReferralReceived(_EventBase):
    """Referral received by the specialist service (*henvisning*)."""

    type: Literal["referral_received"] = "referral_received"


class ReferralAssessed(_Response):
    """Referral assessed (pasient- og brukerrettighetsloven § 2-2)."""

    type: Literal["referral_assessed"] = "referral_assessed"


# --- compulsory mental health care -------------------------------------------


class CompulsoryCareConditionsAssumed(_EventBase):
    """Person assumed to meet the conditions for compulsory mental health care, not seeking treatment."""

    type: Literal["compulsory_care_conditions_assumed"] = "compulsory_care_conditions_assumed"


class DoctorExaminationRequested(_Response):
    """Examination by a doctor requested (psykisk helsevernloven § 3-6)."""

    type: Literal["doctor_examination_requested"] = "doctor_examination_requested"


class CompulsoryCarePetition(_EventBase):
    """KO petitioned for compulsory mental health care."""

    type: Literal["compulsory_care_petition"] = "compulsory_care_petition"


class CompulsoryCareFeedback(_Response):
    """Feedback from the specialist service to KO on a petition."""

    type: Literal["compulsory_care_feedback"] = "compulsory_care_feedback"
    written: bool = Field(default=True, description="The feedback was in writing.")


# --- medication ----------------------------------------------------------------


class StaffMedicationHandout(_EventBase):
    """KO staff handed out medication (straffegjennomføringsforskriften § 3-17)."""

    type: Literal["staff_medication_handout"] = "staff_medication_handout"
    arrangement_approved: bool = Field(
        default=False, description="The municipal chief medical officer approved the arrangement."
    )
    staff_trained: bool = Field(default=False, description="The staff member had the necessary training.")


# --- full-time care outside prison ----------------------------------------------


class CareInPrisonNotPossible(_EventBase):
    """A doctor judged that necessary health care cannot be given in prison (001 §5.2.4, strgjfl. § 13)."""

    type: Literal["care_in_prison_not_possible"] = "care_in_prison_not_possible"


class FullTimeCareTransferCooperation(_Response):
    """KO and the health service cooperated on a transfer to full-time care in a somatic institution or an
    institution of mental health care (*heldøgnsopphold*, strgjfl. § 13), recorded."""

    type: Literal["full_time_care_transfer_cooperation"] = "full_time_care_transfer_cooperation"


# --- escorts -------------------------------------------------------------------


class TreatmentAppointmentOutside(_EventBase):
    """Treatment the prison cannot give was booked outside it: an escort (*framstilling*) to it is needed
    (001 §5.2.1). ``at`` is when it was booked, ``appointment_at`` the appointment."""

    type: Literal["treatment_appointment_outside"] = "treatment_appointment_outside"
    appointment_at: Instant = Field(description="When the treatment outside the prison is to take place.")


class EscortCarriedOut(_Response):
    """The escort (*framstilling*) to treatment was carried out; ``responds_to`` may name the appointment."""

    type: Literal["escort_carried_out"] = "escort_carried_out"


class EscortCancelled(_Response):
    """An escort (*framstilling*) to treatment could not be carried out; ``responds_to`` may name the
    appointment it was for."""

    type: Literal["escort_cancelled"] = "escort_cancelled"


class EscortCancellationNotified(_Response):
    """The treatment place or the prison health service (``recipient``; by default both) told of a cancelled
    escort."""

    type: Literal["escort_cancellation_notified"] = "escort_cancellation_notified"
    recipient: EscortNoticeRecipient = Field(
        default=EscortNoticeRecipient.BOTH,
        strict=False,
        description="Who was told: the treatment place, the prison health service (kho), or both in one notice.",
    )


class EscortRescheduled(_Response):
    """A new escort scheduled."""

    type: Literal["escort_rescheduled"] = "escort_rescheduled"


class DeviationRegistered(_Response):
    """A deviation (*avvik*) registered."""

    type: Literal["deviation_registered"] = "deviation_registered"


# --- transfers -------------------------------------------------------------------


class TransferDecided(_EventBase):
    """Transfer decided (other unit or prison, remand with electronic monitoring, community sentence)."""

    type: Literal["transfer_decided"] = "transfer_decided"
    destination: TransferDestination = Field(strict=False)
    transfer_date: Day | None = Field(default=None, description="Planned date of the transfer, if known.")
    substance_or_mental_health_problems: bool | None = Field(
        default=None,
        description="Inmate has substance problems or mental illness; unset means not recorded "
        "(a transfer to remand with electronic monitoring then still asks for the assessment).",
    )
    to_other_health_region: bool = Field(
        default=False, description="The transfer is to another health region (001 §5.3.3)."
    )
    ongoing_specialist_treatment: bool = Field(default=False, description="In ongoing specialist treatment.")
    consents_to_specialist_handover: bool = Field(
        default=False, description="Inmate consents to information going to the receiving health trust."
    )


class TransferNoticeSent(_Response):
    """An agency told of a decided transfer."""

    type: Literal["transfer_notice_sent"] = "transfer_notice_sent"
    recipient: Agency = Field(strict=False)


class Transferred(_Response):
    """The transfer took place."""

    type: Literal["transferred"] = "transferred"
