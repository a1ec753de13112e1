"""CI outputs: JUnit XML and JSON Lines built from batch items."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from samarbeid_rules import BatchItem, evaluate, evaluate_many
from samarbeid_rules._outputs.ci import iter_junit_xml, jsonl_lines, junit_xml
from samarbeid_rules.testing import generate_timeline

AS_OF = "2025-03-03T15:00:00+01:00"


def _exclusion_case(case_id: str, doctor_at: str) -> dict:
    """An adult exclusion 09:00-11:00 with looks every 50 minutes and the doctor told at ``doctor_at``."""
    return {
        "case_id": case_id,
        "person": {"id": "p-" + case_id, "birth_date": "1990-01-01"},
        "events": [
            {"id": "x1", "type": "exclusion_started", "at": "2025-03-03T09:00:00+01:00", "measure_id": "m1",
             "basis": "strgjfl_37", "scope": "full"},
            {"id": "d1", "type": "doctor_notified", "at": doctor_at, "measure_id": "m1"},
            {"id": "l1", "type": "supervision_look", "at": "2025-03-03T09:50:00+01:00", "measure_id": "m1"},
            {"id": "l2", "type": "supervision_look", "at": "2025-03-03T10:40:00+01:00", "measure_id": "m1"},
            {"id": "x9", "type": "exclusion_ended", "at": "2025-03-03T11:00:00+01:00", "measure_id": "m1"},
        ],
    }


def _broken() -> dict:
    return {"case_id": "broken", "person": {"id": "p", "birth_date": "1990-01-01"},
            "events": [{"id": "e1", "type": "released", "at": "2025-03-01T10:00:00"}]}


def _source() -> list[tuple[str, dict]]:
    return [
        ("ontime.json", _exclusion_case("ontime", "2025-03-03T09:30:00+01:00")),
        ("contested.json", _exclusion_case("contested", "2025-03-03T10:30:00+01:00")),
        ("late.json", _exclusion_case("late", "2025-03-03T14:00:00+01:00")),
        ("broken.json", _broken()),
    ]


@pytest.fixture
def items() -> list[BatchItem]:
    """On time, contested (30 minutes late), fulfilled late (4 hours late) and one broken timeline."""
    return list(evaluate_many(_source(), as_of=AS_OF, progress=False))


def test_statuses_of_the_fixture(items: list[BatchItem]) -> None:
    """The fixture has the statuses the other tests rely on."""
    doctor = [
        next(o for o in i.report.obligations if o.duty_id == "exclusion.notify_doctor") for i in items[:3]
    ]
    assert [o.status.value for o in doctor] == ["fulfilled", "contested", "fulfilled_late"]
    assert items[3].report is None


def test_junit_counts_testcases_failures_and_errors(items: list[BatchItem]) -> None:
    """The JUnit XML parses and has one suite per timeline, one testcase per obligation, a failure per breach."""
    root = ET.fromstring(junit_xml(items))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["ontime.json", "contested.json", "late.json", "broken.json"]
    obligations = sum(len(i.report.obligations) for i in items if i.report)
    assert len(root.findall(".//testcase")) == obligations + 1
    breaches = sum(len(i.report.breaches) for i in items if i.report)
    assert breaches == 1
    assert len(root.findall(".//failure")) == breaches
    assert len(root.findall(".//error")) == 1
    for suite, item in zip(suites[:3], items[:3]):
        assert suite.get("tests") == str(len(item.report.obligations))
        assert suite.get("failures") == str(len(item.report.breaches))
        names = [(c.get("name"), c.get("classname")) for c in suite.findall("testcase")]
        assert names == [(o.id, o.duty_id) for o in item.report.obligations]


def test_junit_failure_names_status_due_and_lateness(items: list[BatchItem]) -> None:
    """A breach's failure message names its status, its strict deadline and how late it was."""
    root = ET.fromstring(junit_xml(items))
    suite = root.find("testsuite[@name='late.json']")
    failure = suite.find("testcase[@classname='exclusion.notify_doctor']/failure")
    message = failure.get("message")
    assert failure.get("type") == "fulfilled_late"
    assert message.startswith("fulfilled_late")
    assert "due 2025-03-03 10:00+01:00" in message
    assert "4h late" in message
    assert "d1" in failure.text


