"""Rule-set versions by date: G-8/2006 before circular 001 took effect, circular-2025 from then on."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import RuleFileError, evaluate, load_rules
from samarbeid_rules._common.calendar import zone
from samarbeid_rules._cli import main

OSLO = zone("Europe/Oslo")
BEFORE = "2025-06-30T23:30:00+02:00"  # local date 30 June 2025: g8-2006
AFTER = "2025-07-01T00:30:00+02:00"  # local date 1 July 2025: circular-2025 (UTC date still 30 June)
AS_OF = "2025-09-01T12:00:00+02:00"


def _admission(at: str, event_id: str = "a1", **fields) -> dict:
    return {"id": event_id, "type": "admitted", "at": at, "custody_kind": "sentence",
            "ongoing_specialist_treatment": True, **fields}


def _timeline(*events: dict) -> dict:
    return {"case_id": "versions", "person": {"id": "p", "birth_date": "1990-01-01"}, "events": list(events)}


def _of(report, duty: str) -> list:
    return [o for o in report.obligations if o.duty_id == duty]


def test_shipped_versions_and_the_assumed_boundary():
    """The shipped rule set has g8-2006 from 2006-01-01 and circular-2025 from the assumed 2025-07-01."""
    meta = load_rules().meta
    assert [v.id for v in meta.versions] == ["g8-2006", "circular-2025"]
    assert meta.settings == {"circular_2025_effective": date(2025, 7, 1)}
    assert "ASSUMPTION" in meta.setting_notes["circular_2025_effective"]
    assert meta.version_on(date(2005, 12, 31)) is None
    assert meta.version_on(date(2006, 1, 1)) == "g8-2006"
    assert meta.version_on(date(2025, 6, 30)) == "g8-2006"
    assert meta.version_on(date(2025, 7, 1)) == "circular-2025"


def test_duty_in_both_versions_names_the_version_by_the_trigger_date():
    """admission.needs_mapping (both versions) arises on either side of the boundary, each naming its version."""
    report = evaluate(_timeline(_admission(BEFORE, "a1"), _admission(AFTER, "a2")), as_of=AS_OF)
    versions = {o.trigger_event_ids[-1]: o.rule_set_version for o in _of(report, "admission.needs_mapping")}
    assert versions == {"a1": "g8-2006", "a2": "circular-2025"}
    assert all(o.rule_file == "duties/admission/needs_mapping.yaml" for o in _of(report, "admission.needs_mapping"))


def test_circular_only_duty_does_not_arise_before_the_effective_date():
    """admission.intake_interview (circular-2025 only) gives no obligation for an admission the day before."""
    before = evaluate(_timeline(_admission(BEFORE)), as_of=AS_OF)
    after = evaluate(_timeline(_admission(AFTER)), as_of=AS_OF)
    assert _of(before, "admission.intake_interview") == []
    (ob,) = _of(after, "admission.intake_interview")
    assert ob.rule_set_version == "circular-2025"
    assert ob.status.value == "breached"


def test_duty_with_a_g8_file_uses_it_before_the_effective_date():
    """admission.continue_treatment is judged by continue_treatment.g8.yaml (actor KO) before, the 001 file after."""
    report = evaluate(_timeline(_admission(BEFORE, "a1"), _admission(AFTER, "a2")), as_of=AS_OF)
    by_trigger = {o.trigger_event_ids[-1]: o for o in _of(report, "admission.continue_treatment")}
    assert by_trigger["a1"].rule_file == "duties/admission/continue_treatment.g8.yaml"
    assert by_trigger["a1"].rule_set_version == "g8-2006"
    assert by_trigger["a1"].actor == "KO"
    assert by_trigger["a1"].citation.document == "004"
    assert by_trigger["a2"].rule_file == "duties/admission/continue_treatment.yaml"
    assert by_trigger["a2"].rule_set_version == "circular-2025"
    assert by_trigger["a2"].actor == "SHT"


def test_every_obligation_names_its_version():
    """Every obligation of a report names a declared rule-set version."""
    report = evaluate(_timeline(_admission(BEFORE, "a1"), _admission(AFTER, "a2")), as_of=AS_OF)
    declared = {v.id for v in load_rules().meta.versions}
    assert report.obligations
    assert all(o.rule_set_version in declared for o in report.obligations)


def test_boundary_is_the_local_date_not_the_utc_date():
    """00:30 on 1 July in Oslo is still 30 June in UTC, and is judged by circular-2025."""
    report = evaluate(_timeline(_admission(AFTER)), as_of=AS_OF)
    assert datetime.fromisoformat(AFTER).astimezone(timezone.utc).date() == date(2025, 6, 30)
    assert {o.rule_set_version for o in report.obligations} == {"circular-2025"}


def test_trigger_before_the_first_version_raises_nothing():
    """An admission in 2005, before any version of the rules, gives no obligation."""
    report = evaluate(_timeline(_admission("2005-06-01T10:00:00+02:00")), as_of="2005-09-01T12:00:00+02:00")
    assert report.obligations == []
    assert report.summary["obligations"] == 0


def test_with_settings_moves_the_boundary():
    """RuleSet.with_settings(circular_2025_effective=…) moves the boundary; the shipped set is left unchanged."""
    rules = load_rules()
    earlier = rules.with_settings(circular_2025_effective=date(2025, 6, 1))
    tl = _timeline(_admission(BEFORE))
    moved = evaluate(tl, as_of=AS_OF, rules=earlier)
    assert {o.rule_set_version for o in moved.obligations} == {"circular-2025"}
    assert len(_of(moved, "admission.intake_interview")) == 1
    later = rules.with_settings(circular_2025_effective=date(2025, 8, 1))
    delayed = evaluate(_timeline(_admission(AFTER)), as_of=AS_OF, rules=later)
    assert {o.rule_set_version for o in delayed.obligations} == {"g8-2006"}
    assert _of(delayed, "admission.intake_interview") == []
    assert rules.meta.settings["circular_2025_effective"] == date(2025, 7, 1)


def test_with_settings_refuses_unknown_settings_and_disordered_versions():
    """An unknown setting, or an effective date before G-8/2006, is a RuleFileError."""
    rules = load_rules()
    with pytest.raises(RuleFileError, match="unknown rule-set setting"):
        rules.with_settings(circular_2026_effective=date(2026, 1, 1))
    with pytest.raises(RuleFileError, match="oldest first"):
        rules.with_settings(circular_2025_effective=date(2005, 1, 1))


def _write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "tl.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_cli_setting_moves_the_boundary(tmp_path, capsys):
    """`check --setting circular_2025_effective=2025-06-01` judges a 30 June admission by circular-2025."""
    path = _write(tmp_path, _timeline(_admission(BEFORE)))
    main(["check", "--format", "json", "--as-of", AS_OF, path])
    default = json.loads(capsys.readouterr().out)
    main(["check", "--format", "json", "--as-of", AS_OF, "--setting", "circular_2025_effective=2025-06-01", path])
    moved = json.loads(capsys.readouterr().out)
    assert {o["rule_set_version"] for o in default["obligations"]} == {"g8-2006"}
    assert {o["rule_set_version"] for o in moved["obligations"]} == {"circular-2025"}
    assert "admission.intake_interview" in {o["duty_id"] for o in moved["obligations"]}
    assert "admission.intake_interview" not in {o["duty_id"] for o in default["obligations"]}


def test_cli_bad_setting(tmp_path, capsys):
    """A malformed --setting is a usage error (2); an unknown setting name is bad input (3)."""
    path = _write(tmp_path, _timeline(_admission(BEFORE)))
    assert main(["check", "--setting", "circular_2025_effective", path]) == 2
    assert main(["check", "--setting", "nope=2025-01-01", path]) == 3
    assert "unknown rule-set setting" in capsys.readouterr().err


def test_rules_command_lists_versions_and_settings(capsys):
    """`rules --format json` gives the versions with their start dates and the settings."""
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["versions"][1] == {"id": "circular-2025", "in_force_from": "2025-07-01",
                                   "title": data["versions"][1]["title"]}
    assert data["settings"] == {"circular_2025_effective": "2025-07-01"}
    files = {r["rule_file"]: r["versions"] for r in data["rules"]}
    assert files["duties/admission/continue_treatment.g8.yaml"] == ["g8-2006"]
    assert files["duties/admission/intake_interview.yaml"] == ["circular-2025"]


def test_each_duty_has_at_most_one_rule_per_version_and_part():
    """No duty (and part) is defined twice in one version, and every version has its rules."""
    rules = load_rules()
    seen = set()
    for r in rules.rules:
        for v in r.rule.versions:
            key = (r.rule.key, v)
            assert key not in seen
            seen.add(key)
    assert {v for _, v in seen} == {"g8-2006", "circular-2025"}


def test_both_version_rules_give_their_reason():
    """A rule judged in both versions rests on a statute (source.statute) or says why in a VERSION NOTE."""
    for r in load_rules().rules:
        if set(r.rule.versions) == {"g8-2006", "circular-2025"}:
            assert r.rule.source.statute or "VERSION NOTE" in r.rule.notes, r.rel


RULES = load_rules()
INSTANTS = st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(timezone.utc))


@settings(max_examples=60, deadline=None)
@given(INSTANTS, st.dates(min_value=date(2006, 1, 2), max_value=date(2027, 12, 31)))
def test_version_in_the_report_is_the_version_on_the_local_date(at, effective):
    """For any admission instant and effective date, needs_mapping's version is meta.version_on(local date)."""
    rules = RULES.with_settings(circular_2025_effective=effective).only(["admission.needs_mapping"])
    local_day = at.astimezone(OSLO).date()
    report = evaluate(_timeline(_admission(at.isoformat())), as_of=(at + timedelta(days=1)).isoformat(), rules=rules)
    expected = rules.meta.version_on(local_day)
    if expected is None:
        assert report.obligations == []
    else:
        (ob,) = report.obligations
        assert ob.rule_set_version == expected
        assert expected == ("circular-2025" if local_day >= effective else "g8-2006")
