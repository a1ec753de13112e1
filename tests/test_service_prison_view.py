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


# --- judging ahead ------------------------------------------------------------------------------

FOREVER = 2**62


class _TimedCases:
    """Cases whose open work changes with the instant: each item reads "due" before its due instant,
    "now" at it and "overdue" after, so a case's work holds from ``at`` to its next due instant, or
    for one microsecond at a due instant itself (as a day's edges are held by the library). Every
    judgement is counted, by whom it was asked for."""

    def __init__(self) -> None:
        self.store = _Store()
        self.dues: dict[str, list[int]] = {}  # case id -> due instants (µs), sorted
        self.judged = {"request": 0, "ahead": 0}

    def _held(self, case_id: str, count: int, at: int):
        dues = self.dues[case_id]
        items = [(d, {"obligation_id": f"o{k}", "status": "due" if at < d else "now" if at == d else "overdue"})
                 for k, d in enumerate(dues)]
        ends = [d for d in dues if d > at] + [d + 1 for d in dues if d == at]
        return (count, at, min(ends, default=FOREVER), sorted(items, key=lambda p: (p[0], p[1]["obligation_id"])))

    def open_work(self, prison_id: str, case_id: str, as_of: datetime, count: int):
        self.judged["request"] += 1
        return self._held(case_id, count, _us(as_of)), f"digest-{case_id}-{count}"

    def open_work_ahead(self, prison_id: str, case_id: str, count: int, at: int):
        if self.store.counts.get(case_id) != count:
            return None  # not warm at that count
        self.judged["ahead"] += 1
        return self._held(case_id, count, at), f"digest-{case_id}-{count}"


def _timed_reference(cases: _TimedCases, as_of: datetime, horizon: timedelta) -> bytes:
    at, limit = _us(as_of), _us(as_of + horizon)
    rows = []
    for c in sorted(cases.dues):
        held = cases._held(c, 0, at)[3]
        items = [item for due, item in held if due <= limit]
        if items:
            rows.append((held[0][0], c, {"case_id": c, "items": items}))
    return orjson.dumps([row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))])


_step = st.one_of(
    st.tuples(st.just("event"), _case_ids, st.lists(_minutes, max_size=4)),
    st.tuples(st.just("ask"), st.integers(-30, 240), st.integers(0, 300)),
    st.tuples(st.just("ahead"), st.integers(1, 40)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_step, min_size=1, max_size=25))
def test_judging_ahead_changes_no_work_list(steps):
    """Cases' work changes (a new event count), work lists are asked at instants moving mostly
    forward and sometimes back, and cases are judged ahead in between, some or all: every work list
    is the direct reading at its as_of."""
    cases, view = _TimedCases(), PrisonView()
    n, clock = 0, 0
    for step in steps:
        if step[0] == "event":
            n += 1
            cases.dues[step[1]] = sorted(_us(T0 + timedelta(minutes=m)) for m in step[2])
            cases.store.counts[step[1]] = n
        elif step[0] == "ask":
            clock += step[1]
            as_of, horizon = T0 + timedelta(minutes=clock), timedelta(minutes=step[2])
            rows, judged, _ = view.worklist(cases, "p", as_of, horizon)
            assert rows == _timed_reference(cases, as_of, horizon)
            assert judged == cases.store.counts
            # at the due instant itself, where the work holds for one microsecond, and just after
            for at in (as_of + timedelta(microseconds=1), as_of + timedelta(minutes=1)):
                assert view.worklist(cases, "p", at, horizon)[0] == _timed_reference(cases, at, horizon)
        else:
            for _ in range(step[1]):
                if not view.look_ahead(cases, "p"):
                    break


