"""The command line's batch, generate, check --junit and check --format jsonl."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from samarbeid_rules import evaluate, evaluate_many, load_timeline
from samarbeid_rules._cli import EXIT_BAD_INPUT, EXIT_BREACH, EXIT_OK, EXIT_USAGE, main
from samarbeid_rules.testing import generate_timeline


def _clean_case(case_id: str) -> dict:
    """An adult exclusion with the doctor told in 30 minutes and looks every 50 minutes: no breach."""
    return {
        "case_id": case_id,
        "person": {"id": "p-" + case_id, "birth_date": "1990-01-01"},
        "events": [
            {"id": "x1", "type": "exclusion_started", "at": "2025-03-03T09:00:00+01:00", "measure_id": "m1",
             "basis": "strgjfl_37", "scope": "full"},
            {"id": "d1", "type": "doctor_notified", "at": "2025-03-03T09:30:00+01:00", "measure_id": "m1"},
            {"id": "l1", "type": "supervision_look", "at": "2025-03-03T09:50:00+01:00", "measure_id": "m1"},
            {"id": "l2", "type": "supervision_look", "at": "2025-03-03T10:40:00+01:00", "measure_id": "m1"},
            {"id": "x9", "type": "exclusion_ended", "at": "2025-03-03T11:00:00+01:00", "measure_id": "m1"},
        ],
    }


def _late_case(case_id: str) -> dict:
    """The clean case with the doctor told five hours late: one breach."""
    data = _clean_case(case_id)
    data["events"][1]["at"] = "2025-03-03T14:00:00+01:00"
    return data


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _dir(tmp_path: Path, *cases: dict, broken: bool = False) -> Path:
    d = tmp_path / "cases"
    d.mkdir()
    for n, data in enumerate(cases):
        _write(d / f"case{n}.json", data)
    if broken:
        (d / "zz_broken.json").write_text("{not json", encoding="utf-8")
    return d


def test_batch_exit_zero_without_breaches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """batch exits 0 when every timeline is evaluated and none has a breach, and prints the counts."""
    d = _dir(tmp_path, _clean_case("a"), _clean_case("b"))
    assert main(["batch", str(d), "--no-progress"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "timelines    2: 2 evaluated, 0 failed, 0 skipped" in out
    assert "breaches     0 in 0 timelines" in out


def test_batch_exit_one_on_breach_with_breaches_per_duty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """batch exits 1 when an obligation is a breach and lists the breaches per duty."""
    d = _dir(tmp_path, _clean_case("a"), _late_case("b"), _late_case("c"))
    assert main(["batch", str(d), "--no-progress"]) == EXIT_BREACH
    out = capsys.readouterr().out
    assert "breaches     2 in 2 timelines" in out
    assert any(line.split() == ["exclusion.notify_doctor", "2"] for line in out.splitlines())


def test_batch_exit_three_when_a_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """batch exits 3 when any timeline fails, even with breaches, naming the file on stderr and in the summary."""
    d = _dir(tmp_path, _late_case("a"), broken=True)
    (d / "README").write_text("x", encoding="utf-8")
    assert main(["batch", str(d), "--no-progress"]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert f"{d / 'zz_broken.json'}: not valid JSON" in captured.err
    assert "timelines    2: 1 evaluated, 1 failed, 1 skipped" in captured.out
    assert str(d / "zz_broken.json") in captured.out
    assert f"{d / 'README'}  not a .json or .jsonl file" in captured.out


def test_batch_usage_and_input_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing source is bad input (3); a bad option value or an unwritable output is a usage error (2)."""
    assert main(["batch", str(tmp_path / "missing"), "--no-progress"]) == EXIT_BAD_INPUT
    assert "no such file or directory" in capsys.readouterr().err
    d = _dir(tmp_path, _clean_case("a"))
    assert main(["batch", str(d), "--processes", "-1"]) == EXIT_USAGE
    assert main(["batch", str(d), "--engine", "nope"]) == EXIT_USAGE
    assert main(["batch", str(d), "--as-of", "2025-03-03T12:00"]) == EXIT_USAGE
    assert main(["batch", str(d), "--no-progress", "--junit", str(tmp_path / "no" / "dir" / "x.xml")]) == EXIT_USAGE
    assert "cannot write" in capsys.readouterr().err


