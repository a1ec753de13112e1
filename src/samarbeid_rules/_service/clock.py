"""The one place the service reads the wall clock.

Evaluation runs in virtual time (``as_of``); the wall clock only stamps an
audit record with the server's time of serving. ``tests/test_service_clock_and_logs.py``
checks that nothing else in the package reads the clock.

Two waits are timed without this package reading a clock: the time limit per
request (``asyncio.wait_for``, on the event loop's monotonic clock, read by
asyncio) and the short random step aside between two appends that lost to
another server process (``threading.Event().wait``). Neither reaches a
judgement or a record.
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["wall_clock_now"]


def wall_clock_now() -> datetime:
    """The server's clock, in UTC: for audit records only, never for a judgement."""
    return datetime.now(timezone.utc)
