"""The hypothesis strategies in samarbeid_rules.testing, and the documented downstream example."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings

from samarbeid_rules import Status, evaluate, load_timeline
from samarbeid_rules.testing import (
    SUPPORTED_DUTIES,
    compliant_timeline,
    timelines,
    violating_timeline,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "test_downstream_example.py"


@settings(max_examples=30, deadline=None)
@given(timelines())
def test_timelines_are_valid(tl):
    """Every drawn timeline loads without a validation error and evaluates."""
    timeline = load_timeline(tl)
    assert len(timeline.events) == len(tl["events"])
    report = evaluate(timeline, as_of="2030-01-01T00:00+01:00")
    assert len(report.events) == len(tl["events"])


@pytest.mark.parametrize("duty", SUPPORTED_DUTIES)
def test_compliant_case_is_fulfilled_or_due(duty):
    """A compliant case gives at least one obligation of the duty, each fulfilled or due."""

    @settings(max_examples=20, deadline=None)
    @given(compliant_timeline(duty))
    def check(case):
        tl, as_of = case
        obs = [o for o in evaluate(tl, as_of=as_of).obligations if o.duty_id == duty]
        assert obs
        assert all(o.status in (Status.FULFILLED, Status.DUE) for o in obs), [o.status for o in obs]

    check()


@pytest.mark.parametrize("duty", SUPPORTED_DUTIES)
def test_violating_case_is_a_breach_or_a_recommendation_not_followed(duty):
    """A violating case gives at least one obligation of the duty that is a breach (for a duty), or
    not followed or followed late (for a recommendation, which is never a breach)."""

    @settings(max_examples=20, deadline=None)
    @given(violating_timeline(duty))
    def check(case):
        tl, as_of = case
        obs = [o for o in evaluate(tl, as_of=as_of).obligations if o.duty_id == duty]
        failed = [o for o in obs if o.status in (Status.BREACHED, Status.FULFILLED_LATE, Status.NOT_FOLLOWED,
                                                 Status.FOLLOWED_LATE)]
        assert failed, [o.status for o in obs]
        for o in failed:  # a recommendation (bør) not followed is never a breach; a duty's failure is
            assert o.breach == (o.modality != "bør"), (o.modality, o.status)

    check()


def test_unsupported_duty_is_refused_with_the_supported_list():
    """An unknown duty id unlike any raises ValueError naming every supported duty."""
    for make in (compliant_timeline, violating_timeline):
        with pytest.raises(ValueError) as info:
            make("zzz.qqq")
        assert all(d in str(info.value) for d in SUPPORTED_DUTIES)


def test_downstream_example_passes():
    """The example test file in docs/examples imports the strategies and its tests pass."""
    spec = importlib.util.spec_from_file_location("test_downstream_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = [getattr(module, name) for name in dir(module) if name.startswith("test_")]
    assert len(tests) == 3
    for test in tests:
        test()
