"""A user's script: a timeline built by hand from the public event classes,
judged, its report read, and the notebook helpers used on it.

tests/test_typing.py checks it with ``mypy --strict --disallow-any-expr``
(no expression of the script may be ``Any``: every class, field and return
type must resolve) and runs it. The ``assert_type`` calls pin the types mypy
must infer; at run time they do nothing, and the ``isinstance`` checks at the
end pin the same types on the real objects. (Those checks are hidden from
mypy: a class object such as ``pd.DataFrame`` counts as an ``Any``
expression under ``--disallow-any-expr`` wherever its constructor takes
``**kwargs: Any``.)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, assert_type

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from samarbeid_rules import (  # noqa: E402
    BatchItem,
    Obligation,
    Person,
    Report,
    Status,
    Timeline,
    evaluate,
    evaluate_many,
    population_figures,
)
from samarbeid_rules.events import (  # noqa: E402
    Admitted,
    CustodyKind,
    DoctorNotified,
    Event,
    ExclusionBasis,
    ExclusionEnded,
    ExclusionScope,
    ExclusionStarted,
    MeasureKind,
    SupervisionLook,
)
from samarbeid_rules.notebook import (  # noqa: E402
    batch_dataframe,
    figures_table,
    gaps_dataframe,
    plot_case,
    report_dataframe,
)

start = datetime(2025, 3, 3, 8, 0, tzinfo=timezone.utc)
hour = timedelta(hours=1)

events: list[Event] = [
    Admitted(id="adm-1", at=start, custody_kind=CustodyKind.REMAND),
    ExclusionStarted(
        id="excl-1",
        at=start + hour,
        measure_id="m1",
        basis=ExclusionBasis.STRGJFL_37,
        scope=ExclusionScope.FULL,
        expected_end=start + 5 * hour,
    ),
    DoctorNotified(id="doc-1", at=start + 2 * hour, measure_id="m1"),
    SupervisionLook(id="look-1", at=start + 90 * timedelta(minutes=1), measure_id="m1"),
    SupervisionLook(id="look-2", at=start + 4 * hour),  # a gap of 2.5 hours in the daytime
    ExclusionEnded(id="excl-1-end", at=start + 5 * hour, measure_id="m1"),
]
timeline = Timeline(
    case_id="case-typed",
    prison_id="prison-1",
    person=Person(id="person-1", birth_date=date(1990, 5, 17)),
    events=events,
)

# the fields of an event are typed, and narrowing the union works
first = timeline.events[1]
if isinstance(first, ExclusionStarted):
    assert_type(first.basis, ExclusionBasis)
    assert_type(first.expected_end, datetime | None)
    assert_type(first.measure_kind, MeasureKind)
    assert first.measure_kind is MeasureKind.EXCLUSION
look = timeline.events[3]
assert isinstance(look, SupervisionLook)
assert_type(look.measure_id, str | None)
assert_type(look.at, datetime)
measure = timeline.measures()["m1"]
assert_type(measure.kind, MeasureKind)
assert_type(measure.start.at, datetime)
assert measure.end is not None and measure.end.at == start + 5 * hour

report = evaluate(timeline, as_of=start + 6 * hour)
assert_type(report, Report)
status = report.obligations[0].status
assert_type(status, Status)
assert_type(report.breaches, list[Obligation])
breached = [o.duty_id for o in report.obligations if o.status is Status.BREACHED]
assert_type(breached, list[str])

frame = report_dataframe(report)
assert_type(frame, pd.DataFrame)
assert len(frame) == len(report.obligations)
gaps = gaps_dataframe(report)
assert_type(gaps, pd.DataFrame)

timelines: list[Timeline] = [timeline]
items = list(evaluate_many(timelines))
assert_type(items, list[BatchItem])
batch = batch_dataframe([report, (timeline, report), *items])
assert_type(batch, pd.DataFrame)
assert len(batch) == 3 * len(report.obligations)

ax = plot_case(timeline, report)
assert_type(ax, Axes)
title: str = ax.get_title()

pairs: list[tuple[Timeline, Report]] = [(timeline, report)]
figures = population_figures(pairs)
table = figures_table(figures)
assert_type(table, str)

if not TYPE_CHECKING:  # the same types, on the real objects
    assert isinstance(status, Status)
    assert isinstance(frame, pd.DataFrame) and isinstance(gaps, pd.DataFrame) and isinstance(batch, pd.DataFrame)
    assert isinstance(ax, Axes)
    assert all(isinstance(item, BatchItem) for item in items)

print(f"{title}: {len(frame)} obligations, {len(gaps)} gaps, first is {status.value}; breached: {breached}")
