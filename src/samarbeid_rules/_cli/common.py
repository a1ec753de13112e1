"""What the commands share: the program name, the exit codes, argument types, one-line errors."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from .._common.errors import escaped

__all__ = [
    "EXIT_ABORTED", "EXIT_BAD_INPUT", "EXIT_BREACH", "EXIT_ENGINE", "EXIT_INTERNAL", "EXIT_INTERRUPTED",
    "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE", "MAX_PROCESSES", "PROG", "as_of_arg", "error",
    "nonnegative_int", "processes_arg", "stop_reason", "Terminated",
]

EXIT_OK = 0
EXIT_BREACH = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_ENGINE = 4
#: a bug in samarbeid-rules: one line on stderr (SAMARBEID_DEBUG=1 adds the traceback)
EXIT_INTERNAL = 5
#: the run could not finish: a batch worker process died, or the engine failed on a timeline
EXIT_ABORTED = 6
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
#: --processes above this is a usage error: more workers than this only cost memory
MAX_PROCESSES = 64  # the same as _uses.batch.MAX_PROCESSES

PROG = "samarbeid-rules"



def as_of_arg(text: str) -> datetime:
    # The value is never repeated in the message (it might be anything pasted).
    from .._inputs.events.base import _INSTANT_RE, _in_range

    if not _INSTANT_RE.fullmatch(text):
        try:
            naive = datetime.fromisoformat(text).tzinfo is None
        except ValueError:
            naive = False
        if naive:
            raise argparse.ArgumentTypeError("the date-time has no UTC offset (write e.g. 2025-03-01T12:00+01:00)")
        raise argparse.ArgumentTypeError(
            "not an ISO 8601 date-time with a UTC offset (YYYY-MM-DDTHH:MM+01:00), 1900-2199"
        )
    value = datetime.fromisoformat(text)
    try:
        _in_range(value)
    except ValueError:  # pragma: no cover - the pattern allows 1900-2199 only
        raise argparse.ArgumentTypeError("the date-time must be from 1900 up to 2200") from None
    return value


def error(message: object) -> None:
    """One line on stderr (escaped: a file name with a newline cannot forge a second line)."""
    try:
        print(f"{PROG}: {escaped(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr closed or full: nothing more to do
        pass



class Terminated(BaseException):
    """SIGTERM, turned into an exception so that workers are stopped and outputs closed."""


def stop_reason(exc: BaseException) -> str:
    """Why a run stopped, for its completion record."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(exc, Terminated):
        return "terminated (SIGTERM)"
    reason = getattr(exc, "reason", None)
    return str(reason) if reason else f"stopped ({type(exc).__name__})"


def nonnegative_int(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise argparse.ArgumentTypeError("not a whole number from 0 to 999999999")
    return int(text)


def processes_arg(text: str) -> int:
    value = nonnegative_int(text)
    if value > MAX_PROCESSES:
        raise argparse.ArgumentTypeError(f"at most {MAX_PROCESSES} processes (0: one per CPU)")
    return value
