"""Modalities in reports: skal and vurdere and forbud can be breached, a bør recommendation never is."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import RuleFileError, Status, evaluate, load_rules
from samarbeid_rules._cli import main

AS_OF = "2025-10-01T12:00:00+02:00"
INTAKE_ONLY = load_rules().only(["admission.health_intake"])
RECOMMENDATION_STATUSES = {Status.DUE, Status.FULFILLED, Status.CONTESTED, Status.FOLLOWED_LATE, Status.NOT_FOLLOWED}


def _tl(*events: dict, case_id: str = "modalities") -> dict:
    return {"case_id": case_id, "person": {"id": "p", "birth_date": "1990-01-01"}, "events": list(events)}


def _admitted(at="2025-09-01T10:00:00+02:00", id="a1"):
    return {"id": id, "type": "admitted", "at": at, "custody_kind": "sentence"}


def _release_decided(at="2025-09-02T10:00:00+02:00", id="rd1", **flags):
    return {"id": id, "type": "release_decided", "at": at, **flags}


def _of(report, duty):
    return [o for o in report.obligations if o.duty_id == duty]


def test_unfollowed_recommendation_is_not_a_breach():
    """admission.health_intake (bør) never held is not_followed with breach false, while skal duties breach."""
    report = evaluate(_tl(_admitted()), as_of=AS_OF)
    (ob,) = _of(report, "admission.health_intake")
    assert ob.modality == "bør"
    assert ob.status is Status.NOT_FOLLOWED
    assert ob.breach is False
    (skal,) = _of(report, "admission.intake_interview")
    assert skal.modality == "skal" and skal.status is Status.BREACHED and skal.breach is True


def test_late_recommendation_is_followed_late():
    """A health intake conversation after the lenient bound (72 h) is followed_late, not fulfilled_late."""
    late = {"id": "h1", "type": "health_intake_conversation", "at": "2025-09-05T10:00:00+02:00"}
    report = evaluate(_tl(_admitted(), late), as_of=AS_OF)
    (ob,) = _of(report, "admission.health_intake")
    assert ob.status is Status.FOLLOWED_LATE
    assert ob.breach is False
    assert ob.lateness == timedelta(days=3)


def test_recommendation_released_without_notice_is_not_followed():
    """release.gp_notice (bør, G-8/2006 only): released without telling the GP, with consent, is
    not_followed, no breach. (A release decided in 2024, before circular 001, which has no GP notice.)"""
    report = evaluate(_tl(_admitted("2024-09-01T10:00:00+02:00"),
                          _release_decided("2024-09-02T10:00:00+02:00", consents_to_gp_notice=True),
                          {"id": "r1", "type": "released", "at": "2024-09-10T10:00:00+02:00"}),
                      as_of="2024-10-01T12:00:00+02:00")
    (ob,) = _of(report, "release.gp_notice")
    assert ob.status is Status.NOT_FOLLOWED and ob.breach is False


def test_summary_breaches_count_only_legal_duties():
    """report.summary['breaches'] counts breached and fulfilled_late skal/vurdere/forbud obligations only."""
    events = [
        _admitted(),
        {"id": "h1", "type": "health_intake_conversation", "at": "2025-09-05T10:00:00+02:00"},
        {"id": "d1", "type": "information_disclosed", "at": "2025-09-03T10:00:00+02:00", "recipient": "kho",
         "legal_basis": "consent"},
    ]
    report = evaluate(_tl(*events), as_of=AS_OF)
    legal = [o for o in report.obligations if o.modality != "bør" and o.status in (Status.BREACHED, Status.FULFILLED_LATE)]
    assert report.summary["breaches"] == len(legal) == len(report.breaches)
    assert all(o.modality != "bør" for o in report.breaches)
    assert report.summary["followed_late"] == 1
    assert report.summary["breaches"] + report.summary["followed_late"] + report.summary["not_followed"] <= len(
        report.obligations)


def test_forbud_and_vurdere_carry_their_modality():
    """A disclosure without consent breaches the forbud consent.disclosure_basis; an unassessed measures plan breaches the vurdere duty."""
    events = [
        _admitted(),
        {"id": "n1", "type": "health_need_observed", "at": "2025-09-01T10:05:00+02:00", "need": "suicide_risk",
         "at_admission": True},
        {"id": "d1", "type": "information_disclosed", "at": "2025-09-03T10:00:00+02:00", "recipient": "kho",
         "legal_basis": "consent"},
    ]
    report = evaluate(_tl(*events), as_of=AS_OF)
    (forbud,) = _of(report, "consent.disclosure_basis")
    assert forbud.modality == "forbud" and forbud.status is Status.BREACHED and forbud.breach
    (vurdere,) = _of(report, "admission.measures_plan")
    assert vurdere.modality == "vurdere" and vurdere.status is Status.BREACHED and vurdere.breach


def test_vurdere_is_fulfilled_by_a_recorded_assessment_whatever_its_outcome():
    """release.remand_immediate_notice (vurdere) is fulfilled by the recorded assessment, with no notice sent."""
    events = [
        _admitted(),
        _release_decided(from_remand=True, substance_or_mental_health_problems=True),
        {"id": "ia1", "type": "immediate_notice_assessed", "at": "2025-09-02T10:10:00+02:00", "responds_to": "rd1"},
    ]
    report = evaluate(_tl(*events), as_of=AS_OF)
    (ob,) = _of(report, "release.remand_immediate_notice")
    assert ob.modality == "vurdere" and ob.status is Status.FULFILLED and ob.fulfilled_by == ["ia1"]


def test_rule_modalities_match_the_catalog():
    """Each rule's modality equals the catalog's, except the documented G-8/2006 municipality notice (skal)."""
    import yaml

    rules = load_rules()
    catalog = yaml.safe_load((Path(rules.directory) / "catalog.yaml").read_text(encoding="utf-8"))
    by_id = {d["id"]: d["modality"] for d in catalog["duties"]}
    for r in rules.rules:
        if r.rule_id == "duties/release/municipality_notice.g8":
            assert r.rule.modality == "skal" and by_id[r.duty] == "bør"
            continue
        # the catalog writes "skal (*må*)" and "skal (*særlig ansvar*)": the modality, with the source's word
        assert r.rule.modality == by_id[r.duty].split(" ")[0], r.rel


def test_only_modalities():
    """RuleSet.only(modalities=[…]) keeps exactly the rules of those modalities and refuses unknown ones."""
    rules = load_rules()
    bor = rules.only(modalities=["bør"])
    assert bor.rules and {r.rule.modality for r in bor.rules} == {"bør"}
    assert {r.duty for r in bor.rules} == {
        "admission.health_intake", "release.transfer_outside_notice", "release.overdose_conversation",
        "release.municipality_notice", "release.gp_notice", "isolation.partial_followup_plan",
        "release.individual_conversation", "exclusion.doctor_informed_of_circumstances",
    }
    both = rules.only(modalities=["forbud", "vurdere"])
    assert {r.rule.modality for r in both.rules} == {"forbud", "vurdere"}
    assert len(rules.only(modalities=["skal", "bør", "vurdere", "forbud"]).rules) == len(rules.rules)
    with pytest.raises(RuleFileError, match="unknown modality"):
        rules.only(modalities=["maa"])


def test_only_modalities_in_evaluation():
    """Evaluating with only bør rules gives recommendations only, and no breach."""
    report = evaluate(_tl(_admitted()), as_of=AS_OF, rules=load_rules().only(modalities=["bør"]))
    assert report.obligations
    assert {o.modality for o in report.obligations} == {"bør"}
    assert report.summary["breaches"] == 0


@pytest.fixture
def admission_file(tmp_path: Path) -> str:
    """A timeline with one admission and nothing done: skal duties breach, bør ones are not followed."""
    path = tmp_path / "admission.json"
    path.write_text(json.dumps(_tl(_admitted())), encoding="utf-8")
    return str(path)


def test_cli_modality_filter(admission_file, capsys):
    """`check --modality bør` reports recommendations only and exits 0; skal exits 1 on the same timeline."""
    assert main(["check", "--format", "json", "--as-of", AS_OF, "--modality", "bør", admission_file]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {o["modality"] for o in data["obligations"]} == {"bør"}
    assert data["summary"]["not_followed"] >= 1
    assert main(["check", "--format", "json", "--as-of", AS_OF, "--modality", "skal,vurdere", admission_file]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {o["modality"] for o in data["obligations"]} <= {"skal", "vurdere"}


def test_cli_bad_modality(admission_file, capsys):
    """An unknown modality in --modality is a usage error (exit 2)."""
    assert main(["check", "--modality", "maybe", admission_file]) == 2
    assert "modalities are" in capsys.readouterr().err


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(min_value=datetime(2025, 7, 2), max_value=datetime(2027, 12, 31), timezones=st.just(timezone.utc)),
    st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
)
def test_recommendations_never_breach(admitted_at, delay, judged_after):
    """For any admission, any (or no) health intake and any as_of, the bør obligation is never a breach."""
    events = [_admitted(admitted_at.isoformat())]
    if delay is not None:
        events.append({"id": "h1", "type": "health_intake_conversation", "at": (admitted_at + delay).isoformat()})
    as_of = admitted_at + judged_after + timedelta(minutes=1)
    report = evaluate(_tl(*events), as_of=as_of.isoformat(), rules=INTAKE_ONLY)
    (ob,) = report.obligations
    assert ob.breach is False
    assert ob.status in RECOMMENDATION_STATUSES
    assert report.summary["breaches"] == 0


def test_table_summary_counts_recommendations(admission_file, capsys):
    """The table's summary line accounts for every obligation, recommendations included."""
    main(["check", "--as-of", AS_OF, admission_file])
    summary = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("summary"))
    assert "1 not_followed" in summary
