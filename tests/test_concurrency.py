"""Evaluations are independent: threads, repeated runs and the durable-rules session limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from builders import (
    cover,
    doctor_notified,
    every,
    exclusion,
    later,
    looks,
    oslo,
    release_date_set,
    release_notice,
    timeline,
)
from conftest import requires_durable

from samarbeid_rules import evaluate
from samarbeid_rules._pipeline.engines import get_engine


def varied_cases(n: int) -> list[tuple[dict, object]]:
    """``n`` different timelines (looks, notices, minors, release dates) with their as_of."""
    cases = []
    for i in range(n):
        start = oslo(2026, 1, 5 + i % 20, 6 + i % 13, (7 * i) % 60)
        end = later(start, timedelta(hours=2 + i % 17))
        step = timedelta(minutes=40 + (i * 3) % 30)
        evs = [*exclusion(start, end), *looks(every(later(start, step), end, step), measure_id="m1" if i % 2 else None)]
        if i % 3:
            evs.append(doctor_notified(later(start, timedelta(minutes=(i * 37) % 300))))
        birth = "1990-03-03"
        if i % 4 == 0:
            birth = f"{2008 if i % 8 else 2009}-01-{10 + i % 15:02d}"
            evs += cover(start, later(end, timedelta(minutes=-(i % 3))))
        if i % 5 == 0:
            evs.append(release_date_set(start, f"2026-{3 + i % 6:02d}-{1 + i % 28:02d}"))
            evs.append(release_notice(later(start, timedelta(days=i % 60))))
        cases.append((timeline(evs, birth_date=birth, case_id=f"case-{i}"), later(end, timedelta(hours=i % 5))))
    return cases


def test_threads_give_the_same_reports_as_sequential(engine):
    """Different timelines evaluated from 8 threads at once give the same JSON as one after another."""
    cases = varied_cases(48)
    sequential = [evaluate(tl, as_of=as_of, engine=engine).to_json() for tl, as_of in cases]
    assert len(set(sequential)) == len(cases)
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda c: evaluate(c[0], as_of=c[1], engine=engine).to_json(), cases * 3))
    assert parallel == sequential * 3


@requires_durable
def test_durable_engine_leaves_no_live_sessions():
    """After evaluations, sequential and threaded, the durable-rules engine holds no live session."""
    eng = get_engine("durable-rules")
    cases = varied_cases(16)
    for tl, as_of in cases:
        evaluate(tl, as_of=as_of, engine="durable-rules")
    assert eng.live_sessions() == 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda c: evaluate(c[0], as_of=c[1], engine="durable-rules"), cases))
    assert eng.live_sessions() == 0


@requires_durable
def test_durable_engine_survives_past_the_session_limit():
    """1100 sequential evaluations (past durable-rules' 1024 live-session limit) all succeed and agree with native."""
    eng = get_engine("durable-rules")
    cases = varied_cases(10)
    expected = [evaluate(tl, as_of=as_of, engine="native").obligations for tl, as_of in cases]
    for i in range(1100):
        tl, as_of = cases[i % len(cases)]
        report = evaluate(tl, as_of=as_of, engine="durable-rules")
        assert report.obligations == expected[i % len(cases)]
    assert eng.live_sessions() == 0


@requires_durable
def test_durable_engine_is_one_per_process():
    """Asking for the durable-rules engine twice gives the same engine (one Host per process)."""
    assert get_engine("durable-rules") is get_engine("durable-rules")
