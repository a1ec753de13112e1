"""The native engine: a dictionary from event type to matchers, one pass."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._compile import CompiledRules

__all__ = ["NATIVE", "NativeEngine"]


class NativeEngine:
    """Matches each record against the matchers of its type: O(events × matchers per type)."""

    name = "native"

    def classify(self, rules: CompiledRules, records: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[int]]:
        out: dict[tuple[str, str], list[int]] = {}
        by_type = rules.by_type
        for pos, record in enumerate(records):
            for m in by_type.get(record["type"], ()):
                if m.matches(record):
                    positions = out.setdefault((m.duty, m.role), [])
                    if not positions or positions[-1] != pos:  # two patterns of one role
                        positions.append(pos)
        return out


NATIVE = NativeEngine()
