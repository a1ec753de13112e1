"""The API's request and response models: they give the OpenAPI 3.1 document its schemas.

Bodies are parsed and validated by the library itself (so a 422 carries its
locations); these models describe them. The timeline, event and report
schemas are the library's own (``Timeline``, ``Event``, ``Report``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .._inputs.timeline import Event

__all__ = [
    "AuditRecord", "AuditList", "CaseIn", "CaseOut", "ErrorBody", "EventsIn", "EventsOut", "Health",
    "PrisonWorklist", "Verification", "Worklist",
]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_M):
    """Where the input is wrong: never the value found there."""

    source: str = Field(description="request (the body), query (a parameter) or path")
    index: int | None = Field(None, description="position of the event in the request's events")
    event_id: str | None = None
    field: str | None = Field(None, description="dotted field path")
    line: int | None = Field(None, description="line of the body (JSON syntax errors)")
    column: int | None = None


class ErrorDetail(_M):
    code: str = Field(description="stable: invalid_input, not_found, event_conflict, case_conflict, ...")
    message: str
    location: Location | None = None


class ErrorBody(_M):
    error: ErrorDetail


class Health(_M):
    status: Literal["ok"]
    store: str
    schema_version: int
    library_version: str
    rule_set: str
    profile: str
    engine: str


class PersonIn(_M):
    id: str = Field(min_length=1, max_length=200, pattern=r"^[^\s]+$", description="opaque person id")
    birth_date: date


class CaseIn(_M):
    person: PersonIn


class CaseOut(_M):
    prison_id: str
    case_id: str
    person_id: str
    event_count: int
    events_digest: str
    created: bool | None = Field(None, description="PUT only: whether this request created the case")


class EventsIn(_M):
    events: list[Event] = Field(min_length=1, description="one or more events (see GET /v1/schemas/timeline)")


class EventResult(_M):
    event_id: str
    stored: bool = Field(description="false: this id was already stored with the same content")
    out_of_order: bool = Field(description="earlier than the latest event of the case")
    affects_reported: bool = Field(description="at or before an as_of already served for the case or its prison")


class EventsOut(_M):
    prison_id: str
    case_id: str
    event_count: int
    results: list[EventResult]


class Item(_M):
    obligation_id: str
    duty_id: str
    actor: str
    what: str
    due: str = Field(json_schema_extra={"format": "date-time"})
    status: Literal["due", "contested", "breached"]


class Worklist(_M):
    prison_id: str
    case_id: str
    as_of: str = Field(json_schema_extra={"format": "date-time"})
    horizon: str
    items: list[Item]
    audit_id: int


class CaseItems(_M):
    case_id: str
    items: list[Item]


class PrisonWorklist(_M):
    prison_id: str
    as_of: str = Field(json_schema_extra={"format": "date-time"})
    horizon: str
    cases: list[CaseItems]
    audit_id: int


class AuditRecord(_M):
    id: int
    kind: Literal["report", "case_worklist", "prison_worklist", "evaluation"]
    prison_id: str
    case_id: str | None
    as_of: str
    as_of_us: int
    horizon: str | None
    rule_set: str
    rule_set_digest: str
    profile: str
    profile_digest: str
    engine: str
    library_version: str
    event_count: int | None
    case_counts: dict[str, int] | None
    events_digest: str
    result_digest: str
    token: str
    served_at: str


class AuditList(_M):
    records: list[AuditRecord]


class Verification(_M):
    id: int
    confirmed: bool
    events_confirmed: bool
    result_confirmed: bool
    recorded_result_digest: str
    recomputed_result_digest: str


JSONObject = dict[str, Any]
