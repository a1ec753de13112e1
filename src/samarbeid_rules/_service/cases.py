"""The cases of the store, each with a warm :class:`Monitor` kept in memory.

A case's monitor is built lazily from the store's events the first time the
case is read or written (one pass, :meth:`Monitor.from_events`) and kept up to
date as events are posted. Before each use the case's event count in the store
is compared with the monitor's: events another server process stored since are
added first. Reports and work lists are computed in virtual time from the
stored events and ``as_of`` alone, so nothing needs re-arming after a restart.

Posting is idempotent by event id: an id already stored with the same content
is acknowledged again without being stored twice; the same id with other
content is refused (409). The events of one request are stored together or
not at all, and only after the store has committed them are they acknowledged.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import json

from pydantic import TypeAdapter, ValidationError

from .._common.errors import TimelineError
from .._common.wording import first_error, plain_problem
from .._inputs.profile import Profile
from .._inputs.timeline import Event, Person
from .._pipeline.compile import CompiledRules
from .._pipeline.facts import tie_rank
from .._pipeline.report import Report
from .._uses.monitor import Monitor
from .._uses.worklist import WorkItem
from .digests import canonical_json, event_digest, events_digest
from .errors import ServiceError, from_timeline_error, not_found
from .prison import FOREVER as _FOREVER, PrisonView
from .store import Conflict, Store

__all__ = ["Case", "Cases", "Judge", "item_json", "us"]

_EVENT = TypeAdapter(Event)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ATTEMPTS = 50  # appends tried before a post is answered 503 busy (only if other processes keep winning)
_BACKOFF = random.Random(0x5A)


def us(t: datetime) -> int:
    """An aware instant in integer microseconds since the epoch."""
    return (t - _EPOCH) // timedelta(microseconds=1)


def item_json(w: WorkItem) -> dict[str, Any]:
    return {
        "obligation_id": w.obligation_id,
        "duty_id": w.duty_id,
        "actor": w.actor,
        "what": w.what,
        "due": w.due.isoformat(),
        "status": w.status.value,
    }


@dataclass(frozen=True)
class Judge:
    """What judges every case of a server: rules, profile and engine, fixed at start."""

    rules: CompiledRules
    profile: Profile
    engine: str

    def monitor(self, case: "Case", events: Sequence[Any] = ()) -> Monitor:
        person = {"id": case.person_id, "birth_date": case.birth_date}
        return Monitor.from_events(
            case.case_id, person, case.prison_id, events, rules=self.rules, profile=self.profile, engine=self.engine
        )


@dataclass
class Case:
    prison_id: str
    case_id: str
    person_id: str
    birth_date: str
    monitor: Monitor | None = None
    count: int = 0  # events of the store held by the monitor (their seq are 1..count)
    digests: dict[str, str] = field(default_factory=dict)  # event id -> digest of its canonical JSON
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: (count, from µs, until µs, [(due µs, item JSON)]): every open item, the same for as_of in [from, until)
    open: tuple[int, int, int, list[tuple[int, dict[str, Any]]]] | None = None
    _digest: tuple[int, str] | None = None

    def events_digest(self) -> str:
        if self._digest is None or self._digest[0] != self.count:
            self._digest = (self.count, events_digest(self.digests.items()))
        return self._digest[1]


class Cases:
    """Every case of the store, warm in memory once used."""

    def __init__(self, store: Store, judge: Judge) -> None:
        self.store = store
        self.judge = judge
        self._cases: dict[tuple[str, str], Case] = {}
        self._lock = threading.Lock()
        # the latest as_of (µs) served, by (prison, case) and by (prison, None) for prison work lists;
        # read from the audit trail once, then kept here (asked of the store each time when it is shared)
        self._reported: dict[tuple[str, str | None], int | None] = {}
        self._views: dict[str, PrisonView] = {}

    # --- finding and loading cases ---------------------------------------------------------

    def _get(self, prison_id: str, case_id: str, count: int | None = None, *, fresh: bool = True) -> Case:
        """The case, its monitor up to date with the store (to ``count`` events if just read).

        ``fresh``: check the store's count first when other processes may write it (a shared store).
        """
        key = (prison_id, case_id)
        with self._lock:
            case = self._cases.get(key)
        if case is None:
            row = self.store.get_case(prison_id, case_id)
            if row is None:
                raise not_found()
            with self._lock:
                case = self._cases.setdefault(key, Case(prison_id, case_id, row.person_id, row.birth_date))
            count = row.event_count
        with case.lock:
            if count is not None or case.monitor is None or (fresh and self.store.shared):
                self._catch_up(case, count)
        return case

    # --- what was reported -------------------------------------------------------------------

    def _reported_upto(self, prison_id: str, case_id: str) -> int | None:
        found = [self._upto(prison_id, case_id), self._upto(prison_id, None)]
        known = [u for u in found if u is not None]
        return max(known) if known else None

    def _upto(self, prison_id: str, case_id: str | None) -> int | None:
        key = (prison_id, case_id)
        if self.store.shared or key not in self._reported:
            self._reported[key] = self.store.reported_upto(prison_id, case_id)
        return self._reported[key]

    def note_reported(self, prison_id: str, case_id: str | None, as_of_us: int) -> None:
        """A report or work list at ``as_of_us`` was served (and recorded) for the case or the prison."""
        key = (prison_id, case_id)
        with self._lock:
            if key in self._reported:
                old = self._reported[key]
                self._reported[key] = as_of_us if old is None else max(old, as_of_us)

    def _catch_up(self, case: Case, count: int | None) -> None:
        """Bring ``case`` (its lock held) up to the store's events (``count`` if known)."""
        if count is None:
            row = self.store.get_case(case.prison_id, case.case_id)
            count = row.event_count if row is not None else 0
        if case.monitor is not None and case.count == count:
            return
        rows = self.store.events_after(case.prison_id, case.case_id, case.count if case.monitor else 0)
        if case.monitor is None:
            case.monitor = self.judge.monitor(case, [json.loads(r.body) for r in rows])
            case.digests = {r.event_id: r.digest for r in rows}
        else:
            for r in rows:
                case.monitor.add(json.loads(r.body))
                case.digests[r.event_id] = r.digest
        case.count = rows[-1].seq if rows else case.count
        case.open = None

    def _drop(self, case: Case) -> None:
        """Forget a case's warm state (it is rebuilt from the store when next used)."""
        case.monitor, case.count, case.digests = None, 0, {}
        case.open = None

    # --- cases -----------------------------------------------------------------------------

    def create(self, prison_id: str, case_id: str, person: Mapping[str, Any]) -> bool:
        """Create the case (True), or find it already there with the same person (False); 409 otherwise."""
        try:
            checked = Person.model_validate(person)
        except ValidationError as exc:
            err = first_error(exc)
            field_ = ".".join(str(p) for p in ("person", *err["loc"]))
            raise ServiceError(422, "invalid_input", plain_problem(err), {"source": "request", "field": field_}) from None
        try:  # the case id and prison id are checked as the library checks them in a timeline
            Monitor(case_id, checked, prison_id)
        except TimelineError as exc:
            raise from_timeline_error(exc, source="request") from None
        outcome = self.store.create_case(prison_id, case_id, checked.id, checked.birth_date.isoformat())
        if outcome == "conflict":
            raise ServiceError(409, "case_conflict", f"case {case_id!r} exists with another person")
        return outcome == "created"

    def describe(self, prison_id: str, case_id: str) -> dict[str, Any]:
        case = self._get(prison_id, case_id)
        with case.lock:
            return {
                "prison_id": prison_id,
                "case_id": case_id,
                "person_id": case.person_id,
                "event_count": case.count,
                "events_digest": case.events_digest(),
            }

    # --- posting events --------------------------------------------------------------------

    def post(self, prison_id: str, case_id: str, events: Sequence[Any]) -> tuple[list[dict[str, Any]], int]:
        """Validate, store (committed) and add ``events``; one result per event, and the case's count."""
        for attempt in range(_ATTEMPTS):
            if attempt:  # another process keeps writing this case: step aside for a moment, at random
                threading.Event().wait(_BACKOFF.uniform(0, 0.002 * min(attempt, 10)))
            # a shared store is read first, in one round trip (events another process stored may be
            # needed to judge these); either way an append with a stale count is a Conflict
            if self.store.shared:
                row, upto = self.store.case_and_reported(prison_id, case_id)
                if row is None:
                    raise not_found()
                case = self._get(prison_id, case_id, row.event_count)
            else:
                case, upto = self._get(prison_id, case_id), None
            with case.lock:
                if not self.store.shared:  # kept in memory by this process: read under the case's lock
                    upto = self._reported_upto(prison_id, case_id)
                before = case.count
                try:
                    return self._post(case, events, upto)
                except Conflict:
                    self._drop(case)  # another process wrote first: catch up and judge again
                except ServiceError as exc:
                    # refused for want of an event another process stored meanwhile: judge again
                    row = self.store.get_case(prison_id, case_id) if exc.status == 422 and self.store.shared else None
                    if row is None or row.event_count == before:
                        raise
                    self._drop(case)
        raise ServiceError(503, "busy", "the case is being written by others; try again")

    def _post(self, case: Case, events: Sequence[Any], upto: int | None) -> tuple[list[dict[str, Any]], int]:
        """``upto``: the latest as_of served for the case or its prison (an event at or before it
        affects what was reported)."""
        # No read of the store here: an append with a stale count is a Conflict, and post() catches up.
        if case.monitor is None:
            self._catch_up(case, None)
        mon = case.monitor
        assert mon is not None
        new: list[tuple[str, str, str]] = []
        pending: dict[str, str] = {}
        by_position: dict[int, dict[str, Any]] = {}
        try:
            # The events of one request are a set: they are added in canonical order (an event naming
            # a measure after the measure's start), and answered in the order sent.
            # An event refused for want of another (a doctor's statement made before the measure it
            # names started) is tried again once the rest are in; the first still refused is reported.
            waiting = _canonical_positions(events)
            while waiting:
                refused: list[tuple[int, ServiceError]] = []
                for i in waiting:
                    try:
                        by_position[i] = self._one(case, mon, events[i], i, upto, pending, new)
                    except ServiceError as exc:
                        if exc.status != 422:
                            raise
                        refused.append((i, exc))
                if refused and len(refused) == len(waiting):
                    raise min(refused, key=lambda r: r[0])[1]
                waiting = [i for i, _ in refused]
            results = [by_position[i] for i in range(len(events))]
        except BaseException:
            if new:
                self._drop(case)  # the monitor holds events that will not be stored
            raise
        if new:
            try:
                case.count = self.store.append_events(case.prison_id, case.case_id, case.count, new)
            except BaseException:
                self._drop(case)
                raise
            case.digests.update(pending)
            case.open = None
        return results, case.count

    def _one(self, case: Case, mon: Monitor, raw: Any, i: int, upto: int | None,
             pending: dict[str, str], new: list[tuple[str, str, str]]) -> dict[str, Any]:
        raw_id = raw.get("id") if isinstance(raw, Mapping) else None
        known = case.digests.get(raw_id) if isinstance(raw_id, str) else None
        if known is None and isinstance(raw_id, str):
            known = pending.get(raw_id)
        if known is not None:
            if _digest_of(raw) != known:
                raise ServiceError(
                    409, "event_conflict", f"event {raw_id!r} is already stored with other content",
                    {"source": "request", "index": i, "event_id": raw_id},
                )
            return {"event_id": raw_id, "stored": False, "out_of_order": False, "affects_reported": False}
        try:
            added = mon.add(raw)
        except TimelineError as exc:
            raise from_timeline_error(exc, source="request", index=i) from None
        model = _EVENT.validate_python(raw)
        body = canonical_json(model.model_dump(mode="json"))
        pending[model.id] = event_digest(body)
        new.append((model.id, pending[model.id], body))
        return {
            "event_id": model.id,
            "stored": True,
            "out_of_order": added.out_of_order,
            "affects_reported": upto is not None and us(model.at) <= upto,
        }

    # --- reading -----------------------------------------------------------------------------

    def report(self, prison_id: str, case_id: str, as_of: datetime | None) -> tuple[Report, Case, int, str]:
        """The case's report at ``as_of`` (default: its latest event), with the count and events digest judged."""
        case = self._get(prison_id, case_id)
        with case.lock:
            assert case.monitor is not None
            try:
                rep = case.monitor.report(as_of)
            except TimelineError as exc:
                raise from_timeline_error(exc, source="query") from None
            return rep, case, case.count, case.events_digest()

    def worklist(self, prison_id: str, case_id: str, as_of: datetime | None, horizon: timedelta,
                 count: int | None = None) -> tuple[list[dict[str, Any]], datetime, int, str]:
        """The case's work list: items, the ``as_of`` used, and the count and events digest judged."""
        case = self._get(prison_id, case_id, count)
        with case.lock:
            return self._worklist(case, as_of, horizon)

    def _worklist(self, case: Case, as_of: datetime | None, horizon: timedelta):
        mon = case.monitor
        assert mon is not None
        if as_of is None:
            if not mon.events:
                raise ServiceError(422, "invalid_input", "as_of is required for a case without events",
                                   {"source": "query", "field": "as_of"})
            as_of = mon.events[-1].at
        held = self._open(case, as_of)
        limit = us(as_of) + horizon // timedelta(microseconds=1)
        return [j for due, j in held[3] if due <= limit], as_of, case.count, case.events_digest()

    def _open(self, case: Case, as_of: datetime) -> tuple[int, int, int, list[tuple[int, dict[str, Any]]]]:
        """The case's open work at ``as_of`` (its lock held): (count, from, until, [(due µs, item)])."""
        at = us(as_of)
        held = case.open
        if held is None or held[0] != case.count or not held[1] <= at < held[2]:
            assert case.monitor is not None
            try:
                items, until = case.monitor.open_work(as_of)
            except TimelineError as exc:
                raise from_timeline_error(exc, source="query") from None
            held = case.open = _held(case.count, at, items, until)
        return held

    def open_work(self, prison_id: str, case_id: str, as_of: datetime, count: int):
        """(held open work, events digest) of a case, brought to the store's ``count`` first."""
        case = self._get(prison_id, case_id, count)
        with case.lock:
            return self._open(case, as_of), case.events_digest()

    def open_work_ahead(self, prison_id: str, case_id: str, count: int, at: int):
        """(open work from ``at`` µs, events digest) of a case judged ahead of any request, or None if
        the case is not warm at ``count`` events (a look ahead never reads the store, nor counts as
        reported: :meth:`Monitor.open_work` with ``served=False``)."""
        with self._lock:
            case = self._cases.get((prison_id, case_id))
        if case is None:
            return None
        with case.lock:
            if case.monitor is None or case.count != count:
                return None
            try:
                items, until = case.monitor.open_work(_EPOCH + timedelta(microseconds=at), served=False)
            except TimelineError:
                return None
            return _held(count, at, items, until), case.events_digest()

    def look_ahead(self) -> bool:
        """Judge one case of some prison's view ahead (:meth:`.prison.PrisonView.look_ahead`);
        False when no view has any left to judge."""
        with self._lock:
            views = list(self._views.items())
        return any(view.look_ahead(self, prison_id) for prison_id, view in views)

    def prison_worklist(self, prison_id: str, as_of: datetime, horizon: timedelta):
        """Every case of the prison with something due within the horizon, soonest first.

        Returns (rows, counts, digest pairs): the JSON array of rows ``{"case_id", "items"}``; the
        event count and the events digest of every case judged (for the audit trail). See :mod:`.prison`.
        """
        with self._lock:
            view = self._views.setdefault(prison_id, PrisonView())
        return view.worklist(self, prison_id, as_of, horizon)


