"""Local wall-clock times (no UTC offset) made into instants, with the daylight-saving hours decided.

A case system that stores ``2025-10-26 02:30`` in Norway has stored an
ambiguous time: that wall-clock time happened twice (first in summer time,
+02:00, then in winter time, +01:00). ``2025-03-30 02:30`` never happened
at all (clocks went from 02:00 to 03:00). :func:`localize` makes such times
instants only under an explicit policy:

- ``"raise"`` (the default, for both): a :class:`LocalTimeError`;
- ``"earlier"``: the earlier of the two instants the wall time can mean;
- ``"later"``: the later one.

For the **repeated** hour, ``earlier`` is the first pass (summer time,
``02:30+02:00``) and ``later`` the second (``02:30+01:00``). For the
**skipped** hour there is no right reading; ``earlier`` reads the wall time
with the offset in force after the change (``02:30+02:00`` = 01:30 winter
time) and ``later`` with the offset before it (``02:30+01:00`` = 03:30
summer time), i.e. as if the clock had not yet been changed. Both are the
times Python gives with ``fold=1`` and ``fold=0``; the policy just says
which is wanted, so nothing is guessed silently.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["POLICIES", "LocalTimeError", "Policy", "localize", "time_zone"]

Policy = Literal["raise", "earlier", "later"]
POLICIES: tuple[str, ...] = ("raise", "earlier", "later")


class LocalTimeError(ValueError):
    """A local time that is repeated or skipped in its time zone, under the policy ``"raise"``.

    ``kind`` is ``"ambiguous"`` (the repeated hour) or ``"nonexistent"`` (the
    skipped hour). The message names the kind, the zone and the option to
    pass, never the time itself (callers add where it is).
    """

    def __init__(self, kind: str, zone_name: str) -> None:
        self.kind = kind
        self.zone_name = zone_name
        if kind == "ambiguous":
            text = (f"local time is in the repeated hour of a daylight-saving change in {zone_name}; "
                    "pass ambiguous='earlier' (first pass, summer time) or 'later' (second pass)")
        else:
            text = (f"local time is in the skipped hour of a daylight-saving change in {zone_name}; "
                    "pass nonexistent='earlier' or 'later' (see localize)")
        super().__init__(text)


def time_zone(name: str | tzinfo) -> tzinfo:
    """The ``tzinfo`` of an IANA name (``"Europe/Oslo"``), or ``name`` itself if it is one."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone (expected an IANA name such as 'Europe/Oslo')") from None


def _check(policy: str, name: str) -> None:
    if policy not in POLICIES:
        raise ValueError(f"{name} must be one of {', '.join(POLICIES)}")


def localize(
    value: datetime,
    tz: str | tzinfo,
    *,
    ambiguous: Policy = "raise",
    nonexistent: Policy = "raise",
) -> datetime:
    """The instant the local wall time ``value`` (naive) means in ``tz``, as an aware datetime in ``tz``.

    A ``value`` that already carries an offset is returned unchanged. The
    repeated and the skipped hour of a daylight-saving change follow
    ``ambiguous`` and ``nonexistent`` (module docstring); with ``"raise"``
    they are a :class:`LocalTimeError`.
    """
    _check(ambiguous, "ambiguous")
    _check(nonexistent, "nonexistent")
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    zone = time_zone(tz)
    first = value.replace(tzinfo=zone, fold=0)
    second = value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    a, b = first.astimezone(timezone.utc), second.astimezone(timezone.utc)
    early, late = (first, second) if a <= b else (second, first)
    # A real wall time reads back the same from both instants; a skipped one does not.
    exists = a.astimezone(zone).replace(tzinfo=None) == value.replace(fold=0)
    kind, policy = ("ambiguous", ambiguous) if exists else ("nonexistent", nonexistent)
    if policy == "raise":
        raise LocalTimeError(kind, getattr(zone, "key", str(zone)))
    chosen = early if policy == "earlier" else late
    # Give the instant with the offset really in force then (02:30+02:00 in the
    # skipped hour is shown as 01:30+01:00).
    return chosen.astimezone(timezone.utc).astimezone(zone)
