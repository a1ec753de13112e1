"""Small builders for timeline dicts used by the tests.

Instants are written as ISO 8601 strings with the Europe/Oslo offset that
applies at that local time, so a test reads like the wall clock in a prison.
"""

from __future__ import annotations

import copy
import itertools
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
ADULT_BIRTH = "1990-06-15"

_ids = itertools.count()


def oslo(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, *, fold: int = 0) -> datetime:
    """An aware instant at the given Europe/Oslo wall-clock time."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=OSLO, fold=fold)


def iso(t: datetime | str) -> str:
    """ISO text of an aware instant (a string passes through)."""
    if isinstance(t, str):
        return t
    assert t.tzinfo is not None, "builders only make aware instants"
    return t.isoformat()


def fresh_id(prefix: str = "e") -> str:
    return f"{prefix}{next(_ids)}"


def timeline(events: list[dict[str, Any]], *, birth_date: str | date = ADULT_BIRTH, case_id: str = "case-1",
             prison_id: str | None = "prison-1") -> dict[str, Any]:
    """A timeline dict for one person."""
    tl: dict[str, Any] = {
        "case_id": case_id,
        "person": {"id": "person-1", "birth_date": str(birth_date)},
        "events": list(events),
    }
    if prison_id is not None:
        tl["prison_id"] = prison_id
    return tl


def event(type_: str, at: datetime | str, *, id: str | None = None, **fields: Any) -> dict[str, Any]:
    ev = {"id": id or fresh_id(type_[:3]), "type": type_, "at": iso(at)}
    ev.update({k: v for k, v in fields.items() if v is not None})
    return ev


def admitted(at, *, id=None, custody_kind="sentence"):
    return event("admitted", at, id=id, custody_kind=custody_kind)


def exclusion_started(at, *, measure_id="m1", id=None, basis="strgjfl_37", scope="full", expected_end=None):
    return event("exclusion_started", at, id=id or f"x-start-{measure_id}", measure_id=measure_id, basis=basis,
                 scope=scope, expected_end=iso(expected_end) if expected_end is not None else None)


def exclusion_ended(at, *, measure_id="m1", id=None):
    return event("exclusion_ended", at, id=id or f"x-end-{measure_id}", measure_id=measure_id)


def exclusion(start, end=None, *, measure_id="m1") -> list[dict[str, Any]]:
    """A started (and, if ``end`` is given, ended) exclusion."""
    evs = [exclusion_started(start, measure_id=measure_id)]
    if end is not None:
        evs.append(exclusion_ended(end, measure_id=measure_id))
    return evs


def look(at, *, measure_id=None, id=None):
    return event("supervision_look", at, id=id, measure_id=measure_id)


def looks(times, *, measure_id=None) -> list[dict[str, Any]]:
    return [look(t, measure_id=measure_id) for t in times]


def every(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Instants start, start+step, … up to and including end (absolute time)."""
    out, t, stop = [], start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    while t <= stop:
        out.append(t.astimezone(OSLO))
        t = t + step
    return out


def later(t: datetime, delta: timedelta) -> datetime:
    """``t`` plus ``delta`` of absolute (elapsed) time, shown in Europe/Oslo."""
    return (t.astimezone(timezone.utc) + delta).astimezone(OSLO)


def doctor_notified(at, *, measure_id=None, id=None):
    return event("doctor_notified", at, id=id or "doctor-1", measure_id=measure_id)


def cover(start, end=None, *, measure_id="c1") -> list[dict[str, Any]]:
    """A continuous supervision interval (open when ``end`` is None)."""
    evs = [event("continuous_supervision_started", start, id=f"cs-start-{measure_id}", measure_id=measure_id)]
    if end is not None:
        evs.append(event("continuous_supervision_ended", end, id=f"cs-end-{measure_id}", measure_id=measure_id))
    return evs


def release_date_set(at, release_date: str | date, *, id="rd-1"):
    return event("expected_release_date_set", at, id=id, release_date=str(release_date))


