"""Batch evaluation: evaluate_many over directories, JSON Lines files and iterables."""

from __future__ import annotations

import gc
import json
import multiprocessing
import sys
import tracemalloc
from pathlib import Path

import pytest

from samarbeid_rules import (
    BatchItem,
    BatchRun,
    EngineUnavailableError,
    ProfileError,
    TimelineError,
    evaluate,
    evaluate_many,
    load_rules,
    load_timeline,
)
from samarbeid_rules.testing import generate_timeline

SEED = 20250303


def _broken(case_id: str = "broken-1") -> dict:
    """A timeline whose second event has a naive datetime."""
    return {
        "case_id": case_id,
        "person": {"id": "p-" + case_id, "birth_date": "1990-01-01"},
        "events": [
            {"id": "a1", "type": "admitted", "at": "2025-03-01T10:00:00+01:00", "custody_kind": "remand"},
            {"id": "bad7", "type": "released", "at": "2025-03-02T10:00:00"},
        ],
    }


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _fingerprint(items: list[BatchItem]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(i.location, i.case_id, i.report.to_json() if i.report else None, i.error) for i in items]


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """Five generated timelines, one broken file, a text file and a subdirectory."""
    d = tmp_path / "cases"
    d.mkdir()
    for n in range(5):
        _write(d / f"t{n}.json", generate_timeline(SEED, n))
    _write(d / "c_broken.json", _broken())
    (d / "notes.txt").write_text("not a timeline", encoding="utf-8")
    (d / "sub").mkdir()
    _write(d / "sub" / "hidden.json", generate_timeline(SEED, 99))
    return d


def test_directory_reports_broken_file_and_evaluates_the_rest(directory: Path) -> None:
    """A broken file in a directory is reported at its location while every other timeline is evaluated."""
    run = evaluate_many(directory, progress=False)
    assert isinstance(run, BatchRun)
    items = list(run)

    assert [i.location for i in items] == [
        str(directory / name) for name in ["c_broken.json", "t0.json", "t1.json", "t2.json", "t3.json", "t4.json"]
    ]
    bad = items[0]
    assert bad.report is None and not bad.ok
    assert bad.case_id == "broken-1"
    assert bad.error is not None
    assert bad.error.startswith(str(directory / "c_broken.json"))
    assert "events[1]" in bad.error and "'bad7'" in bad.error and "'at'" in bad.error

    for n, item in enumerate(items[1:]):
        assert item.error is None
        assert item.report == evaluate(generate_timeline(SEED, n))
        assert item.case_id == f"case-{SEED}-{n}"

    s = run.summary
    assert s.complete
    assert (s.evaluated, s.failed, s.skipped) == (5, 1, 2)
    assert s.skipped_items == [
        (str(directory / "notes.txt"), "not a .json or .jsonl file"),
        (str(directory / "sub"), "a directory (only top-level files are read)"),
    ]


def test_summary_counts_equal_the_sum_of_the_reports(directory: Path) -> None:
    """The batch summary's obligation and breach counts are the sums over the individual reports."""
    run = evaluate_many(directory, progress=False)
    reports = [i.report for i in run if i.report is not None]
    s = run.summary
    assert s.obligations == sum(len(r.obligations) for r in reports) > 0
    for status, count in s.by_status.items():
        assert count == sum(r.summary[status] for r in reports)
    assert s.breaches == sum(len(r.breaches) for r in reports)
    assert s.breached_timelines == sum(1 for r in reports if r.breaches)
    by_duty: dict[str, int] = {}
    for r in reports:
        for o in r.breaches:
            by_duty[o.duty_id] = by_duty.get(o.duty_id, 0) + 1
    assert s.breaches_by_duty == by_duty
    assert json.loads(json.dumps(s.to_dict()))["evaluated"] == 5


