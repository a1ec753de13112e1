"""The durable-rules engine: the same compiled rules, matched by durable-rules.

How this module stays off durable-rules 2.0.28's known traps
(``../shared/notes/durable-rules.md``, re-checked in ``tests/test_durable_engine.py``):

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
  every call into it is made under one process-wide lock; results are
  collected per session id and removed with the session.
- **Message ids are ours.** Facts carry ``id`` = their position, never a
  user-supplied string, so durable-rules' id deduplication cannot collide.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from ..compile import CompiledRules, Matcher
from ..._common.errors import EngineUnavailableError

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


class DurableEngine:
    """Matches with durable-rules; see the module docstring for how it is used safely."""

    name = "durable-rules"

    def __init__(self) -> None:
        from durable import engine as durable_engine_module

        class _QuietHost(durable_engine_module.Host):
            def _run(self) -> None:  # no background timer threads
                pass

        self._mod = durable_engine_module
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._registered: dict[str, str] = {}
        self._collect: dict[str, list[tuple[int, int]]] = {}
        self._sids = itertools.count()

    def live_sessions(self) -> int:
        """Sessions not yet deleted (always 0 between evaluations)."""
        with self._lock:
            return len(self._collect)

    def _ruleset_for(self, rules: CompiledRules) -> str:
        name = self._registered.get(rules.fingerprint)
        if name is not None:
            return name
        name = f"samarbeid_{rules.fingerprint}"
        collect = self._collect

        def make_action(k: int):
            def action(c) -> None:  # exactly one parameter: synchronous
                collect[str(c.s.sid)].append((k, c.m.pos))

            return action

        definition: dict[str, Any] = {
            "sentinel": {"all": [{"m": {"sentinel": 1}}], "run": make_action(-1)},
        }
        for k, m in enumerate(rules.matchers):
            definition[f"r{k}"] = {"all": [{"m": _condition(m)}], "run": make_action(k)}
        self._host.register_rulesets({name: definition})
        self._registered[rules.fingerprint] = name
        return name

    def classify(self, rules: CompiledRules, records: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[int]]:
        not_handled = self._mod.MessageNotHandledException
        with self._lock:
            ruleset = self._ruleset_for(rules)
            sid = f"s{next(self._sids)}"
            hits = self._collect[sid] = []
            try:
                self._host.assert_fact(ruleset, {"sid": sid, "id": "sentinel", "sentinel": 1, "pos": 0})
                for pos, record in enumerate(records):
                    fact = dict(record)
                    fact["sid"] = sid
                    fact["id"] = f"e{pos}"
                    fact["pos"] = pos
                    try:
                        self._host.assert_fact(ruleset, fact)
                    except not_handled:
                        pass  # the event plays no role in any duty
                if not hits or hits[0] != (-1, 0):
                    raise RuntimeError("durable-rules did not run the session's sentinel action")
            finally:
                if hits and hits[0][0] == -1:
                    self._host.delete_state(ruleset, sid)
                del self._collect[sid]
        out: dict[tuple[str, str], list[int]] = {}
        matchers = rules.matchers
        for k, pos in hits[1:]:
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
    return DurableEngine()
