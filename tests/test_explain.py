"""``explain``: why a duty arose or not, how its deadline was computed, and what fulfilled it (API and CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samarbeid_rules import Explanation, explain
from samarbeid_rules._cli import main

AS_OF = "2025-09-02T10:00:00+02:00"


def _exclusion(at="2025-09-01T10:00:00+02:00", id="x1", measure="m1"):
    return {"id": id, "type": "exclusion_started", "at": at, "measure_id": measure, "basis": "strgjfl_37",
            "scope": "full"}


def _tl(*events, birth_date="1989-05-01"):
    return {"case_id": "explain", "person": {"id": "p", "birth_date": birth_date}, "events": list(events)}


ADULT = _tl(
    _exclusion(),
    {"id": "d1", "type": "doctor_notified", "at": "2025-09-01T10:30:00+02:00", "measure_id": "m1"},
    {"id": "x2", "type": "exclusion_ended", "at": "2025-09-01T12:00:00+02:00", "measure_id": "m1"},
    {"id": "a1", "type": "admitted", "at": "2025-06-01T10:00:00+02:00", "custody_kind": "sentence"},
    {"id": "r1", "type": "referral_received", "at": "2025-04-11T10:00:00+02:00"},
    {"id": "r2", "type": "referral_assessed", "at": "2025-04-29T10:00:00+02:00", "responds_to": "r1"},
)


def test_failed_condition_for_an_adult():
    """For an adult, exclusion.minor_continuous does not arise, and the reason names 'age lt 18' and the actual age."""
    ex = explain(ADULT, "exclusion.minor_continuous", as_of=AS_OF)
    assert isinstance(ex, Explanation)
    assert ex.obligations == []
    (n,) = ex.not_arisen
    assert n.event_id == "x1" and n.type == "exclusion_started"
    assert n.reasons == ["duties/exclusion/minor_continuous.yaml: condition age lt 18 not met (age is 36)"]
    text = ex.text()
    assert "no obligation arose" in text
    assert "age lt 18" in text and "age is 36" in text


def test_basis_reason_before_the_effective_date():
    """An admission on 1 June 2025 does not raise admission.intake_interview: its only basis, circular 001
    (001 §5.1.1, "Ved innsettelse skal kriminalomsorgen gjennomføre innkomstsamtale raskest mulig"), is in
    force from the assumed 2025-07-01."""
    ex = explain(ADULT, "admission.intake_interview", as_of=AS_OF)
    assert ex.obligations == []
    (n,) = ex.not_arisen
    assert n.event_id == "a1"
    (reason,) = n.reasons
    assert reason == ("duties/admission/intake_interview.yaml: no basis of the rule in force on 2025-06-01 "
                      "(circular-001); circular-001 in force from 2025-07-01 (assumed)")


def test_deadline_computation_with_term_words_and_bounds():
    """An arising exclusion.notify_doctor shows the term's words, both bounds, both deadlines and the fulfilling event."""
    ex = explain(ADULT, "exclusion.notify_doctor", as_of=AS_OF)
    (o,) = ex.obligations
    assert o.status.value == "fulfilled" and o.fulfilled_by == ["d1"]
    assert ex.trigger_events == ["exclusion_started"]
    assert ex.fulfilling_events == ["doctor_notified"]
    text = ex.text()
    assert "'uten ugrunnet opphold' (uten_ugrunnet_opphold: strict PT1H, lenient PT4H)" in text
    assert "due 2025-09-01T11:00+02:00, lenient 2025-09-01T14:00+02:00" in text
    assert "fulfilled by: d1" in text
    assert "rule-set version circular-2025" in text


def test_working_day_deadline_is_explained():
    """custody.specialist_referral_assessed explains 10 working days over Easter 2025 (due end of 30 April)."""
    ex = explain(ADULT, "custody.specialist_referral_assessed", as_of=AS_OF)
    (o,) = ex.obligations
    assert o.rule_set_version == "g8-2006"
    assert o.bases == ["pbrl-2-2", "sphl-3-12"] and o.basis_dates_assumed
    assert ("due within 10 working days (by the end of 2025-04-30; referral_assessment_period on 2025-04-11: "
            "10, from 2015-11-01 (assumed)) of the trigger") in o.explanation
    assert "due 2025-04-30T23:59+02:00" in ex.text()
    assert "judged under: pbrl-2-2 (from 2012-01-01, assumed), sphl-3-12 (from 2001-01-01, assumed)" in ex.text()
    assert "† rests on an assumed in-force date" in ex.text()


