"""CLI habits (issue 14 item 5): standard input as ``-``, ``--fail-on``, generated names in generation
order, ``schema --report``."""
from __future__ import annotations

import io
import itertools
import json
import shutil
import sys
from pathlib import Path

import pytest

from samarbeid_rules._cli.common import FAIL_ON
from samarbeid_rules._cli.main import EXIT_BAD_INPUT, EXIT_BREACH, EXIT_OK, EXIT_USAGE, main
from samarbeid_rules._inputs import jsonread
from samarbeid_rules._pipeline.report import Report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LATE = EXAMPLES / "release_notice_late.json"  # breaches
DST = EXAMPLES / "exclusion_dst_open.json"  # one contested, no breach
INSTITUTION = EXAMPLES / "institution" / "prison-017.json"
SECRET = "Kari Nordmann 01017000027"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- standard input ------------------------------------------------------------------------


def test_check_dash_reads_the_timeline_from_standard_input(monkeypatch, capsys):
    """``check -`` gives the same report and exit code as ``check FILE``."""
    code, from_file, _ = _run(capsys, "check", "--format", "json", str(LATE))
    _stdin(monkeypatch, LATE.read_bytes())
    code_stdin, from_stdin, err = _run(capsys, "check", "--format", "json", "-")
    assert (code, code_stdin, err) == (EXIT_BREACH, EXIT_BREACH, "")
    assert from_stdin == from_file
    # with other files, standard input is named <stdin>
    _stdin(monkeypatch, DST.read_bytes())
    code, out, _ = _run(capsys, "check", str(LATE), "-")
    assert code == EXIT_BREACH and f"== {LATE}\n" in out and "== <stdin>\n" in out


def test_an_error_on_standard_input_is_located_at_stdin(monkeypatch, capsys):
    data = json.loads(LATE.read_text(encoding="utf-8"))
    data["events"][2]["at"] = SECRET
    _stdin(monkeypatch, json.dumps(data).encode())
    code, out, err = _run(capsys, "check", "-")
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.startswith("samarbeid-rules: <stdin>, events[2], event 'hintake-1', field 'at': ")
    assert SECRET not in err
    _stdin(monkeypatch, b"{not json")
    assert _run(capsys, "check", "-")[2].startswith("samarbeid-rules: <stdin>: not valid JSON")


def test_a_file_named_like_the_stdin_label_is_read_as_a_file(monkeypatch, capsys, tmp_path):
    """Only the argument ``-`` is standard input: a file whose name is ``<stdin>`` is that file."""
    (tmp_path / "<stdin>").write_bytes(LATE.read_bytes())
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, DST.read_bytes())  # what standard input holds: another timeline
    code, from_file, _ = _run(capsys, "check", "--format", "json", str(LATE))
    code_named, named, err = _run(capsys, "check", "--format", "json", "<stdin>")
    assert (code, code_named, err) == (EXIT_BREACH, EXIT_BREACH, "")
    assert named == from_file


def test_standard_input_can_be_given_once(monkeypatch, capsys):
    _stdin(monkeypatch, LATE.read_bytes())
    code, out, err = _run(capsys, "check", "-", "-")
    assert (code, out, err) == (EXIT_USAGE, "", "samarbeid-rules: standard input (-) can be given only once\n")


@pytest.mark.parametrize("extra", [0, 1])
def test_standard_input_is_read_up_to_the_limit_and_refused_one_byte_past(monkeypatch, capsys, extra):
    text = LATE.read_bytes()
    limit = len(text) + 1024
    monkeypatch.setattr(jsonread, "MAX_BYTES", limit)
    data = text.rstrip() + b" " * (limit - len(text.rstrip()) + extra)
    assert len(data) == limit + extra
    _stdin(monkeypatch, data)
    code, _, err = _run(capsys, "check", "-")
    if extra:
        assert code == EXIT_BAD_INPUT and err.startswith("samarbeid-rules: <stdin>: input is larger than the limit")
    else:
        assert (code, err) == (EXIT_BREACH, "")


def test_check_institution_and_explain_read_standard_input(monkeypatch, capsys):
    code, from_file, _ = _run(capsys, "check-institution", "--format", "json", str(INSTITUTION))
    _stdin(monkeypatch, INSTITUTION.read_bytes())
    assert _run(capsys, "check-institution", "--format", "json", "-") == (code, from_file, "")
    _stdin(monkeypatch, b'{"prison_id": "' + SECRET.encode() + b'"}')
    code, _, err = _run(capsys, "check-institution", "-")
    assert code == EXIT_BAD_INPUT and err.startswith("samarbeid-rules: <stdin>, field 'prison_id': ")
    assert SECRET not in err
    duty = "release.health_notice"
    code, from_file, _ = _run(capsys, "explain", "--format", "json", str(LATE), duty)
    _stdin(monkeypatch, LATE.read_bytes())
    assert _run(capsys, "explain", "--format", "json", "-", duty) == (code, from_file, "")


