"""The benchmark: ``make bench``.

Generates seeded synthetic populations (samarbeid_rules.testing), evaluates
them end to end (JSON text in -> report JSON out, every duty of the shipped
rule set) and prints, in one run:

- events/s and timelines/s end to end, native engine (and durable-rules);
- the floor: parsing + validating the same JSON with the timeline models alone;
- the durable-rules reference: asserting every event into durable-rules with
  no other work;
- ratios of the above;
- near-linear growth: one timeline with an exclusion 1x..16x as long;
- peak memory (tracemalloc) of streaming batches of growing size;
- the live monitor's per-event latency (p50/p99): the two-week exclusion
  (463 events) and a case of 2 000 events (target p99 <= 0.5 ms);
- batch across processes: 3 200 timelines from a JSON Lines file, as
  ``samarbeid-rules batch --jsonl --junit`` ships them, with one process and
  with two (target >= 1.7x), the outputs compared byte for byte; two
  processes shipping whole reports (the former way), and a local Dask
  cluster of two workers when the dask extra is installed;
- a national year: the generator's timelines drawn to about 12 500
  admissions and 4 500 exclusions (about 0.8 M events), with one process
  and with two.

``--quick`` runs every part at a small size (a smoke run, for CI). Results
are also written to bench/results/latest.json (and a copy named by the git
commit; ``--json PATH`` for another file) for comparison between commits.
Timing uses time.perf_counter; the library itself never reads the clock.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from samarbeid_rules import Timeline, evaluate
from samarbeid_rules._pipeline import compiled
from samarbeid_rules._pipeline.engines.durable import durable_available
from samarbeid_rules._pipeline.evaluate import prepare_rules
from samarbeid_rules.testing import generate_population, generate_timeline

AS_OF = "2027-12-31T12:00:00+01:00"
ROOT = Path(__file__).resolve().parent


def _texts(count: int, seed: int) -> tuple[list[str], int]:
    texts = [json.dumps(d) for d in generate_population(count, seed)]
    events = sum(t.count('"type"') for t in texts)
    return texts, events


def _once(fn) -> float:
    """Seconds of one call of ``fn``, after a full collection."""
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _best_of(fn, repeat: int = 3) -> float:
    return min(_once(fn) for _ in range(repeat))


def _validate_each(texts: list[str]) -> None:
    """The floor: each text parsed and validated, the result dropped at once (as the end-to-end run
    keeps only each report's JSON text): keeping every parsed timeline alive would make the
    garbage collector's passes grow with the population and flatter the ratio."""
    for t in texts:
        Timeline.model_validate_json(t)


#: timelines per slice of a population timed side by side with the floor (about 0.1 s of work)
_SLICE = 100


def _side_by_side(texts: list[str], fns, repeat: int) -> list[float]:
    """The time of each of ``fns`` over ``texts``: each slice of ``_SLICE`` timelines is run by each
    function in turn, ``repeat`` times (a, b, a, b, ...), and the best time of each function on each
    slice is added up. A shared machine's speed can change by half within a minute; timed slice by
    slice side by side, the floor and the end-to-end run see the same phases, so their ratio is not
    skewed by a phase that fell on one of them only."""
    total = [0.0] * len(fns)
    for lo in range(0, len(texts), _SLICE):
        part = texts[lo : lo + _SLICE]
        best = [float("inf")] * len(fns)
        for _ in range(repeat):
            for i, fn in enumerate(fns):
                best[i] = min(best[i], _once(lambda: fn(part)))
        total = [t + b for t, b in zip(total, best)]
    return total


def _evaluate_each(texts: list[str]) -> list[str]:
    """End to end: each text evaluated and its report written as JSON (the texts kept, as a caller
    that sends them on would)."""
    return [evaluate(t, as_of=AS_OF).to_json() for t in texts]


def bench_throughput(texts: list[str], events: int) -> dict:
    out: dict = {"timelines": len(texts), "events": events}
    floor, native = _side_by_side(texts, [_validate_each, _evaluate_each], repeat=3)
    out["floor_validate_events_per_s"] = events / floor
    out["native_events_per_s"] = events / native
    out["native_timelines_per_s"] = len(texts) / native
    out["native_vs_floor"] = floor / native
    ok, why = durable_available()
    if ok:
        from samarbeid_rules._pipeline.engines.durable import durable_engine
        from samarbeid_rules._pipeline.facts import derive_facts
        from samarbeid_rules._inputs.profile import default_profile

        rules = prepare_rules(None)
        eng = durable_engine()
        records = []
        for t in texts:
            tl = Timeline.model_validate_json(t)
            facts = derive_facts(tl, tl.events and max(e.at for e in tl.events), default_profile())
            records.append([f.record for f in facts.ordered])
        post = _best_of(lambda: [eng.classify(rules, r) for r in records], repeat=1)
        out["durable_post_only_events_per_s"] = events / post
        durable = _best_of(lambda: [evaluate(t, as_of=AS_OF, engine="durable-rules").to_json() for t in texts], repeat=1)
        out["durable_events_per_s"] = events / durable
        out["durable_vs_floor"] = floor / durable
        out["native_vs_durable_post_only"] = post / native
    else:
        out["durable_skipped"] = why
    return out


def bench_scaling(base_days: float) -> dict:
    rows = []
    for factor in (1, 2, 4, 8, 16):
        data = generate_timeline("scale", 0, exclusion_days=base_days * factor)
        text = json.dumps(data)
        n = len(data["events"])
        secs = _best_of(lambda: evaluate(text, as_of=AS_OF).to_json(), repeat=5)
        rows.append({"factor": factor, "events": n, "seconds": secs})
    base = rows[0]
    for r in rows:
        r["events_ratio"] = r["events"] / base["events"]
        r["time_ratio"] = r["seconds"] / base["seconds"]
    return {"rows": rows, "time_ratio_16x": rows[-1]["time_ratio"], "events_ratio_16x": rows[-1]["events_ratio"]}


def bench_memory(sizes: list[int]) -> dict:
    rows = []
    for count in sizes:
        gc.collect()
        tracemalloc.start()
        n = 0
        for data in generate_population(count, seed=7):
            report = evaluate(data, as_of=AS_OF)
            n += report.summary["obligations"]
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"timelines": count, "peak_bytes": peak, "obligations": n})
    return {"rows": rows, "peak_ratio_largest_vs_smallest": rows[-1]["peak_bytes"] / rows[0]["peak_bytes"]}


