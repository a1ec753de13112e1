"""The native engine: a dictionary from event type to matchers, one pass."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

from ..compile import CompiledRules
from ..facts import EventFact

__all__ = ["NATIVE", "NativeEngine"]


class NativeEngine:
    """Matches events by type, and a record against a matcher's conditions only where it has some:
    O(events × conditional matchers per type)."""

    name = "native"

    def classify_facts(self, rules: CompiledRules, facts: Sequence[EventFact]) -> dict[tuple[str, str], list[int]]:
        """Which events play which role, building a record only where a condition reads it.

        Events are first grouped by type; a role that every event of a type
        plays (no condition) takes the type's positions whole.
        """
        by_type: dict[str, list[int]] = {}
        for pos, f in enumerate(facts):
            positions = by_type.get(f.type)
            if positions is None:
                by_type[f.type] = [pos]
            else:
                positions.append(pos)
        plain, conditional = rules.plain_by_type, rules.conditional_by_type
        parts: dict[tuple[str, str], list[list[int]]] = {}
        for event_type, positions in by_type.items():
            for key in plain.get(event_type, ()):
                parts.setdefault(key, []).append(positions)
            for m in conditional.get(event_type, ()):
                chosen = [p for p in positions if m.matches(facts[p].record)]
                if chosen:
                    parts.setdefault((m.duty, m.role), []).append(chosen)
        return {
            key: list(lists[0]) if len(lists) == 1 else sorted(set(chain.from_iterable(lists)))
            for key, lists in parts.items()
        }


NATIVE = NativeEngine()
