"""Result tables out: a batch's obligations, gaps, event accounts and failures, typed.

:func:`result_tables` reads batch items (or reports, or ``(timeline,
report)`` pairs) once and returns four pandas DataFrames with typed columns;
:func:`write_result_tables` writes them as Parquet (typed) or CSV (text).
The columns are documented one by one in ``docs/tables.md``:

- instants are ``datetime64[us, Europe/Oslo]`` (time-zone aware; in Parquet
  ``TIMESTAMP`` adjusted to UTC, which DuckDB reads as ``TIMESTAMPTZ``), a
  missing one ``NaT``;
- statuses, kinds, states, actors and modalities are ``category`` (status
  with every :class:`~samarbeid_rules.Status` as a category, ordered best
  first, so a status that does not occur still shows in a count);
- lengths are ``timedelta64[us]`` (in Parquet an Arrow ``duration``, stored
  as INT64 microseconds);
- counts that may be missing are nullable ``Int64``; id lists are lists of
  strings.

In CSV, instants are ISO 8601 with their offset, lengths ISO 8601 durations
(``PT1H30M``, as in the report JSON), lists ``;``-joined. Like the reports,
the tables carry ids, statuses and instants, never event payloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from .._inputs.tables import EVENT_COLUMNS
from .._inputs.timeline import Timeline
from .._pipeline.report import SEVERITY, Report, Status
from .ci import no_report_error

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EVENT_ACCOUNT_COLUMNS", "FAILURE_COLUMNS", "GAP_COLUMNS", "OBLIGATION_COLUMNS", "ResultTables",
           "event_tables", "result_tables", "write_result_tables"]

_TZ = "Europe/Oslo"
_EXTRA = "samarbeid-rules[analysis]"

#: column: dtype kind ("str", "cat:<name>", "bool", "int", "Int64", "instant", "length", "list")
OBLIGATION_COLUMNS: dict[str, str] = {
    "case_id": "str", "location": "str", "prison_id": "str", "person_id": "str", "as_of": "instant",
    "obligation_id": "str", "duty_id": "str", "part": "str", "title": "str", "actor": "cat:actor",
    "modality": "cat:modality", "status": "cat:status", "breach": "bool", "opens": "instant", "due": "instant",
    "due_lenient": "instant", "closes": "instant", "lateness": "length", "next_due": "instant",
    "trigger_event_ids": "list", "fulfilled_by": "list", "fulfilments": "int", "gaps": "int",
    "breached_gaps": "int", "citation": "str", "rule_file": "str", "rule_set": "str", "rule_set_version": "str",
    "engine": "str",
}
GAP_COLUMNS: dict[str, str] = {
    "case_id": "str", "prison_id": "str", "obligation_id": "str", "duty_id": "str", "kind": "cat:kind",
    "start": "instant", "end": "instant", "length": "length", "status": "cat:status", "ongoing": "bool",
    "looks": "Int64", "required": "Int64", "required_lenient": "Int64", "minutes": "Int64",
    "required_minutes": "Int64",
}
EVENT_ACCOUNT_COLUMNS: dict[str, str] = {
    "case_id": "str", "index": "int", "event_id": "str", "type": "str", "state": "cat:state",
    "obligations": "list", "roles": "list", "reason": "str",
}
FAILURE_COLUMNS: dict[str, str] = {"location": "str", "case_id": "str", "error": "str"}

_CATEGORIES: dict[str, list[str]] = {
    "status": [s.value for s in SEVERITY] + [s.value for s in Status if s not in SEVERITY],
    "kind": ["daytime", "around_the_clock", "night", "uncovered", "day", "dogn"],
    "state": ["used", "unused", "after_as_of"],
    "modality": ["skal", "bør", "vurdere", "forbud"],
    "actor": [],  # whatever the rule files name, sorted
}
_DURATION = TypeAdapter(timedelta)


@dataclass(frozen=True)
class ResultTables:
    """The four tables of a batch: ``obligations``, ``gaps``, ``events`` (accounts) and ``failures``."""

    obligations: pd.DataFrame
    gaps: pd.DataFrame
    events: pd.DataFrame
    failures: pd.DataFrame

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        return [("obligations", self.obligations), ("gaps", self.gaps), ("events", self.events),
                ("failures", self.failures)]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(f"pandas is needed for result tables; install the analysis extra: pip install '{_EXTRA}'") from None
    return pd


def _split(item: object) -> tuple[str | None, Report | None, str | None, str | None]:
    """(location, report, error, case_id) of a batch item, a report or a (timeline, report) pair."""
    if isinstance(item, Report):
        return None, item, None, item.case_id
    if isinstance(item, tuple) and item and isinstance(item[-1], Report):
        return None, item[-1], None, item[-1].case_id
    if hasattr(item, "report") and hasattr(item, "error"):
        report = item.report
        if report is None and item.error is None:
            raise no_report_error(item)  # evaluated, but its run shipped no report: not a failure
        return getattr(item, "location", None), report, item.error, getattr(item, "case_id", None)
    raise TypeError(f"expected a batch item, a Report or a (timeline, report) pair, got {type(item).__name__}")


def _citation(o: Any) -> str:
    c = o.citation
    text = f"{c.document} §{c.section}"
    return f"{text}; {c.statute}" if getattr(c, "statute", None) else text


def _rows(items: Iterable[object]) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    obligations: list[dict] = []
    gaps: list[dict] = []
    events: list[dict] = []
    failures: list[dict] = []
    for item in items:
        location, report, error, case_id = _split(item)
        if report is None:
            failures.append({"location": location, "case_id": case_id, "error": error})
            continue
        for o in report.obligations:
            w = o.window
            obligations.append({
                "case_id": report.case_id, "location": location, "prison_id": report.prison_id,
                "person_id": report.person_id, "as_of": report.as_of, "obligation_id": o.id,
                "duty_id": o.duty_id, "part": o.part, "title": o.title, "actor": o.actor, "modality": o.modality,
                "status": o.status.value, "breach": o.breach, "opens": w.opens, "due": w.due,
                "due_lenient": w.due_lenient, "closes": w.closes, "lateness": o.lateness, "next_due": o.next_due,
                "trigger_event_ids": list(o.trigger_event_ids), "fulfilled_by": list(o.fulfilled_by),
                "fulfilments": len(o.fulfilled_by), "gaps": len(o.gaps),
                "breached_gaps": sum(g.status.is_breach for g in o.gaps), "citation": _citation(o),
                "rule_file": o.rule_file, "rule_set": o.rule_set, "rule_set_version": o.rule_set_version,
                "engine": report.engine,
            })
            for g in o.gaps:
                gaps.append({
                    "case_id": report.case_id, "prison_id": report.prison_id, "obligation_id": o.id,
                    "duty_id": o.duty_id, "kind": g.kind, "start": g.start, "end": g.end, "length": g.length,
                    "status": g.status.value, "ongoing": g.ongoing, "looks": g.looks, "required": g.required,
                    "required_lenient": g.required_lenient, "minutes": g.minutes,
                    "required_minutes": g.required_minutes,
                })
        for ev in report.events:
            events.append({
                "case_id": report.case_id, "index": ev.index, "event_id": ev.event_id, "type": ev.type,
                "state": ev.state, "obligations": [u.obligation for u in ev.used_by],
                "roles": [u.role for u in ev.used_by], "reason": ev.reason,
            })
    return obligations, gaps, events, failures


def _typed(pd: Any, rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    for col, kind in columns.items():
        if kind == "instant":
            df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert(_TZ).astype(f"datetime64[us, {_TZ}]")
        elif kind == "length":
            df[col] = pd.to_timedelta(df[col]).astype("timedelta64[us]")
        elif kind.startswith("cat:"):
            name = kind[4:]
            cats = _CATEGORIES[name] or sorted({v for v in df[col] if isinstance(v, str)})
            extra = sorted({v for v in df[col] if isinstance(v, str)} - set(cats))
            df[col] = pd.Categorical(df[col], categories=cats + extra, ordered=name == "status")
        elif kind == "bool":
            df[col] = df[col].astype(bool)
        elif kind == "int":
            df[col] = df[col].astype("int64")
        elif kind == "Int64":
            df[col] = df[col].astype("Int64")
        elif kind == "str":
            df[col] = df[col].astype("string")
        elif kind == "list":
            df[col] = df[col].astype(object)
    return df


def result_tables(items: Iterable[object]) -> ResultTables:
    """The typed tables of ``items`` (batch items, reports or ``(timeline, report)`` pairs), read once.

    A batch item whose timeline could not be judged is a row of
    ``failures`` (its location, case id and located message), never left out.
    """
    pd = _pandas()
    ob, gp, ev, fl = _rows(items)
    return ResultTables(
        obligations=_typed(pd, ob, OBLIGATION_COLUMNS),
        gaps=_typed(pd, gp, GAP_COLUMNS),
        events=_typed(pd, ev, EVENT_ACCOUNT_COLUMNS),
        failures=_typed(pd, fl, FAILURE_COLUMNS),
    )


def _as_text(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    for col, kind in columns.items():
        if kind == "instant":
            out[col] = [None if v is None or v != v else v.isoformat() for v in df[col].dt.to_pydatetime()]
        elif kind == "length":
            out[col] = [None if v != v else _DURATION.dump_python(v.to_pytimedelta(), mode="json") for v in df[col]]
        elif kind == "list":
            out[col] = [";".join(v) for v in df[col]]
    return out


def write_result_tables(items: Iterable[object] | ResultTables, directory: str | Path, *,
                        format: str = "parquet") -> dict[str, Path]:
    """Write ``obligations``, ``gaps``, ``events`` and ``failures`` into ``directory`` (created if needed).

    ``format`` is ``"parquet"`` (typed, needs pyarrow) or ``"csv"`` (text,
    see the module docstring). Returns each table's path.
    """
    if format not in ("parquet", "csv"):
        raise ValueError("format must be 'parquet' or 'csv'")
    tables = items if isinstance(items, ResultTables) else result_tables(items)
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = {"obligations": OBLIGATION_COLUMNS, "gaps": GAP_COLUMNS, "events": EVENT_ACCOUNT_COLUMNS,
               "failures": FAILURE_COLUMNS}
    paths: dict[str, Path] = {}
    for name, df in tables.items():
        path = out_dir / f"{name}.{format}"
        if format == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ImportError(f"pyarrow is needed to write Parquet; install the analysis extra: "
                                  f"pip install '{_EXTRA}'") from None
            df.to_parquet(path, index=False)
        else:
            _as_text(df, columns[name]).to_csv(path, index=False)
        paths[name] = path
    return paths


def event_tables(timelines: Iterable[Timeline]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(events, persons)`` DataFrames of timelines, in the layout :func:`timelines_from_tables` reads.

    ``at`` is a time-zone-aware ``datetime64`` column in Europe/Oslo; other
    instants are aware ``datetime`` objects, dates ``datetime.date``, enums
    their string values; a field a type does not have is empty (``None``).
    Reading the two tables back gives the same timelines. For synthetic or
    test data: these tables hold the person's birth date.
    """
    pd = _pandas()
    events: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []
    used: set[str] = set()
    for tl in timelines:
        persons.append({"case_id": tl.case_id, "prison_id": tl.prison_id, "person_id": tl.person.id,
                        "birth_date": tl.person.birth_date})
        for ev in tl.events:
            row = {"case_id": tl.case_id, **ev.model_dump(mode="python", exclude_none=True)}
            for k, v in row.items():
                if isinstance(v, Enum):
                    row[k] = v.value
                elif isinstance(v, list):
                    row[k] = [x.value if isinstance(x, Enum) else x for x in v]
            used.update(row)
            events.append(row)
    columns = [c for c in EVENT_COLUMNS if c in used]
    ev_df = pd.DataFrame(events, columns=columns).astype(object)
    ev_df = ev_df.where(ev_df.notna(), None)
    ev_df["at"] = pd.to_datetime(ev_df["at"], utc=True).dt.tz_convert(_TZ) if len(ev_df) else ev_df["at"]
    return ev_df, pd.DataFrame(persons, columns=["case_id", "prison_id", "person_id", "birth_date"])
