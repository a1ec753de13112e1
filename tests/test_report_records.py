"""The report's per-event records (``EventAccount``, ``EventUse``, ``NotInForce``) are msgspec Structs
(issue 15, item 2); to pydantic each is the frozen dataclass it was before. So:

- ``Report.to_json()`` (pydantic for every field but the accounts, msgspec for the accounts) is
  ``model_dump_json()`` byte for byte, on every kind of account (used, unused with its reason, after
  ``as_of``, with ``not_in_force`` records);
- a report read back from its JSON is equal to it, with Structs for its records;
- the records' JSON Schema is the dataclasses' (``additionalProperties: false``, defaults, docstrings);
- an account read back is checked as strictly as before (no extra key, no wrong type).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import msgspec
import pytest
from pydantic import ValidationError

from samarbeid_rules import EventAccount, EventUse, Report, evaluate
from samarbeid_rules._pipeline.report import NotInForce
from samarbeid_rules.testing import generate_population

ROOT = Path(__file__).resolve().parents[1]


def _reports() -> list[Report]:
    out = [evaluate(p) for p in sorted((ROOT / "examples").glob("*.json"))]
    for data in generate_population(60, seed=5):
        out.append(evaluate(data))
        out.append(evaluate(data, as_of="2026-03-01T12:00:00+01:00"))  # events after as_of, open measures
    # a trigger outside its rule file's in-force dates: a not_in_force record
    out.append(evaluate({
        "case_id": "c", "person": {"id": "p", "birth_date": "1980-01-01"},
        "events": [{"id": "a1", "type": "admitted", "at": "1999-01-05T09:00:00+01:00", "custody_kind": "remand"}],
    }))
    return out


REPORTS = _reports()


def test_the_reports_hold_every_kind_of_account():
    """The comparisons below see every state, reasons, several uses of one event and not_in_force records."""
    accounts = [a for r in REPORTS for a in r.events]
    assert {a.state for a in accounts} == {"used", "unused", "after_as_of"}
    assert any(a.reason for a in accounts if a.state == "unused")
    assert any(len(a.used_by) > 1 for a in accounts)
    assert any(a.not_in_force for a in accounts)


def test_to_json_is_model_dump_json_byte_for_byte():
    for report in REPORTS:
        assert report.to_json() == report.model_dump_json()
        assert report.to_json(indent=2) == report.model_dump_json(indent=2)


def test_a_report_read_back_is_equal_and_holds_structs():
    for report in REPORTS[:40] + REPORTS[-1:]:
        again = Report.model_validate_json(report.to_json())
        assert again == report
        assert again.to_json() == report.to_json()
        for account in again.events:
            assert type(account) is EventAccount
            assert all(type(u) is EventUse for u in account.used_by)
            assert all(type(n) is NotInForce for n in account.not_in_force)


def test_model_dump_gives_the_dataclass_form():
    """In Python mode an account dumps as the dataclass did: a dict, its tuples kept, dates as dates."""
    report = REPORTS[-1]
    (first,) = [a for a in report.model_dump()["events"] if a["not_in_force"]][:1]
    assert isinstance(first["not_in_force"][0]["date"], date)
    assert set(first) == {"index", "event_id", "type", "state", "used_by", "reason", "not_in_force"}
    assert report.model_dump(mode="json")["events"] == json.loads(report.to_json())["events"]


def test_the_records_json_schema_is_the_dataclasses():
    schema = Report.model_json_schema(mode="serialization")["$defs"]
    account = schema["EventAccount"]
    assert account["additionalProperties"] is False
    assert account["description"] == "What the evaluation did with one input event."
    assert account["required"] == ["index", "event_id", "type", "state"]
    assert account["properties"]["used_by"] == {"default": [], "items": {"$ref": "#/$defs/EventUse"},
                                                "title": "Used By", "type": "array"}
    assert schema["NotInForce"]["properties"]["date"] == {"format": "date", "title": "Date", "type": "string"}
    assert Report.model_json_schema(mode="validation")["$defs"]["EventAccount"] == account


def _account_json(**change) -> dict:
    data = json.loads(REPORTS[0].to_json())
    data["events"][0] = {**data["events"][0], **change}
    return data


@pytest.mark.parametrize("change", [
    {"extra": 1},  # no key the record lacks
    {"index": "zero"},  # an index must be a whole number
    {"state": "maybe"},  # a state not in the list
    {"used_by": [{"obligation": "o", "role": "r", "x": 1}]},
])
def test_an_account_read_back_is_checked(change):
    with pytest.raises(ValidationError):
        Report.model_validate_json(json.dumps(_account_json(**change)))


def test_an_account_is_a_frozen_struct():
    account = REPORTS[0].events[0]
    with pytest.raises(AttributeError):
        account.state = "unused"  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(account), type=EventAccount) == account
    assert hash(account) == hash(EventAccount(*msgspec.structs.astuple(account)))