def test_jsonl_broken_line_is_reported_as_file_and_line(tmp_path: Path) -> None:
    """A broken line of a JSON Lines file is reported as FILE:LINE, an empty line is skipped, the rest evaluated."""
    path = tmp_path / "cases.jsonl"
    lines = [
        json.dumps(generate_timeline(SEED, 0)),
        json.dumps(_broken("broken-2")),
        "",
        '{"case_id": "truncated", "person": ',
        json.dumps(generate_timeline(SEED, 1)),
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = evaluate_many(path, progress=False)
    items = list(run)

    assert [i.location for i in items] == [f"{path}:{n}" for n in (1, 2, 4, 5, 6)]
    assert [i.ok for i in items] == [True, False, False, True, False]
    assert items[1].error.startswith(f"{path}:2")
    assert "events[1]" in items[1].error and "'at'" in items[1].error
    assert items[1].case_id == "broken-2"
    assert items[2].error.startswith(f"{path}:4: not valid JSON")
    assert items[4].error == f"{path}:6: a timeline must be a JSON object"
    assert items[3].report == evaluate(generate_timeline(SEED, 1))
    s = run.summary
    assert (s.evaluated, s.failed, s.skipped) == (2, 3, 1)
    assert s.skipped_items == [(f"{path}:3", "empty line")]


def test_iterable_sources_get_positional_or_given_locations() -> None:
    """Items of an iterable are located as <input>:N unless given as (location, timeline) pairs."""
    data = generate_timeline(SEED, 2)
    items = list(
        evaluate_many(
            [load_timeline(data), data, ("upstream/case-9", _broken()), json.dumps(data), 42],
            progress=False,
        )
    )
    assert [i.location for i in items] == ["<input>:1", "<input>:2", "upstream/case-9", "<input>:4", "<input>:5"]
    assert items[0].report == items[1].report == items[3].report == evaluate(data)
    assert items[2].error.startswith("upstream/case-9")
    assert items[4].error == "<input>:5: not a timeline (got int)"


def test_settings_are_checked_before_any_timeline_is_read(tmp_path: Path) -> None:
    """An unknown engine, a bad profile, a naive as_of or a missing source raise at once."""
    consumed = []

    def source():
        consumed.append(1)
        yield generate_timeline(SEED, 0)

    with pytest.raises(EngineUnavailableError):
        evaluate_many(source(), engine="no-such-engine")
    with pytest.raises(ProfileError):
        evaluate_many(source(), profile={"terms": {"no_such_term": {}}})
    with pytest.raises(TimelineError, match="as_of"):
        evaluate_many(source(), as_of="2025-03-01T12:00")
    with pytest.raises(TimelineError, match="no such file or directory"):
        evaluate_many(tmp_path / "missing")
    with pytest.raises(TypeError):
        evaluate_many(generate_timeline(SEED, 0))
    with pytest.raises(ValueError):
        evaluate_many([], processes=-1)
    assert consumed == []


def test_as_of_and_rules_apply_to_every_timeline() -> None:
    """as_of and a given rule set are used for every timeline of the batch."""
    as_of = "2026-01-01T12:00:00+01:00"
    rules = load_rules()
    population = [generate_timeline(SEED, n) for n in range(4)]
    items = list(evaluate_many(population, as_of=as_of, rules=rules, progress=False))
    assert [i.report for i in items] == [evaluate(t, as_of=as_of, rules=rules) for t in population]


def test_batch_matches_evaluate_on_each_engine(engine: str) -> None:
    """Each engine gives in a batch exactly the reports evaluate() gives one by one."""
    population = [generate_timeline(SEED, n) for n in range(6)]
    items = list(evaluate_many(population, engine=engine, progress=False))
    assert [i.report for i in items] == [evaluate(t, engine=engine) for t in population]


def test_two_processes_give_identical_results(tmp_path: Path) -> None:
    """processes=2 yields the same items, in the same order, with the same report JSON as processes=1."""
    path = tmp_path / "population.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(60):
            data = _broken(f"broken-{n}") if n % 17 == 5 else generate_timeline(SEED, n)
            fh.write(json.dumps(data) + "\n")
        fh.write("\n")
    one = evaluate_many(path, processes=1, progress=False)
    two = evaluate_many(path, processes=2, chunksize=3, progress=False)
    items_one, items_two = list(one), list(two)
    assert two.processes == 2
    assert len(items_one) == 60
    assert _fingerprint(items_two) == _fingerprint(items_one)
    assert two.summary.to_dict() == one.summary.to_dict()
    assert one.summary.failed == 4


def test_closing_a_parallel_run_early_ends_its_workers() -> None:
    """Stopping a parallel run after a few items ends its worker processes and leaves the summary incomplete."""
    # children this process had before (the isolated durable-rules worker of an earlier test) stay
    before = {p.pid for p in multiprocessing.active_children()}
    # three times: the workers' exit statuses were once raced for by the pool's own thread, which
    # left a finished worker listed as alive for a moment after close() in about one run in eight
    for _ in range(3):
        population = (generate_timeline(SEED, n) for n in range(10_000))
        with evaluate_many(population, processes=2, chunksize=2, progress=False) as run:
            first = [next(run) for _ in range(5)]
        assert [i.case_id for i in first] == [f"case-{SEED}-{n}" for n in range(5)]
        assert not run.summary.complete
        assert run.summary.evaluated == 5
        assert {p.pid for p in multiprocessing.active_children()} <= before


def test_progress_bar_is_written_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """progress=True draws a tqdm bar on stderr and nothing on stdout."""
    items = list(evaluate_many([generate_timeline(SEED, n) for n in range(3)], progress=True))
    assert len(items) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "3/3" in captured.err


def test_streaming_memory_does_not_grow_with_the_number_of_timelines() -> None:
    """Streaming 2000 timelines keeps no more memory, and needs no higher peak, than streaming 200.

    The stream is 200 generated timelines ten times over, so the largest timeline judged (which
    sets the peak) is the same at 200 and at 2000. A full collection runs after each item:
    without it, CPython's free lists (emptied only by a full collection) fill between
    collections, and the traced memory then grows by some 440 kB over 2000 items with nothing
    of the batch alive (no cyclic garbage is found, and a collection of the young generations
    alone frees none of it), which would hide what this test is for: memory the batch itself
    keeps per timeline.
    """
    # evaluate() builds rule-file paths with pathlib, which interns their parts;
    # holding them keeps CPython from resizing its interned-string table
    # (a one-off ~1 MB allocation unrelated to the batch) in the middle of a run.
    rules = load_rules()
    held = [sys.intern(p) for r in rules.rules for p in Path(r.path).parts]
    held += [sys.intern(p) for p in Path(rules.directory).parts]
    for _ in evaluate_many((generate_timeline(SEED, n) for n in range(50)), progress=False):
        pass  # untraced warm-up: imports and caches
    source = (generate_timeline(SEED, n % 200, exclusion_days=0.1) for n in range(2000))
    kept: dict[int, int] = {}
    peak: dict[int, int] = {}
    gc.collect()
    gc.freeze()  # what is alive now is not scanned again: each item's collection stays quick
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for seen, item in enumerate(evaluate_many(source, progress=False), start=1):
            assert item.report is not None
            del item
            gc.collect()
            if seen in (200, 2000):
                current, highest = tracemalloc.get_traced_memory()
                kept[seen], peak[seen] = current - base, highest - base
    finally:
        tracemalloc.stop()
        gc.unfreeze()
    assert held
    assert sorted(kept) == [200, 2000]
    # 1800 more timelines: not 10 bytes more kept for each (a leak of one small object each would show)
    assert kept[2000] - kept[200] < 1800 * 10, kept
    assert peak[2000] < 1.1 * peak[200], peak