def _percentiles(lat: list[float]) -> dict:
    lat = sorted(lat)
    return {
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000,
        "max_ms": lat[-1] * 1000,
    }


def bench_monitor(passes: int = 3) -> dict | None:
    """Per-event latency of ``Monitor.add`` + ``worklist``: a minor's two-week exclusion (463 events)."""
    return _monitor_passes(generate_timeline("monitor", 0, exclusion_days=14), passes)


def _monitor_passes(data: dict, passes: int) -> dict | None:
    """Per-event latency of ``Monitor.add`` + ``worklist``: the same case fed ``passes`` times to a
    fresh monitor. The headline figures take each event's best pass (as the throughput figures
    take the best of three runs: garbage collection and the machine's other work fall on random
    events); the single-pass figures are the worst of the passes, jitter included."""
    try:
        from samarbeid_rules import Monitor  # type: ignore[attr-defined]
    except ImportError:
        return None
    tl = Timeline.model_validate(data)
    events = sorted(tl.events, key=lambda e: e.at)
    runs = []
    for _ in range(passes):
        mon = Monitor(case_id=tl.case_id, person=tl.person, prison_id=tl.prison_id)
        lat = []
        for ev in events:
            t0 = time.perf_counter()
            mon.add(ev)
            mon.worklist(as_of=ev.at)
            lat.append(time.perf_counter() - t0)
        runs.append(lat)
    best = [min(per_event) for per_event in zip(*runs)]
    singles = [_percentiles(lat) for lat in runs]
    return {
        "events": len(events),
        "passes": passes,
        **_percentiles(best),
        "single_pass_p50_ms": max(r["p50_ms"] for r in singles),
        "single_pass_p99_ms": max(r["p99_ms"] for r in singles),
        "single_pass_max_ms": max(r["max_ms"] for r in singles),
    }


def bench_monitor_long(target_events: int = 2000, passes: int = 3) -> dict | None:
    """The monitor's per-event latency on one case of about ``target_events`` events: a long exclusion
    (looks every 30-58 minutes), the shortest one of at least that many events."""
    days = 14.0
    while len(generate_timeline("monitor-long", 0, exclusion_days=days)["events"]) < target_events:
        days += 2
    out = _monitor_passes(generate_timeline("monitor-long", 0, exclusion_days=days), passes)
    if out is not None:
        out["exclusion_days"] = days
    return out


