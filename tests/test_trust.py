"""Issue 12: trustworthy under bad input and faults (docs/robustness.md).

Strict input, the same rule everywhere; bounded work with every limit tested at its boundary and
one past it; no traceback from the command line (the real CLI in a subprocess for pipes and
signals); no echo of a rejected value; a batch that survives a killed worker, Ctrl-C and SIGTERM
and ends its outputs with a completion record.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from samarbeid_rules import (
    InstitutionError,
    ProfileError,
    RuleFileError,
    TimelineError,
    evaluate,
    evaluate_many,
    load_institution,
    load_profile,
    load_rules,
    load_timeline,
)
from samarbeid_rules._cli import main
from samarbeid_rules._cli.common import EXIT_ABORTED, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED, MAX_PROCESSES
from samarbeid_rules._inputs.jsonread import MAX_BYTES
from samarbeid_rules._inputs.timeline import MAX_EVENTS
from samarbeid_rules._inputs.yamlread import MAX_YAML_BYTES
from samarbeid_rules._pipeline.evaluate import MAX_MEASURE_DAYS
from samarbeid_rules.testing import generate_timeline

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).parent / "samarbeid-rules")]  # the installed command, as a user runs it
SECRET = "Ola_Nordmann_01019900041"  # a name and a valid national id number: must never be echoed
FNR = "01019900041"
DNR = "41019900035"


def _tl(events=None, **top):
    data = {"case_id": "c-1", "person": {"id": "p-1", "birth_date": "1990-01-01"},
            "events": events if events is not None else [
                {"id": "adm", "type": "admitted", "at": "2026-01-05T10:00:00+01:00", "custody_kind": "remand"}]}
    data.update(top)
    return data


def _error(source, loader=load_timeline):
    with pytest.raises((TimelineError, InstitutionError)) as info:
        loader(source)
    return info.value


def _run(args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run(CLI + args, capture_output=True, text=True, env=env, timeout=120, **kw)


# --- 1. strict input -------------------------------------------------------------------------------


def test_a_duplicate_key_is_an_error_naming_it_not_a_silent_drop():
    """Today's attack: a second "events" key used to replace the real events (exit 0)."""
    text = json.dumps(_tl())[:-1] + ', "events": []}'
    err = _error(text)
    assert "duplicate key 'events'" in str(err)
    inner = json.dumps(_tl()).replace('"custody_kind": "remand"', '"custody_kind": "remand", "at": "x"')
    err = _error(inner)
    assert "duplicate key 'at'" in str(err) and err.index == 0
    secret_key = json.dumps(_tl())[:-1] + f', "{SECRET}": 1, "{SECRET}": 2}}'
    assert SECRET not in str(_error(secret_key)) and FNR not in str(_error(secret_key))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ongoing_specialist_treatment", "yes"),  # "yes" is not true
        ("ongoing_specialist_treatment", 1),  # 1 is not true
        ("at", 1767603600),  # an integer is not an instant
        ("at", "1767603600"),  # nor a number as text
        ("at", "2026-01-05"),  # nor a date
        ("at", "2026-01-05 10:00+01:00"),  # nor a space for T
        ("at", "2026-01-05T10:00:00.1234567+01:00"),  # nor seven decimals
        ("at", "2026-01-05T10:00+24:00"),
        ("custody_kind", 1),
    ],
)
def test_no_lax_coercion(field, value):
    data = _tl()
    data["events"][0][field] = value
    err = _error(data)
    assert err.field == field and err.index == 0
    assert str(value) not in str(err) or str(value) in ("1",)


def test_true_is_not_one_minute_and_30_0_is_the_integer_30():
    base = [{"id": "adm", "type": "admitted", "at": "2026-01-05T10:00:00+01:00", "custody_kind": "remand"},
            {"id": "c", "type": "meaningful_contact", "at": "2026-01-05T11:00:00+01:00", "minutes": True}]
    assert _error(_tl(base)).field == "minutes"
    base[1]["minutes"] = "30"
    assert _error(_tl(base)).field == "minutes"
    base[1]["minutes"] = 30.0  # JSON Schema: a number with a zero fraction is an integer
    assert load_timeline(_tl(base)).events[1].minutes == 30
    base[1]["minutes"] = 30.5
    assert _error(_tl(base)).field == "minutes"


@pytest.mark.parametrize("text", ['{"case_id": NaN}', '{"case_id": Infinity}', '{"case_id": -Infinity}',
                                  '{"case_id": 1e400}'])
def test_nan_infinity_and_overflowing_numbers_are_not_json(text):
    assert "not valid JSON" in str(_error(text))


