"""The service under load (``make bench``): concurrent clients posting events for 1 000 open cases.

For each store (SQLite; PostgreSQL when its binaries are on this machine) a real
``samarbeid-rules serve`` process is started on a loopback port and given 1 000
open cases of one prison (an admission and an exclusion still in effect, with
looks). Then:

- posts: CLIENTS concurrent clients, each its own process, each post the next
  look of a case, one event per request, for DURATION seconds: events
  acknowledged per second, and p50/p99 of an acknowledged post;
- prison work list: GET /v1/prisons/bench/worklist over the 1 000 open cases,
  as the officer's screen asks it, each time at an ``as_of`` 37 s later, across
  local midnight (where every case with a measure in effect is judged anew: a
  new day's looks are due), WORKLIST_PAUSE seconds apart (screens ask every few
  seconds; the pause leaves the server the idle time in which it judges cases
  ahead, see _service/prison.py); the same series across the next midnight
  back to back (virtual time a thousand times faster than a screen's: no idle
  time); first of all, at one ``as_of`` (cached); p50/p99 and max of each.

Figures are printed and written to bench/results/service-latest.json. Timing
uses time.perf_counter in this script; the service itself reads no clock but
its audit stamp. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from service_support import Postgres, Server, auth, write_tokens  # noqa: E402

PRISON = "bench"
START = datetime.fromisoformat("2026-03-02T08:00:00+01:00")


def _cpu_s(srv: Server) -> float:
    """The server process's CPU time so far (user + system), from /proc: load-independent cost."""
    fields = Path(f"/proc/{srv.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def _case_events(n: int, looks: int) -> list[dict]:
    t0 = START + timedelta(minutes=n % 600)
    events = [
        {"id": "adm", "type": "admitted", "at": (t0 - timedelta(days=1)).isoformat(), "custody_kind": "remand"},
        {"id": "x1", "type": "exclusion_started", "at": t0.isoformat(), "measure_id": "m1", "basis": "strgjfl_37",
         "scope": "full"},
        {"id": "dr1", "type": "doctor_notified", "at": (t0 + timedelta(minutes=20)).isoformat(), "measure_id": "m1"},
    ]
    events += [{"id": f"l{k}", "type": "supervision_look", "at": (t0 + timedelta(minutes=50 * k)).isoformat(),
                "measure_id": "m1"} for k in range(1, looks + 1)]
    return events


def _setup(srv: Server, cases: int, looks: int) -> float:
    t0 = time.perf_counter()

    def work(ids):
        with srv.client() as c:
            for n in ids:
                case = f"case-{n:04d}"
                c.put(f"/v1/prisons/{PRISON}/cases/{case}", json={"person": {"id": f"p{n}", "birth_date": "1990-01-01"}})
                r = c.post(f"/v1/prisons/{PRISON}/cases/{case}/events", json={"events": _case_events(n, looks)})
                assert r.status_code == 200, r.text

    threads = [threading.Thread(target=work, args=(range(k, cases, 4),)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def _client(url: str, k: int, cases: int, looks: int, clients: int, stop_at: float) -> tuple[list[float], int, str]:
    """One posting client, in its own process (as a case system is): its latencies of acknowledged
    posts, its errors, and the latest event it posted. ``stop_at`` is on the ``time.time`` clock
    (shared by the processes)."""
    mine = list(range(k, cases, clients))
    nxt = {n: looks + 1 for n in mine}
    last, latencies, errors, i = START, [], 0, 0
    with httpx.Client(base_url=url, headers=auth(), timeout=30) as c:
        while time.time() < stop_at:
            n = mine[i % len(mine)]
            i += 1
            t0 = START + timedelta(minutes=n % 600)
            ev = {"id": f"l{nxt[n]}", "type": "supervision_look",
                  "at": (t0 + timedelta(minutes=50 * nxt[n])).isoformat(), "measure_id": "m1"}
            nxt[n] += 1
            s = time.perf_counter()
            r = c.post(f"/v1/prisons/{PRISON}/cases/case-{n:04d}/events", json={"events": [ev]})
            e = time.perf_counter() - s
            if r.status_code == 200:
                latencies.append(e)
                last = max(last, datetime.fromisoformat(ev["at"]))
            else:
                errors += 1
    return latencies, errors, last.isoformat()


def _posts(servers: list[Server], cases: int, looks: int, clients: int, duration: float) -> tuple[dict, datetime]:
    """CLIENTS client processes post for DURATION seconds. Processes, not threads of this one: threads
    would share this interpreter's lock, and each post's latency would include the other clients'
    client-side work (building and parsing requests), which no real deployment has. Returns the
    figures and the latest event posted."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(clients, mp_context=ctx) as pool:
        list(pool.map(time.sleep, [0.0] * clients))  # the processes are started and have imported httpx
        cpu0 = sum(_cpu_s(srv) for srv in servers)
        t_start = time.perf_counter()
        # with several server processes (PostgreSQL), client k posts to server k mod n
        futures = [pool.submit(_client, servers[k % len(servers)].url, k, cases, looks, clients,
                               time.time() + duration) for k in range(clients)]
        results = [f.result() for f in futures]
        wall = time.perf_counter() - t_start
    cpu = sum(_cpu_s(srv) for srv in servers) - cpu0
    latencies = [x for lat, _, _ in results for x in lat]
    errors = sum(e for _, e, _ in results)
    latest = max(datetime.fromisoformat(last) for _, _, last in results)
    return {"clients": clients, "client_processes": True, "server_processes": len(servers),
            "acknowledged": len(latencies), "errors": errors,
            "seconds": round(wall, 2),
            "server_cpu_ms_per_post": round(cpu / max(1, len(latencies)) * 1000, 2),
            "acked_per_s": round(len(latencies) / wall, 1), "p50_ms": round(_pct(latencies, 50), 2),
            "p99_ms": round(_pct(latencies, 99), 2), "max_ms": round(max(latencies) * 1000, 2)}, latest


def _before_midnight(t: datetime) -> datetime:
    """The first instant, at or after ``t``, half an hour before a local midnight (START's offset)."""
    local = t.astimezone(START.tzinfo)
    at = local.replace(hour=23, minute=30, second=0, microsecond=0)
    return at if at >= local else at + timedelta(days=1)


def _worklists(srv: Server, as_of: datetime, requests: int, moving: bool, pause: float = 0.0) -> dict:
    lat, sizes = [], []
    with srv.client() as c:
        c.get(f"/v1/prisons/{PRISON}/worklist", params={"as_of": as_of.isoformat()})  # warm
        cpu0 = _cpu_s(srv)
        for k in range(requests):
            when = as_of + timedelta(seconds=37 * (k + 1)) if moving else as_of
            time.sleep(pause)
            s = time.perf_counter()
            r = c.get(f"/v1/prisons/{PRISON}/worklist", params={"as_of": when.isoformat(), "horizon": "PT2H"})
            lat.append(time.perf_counter() - s)
            assert r.status_code == 200, r.text
            sizes.append(len(r.json()["cases"]))
            body_bytes = len(r.content)
        cpu = _cpu_s(srv) - cpu0
    return {"requests": requests, "as_of": f"moving from {as_of.isoformat()}" if moving else "fixed",
            "pause_s": pause, "cases_listed": min(sizes),
            "body_bytes": body_bytes,
            "server_cpu_ms": round(cpu / requests * 1000, 2),
            "p50_ms": round(_pct(lat, 50), 2), "p99_ms": round(_pct(lat, 99), 2), "max_ms": round(max(lat) * 1000, 2)}


def run_store(kind: str, url: str, tokens: Path, args, processes: int = 1) -> dict:
    servers = [Server(url, tokens).start() for _ in range(processes)]
    srv = servers[0]
    try:
        setup_s = _setup(srv, args.cases, args.looks)
        posts, latest = _posts(servers, args.cases, args.looks, args.clients, args.duration)
        # the officer's screen: now, after every event recorded (events are recorded once they happen)
        last_setup = START + timedelta(minutes=599 + 50 * args.looks)
        as_of = max(last_setup, latest) + timedelta(minutes=1)
        # the screen asked again and again at one as_of; then as_of moving across local midnight,
        # paced as screens ask; then across the next day's midnight back to back
        fixed = _worklists(srv, as_of, args.worklists, moving=False)
        midnight = _before_midnight(as_of)
        moving = _worklists(srv, midnight, args.worklists, moving=True, pause=args.worklist_pause)
        burst = _worklists(srv, midnight + timedelta(days=1), args.worklists, moving=True)
    finally:
        for one in servers:
            one.stop()
    return {"store": kind, "server_processes": processes, "cases": args.cases, "setup_s": round(setup_s, 1),
            "posts": posts,
            "prison_worklist_moving": moving, "prison_worklist_burst": burst, "prison_worklist_fixed": fixed}


def _print(res: dict) -> None:
    po, mv, fx = res["posts"], res["prison_worklist_moving"], res["prison_worklist_fixed"]
    print(f"   setup {res['setup_s']} s; posts: {po['acked_per_s']} acknowledged/s, p50 {po['p50_ms']} ms, "
          f"p99 {po['p99_ms']} ms, max {po['max_ms']} ms ({po['acknowledged']} posts, {po['errors']} errors); "
          f"server CPU {po['server_cpu_ms_per_post']} ms a post")
    bu = res["prison_worklist_burst"]
    print(f"   prison work list, as_of 37 s later each time across midnight, {mv['pause_s']} s apart: "
          f"p50 {mv['p50_ms']} ms, p99 {mv['p99_ms']} ms, max {mv['max_ms']} ms "
          f"({mv['cases_listed']} cases listed, {mv['body_bytes'] / 1e6:.2f} MB); "
          f"server CPU {mv['server_cpu_ms']} ms a request")
    print(f"   the same back to back (no idle time to judge ahead): p50 {bu['p50_ms']} ms, p99 {bu['p99_ms']} ms, "
          f"max {bu['max_ms']} ms; server CPU {bu['server_cpu_ms']} ms a request")
    print(f"   prison work list, same as_of: p50 {fx['p50_ms']} ms, p99 {fx['p99_ms']} ms; "
          f"server CPU {fx['server_cpu_ms']} ms a request")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--looks", type=int, default=12, help="looks per case before the load")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--duration", type=float, default=20.0, help="seconds of posting")
    p.add_argument("--worklists", type=int, default=100, help="prison work lists timed")
    p.add_argument("--worklist-pause", type=float, default=0.25,
                   help="seconds between the paced prison work lists (an officer's screen asks every few seconds)")
    p.add_argument("--stores", default="sqlite,postgresql")
    p.add_argument("--pg-processes", default="1",
                   help="server processes sharing the PostgreSQL store, one run each (comma-separated, e.g. 1,2)")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="samarbeid-bench-"))
    tokens = write_tokens(work / "tokens.yaml")
    results = []
    for kind in args.stores.split(","):
        pg = None
        try:
            if kind == "postgresql":
                try:
                    pg = Postgres()
                except BaseException as exc:  # pytest.skip outside a test run: no binaries here
                    print(f"postgresql: not measured ({type(exc).__name__}: PostgreSQL binaries not found)")
                    continue
            # SQLite is one server process's store; PostgreSQL is for several: measured with each count
            counts = [1] if kind == "sqlite" else [int(n) for n in args.pg_processes.split(",")]
            for processes in counts:
                url = str(work / f"bench-{processes}.db") if kind == "sqlite" else pg.new_database()
                print(f"== {kind}: {args.cases} open cases, {args.clients} clients for {args.duration:.0f} s, "
                      f"{processes} server process{'es' if processes > 1 else ''}", flush=True)
                res = run_store(kind, url, tokens, args, processes)
                results.append(res)
                _print(res)
        finally:
            if pg is not None:
                pg.stop()
    load = os.getloadavg()
    print(f"load average during the run (other work on this machine): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                                timeout=10).stdout.strip()
    except OSError:
        commit = ""
    out = {"commit": commit, "python": platform.python_version(), "machine": platform.machine(),
           "load_average": os.getloadavg(),
           "cpus": __import__("os").cpu_count(), "results": results}
    dest = ROOT / "bench" / "results"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "service-latest.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"written to {dest / 'service-latest.json'}")


if __name__ == "__main__":
    main()
