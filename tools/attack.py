"""A fresh attack on samarbeid-rules (issue 12): bad inputs and faults against the CLI and the library.

    .venv/bin/python tools/attack.py [--json]

Every case is new (not a copy of a test) and says what a correct outcome is: a documented error
(an exit code of 2, 3, 6, 130 or 143 with one line per problem on stderr, or a SamarbeidError from
the library) or a correct result. Every outcome is then checked for the failures the issue counts:
a traceback, a hang (over 60 s), a crash (a signal), an echoed secret (a name, a national identity
number, a payload), a silent coercion (accepted where it must be refused), a wrong result or an
engine/monitor divergence. The summary is written to docs/robustness.md by hand.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "samarbeid-rules")
SECRETS = ["Ingrid_Hansen", "13029012346", "41129912343", "PAYLOAD-7781"]
FNR = "13029012346"  # computed below to have valid check digits
RESULTS: list[dict] = []


def _fnr(prefix: str) -> str:
    from samarbeid_rules._inputs.events.base import looks_like_national_id

    for i in range(1000):
        for k in range(100):
            s = f"{prefix}{i:03d}{k:02d}"
            if looks_like_national_id(s):
                return s
    raise AssertionError


def record(category, name, ok, problem=""):
    RESULTS.append({"category": category, "name": name, "ok": ok, "problem": problem})


def _echo(text: str) -> str | None:
    for s in SECRETS:
        if s in text:
            return s
    return None


def cli(category, name, args, *, expect, stdin=None, shell=None, timeout=60, cwd=None, secrets=True):
    # secrets=False: the secret is in a file name, which messages must name (escaped), not hide
    """Run the real command; expect is a set of exit codes."""
    t = time.monotonic()
    try:
        if shell:
            run = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                                 errors="replace")
        else:
            run = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout, input=stdin, cwd=cwd,
                                 errors="replace")
    except subprocess.TimeoutExpired:
        return record(category, name, False, "hang")
    problems = []
    if run.returncode < 0 or run.returncode > 200:
        problems.append(f"crash (rc {run.returncode})")
    if "Traceback" in run.stderr or "Traceback" in run.stdout:
        problems.append("traceback")
    if run.returncode not in expect:
        problems.append(f"exit {run.returncode}, expected {sorted(expect)}")
    leaked = (_echo(run.stderr) or _echo(run.stdout)) if secrets else None
    if leaked:
        problems.append(f"echo of {leaked!r}")
    if "\x1b" in run.stderr:
        problems.append("raw escape on stderr")
    record(category, name, not problems, "; ".join(problems) + f" ({time.monotonic() - t:.1f}s)")
    return run


def lib(category, name, fn, *, expect_error, check=None):
    from samarbeid_rules import SamarbeidError

    t = time.monotonic()
    try:
        out = fn()
    except SamarbeidError as exc:
        problems = []
        if not expect_error:
            problems.append(f"refused: {exc}"[:200])
        if _echo(str(exc)):
            problems.append(f"echo of {_echo(str(exc))!r}")
        if "\n" in str(exc):
            problems.append("multi-line message")
        return record(category, name, not problems, "; ".join(problems))
    except Exception as exc:  # noqa: BLE001
        return record(category, name, False, f"undocumented {type(exc).__name__}: {exc}"[:200])
    problems = []
    if expect_error:
        problems.append("silently accepted")
    if check is not None:
        why = check(out)
        if why:
            problems.append(why)
    if time.monotonic() - t > 60:
        problems.append("slow")
    record(category, name, not problems, "; ".join(problems))


def base(events=None, person_id="person-9"):
    return {"case_id": "case-atk", "prison_id": "pr-1", "person": {"id": person_id, "birth_date": "1985-04-02"},
            "events": events if events is not None else [
                {"id": "adm", "type": "admitted", "at": "2026-04-01T08:00:00+02:00", "custody_kind": "sentence"},
                {"id": "x1", "type": "exclusion_started", "at": "2026-04-01T12:00:00+02:00", "measure_id": "m1",
                 "basis": "strgjfl_37", "scope": "full"},
                {"id": "d1", "type": "doctor_notified", "at": "2026-04-01T12:40:00+02:00", "measure_id": "m1"},
                {"id": "x1e", "type": "exclusion_ended", "at": "2026-04-01T20:00:00+02:00", "measure_id": "m1"},
            ]}


def main() -> int:
    global FNR
    from samarbeid_rules import Monitor, evaluate, load_institution, load_profile, load_rules, load_timeline
    from samarbeid_rules._uses.worklist import worklist_from_report

    FNR = _fnr("130290")
    DNR = _fnr("411299")
    SECRETS[1:3] = [FNR, DNR]
    tmp = Path(tempfile.mkdtemp(prefix="attack-"))
    good = tmp / "good.json"
    good.write_text(json.dumps(base()), encoding="utf-8")

    def write(name, data):
        p = tmp / name
        p.write_bytes(data if isinstance(data, bytes) else (data if isinstance(data, str) else json.dumps(data))
                      .encode("utf-8", "surrogatepass"))
        return p

    # --- A. JSON structure ---------------------------------------------------------------------
    text = json.dumps(base())
    structure = {
        "dup events at end": text[:-1] + ', "events": []}',
        "dup person": text[:-1] + ', "person": {"id": "p", "birth_date": "1990-01-01"}}',
        "dup key in event": text.replace('"custody_kind": "sentence"', '"custody_kind": "sentence", "custody_kind": "remand"'),
        "dup secret key": text[:-1] + f', "{SECRETS[0]}": 1, "{SECRETS[0]}": 2}}',
        "dup key in person": text.replace('"birth_date": "1985-04-02"', '"birth_date": "1985-04-02", "birth_date": "1999-01-01"'),
        "NaN minutes": text.replace('"measure_id": "m1"}', '"measure_id": "m1", "x": NaN}', 1),
        "Infinity": '{"case_id": Infinity}',
        "1e999": '{"case_id": 1e999}',
        "huge int": '{"case_id": ' + "7" * 5000 + "}",
        "utf-16": text.encode("utf-16-le"),
        "utf-32": text.encode("utf-32"),
        "latin-1 name": text.replace("person-9", "Bjørn").encode("latin-1"),
        "truncated": text[: len(text) // 2],
        "empty": "",
        "only bom": "\ufeff",
        "array": "[" + text + "]",
        "null": "null",
        "deep": "[" * 50_000 + "]" * 50_000,
        "deep object": '{"case_id": ' + '{"a":' * 3000 + "1" + "}" * 3000 + "}",
        "trailing garbage": text + " {}",
        "comment": "// x\n" + text,
        "single quotes": text.replace('"', "'"),
    }
    for name, body in structure.items():
        p = write(f"a-{len(RESULTS)}.json", body)
        cli("A structure", name, ["check", str(p)], expect={3})

    # --- B. coercion -----------------------------------------------------------------------------
    coercions = [
        (1, "custody_kind", "SENTENCE"), (1, "custody_kind", ["sentence"]), (1, "at", 1775037600),
        (1, "at", "1775037600"), (1, "at", "2026-04-01"), (1, "at", "2026-04-01T12:00"), (1, "at", "2026-04-01T12:00:00"),
        (1, "at", "2026-04-01 12:00+02:00"), (1, "at", "2026-04-01T12:00+0200"), (1, "at", "2026-W14-3T12:00Z"),
        (1, "at", "2026-04-01T12:00:00,5+02:00"), (1, "at", "2026-04-01T25:00+02:00"), (1, "at", "2026-04-31T12:00Z"),
        (1, "at", "2026-04-01T12:00-24:00"), (1, "at", True), (1, "scope", "FULL"), (1, "basis", None),
        (1, "expected_end", 0), (1, "expected_end", "2026-04-01"), (0, "ongoing_specialist_treatment", "yes"),
        (0, "ongoing_specialist_treatment", "True"), (0, "ongoing_specialist_treatment", 0),
        (0, "ongoing_specialist_treatment", None), (2, "measure_id", 5), (2, "measure_id", True),
        (2, "measure_id", ["m1"]), (0, "id", 17), (0, "id", ""), (0, "id", "a b"), (0, "id", "ä"),
    ]
    for idx, field, value in coercions:
        d = base()
        d["events"][idx][field] = value
        lib("B coercion", f"{field}={value!r}"[:60], lambda d=d: load_timeline(d), expect_error=True)
    contact = base()
    contact["events"].insert(3, {"id": "mc", "type": "meaningful_contact", "at": "2026-04-01T13:00:00+02:00",
                                 "minutes": True, "measure_id": "m1"})
    lib("B coercion", "minutes=true", lambda: load_timeline(contact), expect_error=True)
    for v in ["45", 45.5, "4.5e1", -3, 0, 1441, None]:
        c = json.loads(json.dumps(contact))
        c["events"][3]["minutes"] = v
        lib("B coercion", f"minutes={v!r}", lambda c=c: load_timeline(c), expect_error=True)
    c = json.loads(json.dumps(contact))
    c["events"][3]["minutes"] = 45.0
    lib("B coercion", "minutes=45.0 is 45", lambda: load_timeline(c), expect_error=False,
        check=lambda tl: None if tl.events[3].minutes == 45 and type(tl.events[3].minutes) is int else "not 45")
    birth = base()
    birth["person"]["birth_date"] = 19850402
    lib("B coercion", "birth_date int", lambda: load_timeline(birth), expect_error=True)
    birth["person"]["birth_date"] = "02.04.1985"
    lib("B coercion", "birth_date dotted", lambda: load_timeline(birth), expect_error=True)

    # --- C. plausibility -----------------------------------------------------------------------------
    p = base()
    p["person"]["birth_date"] = "2026-04-02"
    lib("C plausibility", "born after admission", lambda: load_timeline(p), expect_error=True)
    p = base()
    p["person"]["birth_date"] = "2030-01-01"
    lib("C plausibility", "born in the future", lambda: load_timeline(p), expect_error=True)
    lib("C plausibility", "as_of before birth", lambda: evaluate(base([]), as_of="1980-01-01T00:00Z"),
        expect_error=True)
    p = base()
    p["person"]["birth_date"] = "2026-04-01"
    lib("C plausibility", "born the day of admission (a newborn: allowed)", lambda: load_timeline(p),
        expect_error=False)
    minor = base()
    minor["person"]["birth_date"] = "2010-04-01"
    lib("C plausibility", "a minor: the minors' duties arise", lambda: evaluate(minor), expect_error=False,
        check=lambda r: None if any(o.duty_id.startswith("exclusion.minor") or "minor" in o.duty_id
                                    for o in r.obligations) else "no minors' duty")

    # --- D. echo ---------------------------------------------------------------------------------
    for field_path, value in [("person.id", FNR), ("person.id", DNR), ("person.id", f"pid-{FNR}"),
                              ("case_id", f"{SECRETS[0]}_{FNR}"), ("case_id", SECRETS[0] + " " * 3),
                              ("events.0.id", f"{SECRETS[0]} {FNR}" * 30), ("events.1.measure_id", f"{SECRETS[3]}\n"),
                              ("prison_id", "\x1b[31m" + SECRETS[3]), ("case_id", "\u202e" + SECRETS[3]),
                              ("case_id", "\ud800" + SECRETS[3])]:
        d = base()
        target = d
        parts = field_path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        target[parts[-1]] = value
        path = write(f"d-{len(RESULTS)}.json", json.dumps(d))
        cli("D echo", f"{field_path} = secret-bearing value", ["check", str(path)], expect={3})
        cli("D echo", f"{field_path} (jsonl)", ["check", "--format", "jsonl", str(path)], expect={3})
        bdir = tmp / f"bd-{len(RESULTS)}"
        bdir.mkdir()
        (bdir / "t.json").write_text(json.dumps(d), encoding="utf-8", errors="surrogatepass")
        cli("D echo", f"{field_path} (batch jsonl+junit)",
            ["batch", str(bdir), "--no-progress", "--jsonl", str(bdir / "o.jsonl"), "--junit", str(bdir / "o.xml")],
            expect={3})
        for out in ("o.jsonl", "o.xml"):
            leaked = _echo((bdir / out).read_text(encoding="utf-8", errors="replace"))
            record("D echo", f"{field_path} not in {out}", leaked is None, f"echo of {leaked!r}" if leaked else "")
    ok_fnr = base(person_id="13029012345")  # eleven digits, wrong check digits: an ordinary id
    lib("D echo", "11 digits with wrong check digits accepted", lambda: load_timeline(ok_fnr), expect_error=False)
    weird = tmp / "w"
    weird.mkdir()
    (weird / f"x\n{SECRETS[3]}\x1b[2J.json").write_text("{}", encoding="utf-8")
    with open(os.fsencode(weird) + b"/\xfe\xff.json", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(base()))
    run = cli("D echo", "file name with newline, escape and non-UTF-8 bytes", ["batch", str(weird), "--no-progress",
              "--jsonl", str(tmp / "w.jsonl")], expect={3}, secrets=False)
    lines = (run.stdout + run.stderr).splitlines()
    record("D echo", "file name cannot forge a line", not any(line.startswith(SECRETS[3]) for line in lines)
           and "\x1b" not in run.stdout)
    try:
        for line in (tmp / "w.jsonl").read_text(encoding="utf-8").splitlines():
            json.loads(line)
        record("D echo", "jsonl valid UTF-8 with odd file names", True)
    except (UnicodeError, ValueError) as exc:
        record("D echo", "jsonl valid UTF-8 with odd file names", False, str(exc)[:100])
    lib("D echo", "str payload not taken as path", lambda: load_timeline(f" {SECRETS[0]} {FNR} " * 100),
        expect_error=True)
    lib("D echo", "str JSON array not a path", lambda: load_timeline(json.dumps([base()])), expect_error=True)

    # --- E. bounded work -----------------------------------------------------------------------------
    many = base()
    for i in range(25):
        many["events"].append({"id": f"o{i}", "type": "security_cell_started", "at": "2026-04-02T10:00:00+02:00",
                               "measure_id": f"c{i}"})
    lib("E bounded", "25 open cells judged at 2190", lambda: evaluate(many, as_of="2190-01-01T00:00Z"),
        expect_error=True)
    lib("E bounded", "25 open cells judged at 2027 (within the limit)", lambda: evaluate(many, as_of="2027-06-01T00:00Z"),
        expect_error=False)
    looks = base()
    t0 = datetime(2026, 4, 1, 10, tzinfo=timezone.utc)
    looks["events"] += [{"id": f"k{i}", "type": "supervision_look", "at": (t0 + timedelta(seconds=i)).isoformat()}
                        for i in range(100_001)]
    lib("E bounded", "100 005 events", lambda: load_timeline(looks), expect_error=True)
    fifo = tmp / "fifo.json"
    os.mkfifo(fifo)
    cli("E bounded", "FIFO as timeline", ["check", str(fifo)], expect={3}, timeout=10)
    cli("E bounded", "/dev/zero as timeline", ["check", "/dev/zero"], expect={3}, timeout=10)
    cli("E bounded", "/dev/zero as institution", ["check-institution", "/dev/zero"], expect={3}, timeout=10)
    cli("E bounded", "/dev/zero as profile", ["check", "--profile", "/dev/zero", str(good)], expect={3}, timeout=10)
    cli("E bounded", "FIFO as batch source", ["batch", str(fifo), "--no-progress"], expect={3}, timeout=10)
    link = tmp / "link.json"
    link.symlink_to("/dev/urandom")
    cli("E bounded", "symlink to /dev/urandom", ["check", str(link)], expect={3}, timeout=10)
    big = tmp / "big.json"
    with big.open("wb") as fh:
        fh.write(b'{"case_id": "' + b"a" * (65 * 1024 * 1024) + b'"}')
    cli("E bounded", "65 MiB file", ["check", str(big)], expect={3}, timeout=30)
    bigline = tmp / "bigline.jsonl"
    with bigline.open("wb") as fh:
        fh.write(b"[" * 10 + b" " * (65 * 1024 * 1024) + b"\n" + json.dumps(base()).encode() + b"\n")
    cli("E bounded", "65 MiB JSON Lines line, then a good one", ["batch", str(bigline), "--no-progress"], expect={3},
        timeout=60)
    for n in ["65", "100000", "-2", "0x10", "²"]:
        cli("E bounded", f"--processes {n}", ["batch", str(tmp), "--processes", n, "--no-progress"], expect={2})
    yaml_big = tmp / "big.yaml"
    yaml_big.write_text("extends: default\n" + "#" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    cli("E bounded", "2 MiB profile", ["check", "--profile", str(yaml_big), str(good)], expect={3})

    # --- F. command line ---------------------------------------------------------------------------
    ex = ROOT / "examples" / "adult_exclusion_missed_look.json"
    cli("F cli", "| head -c0", [], shell=f"set -o pipefail; {CLI} check {ex} | head -c0", expect={1})
    cli("F cli", "| head -1 with json", [], shell=f"set -o pipefail; {CLI} check --format json {ex} | head -1 >/dev/null",
        expect={1})
    cli("F cli", ">/dev/full", [], shell=f"{CLI} check {ex} >/dev/full", expect={2})
    cli("F cli", ">&-", [], shell=f"{CLI} check {ex} >&-", expect={2})
    cli("F cli", "2>&- (stderr closed, bad input)", [], shell=f"{CLI} check /nonexistent 2>&-", expect={3})
    cli("F cli", "schema >/dev/full", [], shell=f"{CLI} schema >/dev/full", expect={2})
    cli("F cli", "batch summary >/dev/full", [], shell=f"{CLI} batch {ROOT / 'examples'} --no-progress >/dev/full",
        expect={2})
    inst = ROOT / "examples" / "institution" / "prison-017.json"
    for d in ["0001-01-01", "9999-12-31", "1899-12-31", "2026-13-01", "2026-02-29", f"{SECRETS[3]}"]:
        cli("F cli", f"check-institution --as-of {d}", ["check-institution", str(inst), "--as-of", d], expect={2})
    for a in ["2026-04-01", "2026-04-01T12:00", "1700000000", "0001-01-01T00:00Z", "9999-12-31T23:59+14:00",
              f"{SECRETS[0]}"]:
        cli("F cli", f"check --as-of {a}", ["check", "--as-of", a, str(good)], expect={2})
    prof = tmp / "p.yaml"
    for body in ["terms: {jevnlig: {strict: PT0.5S, lenient: PT1S}}", "terms: {jevnlig: {strict: 60}}",
                 "terms: {jevnlig: {strict: true}}", "settings: {dogn: on}", "extends: default\nextends: default",
                 "terms: {}\n" + "a: &a [*a]"]:
        prof.write_text("extends: default\n" + body + "\n", encoding="utf-8")
        cli("F cli", f"profile {body[:30]!r}", ["check", "--profile", str(prof), str(good)], expect={3})
    cli("F cli", "unknown option", ["check", "--frobnicate", str(good)], expect={2})
    cli("F cli", "rules dir is a file", ["check", "--rules", str(good), str(good)], expect={3})

    # --- G. rule files and engines ---------------------------------------------------------------------
    import shutil

    import yaml

    for where in [{"acute": 1}, {"acute": "yes"}, {"need": {"in": [f"v{i}" for i in range(512)]}},
                  {"need": ["psychosis"] * 10_000}, {"at_admission": {"gt": 0}}, {"need": {"ne": 3}},
                  {"acute": {"exists": "yes"}}]:
        rdir = tmp / f"rules-{len(RESULTS)}"
        shutil.copytree(ROOT / "rules", rdir)
        rf = next((rdir / "duties").rglob("*.yaml"))
        rule = yaml.safe_load(rf.read_text(encoding="utf-8"))
        rule["trigger"] = [{"event": "health_need_observed", "where": where}]
        rf.write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
        cli("G rules", f"condition {json.dumps(where)[:40]}", ["check", "--rules", str(rdir), str(good)], expect={3},
            timeout=30)
    from samarbeid_rules._pipeline.engines.durable import durable_available

    if durable_available()[0]:
        for p in sorted((ROOT / "examples").glob("*.json")):
            a = evaluate(p, engine="durable-rules").model_dump(exclude={"engine"})
            b = evaluate(p).model_dump(exclude={"engine"})
            record("G engines", f"{p.name}: durable = native", a == b)
        rnd = random.Random(12)
        from samarbeid_rules.testing import generate_timeline

        for n in range(10):
            tl = generate_timeline(rnd.randint(0, 999), n)
            a = evaluate(tl, engine="durable-rules").model_dump(exclude={"engine"})
            b = evaluate(tl).model_dump(exclude={"engine"})
            record("G engines", f"generated {n}: durable = native", a == b)

    # --- H. monitor -----------------------------------------------------------------------------------
    rnd = random.Random(99)
    for n in range(10):
        t0 = datetime(2026, 10, 24, rnd.randint(0, 23), tzinfo=timezone.utc)
        evs = [{"id": "adm", "type": "admitted", "at": (t0 - timedelta(days=2)).isoformat(), "custody_kind": "remand"},
               {"id": "x", "type": "exclusion_started", "at": t0.isoformat(), "measure_id": "m", "basis": "strgjfl_37",
                "scope": "full"}]
        ties = [t0 + timedelta(hours=rnd.randint(0, 60)) for _ in range(3)]
        for i in range(15):
            evs.append({"id": f"{rnd.choice('zyx')}{i}", "type": rnd.choice(["health_visit", "supervision_look",
                        "doctor_notified", "leader_review"]), "at": rnd.choice(ties).isoformat(),
                        **({"measure_id": "m"} if rnd.random() < .5 else {})})
        person = {"id": "p", "birth_date": "2009-10-25"}
        mon = Monitor("c", person)
        arrival = evs[:2] + rnd.sample(evs[2:], len(evs) - 2)
        same = True
        for ev in arrival:
            mon.add(ev)
            t = t0 + timedelta(hours=rnd.randint(0, 80))
            rep = evaluate({"case_id": "c", "person": person, "events": list(reversed(
                [e for e in evs if e["id"] in {m.id for m in mon.events}]))}, as_of=t)
            same = same and mon.worklist(as_of=t) == worklist_from_report(rep)
            same = same and [o.model_dump() for o in mon.report(as_of=t).obligations] == \
                [o.model_dump() for o in rep.obligations]
        record("H monitor", f"late and tied arrivals {n}: monitor = evaluate (file order reversed)", same)

    # --- I. batch faults ------------------------------------------------------------------------------
    from samarbeid_rules.testing import generate_timeline

    pop = tmp / "pop.jsonl"
    pop.write_text("".join(json.dumps(generate_timeline(8, i)) + "\n" for i in range(3000)), encoding="utf-8")
    for sig, code in [(signal.SIGKILL, 6), (signal.SIGTERM, 143), (signal.SIGINT, 130)]:
        out = tmp / f"o-{sig.name}.jsonl"
        proc = subprocess.Popen([CLI, "batch", str(pop), "--processes", "2", "--no-progress", "--jsonl", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while not out.exists() or out.stat().st_size == 0:
            time.sleep(0.05)
        if sig == signal.SIGKILL:
            kids = []
            for task in Path(f"/proc/{proc.pid}/task").iterdir():
                kids += (task / "children").read_text().split()
            kids = [k for k in kids if "resource_tracker" not in Path(f"/proc/{k}/cmdline").read_text()]
            os.kill(int(kids[0]), signal.SIGKILL)
        else:
            proc.send_signal(sig)
        try:
            o, e = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            record("I batch", f"{sig.name} during batch", False, "hang")
            continue
        last = json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
        ok = proc.returncode == code and "Traceback" not in e and last.get("record") == "end" and not last["complete"]
        record("I batch", f"{sig.name} during batch: exit {code}, incomplete end record", ok,
               f"rc {proc.returncode}, last {str(last)[:80]}")
    src = tmp / "src"
    src.mkdir()
    (src / "a.json").write_text(json.dumps(base()), encoding="utf-8")
    run = cli("I batch", "outputs written inside the source", ["batch", str(src), "--no-progress", "--jsonl",
              str(src / "z.jsonl"), "--junit", str(src / "y.json")], expect={0, 1})
    record("I batch", "outputs not read back", run is not None and "1: 1 evaluated" in run.stdout)

    # --- J. institution ------------------------------------------------------------------------------
    good_inst = json.loads(inst.read_text(encoding="utf-8"))
    for mutate in ["dup", "date int", "date datetime", "party twice", "bool level", "secret id", "fnr id"]:
        d = json.loads(json.dumps(good_inst))
        body = None
        if mutate == "dup":
            body = json.dumps(d)[:-1] + ', "routines": []}'
        elif mutate == "date int":
            d["meetings"][0]["date"] = 20260101
        elif mutate == "date datetime":
            d["meetings"][0]["date"] = "2026-01-01T00:00Z"
        elif mutate == "party twice":
            d["meetings"][0]["parties"] = ["kho", "kho"]
        elif mutate == "bool level":
            d["meetings"][0]["level"] = True
        elif mutate == "secret id":
            d["meetings"][0]["id"] = f"{SECRETS[0]} x"
        elif mutate == "fnr id":
            d["meetings"][0]["id"] = FNR
        path = write(f"inst-{len(RESULTS)}.json", body or json.dumps(d))
        cli("J institution", mutate, ["check-institution", str(path)], expect={3})
        lib("J institution", mutate + " (library)", lambda p=path: load_institution(p), expect_error=True)

    # --- summary ---------------------------------------------------------------------------------------
    by = Counter(r["category"] for r in RESULTS)
    bad = [r for r in RESULTS if not r["ok"]]
    if "--json" in sys.argv:
        print(json.dumps({"total": len(RESULTS), "failed": bad, "by_category": by}, indent=2))
    else:
        for cat in sorted(by):
            n_bad = sum(1 for r in bad if r["category"] == cat)
            print(f"{cat:16} {by[cat]:4} cases, {n_bad} failed")
        print(f"total            {len(RESULTS):4} cases, {len(bad)} failed")
        for r in bad:
            print(f"  FAIL {r['category']}: {r['name']}: {r['problem']}")
    kinds = Counter()
    for r in bad:
        for k in ("traceback", "hang", "crash", "echo", "silently accepted", "exit", "undocumented", "refused"):
            if k in r["problem"]:
                kinds[k] += 1
    print("failure kinds:", dict(kinds) or "none")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