def test_batch_dash_reads_json_lines_from_standard_input(tmp_path, monkeypatch, capsys):
    """``batch -``: the same counts and exit code as the file; lines are named <stdin>:N (blank
    lines count as lines but hold no timeline)."""
    pop = tmp_path / "pop.jsonl"
    assert main(["generate", "--count", "6", "--seed", "4", "--out", str(pop)]) == EXIT_OK
    capsys.readouterr()
    code, from_file, _ = _run(capsys, "batch", "--no-progress", str(pop))
    _stdin(monkeypatch, pop.read_bytes())
    code_stdin, from_stdin, err = _run(capsys, "batch", "--no-progress", "-")
    assert code_stdin == code and err == ""
    assert from_stdin == from_file.replace(f"source       {pop}\n", "source       <stdin>\n")
    lines = pop.read_bytes().splitlines(keepends=True)
    _stdin(monkeypatch, b"".join(lines[:2]) + b"\n" + b'{"case_id": "' + SECRET.encode() + b'"}\n')
    code, out, err = _run(capsys, "batch", "--no-progress", "--processes", "2", "-")
    assert code == EXIT_BAD_INPUT
    assert "timelines    3: 2 evaluated, 1 failed, 0 skipped" in out and "  <stdin>:4\n" in out
    assert err.startswith("samarbeid-rules: <stdin>:4") and SECRET not in err + out


# --- --fail-on -----------------------------------------------------------------------------


def _counts(report: dict) -> dict[str, int]:
    obligations = report["obligations"]
    return {
        "breach": sum(1 for o in obligations if o["breach"]),
        "contested": sum(1 for o in obligations if o["status"] == "contested"),
        "not_followed": sum(1 for o in obligations if o["status"] == "not_followed"),
    }


def test_fail_on_selects_what_gives_exit_1(tmp_path, capsys):
    """For every selection of --fail-on (comma list or repeated), check and batch exit 1 exactly when
    an obligation of a selected kind is in the reports; without --fail-on, as for breach."""
    pop = tmp_path / "pop"
    assert main(["generate", "--count", "4", "--seed", "9", "--out", str(pop)]) == EXIT_OK
    files = [*sorted(str(p) for p in pop.iterdir()), str(DST), str(LATE)]
    capsys.readouterr()
    counts = {}
    for f in files:
        counts[f] = _counts(json.loads(_run(capsys, "check", "--format", "json", f)[1]))
    # the population has each kind, and some files lack each kind (so both codes are seen)
    for kind in FAIL_ON:
        assert any(c[kind] for c in counts.values()) and not all(c[kind] for c in counts.values())
    selections = [s for n in range(1, 4) for s in itertools.combinations(FAIL_ON, n)]
    for f, c in counts.items():
        assert main(["check", "--format", "json", f]) == (EXIT_BREACH if c["breach"] else EXIT_OK)
        for kind in FAIL_ON:
            want = EXIT_BREACH if c[kind] else EXIT_OK
            assert main(["check", "--format", "json", "--fail-on", kind, f]) == want, (f, kind)
    for f in (str(DST), str(LATE)):  # every selection, as a comma list and repeated
        c = counts[f]
        for sel in selections:
            want = EXIT_BREACH if any(c[k] for k in sel) else EXIT_OK
            assert main(["check", "--format", "json", "--fail-on", ",".join(sel), f]) == want, (f, sel)
            repeated = [a for k in sel for a in ("--fail-on", k)]
            assert main(["check", "--format", "json", *repeated, f]) == want
    capsys.readouterr()
    # batch over the DST example only: a contested obligation and no breach
    for sel, want in ((("breach",), EXIT_OK), (("contested",), EXIT_BREACH), (("not_followed",), EXIT_OK)):
        single = tmp_path / "one"
        single.mkdir(exist_ok=True)
        shutil.copy(DST, single / "dst.json")
        assert main(["batch", "--no-progress", "--fail-on", ",".join(sel), str(single)]) == want
    assert main(["batch", "--no-progress", str(single)]) == EXIT_OK
    capsys.readouterr()


def test_fail_on_in_batch_agrees_with_check(tmp_path, capsys):
    pop = tmp_path / "pop.jsonl"
    assert main(["generate", "--count", "5", "--seed", "1", "--out", str(pop)]) == EXIT_OK
    capsys.readouterr()
    total = {k: 0 for k in FAIL_ON}
    for line in pop.read_text(encoding="utf-8").splitlines():
        f = tmp_path / "t.json"
        f.write_text(line, encoding="utf-8")
        for k, n in _counts(json.loads(_run(capsys, "check", "--format", "json", str(f))[1])).items():
            total[k] += n
    for kind in FAIL_ON:
        want = EXIT_BREACH if total[kind] else EXIT_OK
        assert main(["batch", "--no-progress", "--fail-on", kind, str(pop)]) == want
    capsys.readouterr()