def national_year(seed: int | str = 2026, admissions: int = 12_500, exclusions: int = 4_500) -> list[str]:
    """JSON texts of a national year: the generator's timelines in order, each taken while the year still
    has room for its admission and its exclusions (the generator's own mix has more exclusions than
    the national figures), until both counts are reached."""
    texts: list[str] = []
    left_adm, left_excl = admissions, exclusions
    n = 0
    while left_adm > 0 and n < 20 * admissions:
        data = generate_timeline(seed, n)
        n += 1
        k = sum(1 for e in data["events"] if e["type"] == "exclusion_started")
        if k > left_excl or (k == 0 and left_adm <= left_excl):
            continue  # the rest of the year is for timelines with exclusions
        texts.append(json.dumps(data))
        left_adm -= 1
        left_excl -= k
    return texts


#: CPU seconds (user + system) of this process and of its ended, waited-for children, per run
CPU: list[dict] = []


def _cpu() -> tuple[float, float]:
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _batch_seconds(source, processes: int, ship, executor=None) -> tuple[float, str, dict]:
    """One run of evaluate_many over ``source``: its time, a digest of what came back, the summary.
    The CPU time of the caller and of the run's worker processes goes to CPU (a Dask cluster's
    workers are not this process's children: not counted)."""
    import hashlib

    from samarbeid_rules import evaluate_many

    digest = hashlib.sha256()
    gc.collect()
    me0, kids0 = _cpu()
    t0 = time.perf_counter()
    run = evaluate_many(source, processes=processes, ship=ship, executor=executor, progress=False)
    for item in run:
        shipped = item.shipped if ship != "report" else (item.report.to_json() if item.report else item.error)
        digest.update(repr(shipped).encode("utf-8", "surrogatepass"))
    secs = time.perf_counter() - t0
    me1, kids1 = _cpu()
    CPU.append({"caller_cpu_s": me1 - me0, "workers_cpu_s": kids1 - kids0})
    return secs, digest.hexdigest(), run.summary.to_dict()


def _cpu_figures(out: dict, one_cpu: dict, two_cpu: dict) -> None:
    """What the CPU times say, whatever else runs on the machine: the caller's share of a two-process
    run, and the speed-up two free cores would give at best: the one-process run's CPU time over the
    two-process run's total CPU time shared by two cores (or the caller's alone, if larger)."""
    out["one_process_cpu_s"] = one_cpu["caller_cpu_s"]
    out["two_processes_caller_cpu_s"] = two_cpu["caller_cpu_s"]
    out["two_processes_workers_cpu_s"] = two_cpu["workers_cpu_s"]
    total = two_cpu["caller_cpu_s"] + two_cpu["workers_cpu_s"]
    out["cpu_bound_speedup_2_vs_1"] = one_cpu["caller_cpu_s"] / max(two_cpu["caller_cpu_s"], total / 2)


def bench_batch(count: int, tmp: Path, dask: bool = True) -> dict:
    """1 versus 2 processes on ``count`` timelines of a JSON Lines file, shipped as the command line ships
    them (JSON Lines and JUnit text made in the workers); the outputs must be identical."""
    import functools

    from samarbeid_rules._cli.batch import ship_outputs

    path = tmp / f"population-{count}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for data in generate_population(count, seed=2026):
            fh.write(json.dumps(data, separators=(",", ":")) + "\n")
    events = sum(line.count('"type"') for line in path.open(encoding="utf-8"))
    ship = functools.partial(ship_outputs, jsonl=True, junit=True)
    one, d1, s1 = _batch_seconds(path, 1, ship)
    two, d2, s2 = _batch_seconds(path, 2, ship)
    if (d1, s1) != (d2, s2):
        raise SystemExit("batch: two processes gave different outputs from one process")
    out: dict = {
        "timelines": count, "events": events, "one_process_s": one, "two_processes_s": two,
        "speedup_2_vs_1": one / two, "outputs_identical": True,
    }
    _cpu_figures(out, CPU[-2], CPU[-1])
    rep, _, srep = _batch_seconds(path, 2, "report")
    out["two_processes_shipping_reports_s"] = rep
    out["speedup_2_shipping_reports_vs_1"] = one / rep
    out["two_processes_shipping_reports_caller_cpu_s"] = CPU[-1]["caller_cpu_s"]
    out["two_processes_shipping_reports_workers_cpu_s"] = CPU[-1]["workers_cpu_s"]
    if dask:
        try:
            import importlib
            import logging

            from distributed import Client, LocalCluster
        except ImportError:
            out["dask_skipped"] = "the dask extra is not installed"
        else:
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                              silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
                # the cluster is up and its workers have imported the library before the clock starts,
                # as a long-lived cluster's would have
                client.run(importlib.import_module, "samarbeid_rules._uses.batch")
                secs, dd, sd = _batch_seconds(path, 1, ship, executor=client.get_executor())
            if (dd, sd) != (d1, s1):
                raise SystemExit("batch: the Dask cluster gave different outputs from one process")
            out["dask_2_workers_s"] = secs
            out["speedup_dask_2_vs_1"] = one / secs
    return out


