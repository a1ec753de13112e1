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
- the live monitor's per-event latency (p50/p99), when the monitor exists.

Results are also written to bench/results/latest.json (and a copy named by
the git commit) for comparison between commits. Timing uses
time.perf_counter; the library itself never reads the clock.
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
from samarbeid_rules._pipeline.engines.durable import durable_available
from samarbeid_rules._pipeline.evaluate import prepare_rules
from samarbeid_rules.testing import generate_population, generate_timeline

AS_OF = "2027-12-31T12:00:00+01:00"
ROOT = Path(__file__).resolve().parent


def _texts(count: int, seed: int) -> tuple[list[str], int]:
    texts = [json.dumps(d) for d in generate_population(count, seed)]
    events = sum(t.count('"type"') for t in texts)
    return texts, events


def _best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _validate_each(texts: list[str]) -> None:
    """The floor: each text parsed and validated, the result dropped at once (as the end-to-end run
    keeps only each report's JSON text): keeping every parsed timeline alive would make the
    garbage collector's passes grow with the population and flatter the ratio."""
    for t in texts:
        Timeline.model_validate_json(t)


def bench_throughput(texts: list[str], events: int) -> dict:
    out: dict = {"timelines": len(texts), "events": events}
    floor = _best_of(lambda: _validate_each(texts))
    out["floor_validate_events_per_s"] = events / floor
    native = _best_of(lambda: [evaluate(t, as_of=AS_OF).to_json() for t in texts])
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
    """Per-event latency of ``Monitor.add`` + ``worklist``: the same case fed ``passes`` times to a
    fresh monitor. The headline figures take each event's best pass (as the throughput figures
    take the best of three runs: garbage collection and the machine's other work fall on random
    events); the single-pass figures are the worst of the passes, jitter included."""
    try:
        from samarbeid_rules import Monitor  # type: ignore[attr-defined]
    except ImportError:
        return None
    data = generate_timeline("monitor", 0, exclusion_days=14)
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


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,800,3200", help="population sizes (timelines)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes = [50, 100]
    results: dict = {
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "throughput": [],
    }
    print(f"samarbeid-rules benchmark (commit {results['commit']}, Python {results['python']}, one core)")
    print()
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
    print("  ratio = end-to-end native throughput / validation-only floor (target >= 0.50)")
    last = results["throughput"][-1]
    if "durable_post_only_events_per_s" in last:
        print(f"  native end-to-end is {last['native_vs_durable_post_only']:.2f}x durable-rules posting alone")
    print()
    scaling = bench_scaling(base_days=2 if args.quick else 4)
    results["scaling"] = scaling
    print("growth with one timeline's length (one exclusion, looks every 30-58 min):")
    for r in scaling["rows"]:
        print(f"  x{r['factor']:<3} {r['events']:>6} events  {r['seconds'] * 1000:8.2f} ms"
              f"  events x{r['events_ratio']:.1f}  time x{r['time_ratio']:.2f}")
    print(f"  16x the events took {scaling['time_ratio_16x']:.2f}x the time (target <= 18x)")
    print()
    mem_sizes = [100, 400, 1600] if not args.quick else [20, 80]
    memory = bench_memory(mem_sizes)
    results["memory"] = memory
    print("peak memory of a streaming batch (tracemalloc):")
    for r in memory["rows"]:
        print(f"  {r['timelines']:>6} timelines  peak {r['peak_bytes'] / 1e6:7.2f} MB")
    print(f"  largest/smallest peak: {memory['peak_ratio_largest_vs_smallest']:.2f} (flat is ~1)")
    monitor = bench_monitor()
    if monitor is not None:
        results["monitor"] = monitor
        print()
        print(f"live monitor: {monitor['events']} events, best of {monitor['passes']} passes per event: "
              f"p50 {monitor['p50_ms']:.3f} ms, p99 {monitor['p99_ms']:.3f} ms, max {monitor['max_ms']:.3f} ms "
              f"(target p99 < 1 ms)")
        print(f"  single pass (worst of the {monitor['passes']}, jitter and garbage collection included): "
              f"p50 {monitor['single_pass_p50_ms']:.3f} ms, p99 {monitor['single_pass_p99_ms']:.3f} ms, "
              f"max {monitor['single_pass_max_ms']:.3f} ms")
    out_dir = ROOT / "results"
    out_dir.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2, sort_keys=True)
    (out_dir / "latest.json").write_text(text)
    (out_dir / f"{results['commit']}.json").write_text(text)
    print()
    print(f"results written to {out_dir / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
