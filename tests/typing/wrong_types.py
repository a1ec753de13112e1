"""Mistakes a user can make with the event classes and the notebook helpers.

tests/test_typing.py runs ``mypy --strict`` on this file and expects it to
fail with exactly the errors marked ``# E: <code>`` (one line each), to show
that the check can fail: the classes' fields, and the helpers' parameters,
are typed.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from samarbeid_rules import Person, Timeline, evaluate
from samarbeid_rules.events import (
    CustodyKind,
    ExclusionScope,
    ExclusionStarted,
    MeaningfulContact,
    ReleaseNoticeSent,
    SupervisionLook,
)
from samarbeid_rules.notebook import plot_case, report_dataframe

at = datetime(2025, 3, 3, 8, 0, tzinfo=timezone.utc)

SupervisionLook(id=42, at=at)  # E: arg-type
SupervisionLook(id="look-1", at=at, staff="anne")  # E: call-arg
MeaningfulContact(id="contact-1", at=at, minutes="ninety")  # E: arg-type
ReleaseNoticeSent(id="notice-1", at=at, recipient=CustodyKind.REMAND)  # E: arg-type
ExclusionStarted(id="excl-1", at=at, measure_id="m1", scope=ExclusionScope.FULL)  # E: call-arg

look = SupervisionLook(id="look-2", at=at)
minutes: int = look.minutes  # E: attr-defined
measure: int = look.measure_id  # E: assignment

timeline = Timeline(case_id="c-1", person=Person(id="p-1", birth_date=date(1990, 1, 1)), events=[look])
report = evaluate(timeline)
report_dataframe(timeline)  # E: arg-type
plot_case(report, report)  # E: arg-type
