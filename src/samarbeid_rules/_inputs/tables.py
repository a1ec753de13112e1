"""Event tables in: an event log and a table of persons become timelines.

The **events** table has one row per event: ``case_id``, ``type``, ``at``,
optionally ``id``, and the type's fields as columns (a column per field name
over all event types; a row leaves empty the fields its type does not have).
The **persons** table has one row per case: ``case_id``, ``person_id``,
``birth_date`` and optionally ``prison_id``. Either may be a CSV file, a
Parquet file, a pandas or Polars DataFrame, a pyarrow Table or a list of
mappings (records).

Rules (``docs/tables.md``):

- An empty cell (``""`` in CSV, null / NaN / NaT in a typed table) means
  *unset*, and is allowed only for an optional field; a required field left
  empty is an error naming the row and the column.
- A column that is no field of any event type is an error; a value in a
  column that is not a field of that row's type is an error. Nothing is
  dropped.
- Instants with a UTC offset (or a time-zone-aware timestamp column) are
  taken as they are. Local times without an offset need ``tz=`` and follow
  ``ambiguous=`` / ``nonexistent=`` for the daylight-saving hours
  (:func:`~samarbeid_rules._common.localtime.localize`; an error by default).
- Without an ``id`` column each event gets the id ``row-N`` (its data row);
  ``responds_to`` then cannot name another event, so give ids when a type
  needs it.
- A list field (``consent_given.recipients``) is a list in a typed table, or
  values separated by ``;`` in a CSV cell.

Every problem is a :class:`~samarbeid_rules.TableError` naming the table, the
row (1-based, header not counted; for CSV also the line) and the column,
never the value. Rows keep their order within a case; timelines come in the
order of the persons table.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .._common.errors import TableError, TimelineError
from .._common.wording import did_you_mean, first_error, plain_problem
from .._common.localtime import LocalTimeError, Policy, localize, time_zone
from .events import EVENT_TYPES, Event
from .timeline import Timeline, shown_id, validate_timeline

__all__ = ["EVENT_COLUMNS", "PERSON_COLUMNS", "read_rows", "timelines_from_tables"]

#: columns of the persons table (``prison_id`` may be left out)
PERSON_COLUMNS = ("case_id", "prison_id", "person_id", "birth_date")
_PERSON_REQUIRED = ("case_id", "person_id", "birth_date")

_EVENT_ADAPTER = TypeAdapter(Event)
_EMPTY = object()


def _kinds() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[tuple[str, str], str]]:
    """Per event type: its fields, its required fields, and what kind of value each field holds."""
    fields: dict[str, set[str]] = {}
    required: dict[str, set[str]] = {}
    kinds: dict[tuple[str, str], str] = {}
    for t, cls in EVENT_TYPES.items():
        fields[t] = set(cls.model_fields) - {"type"}
        required[t] = {n for n, f in cls.model_fields.items() if f.is_required() and n != "type"}
        for n, f in cls.model_fields.items():
            text = str(f.annotation)
            if "AwareDatetime" in text:
                kinds[(t, n)] = "instant"
            elif "datetime.date" in text:
                kinds[(t, n)] = "date"
            elif "bool" in text:
                kinds[(t, n)] = "bool"
            elif text.startswith("list["):
                kinds[(t, n)] = "list"
    return fields, required, kinds


_FIELDS, _REQUIRED, _KIND = _kinds()
#: every column an events table may have
EVENT_COLUMNS: tuple[str, ...] = ("case_id", "type", "id", "at", *sorted(set().union(*_FIELDS.values()) - {"id", "at"}))


@dataclass(frozen=True)
class _Rows:
    label: str
    columns: tuple[str, ...]
    rows: Iterator[tuple[int, int | None, dict[str, Any]]]  # (row, line or None, cells)
    from_text: bool  # every cell is a string (CSV)


# --- reading any table ------------------------------------------------------


def read_rows(table: Any, label: str) -> _Rows:
    """The columns and rows of ``table`` (a path, a DataFrame, a pyarrow Table or records)."""
    if isinstance(table, (str, Path)):
        path = Path(table)
        name = str(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return _csv_rows(path, name)
        if suffix in (".parquet", ".pq"):
            return _parquet_rows(path, name)
        raise TableError("unknown table format (expected a .csv or .parquet file)", source=name)
    module = type(table).__module__.split(".")[0]
    if module == "pandas":
        columns = tuple(str(c) for c in table.columns)
        _check_header(columns, label)
        records = table.to_dict("records")
        return _Rows(label, columns, ((i, None, r) for i, r in enumerate(records, 1)), False)
    if module == "polars":
        columns = tuple(table.columns)
        _check_header(columns, label)
        return _Rows(label, columns, ((i, None, r) for i, r in enumerate(table.iter_rows(named=True), 1)), False)
    if module == "pyarrow":
        columns = tuple(table.column_names)
        _check_header(columns, label)
        return _Rows(label, columns, ((i, None, r) for i, r in enumerate(table.to_pylist(), 1)), False)
    if isinstance(table, Iterable) and not isinstance(table, (Mapping, bytes)):
        records = list(table)
        columns: tuple[str, ...] = ()
        seen: dict[str, None] = {}
        for i, r in enumerate(records, 1):
            if not isinstance(r, Mapping):
                raise TableError("a record must be a mapping of column to value", source=label, row=i)
            seen.update(dict.fromkeys(str(k) for k in r))
        columns = tuple(seen)
        return _Rows(label, columns, ((i, None, dict(r)) for i, r in enumerate(records, 1)), False)
    raise TableError(f"not a table (got {type(table).__name__}): expected a CSV or Parquet path, a pandas or "
                     "Polars DataFrame, a pyarrow Table or a list of records", source=label)


def _check_header(columns: tuple[str, ...], label: str) -> None:
    seen: set[str] = set()
    for c in columns:
        if c in seen:
            raise TableError("column appears twice in the header", source=label, column=c)
        seen.add(c)


def _csv_rows(path: Path, label: str) -> _Rows:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise TableError(f"cannot read file ({reason})", source=label) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = tuple(next(reader))
    except StopIteration:
        raise TableError("the file is empty (no header row)", source=label, line=1) from None
    except csv.Error as exc:
        raise TableError(f"not valid CSV ({exc})", source=label, line=1) from None
    _check_header(header, label)

    def rows() -> Iterator[tuple[int, int | None, dict[str, Any]]]:
        end = reader.line_num
        n = 0
        while True:
            start = end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(f"not valid CSV ({exc})", source=label, row=n + 1, line=start) from None
            end = reader.line_num
            if not cells:
                continue  # a blank line holds no row
            n += 1
            if len(cells) != len(header):
                raise TableError(f"row has {len(cells)} cells, the header {len(header)}", source=label,
                                 row=n, line=start)
            yield n, start, dict(zip(header, cells))

    return _Rows(label, header, rows(), True)


def _parquet_rows(path: Path, label: str) -> _Rows:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("pyarrow is needed to read Parquet; install the analysis extra: "
                          "pip install 'samarbeid-rules[analysis]'") from None
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise TableError(f"cannot read Parquet file ({type(exc).__name__})", source=label) from None
    columns = tuple(table.column_names)
    _check_header(columns, label)
    return _Rows(label, columns, ((i, None, r) for i, r in enumerate(table.to_pylist(), 1)), False)


# --- cells ------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A cell as plain Python, or _EMPTY for an empty one (None, "", NaN, NaT, NA)."""
    if value is None:
        return _EMPTY
    if isinstance(value, str):
        return _EMPTY if value == "" else value
    if isinstance(value, float) and math.isnan(value):
        return _EMPTY
    module = type(value).__module__.split(".")[0]
    if module in ("pandas", "numpy"):
        try:
            import pandas as pd

            if value is pd.NaT or value is pd.NA:
                return _EMPTY
            if isinstance(value, pd.Timestamp):
                return value.to_pydatetime(warn=False)
            if isinstance(value, pd.Timedelta):
                return value.to_pytimedelta()
        except ImportError:  # numpy without pandas
            pass
        if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
            value = value.item()
            if isinstance(value, float) and math.isnan(value):
                return _EMPTY
        elif hasattr(value, "tolist"):
            value = value.tolist()
    return value


