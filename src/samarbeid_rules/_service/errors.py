"""The service's errors: each an HTTP status, a stable code and a message that names ids, never values."""

from __future__ import annotations

from typing import Any

from .._common.errors import SamarbeidError, TimelineError

__all__ = ["ServiceError", "from_timeline_error"]


class ServiceError(SamarbeidError):
    """An answer other than success: ``status`` (HTTP), ``code`` (stable), ``message``, ``location``."""

    def __init__(self, status: int, code: str, message: str, location: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.location = status, code, message, location

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.location:
            err["location"] = self.location
        return {"error": err}


def not_found(what: str = "case") -> ServiceError:
    # the same answer for a case that does not exist and one of a prison the token may not see
    return ServiceError(404, "not_found", f"no such {what}")


def from_timeline_error(exc: TimelineError, *, source: str, index: int | None = None) -> ServiceError:
    """A 422 carrying the library's location (request position, event id, field), never the value."""
    location: dict[str, Any] = {"source": source}
    idx = index if index is not None else exc.index
    if idx is not None:
        location["index"] = idx
    if exc.event_id is not None:
        location["event_id"] = exc.event_id
    if exc.field:
        location["field"] = exc.field
    return ServiceError(422, "invalid_input", exc.problem, location)
