"""What one evaluation keeps for the next: the check of a profile's terms against compiled rules (once per
pair that passes), the report's record of each basis (once per rule set), the rule files by id."""

from __future__ import annotations

import gc

import pytest

from samarbeid_rules import ProfileError, default_profile, evaluate
from samarbeid_rules._pipeline.evaluate import (
    _BASIS_INFOS,
    _TERMS_CHECKED,
    _basis_info,
    _new_basis_info,
    check_profile_terms,
    prepare_rules,
)
from samarbeid_rules._inputs.ruleset import load_rules

TERM = "tilsyn_dagtid_intervall"  # needed by exclusion.hourly_supervision


def _without(name: str):
    base = default_profile()
    return base.model_copy(update={"terms": {k: v for k, v in base.terms.items() if k != name}})


def test_a_profile_without_a_needed_term_fails_every_time():
    """A pair that fails is not kept as checked: the second check fails the same way."""
    rules = prepare_rules(None)
    lacking = _without(TERM)
    for _ in range(2):
        with pytest.raises(ProfileError) as err:
            check_profile_terms(rules, lacking)
        assert err.value.field == f"terms.{TERM}"


def test_a_term_of_the_wrong_kind_fails_every_time():
    base = default_profile()
    terms = dict(base.terms)
    terms[TERM] = base.terms["flere_ganger_daglig"]  # a count where a duration is needed
    wrong = base.model_copy(update={"terms": terms})
    rules = prepare_rules(None)
    for _ in range(2):
        with pytest.raises(ProfileError) as err:
            check_profile_terms(rules, wrong)
        assert err.value.field == f"terms.{TERM}" and "duration" in str(err.value)


def test_a_pair_that_passed_is_kept_while_both_live():
    rules = prepare_rules(None)
    profile = default_profile().with_overrides({"terms": {TERM: {"strict": "PT2H", "lenient": "PT3H"}}})
    check_profile_terms(rules, profile)
    kept = _TERMS_CHECKED.get(rules, lambda _r: None)
    assert kept._entries.get(id(profile)) is not None
    check_profile_terms(rules, profile)  # no error, from the kept answer
    # the same rules with another profile lacking the term are still checked
    with pytest.raises(ProfileError):
        check_profile_terms(rules, _without(TERM))
    key = id(profile)
    del profile
    gc.collect()
    assert key not in kept._entries  # dropped with the profile


def test_evaluate_checks_the_terms_of_each_profile_given():
    from samarbeid_rules.testing import generate_population

    timeline = next(iter(generate_population(1, seed=3)))
    evaluate(timeline)
    with pytest.raises(ProfileError):
        evaluate(timeline, profile=_without(TERM))


def test_a_basis_record_is_built_once_per_rule_set_and_equals_a_fresh_one():
    rules = prepare_rules(None).rule_set
    for basis_id in sorted(rules.registry.bases):
        first = _basis_info(rules, basis_id)
        assert _basis_info(rules, basis_id) is first
        assert first == _new_basis_info(rules, basis_id)
    other = load_rules()  # an equal rule set, another object: its own records
    some = sorted(rules.registry.bases)[0]
    assert _basis_info(other, some) is not _basis_info(rules, some)
    assert _basis_info(other, some) == _basis_info(rules, some)
    key = id(other)
    del other
    gc.collect()
    assert key not in _BASIS_INFOS._entries


def test_rule_files_by_id():
    rules = load_rules()
    assert list(rules.by_id) == [r.rule_id for r in rules.rules]
    assert all(rules.by_id[r.rule_id] is r for r in rules.rules)
    assert rules.only(modalities=["bør"]).by_id.keys() == {r.rule_id for r in rules.rules if r.rule.modality == "bør"}
