"""The institution report's models (catalog section F): findings, topics, meeting gaps, parameters.

Judged in :mod:`.institution`, which re-exports them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field

from .._inputs.institution import Partner, PlanElement, RoutineTopic
from .._inputs.rules import Citation
from .._pipeline.report import ProfileRef, Status, TermUse, _Out

__all__ = [
    "ChangeFinding",
    "InstitutionFinding",
    "InstitutionParameters",
    "InstitutionReport",
    "MeetingGap",
    "PlanFinding",
    "TopicFinding",
]


class TopicFinding(_Out):
    """``org.routines``: how one of the topics stands."""

    topic: RoutineTopic
    minimum: bool = Field(False, description="One of the two routines 001 §8.4 asks for 'som minimum'.")
    status: Status
    reason: Literal["current", "missing", "stale"]
    routine_ids: list[str] = Field(default_factory=list)
    last_confirmed: date | None = Field(None, description="Latest adoption or review on or before as_of.")
    explanation: str


class PlanFinding(_Out):
    """``org.activity_plans``: how one element (activation, meaningful contact, physical activity) stands."""

    element: PlanElement
    status: Status
    reason: Literal["current", "missing", "stale"]
    plan_ids: list[str] = Field(default_factory=list)
    last_confirmed: date | None = Field(None, description="Latest adoption or review on or before as_of.")
    explanation: str


class ChangeFinding(_Out):
    """``org.early_change_notice``: one change and one agency it affects."""

    change_id: str
    agency: Partner
    status: Status
    due: date = Field(description="The last day a notice is early by the strict reading.")
    due_lenient: date = Field(description="The last day by the lenient reading.")
    notice_id: str | None = Field(None, description="The first notice before the change took effect.")
    explanation: str


class MeetingGap(_Out):
    """``org.local_meetings``: the time between two qualifying meetings (or, before circular 001, the
    end of a cooperation routine in force), or from the last to as_of."""

    start: date
    end: date
    length: timedelta
    status: Status
    from_meeting: str = Field(description="The meeting, or cooperation routine, the gap starts from.")
    to_meeting: str | None = Field(
        None, description="The meeting or cooperation routine that ends it; unset for the gap up to as_of."
    )
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
    plans: list[PlanFinding] = Field(default_factory=list)
    changes: list[ChangeFinding] = Field(default_factory=list)
    gaps: list[MeetingGap] = Field(default_factory=list)
    terms: list[TermUse] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)
    citation: Citation
    see_also: list[Citation] = Field(default_factory=list)
    bases: list[str] = Field(
        default_factory=list, description="The legal bases (rules/bases.yaml) the finding was judged under."
    )
    basis_dates_assumed: bool = Field(False, description="One of their in-force dates is assumed.")


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