def bench_national_year(quick: bool) -> dict:
    scale = 10 if quick else 1
    t0 = time.perf_counter()
    texts = national_year(admissions=12_500 // scale, exclusions=4_500 // scale)
    made = time.perf_counter() - t0
    events = sum(t.count('"type"') for t in texts)
    exclusions = sum(t.count('"exclusion_started"') for t in texts)
    one, d1, s1 = _batch_seconds(texts, 1, "json")
    two, d2, s2 = _batch_seconds(texts, 2, "json")
    if (d1, s1) != (d2, s2):
        raise SystemExit("national year: two processes gave different reports from one process")
    out = {
        "admissions": len(texts), "exclusions": exclusions, "events": events, "generated_s": made,
        "one_process_s": one, "two_processes_s": two, "speedup_2_vs_1": one / two,
        "one_process_events_per_s": events / one, "obligations": s1["obligations"], "breaches": s1["breaches"],
    }
    _cpu_figures(out, CPU[-2], CPU[-1])
    return out


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


PARTS = ("throughput", "scaling", "memory", "monitor", "batch", "national")


def _print_monitor(label: str, monitor: dict, target: str) -> None:
    print(f"live monitor, {label}: {monitor['events']} events, best of {monitor['passes']} passes per event: "
          f"p50 {monitor['p50_ms']:.3f} ms, p99 {monitor['p99_ms']:.3f} ms, max {monitor['max_ms']:.3f} ms "
          f"({target})")
    print(f"  single pass (worst of the {monitor['passes']}, jitter and garbage collection included): "
          f"p50 {monitor['single_pass_p50_ms']:.3f} ms, p99 {monitor['single_pass_p99_ms']:.3f} ms, "
          f"max {monitor['single_pass_max_ms']:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,800,3200", help="population sizes (timelines)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"which parts to run (default all: {','.join(PARTS)})")
    ap.add_argument("--batch-size", type=int, default=3200, help="timelines of the 1- vs 2-process run")
    ap.add_argument("--json", default=None, metavar="PATH", help="also write the results to PATH")
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        ap.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))}")
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes = [50, 100]
    results: dict = {
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": _load(),
        "quick": args.quick,
        "timing_stage": compiled.state(),  # "compiled" (mypyc, as make builds it) or "pure: why"
        "throughput": [],
    }
    print(f"samarbeid-rules benchmark (commit {results['commit']}, Python {results['python']}, "
          f"{results['cpu_count']} CPUs, load average {results['load_average_at_start']}; one core unless said)")
    print(f"timing stage: {results['timing_stage']}")
    print()
    if "throughput" in parts:
        print(f"{'timelines':>9} {'events':>8} {'floor ev/s':>11} {'native ev/s':>12} {'tl/s':>7} {'ratio':>6}"
              f" {'durable post ev/s':>18} {'durable e2e ev/s':>17}")
        for count in sizes:
            texts, events = _texts(count, seed=2026)
            row = bench_throughput(texts, events)
            results["throughput"].append(row)
            print(
                f"{row['timelines']:>9} {row['events']:>8} {row['floor_validate_events_per_s']:>11,.0f} "
                f"{row['native_events_per_s']:>12,.0f} {row['native_timelines_per_s']:>7,.0f} "
                f"{row['native_vs_floor']:>6.2f} "
                f"{row.get('durable_post_only_events_per_s', float('nan')):>18,.0f} "
                f"{row.get('durable_events_per_s', float('nan')):>17,.0f}"
            )
        print("  ratio = end-to-end native throughput / validation-only floor (target >= 0.30, issue 15)")
        last = results["throughput"][-1]
        if "durable_post_only_events_per_s" in last:
            print(f"  native end-to-end is {last['native_vs_durable_post_only']:.2f}x durable-rules posting alone")
        print()
    if "scaling" in parts:
        scaling = bench_scaling(base_days=2 if args.quick else 4)
        results["scaling"] = scaling
        print("growth with one timeline's length (one exclusion, looks every 30-58 min):")
        for r in scaling["rows"]:
            print(f"  x{r['factor']:<3} {r['events']:>6} events  {r['seconds'] * 1000:8.2f} ms"
                  f"  events x{r['events_ratio']:.1f}  time x{r['time_ratio']:.2f}")
        print(f"  16x the events took {scaling['time_ratio_16x']:.2f}x the time (target <= 18x)")
        print()
    if "memory" in parts:
        mem_sizes = [100, 400, 1600] if not args.quick else [20, 80]
        memory = bench_memory(mem_sizes)
        results["memory"] = memory
        print("peak memory of a streaming batch (tracemalloc):")
        for r in memory["rows"]:
            print(f"  {r['timelines']:>6} timelines  peak {r['peak_bytes'] / 1e6:7.2f} MB")
        print(f"  largest/smallest peak: {memory['peak_ratio_largest_vs_smallest']:.2f} (flat is ~1)")
        print()
    if "monitor" in parts:
        monitor = bench_monitor()
        if monitor is not None:
            results["monitor"] = monitor
            _print_monitor("two-week exclusion", monitor, "target p99 < 1 ms")
        long = bench_monitor_long(400 if args.quick else 2000)
        if long is not None:
            results["monitor_2000"] = long
            _print_monitor(f"{long['exclusion_days']:g}-day exclusion", long, "target p99 <= 0.5 ms")
        print()
    if "batch" in parts:
        import tempfile

        count = 200 if args.quick else args.batch_size
        with tempfile.TemporaryDirectory() as tmp:
            batch = bench_batch(count, Path(tmp))
        results["batch"] = batch
        print(f"batch across processes: {batch['timelines']} timelines ({batch['events']} events) from JSON Lines, "
              f"shipped as `batch --jsonl --junit` ships them:")
        print(f"  1 process {batch['one_process_s']:.2f} s, 2 processes {batch['two_processes_s']:.2f} s: "
              f"{batch['speedup_2_vs_1']:.2f}x (target >= 1.70x); outputs identical")
        print(f"  CPU: 1 process {batch['one_process_cpu_s']:.1f} s; 2 processes: caller "
              f"{batch['two_processes_caller_cpu_s']:.1f} s, workers {batch['two_processes_workers_cpu_s']:.1f} s; "
              f"on two free cores that is {batch['cpu_bound_speedup_2_vs_1']:.2f}x")
        print(f"  2 processes shipping whole reports (the former way): {batch['two_processes_shipping_reports_s']:.2f} s,"
              f" {batch['speedup_2_shipping_reports_vs_1']:.2f}x; CPU: caller "
              f"{batch['two_processes_shipping_reports_caller_cpu_s']:.1f} s, workers "
              f"{batch['two_processes_shipping_reports_workers_cpu_s']:.1f} s")
        if "dask_2_workers_s" in batch:
            print(f"  a local Dask cluster of 2 worker processes: {batch['dask_2_workers_s']:.2f} s, "
                  f"{batch['speedup_dask_2_vs_1']:.2f}x; outputs identical")
        else:
            print(f"  Dask: skipped ({batch.get('dask_skipped')})")
        print()
    if "national" in parts:
        year = bench_national_year(args.quick)
        results["national_year"] = year
        print(f"a national year{' (a tenth: --quick)' if args.quick else ''}: {year['admissions']} admissions, "
              f"{year['exclusions']} exclusions, {year['events']} events (generated in {year['generated_s']:.1f} s); "
              f"JSON text in, report JSON out:")
        print(f"  1 process {year['one_process_s']:.1f} s ({year['one_process_events_per_s']:,.0f} events/s), "
              f"2 processes {year['two_processes_s']:.1f} s: {year['speedup_2_vs_1']:.2f}x; "
              f"{year['obligations']} obligations, {year['breaches']} breaches")
        print(f"  CPU: 1 process {year['one_process_cpu_s']:.1f} s; 2 processes: caller "
              f"{year['two_processes_caller_cpu_s']:.1f} s, workers {year['two_processes_workers_cpu_s']:.1f} s; "
              f"on two free cores that is {year['cpu_bound_speedup_2_vs_1']:.2f}x")
        print()
    results["load_average_at_end"] = _load()
    print(f"load average at the end: {results['load_average_at_end']} (on {results['cpu_count']} CPUs)")
    out_dir = ROOT / "results"
    out_dir.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2, sort_keys=True)
    (out_dir / "latest.json").write_text(text)
    (out_dir / f"{results['commit']}.json").write_text(text)
    written = [out_dir / "latest.json"]
    if args.json:
        Path(args.json).write_text(text)
        written.append(Path(args.json))
    print(f"results written to {', '.join(str(p) for p in written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
