"""Type checking of rule conditions against the event field they test, at load.

A condition (``where``, ``requires``, ``exempt_if`` in a rule file) compares an
event field with a constant. Both engines must give the same answer for it,
and they can only if the constant has the field's type: durable-rules compares
``acute: 1`` equal to ``true`` and ``age: '16'`` to ``16``, the native engine
does not. So every condition is checked when the rule file is loaded, and a
mismatch is a :class:`RuleFileError` with the file, the line and the field:

=============  =====================================  ===========================
field type     operators                              constants
=============  =====================================  ===========================
bool           ``eq``, ``ne``, ``in``, ``exists``     ``true`` / ``false``
int            all (``lt``, ``lte``, ``gt``, ``gte``)  integers (not bools)
str, id        ``eq``, ``ne``, ``in``, ``exists``     strings
enum           ``eq``, ``ne``, ``in``, ``exists``     one of the enum's values
date           ``eq``, ``ne``, ``in``, ``exists``     ``YYYY-MM-DD`` strings
list, instant  ``exists`` only                        —
=============  =====================================  ===========================

An ``in`` list holds 1 to :data:`MAX_IN` values, none twice. (durable-rules
hung inside C, holding the GIL, on an ``in`` of 512 values, and failed on
10 000 repeated ones; see docs/engines.md.)
"""

from __future__ import annotations

import re
import types
from datetime import date, datetime
from enum import Enum
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime

__all__ = ["MAX_IN", "check_conditions", "field_kind", "value_problem"]

#: the most values an ``in`` condition may list
MAX_IN = 64

_OPS = {
    "bool": {"eq", "ne", "in", "exists"},
    "int": {"eq", "ne", "in", "lt", "lte", "gt", "gte", "exists"},
    "str": {"eq", "ne", "in", "in_value", "exists"},
    "enum": {"eq", "ne", "in", "in_value", "exists"},
    "date": {"eq", "ne", "in", "exists"},
    "list": {"exists"},
    "instant": {"exists"},
}
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def field_kind(annotation: Any) -> tuple[str, tuple[str, ...] | None]:
    """(kind, allowed values or None) of a field's annotation (see the module docstring)."""
    t = annotation
    while True:
        origin = get_origin(t)
        if origin is Annotated:
            t = get_args(t)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(t) if a is not type(None)]
            if len(args) != 1:  # pragma: no cover - no event field is a union of two types
                return "other", None
            t = args[0]
        else:
            break
    if t is AwareDatetime:
        return "instant", None
    origin = get_origin(t)
    if origin is Literal:
        return "str", tuple(str(a) for a in get_args(t))
    if origin is list:
        return "list", None
    if isinstance(t, type):
        if issubclass(t, bool):
            return "bool", None
        if issubclass(t, Enum):
            return "enum", tuple(m.value for m in t)
        if issubclass(t, int):
            return "int", None
        if issubclass(t, str):
            return "str", None
        if issubclass(t, datetime):
            return "instant", None
        if issubclass(t, date):
            return "date", None
    return "other", None  # pragma: no cover


def value_problem(kind: str, allowed: tuple[str, ...] | None, value: Any) -> str | None:
    if kind == "bool":
        return None if isinstance(value, bool) else "is a bool field: compare with true or false"
    if kind == "int":
        return None if type(value) is int else "is an integer field: compare with an integer (not a bool or text)"
    if not isinstance(value, str):
        return f"is a {kind} field: compare with a string"
    if allowed is not None and value not in allowed:
        return f"has the values {', '.join(allowed)}"
    if kind == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            return "is a date field: compare with YYYY-MM-DD"
    return None


def check_conditions(conditions: tuple[tuple[str, str, Any], ...], kinds: dict[str, tuple[str, Any]],
                     what: str, dated: Mapping[str, tuple[Any, ...]] | None = None) -> None:
    """Raise ValueError naming the first condition whose operator or constant does not fit its field.

    ``conditions`` are compiled (field, operator, value) triples, ``kinds`` maps each field
    name to :func:`field_kind` of it, ``what`` names the place (``where``, ``requires``).
    ``dated`` gives every value each dated value of bases.yaml takes: an ``in_value`` condition's
    values must fit its field as an ``in`` list's do (unchecked without it).
    """
    for name, op, value in conditions:
        kind, allowed = kinds[name]
        if op not in _OPS.get(kind, ()):
            ops = ", ".join(sorted(_OPS.get(kind, ())))
            raise ValueError(f"{what}.{name}: operator {op!r} does not apply to a {kind} field (use {ops})")
        if op == "exists":
            continue
        if op == "in_value":
            entries = dated.get(value, ()) if dated is not None else ()
            bad = next((p for p in (value_problem(kind, allowed, v) for v in entries) if p), None)
            if bad is not None:
                raise ValueError(f"{what}.{name}: dated value {value!r} has an entry that does not fit: field "
                                 f"{name!r} {bad}")
            continue
        values = value if op == "in" else (value,)
        if op == "in":
            if not 1 <= len(values) <= MAX_IN:
                raise ValueError(f"{what}.{name}: 'in' lists 1 to {MAX_IN} values")
            seen = set()
            for v in values:
                k = (type(v), v)
                if k in seen:
                    raise ValueError(f"{what}.{name}: 'in' lists a value twice")
                seen.add(k)
        for v in values:
            problem = value_problem(kind, allowed, v)
            if problem is not None:
                raise ValueError(f"{what}.{name}: field {name!r} {problem}")