@dataclass(frozen=True)
class _Time:
    tz: tzinfo | None
    ambiguous: Policy
    nonexistent: Policy


def _instant(value: Any, time: _Time, where: dict[str, Any]) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise TableError("not an ISO 8601 date-time", **where) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise TableError("a date where a date-time (instant) is needed", **where)
    if not isinstance(value, datetime):
        raise TableError(f"expected a date-time, got {type(value).__name__}", **where)
    if value.tzinfo is None or value.utcoffset() is None:
        if time.tz is None:
            raise TableError("local time without a UTC offset: pass tz= (e.g. 'Europe/Oslo') to say "
                             "which time zone the table's local times are in", **where)
        try:
            value = localize(value, time.tz, ambiguous=time.ambiguous, nonexistent=time.nonexistent)
        except LocalTimeError as exc:
            raise TableError(str(exc), **where) from None
    # A fixed offset, as in a timeline file: a zone's datetime in a repeated
    # hour never compares equal to one of another zone (PEP 495).
    return value.astimezone(timezone(value.utcoffset()))


def _day(value: Any, where: dict[str, Any]) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date()
        raise TableError("a date-time where a date is needed", **where)
    return value


def _boolean(value: Any, from_text: bool, where: dict[str, Any]) -> Any:
    if isinstance(value, bool):
        return value
    if from_text and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TableError("expected true or false", **where)