def test_a_request_past_the_held_instants_takes_what_was_judged_ahead():
    """Once the view has judged ahead, a request past the cases' ``until`` (and past the
    one-microsecond stretch at a due instant) judges none of them itself; a case with a new event
    since is judged by the request."""
    cases, view = _TimedCases(), PrisonView()
    for k, c in enumerate(["a", "b", "c"]):
        cases.dues[c] = [_us(T0 + timedelta(minutes=10)), _us(T0 + timedelta(minutes=20 + k))]
        cases.store.counts[c] = 1
    horizon = timedelta(minutes=30)
    view.worklist(cases, "p", T0, horizon)
    assert cases.judged == {"request": 3, "ahead": 0}
    while view.look_ahead(cases, "p"):
        pass
    # each case: 1 µs at minute 10, on to its second due, 1 µs at it, then for ever
    assert cases.judged["ahead"] == 12
    at = T0 + timedelta(minutes=15)
    assert view.worklist(cases, "p", at, horizon)[0] == _timed_reference(cases, at, horizon)
    assert cases.judged["request"] == 3  # none judged by the request
    cases.dues["b"] = [_us(T0 + timedelta(minutes=40))]
    cases.store.counts["b"] = 2
    at = T0 + timedelta(minutes=25)  # inside what was judged ahead of b, at its earlier count
    assert view.worklist(cases, "p", at, horizon)[0] == _timed_reference(cases, at, horizon)
    assert cases.judged["request"] == 4  # b only
    # hours later: a and c from what was judged ahead; b, not judged ahead since its event, by the request
    at = T0 + timedelta(hours=3)
    assert view.worklist(cases, "p", at, horizon)[0] == _timed_reference(cases, at, horizon)
    assert cases.judged["request"] == 5


def test_the_services_cases_judged_ahead_give_the_work_lists_they_give_unjudged(tmp_path):
    """The service's own Cases over SQLite, with open exclusions and looks: one judged ahead to the
    end between requests, one never; work lists at as_of moving across the day's edges (the
    daytime window's start and end, the hours after them, midnight) and back are the same bytes."""
    from samarbeid_rules._pipeline.evaluate import prepare_rules, resolve_profile
    from samarbeid_rules._service.cases import Cases, Judge
    from samarbeid_rules._service.server import open_checked

    def built(name):
        cases = Cases(open_checked(str(tmp_path / name), upgrade=False),
                      Judge(prepare_rules(None), resolve_profile(None), "native"))
        for n in range(6):
            t0 = T0 + timedelta(minutes=37 * n)
            events = [{"id": "adm", "type": "admitted", "at": (t0 - timedelta(days=1)).isoformat(),
                       "custody_kind": "remand"},
                      {"id": "x1", "type": "exclusion_started", "at": t0.isoformat(), "measure_id": "m1",
                       "basis": "strgjfl_37", "scope": "full"}]
            events += [{"id": f"l{k}", "type": "supervision_look", "at": (t0 + timedelta(minutes=50 * k)).isoformat(),
                        "measure_id": "m1"} for k in range(1, 4 + n)]
            cases.create("p", f"c{n}", {"id": f"person-{n}", "birth_date": "1990-01-01"})
            cases.post("p", f"c{n}", events)
        return cases

    ahead, plain = built("ahead.db"), built("plain.db")
    asked = {"ahead": 0, "plain": 0}  # cases judged by a request
    for name, cases in (("ahead", ahead), ("plain", plain)):
        def counted(*args, _judge=cases.open_work, _name=name):
            asked[_name] += 1
            return _judge(*args)
        cases.open_work = counted
    horizon = timedelta(hours=2)
    start = T0 + timedelta(hours=5)
    instants = [start + timedelta(minutes=20 * k) for k in range(80)] + [start + timedelta(hours=3)]
    judged_ahead = 0
    for at in instants:
        got = ahead.prison_worklist("p", at, horizon)
        assert got[0] == plain.prison_worklist("p", at, horizon)[0], at
        while ahead.look_ahead():
            judged_ahead += 1
    assert judged_ahead > len(instants)  # the look ahead did judge
    assert asked["ahead"] < asked["plain"] / 2, asked  # and its stretches were served


def test_refreshes_without_a_look_ahead_do_not_pile_up_held_entries():
    """Cases judged anew again and again (new events), with no look ahead running: the view's heaps
    stay bounded by the number of cases, and what it serves is still the direct reading."""
    cases, view = _TimedCases(), PrisonView()
    for n in range(400):
        c = f"c{n % 5}"
        cases.dues[c] = [_us(T0 + timedelta(minutes=60 + n))]
        cases.store.counts[c] = n + 1
        rows = view.worklist(cases, "p", T0, timedelta(hours=8))[0]
        assert rows == _timed_reference(cases, T0, timedelta(hours=8))
    assert len(view.heap) <= 2 * 5 + 64 + 1 and len(view.pending) <= 2 * 5 + 64 + 1
    while view.look_ahead(cases, "p"):
        pass
    at = T0 + timedelta(hours=9)
    assert view.worklist(cases, "p", at, timedelta(hours=1))[0] == _timed_reference(cases, at, timedelta(hours=1))
