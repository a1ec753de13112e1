"""What a batch ships back (``ship=``) and where it runs (``executor=``): the same items everywhere.

Issue 15: workers send back only what the caller asked for (the report's JSON, the counts, what a
function of the item returns: the command line's JSON Lines and JUnit text), and any
``concurrent.futures.Executor`` (a Dask cluster's too) evaluates chunks of whole timelines with the
same results as a local run. Speed is measured by ``make bench``, not here.
"""

from __future__ import annotations

import functools
import json
import operator
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from samarbeid_rules import BatchAbortedError, BatchItem, evaluate_many
from samarbeid_rules._cli.batch import ship_outputs
from samarbeid_rules._outputs.ci import jsonl_lines, junit_suite
from samarbeid_rules.testing import generate_timeline

SEED = 1515


def _broken(n: int) -> dict:
    """A timeline whose second event has a naive instant (it fails validation)."""
    return {
        "case_id": f"broken-{n}",
        "person": {"id": f"p-{n}", "birth_date": "1990-01-01"},
        "events": [
            {"id": "a1", "type": "admitted", "at": "2025-03-01T10:00:00+01:00", "custody_kind": "remand"},
            {"id": "bad7", "type": "released", "at": "2025-03-02T10:00:00"},
        ],
    }


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines file: 40 generated timelines, two that fail validation, an empty line."""
    path = tmp_path_factory.mktemp("ship") / "population.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(40):
            fh.write(json.dumps(_broken(n) if n in (7, 30) else generate_timeline(SEED, n)) + "\n")
        fh.write("\n")
    return path


@pytest.fixture(scope="module")
def reference(population: Path) -> tuple[list[BatchItem], dict]:
    """The local one-process run that ships whole reports."""
    run = evaluate_many(population, progress=False)
    items = list(run)
    return items, run.summary.to_dict()


def _common(items: list[BatchItem]) -> list[tuple]:
    return [(i.location, i.case_id, i.error, i.error_kind, i.outcomes) for i in items]


def _ci_text(item: BatchItem) -> tuple[str, str]:
    return "".join(line + "\n" for line in jsonl_lines([item])), junit_suite(item)


def test_items_carry_outcomes_from_their_report(reference: tuple[list[BatchItem], dict]) -> None:
    """Every evaluated item has one (duty, status, breach) per obligation, in report order; a failed one none."""
    items, summary = reference
    evaluated = [i for i in items if i.ok]
    assert len(evaluated) == 38 and summary["failed"] == 2
    for item in evaluated:
        assert item.report is not None
        assert item.outcomes == tuple((o.duty_id, o.status.value, o.breach) for o in item.report.obligations)
        assert item.breached == any(o.breach for o in item.report.obligations)
    assert sum(len(i.outcomes or ()) for i in evaluated) == summary["obligations"]
    assert [i.outcomes for i in items if not i.ok] == [None, None]
    assert any(i.breached for i in evaluated) and not all(i.breached for i in evaluated)


@pytest.mark.parametrize("processes", [1, 2])
def test_ship_json_counts_and_a_function_give_the_same_items_without_reports(
    population: Path, reference: tuple[list[BatchItem], dict], processes: int
) -> None:
    """ship="json" sends the report's JSON text, "counts" only the outcomes, a function its result; with one
    process and with two, the items and the summary equal the run that ships reports."""
    items, summary = reference
    for ship in ("json", "counts", operator.attrgetter("case_id")):
        run = evaluate_many(population, processes=processes, chunksize=3, ship=ship, progress=False)
        got = list(run)
        assert _common(got) == _common(items)
        assert run.summary.to_dict() == summary
        assert all(i.report is None for i in got)
        if ship == "json":
            assert [i.shipped for i in got] == [i.report.to_json() if i.report else None for i in items]
        elif ship == "counts":
            assert all(i.shipped is None for i in got)
        else:  # the function is called for failed items too
            assert [i.shipped for i in got] == [i.case_id for i in items]


def test_the_command_lines_shipping_function_gives_the_ci_outputs_of_the_report(
    population: Path, reference: tuple[list[BatchItem], dict]
) -> None:
    """ship_outputs, run in the workers, makes exactly the JSON Lines and JUnit text of each report."""
    items, _ = reference
    ship = functools.partial(ship_outputs, jsonl=True, junit=True)
    got = list(evaluate_many(population, processes=2, ship=ship, progress=False))
    assert [i.shipped for i in got] == [_ci_text(i) for i in items]
    only_jsonl = list(evaluate_many(population, ship=functools.partial(ship_outputs, jsonl=True, junit=False),
                                    progress=False))
    assert [i.shipped for i in only_jsonl] == [(_ci_text(i)[0], None) for i in items]


def test_an_item_without_its_report_is_refused_by_the_outputs_not_taken_for_a_failure(population: Path) -> None:
    """JUnit, JSON Lines and the result tables refuse an evaluated item that carries no report (ship="counts"):
    it would otherwise look like a failed timeline, or be left out."""
    item = next(i for i in evaluate_many(population, ship="counts", progress=False) if i.ok)
    with pytest.raises(ValueError, match="carries no report"):
        list(jsonl_lines([item]))
    with pytest.raises(ValueError, match="carries no report"):
        junit_suite(item)
    pytest.importorskip("pandas", reason="the result tables need the analysis extra")
    from samarbeid_rules.notebook import batch_dataframe
    from samarbeid_rules.tables import result_tables

    with pytest.raises(ValueError, match="carries no report"):
        result_tables([item])
    with pytest.raises(ValueError, match="carries no report"):
        batch_dataframe([item])


def test_ship_and_executor_are_checked_before_any_timeline_is_read(population: Path) -> None:
    with pytest.raises(ValueError, match="ship must be one of report, json, counts"):
        evaluate_many(population, ship="rows")
    with pytest.raises(TypeError, match="must be a concurrent.futures.Executor"):
        evaluate_many(population, executor=object())  # type: ignore[arg-type]
    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(ValueError, match="processes or an executor, not both"):
            evaluate_many(population, executor=pool, processes=2)


def _spawn_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"))


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_any_executor_gives_the_same_items_and_is_left_running(
    population: Path, reference: tuple[list[BatchItem], dict], kind: str
) -> None:
    """A caller's ThreadPoolExecutor or ProcessPoolExecutor evaluates the chunks; the items equal a local run's;
    the run does not shut the caller's executor down."""
    items, summary = reference
    pool: Executor = ThreadPoolExecutor(2) if kind == "threads" else _spawn_pool(2)
    with pool:
        run = evaluate_many(population, executor=pool, ship="json", chunksize=4, progress=False)
        got = list(run)
        assert _common(got) == _common(items)
        assert [i.shipped for i in got] == [i.report.to_json() if i.report else None for i in items]
        assert run.summary.to_dict() == summary
        assert pool.submit(operator.add, 2, 3).result() == 5


