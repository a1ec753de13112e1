"""Strict YAML reading for rule files and profiles.

Plain ``yaml.safe_load`` forgets where things were and lets a duplicated key
silently win. This reader keeps the line of every mapping key and sequence
item, rejects duplicate keys with both lines, and does not apply YAML 1.1's
surprising conversions: ``07:00`` stays the string ``"07:00"`` (not the number
420) and dates stay strings for the models to parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .._common.errors import RuleFileError, SamarbeidError
from .._common.wording import first_error, plain_problem
from .jsonread import read_file

#: the largest rule file, ruleset.yaml or profile read: 1 MiB (the shipped ones are under 10 KiB)
MAX_YAML_BYTES = 1024 * 1024


def read_yaml_text(path: Path, fail: Callable[[str], Exception], what: str) -> str:
    """The UTF-8 text of the YAML file ``path`` (a regular file of at most MAX_YAML_BYTES)."""
    data = read_file(path, lambda problem: fail(f"{what}: {problem}"), limit=MAX_YAML_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"cannot read {what} (not valid UTF-8 at byte {exc.start})") from None

__all__ = ["LocatedData", "located_error", "read_yaml", "read_yaml_model", "read_yaml_model_located"]

_KEEP_AS_STRING = {"tag:yaml.org,2002:timestamp"}


@dataclass
class LocatedData:
    """Parsed YAML plus the 1-based line of each path inside it."""

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """The line of ``loc``, or of its nearest enclosing element."""
        loc = tuple(loc)
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return None
            loc = loc[:-1]


def read_yaml(text: str, fail: Callable[[str, int | None], Exception]) -> LocatedData:
    """Parse ``text``; call ``fail(problem, line)`` to build the error to raise."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise fail(f"not valid YAML: {exc.problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise fail(f"not valid YAML: {exc}", None) from None
    except RecursionError:
        raise fail("not valid YAML: nested too deeply", None) from None
    out = LocatedData(None)
    if node is None:
        return out
    budget = [_MAX_NODES]
    try:
        out.data = _convert(node, (), out.lines, loader, fail, budget, set())
    except SamarbeidError:
        raise  # already located, by fail()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise fail(f"not valid here: {getattr(exc, 'problem', None) or exc}", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise fail("nested too deeply", None) from None
    except ValueError as exc:  # e.g. an integer over Python's digit limit
        raise fail(f"bad value: {exc}"[:300], None) from None
    return out


#: more nodes than this (after expanding aliases) is refused: a rule file or
#: profile is small, and alias expansion must not be a way to exhaust memory
_MAX_NODES = 100_000


def _convert(node: yaml.Node, path: tuple[Any, ...], lines: dict, loader: yaml.SafeLoader, fail,
             budget: list[int], active: set[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise fail(f"document too large (more than {_MAX_NODES} values after expanding aliases)",
                   node.start_mark.line + 1)
    if len(path) > 64:
        raise fail("nested too deeply", node.start_mark.line + 1)
    if id(node) in active:
        raise fail("an alias refers to the value that contains it", node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        active.add(id(node))
        try:
            return _convert_collection(node, path, lines, loader, fail, budget, active)
        finally:
            active.discard(id(node))
    return _scalar(node, loader)


def _convert_collection(node, path, lines, loader, fail, budget, active) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader)
            if not isinstance(key, (str, int)):
                raise fail("mapping keys must be strings", key_node.start_mark.line + 1)
            line = key_node.start_mark.line + 1
            if key in result:
                shown = repr(key) if isinstance(key, int) or _KEY_SHAPE.fullmatch(key) else "(not shown)"
                raise fail(f"duplicate key {shown} (first at line {first_line[key]})", line)
            first_line[key] = line
            lines[path + (key,)] = line
            result[key] = _convert(value_node, path + (key,), lines, loader, fail, budget, active)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            items.append(_convert(item, path + (i,), lines, loader, fail, budget, active))
        return items
    raise AssertionError(type(node))  # pragma: no cover


_KEY_SHAPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
#: YAML 1.1 booleans that YAML 1.2 (and JSON) read as text: "yes" is not true
_NOT_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
#: the integers YAML 1.2's core schema (and JSON) reads: decimal, no leading zero, no "_"
_DECIMAL = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag in _KEEP_AS_STRING:
        return node.value
    if node.tag == "tag:yaml.org,2002:bool" and _NOT_BOOL.fullmatch(node.value):
        return node.value  # YAML 1.1's yes/no/on/off stay text (a bool field then refuses them)
    if node.tag == "tag:yaml.org,2002:int" and not _DECIMAL.fullmatch(node.value):
        return node.value  # 017 (octal in YAML 1.1), 0x1f, 1_000 stay text
    if node.tag == "tag:yaml.org,2002:int" and ":" in node.value:
        return node.value  # YAML 1.1 base-60 (07:00 → 420): keep the text
    if node.tag == "tag:yaml.org,2002:float" and ":" in node.value:
        return node.value
    return loader.construct_object(node, deep=True)


def first_validation_problem(exc: Any, located: LocatedData) -> tuple[str, int | None, str]:
    """(message, line, dotted field) of the first error of a pydantic ValidationError."""
    err = first_error(exc)
    loc = _as_written(tuple(err["loc"]), located.data)
    line = located.line_of(loc)
    dotted = ".".join(str(p) for p in loc)
    msg = plain_problem(err)
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return msg, line, dotted


def _as_written(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """``loc`` as a path in the file: drop the list index a model adds when it
    accepts a single item for a list (``trigger: {…}`` read as ``[{…}]``), and
    the union tag pydantic adds for a discriminated union."""
    out: list[Any] = []
    current = data
    for part in loc:
        if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(part, int) and not isinstance(current, list):
            continue  # a single item given where a list is accepted
        elif isinstance(current, dict) and isinstance(part, str) and current.get("kind") == part:
            continue  # discriminated-union tag
        else:
            out.append(part)
            current = None
    return tuple(out)


def located_error(located: LocatedData, path: str, loc: tuple[Any, ...], problem: str) -> RuleFileError:
    """A RuleFileError for a problem found after validation, at model location ``loc`` (as the model
    reads it: a single pattern given for a list is item 0), with the line and field as written."""
    written = _as_written(loc, located.data)
    return RuleFileError(problem, path=path, line=located.line_of(written),
                         field=".".join(str(p) for p in written))


_M = TypeVar("_M", bound=BaseModel)


def read_yaml_model(path: Path, model: type[_M], what: str, *, context: dict[str, Any] | None = None) -> _M:
    """``model`` validated from the YAML file at ``path``; every problem (unreadable, not UTF-8,
    bad YAML, not a mapping, invalid) is a RuleFileError naming the file, and the line and field
    where there is one. ``what`` names the file in the messages ("rule file"); ``context`` is
    passed to the model's validators (the legal-bases registry a rule file is checked against)."""
    return read_yaml_model_located(path, model, what, context=context)[0]


def read_yaml_model_located(
    path: Path, model: type[_M], what: str, *, context: dict[str, Any] | None = None
) -> tuple[_M, LocatedData]:
    """:func:`read_yaml_model`, and where each key was (for checks made after validation)."""
    label = str(path)
    text = read_yaml_text(path, lambda problem: RuleFileError(problem, path=label), what)
    located = read_yaml(text, lambda problem, line: RuleFileError(problem, path=label, line=line))
    if not isinstance(located.data, dict):
        raise RuleFileError(f"a {what} must be a mapping", path=label, line=1)
    try:
        return model.model_validate(located.data, context=context), located
    except ValidationError as exc:
        msg, line, dotted = first_validation_problem(exc, located)
        raise RuleFileError(msg, path=label, line=line, field=dotted) from None


