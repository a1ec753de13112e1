"""Engines: match the compiled rules against one timeline's event records.

An engine answers one question: for each duty and role, which events (by
their position in time order) match. Both engines must give the same answer;
everything about time is decided afterwards, in :mod:`.._timing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..compile import CompiledRules
from ..._common.errors import EngineUnavailableError

__all__ = ["Classification", "Engine", "get_engine", "ENGINE_NAMES"]

#: (duty id, role) -> ascending positions of the matching records
Classification = dict[tuple[str, str], list[int]]

ENGINE_NAMES = ("native", "durable-rules")


class Engine(Protocol):
    name: str

    def classify_facts(self, rules: CompiledRules, facts: Sequence[Any]) -> Classification:
        """For each (rule id, role), the positions in ``facts`` (time order) of the events whose
        record matches one of the role's patterns (a record is ``f.record``; see :mod:`.._compile`)."""
        ...


def get_engine(name: str) -> Engine:
    """The engine called ``name`` ("native" or "durable-rules")."""
    if name == "native":
        from .native import NATIVE

        return NATIVE
    if name in ("durable-rules", "durable"):
        from .durable import durable_engine

        return durable_engine()
    raise EngineUnavailableError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINE_NAMES)}")