def test_utf16_and_bad_bytes_are_refused_a_utf8_bom_is_ignored():
    text = json.dumps(_tl())
    assert "UTF-8" in str(_error(text.encode("utf-16")))
    assert load_timeline(b"\xef\xbb\xbf" + text.encode()).case_id == "c-1"


def test_a_birth_date_after_the_first_event_or_as_of_is_an_error_not_a_negative_age():
    data = _tl()
    data["person"]["birth_date"] = "2026-01-06"
    err = _error(data)
    assert err.field == "person.birth_date"
    data["person"]["birth_date"] = "2026-01-05"  # born that day: allowed
    load_timeline(data)
    with pytest.raises(TimelineError) as info:
        evaluate(_tl([]), as_of="1989-12-31T12:00:00+01:00")
    assert info.value.field == "as_of"


def test_a_json_text_given_as_str_is_never_taken_as_a_path(tmp_path, monkeypatch):
    """Not starting with '{', with a BOM, an array, a payload: parsed as JSON; never echoed."""
    monkeypatch.chdir(tmp_path)
    for text in ["[" + json.dumps(_tl()) + "]", f"  {SECRET} ",
                 f'"{SECRET}"', "x" * 10_000]:
        err = _error(text)
        assert err.source == "<input>" and SECRET not in str(err) and "x" * 50 not in str(err)
    assert load_timeline("\ufeff" + json.dumps(_tl())).case_id == "c-1"
    # the deprecated form: a str naming an existing file still reads it, with a warning
    (tmp_path / "t.json").write_text(json.dumps(_tl()), encoding="utf-8")
    with pytest.warns(DeprecationWarning, match="pass a pathlib.Path"):
        assert load_timeline("t.json").case_id == "c-1"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_timeline(Path("t.json")).case_id == "c-1"


@pytest.mark.parametrize("person_id", [FNR, DNR, f"p-{FNR}", f"{FNR}-x"])
def test_a_person_id_shaped_like_a_national_identity_number_is_refused(person_id):
    data = _tl()
    data["person"]["id"] = person_id
    err = _error(data)
    assert err.field == "person.id" and FNR not in str(err) and DNR not in str(err)


def test_eleven_digits_with_wrong_check_digits_are_an_ordinary_id():
    data = _tl()
    data["person"]["id"] = "01019900042"
    assert load_timeline(data).person.id == "01019900042"


def test_a_rejected_event_id_is_never_echoed_at_any_length():
    for bad in [SECRET + " " + SECRET, "é" * 300, SECRET * 50, "a\x1b[2Jb"]:
        data = _tl()
        data["events"][0]["id"] = bad
        err = _error(data)
        assert err.event_id is None and err.field == "id"
        for piece in (SECRET, FNR, "é" * 5, "\x1b"):
            assert piece not in str(err)


def test_profile_and_rule_values_are_strict(tmp_path):
    p = tmp_path / "p.yaml"
    for body in ["terms: {jevnlig: {strict: 3600}}", "terms: {jevnlig: {strict: PT0.5S}}",
                 "terms: {jevnlig: {strict: true}}", "settings: {dogn: yes}"]:
        p.write_text("extends: default\n" + body + "\n", encoding="utf-8")
        with pytest.raises(ProfileError):
            load_profile(p)


def test_an_institution_file_is_as_strict_as_a_timeline():
    good = {"prison_id": "pr-1", "meetings": [{"id": "m1", "date": "2026-01-05", "level": "leader",
                                               "parties": ["kho", "sht"]}]}
    load_institution(good)
    for field, value in [("date", 20260105), ("date", "2026-01-05T00:00Z"), ("level", 1)]:
        bad = json.loads(json.dumps(good))
        bad["meetings"][0][field] = value
        assert _error(bad, load_institution).field == field
    dup = json.dumps(good)[:-1] + ', "meetings": []}'
    assert "duplicate key 'meetings'" in str(_error(dup, load_institution))


# --- 2. bounded work: every limit at its boundary and one past it ---------------------------------------


def _looks(n):
    t0 = datetime(2026, 1, 6, tzinfo=timezone.utc)
    return [{"id": f"l{i}", "type": "supervision_look", "at": (t0 + timedelta(seconds=i)).isoformat()} for i in range(n)]


def test_max_events_at_the_limit_and_one_past():
    adm = _tl()["events"]
    assert len(load_timeline(_tl(adm + _looks(MAX_EVENTS - 1))).events) == MAX_EVENTS
    err = _error(_tl(adm + _looks(MAX_EVENTS)))
    assert err.field == "events" and str(MAX_EVENTS) in str(err)


def _open_exclusions(n):
    ev = _tl()["events"]
    for i in range(n):
        ev.append({"id": f"x{i}", "type": "exclusion_started", "at": "2026-01-06T10:00:00+01:00",
                   "measure_id": f"m{i}", "basis": "strgjfl_37", "scope": "full"})
    return _tl(ev)


