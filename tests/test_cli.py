"""The ``samarbeid-rules`` command line, run in-process, and the human renderings."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

import samarbeid_rules
from samarbeid_rules import evaluate
from samarbeid_rules._cli import main
from samarbeid_rules._outputs.render import format_duration, format_instant, report_html, report_table

REPO = Path(__file__).resolve().parents[1]
DUTIES = {
    "exclusion.hourly_supervision",
    "exclusion.minor_continuous",
    "exclusion.notify_doctor",
    "release.health_notice",
}


def _timeline(case_id: str, events: list[dict], birth_date: str = "1990-01-01") -> dict:
    return {"case_id": case_id, "person": {"id": "p-" + case_id, "birth_date": birth_date}, "events": events}


def _exclusion(at: str = "2025-03-03T09:00:00+01:00", measure: str = "m1", event_id: str = "x1") -> dict:
    return {
        "id": event_id, "type": "exclusion_started", "at": at, "measure_id": measure,
        "basis": "strgjfl_37", "scope": "full",
    }


def _doctor(at: str, event_id: str = "d1", measure: str = "m1") -> dict:
    return {"id": event_id, "type": "doctor_notified", "at": at, "measure_id": measure}


def _look(at: str, event_id: str, measure: str = "m1") -> dict:
    return {"id": event_id, "type": "supervision_look", "at": at, "measure_id": measure}


def _end(at: str, event_id: str = "x9", measure: str = "m1") -> dict:
    return {"id": event_id, "type": "exclusion_ended", "at": at, "measure_id": measure}


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def clean(tmp_path: Path) -> str:
    """A short adult exclusion: doctor notified in 30 minutes, looked in on, ended after 90 minutes."""
    return _write(tmp_path, "clean.json", _timeline("clean", [
        _exclusion("2025-03-03T09:00:00+01:00"),
        _doctor("2025-03-03T09:30:00+01:00"),
        _look("2025-03-03T10:00:00+01:00", "l1"),
        _end("2025-03-03T10:30:00+01:00"),
    ]))


@pytest.fixture
def breach(tmp_path: Path) -> str:
    """An adult exclusion in the daytime with a 3-hour gap between looks and a doctor told after 5 hours."""
    return _write(tmp_path, "breach.json", _timeline("breach", [
        _exclusion("2025-03-03T09:00:00+01:00"),
        _look("2025-03-03T10:00:00+01:00", "l1"),
        _look("2025-03-03T13:00:00+01:00", "l2"),
        _doctor("2025-03-03T14:00:00+01:00"),
        _end("2025-03-03T14:00:00+01:00"),
    ]))


@pytest.fixture
def contested(tmp_path: Path) -> str:
    """A short exclusion whose doctor notice came after 2 hours: late by the strict bound only."""
    return _write(tmp_path, "contested.json", _timeline("contested", [
        _exclusion("2025-03-03T09:00:00+01:00"),
        _look("2025-03-03T10:00:00+01:00", "l1"),
        _look("2025-03-03T10:50:00+01:00", "l2"),
        _end("2025-03-03T11:00:00+01:00"),
        _doctor("2025-03-03T11:00:00+01:00"),
    ]))


def _statuses(report: dict) -> dict[str, str]:
    return {o["duty_id"]: o["status"] for o in report["obligations"]}


# --- check: exit codes ------------------------------------------------------


def test_check_clean_timeline_exits_0_with_table(clean, capsys):
    """A timeline with every obligation fulfilled exits 0 and its table names each duty and status."""
    assert main(["check", clean]) == 0
    out = capsys.readouterr().out
    assert "case      clean" in out
    assert "exclusion.notify_doctor" in out
    assert "exclusion.hourly_supervision" in out
    assert "fulfilled" in out
    assert "breached" not in out.split("summary")[0]
    assert "2 obligations: 2 fulfilled, 0 due, 0 contested, 0 fulfilled_late, 0 breached" in out


def test_check_breach_exits_1(breach, capsys):
    """A timeline with a breached obligation exits 1."""
    assert main(["check", breach]) == 1
    assert "breached !" in capsys.readouterr().out


def test_check_fulfilled_late_counts_as_breach(tmp_path, capsys):
    """An obligation met after the lenient bound (fulfilled_late) makes the exit code 1."""
    path = _write(tmp_path, "late.json", _timeline("late", [
        _exclusion("2025-03-03T09:00:00+01:00"),
        _look("2025-03-03T09:30:00+01:00", "l1"),
        _end("2025-03-03T10:00:00+01:00"),
        _doctor("2025-03-03T15:00:00+01:00"),
    ]))
    assert main(["check", path, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert _statuses(report) == {
        "exclusion.hourly_supervision": "fulfilled",
        "exclusion.notify_doctor": "fulfilled_late",
    }


def test_check_contested_only_exits_0_and_is_marked(contested, capsys):
    """Contested but no breach exits 0, and the table marks the contested row and explains the mark."""
    assert main(["check", contested]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("exclusion.notify_doctor"))
    assert "contested ?" in row
    assert "1h" in row  # lateness after the strict deadline
    assert "'?' contested" in out


def test_check_json_single_file_is_the_report(breach, capsys):
    """--format json for one file prints exactly Report.to_json(indent=2) of that file."""
    assert main(["check", breach, "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert out == evaluate(breach).to_json(indent=2) + "\n"
    report = json.loads(out)
    assert _statuses(report) == {
        "exclusion.hourly_supervision": "breached",
        "exclusion.notify_doctor": "fulfilled_late",
    }
    gaps = report["obligations"][0]["gaps"]
    assert [(g["kind"], g["length"], g["status"]) for g in gaps] == [("daytime", "PT3H", "breached")]


def test_check_json_several_files_is_an_array_in_argument_order(clean, breach, contested, capsys):
    """--format json for several files prints a JSON array of reports, in argument order, identically twice."""
    assert main(["check", contested, clean, breach, "--format", "json"]) == 1
    first = capsys.readouterr().out
    reports = json.loads(first)
    assert [r["case_id"] for r in reports] == ["contested", "clean", "breach"]
    assert _statuses(reports[0])["exclusion.notify_doctor"] == "contested"
    assert main(["check", contested, clean, breach, "--format", "json"]) == 1
    assert capsys.readouterr().out == first


def test_check_bad_timeline_exits_3_and_continues(tmp_path, clean, capsys):
    """A timeline that fails validation exits 3, names file, event and field on stderr, and the other files are still reported."""
    bad = _write(tmp_path, "bad.json", _timeline("bad", [
        _exclusion("2025-03-03T09:00:00"),  # naive datetime
    ]))
    assert main(["check", bad, clean]) == 3
    captured = capsys.readouterr()
    assert "bad.json" in captured.err
    assert "events[0]" in captured.err and "'x1'" in captured.err and "'at'" in captured.err
    assert "case      clean" in captured.out


def test_check_bad_input_wins_over_breach(tmp_path, breach, capsys):
    """Exit 3 is returned even when another file has a breach; the breaching report is still printed."""
    missing = str(tmp_path / "missing.json")
    assert main(["check", breach, missing, "--format", "json"]) == 3
    captured = capsys.readouterr()
    assert "missing.json" in captured.err
    assert [r["case_id"] for r in json.loads(captured.out)] == ["breach"]


def test_check_bad_profile_exits_3(tmp_path, clean, capsys):
    """A profile file that fails validation exits 3 with the profile's path on stderr and no report."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "extends: default\nterms:\n  uten_ugrunnet_opphold:\n    strict: PT5H\n    lenient: PT1H\n",
        encoding="utf-8",
    )
    assert main(["check", clean, "--profile", str(profile)]) == 3
    captured = capsys.readouterr()
    assert "profile.yaml" in captured.err
    assert captured.out == ""


