"""The durable-rules engine: the same compiled rules, matched by durable-rules.

How this module stays off durable-rules 2.0.28's known traps
(``../shared/notes/durable-rules.md``, re-checked in ``tests/test_durable_engine.py``
and ``tests/test_engine_conformance.py``):

- **Isolated.** The C extension runs in a worker process
  (:mod:`.durable_worker`) with an address-space limit and a watchdog, never
  in the host: a segfault, a hang holding the GIL, or memory exhaustion ends
  the worker and fails one evaluation with :class:`EngineFailedError`.
- **Typed conditions.** Rule conditions are type-checked against the event
  field at load (:mod:`..._inputs.conditions`), and an ``in`` lists at most 64
  distinct values: the mixed-type comparisons where durable-rules and the
  native engine disagreed, and the ``in`` lists that hung or failed it, are
  refused before they reach it.

- **Facts, not events.** An event is consumed by the first rule it matches;
  a fact fires every rule it matches. Each timeline event is asserted as a
  fact, because one event can trigger one duty and fulfil another.
- **Single-element rules only.** Every durable rule tests one fact against
  constants; there are no joins, so no correlated ``$gt``/``$lt`` comparison
  (the out-of-bounds read of upstream issue #381) can occur. Correlation and
  time order are decided outside the engine, in virtual time.
- **No timers, no wall clock.** ``start_timer``/``timeout`` are never used.
- **One Host per process, no background threads.** The default Host re-arms two
  ``threading.Timer`` chains forever and cannot be released; ours overrides
  ``_run`` so it starts none. A compiled rule set is registered once per
  process, under a name derived from its fingerprint (names cannot be reused).
- **Sessions are deleted.** Each evaluation uses a fresh session id and deletes
  it afterwards, so the 1024-session limit is never approached. Deleting a
  session on which no action has run can crash, so every session first
  asserts a sentinel fact whose rule runs an action.
- **Synchronous one-parameter actions.** A two-parameter action is treated as
  asynchronous; our actions take exactly ``c``.
- **No shared state between evaluations.** The C extension has no locks, so
  every call into the worker is made under one process-wide lock; results are
  collected per session id and removed with the session.
- **Message ids are ours.** Facts carry ``id`` = their position, never a
  user-supplied string, so durable-rules' id deduplication cannot collide.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from ..compile import CompiledRules, Matcher
from ..._common.errors import EngineFailedError, EngineUnavailableError
from .durable_worker import receive, send

__all__ = ["DurableEngine", "durable_engine", "durable_available"]


def durable_available() -> tuple[bool, str]:
    """(can run here, reason if not)."""
    if sys.version_info >= (3, 13):
        return False, (
            "durable-rules 2.0.28 (its only release) does not import on CPython 3.13+ "
            "(undefined symbol PyEval_CallObject); use the native engine"
        )
    try:
        import durable.engine  # noqa: F401
    except ImportError as exc:
        return False, (
            f"durable-rules is not installed ({exc}); install samarbeid-rules[durable-rules]"
        )
    return True, ""


def _condition(m: Matcher) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"type": m.event_type}]
    for name, op, value in m.conditions:
        if op == "eq":
            parts.append({name: value})
        elif op == "ne":
            parts.append({"$and": [{"$ex": {name: 1}}, {"$neq": {name: value}}]})
        elif op == "in":
            parts.append({"$or": [{name: v} for v in value]})
        elif op in ("lt", "lte", "gt", "gte"):
            parts.append({f"${op}": {name: value}})
        elif op == "exists":
            parts.append({"$ex" if value else "$nex": {name: 1}})
        else:  # pragma: no cover
            raise AssertionError(op)
    return parts[0] if len(parts) == 1 else {"$and": parts}


#: the durable-rules worker's address-space limit: it holds the C extension and one timeline's
#: facts (a few MB); under this limit, memory pressure ends the worker, never the host
MEMORY_LIMIT_MIB = 1024
#: the watchdog: a worker that has not answered after this long (plus PER_RECORD_SECONDS per
#: record) is killed and the evaluation fails with EngineFailedError
TIMEOUT_SECONDS = 20.0
PER_RECORD_SECONDS = 0.002


class DurableEngine:
    """Matches with durable-rules in an isolated worker process; see the module docstring.

    The C extension runs in a child process (:mod:`.durable_worker`) with an address-space
    limit and a watchdog: a crash, a hang or memory exhaustion inside it fails the one
    evaluation with :class:`EngineFailedError`, and the next evaluation starts a new worker.
    """

    name = "durable-rules"

    def __init__(self, *, memory_limit_mib: int = MEMORY_LIMIT_MIB, timeout: float = TIMEOUT_SECONDS,
                 per_record: float = PER_RECORD_SECONDS) -> None:
        self.memory_limit_mib = memory_limit_mib
        self.timeout = timeout
        self.per_record = per_record
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner = os.getpid()  # the process that started self._proc (a forked batch worker did not)
        self._registered: set[str] = set()
        self._live = 0

    # --- the worker ------------------------------------------------------------

    @property
    def worker_pid(self) -> int | None:
        """The worker's process id (None before the first evaluation or after it died)."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.pop("PYTHONSTARTUP", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "samarbeid_rules._pipeline.engines.durable_worker", str(self.memory_limit_mib)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            close_fds=True, start_new_session=True,  # Ctrl-C in a terminal reaches the host, which ends it
        )
        self._proc = proc
        self._owner = os.getpid()
        self._registered = set()
        return proc

    def _running(self) -> subprocess.Popen[bytes]:
        """This process's own live worker, started if need be. A process forked from the one that started the
        worker (a batch worker) starts its own: the worker it inherited is its parent's, and so are the rule
        sets registered in it."""
        proc = self._proc
        if proc is not None and self._owner != os.getpid():
            for fh in (proc.stdin, proc.stdout):  # this process's copies of the parent's pipes
                try:
                    if fh is not None:
                        fh.close()
                except OSError:  # pragma: no cover
                    pass
            self._proc, self._registered, self._live = None, set(), 0
            proc = None
        if proc is None or proc.poll() is not None:
            proc = self._start()
        return proc

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        self._registered = set()
        self._live = 0
        if proc is None or self._owner != os.getpid():  # none, or the parent's (after a fork): not ours to end
            return
        try:
            proc.kill()
        except OSError:  # pragma: no cover - already gone
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for fh in (proc.stdin, proc.stdout):
            try:
                if fh is not None:
                    fh.close()
            except OSError:  # pragma: no cover
                pass

    def _failed(self, proc: subprocess.Popen[bytes], what: str) -> EngineFailedError:
        try:
            code = proc.wait(timeout=2)  # it closed its end: it is ending, or has ended
        except subprocess.TimeoutExpired:
            code = None
        self._kill()
        if code is not None and code < 0:
            try:
                sig = signal.Signals(-code).name
            except ValueError:  # pragma: no cover
                sig = str(-code)
            what = f"its worker process died ({sig}; a crash in the C extension, or out of memory)"
        elif code is not None:
            what = f"its worker process ended (exit {code}; out of memory or unable to start)"
        return EngineFailedError(what, engine=self.name)

    def _call(self, message: tuple[Any, ...], timeout: float) -> Any:
        proc = self._running()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            send(proc.stdin, message)
        except (BrokenPipeError, OSError):
            raise self._failed(proc, "its worker process could not be reached") from None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            self._kill()
            raise EngineFailedError(
                f"no answer within {timeout:.0f} s (the worker was stopped; a hang inside the C extension)",
                engine=self.name,
            )
        try:
            answer = receive(proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            answer = None
        if answer is None:
            raise self._failed(proc, "its worker process stopped answering")
        if answer[0] == "error":
            if answer[1] == "MemoryError":
                self._kill()
                raise EngineFailedError("out of memory in the worker process", engine=self.name)
            raise EngineFailedError(f"the engine raised {answer[1]}", engine=self.name)
        self._live = answer[2]
        return answer[1]

    def close(self) -> None:
        """End the worker process (a new one starts on the next evaluation)."""
        with self._lock:
            self._kill()

    # --- matching -----------------------------------------------------------------

    def live_sessions(self) -> int:
        """Sessions not yet deleted in the worker (always 0 between evaluations)."""
        with self._lock:
            return self._live

    def _ruleset_for(self, rules: CompiledRules) -> str:
        name = f"samarbeid_{rules.fingerprint}"
        self._running()  # a new worker (the first, a restarted one, or this process's own after a fork) has none
        if name not in self._registered:
            self._call(("register", name, [_condition(m) for m in rules.matchers]), self.timeout)
            self._registered.add(name)
        return name

    def classify(self, rules: CompiledRules, records: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[int]]:
        plain = [dict(r) for r in records]
        with self._lock:
            name = self._ruleset_for(rules)
            hits = self._call(("classify", name, plain), self.timeout + self.per_record * len(plain))
        out: dict[tuple[str, str], list[int]] = {}
        matchers = rules.matchers
        for k, pos in hits:
            m = matchers[k]
            out.setdefault((m.duty, m.role), []).append(pos)
        return {key: sorted(set(positions)) for key, positions in out.items()}

    def classify_facts(self, rules: CompiledRules, facts: Sequence[Any]) -> dict[tuple[str, str], list[int]]:
        """:meth:`classify` on the facts' records (durable-rules matches every event's record)."""
        return self.classify(rules, [f.record for f in facts])


@cache
def durable_engine() -> DurableEngine:
    """The process's durable-rules engine (one Host per process)."""
    ok, why = durable_available()
    if not ok:
        raise EngineUnavailableError(why)
    engine = DurableEngine()
    atexit.register(engine.close)
    return engine