def test_measure_days_at_the_limit_and_one_past():
    """20 open exclusions with as_of in 2199 used to run 40 s and abort beyond 4 GB; now refused at once."""
    start = datetime.fromisoformat("2026-01-06T10:00:00+01:00")
    t = time.monotonic()
    with pytest.raises(TimelineError) as info:
        evaluate(_open_exclusions(20), as_of="2199-06-01T00:00:00+01:00")
    assert time.monotonic() - t < 5 and info.value.field == "as_of"
    tl = _open_exclusions(1)
    at_limit = start + timedelta(days=MAX_MEASURE_DAYS)
    with pytest.raises(TimelineError):
        evaluate(tl, as_of=at_limit + timedelta(seconds=1))
    # exactly at the limit: judged (a long run of a day-by-day duty over 20 000 days; timed)
    report = evaluate(tl, as_of=at_limit)
    assert report.summary["obligations"] >= 1


@pytest.mark.parametrize("extra", [0, 1])
def test_bytes_read_at_the_limit_and_one_past(tmp_path, extra):
    path = tmp_path / "big.json"
    with path.open("wb") as fh:
        fh.write(b"{" + b" " * (MAX_BYTES - 2 + extra) + b"}")
    err = _error(path)
    assert ("larger than the limit" in str(err)) == bool(extra)


@pytest.mark.parametrize("extra", [0, 1])
def test_yaml_bytes_at_the_limit_and_one_past(tmp_path, extra):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"extends: default\n" + b"#" * (MAX_YAML_BYTES - 18 + extra) + b"\n")
    if extra:
        with pytest.raises(ProfileError, match="larger than the limit"):
            load_profile(path)
    else:
        load_profile(path)


def test_non_regular_files_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    t = time.monotonic()
    for loader in (load_timeline, load_institution):
        assert "not a regular file" in str(_error(fifo, loader))
        assert "not a regular file" in str(_error(Path("/dev/zero"), loader))
    with pytest.raises(ProfileError, match="not a regular file"):
        load_profile(fifo)
    with pytest.raises(TimelineError, match="not a regular file"):
        evaluate_many(fifo)
    d = tmp_path / "d"
    d.mkdir()
    os.mkfifo(d / "f.json")
    run = evaluate_many(d)
    list(run)
    assert run.summary.skipped_items == [(str(d / "f.json"), "not a regular file")]
    assert time.monotonic() - t < 5


@pytest.mark.parametrize(("n", "code"), [(str(MAX_PROCESSES), 0), (str(MAX_PROCESSES + 1), 2), ("-1", 2),
                                         ("1e3", 2)])
def test_processes_are_capped(tmp_path, n, code, capsys):
    """--processes 64 is accepted (an empty directory: no worker is started), 65 is a usage error."""
    assert main(["batch", str(tmp_path), "--no-progress", "--processes", n]) == code
    with pytest.raises(ValueError):
        evaluate_many(tmp_path, processes=MAX_PROCESSES + 1)


# --- 3. no traceback from the CLI ---------------------------------------------------------------------


def test_a_closed_pipe_is_quiet_and_keeps_the_exit_code():
    cmd = " ".join(CLI) + f" check {ROOT / 'examples/adult_exclusion_missed_look.json'} | head -c0"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
    assert run.stderr == "" and run.returncode == 1