def test_check_profile_changes_statuses(tmp_path, contested, capsys):
    """A profile that widens 'uten ugrunnet opphold' turns the contested doctor notice into fulfilled."""
    profile = tmp_path / "wide.yaml"
    profile.write_text(
        "extends: default\nid: wide\nterms:\n  uten_ugrunnet_opphold:\n    strict: PT3H\n    lenient: PT4H\n",
        encoding="utf-8",
    )
    assert main(["check", contested, "--profile", str(profile), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["profile"]["id"] == "wide"
    assert _statuses(report)["exclusion.notify_doctor"] == "fulfilled"


def test_check_bad_rules_dir_exits_3(tmp_path, clean, capsys):
    """A rules directory without a rule set description exits 3 and names the missing file."""
    assert main(["check", clean, "--rules", str(tmp_path)]) == 3
    assert "ruleset.yaml" in capsys.readouterr().err


def test_check_engine_unavailable_exits_4(monkeypatch, clean, capsys):
    """When the durable-rules engine cannot run here, check exits 4 with the reason on stderr."""
    from samarbeid_rules._pipeline.engines import durable

    monkeypatch.setattr(durable, "durable_available", lambda: (False, "reason for the test"))
    durable.durable_engine.cache_clear()
    try:
        assert main(["check", clean, "--engine", "durable-rules"]) == 4
    finally:
        durable.durable_engine.cache_clear()
    captured = capsys.readouterr()
    assert "reason for the test" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "x.json", "--engine", "nosuch"],
        ["check", "x.json", "--as-of", "2025-03-03T12:00"],
        ["check", "x.json", "--as-of", "yesterday"],
        ["check", "x.json", "--format", "xml"],
        ["nosuch"],
        [],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    """Unknown engines, formats and commands, a missing file argument and an --as-of without offset are usage errors (2)."""
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_check_as_of_judges_at_that_instant(breach, capsys):
    """--as-of before some events counts them as after as_of and leaves the doctor notice due."""
    assert main(["check", breach, "--as-of", "2025-03-03T09:45+01:00", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == "2025-03-03T09:45:00+01:00"
    assert _statuses(report)["exclusion.notify_doctor"] == "due"
    assert [e["state"] for e in report["events"]].count("after_as_of") == 4


def test_check_table_shows_gap_rows_under_obligation(breach, capsys):
    """The table lists each gap of a recurring duty, indented under its obligation, with kind, instants, length and status."""
    main(["check", breach])
    lines = capsys.readouterr().out.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("exclusion.hourly_supervision"))
    assert lines[i + 1].split() == ["GAP", "START", "END", "LENGTH", "STATUS", "ONGOING"]
    assert lines[i + 2].startswith("    daytime")
    assert lines[i + 2].split() == [
        "daytime", "2025-03-03", "10:00+01:00", "2025-03-03", "13:00+01:00", "3h", "breached", "!", "no",
    ]
    assert lines[i + 3].startswith("exclusion.notify_doctor")


def test_check_table_counts_events(breach, capsys):
    """The table gives the count of events used, unused and after as_of."""
    main(["check", breach, "--as-of", "2025-03-03T11:00+01:00"])
    assert "events    5: 2 used, 0 unused, 3 after as_of" in capsys.readouterr().out


def test_check_table_several_files_has_a_section_each(clean, breach, capsys):
    """With several files the table output has one section per file, headed by its path."""
    assert main(["check", clean, breach]) == 1
    out = capsys.readouterr().out
    assert out.index(f"== {clean}") < out.index("case      clean") < out.index(f"== {breach}")
    assert out.index(f"== {breach}") < out.index("case      breach")


def _strings(data) -> set[str]:
    """Every string value in parsed JSON."""
    if isinstance(data, dict):
        return set().union(*map(_strings, data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*map(_strings, data)) if data else set()
    return {data} if isinstance(data, str) else set()


def test_check_never_prints_payloads(tmp_path, capsys):
    """Neither the table nor the JSON contain event payload values such as the basis or the birth date."""
    path = _write(tmp_path, "payload.json", _timeline("payload", [
        {**_exclusion(), "basis": "strpl_186a", "scope": "partial"},
        _doctor("2025-03-03T09:10:00+01:00"),
    ], birth_date="1977-07-07"))
    for fmt in ("table", "json"):
        main(["check", path, "--format", fmt])
        out = capsys.readouterr().out
        assert "x1" in out
        for payload in ("strpl_186a", "partial", "1977-07-07"):
            # As a value: a rule file may be named after what it judges
            # (duties/isolation/partial_followup_plan.yaml in the event accounting).
            assert (payload if fmt == "table" else f'"{payload}"') not in out
        if fmt == "json":
            values = _strings(json.loads(out))
            assert not {"strpl_186a", "partial", "1977-07-07"} & values


def test_check_durable_engine_matches_native(clean, breach, capsys):
    """Where durable-rules can run, its JSON differs from the native engine's only in the engine name."""
    from samarbeid_rules._pipeline.engines.durable import durable_available

    ok, why = durable_available()
    if not ok:
        pytest.skip(why)
    assert main(["check", clean, breach, "--format", "json"]) == 1
    native = json.loads(capsys.readouterr().out)
    assert main(["check", clean, breach, "--format", "json", "--engine", "durable-rules"]) == 1
    durable = json.loads(capsys.readouterr().out)
    assert [r["engine"] for r in durable] == ["durable-rules", "durable-rules"]
    for r in native + durable:
        r.pop("engine")
    assert native == durable


# --- rules, schema, version -------------------------------------------------


def test_rules_table_lists_the_four_duties(capsys):
    """`rules` lists each shipped duty with modality, actor, timing, source and rule file."""
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split() and line.split()[0] in DUTIES}
    assert set(rows) == DUTIES
    assert rows["release.health_notice"] == [
        "release.health_notice", "skal", "KO", "deadline", "001", "sec.", "5.3.1",
        "guidelines-42-1,circular-001", "duties/release/health_notice.yaml",
    ]
    assert "straffegjennomføringsloven § 37 syvende ledd" in out
    assert "A doctor is notified without undue delay when an inmate is excluded" in out


def test_rules_json(capsys):
    """`rules --format json` gives the rule set citation and one entry per duty with its citation and timing."""
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rule_set"] == "samarbeid-2025@0.2.0"
    by_duty = {r["duty"]: r for r in data["rules"]}
    # every catalog duty checked on timelines, and only those (the catalog index, not the rules)
    catalog = yaml.safe_load((REPO / "rules" / "catalog.yaml").read_text(encoding="utf-8"))["duties"]
    timeline_duties = {d["id"] for d in catalog if d["check"].startswith("timeline")}
    assert len(timeline_duties) == 58
    assert set(by_duty) == timeline_duties
    assert DUTIES <= set(by_duty)
    assert by_duty["exclusion.minor_continuous"]["timing"] == "continuous_cover"
    assert by_duty["exclusion.notify_doctor"]["source"] == {
        "document": "001", "section": "7.1.2", "statute": "straffegjennomføringsloven § 37 syvende ledd",
    }
    assert by_duty["exclusion.notify_doctor"]["rule_file"] == "duties/exclusion/notify_doctor.yaml"


def test_rules_bad_directory_exits_3(tmp_path, capsys):
    """`rules` with a directory that is not a rule set exits 3."""
    assert main(["rules", "--rules", str(tmp_path)]) == 3
    assert "ruleset.yaml" in capsys.readouterr().err


def test_schema_is_json_with_events(capsys):
    """`schema` prints the timeline JSON Schema as indented JSON."""
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    schema = json.loads(out)
    assert "events" in schema["properties"]
    assert schema == samarbeid_rules.timeline_json_schema()
    assert out.startswith("{\n  ")


def test_version(capsys):
    """--version prints the package version and exits 0."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"samarbeid-rules {samarbeid_rules.__version__}"


# --- renderings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=2, hours=3), "2d3h"),
        (timedelta(days=1, seconds=5), "1d5s"),
        (timedelta(hours=-2), "-2h"),
        (None, "-"),
    ],
)
def test_format_duration(value, text):
    """Durations print as compact day/hour/minute text, omitting zero parts."""
    assert format_duration(value) == text


def test_format_instant_keeps_offset_to_the_minute():
    """Instants print in their own offset, to the minute."""
    report = evaluate(_timeline("t", [_exclusion("2025-07-01T08:00:30Z")]))
    assert format_instant(report.as_of) == "2025-07-01 10:00+02:00"


def test_report_html_escapes_and_colours_status(breach):
    """The HTML rendering escapes ids and colours each status cell by status."""
    data = json.loads(Path(breach).read_text())
    data["case_id"] = "<script>alert(1)</script>"
    report = evaluate(data)
    page = report_html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'class="status status-breached" style="background-color:#f5c6cb"' in page
    assert 'class="status status-fulfilled_late"' in page
    assert report._repr_html_() == page


def test_report_table_escapes_control_characters():
    """Control characters in ids (refused by the loader, but a report can be built around them in
    Python) are shown escaped in the text table, so they cannot drive the terminal."""
    report = evaluate(_timeline("case-1", [_exclusion()]))
    report = report.model_copy(update={"case_id": "case\x1b[31m"})
    table = report_table(report)
    assert "\x1b" not in table
    assert "case\\x1b[31m" in table