def test_an_executor_reads_directory_files_in_the_caller_with_the_same_messages(tmp_path: Path) -> None:
    """Files are read by the caller for an executor (its workers may not see them): the same items, also for a
    file that is not JSON and one that does not validate."""
    d = tmp_path / "cases"
    d.mkdir()
    for n in range(6):
        (d / f"t{n}.json").write_text(json.dumps(generate_timeline(SEED, n)), encoding="utf-8")
    (d / "t2.json").write_text("{not json", encoding="utf-8")
    (d / "t4.json").write_text(json.dumps(_broken(4)), encoding="utf-8")
    local = list(evaluate_many(d, ship="json", progress=False))
    with _spawn_pool(2) as pool:
        remote = list(evaluate_many(d, ship="json", executor=pool, chunksize=2, progress=False))
    assert [(i.location, i.error, i.shipped) for i in remote] == [(i.location, i.error, i.shipped) for i in local]
    assert [i.ok for i in local] == [True, True, False, True, False, True]


def _die_on_the_fifth(item: BatchItem) -> str:
    """A ship function that kills its worker process at the fifth timeline (a stand-in for the OOM killer)."""
    if item.location.endswith(":5"):
        os._exit(9)
    return item.location


def test_a_dead_worker_of_a_callers_process_pool_ends_the_run_with_batch_aborted(population: Path) -> None:
    """A worker of the caller's ProcessPoolExecutor that dies breaks it: BatchAbortedError naming the first
    location whose result was lost, the summary incomplete, no hang."""
    with _spawn_pool(2) as pool:
        run = evaluate_many(population, executor=pool, ship=_die_on_the_fifth, chunksize=2, progress=False)
        seen = []
        with pytest.raises(BatchAbortedError, match="worker process died") as caught:
            for item in run:
                seen.append(item.location)
    # the chunks before the lost one (lines 1-2, 3-4) may or may not have come back before the pool broke
    locations = [f"{population}:{n}" for n in range(1, 6)]
    assert len(seen) <= 4 and seen == locations[:len(seen)]
    assert caught.value.location == locations[len(seen)]
    assert run.summary.complete is False and "worker" in (run.summary.incomplete_reason or "")


def test_a_local_dask_cluster_gives_the_same_items_as_a_local_run(
    population: Path, reference: tuple[list[BatchItem], dict]
) -> None:
    """Dask's executor (distributed.Client.get_executor) on a real local cluster of two worker processes:
    the same items, in source order, and the same summary, as one local process."""
    distributed = pytest.importorskip(
        "distributed", reason="the dask extra is not installed (pip install 'samarbeid-rules[dask]')"
    )
    items, summary = reference
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address="127.0.0.1:0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        run = evaluate_many(population, executor=client.get_executor(), ship="json", chunksize=4, progress=False)
        got = list(run)
        reports = list(evaluate_many(population, executor=client.get_executor(), progress=False))
        workers = client.run(os.getpid)
    assert len(workers) == 2 and os.getpid() not in workers.values()
    assert _common(got) == _common(items)
    assert [i.shipped for i in got] == [i.report.to_json() if i.report else None for i in items]
    assert [i.report.to_json() if i.report else None for i in reports] == \
        [i.report.to_json() if i.report else None for i in items]
    assert run.summary.to_dict() == summary


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_started_either_way_give_the_same_items(
    population: Path, reference: tuple[list[BatchItem], dict], method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers started by fork (the library inherited) and by spawn (started clean) ship the same items."""
    from samarbeid_rules._uses import batch

    monkeypatch.setattr(batch, "start_method", lambda: method)
    items, summary = reference
    run = evaluate_many(population, processes=2, chunksize=5, ship="json", progress=False)
    got = list(run)
    assert [i.shipped for i in got] == [i.report.to_json() if i.report else None for i in items]
    assert run.summary.to_dict() == summary


def test_workers_fork_only_when_the_process_has_no_other_thread() -> None:
    """start_method is "fork" in a process of one thread (on Linux) and "spawn" while another thread runs."""
    import subprocess
    import sys
    import threading

    from samarbeid_rules._uses.batch import start_method

    code = "from samarbeid_rules._uses.batch import start_method; print(start_method())"
    alone = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert alone == ("fork" if sys.platform.startswith("linux") else "spawn")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == "spawn"
    finally:
        stop.set()
        other.join()
