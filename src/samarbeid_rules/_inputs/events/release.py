"""Events of catalog section C, release and transfer out (circular 001 §5.3;
G-8/2006): the duties ``release.*``.

The expected release date and the notices it calls for, the release decision
with what it must attend to, the conversations and handovers before release,
and the release itself (*løslatelse*). A transfer out is decided with
:class:`~.custody.TransferDecided`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Agency, Day, _EventBase, _Response

__all__ = [
    "ContinuityAssistance",
    "CooperationMeetingInvited",
    "ExpectedReleaseDateSet",
    "ImmediateNoticeAssessed",
    "IndividualConversationOffered",
    "OverdosePreventionConversation",
    "ReleaseConversation",
    "ReleaseCooperationEstablished",
    "ReleaseDecided",
    "ReleaseNoticeSent",
    "Released",
    "SpecialistInformationForwarded",
]


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
    recipient: Agency = Field(strict=False)
    release_date: Day | None = Field(
        default=None,
        description="The expected release date the notice communicated; unset: not recorded (it then counts "
        "for whichever date was expected).",
    )


class Released(_EventBase):
    """Released from prison (*løslatt*)."""

    type: Literal["released"] = "released"


class ReleaseDecided(_EventBase):
    """Release (or transfer out) decided or planned; flags say what the release must attend to."""

    type: Literal["release_decided"] = "release_decided"
    from_remand: bool = Field(default=False, description="Release from remand custody.")
    substance_or_mental_health_problems: bool = Field(
        default=False, description="Inmate has substance problems or mental illness."
    )
    raised_overdose_risk: bool = Field(default=False, description="Raised risk of overdose.")
    raised_suicide_risk: bool = Field(default=False, description="Raised risk of suicide.")
    ongoing_health_services: bool = Field(default=False, description="Receives health services that must continue.")
    ongoing_specialist_treatment: bool = Field(default=False, description="In ongoing specialist treatment.")
    consents_to_cooperation_meeting: bool = Field(
        default=False, description="Inmate consents to a cooperation meeting."
    )
    consents_to_specialist_handover: bool = Field(
        default=False, description="Inmate consents to information going to the receiving health trust."
    )
    consents_to_gp_notice: bool = Field(
        default=False, description="Inmate consents to the GP (*fastlege*) being informed."
    )


class ReleaseCooperationEstablished(_Response):
    """Cooperation established with the health service and other relevant agencies on the measures to be
    coordinated and followed up at release or transfer out (001 §5.3.1; under G-8/2006: arranged for)."""

    type: Literal["release_cooperation_established"] = "release_cooperation_established"


class IndividualConversationOffered(_Response):
    """An individually adapted conversation offered to the inmate before transfer or release, to prevent
    suicide and health problems arising or worsening (001 §5.3.2)."""

    type: Literal["individual_conversation_offered"] = "individual_conversation_offered"


class ImmediateNoticeAssessed(_Response):
    """Assessment of immediate notice to the health services recorded."""

    type: Literal["immediate_notice_assessed"] = "immediate_notice_assessed"


class CooperationMeetingInvited(_Response):
    """Health service and other agencies invited to a cooperation meeting."""

    type: Literal["cooperation_meeting_invited"] = "cooperation_meeting_invited"


class ReleaseConversation(_Response):
    """Release conversation held to prevent overdose and suicide."""

    type: Literal["release_conversation"] = "release_conversation"


class OverdosePreventionConversation(_Response):
    """Structured overdose-prevention conversation held."""

    type: Literal["overdose_prevention_conversation"] = "overdose_prevention_conversation"


class ContinuityAssistance(_Response):
    """Help given to continue health services in the home municipality."""

    type: Literal["continuity_assistance"] = "continuity_assistance"


class SpecialistInformationForwarded(_Response):
    """Relevant information forwarded to the receiving health trust."""

    type: Literal["specialist_information_forwarded"] = "specialist_information_forwarded"
