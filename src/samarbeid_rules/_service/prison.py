"""A prison's work list, kept between requests: the officer's screen over a thousand open cases.

For each case the view holds its open work as :meth:`Monitor.open_work` gave it:
every open item and the instants ``[from, until)`` over which those items hold,
taken at the case's event count. A request refreshes only the cases whose count
changed in the store or whose ``until`` has passed (a heap by ``until``), and
the cases asked at an ``as_of`` before their ``from``; every other case's items
are reused as they are. All items sit in one list sorted by (due, case, place),
so the items due by ``as_of + horizon`` are a prefix of it; grouped by case in
that order, the cases come soonest first (ties by case id) and each case's
items in the library's order (by due, then obligation id).
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta
from typing import Any

__all__ = ["PrisonView"]

def _us(t: datetime) -> int:
    """An aware instant in µs since the epoch (as :func:`.cases.us`)."""
    from datetime import timezone

    return (t - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


class PrisonView:
    """The open work of every case of one prison, refreshed case by case (``cases``: the
    :class:`.cases.Cases` that owns the view, passed in: this module does not import it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: case id -> (count, from µs, until µs, [(due µs, item)], events digest)
        self.cases: dict[str, tuple[int, int, int, list[tuple[int, dict[str, Any]]], str]] = {}
        self.heap: list[tuple[int, str]] = []  # (until, case id); stale entries are skipped
        #: every open item of every case, sorted by (due, case id, place in the case's list)
        self.flat: list[tuple[Any, ...]] = []
        self.dues: list[int] = []  # their due instants, for bisecting
        self.newest = 0  # the latest ``from`` of any case held: an as_of before it needs a look

    def worklist(self, cases: Any, prison_id: str, as_of: datetime, horizon: timedelta):
        counts = cases.store.event_counts(prison_id)
        at = _us(as_of)
        with self.lock:
            stale = {c for c, n in counts.items() if (e := self.cases.get(c)) is None or e[0] != n}
            stale |= {c for c in self.cases if c not in counts}
            while self.heap and self.heap[0][0] <= at:
                until, c = heapq.heappop(self.heap)
                e = self.cases.get(c)
                if e is not None and e[2] == until:
                    stale.add(c)
            if at < self.newest:  # asked at an instant before some case's items were taken
                stale |= {c for c, e in self.cases.items() if at < e[1]}
            for c in sorted(stale):
                self._drop(c)
                if c in counts:
                    held, digest = cases.open_work(prison_id, c, as_of, counts[c])
                    self._put(c, (*held, digest))
            if stale:
                self.newest = max((e[1] for e in self.cases.values()), default=0)
            limit = at + horizon // timedelta(microseconds=1)
            grouped: dict[str, list[dict[str, Any]]] = {}
            for _, c, _, item in self.flat[: bisect_right(self.dues, limit)]:
                grouped.setdefault(c, []).append(item)
            rows = [{"case_id": c, "items": items} for c, items in grouped.items()]
            judged = {c: e[0] for c, e in self.cases.items()}
            pairs = [(c, e[4]) for c, e in self.cases.items()]
        return rows, judged, pairs

    def _drop(self, c: str) -> None:
        old = self.cases.pop(c, None)
        if old is None:
            return
        for k, (due, _) in enumerate(old[3]):
            i = bisect_left(self.flat, (due, c, k))
            del self.flat[i]
            del self.dues[i]

    def _put(self, c: str, entry: tuple[int, int, int, list[tuple[int, dict[str, Any]]], str]) -> None:
        self.cases[c] = entry
        heapq.heappush(self.heap, (entry[2], c))
        for k, (due, item) in enumerate(entry[3]):
            i = bisect_left(self.flat, (due, c, k))
            self.flat.insert(i, (due, c, k, item))
            self.dues.insert(i, due)
