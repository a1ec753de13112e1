"""What the commands share: the program name, the exit codes, argument types, one-line errors,
standard input as ``-``, and ``--fail-on``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from .._common.errors import SamarbeidError, escaped
from .._common.wording import did_you_mean
from .._pipeline.engines import ENGINE_NAMES

__all__ = [
    "EXIT_ABORTED", "EXIT_BAD_INPUT", "EXIT_BREACH", "EXIT_ENGINE", "EXIT_INTERNAL", "EXIT_INTERRUPTED",
    "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE", "MAX_PROCESSES", "PROG", "add_evaluation_options", "as_of_arg",
    "error", "nonnegative_int", "processes_arg", "stop_reason", "Terminated", "STOP", "StopSignals", "check_stop",
    "FAIL_ON", "STDIN", "STDIN_LABEL", "add_fail_on", "fails", "read_stdin", "stdin_lines",
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

#: a FILE or SOURCE of ``-`` is standard input; errors name it by STDIN_LABEL
STDIN = "-"
STDIN_LABEL = "<stdin>"

#: what ``--fail-on`` can select (docs/cli.md#exit-codes): ``breach`` the report's breaches (a
#: ``skal``, ``vurdere`` or ``forbud`` obligation ``breached`` or ``fulfilled_late``),
#: ``contested`` the obligations ``contested``, ``not_followed`` the recommendations (``bør``)
#: ``not_followed`` (not ``followed_late``: a recommendation followed late was followed)
FAIL_ON = ("breach", "contested", "not_followed")
DEFAULT_FAIL_ON = ("breach",)


def fail_on_arg(text: str) -> list[str]:
    """``breach,contested`` → ``["breach", "contested"]``; an unknown word is a usage error
    (the closest valid one is suggested; the word itself is not repeated)."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    for w in words:
        if w not in FAIL_ON:
            raise argparse.ArgumentTypeError(
                f"expected {', '.join(FAIL_ON)} (comma-separated or repeated){did_you_mean(w, FAIL_ON)}"
            )
    if not words:
        raise argparse.ArgumentTypeError(f"expected {', '.join(FAIL_ON)} (comma-separated or repeated)")
    return words


def add_fail_on(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--fail-on", type=fail_on_arg, action="append", default=None, metavar="LIST",
        help=f"exit 1 if any obligation is one of these: {', '.join(FAIL_ON)} "
        "(comma-separated or repeated; default: breach)",
    )


def fails(selected: Iterable[str] | None, *, breaches: int, contested: int, not_followed: int) -> bool:
    """Whether the counts give exit 1 under ``--fail-on`` (``selected``: its values, None: the default)."""
    chosen = {w for group in selected for w in group} if selected else set(DEFAULT_FAIL_ON)
    counts = {"breach": breaches, "contested": contested, "not_followed": not_followed}
    return any(counts[w] > 0 for w in chosen)


def _stdin_buffer() -> Any:
    stdin = sys.stdin
    if stdin is None:
        raise OSError(9, "Bad file descriptor")
    return getattr(stdin, "buffer", stdin)


def read_stdin(error: type[SamarbeidError]) -> bytes:
    """All of standard input as bytes, at most the JSON reader's limit; every failure an ``error``
    naming ``<stdin>`` (read once: a second ``-`` is refused by the commands)."""
    from .._inputs.jsonread import MAX_BYTES

    try:
        data = _stdin_buffer().read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise error(f"cannot read standard input ({getattr(exc, 'strerror', None) or type(exc).__name__})",
                    source=STDIN_LABEL) from None
    if isinstance(data, str):  # a text stream without a buffer (a test's StringIO)
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise error(f"input is larger than the limit of {MAX_BYTES // 1024} KiB", source=STDIN_LABEL)
    return data


def stdin_lines() -> Iterator[tuple[str, bytes]]:
    """Standard input as JSON Lines: ``("<stdin>:N", line)`` for each line that is not blank (a
    blank line holds no timeline and is passed over). A line longer than the JSON reader's limit
    is given cut at the limit, so it fails as JSON that does not parse, naming its line."""
    from .._inputs.jsonread import MAX_BYTES

    fh = _stdin_buffer()
    lineno = 0
    while True:
        raw = fh.readline(MAX_BYTES + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # the rest of the line is not held
                raw = fh.readline(MAX_BYTES)
            yield f"{STDIN_LABEL}:{lineno}", b"\x00"  # not JSON: fails on its own line
            continue
        if raw.strip():
            yield f"{STDIN_LABEL}:{lineno}", raw



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


def add_evaluation_options(p: argparse.ArgumentParser) -> None:
    """``--as-of``, ``--profile``, ``--rules`` and ``--engine``, as ``check`` and ``batch`` take them."""
    p.add_argument(
        "--as-of", type=as_of_arg, default=None, metavar="ISO",
        help="instant to judge at, with a UTC offset (default: each timeline's latest event)",
    )
    p.add_argument("--profile", default=None, metavar="FILE", help="interpretation profile (YAML)")
    p.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    p.add_argument("--engine", choices=ENGINE_NAMES, default="native", help="matching engine")


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