def test_fail_on_in_check_institution(capsys):
    """check-institution exits 1 exactly when a finding of a selected kind is in the report (default:
    a breach), at dates where the example prison's findings have none, some or every kind."""
    seen = {k: set() for k in FAIL_ON}
    for day in ("2025-01-15", "2024-06-01", "2025-09-01"):
        capsys.readouterr()  # the previous day's reports
        code, text, _ = _run(capsys, "check-institution", "--format", "json", "--as-of", day, str(INSTITUTION))
        findings = json.loads(text)["findings"]
        c = {
            "breach": sum(1 for f in findings if f["breach"]),
            "contested": sum(1 for f in findings if f["status"] == "contested"),
            "not_followed": sum(1 for f in findings if f["status"] == "not_followed"),
        }
        assert code == (EXIT_BREACH if c["breach"] else EXIT_OK)
        for n in range(1, 4):
            for sel in itertools.combinations(FAIL_ON, n):
                want = EXIT_BREACH if any(c[k] for k in sel) else EXIT_OK
                got = main(["check-institution", "--format", "json", "--as-of", day, "--fail-on", ",".join(sel),
                            str(INSTITUTION)])
                assert got == want, (day, sel)
        for k in FAIL_ON:
            seen[k].add(bool(c[k]))
    assert all(v == {True, False} for v in seen.values())  # each kind both present and absent
    capsys.readouterr()


def test_fail_on_in_explain(capsys):
    """explain exits 1 on a breach of the duty; --fail-on contested on the contested one."""
    duty = "exclusion.notify_doctor"  # contested in the DST example
    assert main(["explain", str(DST), duty]) == EXIT_OK
    assert main(["explain", "--fail-on", "contested", str(DST), duty]) == EXIT_BREACH
    assert main(["explain", "--fail-on", "not_followed", str(DST), duty]) == EXIT_OK
    capsys.readouterr()


@pytest.mark.parametrize("value", ["breech", "", ",", "breach,conteste", SECRET])
def test_an_unknown_fail_on_value_is_a_usage_error(value, capsys):
    code, _, err = _run(capsys, "check", "--fail-on", value, str(LATE))
    assert code == EXIT_USAGE
    assert "argument --fail-on: expected breach, contested, not_followed (comma-separated or repeated)" in err
    if value == "breech":
        assert "(did you mean 'breach'?)" in err
    if value.startswith("breach,"):
        assert "(did you mean 'contested'?)" in err
    assert SECRET not in err and "breech" not in err and "conteste " not in err


# --- generated names, schema --report ----------------------------------------------------------


@pytest.mark.parametrize(("count", "width"), [(1, 1), (10, 1), (11, 2), (100, 2), (101, 3)])
def test_generated_file_names_sort_in_generation_order(tmp_path, count, width, capsys):
    """Names are zero-padded to the width of the last number (count - 1): at 10 files 0-9, one
    more and 00-10; so name order is generation order, the order of the JSON Lines form."""
    d, jsonl = tmp_path / "pop", tmp_path / "pop.jsonl"
    assert main(["generate", "--count", str(count), "--seed", "5", "--out", str(d)]) == EXIT_OK
    assert main(["generate", "--count", str(count), "--seed", "5", "--out", str(jsonl)]) == EXIT_OK
    capsys.readouterr()
    names = sorted(p.name for p in d.iterdir())
    assert names == [f"timeline-{n:0{width}d}.json" for n in range(count)]
    assert {len(n) for n in names} == {len("timeline-.json") + width}
    in_name_order = [json.loads((d / n).read_text(encoding="utf-8")) for n in names]
    assert in_name_order == [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]


def test_schema_report_prints_the_report_schema_and_schema_the_timeline_schema(capsys):
    from samarbeid_rules import timeline_json_schema

    code, out, _ = _run(capsys, "schema", "--report")
    assert code == EXIT_OK and json.loads(out) == Report.model_json_schema(mode="serialization")
    assert "Obligation" in json.loads(out)["$defs"]
    code, out, _ = _run(capsys, "schema")
    assert code == EXIT_OK and json.loads(out) == timeline_json_schema()
    # a report printed by check is an instance of the report schema (its required top-level keys)
    report = json.loads(_run(capsys, "check", "--format", "json", str(LATE))[1])
    schema = Report.model_json_schema(mode="serialization")
    assert set(schema["required"]) <= set(report) and set(report) <= set(schema["properties"])
