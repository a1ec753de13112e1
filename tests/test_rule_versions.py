"""Rule-set versions by date: G-8/2006 before circular 001 took effect, circular-2025 from then on.

A version is the era of a circular (the period its basis in rules/bases.yaml is in force); it is named
in every obligation, and decides nothing: each rule file is judged under its own bases
(tests/test_legal_bases.py)."""

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
    """The shipped rule set has g8-2006 from 2006-01-01 and circular-2025 from the assumed 2025-07-01,
    each the period of its circular's basis."""
    rules = load_rules()
    meta = rules.meta
    assert [(v.id, v.basis) for v in meta.versions] == [("g8-2006", "circular-g8-2006"),
                                                       ("circular-2025", "circular-001")]
    assert meta.settings == {"circular_2025_effective": date(2025, 7, 1)}
    assert "ASSUMPTION" in meta.setting_notes["circular_2025_effective"]
    assert rules.version_on(date(2005, 12, 31)) is None
    assert rules.version_on(date(2006, 1, 1)) == "g8-2006"
    assert rules.version_on(date(2025, 6, 30)) == "g8-2006"
    assert rules.version_on(date(2025, 7, 1)) == "circular-2025"


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


def test_trigger_before_every_version_is_judged_by_its_bases():
    """An admission in 2005, before G-8/2006, is judged under the bases then in force: admission.needs_mapping
    rests on strgjfl. § 4 and its guidelines (000 §4.3, "skal lokalt nivå søke å kartlegge eventuelle behov"),
    assumed in force from 2002-03-01; no version is named. One the day before the Act raises nothing."""
    report = evaluate(_timeline(_admission("2005-06-01T10:00:00+02:00")), as_of="2005-09-01T12:00:00+02:00")
    (ob,) = report.obligations
    assert ob.duty_id == "admission.needs_mapping"
    assert ob.rule_set_version is None and ob.bases == ["strgjfl-4", "guidelines-strgjfl-4"]
    before = evaluate(_timeline(_admission("2002-02-28T23:30:00+01:00")), as_of="2002-09-01T12:00:00+02:00")
    assert before.obligations == []
    assert before.summary["obligations"] == 0


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
    """An unknown setting, or an effective date before G-8/2006 (G-8/2006 would end before it began), is a
    RuleFileError naming the basis."""
    rules = load_rules()
    with pytest.raises(RuleFileError, match="unknown rule-set setting"):
        rules.with_settings(circular_2026_effective=date(2026, 1, 1))
    with pytest.raises(RuleFileError, match="'circular-g8-2006' would be out of force") as info:
        rules.with_settings(circular_2025_effective=date(2005, 1, 1))
    assert info.value.field == "bases.circular-g8-2006.until"
    with pytest.raises(RuleFileError, match="out of force"):
        rules.with_settings(circular_2025_effective=date(2006, 1, 1))  # G-8/2006 for no day at all
    assert rules.with_settings(circular_2025_effective=date(2006, 1, 2)).version_on(date(2006, 1, 1)) == "g8-2006"


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
                                   "title": data["versions"][1]["title"], "basis": "circular-001"}
    assert data["settings"] == {"circular_2025_effective": "2025-07-01"}
    files = {r["rule_file"]: r for r in data["rules"]}
    g8 = files["duties/admission/continue_treatment.g8.yaml"]
    assert g8["bases"] == ["circular-g8-2006"] and g8["in_force"] == [{"from": "2006-01-01", "until": "2025-07-01"}]
    assert files["duties/admission/intake_interview.yaml"]["bases"] == ["circular-001"]
    bases = {b["id"]: b for b in data["bases"]}
    assert bases["agreement-2019-ks"] == {
        "id": "agreement-2019-ks", "kind": "agreement", "title": bases["agreement-2019-ks"]["title"], "norm": False,
        "in_force_from": "2019-01-10", "in_force_until": "2022-01-01", "dates_assumed": False}


def test_each_duty_has_one_rule_file_on_any_day():
    """No two rule files of one duty (and part) are in force on the same day, unless no event can trigger
    both (admission.health_contact and custody.health_contact: the grounds of forskrift § 3-16 and those 001
    adds, one need per event; release.cooperation_established, release.individual_conversation and
    release.specialist_handover: a release decided, or a transfer decided, issue 11)."""
    rules = load_rules()
    by_key: dict[str, list] = {}
    for r in rules.rules:
        by_key.setdefault(r.rule.key, []).append(r)
    shared = []
    for key, files in by_key.items():
        for i, a in enumerate(files):
            for b in files[i + 1:]:
                for s1, e1 in rules.in_force[a.rule_id]:
                    for s2, e2 in rules.in_force[b.rule_id]:
                        if max(s1, s2) < min(e1 or date.max, e2 or date.max):
                            shared.append(key)
    assert sorted(shared) == ["admission.health_contact", "custody.health_contact", "release.cooperation_established",
                              "release.individual_conversation", "release.specialist_handover"]
    assert {v.id for v in rules.meta.versions} == {"g8-2006", "circular-2025"}


RULES = load_rules()
INSTANTS = st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(timezone.utc))


@settings(max_examples=60, deadline=None)
@given(INSTANTS, st.dates(min_value=date(2006, 1, 2), max_value=date(2027, 12, 31)))
def test_version_in_the_report_is_the_version_on_the_local_date(at, effective):
    """For any admission instant and effective date, needs_mapping's version is the one on its local date,
    and its bases are those in force that day (strgjfl. § 4 and its guidelines from 2002-03-01, G-8/2006
    from 2006-01-01 to the day before the effective date)."""
    rules = RULES.with_settings(circular_2025_effective=effective).only(["admission.needs_mapping"])
    local_day = at.astimezone(OSLO).date()
    report = evaluate(_timeline(_admission(at.isoformat())), as_of=(at + timedelta(days=1)).isoformat(), rules=rules)
    if local_day < date(2002, 3, 1):
        assert report.obligations == []
        return
    (ob,) = report.obligations
    expected = None if local_day < date(2006, 1, 1) else "circular-2025" if local_day >= effective else "g8-2006"
    assert ob.rule_set_version == expected == rules.version_on(local_day)
    assert ob.bases == ["strgjfl-4", "guidelines-strgjfl-4"] + (["circular-g8-2006"] if expected == "g8-2006" else [])
