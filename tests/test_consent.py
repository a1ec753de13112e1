"""consent.disclosure_basis across time: a disclosure needs a consent in effect covering the recipient, or an exception."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import Status, evaluate, load_rules

RULES = load_rules().only(["consent.disclosure_basis"])
T0 = datetime(2025, 9, 1, 8, 0, tzinfo=timezone.utc)
EXCEPTIONS = ["illness_notice", "compulsory_care_notice", "danger_to_life_or_health", "connection_to_ko"]
# 001 §6.1: whom each exception lets KO tell (None: anyone). Forskrift § 3-16 and phvl. § 3-6 "varsle helse- og
# omsorgstjenesten"; fvl. § 13 b nr. 5 "andre forvaltningsorganer"; nr. 7 whoever can avert the danger.
HEALTH_AND_CARE = {"kho", "sht", "gp"}
EXCEPTION_RECIPIENTS = {"illness_notice": HEALTH_AND_CARE, "compulsory_care_notice": HEALTH_AND_CARE,
                        "connection_to_ko": {"kho", "sht", "nav", "municipality", "school"},
                        "danger_to_life_or_health": None}


def _at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _given(minutes, *, id="c1", measure="consent-1", scope=("kho",), form="written", informed=True):
    return {"id": id, "type": "consent_given", "at": _at(minutes), "measure_id": measure, "scope": list(scope),
            "form": form, "informed": informed, "filed_in_own_record": True, "recorded_by": "KO"}


def _withdrawn(minutes, *, id="w1", measure="consent-1"):
    return {"id": id, "type": "consent_withdrawn", "at": _at(minutes), "measure_id": measure}


def _disclosed(minutes, *, id="d1", recipient="kho", basis="consent"):
    return {"id": id, "type": "information_disclosed", "at": _at(minutes), "recipient": recipient,
            "legal_basis": basis}


def _judge(*events, rules=RULES):
    tl = {"case_id": "consent", "person": {"id": "p", "birth_date": "1990-01-01"}, "events": list(events)}
    report = evaluate(tl, rules=rules)
    return [o for o in report.obligations if o.duty_id == "consent.disclosure_basis"], report


def test_consent_given_allows_the_disclosure():
    """A written consent covering the health service, given before, permits the disclosure; the consent is its evidence."""
    (ob,), report = _judge(_given(0), _disclosed(60))
    assert ob.status is Status.FULFILLED and not ob.breach
    assert ob.modality == "forbud"
    assert ob.fulfilled_by == ["c1"]
    assert "consent_given c1 in effect, covering recipient 'kho'" in ob.explanation
    uses = {a.event_id: [u.role for u in a.used_by] for a in report.events}
    assert uses["c1"] == ["fulfilment"]


def test_consent_given_at_the_same_instant_counts():
    """A consent recorded at the very instant of the disclosure is in effect."""
    (ob,), _ = _judge(_given(0), _disclosed(0))
    assert ob.status is Status.FULFILLED


def test_withdrawn_consent_breaches_and_the_explanation_names_the_withdrawal():
    """A disclosure after the consent was withdrawn is breached; the explanation names the withdrawal."""
    (ob,), report = _judge(_given(0), _withdrawn(30), _disclosed(60))
    assert ob.status is Status.BREACHED and ob.breach
    assert ob.fulfilled_by == []
    assert any("no consent_given in effect" in e and "no statutory exception" in e for e in ob.explanation)
    assert any("c1 covered it but was ended by w1" in e for e in ob.explanation)
    uses = {a.event_id: [u.role for u in a.used_by] for a in report.events}
    assert uses["w1"] == ["withdrawal"] and uses["c1"] == ["withdrawn_permission"]


def test_disclosure_at_the_withdrawal_instant_is_breached():
    """A consent withdrawn at the instant of the disclosure no longer permits it."""
    (ob,), _ = _judge(_given(0), _withdrawn(60), _disclosed(60))
    assert ob.status is Status.BREACHED


def test_disclosure_before_the_withdrawal_is_allowed():
    """A disclosure while the consent was in effect stays allowed after a later withdrawal."""
    (ob,), _ = _judge(_given(0), _disclosed(30), _withdrawn(60))
    assert ob.status is Status.FULFILLED


def test_disclosure_before_the_consent_is_breached():
    """A consent given after the disclosure does not permit it."""
    (ob,), _ = _judge(_disclosed(0), _given(30))
    assert ob.status is Status.BREACHED


def test_scope_not_covering_the_recipient_breaches():
    """A consent covering only the municipal health service does not permit a disclosure to the specialist service."""
    (ob,), _ = _judge(_given(0, scope=("kho",)), _disclosed(60, recipient="sht"))
    assert ob.status is Status.BREACHED
    assert any("covering recipient 'sht'" in e for e in ob.explanation)


def test_a_second_consent_covering_the_recipient_permits():
    """After one consent is withdrawn, another consent in effect covering the recipient permits the disclosure."""
    (ob,), _ = _judge(_given(0), _withdrawn(30), _given(40, id="c2", measure="consent-2", scope=("nav", "kho")),
                      _disclosed(60))
    assert ob.status is Status.FULFILLED and ob.fulfilled_by == ["c2"]


@pytest.mark.parametrize("basis", EXCEPTIONS)
def test_statutory_exception_is_fulfilled_without_consent(basis):
    """A disclosure to the specialist service recording a statutory exception is allowed without any consent
    (every exception of 001 §6.1 covers the health and care service)."""
    (ob,), _ = _judge(_disclosed(0, basis=basis, recipient="sht"))
    assert ob.status is Status.FULFILLED
    assert ob.explanation[0].startswith("statutory exception recorded: legal_basis ")
    assert basis in ob.explanation[0]


@pytest.mark.parametrize("basis,recipient", [("illness_notice", "nav"), ("compulsory_care_notice", "municipality"),
                                             ("connection_to_ko", "gp"), ("connection_to_ko", "other")])
def test_an_exception_not_covering_the_recipient_needs_a_consent(basis, recipient):
    """An exception covers only its own recipients: an illness notice to NAV is not a notice to the health and care
    service (forskrift § 3-16), a GP in private practice is no other public agency (fvl. § 13 b nr. 5)."""
    (ob,), _ = _judge(_disclosed(0, basis=basis, recipient=recipient))
    assert ob.status is Status.BREACHED
    assert any(f"not recipient '{recipient}'" in e for e in ob.explanation)


def test_danger_to_life_or_health_covers_any_recipient():
    """fvl. § 13 b nr. 7: to whoever can avert the danger, so a recipient outside the public agencies too."""
    (ob,), _ = _judge(_disclosed(0, basis="danger_to_life_or_health", recipient="other"))
    assert ob.status is Status.FULFILLED


def test_oral_consent_permits_but_breaches_written_informed():
    """An oral consent still permits the disclosure; its form is a breach of consent.written_informed instead."""
    obs, report = _judge(_given(0, form="oral"), _disclosed(60), rules=load_rules().only(
        ["consent.disclosure_basis", "consent.written_informed"]))
    assert [o.status for o in obs] == [Status.FULFILLED]
    (form,) = [o for o in report.obligations if o.duty_id == "consent.written_informed"]
    assert form.status is Status.BREACHED
    assert any("not met: form eq 'written'" in e for e in form.explanation)


def test_judged_in_both_rule_set_versions():
    """The prohibition rests on statutes in force before 2025, so a 2020 disclosure is judged (g8-2006)."""
    tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"},
          "events": [{"id": "d1", "type": "information_disclosed", "at": "2020-03-01T10:00:00+01:00",
                      "recipient": "kho", "legal_basis": "consent"}]}
    (ob,) = evaluate(tl, rules=RULES).obligations
    assert ob.rule_set_version == "g8-2006" and ob.status is Status.BREACHED


MINUTES = st.integers(min_value=0, max_value=60 * 24 * 30)


@settings(max_examples=60, deadline=None)
@given(
    given_at=MINUTES,
    withdraw_after=st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 24 * 30)),
    disclosed_at=MINUTES,
    basis=st.sampled_from(["consent", *EXCEPTIONS]),
    recipient=st.sampled_from(["kho", "sht", "nav", "gp", "other"]),
    scope=st.lists(st.sampled_from(["kho", "sht", "nav", "gp"]), min_size=1, max_size=3, unique=True),
)
def test_allowed_iff_consent_in_effect_or_exception(given_at, withdraw_after, disclosed_at, basis, recipient, scope):
    """For random instants, fulfilled iff an exception covering the recipient is recorded or given ≤ disclosure <
    withdrawn with the recipient in scope."""
    events = [_given(given_at, scope=scope), _disclosed(disclosed_at, recipient=recipient, basis=basis)]
    withdrawn_at = None
    if withdraw_after is not None:
        withdrawn_at = given_at + withdraw_after
        events.append(_withdrawn(withdrawn_at))
    (ob,), _ = _judge(*events)
    in_effect = given_at <= disclosed_at and (withdrawn_at is None or disclosed_at < withdrawn_at)
    covered = basis != "consent" and (EXCEPTION_RECIPIENTS[basis] is None or recipient in EXCEPTION_RECIPIENTS[basis])
    allowed = covered or (in_effect and recipient in scope)
    assert (ob.status is Status.FULFILLED) == allowed
    assert ob.status in (Status.FULFILLED, Status.BREACHED)
    assert ob.breach == (not allowed)
