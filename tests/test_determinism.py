"""Determinism: the same input gives byte-identical report JSON.

Across repeated runs, input forms, PYTHONHASHSEED values, threads, worker
processes (``evaluate_many`` and a ``ProcessPoolExecutor``) and — where it can
run — the durable-rules engine, which must leave no live session behind.
"""

from __future__ import annotations

import functools
import multiprocessing
import json
import os
import random
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from samarbeid_rules import evaluate, evaluate_many, load_timeline
from samarbeid_rules._pipeline.engines.durable import durable_available
from samarbeid_rules.testing import generate_timeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))

DURABLE_OK, DURABLE_WHY = durable_available()
needs_durable = pytest.mark.skipif(not DURABLE_OK, reason=DURABLE_WHY or "durable-rules unavailable")
ENGINES = [
    pytest.param("native", id="native"),
    pytest.param("durable-rules", id="durable-rules", marks=needs_durable),
]


def cases() -> list[tuple[str, object]]:
    """(label, timeline source): every example file, and synthetic timelines of a fixed seed."""
    out: list[tuple[str, object]] = [(p.name, p) for p in EXAMPLES]
    out += [(f"synthetic-{n}", generate_timeline("determinism", n)) for n in range(12)]
    return out


def report_json(source: object, engine: str = "native") -> str:
    return evaluate(source, engine=engine).to_json()


def live_sessions() -> int:
    from samarbeid_rules._pipeline.engines.durable import durable_engine

    return durable_engine().live_sessions()


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    """Report JSON of every case on the native engine, computed once in this process."""
    return {label: report_json(src) for label, src in cases()}


def test_examples_are_present():
    """The example timelines the determinism checks rely on are there."""
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("engine", ENGINES)
def test_repeated_runs_give_identical_bytes(expected, engine):
    """Evaluating every case three times gives the same bytes each time (and the same as native, apart from the engine name)."""
    for label, src in cases():
        runs = {report_json(src, engine) for _ in range(3)}
        assert len(runs) == 1, label
        (only,) = runs
        assert json.loads(only) | {"engine": "native"} == json.loads(expected[label]), label
    if engine == "durable-rules":
        assert live_sessions() == 0


def test_input_forms_give_identical_bytes(expected):
    """A timeline given as a path, JSON text, JSON bytes, a dict or a Timeline gives the same bytes."""
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        forms = [str(path), path, text, text.encode("utf-8"), json.loads(text), load_timeline(path)]
        assert {evaluate(f).to_json() for f in forms} == {expected[path.name]}, path.name


def test_indented_json_is_the_same_document(expected):
    """to_json(indent=2) is deterministic too, and the same document as the one-line default."""
    for label, src in cases():
        indented = {evaluate(src).to_json(indent=2) for _ in range(2)}
        assert len(indented) == 1
        text = indented.pop()
        assert "\n  " in text and "\n" not in expected[label]
        assert json.loads(text) == json.loads(expected[label])


_HASHSEED_SCRIPT = """
import hashlib, json, sys
from samarbeid_rules import evaluate
from samarbeid_rules.testing import generate_timeline
paths, engines = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sources = list(paths) + [generate_timeline("determinism", n) for n in range(12)]
for engine in engines:
    for src in sources:
        text = evaluate(src, engine=engine).to_json()
        print(engine, hashlib.sha256(text.encode()).hexdigest(), len(text))
"""


def test_pythonhashseed_does_not_change_the_bytes(expected):
    """Subprocesses with PYTHONHASHSEED=0, 1 and 12345 print the same report hashes, equal to this process's."""
    engines = ["native"] + (["durable-rules"] if DURABLE_OK else [])
    outputs = {}
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join(sys.path)}
        proc = subprocess.run(
            [sys.executable, "-c", _HASHSEED_SCRIPT, json.dumps([str(p) for p in EXAMPLES]), json.dumps(engines)],
            capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        outputs[seed] = proc.stdout
    assert outputs["0"] == outputs["1"] == outputs["12345"]
    import hashlib

    native = [
        f"native {hashlib.sha256(expected[label].encode()).hexdigest()} {len(expected[label])}"
        for label, _ in cases()
    ]
    assert outputs["0"].splitlines()[: len(native)] == native


@pytest.mark.parametrize("engine", ENGINES)
def test_eight_threads_give_identical_bytes(expected, engine):
    """Eight threads evaluating every case (each thread in its own shuffled order) give the sequential bytes."""
    all_cases = cases()
    reference = {label: report_json(src, engine) for label, src in all_cases}
    if engine == "native":
        assert reference == expected

    def worker(seed: int) -> dict[str, str]:
        order = list(all_cases)
        random.Random(seed).shuffle(order)
        return {label: report_json(src, engine) for label, src in order}

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, range(8)))
    for result in results:
        assert result == reference
    if engine == "durable-rules":
        assert live_sessions() == 0


def _batch(items, processes: int, engine: str) -> tuple[list[tuple], dict]:
    run = evaluate_many(items, processes=processes, engine=engine, chunksize=3)
    out = [(i.location, i.case_id, i.error, i.report.to_json() if i.report else None) for i in run]
    return out, run.summary.to_dict()


@pytest.mark.parametrize("engine", ENGINES)
def test_evaluate_many_with_two_processes_gives_identical_bytes(expected, engine):
    """evaluate_many with processes=2 gives the same items, in the same order, and the same summary as processes=1."""
    items = [(label, src) for label, src in cases()]
    items.append(("broken", {"case_id": "broken", "person": {"id": "p", "birth_date": "1990-01-01"},
                             "events": "not a list"}))
    one, one_summary = _batch(items, 1, engine)
    two, two_summary = _batch(items, 2, engine)
    assert two == one
    assert two_summary == one_summary
    assert one_summary["complete"] and one_summary["failed"] == 1
    if engine == "native":
        assert {loc: rep for loc, _, _, rep in one if rep is not None} == expected
    else:
        assert live_sessions() == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_process_pool_gives_identical_bytes(expected, engine):
    """Reports computed in a ProcessPoolExecutor (2 workers) serialise to the same bytes as in this process."""
    all_cases = cases()
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        reports = list(pool.map(functools.partial(evaluate, engine=engine), [src for _, src in all_cases]))
    got = {label: r.to_json() for (label, _), r in zip(all_cases, reports)}
    if engine == "native":
        assert got == expected
    else:
        assert got == {label: report_json(src, engine) for label, src in all_cases}
        assert live_sessions() == 0


@needs_durable
def test_durable_engine_leaves_no_live_sessions_after_failures():
    """Evaluations that fail validation, and ones that succeed, leave the durable-rules engine without live sessions."""
    from samarbeid_rules import SamarbeidError

    for label, src in cases():
        evaluate(src, engine="durable-rules")
        with pytest.raises(SamarbeidError):
            evaluate({"case_id": label, "person": {}, "events": []}, engine="durable-rules")
    assert live_sessions() == 0
