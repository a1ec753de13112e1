"""What the commands share: the program name, the exit codes, argument types, one-line errors."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime
from typing import Any

from .._common.errors import escaped

__all__ = [
    "EXIT_ABORTED", "EXIT_BAD_INPUT", "EXIT_BREACH", "EXIT_ENGINE", "EXIT_INTERNAL", "EXIT_INTERRUPTED",
    "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE", "MAX_PROCESSES", "PROG", "as_of_arg", "error",
    "nonnegative_int", "processes_arg", "stop_reason", "Terminated", "STOP", "StopSignals", "check_stop",
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


class _Stop:
    """The first SIGINT or SIGTERM received while a command runs (None: none)."""

    signum: int | None = None


STOP = _Stop()


def check_stop() -> None:
    """At a safe point (between timelines): end the run if Ctrl-C or SIGTERM came."""
    if STOP.signum == signal.SIGINT:
        raise KeyboardInterrupt
    if STOP.signum == signal.SIGTERM:
        raise Terminated()


class StopSignals:
    """While a command runs, the first Ctrl-C or SIGTERM is noted and acted on at the next safe
    point (:func:`check_stop`), never inside a lock of the process pool or a half-written record;
    a second one ends at once. Main thread only."""

    def __enter__(self) -> StopSignals:
        STOP.signum = None
        self._old: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self._old[sig] = signal.signal(sig, self._handler)
                except (ValueError, OSError):  # pragma: no cover
                    pass
        return self

    @staticmethod
    def _handler(signum: int, frame: Any) -> None:
        if STOP.signum is not None:  # the second signal: now
            raise KeyboardInterrupt if signum == signal.SIGINT else Terminated()
        STOP.signum = signum

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


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
