"""Events of catalog section E, isolation: exclusion, security cell, restraint
bed (circular 001 §7.1): the duties ``exclusion.*``, ``security_cell.*``,
``security_bed.*`` and ``isolation.*``.

The measures that last, each a ``…_started`` and a ``…_ended`` event sharing a
``measure_id``: exclusion from association, security cell, restraint bed,
continuous supervision. Then what the measures call for: looks (*tilsyn*),
the doctor's notice and statement, health visits, the leader's daily review,
weekly plans and meaningful contact, force, harm and injury. An event with a
``measure_id`` of its own says which measure it was for; unset, it counts
for any.
Each ``…_ended`` event ends the measure its ``measure_id`` names.
"""

from __future__ import annotations

from datetime import timezone
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import (
    Count,
    ExclusionBasis,
    ExclusionScope,
    Id,
    Instant,
    MeasureKind,
    _EventBase,
    _MeasureEnd,
    _MeasureStart,
    _Response,
)

__all__ = [
    "ContinuousSupervisionEnded",
    "ContinuousSupervisionStarted",
    "DoctorNotified",
    "DoctorStatementObtained",
    "ExclusionEnded",
    "ExclusionExtended",
    "ExclusionStarted",
    "FollowupPlanMade",
    "ForceUsed",
    "HarmObserved",
    "HarmReported",
    "HealthAdviceFollowedUp",
    "HealthAdviceGiven",
    "HealthSupervisionRequested",
    "HealthVisit",
    "HealthVisitUrged",
    "InjuryDocumented",
    "InjuryObserved",
    "InmateAskedForHealthSupervision",
    "IsolationRolesClarified",
    "LeaderReview",
    "LockInWithoutDecisionEnded",
    "LockInWithoutDecisionStarted",
    "MeaningfulContact",
    "RestraintBedEnded",
    "RestraintBedStarted",
    "SecurityCellEnded",
    "SecurityCellProtocol",
    "SecurityCellStarted",
    "SelfIsolationChosen",
    "SelfIsolationFollowedUp",
    "SpecialistFollowupAgreed",
    "SupervisionLook",
    "WeeklyPlanMade",
]


# --- the measures ------------------------------------------------------------


class ExclusionStarted(_MeasureStart):
    """Excluded from association with other inmates (*utelukkelse fra fellesskapet*)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.EXCLUSION
    type: Literal["exclusion_started"] = "exclusion_started"
    basis: ExclusionBasis = Field(strict=False)
    scope: ExclusionScope = Field(strict=False)
    expected_end: Instant | None = Field(
        default=None, description="When the exclusion is expected to end, if known."
    )
    lock_in_hours_per_day: Count | None = Field(
        default=None, ge=0, le=24,
        description="Hours a day the inmate is locked in alone, where recorded (001 §7.1.3 reads 22 hours or "
        "more from it); unset: read from scope (full: 22 hours or more).",
    )


class ExclusionExtended(_EventBase):
    """The exclusion's expected end was changed after it began (an extension, *forlengelse*);
    ``measure_id`` names the exclusion, ``expected_end`` is the new expected end."""

    type: Literal["exclusion_extended"] = "exclusion_extended"
    measure_id: Id = Field(description="The exclusion whose expected end changed.")
    expected_end: Instant = Field(description="The new expected end; not before the change (at).")

    @model_validator(mode="after")
    def _not_in_the_past(self) -> ExclusionExtended:
        if self.expected_end.astimezone(timezone.utc) < self.at.astimezone(timezone.utc):
            raise ValueError("expected_end is before the change was made (at)")
        return self


class ExclusionEnded(_MeasureEnd):
    """The exclusion from association ended (*utelukkelsen opphørte*); ``measure_id`` names it."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.EXCLUSION
    type: Literal["exclusion_ended"] = "exclusion_ended"


class SecurityCellStarted(_MeasureStart):
    """Placed in a security cell (*sikkerhetscelle*, strgjfl. § 38)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.SECURITY_CELL
    type: Literal["security_cell_started"] = "security_cell_started"


class SecurityCellEnded(_MeasureEnd):
    """The inmate left the security cell; ``measure_id`` names the placement."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.SECURITY_CELL
    type: Literal["security_cell_ended"] = "security_cell_ended"