def test_batch_writes_jsonl_and_junit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--jsonl and --junit write one record per obligation and a JUnit document matching the summary."""
    d = _dir(tmp_path, _clean_case("a"), _late_case("b"), broken=True)
    jsonl, junit = tmp_path / "out.jsonl", tmp_path / "out.xml"
    code = main(["batch", str(d), "--no-progress", "--jsonl", str(jsonl), "--junit", str(junit)])
    assert code == EXIT_BAD_INPUT
    capsys.readouterr()
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    obligations = len(evaluate(_clean_case("a")).obligations) + len(evaluate(_late_case("b")).obligations)
    assert [r["record"] for r in records].count("obligation") == obligations
    assert [r["location"] for r in records if r["record"] == "error"] == [str(d / "zz_broken.json")]
    # one record per evaluated timeline, and a completion record last
    assert [r["record"] for r in records].count("timeline") == 2
    assert records[-1] == {"record": "end", "complete": True, "incomplete_reason": None, "evaluated": 2,
                           "failed": 1, "skipped": 0, "obligations": obligations, "breaches": 1}
    root = ET.parse(junit).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 4 and suites[-1].get("name") == "samarbeid-rules.run"
    assert {p.get("name"): p.get("value") for p in suites[-1].iter("property")}["complete"] == "true"
    assert len(root.findall(".//testcase")) == obligations + 1 + 1
    assert len(root.findall(".//failure")) == 1
    assert len(root.findall(".//error")) == 1


def test_batch_with_two_processes_writes_the_same_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """batch --processes 2 writes byte-identical JSON Lines, JUnit and summary to --processes 1."""
    source = tmp_path / "population.jsonl"
    source.write_text(
        "".join(json.dumps(generate_timeline(5, n)) + "\n" for n in range(30)) + "{broken\n", encoding="utf-8"
    )
    outputs = []
    for processes in ("1", "2"):
        jsonl, junit = tmp_path / f"{processes}.jsonl", tmp_path / f"{processes}.xml"
        code = main(["batch", str(source), "--processes", processes, "--no-progress",
                     "--jsonl", str(jsonl), "--junit", str(junit)])
        outputs.append((code, capsys.readouterr().out, jsonl.read_bytes(), junit.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == EXIT_BAD_INPUT


def test_check_junit_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check --junit writes JUnit XML for the files given and --format jsonl prints one line per obligation."""
    ok = _write(tmp_path / "ok.json", _clean_case("a"))
    late = _write(tmp_path / "late.json", _late_case("b"))
    junit = tmp_path / "check.xml"
    assert main(["check", str(ok), str(late), "--format", "jsonl", "--junit", str(junit)]) == EXIT_BREACH
    lines = capsys.readouterr().out.splitlines()
    every = [json.loads(line) for line in lines]
    records = [r for r in every if r["record"] == "obligation"]
    assert [r["record"] for r in every].count("timeline") == 2 and every[-1]["record"] == "end"
    expected = evaluate(ok).obligations + evaluate(late).obligations
    assert [(r["location"], r["id"], r["status"]) for r in records] == [
        (str(path), o.id, o.status.value)
        for path in (ok, late) for o in evaluate(path).obligations
    ]
    assert len(records) == len(expected)
    root = ET.parse(junit).getroot()
    assert [s.get("name") for s in root.findall("testsuite")] == [str(ok), str(late), "samarbeid-rules.run"]
    assert len(root.findall(".//failure")) == 1


def test_check_junit_records_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check --junit records a file that failed validation as an error testcase and still exits 3."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"case_id": "x"}', encoding="utf-8")
    junit = tmp_path / "check.xml"
    assert main(["check", str(bad), "--junit", str(junit)]) == EXIT_BAD_INPUT
    capsys.readouterr()
    error = ET.parse(junit).getroot().find("testsuite/testcase/error")
    assert error is not None and str(bad) in error.get("message")


def test_generate_jsonl_loads_and_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """generate writes a JSON Lines file of valid timelines whose bytes depend only on the seed."""
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert main(["generate", "--count", "25", "--seed", "11", "--out", str(a)]) == EXIT_OK
    assert main(["generate", "--count", "25", "--seed", "11", "--out", str(b)]) == EXIT_OK
    assert main(["generate", "--count", "25", "--seed", "12", "--out", str(c)]) == EXIT_OK
    assert "wrote 25 timelines" in capsys.readouterr().out
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25
    assert [json.loads(line) for line in lines] == [generate_timeline("11", n) for n in range(25)]
    for line in lines:
        load_timeline(line)
    run = evaluate_many(a, progress=False)
    assert all(item.ok for item in run)
    assert (run.summary.evaluated, run.summary.failed, run.summary.skipped) == (25, 0, 0)


def test_generate_directory_matches_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """generate into a directory writes one .json per timeline, in order, the same timelines as the JSON Lines form."""
    d, jsonl = tmp_path / "pop", tmp_path / "pop.jsonl"
    assert main(["generate", "--count", "12", "--seed", "3", "--out", str(d)]) == EXIT_OK
    assert main(["generate", "--count", "12", "--seed", "3", "--out", str(jsonl)]) == EXIT_OK
    capsys.readouterr()
    names = sorted(p.name for p in d.iterdir())
    assert names == [f"timeline-{n:02d}.json" for n in range(12)]
    from_dir = [i.report for i in evaluate_many(d, progress=False)]
    from_jsonl = [i.report for i in evaluate_many(jsonl, progress=False)]
    assert from_dir == from_jsonl and len(from_dir) == 12
    # a non-empty directory is not written into
    assert main(["generate", "--count", "1", "--out", str(d)]) == EXIT_USAGE
    assert "not an empty directory" in capsys.readouterr().err
    assert main(["generate", "--count", "-3", "--out", str(tmp_path / "x.jsonl")]) == EXIT_USAGE
