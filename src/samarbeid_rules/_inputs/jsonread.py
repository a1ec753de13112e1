"""Reading a JSON input (a file, a JSON text, or parsed data) with errors that name it.

Shared by the timeline and institution loaders (and the batch reader): each
passes its own error class (all take ``source=``), so a bad file or bad JSON is
reported the same way whichever kind of input it is.

What a source is, explicitly (docs/timeline-format.md#loading):

- a :class:`pathlib.Path` (any ``os.PathLike``) is a **file**. It must be a
  regular file (a FIFO, a device such as ``/dev/zero``, a directory is refused
  before anything is read) of at most :data:`MAX_BYTES`;
- ``bytes`` and ``str`` are **JSON text**. A ``str`` is never taken as a path
  because of what it looks like: the one exception, kept for compatibility, is a
  ``str`` that is not JSON text and is the name of an existing regular file,
  which is read as that file (with a :class:`DeprecationWarning`: pass a
  ``Path``). A ``str`` that is neither is reported as JSON that does not parse,
  and the text itself is never put in the message;
- a mapping is already parsed data.

JSON is read strictly (RFC 8259): UTF-8 only (a leading byte-order mark is
ignored, as the RFC allows); a key given twice in one object is an error
naming the key (when it is a field name) and where it is; ``NaN``,
``Infinity`` and numbers too large for a float are refused; an integer of more
than 4 300 digits is refused.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import warnings
from collections.abc import Callable, Collection, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

import jiter

from .._common.errors import SamarbeidError

__all__ = ["MAX_BYTES", "deprecated_path_warning", "parse_json", "parse_json_shallow", "parse_records_quickly", "read_bytes", "read_file",
           "read_source", "str_names_file"]

#: the largest JSON input read (a file, a text, a JSON Lines line): 64 MiB. A
#: timeline of the largest accepted size (MAX_EVENTS events) is about 15 MiB.
MAX_BYTES = 64 * 1024 * 1024
_MAX_PATH = 4096


def _limit_text(n: int, limit: int = MAX_BYTES) -> str:
    return f"input is larger than the limit of {limit // 1024} KiB ({n} bytes or more)"


def read_bytes(path: Path, label: str, error: type[SamarbeidError], *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit``; every failure an ``error`` naming ``label``."""
    return read_file(path, lambda problem: error(problem, source=label), limit=limit)