# --- the tables -------------------------------------------------------------


def _event_of(cells: dict[str, Any], row: int, line: int | None, rows: _Rows, time: _Time,
              has_id: bool) -> tuple[str, dict[str, Any]]:
    where = {"source": rows.label, "row": row, "line": line}
    case_id = _cell(cells.get("case_id"))
    if case_id is _EMPTY:
        raise TableError("required field is empty", column="case_id", **where)
    if not isinstance(case_id, str):
        raise TableError("case_id must be text", column="case_id", **where)
    where["case_id"] = shown_id(case_id)  # a case id that is not a valid id is not shown
    type_ = _cell(cells.get("type"))
    if type_ is _EMPTY:
        raise TableError("required field is empty", column="type", **where)
    if type_ not in EVENT_TYPES:
        raise TableError(f"unknown event type{did_you_mean(type_, EVENT_TYPES)} (see samarbeid_rules.events.EVENT_TYPES)",
                         column="type", **where)
    fields = _FIELDS[type_]
    event: dict[str, Any] = {"type": type_}
    for column, raw in cells.items():
        if column in ("case_id", "type"):
            continue
        value = _cell(raw)
        at = {**where, "column": column}
        if value is _EMPTY:
            if column in _REQUIRED[type_]:
                raise TableError(f"required field of {type_} is empty", **at)
            continue
        if column not in fields:
            raise TableError(f"not a field of event type {type_} (leave it empty on this row)", **at)
        kind = _KIND.get((type_, column))
        if kind == "instant":
            value = _instant(value, time, at)
        elif kind == "date":
            value = _day(value, at)
        elif kind == "bool":
            value = _boolean(value, rows.from_text, at)
        elif kind == "list" and isinstance(value, str):
            value = [v.strip() for v in value.split(";")]
        event[column] = value
    if not has_id:
        event["id"] = f"row-{row}"
    for name in sorted(_REQUIRED[type_] - set(event)):
        raise TableError(f"required field of {type_} has no column", **{**where, "column": name})
    try:
        _EVENT_ADAPTER.validate_python(event)
    except ValidationError as exc:
        err = first_error(exc)
        loc = [p for p in err["loc"] if p != type_]
        column = str(loc[0]) if loc else None
        msg = "unknown field" if err["type"] == "extra_forbidden" else plain_problem(err)
        raise TableError(msg, **{**where, "column": column}) from None
    return case_id, event


