"""Example: a downstream project's CI checks its own use of samarbeid-rules.

Copy this file into your test suite. It needs ``samarbeid-rules[test]``
(pytest and hypothesis). Each test draws timelines from the strategies in
``samarbeid_rules.testing`` and asserts what your integration relies on.
"""

from __future__ import annotations

from hypothesis import given, settings

from samarbeid_rules import Status, evaluate, load_timeline
from samarbeid_rules.testing import compliant_timeline, timelines, violating_timeline

DUTY = "exclusion.notify_doctor"


@settings(max_examples=20, deadline=None)
@given(timelines())
def test_every_generated_timeline_is_accepted(timeline_dict):
    """Every timeline the strategy draws validates and evaluates without error."""
    timeline = load_timeline(timeline_dict)
    report = evaluate(timeline, as_of="2030-01-01T00:00+01:00")  # after every generated event
    assert report.summary["events"] == len(timeline_dict["events"])


@settings(max_examples=20, deadline=None)
@given(compliant_timeline(DUTY))
def test_doctor_notified_in_time_is_not_a_breach(case):
    """A doctor notified within the hour gives no breach of the duty."""
    timeline_dict, as_of = case
    report = evaluate(timeline_dict, as_of=as_of)
    mine = [o for o in report.obligations if o.duty_id == DUTY]
    assert mine and all(o.status in (Status.FULFILLED, Status.DUE) for o in mine)


@settings(max_examples=20, deadline=None)
@given(violating_timeline(DUTY))
def test_doctor_not_notified_is_a_breach(case):
    """Without a timely doctor notice the duty is breached (or fulfilled late)."""
    timeline_dict, as_of = case
    report = evaluate(timeline_dict, as_of=as_of)
    assert any(o.breach for o in report.obligations if o.duty_id == DUTY)
