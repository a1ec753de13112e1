"""Strict value types of rule files and profiles: a length of time and a time of day.

YAML has neither, so both are text, read strictly (never from a number or a
bool: ``3600`` is not an hour and ``true`` is not a second):

- :data:`Duration`: ISO 8601 ``PnWnDTnHnMnS`` in whole seconds (``PT1H``,
  ``P2D``, ``PT0S``); years and months (of varying length) and fractions of a
  second are refused, so every bound is shown exactly as it was meant;
- :data:`Clock`: ``HH:MM`` (or ``HH:MM:SS``), 00:00 to 23:59.

A ``timedelta`` or ``time`` given from Python is taken as it is (whole seconds
for a duration).
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["Clock", "Duration", "DURATION_PATTERN"]

DURATION_PATTERN = r"^P(?:([0-9]{1,5})W)?(?:([0-9]{1,6})D)?(?:T(?:([0-9]{1,7})H)?(?:([0-9]{1,9})M)?(?:([0-9]{1,11})S)?)?$"
_DURATION_RE = re.compile(DURATION_PATTERN)
_CLOCK_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$")


def _duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        if value.microseconds:
            raise PydanticCustomError("duration_whole_seconds", "a length of time is whole seconds")
        return value
    if isinstance(value, str):
        m = _DURATION_RE.fullmatch(value)
        if m and value not in ("P", "PT") and not value.endswith("T"):
            weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
            return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
        if re.match(r"^P.*[0-9][.,][0-9]", value):
            raise PydanticCustomError("duration_whole_seconds", "a length of time is whole seconds (no fractions)")
    raise PydanticCustomError(
        "duration", "expected an ISO 8601 duration as text, in weeks, days, hours, minutes and seconds "
        "(PT1H, P2D, PT0S)"
    )


def _clock(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        m = _CLOCK_RE.fullmatch(value)
        if m:
            return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    raise PydanticCustomError("clock", "expected a time of day as text, HH:MM (00:00 to 23:59)")


Duration = Annotated[
    timedelta, BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "format": "duration", "pattern": DURATION_PATTERN}),
]
Clock = Annotated[time, BeforeValidator(_clock), WithJsonSchema({"type": "string", "pattern": _CLOCK_RE.pattern})]