def test_a_full_or_closed_stdout_is_one_line_and_exit_2():
    example = str(ROOT / "examples/release_notice_on_time.json")
    with open("/dev/full", "w") as full:
        run = subprocess.run(CLI + ["check", example], stdout=full, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=120)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    run = subprocess.run(" ".join(CLI + ["check", example]) + " >&-", shell=True, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2026-02-30", "x"])
def test_check_institution_with_a_date_out_of_range_is_a_usage_error(as_of, capsys):
    code = main(["check-institution", str(ROOT / "examples/institution/prison-017.json"), "--as-of", as_of])
    assert code == 2 and as_of not in capsys.readouterr().err.split("error:")[-1]


def test_check_institution_in_python_refuses_an_as_of_out_of_range():
    from datetime import date

    from samarbeid_rules import check_institution

    inst = load_institution(ROOT / "examples/institution/prison-017.json")
    for day in (date(1, 1, 1), date(9999, 12, 31), datetime(1, 1, 1, 12, tzinfo=timezone.utc)):
        with pytest.raises(InstitutionError) as info:
            check_institution(inst, as_of=day)
        assert info.value.field == "as_of"
    check_institution(inst, as_of=date(1900, 1, 1))


def test_an_internal_error_is_exit_5_and_one_line(monkeypatch, capsys):
    cli = sys.modules["samarbeid_rules._cli.main"]

    def boom(*a, **k):
        raise ZeroDivisionError(SECRET)

    monkeypatch.setattr(cli, "evaluate", boom)
    assert main(["check", str(ROOT / "examples/g8_2006_stay.json")]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (ZeroDivisionError)" in err and SECRET not in err


def test_a_file_name_with_a_newline_cannot_forge_a_line(tmp_path, capsys):
    bad = tmp_path / "a\nsummary   0 obligations.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["check", str(bad)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a\\nsummary" in err


# --- 5. batch survives faults ---------------------------------------------------------------------


def _population(tmp_path, n=600):
    src = tmp_path / "pop.jsonl"
    src.write_text("".join(json.dumps(generate_timeline(3, i)) + "\n" for i in range(n)), encoding="utf-8")
    return src


def _children(pid):
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _start_batch(tmp_path, src, *extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen(CLI + ["batch", str(src), "--no-progress", "--jsonl", str(tmp_path / "o.jsonl"),
                                   "--junit", str(tmp_path / "o.xml"), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for_output(tmp_path, proc):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = tmp_path / "o.jsonl"
        if out.exists() and out.stat().st_size > 0:
            return
        assert proc.poll() is None
        time.sleep(0.1)
    raise AssertionError("no output")


def _end_record(tmp_path):
    return json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()[-1])


def test_a_worker_killed_mid_run_ends_the_run_with_an_error_not_a_hang(tmp_path):
    src = _population(tmp_path, 3000)
    proc = _start_batch(tmp_path, src, "--processes", "2")
    _wait_for_output(tmp_path, proc)
    workers = [c for c in _children(proc.pid) if "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()]
    os.kill(workers[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_ABORTED and "worker process died" in err and "Traceback" not in err
    assert "INCOMPLETE" in out
    end = _end_record(tmp_path)
    assert end["record"] == "end" and end["complete"] is False and "worker" in end["incomplete_reason"]
    assert (tmp_path / "o.xml").read_text(encoding="utf-8").rstrip().endswith("</testsuites>")


@pytest.mark.parametrize(("sig", "code", "reason"), [(signal.SIGTERM, EXIT_TERMINATED, "SIGTERM"),
                                                     (signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C")])
@pytest.mark.parametrize("processes", ["1", "2"])
def test_sigterm_and_ctrl_c_stop_the_workers_and_mark_the_summary_incomplete(tmp_path, sig, code, reason, processes):
    src = _population(tmp_path, 3000)
    proc = _start_batch(tmp_path, src, "--processes", processes)
    _wait_for_output(tmp_path, proc)
    children = _children(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == code and "Traceback" not in err
    assert "INCOMPLETE" in out
    end = _end_record(tmp_path)
    assert end["complete"] is False and reason in end["incomplete_reason"]
    time.sleep(0.5)
    assert not [c for c in children if Path(f"/proc/{c}").exists() and "zombie" not in
                Path(f"/proc/{c}/status").read_text()]


def test_an_output_inside_the_source_directory_is_not_read_back(tmp_path, capsys):
    d = tmp_path / "cases"
    d.mkdir()
    (d / "a.json").write_text(json.dumps(generate_timeline(1, 0)), encoding="utf-8")
    assert main(["batch", str(d), "--no-progress", "--jsonl", str(d / "out.jsonl"),
                 "--junit", str(d / "out.json")]) in (0, 1)
    out = capsys.readouterr().out
    assert "an output of this run" in out and "1: 1 evaluated, 0 failed" in out


def test_a_timeline_without_obligations_leaves_a_record_and_a_bad_name_fails_only_its_own(tmp_path):
    d = tmp_path / "cases"
    d.mkdir()
    quiet = _tl([{"id": "pop", "type": "pop_plan_assisted", "at": "2026-01-05T10:00:00+01:00"}])
    (d / "empty.json").write_text(json.dumps(quiet), encoding="utf-8")
    with open(os.fsencode(d) + b"/\xff-bad.json", "w", encoding="utf-8") as fh:
        fh.write("{}")
    (d / "good.json").write_text(json.dumps(generate_timeline(1, 0)), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["batch", str(d), "--no-progress", "--jsonl", str(out)]) == 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    timelines = [r for r in records if r["record"] == "timeline"]
    assert {r["case_id"] for r in timelines} == {"c-1", generate_timeline(1, 0)["case_id"]}
    assert [r["obligations"] for r in timelines if r["case_id"] == "c-1"] == [0]
    errors = [r for r in records if r["record"] == "error"]
    assert len(errors) == 1 and "\\udcff" in errors[0]["location"]
    assert records[-1]["complete"] is True and records[-1]["evaluated"] == 2
