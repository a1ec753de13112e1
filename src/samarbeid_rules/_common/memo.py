"""Values kept per immutable input object (a rule set, a profile, a validated timeline)."""

from __future__ import annotations

import weakref
from typing import Any, Callable

__all__ = ["ByIdentity"]


class ByIdentity:
    """Values worked out once per immutable input object (a rule set, a profile, a timeline), kept as
    long as the object lives: keyed on its identity, with a weak reference that drops the entry when
    it goes (so an object need not be hashable). Each value is built whole before it is stored, so a
    thread that builds it too stores an equal one."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Any]] = {}

    def get(self, obj: Any, build: Callable[[Any], Any]) -> Any:
        """The value kept for ``obj``, built by ``build(obj)`` (and kept) the first time."""
        key = id(obj)
        entry = self._entries.get(key)
        if entry is None or entry[0]() is not obj:
            entry = (weakref.ref(obj, self._forget(key)), build(obj))
            self._entries[key] = entry
        return entry[1]

    def peek(self, obj: Any) -> Any:
        """The value kept for ``obj``, or None."""
        entry = self._entries.get(id(obj))
        if entry is None or entry[0]() is not obj:
            return None
        return entry[1]

    def _forget(self, key: int) -> Any:
        return lambda _ref: self._entries.pop(key, None)