def test_conditions_that_held_are_listed():
    """For a 16-year-old, the condition that held is shown with the actual age."""
    tl = _tl(_exclusion(), birth_date="2009-01-01")
    ex = explain(tl, "exclusion.minor_continuous", as_of=AS_OF)
    (o,) = ex.obligations
    assert ex.conditions_held[o.id] == ["age lt 18 (age is 16)"]
    assert "condition held: age lt 18 (age is 16)" in ex.text()
    assert "would have been fulfilled by: continuous_supervision_started" in ex.text()


def test_unfulfilled_deadline_shows_what_would_fulfil():
    """An unmet deadline names the event types that would have fulfilled it."""
    tl = _tl(_exclusion())
    ex = explain(tl, "exclusion.notify_doctor", as_of=AS_OF)
    (o,) = ex.obligations
    assert o.breach
    assert "would have been fulfilled by: doctor_notified" in ex.text()
    assert "(breach)" in ex.text()


def test_unknown_duty_is_a_key_error():
    """explain() of a duty id with no rule raises KeyError: the closest duty id with a rule if one is
    close, else every duty id with a rule; never the id given."""
    with pytest.raises(KeyError) as info:
        explain(ADULT, "exclusion.nonexistent", as_of=AS_OF)
    text = str(info.value)
    assert "no rule for this duty id; rules exist for: admission.continue_treatment," in text
    assert "nonexistent" not in text and "did you mean" not in text
    with pytest.raises(KeyError) as info:
        explain(ADULT, "exclusion.notify_docter", as_of=AS_OF)
    assert "no rule for this duty id (did you mean 'exclusion.notify_doctor'?)" in str(info.value)
    assert "docter" not in str(info.value) and "rules exist for" not in str(info.value)


@pytest.fixture
def adult_file(tmp_path: Path) -> str:
    path = tmp_path / "adult.json"
    path.write_text(json.dumps(ADULT), encoding="utf-8")
    return str(path)


def test_cli_explain_exit_codes(adult_file, tmp_path, capsys):
    """CLI explain exits 0 without a breach, 1 with one, 2 for an unknown duty, 3 for a bad file."""
    assert main(["explain", adult_file, "exclusion.notify_doctor", "--as-of", AS_OF]) == 0
    assert "fulfilled by: d1" in capsys.readouterr().out
    assert main(["explain", adult_file, "admission.needs_mapping", "--as-of", AS_OF]) == 1
    assert "(breach)" in capsys.readouterr().out
    assert main(["explain", adult_file, "exclusion.nonexistent"]) == 2
    assert "no rule for this duty id; rules exist for:" in capsys.readouterr().err
    assert main(["explain", adult_file, "exclusion.notify_docter"]) == 2
    err = capsys.readouterr().err
    assert err == "samarbeid-rules: no rule for this duty id (did you mean 'exclusion.notify_doctor'?)\n"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["explain", str(bad), "exclusion.notify_doctor"]) == 3
    assert main(["explain", adult_file]) == 2


def test_cli_explain_json(adult_file, capsys):
    """`explain --format json` gives the Explanation as JSON."""
    assert main(["explain", adult_file, "exclusion.minor_continuous", "--as-of", AS_OF, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["duty_id"] == "exclusion.minor_continuous"
    assert data["obligations"] == []
    assert "age is 36" in data["not_arisen"][0]["reasons"][0]


def test_cli_explain_setting(adult_file, capsys):
    """`explain --setting circular_2025_effective=2025-05-01` makes the 1 June admission raise intake_interview."""
    code = main(["explain", adult_file, "admission.intake_interview", "--as-of", AS_OF,
                 "--setting", "circular_2025_effective=2025-05-01"])
    out = capsys.readouterr().out
    assert code == 1
    assert "obligation admission.intake_interview:a1: breached" in out
    assert "rule-set version circular-2025" in out


def test_conditions_held_names_the_pattern_that_matched():
    """release.release_conversation triggered by raised overdose risk lists that condition, not the suicide one."""
    tl = _tl({"id": "rd1", "type": "release_decided", "at": "2025-09-01T10:00:00+02:00",
              "raised_overdose_risk": True})
    ex = explain(tl, "release.release_conversation", as_of=AS_OF)
    (o,) = ex.obligations
    assert ex.conditions_held[o.id] == ["raised_overdose_risk eq True (raised_overdose_risk is True)"]