def release_notice(at, *, recipient="kho", id="notice-1"):
    return event("release_notice_sent", at, id=id, recipient=recipient)


def released(at, *, id="released-1"):
    return event("released", at, id=id)


# --- reading reports -------------------------------------------------------


def obligations(report, duty: str) -> list:
    return [o for o in report.obligations if o.duty_id == duty]


def only(report, duty: str):
    """The single obligation of ``duty`` in ``report`` (fails if not exactly one)."""
    obs = obligations(report, duty)
    assert len(obs) == 1, f"expected one {duty} obligation, got {[o.id for o in obs]}"
    return obs[0]


def status_of(report, duty: str) -> str:
    return only(report, duty).status.value


def statuses(report) -> dict[str, str]:
    return {o.id: o.status.value for o in report.obligations}


def report_json_without_engine(report) -> str:
    """The report's JSON with the engine name blanked (it is the one field that names the engine)."""
    return report.model_copy(update={"engine": "-"}).to_json()


# --- transforming timelines ------------------------------------------------


def _shift_iso(text: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(text) + delta).isoformat()


def shift(tl: dict[str, Any], weeks: int) -> dict[str, Any]:
    """Every instant, the birth date and every release date moved by ``weeks`` whole weeks."""
    delta = timedelta(weeks=weeks)
    out = copy.deepcopy(tl)
    out["person"]["birth_date"] = (date.fromisoformat(out["person"]["birth_date"]) + delta).isoformat()
    for ev in out["events"]:
        ev["at"] = _shift_iso(ev["at"], delta)
        if "expected_end" in ev:
            ev["expected_end"] = _shift_iso(ev["expected_end"], delta)
        if "release_date" in ev:
            ev["release_date"] = (date.fromisoformat(ev["release_date"]) + delta).isoformat()
    return out


def instants(tl: dict[str, Any]) -> list[datetime]:
    out = []
    for ev in tl["events"]:
        out.append(datetime.fromisoformat(ev["at"]))
        if "expected_end" in ev:
            out.append(datetime.fromisoformat(ev["expected_end"]))
    return out


#: the four headline duties of the foundation; tests that assume only these
#: duties exist evaluate with this rule set
HEADLINE_DUTIES = (
    "exclusion.hourly_supervision",
    "exclusion.minor_continuous",
    "exclusion.notify_doctor",
    "release.health_notice",
)


def headline_rules():
    """The shipped rule set restricted to the four headline duties."""
    from samarbeid_rules import load_rules

    return load_rules().only(HEADLINE_DUTIES)


# --- arrival orders for the Monitor and the service ------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def canonical_key(event: dict[str, Any]) -> tuple[int, int, str]:
    """The Monitor's canonical order of events (written here from its definition, not the library's
    code): by instant, admissions and measure starts first, then by id."""
    at = datetime.fromisoformat(event["at"])
    first = event["type"] == "admitted" or event["type"].endswith("_started")
    return ((at - _EPOCH) // timedelta(microseconds=1), 0 if first else 1, event["id"])


def canonical(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``events`` in the canonical order (:func:`canonical_key`)."""
    return sorted(events, key=canonical_key)


def respecting_measures(events: list[dict[str, Any]], *, all_started: bool = False) -> list[dict[str, Any]]:
    """``events`` in the given order, except that an event naming a measure waits for the measure's
    start; events whose measure never starts come last (``all_started``: there are none)."""
    started: set[Any] = set()
    waiting: dict[Any, list[dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    for ev in events:
        mid = ev.get("measure_id")
        if mid is not None and not ev["type"].endswith("_started") and mid not in started:
            waiting.setdefault(mid, []).append(ev)
            continue
        out.append(ev)
        if ev["type"].endswith("_started"):
            started.add(mid)
            out.extend(waiting.pop(mid, []))
    assert not (all_started and waiting), "an event names a measure that never starts"
    return out + [e for evs in waiting.values() for e in evs]