def timelines_from_tables(
    events: Any,
    persons: Any,
    *,
    tz: str | tzinfo | None = None,
    ambiguous: Policy = "raise",
    nonexistent: Policy = "raise",
) -> list[Timeline]:
    """The timelines of an event table and a persons table (module docstring); every problem a TableError."""
    zone = time_zone(tz) if tz is not None else None
    time = _Time(zone, ambiguous, nonexistent)
    localize(datetime(2000, 1, 1), "UTC", ambiguous=ambiguous, nonexistent=nonexistent)  # checks the policies
    person_rows = read_rows(persons, "<persons>")
    people = _persons(person_rows)
    ev_rows = read_rows(events, "<events>")
    unknown = [c for c in ev_rows.columns if c not in EVENT_COLUMNS]
    if unknown:
        raise TableError("unknown column: no event type has this field", source=ev_rows.label, column=unknown[0])
    for needed in ("case_id", "type", "at"):
        if needed not in ev_rows.columns:
            raise TableError("required column is missing", source=ev_rows.label, column=needed)
    has_id = "id" in ev_rows.columns
    by_case: dict[str, list[tuple[int, int | None, dict[str, Any]]]] = {}
    for row, line, cells in ev_rows.rows:
        case_id, event = _event_of(cells, row, line, ev_rows, time, has_id)
        if case_id not in people:
            raise TableError("no row in the persons table for this case", source=ev_rows.label, row=row,
                             line=line, column="case_id", case_id=shown_id(case_id))
        by_case.setdefault(case_id, []).append((row, line, event))
    out = []
    for case_id, (prison_id, person, p_row, p_line) in people.items():
        items = by_case.get(case_id, [])
        data = {"case_id": case_id, "prison_id": prison_id, "person": person, "events": [e for _, _, e in items]}
        try:
            out.append(validate_timeline(data, source=ev_rows.label))
        except TimelineError as exc:
            if exc.index is not None and 0 <= exc.index < len(items):
                row, line, _ = items[exc.index]
                raise TableError(exc.problem, source=ev_rows.label, row=row, line=line,
                                 column=(exc.field or "").split(".")[0] or None, case_id=shown_id(case_id)) from None
            raise TableError(exc.problem, source=person_rows.label, row=p_row, line=p_line,
                             column=_person_column(exc.field), case_id=shown_id(case_id)) from None
    return out


def _person_column(field: str | None) -> str | None:
    if not field:
        return None
    return {"person.id": "person_id", "person.birth_date": "birth_date"}.get(field, field)


def _persons(rows: _Rows) -> dict[str, tuple[str | None, dict[str, Any], int, int | None]]:
    unknown = [c for c in rows.columns if c not in PERSON_COLUMNS]
    if unknown:
        raise TableError(f"unknown column (the persons table has {', '.join(PERSON_COLUMNS)})",
                         source=rows.label, column=unknown[0])
    for needed in _PERSON_REQUIRED:
        if needed not in rows.columns:
            raise TableError("required column is missing", source=rows.label, column=needed)
    people: dict[str, tuple[str | None, dict[str, Any], int, int | None]] = {}
    first: dict[str, int] = {}
    for row, line, cells in rows.rows:
        where = {"source": rows.label, "row": row, "line": line}
        values = {c: _cell(cells.get(c)) for c in PERSON_COLUMNS}
        for c in _PERSON_REQUIRED:
            if values[c] is _EMPTY:
                raise TableError("required field is empty", column=c, **where)
        case_id = values["case_id"]
        if not isinstance(case_id, str):
            raise TableError("case_id must be text", column="case_id", **where)
        if case_id in people:
            raise TableError(f"case appears twice (first at row {first[case_id]})", column="case_id",
                             case_id=shown_id(case_id), **where)
        first[case_id] = row
        prison = None if values["prison_id"] is _EMPTY else values["prison_id"]
        birth = _day(values["birth_date"], {**where, "column": "birth_date"})
        people[case_id] = (prison, {"id": values["person_id"], "birth_date": birth}, row, line)
    return people
