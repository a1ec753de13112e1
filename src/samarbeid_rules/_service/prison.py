"""A prison's work list, kept between requests: the officer's screen over a thousand open cases.

For each case the view holds its open work as :meth:`Monitor.open_work` gave it:
every open item and the instants ``[from, until)`` over which those items hold,
taken at the case's event count. A request refreshes only the cases whose count
changed in the store or whose ``until`` has passed (a heap by ``until``), and
the cases asked at an ``as_of`` before their ``from``; every other case's items
are reused as they are.

A case's items are in the library's order (by due, then obligation id), so
those due by ``as_of + horizon`` are a prefix of them; the cases are kept
sorted by their first item's due instant, then case id, so the cases with
anything due by then are a prefix too, soonest first (ties by case id). Each
item is kept as its JSON, written once when the case is refreshed, and each
row ``{"case_id", "items"}`` as its JSON for every prefix asked for: a work
list over a thousand cases is some 1.5 MB of JSON, which writing afresh for
every request, or joining from its items, cost more than finding them. The
served rows are byte for byte what ``orjson.dumps`` writes of them as objects
(:func:`row_json`).

Where many cases' ``until`` fall together (a day's edges: midnight, the
daytime window's ends, an hour past them, hold for every case with a measure
in effect), a request past that instant would re-judge them all (about half a
second for a thousand cases). So the view also **looks ahead**: when the
service is idle, :meth:`PrisonView.look_ahead` judges one case's open work from
its ``until`` on, at the same event count, soonest ``until`` first. A request
past ``until`` then takes that stretch as it is, if the count is unchanged and
the request falls inside it; otherwise it judges the case itself. Either way
the items are what ``open_work`` gives at the request's ``as_of``: the look
ahead changes when the work is done, never its result.
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, bisect_right, insort
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

import orjson

__all__ = ["FOREVER", "PrisonView", "row_json"]

#: the ``until`` (µs) of open work that holds for ever
FOREVER = 2**62
#: a look ahead judges a case's stretches from its ``until`` on, one after another, until they
#: reach an hour past it (edges of the day come close together: an edge is often a stretch of one
#: microsecond, and the next edge may follow within minutes), at most this many
AHEAD_STRETCHES = 6
AHEAD_SPAN = 3600 * 1_000_000  # µs

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
        #: (first item's due µs, case id) of every case with an open item, sorted
        self.firsts: list[tuple[int, str]] = []
        #: case id -> its items' due instants and JSON, and its rows' JSON by the number of items
        self.items: dict[str, tuple[list[int], list[bytes], dict[int, bytes]]] = {}
        self.newest = 0  # the latest ``from`` of any case held: an as_of before it needs a look
        #: case id -> its open work from its held ``until`` on, judged ahead: stretches that follow
        #: each other, each an entry of ``cases`` and its items' JSON
        self.ahead: dict[str, list[tuple[tuple[int, int, int, list[tuple[int, dict[str, Any]]], str], list[bytes]]]] = {}
        self.pending: list[tuple[int, str]] = []  # (instant, case id) to look ahead from; stale ones skipped

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
                chain = self.ahead.get(c, [])
                k = next((k for k, a in enumerate(chain) if a[0][1] <= at < a[0][2]), None)
                self._drop(c)
                if c not in counts:
                    continue
                if k is not None and chain[k][0][0] == counts[c]:
                    self._put(c, *chain[k])  # judged ahead at this count, and this as_of is inside it
                    if chain[k + 1 :]:  # the stretches after it stay judged ahead, and go on from there
                        self.ahead[c] = chain[k + 1 :]
                        if chain[-1][0][2] < FOREVER:
                            heapq.heappush(self.pending, (chain[-1][0][2], c))
                else:
                    held, digest = cases.open_work(prison_id, c, as_of, counts[c])
                    self._put(c, (*held, digest))
            if stale:
                self.newest = max((e[1] for e in self.cases.values()), default=0)
                self._compact()
            limit = at + horizon // timedelta(microseconds=1)
            rows = []
            for _, c in self.firsts[: bisect_right(self.firsts, limit, key=itemgetter(0))]:
                dues, items, by_count = self.items[c]
                k = bisect_right(dues, limit)
                row = by_count.get(k)
                if row is None:
                    row = by_count[k] = row_json(c, items[:k])
                rows.append(row)
            judged = {c: e[0] for c, e in self.cases.items()}
            pairs = [(c, e[4]) for c, e in self.cases.items()]
        return b"[" + b",".join(rows) + b"]", judged, pairs

    def look_ahead(self, cases: Any, prison_id: str) -> bool:
        """Judge one stretch of one case's open work ahead, soonest first: the stretch from the held
        ``until`` of a case, or from the end of what is judged ahead of it while that reaches less
        than :data:`AHEAD_SPAN` past its ``until`` (at most :data:`AHEAD_STRETCHES`), at the held
        count; the view's lock is not held meanwhile. False when no case is left to judge ahead.
        A case no longer held as it was, or not warm in ``cases``, is passed over."""
        with self.lock:
            while self.pending:
                start, c = heapq.heappop(self.pending)
                e = self.cases.get(c)
                if start == self._resumes_at(c):
                    break
            else:
                return False
            e, chain = self.cases[c], self.ahead.get(c, [])
            count, until, before = e[0], e[2], len(chain)
        found = cases.open_work_ahead(prison_id, c, count, start)
        if found is None:
            return True
        held, digest = found
        stretch = ((*held, digest), _encoded(held[3]))
        with self.lock:
            e = self.cases.get(c)
            chain = self.ahead.get(c, [])
            if e is None or e[0] != count or e[2] != until or len(chain) != before:
                return True  # the case was judged anew meanwhile
            self.ahead[c] = [*chain, stretch]
            end = held[2]
            if end < FOREVER and end - until < AHEAD_SPAN and before + 1 < AHEAD_STRETCHES:
                heapq.heappush(self.pending, (end, c))
        return True

    def _compact(self) -> None:
        """Keep the two heaps' stale entries (cases judged anew since) from piling up: a heap is
        rebuilt of its live entries once it holds more than twice as many as there are cases.
        Under steady traffic the look ahead may not run for long, and each refresh adds one."""
        limit = 2 * len(self.cases) + 64
        if len(self.heap) > limit:
            self.heap = [(u, c) for u, c in self.heap if (e := self.cases.get(c)) is not None and e[2] == u]
            heapq.heapify(self.heap)
        if len(self.pending) > limit:
            self.pending = [(start, c) for start, c in self.pending if start == self._resumes_at(c)]
            heapq.heapify(self.pending)

    def _resumes_at(self, c: str) -> int | None:
        """The instant (µs) from which case ``c``'s look ahead goes on: the end of what is judged
        ahead of it, or its held ``until``; None for a case not held. A ``pending`` entry at any
        other instant is stale."""
        e = self.cases.get(c)
        if e is None:
            return None
        chain = self.ahead.get(c)
        return chain[-1][0][2] if chain else e[2]

    def _drop(self, c: str) -> None:
        self.ahead.pop(c, None)
        old = self.cases.pop(c, None)
        if old is None:
            return
        held = self.items.pop(c, None)
        if held is not None:
            dues = held[0]
            del self.firsts[bisect_left(self.firsts, (dues[0], c))]

    def _put(self, c: str, entry: tuple[int, int, int, list[tuple[int, dict[str, Any]]], str],
             encoded: list[bytes] | None = None) -> None:
        self.cases[c] = entry
        heapq.heappush(self.heap, (entry[2], c))
        if entry[2] < FOREVER:
            heapq.heappush(self.pending, (entry[2], c))
        if entry[3]:
            dues = [due for due, _ in entry[3]]
            self.items[c] = (dues, _encoded(entry[3]) if encoded is None else encoded, {})
            insort(self.firsts, (dues[0], c))


def _encoded(work: list[tuple[int, dict[str, Any]]]) -> list[bytes]:
    """The JSON of each item of held open work ``[(due µs, item)]``."""
    return [orjson.dumps(item) for _, item in work]


def row_json(case_id: str, items: list[bytes]) -> bytes:
    """The JSON of the row ``{"case_id": case_id, "items": [...]}`` from its items' JSON: the bytes
    ``orjson.dumps`` writes of the same row as an object."""
    return b'{"case_id":' + orjson.dumps(case_id) + b',"items":[' + b",".join(items) + b"]}"
