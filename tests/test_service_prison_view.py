"""The prison's work list view (_service/prison.py) against a plain reference: for any open work of
any cases, refreshed over a run of requests, the rows it serves are byte for byte ``orjson.dumps``
of the rows a direct reading gives (every case with an item due by as_of + horizon, soonest first,
ties by case id; each case's items due by then, in their order)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules._service.prison import PrisonView, row_json

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
US = 1_000_000


def _us(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


class _Store:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def event_counts(self, prison_id: str) -> dict[str, int]:
        return dict(self.counts)


class _Cases:
    """What the view asks of Cases: the store's counts, and a case's held open work."""

    def __init__(self) -> None:
        self.store = _Store()
        self.work: dict[str, list[tuple[int, dict]]] = {}  # case id -> [(due µs, item)] by due

    def open_work(self, prison_id: str, case_id: str, as_of: datetime, count: int):
        at = _us(as_of)
        # held from as_of for an hour: later requests past it refresh the case
        return (count, at, at + 3600 * US, list(self.work[case_id])), f"digest-{case_id}-{count}"


def _reference(cases: _Cases, as_of: datetime, horizon: timedelta) -> bytes:
    limit = _us(as_of + horizon)
    rows = []
    for c in sorted(cases.work):
        items = [item for due, item in cases.work[c] if due <= limit]
        if items:
            rows.append((cases.work[c][0][0], c, {"case_id": c, "items": items}))
    return orjson.dumps([row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))])


_case_ids = st.sampled_from(["c1", "c2", "c10", "ä-1", 'q"uote', "c\\2", "Z"])
_minutes = st.integers(min_value=0, max_value=600)
_work = st.lists(st.tuples(_minutes, st.sampled_from(["due", "overdue"])), max_size=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_case_ids, _work, st.integers(0, 240), st.integers(0, 300)), min_size=1, max_size=12))
def test_the_view_serves_what_a_direct_reading_gives(steps):
    """Each step changes one case's open work (a new event count) and asks the work list at a later
    or earlier as_of and some horizon; the view's rows match the reference every time."""
    cases, view = _Cases(), PrisonView()
    for n, (case_id, work, ask_minutes, horizon_minutes) in enumerate(steps):
        items = sorted(
            ((_us(T0 + timedelta(minutes=m)), {"obligation_id": f"o{k}", "due": m, "status": status})
             for k, (m, status) in enumerate(work)),
            key=lambda p: (p[0], p[1]["obligation_id"]),
        )
        cases.work[case_id] = items
        cases.store.counts[case_id] = n + 1
        as_of, horizon = T0 + timedelta(minutes=ask_minutes), timedelta(minutes=horizon_minutes)
        rows, judged, pairs = view.worklist(cases, "p", as_of, horizon)
        assert rows == _reference(cases, as_of, horizon)
        assert judged == cases.store.counts
        assert dict(pairs) == {c: f"digest-{c}-{k}" for c, k in cases.store.counts.items()}
        # asked again at once: the same rows, from what the view holds
        assert view.worklist(cases, "p", as_of, horizon)[0] == rows


def test_a_case_that_leaves_the_store_leaves_the_view():
    cases, view = _Cases(), PrisonView()
    cases.work = {"a": [(_us(T0), {"obligation_id": "o"})], "b": [(_us(T0), {"obligation_id": "o"})]}
    cases.store.counts = {"a": 1, "b": 1}
    assert orjson.loads(view.worklist(cases, "p", T0, timedelta(0))[0]) == [
        {"case_id": "a", "items": [{"obligation_id": "o"}]}, {"case_id": "b", "items": [{"obligation_id": "o"}]}]
    del cases.store.counts["a"], cases.work["a"]
    rows, judged, _ = view.worklist(cases, "p", T0, timedelta(0))
    assert orjson.loads(rows) == [{"case_id": "b", "items": [{"obligation_id": "o"}]}] and judged == {"b": 1}


@given(st.text(max_size=8), st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=3),
                                     max_size=3))
def test_a_row_is_written_as_orjson_writes_it(case_id, items):
    assert row_json(case_id, [orjson.dumps(i) for i in items]) == orjson.dumps({"case_id": case_id, "items": items})