def _held(count: int, at: int, items: list[WorkItem], until: datetime | None):
    """Open work as a case and a prison's view hold it: (count, from µs, until µs, [(due µs, item)])."""
    return count, at, _FOREVER if until is None else us(until), [(us(w.due), item_json(w)) for w in items]


def due_us(item: dict[str, Any]) -> int:
    return us(datetime.fromisoformat(item["due"]))


def _canonical_positions(events: Sequence[Any]) -> list[int]:
    """Positions of ``events`` in canonical order (instant; admissions and measure starts first; id).

    Events that are not valid on their own come first, in the order sent, so that the first of them
    is the one reported.
    """
    bad: list[int] = []
    keyed: list[tuple[int, int, str, int]] = []
    for i, raw in enumerate(events):
        try:
            model = _EVENT.validate_python(raw)
        except (ValidationError, RecursionError, TypeError, ValueError):
            bad.append(i)
            continue
        keyed.append((us(model.at), tie_rank(model), model.id, i))
    return bad + [k[3] for k in sorted(keyed)]


def _digest_of(raw: Any) -> str | None:
    """The digest of an event's canonical JSON, or None if it is no valid event on its own."""
    try:
        model = _EVENT.validate_python(raw)
    except (ValidationError, RecursionError, TypeError, ValueError):
        return None
    return event_digest(canonical_json(model.model_dump(mode="json")))