def read_file(path: Path, fail: Callable[[str], Exception], *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit``; ``fail(problem)`` builds each error.

    A path that is not a regular file (a FIFO, a device, a socket, a directory)
    is refused before it is opened, so reading it cannot block or run forever.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise fail(f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    except ValueError:  # a NUL in the path
        raise fail("cannot read file (the path contains a NUL character)") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail("cannot read file (it is a directory)")
    if not stat.S_ISREG(st.st_mode):
        raise fail("cannot read file (not a regular file: a FIFO, device or socket is not read)")
    if st.st_size > limit:
        raise fail(_limit_text(st.st_size, limit))
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, opening it does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise fail(f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise fail("cannot read file (not a regular file)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise fail(f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise fail(_limit_text(len(data), limit))
    return data


def _existing_file(text: str) -> bool:
    """A ``str`` that names an existing regular file (the deprecated path form)."""
    if not text or len(text) > _MAX_PATH or "\n" in text or "\x00" in text:
        return False
    try:
        return stat.S_ISREG(os.stat(text).st_mode)
    except (OSError, ValueError):
        return False


def _is_json_text(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


_PACKAGE = str(Path(__file__).resolve().parents[1])


def str_names_file(text: str) -> bool:
    """The deprecated form: a ``str`` that is not JSON text and names an existing regular file."""
    return not text.lstrip().startswith(("{", "[", "\ufeff")) and not _is_json_text(text) and _existing_file(text)


def deprecated_path_warning() -> None:
    warnings.warn(
        "a str is read as JSON text; pass a pathlib.Path to read a file "
        "(a str naming an existing file is still read as that file, for now)",
        DeprecationWarning,
        stacklevel=_caller_level(),
    )


def _caller_level() -> int:
    """The stack level of the first frame outside this package (where the warning belongs)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def read_source(
    source: Any, name: str | None, error: type[SamarbeidError]
) -> tuple[str | bytes | Mapping[str, Any], str]:
    """The JSON text (or the already parsed data) of ``source``, and the label errors name it by.

    See the module docstring for what each kind of ``source`` means.
    """
    if isinstance(source, os.PathLike):
        path = Path(source)
        label = name or str(path)
        return read_bytes(path, label, error), label
    if isinstance(source, str):
        if str_names_file(source):
            warnings.warn(
                "a str is read as JSON text; pass a pathlib.Path to read a file "
                "(a str naming an existing file is still read as that file, for now)",
                DeprecationWarning,
                stacklevel=_caller_level(),
            )
            path = Path(source)
            label = name or str(path)
            return read_bytes(path, label, error), label
        label = name or "<input>"
        if len(source) > MAX_BYTES:
            raise error(_limit_text(len(source)), source=label)
        return source, label
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "<input>"
        data = bytes(source)
        if len(data) > MAX_BYTES:
            raise error(_limit_text(len(data)), source=label)
        return data, label
    if isinstance(source, Mapping):
        return source, name or "<input>"
    raise error(
        f"not a source: give a pathlib.Path (a file), a JSON text (str or bytes) or a mapping, "
        f"not {type(source).__name__}",
        source=name or "<input>",
    )


class _Refused(ValueError):
    """A JSON construct the strict reader refuses (its message names no value)."""


class _Duplicate(Exception):
    def __init__(self, key: str, where: list[Any]) -> None:
        self.key, self.where = key, where


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused("a number is too large for a double-precision float")
    return value


_INT_DIGITS = 4300


def _int(text: str) -> int:
    if len(text) > _INT_DIGITS:
        raise _Refused(f"an integer has more than {_INT_DIGITS} digits")
    return int(text)


def _decoded(text: str | bytes, label: str, error: type[SamarbeidError]) -> str:
    if isinstance(text, str):
        return text[1:] if text.startswith("\ufeff") else text
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not valid UTF-8 (at byte {exc.start}); JSON must be UTF-8", source=label) from None


def parse_json(
    text: str | bytes, label: str, error: type[SamarbeidError], *, field_names: Collection[str] = (),
    list_key: str | None = None,
) -> Any:
    """``text`` parsed strictly (see the module docstring), every failure an ``error`` naming ``label``.

    A duplicated key is named only if it is one of ``field_names`` (a key that is not a field
    name may itself be personal data); its place is named as ``events[3]`` or ``person``.
    """
    return _parse_strictly(_checked_text(text, label, error), label, error, field_names, list_key)


def parse_json_shallow(
    text: str | bytes, label: str, error: type[SamarbeidError], *, depth: int,
    field_names: Collection[str] = (), list_key: str | None = None,
) -> tuple[Any, bool]:
    """:func:`parse_json`, and whether the data is known to nest no deeper than ``depth``
    (the values of the top-level object at depth 1); False: not known, walk it to see.

    It is known for a record file shaped like a timeline: an object whose values are
    scalars, objects or lists, and whose objects (its own values, or the items of its lists)
    hold no object in turn. Such a file is read in one pass of the C parser, each object
    first as its pairs (so a key given twice is seen: the object has fewer keys than pairs).
    Anything else, and every failure, is read by :func:`parse_json`, which gives the same
    data and the same errors.
    """
    s = _checked_text(text, label, error)
    try:
        top = json.loads(s, object_pairs_hook=tuple, parse_constant=_refuse_constant,
                         parse_float=_float, parse_int=_int)
    except Exception:  # whatever it is, parse_json reports it (and the same way as ever)
        top = None
    if type(top) is tuple:
        data = _records(top, s, depth)
        if data is not None:
            return data, True
    return _parse_strictly(s, label, error, field_names, list_key), False


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
#: the depth of a record file: its lists' items (records) at 2, their fields at 3, a field's list items at 4
_RECORDS_DEPTH = 4


def _records(top: tuple[tuple[str, Any], ...], s: str, depth: int) -> dict[str, Any] | None:
    """The data of ``top`` (each object parsed as a tuple of its pairs) as dicts, if no key is
    given twice and it is a record file (see parse_json_shallow) nesting no deeper than
    ``depth``; else None. ``s`` is the text it was parsed from."""
    data = dict(top)
    if len(data) != len(top):
        return None  # a duplicate key
    objects: list[dict[str, Any]] = []  # every object below the top
    for key, value in data.items():
        kind = type(value)
        if kind is tuple:
            record = dict(value)
            if len(record) != len(value):
                return None
            data[key] = record
            objects.append(record)
        elif kind is list and value and type(value[0]) is tuple:
            if set(map(type, value)) != {tuple}:
                return None  # objects mixed with other values
            records = list(map(dict, value))
            if sum(map(len, records)) != sum(map(len, value)):
                return None
            data[key] = records
            objects.extend(records)
    return data if _nests_no_deeper(data, objects, s, depth) else None


def _nests_no_deeper(data: dict[str, Any], objects: list[dict[str, Any]], s: str | bytes, depth: int) -> bool:
    """``data`` (parsed from ``s``, ``objects`` every object below its top) is a record file
    (see parse_json_shallow) nesting no deeper than ``depth``."""
    # Each object of the text has its '{' (and a string may hold more): with no more '{'
    # than objects found, none nests deeper, and on a path from the top there are at
    # most the top object, one of those, and lists, each with its '['.
    brace, bracket = ("{", "[") if isinstance(s, str) else (b"{", b"[")
    if s.count(brace) == 1 + len(objects) and 2 + s.count(bracket) <= depth:  # type: ignore[arg-type]
        return True
    if depth < _RECORDS_DEPTH:
        return False
    # Else the values themselves: the top level's scalars, objects (now dicts: the parser
    # makes none), lists of scalars and lists of objects; the objects' scalars and lists of scalars.
    for value in data.values():
        if type(value) is list and not _SCALAR_TYPES.issuperset(map(type, value)) \
                and any(type(v) is not dict for v in value):
            return False
    for value in chain.from_iterable(map(dict.values, objects)):
        kind = type(value)
        if kind not in _SCALAR_TYPES and (kind is not list or not _SCALAR_TYPES.issuperset(map(type, value))):
            return False
    return True


def parse_records_quickly(text: str | bytes, depth: int) -> dict[str, Any] | None:
    """The data of a record file (see :func:`parse_json_shallow`) nesting no deeper than
    ``depth``, read by jiter (in Rust) in one pass; None where it is not known to be one, and
    for every text jiter refuses: then :func:`parse_json_shallow` reads it, and gives its error.

    Every number with a fraction or an exponent comes back as a ``jiter.LosslessFloat``, its
    text unread, which may stand for a number the full reading refuses (out of a double's
    range). So this is for a caller whose strict validation takes no float (a timeline): a
    text with such a number fails that validation and is read again the full way. Data
    holding no LosslessFloat is the data :func:`parse_json` gives: jiter refuses a key given
    twice (``catch_duplicate_keys``), ``NaN`` and ``Infinity``, control characters in strings,
    bytes that are not UTF-8, a lone surrogate escape and an integer of more than 4 300
    digits, as the full reading does (tests/test_jsonread.py holds the two to the same data).
    """
    if isinstance(text, str):
        if text.startswith("\ufeff"):
            return None
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in the str itself
            return None
    else:
        raw = text
    try:
        data = jiter.from_json(raw, allow_inf_nan=False, catch_duplicate_keys=True, float_mode="lossless-float",
                               cache_mode="keys")
    except ValueError:
        return None
    if type(data) is not dict:
        return None
    objects: list[dict[str, Any]] = []
    for value in data.values():
        kind = type(value)
        if kind is dict:
            objects.append(value)
        elif kind is list and value and type(value[0]) is dict:
            if set(map(type, value)) != {dict}:
                return None  # objects mixed with other values
            objects.extend(value)
    return data if _nests_no_deeper(data, objects, raw, depth) else None


def _checked_text(text: str | bytes, label: str, error: type[SamarbeidError]) -> str:
    s = _decoded(text, label, error)
    if len(s) > MAX_BYTES:
        raise error(_limit_text(len(s)), source=label)
    return s


def _parse_strictly(
    s: str, label: str, error: type[SamarbeidError], field_names: Collection[str], list_key: str | None,
) -> Any:
    duplicates: list[tuple[dict[str, Any], str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out and not duplicates:
                duplicates.append((out, key))
            out[key] = value
        return out

    try:
        data = json.loads(s, object_pairs_hook=pairs, parse_constant=_refuse_constant,
                          parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}", source=label, line=exc.lineno, column=exc.colno) from None
    except _Refused as exc:
        raise error(f"not valid JSON: {exc}", source=label) from None
    except RecursionError:
        raise error("input is nested too deeply", source=label) from None
    except ValueError as exc:  # pragma: no cover - every ValueError of json.loads is one of the above
        raise error(f"not valid JSON ({type(exc).__name__})", source=label) from None
    if duplicates:
        holder, key = duplicates[0]
        shown = f"'{key}'" if key in field_names or re.fullmatch(r"[a-z_]{1,40}", key) \
            else "(a key that is not shaped like a field name; not shown)"
        where = _path_to(data, holder)
        raise error(f"duplicate key {shown} in {where or 'the top-level object'} (JSON keys must be unique)",
                    source=label, **_location_kwargs(data, holder, list_key))
    return data


def _path_to(data: Any, target: dict[str, Any]) -> str:
    """A readable path (``events[3]``, ``person``) to the object ``target`` inside ``data`` (iterative)."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if value is target:
            return path
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, (dict, list)):
                    part = k if k.isidentifier() and len(k) <= 40 else "<key>"
                    stack.append((v, f"{path}.{part}" if path else part))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value) if isinstance(v, (dict, list)))
    return ""


def _location_kwargs(data: Any, holder: dict[str, Any], list_key: str | None) -> dict[str, Any]:
    """The index, in ``data[list_key]`` (a timeline's events), of the record that holds the duplicate."""
    records = data.get(list_key) if isinstance(data, dict) and list_key else None
    if isinstance(records, list):
        for i, rec in enumerate(records):
            if rec is holder or (isinstance(rec, (dict, list)) and _path_to(rec, holder)):
                return {"index": i}
    return {}