class RestraintBedStarted(_MeasureStart):
    """Placed in a restraint bed (*sikkerhetsseng*, strgjfl. § 38)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.RESTRAINT_BED
    type: Literal["restraint_bed_started"] = "restraint_bed_started"


class RestraintBedEnded(_MeasureEnd):
    """The inmate was released from the restraint bed; ``measure_id`` names the placement."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.RESTRAINT_BED
    type: Literal["restraint_bed_ended"] = "restraint_bed_ended"


class LockInWithoutDecisionStarted(_MeasureStart):
    """The inmate is in fact locked in alone large parts of the day without a formal decision
    (*faktisk innlåsing uten formelt grunnlag*, 001 §1, §7.1.1): not an exclusion, so the duties of 001
    §7.1.2-7.1.3 do not apply to it (001 §7.1.1 asks only that supervision be considered)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.LOCK_IN
    type: Literal["lock_in_without_decision_started"] = "lock_in_without_decision_started"
    lock_in_hours_per_day: Count | None = Field(
        default=None, ge=0, le=24, description="Hours a day locked in, where recorded."
    )


class LockInWithoutDecisionEnded(_MeasureEnd):
    """The lock-in without a formal decision ended; ``measure_id`` names it."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.LOCK_IN
    type: Literal["lock_in_without_decision_ended"] = "lock_in_without_decision_ended"


class SelfIsolationChosen(_EventBase):
    """The inmate chose to abstain from association with other inmates (*avstå fra fellesskapet*, 001
    §7.1.1)."""

    type: Literal["self_isolation_chosen"] = "self_isolation_chosen"


class SelfIsolationFollowedUp(_Response):
    """Staff or health personnel followed up an inmate's choice to abstain from association: tried to
    motivate them to avoid isolation, and informed them of its possible harm (001 §7.1.1)."""

    type: Literal["self_isolation_followed_up"] = "self_isolation_followed_up"
    motivation_attempted: bool = Field(description="Efforts to motivate the inmate to avoid isolation recorded.")
    informed_of_harm: bool = Field(description="The inmate was informed of the possible harm of isolation.")


class ContinuousSupervisionStarted(_MeasureStart):
    """Continuous supervision began (*kontinuerlig tilsyn*)."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONTINUOUS_SUPERVISION
    type: Literal["continuous_supervision_started"] = "continuous_supervision_started"


class ContinuousSupervisionEnded(_MeasureEnd):
    """Continuous supervision (*kontinuerlig tilsyn*) ended; ``measure_id`` names it."""

    measure_kind: ClassVar[MeasureKind] = MeasureKind.CONTINUOUS_SUPERVISION
    type: Literal["continuous_supervision_ended"] = "continuous_supervision_ended"


# --- supervision and the doctor ------------------------------------------------


class SupervisionLook(_EventBase):
    """A member of staff looked in on the inmate (*tilsyn*)."""

    type: Literal["supervision_look"] = "supervision_look"
    measure_id: Id | None = Field(
        default=None,
        description="The measure the look was made under; unset means it counts for any.",
    )


class DoctorNotified(_EventBase):
    """A doctor in the municipal health service was notified (*varsle lege*)."""

    type: Literal["doctor_notified"] = "doctor_notified"
    measure_id: Id | None = Field(
        default=None,
        description="The measure the notice was about; unset means it counts for any.",
    )
    circumstances_informed: bool | None = Field(
        default=None,
        description="The doctor was told, with the notice, of circumstances that bear on the inmate's health "
        "and on possible harm from the exclusion (001 §7.1.2, samtidig); unset: not recorded.",
    )


class DoctorStatementObtained(_EventBase):
    """Doctor's statement obtained before a security cell or bed decision; it may name the measure it was for even though it comes before the measure starts."""  # noqa: E501

    may_precede_measure: ClassVar[bool] = True
    type: Literal["doctor_statement_obtained"] = "doctor_statement_obtained"
    measure_id: Id | None = Field(default=None)


class SecurityCellProtocol(_EventBase):
    """The protocol (*protokoll*) kept for a security cell or restraint bed placement, of the supervision and
    of the contact with health personnel (001 §7.1.2); ``at`` is when it was last written, at the latest
    the end of the placement."""

    type: Literal["security_cell_protocol"] = "security_cell_protocol"
    measure_id: Id = Field(description="The placement (security cell or restraint bed) it is the protocol of.")
    records_supervision: bool = Field(description="It records the supervision (each look, or the watch).")
    records_health_contact: bool = Field(
        description="It records the contact there has been with health personnel (or that there was none)."
    )
    covers_whole_use: bool = Field(description="It was kept from the start of the placement to its end.")