def test_junit_contested_passes_with_a_note(items: list[BatchItem]) -> None:
    """A contested obligation is a passing testcase whose system-out explains why it is contested."""
    root = ET.fromstring(junit_xml(items))
    case = root.find("testsuite[@name='contested.json']/testcase[@classname='exclusion.notify_doctor']")
    assert case.find("failure") is None and case.find("error") is None
    note = case.find("system-out").text
    assert note.startswith("contested")
    assert "30m late" in note and "lenient bound" in note


def test_junit_bad_input_is_an_error_testcase(items: list[BatchItem]) -> None:
    """A timeline that failed validation is one testcase with an error naming the file, event and field."""
    root = ET.fromstring(junit_xml(items))
    suite = root.find("testsuite[@name='broken.json']")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    error = suite.find("testcase/error")
    assert error.get("message") == items[3].error
    assert "broken.json" in error.get("message") and "events[0]" in error.get("message")


def test_junit_escapes_markup_and_control_characters() -> None:
    """Locations, ids and messages with markup or control characters still give well-formed XML."""
    data = _exclusion_case('c<&>"', "2025-03-03T14:00:00+01:00")
    data["events"][0]["id"] = "x<1>&"
    data["events"][1]["id"] = 'd"1\''
    source = [("dir/<odd> & \"name\x07\".json", data), ("bad\x00.json", {"case_id": "<&>\x01"})]
    items = list(evaluate_many(source, as_of=AS_OF, progress=False))
    text = junit_xml(items)
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    assert suites[0].get("name") == 'dir/<odd> & "name\\x07".json'
    assert suites[1].get("name") == "bad\\x00.json"
    prop = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert prop["case_id"] == 'c<&>"'
    assert suites[0].find("testcase[@name='exclusion.notify_doctor:x<1>&']/failure") is not None
    # the refused case id (a control character) is not copied into the output
    assert "case_id" not in {p.get("name") for p in suites[1].iter("property")}


def test_junit_is_deterministic_and_streamable(items: list[BatchItem]) -> None:
    """The same input gives the same XML, and the streamed pieces join to the whole document."""
    again = list(evaluate_many(_source(), as_of=AS_OF, progress=False))
    assert junit_xml(again) == junit_xml(items)
    pieces = list(iter_junit_xml(iter(items)))
    assert len(pieces) == len(items) + 2
    assert "".join(pieces) == junit_xml(items)
    assert ET.fromstring(junit_xml([])).findall("testsuite") == []


def test_jsonl_has_one_line_per_obligation_and_per_failure(items: list[BatchItem]) -> None:
    """jsonl_lines gives one JSON object per obligation with case id and location, and one per failed file."""
    lines = list(jsonl_lines(items))
    assert all("\n" not in line for line in lines)
    records = [json.loads(line) for line in lines]
    obligations = [r for r in records if r["record"] == "obligation"]
    errors = [r for r in records if r["record"] == "error"]
    expected = [(i, o) for i in items if i.report for o in i.report.obligations]
    assert len(obligations) == len(expected)
    for rec, (item, o) in zip(obligations, expected):
        assert rec["case_id"] == item.case_id and rec["location"] == item.location
        assert rec["id"] == o.id and rec["duty_id"] == o.duty_id
        assert rec["status"] == o.status.value and rec["breach"] == o.breach
        assert rec["window"] == json.loads(o.window.model_dump_json())
    assert errors == [{"record": "error", "case_id": "broken", "location": "broken.json", "error": items[3].error}]
    late = next(r for r in obligations if r["case_id"] == "late" and r["duty_id"] == "exclusion.notify_doctor")
    assert late["lateness"] == "PT4H"


def test_jsonl_carries_no_event_payloads() -> None:
    """JSON Lines records carry ids only: no events, birth dates or measure payload fields."""
    data = generate_timeline(7, 3)
    item = BatchItem("t.json", evaluate(data), None, data["case_id"])
    for line in jsonl_lines([item]):
        rec = json.loads(line)
        assert "events" not in rec
        text = line.lower()
        assert data["person"]["birth_date"] not in text
        assert "custody_kind" not in text and "birth_date" not in text
