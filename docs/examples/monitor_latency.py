"""Latency of one event in a Monitor: ``add`` + ``worklist`` at the event's instant.

Feeds synthetic two-week exclusions (``generate_timeline(..., exclusion_days=14)``)
event by event in time order and prints p50/p99 of wall time and of this
thread's CPU time (``thread_time``: not counting time the OS gave to other
processes). Usage: ``python docs/examples/monitor_latency.py [MIN_EVENTS MAX_EVENTS]``.
"""

import statistics
import sys
import time
from datetime import datetime

from samarbeid_rules import Monitor
from samarbeid_rules.testing import generate_timeline


def canonical(events):
    def key(e):
        first = e["type"] == "admitted" or e["type"].endswith("_started")
        return (datetime.fromisoformat(e["at"]), 0 if first else 1, e["id"])

    return sorted(events, key=key)


def run(d):
    m = Monitor(d["case_id"], d["person"], d.get("prison_id"))
    wall, cpu = [], []
    for e in canonical(d["events"]):
        at = datetime.fromisoformat(e["at"])
        t0, c0 = time.perf_counter(), time.thread_time()
        m.add(e)
        m.worklist(at)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return wall, cpu


def pct(xs):
    q = statistics.quantiles(xs, n=100)
    return f"p50 {q[49] * 1e3:.3f} ms  p99 {q[98] * 1e3:.3f} ms  max {max(xs) * 1e3:.3f} ms"


def main() -> None:
    lo, hi = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (550, 700)
    picked, n = [], 0
    while len(picked) < 5:
        d = generate_timeline("bench", n, exclusion_days=14)
        n += 1
        if lo <= len(d["events"]) <= hi:
            picked.append(d)
    run(picked[0])  # warm up
    all_wall, all_cpu = [], []
    for d in picked:
        w, c = run(d)
        all_wall += w
        all_cpu += c
        print(f"{d['case_id']}: {len(w)} events  wall {pct(w)}  | cpu {pct(c)}")
    print(f"all {len(all_wall)} events: wall {pct(all_wall)}  | cpu {pct(all_cpu)}")


if __name__ == "__main__":
    main()