class LeaderReview(_EventBase):
    """The prison leader acquainted themself with the inmate's condition."""

    type: Literal["leader_review"] = "leader_review"
    measure_id: Id | None = Field(default=None)


# --- exclusion: force, plans, contact ------------------------------------------


class ForceUsed(_EventBase):
    """Physical force used to carry out an exclusion."""

    type: Literal["force_used"] = "force_used"
    measure_id: Id | None = Field(default=None, description="The measure it was used for.")


class InmateAskedForHealthSupervision(_EventBase):
    """The inmate asked to be seen by health personnel."""

    type: Literal["inmate_asked_for_health_supervision"] = "inmate_asked_for_health_supervision"


class HealthSupervisionRequested(_Response):
    """KO asked health personnel to see the inmate."""

    type: Literal["health_supervision_requested"] = "health_supervision_requested"


class WeeklyPlanMade(_EventBase):
    """Weekly plan (*ukeplan*) for an exclusion made."""

    type: Literal["weekly_plan_made"] = "weekly_plan_made"
    measure_id: Id | None = Field(default=None, description="The exclusion it is for.")


class MeaningfulContact(_EventBase):
    """Meaningful human contact; ``at`` is when it began."""

    type: Literal["meaningful_contact"] = "meaningful_contact"
    minutes: Count = Field(ge=1, le=24 * 60, description="How long it lasted, in minutes.")
    measure_id: Id | None = Field(default=None)


class HealthAdviceGiven(_EventBase):
    """Health personnel gave advice about an isolated inmate."""

    type: Literal["health_advice_given"] = "health_advice_given"


class HealthAdviceFollowedUp(_Response):
    """Advice followed up with measures, or a reason recorded."""

    type: Literal["health_advice_followed_up"] = "health_advice_followed_up"


class HealthVisitUrged(_Response):
    """KO urged (asked) the health service to see the inmate (*oppfordre helsetjenesten til å se til den
    innsatte*, 001 §7.1.2); ``responds_to`` may name what prompted it."""

    type: Literal["health_visit_urged"] = "health_visit_urged"
    measure_id: Id | None = Field(default=None, description="The measure in effect, if recorded.")


# --- health personnel: visits, harm, injury, follow-up -----------------------------


class HealthVisit(_EventBase):
    """Health personnel saw the inmate (*tilsyn av helsepersonell*)."""

    type: Literal["health_visit"] = "health_visit"
    measure_id: Id | None = Field(default=None)


class HarmObserved(_EventBase):
    """Physical or mental harm from an isolation measure observed."""

    type: Literal["harm_observed"] = "harm_observed"


class HarmReported(_Response):
    """Harm reported to the prison leader."""

    type: Literal["harm_reported"] = "harm_reported"


class InjuryObserved(_EventBase):
    """Injury sustained in carrying out a measure."""

    type: Literal["injury_observed"] = "injury_observed"


class InjuryDocumented(_Response):
    """Injury documented by health personnel."""

    type: Literal["injury_documented"] = "injury_documented"


class SpecialistFollowupAgreed(_EventBase):
    """It was agreed that the specialist health service follows up an isolated inmate (001 §7.1.3)."""

    type: Literal["specialist_followup_agreed"] = "specialist_followup_agreed"
    measure_id: Id | None = Field(default=None, description="The isolation measure, if recorded.")


class IsolationRolesClarified(_Response):
    """The municipal health service and the specialist service clarified, in the case, their roles and
    responsibility for supervising an isolated inmate (001 §7.1.3); ``ko_informed`` says KO was told."""

    type: Literal["isolation_roles_clarified"] = "isolation_roles_clarified"
    ko_informed: bool = Field(description="KO was informed of the roles agreed.")


class FollowupPlanMade(_EventBase):
    """Doctor's plan for how often health personnel follow up an inmate locked in large parts of the day."""

    type: Literal["followup_plan_made"] = "followup_plan_made"
    measure_id: Id | None = Field(default=None)
