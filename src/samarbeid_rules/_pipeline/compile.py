"""Compile a rule set into the engine-neutral form.

The form says, for every duty, which events play which **role** — ``trigger``
(opens an obligation), ``fulfil`` (can discharge it), ``close`` (ends the
chance to fulfil it) — as a :class:`Matcher`: an event type and conditions on
the event's flat record. Correlation (``same``) and time order are not part of
matching: they are decided in :mod:`._timing`, once, for both engines.

Condition semantics, identical in both engines: a condition on a field that
is absent from the record is false, except ``exists: false``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .._inputs.ruleset import RuleSet

__all__ = ["CompiledRules", "Matcher", "compile_rules", "ROLES"]

ROLES = ("trigger", "fulfil", "close")


@dataclass(frozen=True, slots=True)
class Matcher:
    """Events of ``event_type`` whose record satisfies every condition play ``role`` for ``duty``."""

    duty: str  #: the rule id (a rule file) the role belongs to
    role: str
    event_type: str
    conditions: tuple[tuple[str, str, Any], ...]

    def matches(self, record: Mapping[str, Any]) -> bool:
        for name, op, value in self.conditions:
            if op == "exists":
                if (name in record) is not value:
                    return False
                continue
            if name not in record:
                return False
            actual = record[name]
            if op == "eq":
                ok = actual == value and type(actual) is type(value)
            elif op == "ne":
                ok = not (actual == value and type(actual) is type(value))
            elif op == "in":
                ok = any(actual == v and type(actual) is type(v) for v in value)
            elif op in ("lt", "lte", "gt", "gte"):
                if not isinstance(actual, int) or isinstance(actual, bool):
                    return False
                ok = (
                    actual < value if op == "lt"
                    else actual <= value if op == "lte"
                    else actual > value if op == "gt"
                    else actual >= value
                )
            else:  # pragma: no cover - the rule loader admits no other operator
                raise AssertionError(op)
            if not ok:
                return False
        return True


@dataclass(frozen=True)
class CompiledRules:
    """The engine-neutral form of a rule set."""

    rule_set: RuleSet
    matchers: tuple[Matcher, ...]
    #: event type -> the (rule id, role) keys its events play whatever their fields
    plain_by_type: Mapping[str, tuple[tuple[str, str], ...]]
    #: event type -> the matchers with conditions (keys already in plain_by_type left out)
    conditional_by_type: Mapping[str, tuple[Matcher, ...]]
    fingerprint: str  #: hash of the matchers; names the durable-rules ruleset
    terms_needed: tuple[tuple[str, str, str], ...] = ()  #: (profile term, kind, rule file) for every rule

    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.rule_set.rules)


def compile_rules(rule_set: RuleSet) -> CompiledRules:
    """Compile ``rule_set``; the result is immutable and may be shared by threads.

    Matchers are keyed by the rule id (a rule file), so two versions or parts
    of one duty are classified separately.
    """
    matchers: list[Matcher] = []

    def conditions(pat: Any) -> tuple[tuple[str, str, Any], ...]:
        # A condition read from a dated value matches, for the engines, any value it ever takes;
        # the timing stage keeps only the events whose value was in force on their own date.
        return tuple(
            (name, "in", rule_set.registry.all_values_of(value)) if op == "in_value" else (name, op, value)
            for name, op, value in pat.conditions()
        )

    for loaded in rule_set.rules:
        rule, rid = loaded.rule, loaded.rule_id
        for pat in rule.trigger:
            matchers.append(Matcher(rid, "trigger", pat.event, conditions(pat)))
        for pat in rule.fulfilled_by:
            matchers.append(Matcher(rid, "fulfil", pat.event, conditions(pat)))
        for pat in rule.closed_by or ():
            matchers.append(Matcher(rid, "close", pat.event, conditions(pat)))
    canonical = json.dumps(
        [[m.duty, m.role, m.event_type, [list(c) for c in m.conditions]] for m in matchers],
        sort_keys=True,
        default=list,
    )
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    plain: dict[str, list[tuple[str, str]]] = {}
    for m in matchers:
        keys = plain.setdefault(m.event_type, [])
        if not m.conditions and (m.duty, m.role) not in keys:
            keys.append((m.duty, m.role))
    conditional: dict[str, list[Matcher]] = {}
    for m in matchers:
        if m.conditions and (m.duty, m.role) not in plain[m.event_type]:
            conditional.setdefault(m.event_type, []).append(m)
    return CompiledRules(
        rule_set=rule_set,
        matchers=tuple(matchers),
        fingerprint=fingerprint,
        terms_needed=tuple(
            (name, kind, loaded.path) for loaded in rule_set.rules for name, kind in loaded.rule.terms_used()
        ),
        plain_by_type=MappingProxyType({t: tuple(k) for t, k in plain.items() if k}),
        conditional_by_type=MappingProxyType({t: tuple(ms) for t, ms in conditional.items()}),
    )
