"""The audit trail: one append-only record for every report and work list served, and its re-run.

A record holds what the judgement was a function of and what it gave: the
case (or, for a prison's work list, every case and its event count), ``as_of``
and the horizon, the rule set's version and the digest of its files, the
profile's id and digest, the engine, the library's version, the digest of the
events judged, the digest of the result, the token's name, and the server's
clock time (:func:`.clock.wall_clock_now`, the one place the clock is read).
No event, report or payload value is in it: ids, counts and digests only.

:func:`verify` re-runs a record: it reads the events the record judged (the
case's first ``event_count`` events; events are never changed or deleted),
judges them again with this server's rules, profile and engine, and compares
both digests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from pydantic import TypeAdapter

from .._common.version import __version__
from .._pipeline.report import Report
from .._uses.worklist import WorkItem
from .cases import Case, Judge, due_us, item_json, us
from .clock import wall_clock_now
from .digests import canonical_json, digest_bytes, events_digest, profile_digest, rule_set_digest
from .errors import ServiceError
from .store import AuditRow, Store

__all__ = [
    "Auditor", "open_with_audit_id", "prison_worklist_head", "report_digest", "with_audit_id", "worklist_bytes",
    "worklist_digest",
]


def report_digest(report: Report) -> str:
    return digest_bytes(report.to_json())


def worklist_bytes(data: Any) -> bytes:
    """A work list's JSON as served, without its audit id (the key order is the code's, fixed)."""
    return orjson.dumps(data)


def worklist_digest(data: Any) -> str:
    return digest_bytes(worklist_bytes(data))


def with_audit_id(body: bytes, record_id: int) -> bytes:
    """``body`` (a JSON object) with ``"audit_id"`` added last."""
    return open_with_audit_id((memoryview(body)[:-1],), record_id)


def open_with_audit_id(parts: tuple[bytes | memoryview, ...], record_id: int) -> bytes:
    """The JSON object whose text, but for its closing brace, is ``parts`` joined, with
    ``"audit_id"`` added last (one copy of the parts)."""
    return b"".join((*parts, b',"audit_id":', str(record_id).encode(), b"}"))


def prison_worklist_head(prison_id: str, as_of: datetime, horizon: timedelta) -> bytes:
    """The JSON of a prison's work list up to its rows: ``head + rows + b"}"`` is
    ``worklist_bytes(prison_worklist_result(prison_id, as_of, horizon, rows))`` for the rows' JSON
    (as :meth:`.prison.PrisonView.worklist` gives it), and ``open_with_audit_id((head, rows), id)``
    is what is served."""
    empty = worklist_bytes(prison_worklist_result(prison_id, as_of, horizon, []))
    assert empty.endswith(b',"cases":[]}')
    return empty[: -len(b"[]}")]


_DURATION = TypeAdapter(timedelta)


def _iso_duration(td: timedelta) -> str:
    """ISO 8601, as pydantic writes it: P1D, PT1H30M, PT0.5S."""
    return str(_DURATION.dump_python(td, mode="json"))


@dataclass
class Auditor:
    store: Store
    judge: Judge

    def __post_init__(self) -> None:
        rule_set = self.judge.rules.rule_set
        self._fixed = {
            "rule_set": rule_set.citation(),
            "rule_set_digest": rule_set_digest(rule_set),
            "profile": self.judge.profile.citation(),
            "profile_digest": profile_digest(self.judge.profile),
            "engine": self.judge.engine,
            "library_version": __version__,
        }

    @property
    def fixed(self) -> dict[str, str]:
        """What every record of this server shares: rules, profile, engine and library version."""
        return dict(self._fixed)

    def record(self, kind: str, *, prison_id: str, case_id: str | None, as_of: datetime,
               horizon: timedelta | None, event_count: int | None, case_counts: dict[str, int] | None,
               events_digest_: str, result_digest: str, token: str) -> int:
        """Append a record (committed before the judgement is sent); its id."""
        values = {
            "kind": kind,
            "prison_id": prison_id,
            "case_id": case_id,
            "as_of": as_of.isoformat(),
            "as_of_us": us(as_of),
            "horizon": None if horizon is None else _iso_duration(horizon),
            **self._fixed,
            "event_count": event_count,
            "case_counts": None if case_counts is None else canonical_json(case_counts),
            "events_digest": events_digest_,
            "result_digest": result_digest,
            "token": token,
            "served_at": wall_clock_now().isoformat(),
        }
        return self.store.add_audit(values)

    # --- re-running a record ------------------------------------------------------------

    def verify(self, row: AuditRow) -> dict[str, Any]:
        """Re-run the judgement of ``row``; whether its events and its result digest are confirmed."""
        v = row.values
        differs = [k for k in ("rule_set_digest", "profile_digest", "engine") if v[k] != self._fixed[k]]
        if differs:
            raise ServiceError(
                409, "judge_differs",
                "this server judges with other " + ", ".join(differs) + " than the record; re-run it on a server "
                "with the recorded ones",
            )
        if v["kind"] == "evaluation":
            raise ServiceError(
                409, "not_rerunnable", "a stateless evaluation's timeline is not stored; post it again to compare"
            )
        as_of = datetime.fromisoformat(v["as_of"])
        horizon = _parse_horizon(v["horizon"])
        if v["kind"] == "report":
            ev_digest, result = self._rerun_report(v["prison_id"], v["case_id"], v["event_count"], as_of)
        elif v["kind"] == "case_worklist":
            ev_digest, items = self._rerun_worklist(v["prison_id"], v["case_id"], v["event_count"], as_of, horizon)
            result = worklist_digest(case_worklist_result(v["prison_id"], v["case_id"], as_of, horizon, items))
        else:  # prison_worklist
            counts = json.loads(v["case_counts"])
            rows, pairs = [], []
            for case_id in sorted(counts):
                digest, items = self._rerun_worklist(v["prison_id"], case_id, counts[case_id], as_of, horizon)
                pairs.append((case_id, digest))
                if items:
                    rows.append({"case_id": case_id, "items": items})
            rows.sort(key=lambda r: (due_us(r["items"][0]), r["case_id"]))
            ev_digest = events_digest(pairs)
            result = worklist_digest(prison_worklist_result(v["prison_id"], as_of, horizon, rows))
        return {
            "id": row.id,
            "events_confirmed": ev_digest == v["events_digest"],
            "result_confirmed": result == v["result_digest"],
            "confirmed": ev_digest == v["events_digest"] and result == v["result_digest"],
            "recorded_result_digest": v["result_digest"],
            "recomputed_result_digest": result,
        }

    def _events(self, prison_id: str, case_id: str, count: int):
        row = self.store.get_case(prison_id, case_id)
        if row is None:
            raise ServiceError(409, "case_missing", f"case {case_id!r} of the record is not in the store")
        rows = self.store.events_after(prison_id, case_id, 0, count)
        case = Case(prison_id, case_id, row.person_id, row.birth_date)
        mon = self.judge.monitor(case, [json.loads(r.body) for r in rows])
        return mon, events_digest((r.event_id, r.digest) for r in rows)

    def _rerun_report(self, prison_id: str, case_id: str, count: int, as_of: datetime) -> tuple[str, str]:
        mon, digest = self._events(prison_id, case_id, count)
        return digest, report_digest(mon.report(as_of))

    def _rerun_worklist(self, prison_id: str, case_id: str, count: int, as_of: datetime,
                        horizon: timedelta) -> tuple[str, list[dict[str, Any]]]:
        mon, digest = self._events(prison_id, case_id, count)
        items: list[WorkItem] = mon.worklist(as_of, horizon)
        return digest, [item_json(w) for w in items]


def _parse_horizon(text: str | None) -> timedelta:
    return timedelta(0) if text is None else _DURATION.validate_python(text)


def case_worklist_result(prison_id: str, case_id: str, as_of: datetime, horizon: timedelta,
                         items: list[dict[str, Any]]) -> dict[str, Any]:
    """The part of a case's work list response that its digest covers (all but the audit id)."""
    return {"prison_id": prison_id, "case_id": case_id, "as_of": as_of.isoformat(),
            "horizon": _iso_duration(horizon), "items": items}


def prison_worklist_result(prison_id: str, as_of: datetime, horizon: timedelta,
                           rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The part of a prison's work list response that its digest covers (all but the audit id)."""
    return {"prison_id": prison_id, "as_of": as_of.isoformat(), "horizon": _iso_duration(horizon), "cases": rows}
