"""Events of catalog section A, admission (circular 001 §5.1): the duties
``admission.*`` are opened by :class:`Admitted` and fulfilled by these.

What is observed at admission (:class:`~.custody.HealthNeedObserved` with
``at_admission``) and the contact with the health service it calls for are
recorded with the same events as later in custody, in :mod:`.custody`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import CustodyKind, _EventBase, _Response

__all__ = [
    "Admitted",
    "CoordinatedServicesNeedRecorded",
    "CoordinatorOffered",
    "HealthIntakeConversation",
    "IndividualPlanEstablished",
    "IndividualPlanRequested",
    "IntakeInterview",
    "MeasuresPlanAssessed",
    "NeedsMapped",
    "SpecialistFollowup",
]


class Admitted(_EventBase):
    """Admitted to prison (*innsettelse*)."""

    type: Literal["admitted"] = "admitted"
    custody_kind: CustodyKind = Field(strict=False)
    ongoing_specialist_treatment: bool = Field(
        default=False, description="In ongoing specialist treatment when admitted."
    )


class IntakeInterview(_EventBase):
    """Intake interview that screens for suicide and self-harm risk (*innkomstsamtale*)."""

    type: Literal["intake_interview"] = "intake_interview"


class NeedsMapped(_EventBase):
    """Needs for help from other agencies mapped with the inmate (*kartlegging*)."""

    type: Literal["needs_mapped"] = "needs_mapped"


class HealthIntakeConversation(_EventBase):
    """Health intake conversation by the health service (*innkomstsamtale helse*)."""

    type: Literal["health_intake_conversation"] = "health_intake_conversation"


class MeasuresPlanAssessed(_Response):
    """Need for a measures plan (*tiltaksplan*) assessed and recorded."""

    type: Literal["measures_plan_assessed"] = "measures_plan_assessed"


class IndividualPlanRequested(_EventBase):
    """Inmate entitled to and wanting an individual plan (*individuell plan*)."""

    type: Literal["individual_plan_requested"] = "individual_plan_requested"


class IndividualPlanEstablished(_Response):
    """Individual plan established."""

    type: Literal["individual_plan_established"] = "individual_plan_established"


class CoordinatedServicesNeedRecorded(_EventBase):
    """Need for long-term coordinated services recorded."""

    type: Literal["coordinated_services_need_recorded"] = "coordinated_services_need_recorded"


class CoordinatorOffered(_Response):
    """Coordinator (*koordinator*) offered."""

    type: Literal["coordinator_offered"] = "coordinator_offered"


class SpecialistFollowup(_Response):
    """Specialist treatment continued: follow-up by the specialist service recorded."""

    type: Literal["specialist_followup"] = "specialist_followup"
