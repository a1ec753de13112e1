"""samarbeid_rules.notebook: reports as DataFrames and a case as a timeline plot."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

pd = pytest.importorskip("pandas")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from builders import cover, exclusion, headline_rules, looks, oslo, release_date_set, timeline  # noqa: E402

from samarbeid_rules import evaluate, load_timeline  # noqa: E402
from samarbeid_rules.notebook import batch_dataframe, gaps_dataframe, plot_case, report_dataframe  # noqa: E402
from samarbeid_rules._outputs.notebook import GAP_COLUMNS, OBLIGATION_COLUMNS, RED  # noqa: E402

AS_OF = oslo(2026, 2, 3)


@pytest.fixture
def case():
    """A minor's exclusion with a hole in continuous supervision of 70 minutes and no look in it: a daytime gap of
    hourly supervision and an uncovered gap (continuous supervision counts as supervision while it lasts, issue 11)."""
    events = [
        *exclusion(oslo(2026, 2, 2, 10), oslo(2026, 2, 2, 14)),
        *looks([oslo(2026, 2, 2, 10, 40), oslo(2026, 2, 2, 13, 30)]),
        *cover(oslo(2026, 2, 2, 10), oslo(2026, 2, 2, 11), measure_id="c1"),
        *cover(oslo(2026, 2, 2, 12, 10), oslo(2026, 2, 2, 14), measure_id="c2"),
    ]
    tl = load_timeline(timeline(events, case_id="case-nb", birth_date="2010-05-01"))
    return tl, evaluate(tl, as_of=AS_OF, rules=headline_rules())


def teardown_function():
    plt.close("all")


def test_report_dataframe_has_one_row_per_obligation(case):
    """Each obligation becomes one row with the documented columns, Oslo-aware instants and a bool breach column."""
    _, report = case
    df = report_dataframe(report)
    assert list(df.columns) == OBLIGATION_COLUMNS
    assert len(df) == len(report.obligations) == 3
    assert set(df["obligation_id"]) == {o.id for o in report.obligations}
    assert str(df["opens"].dt.tz) == "Europe/Oslo"
    assert df["breach"].dtype == bool
    row = df.set_index("duty_id").loc["exclusion.minor_continuous"]
    assert row["status"] == "breached" and row["gaps"] == 1 and row["breached_gaps"] == 1


def test_gaps_dataframe_has_one_row_per_gap(case):
    """Every gap of every obligation is a row, with its length as a timedelta."""
    _, report = case
    df = gaps_dataframe(report)
    assert list(df.columns) == GAP_COLUMNS
    assert len(df) == sum(len(o.gaps) for o in report.obligations) == 2
    assert set(df["kind"]) == {"daytime", "uncovered"}
    uncovered = df[df["kind"] == "uncovered"].iloc[0]
    assert uncovered["length"] == pd.Timedelta(minutes=70)


def test_empty_report_gives_empty_frames_with_columns():
    """A report without obligations gives zero-row frames that still have every column."""
    tl = load_timeline(timeline([release_date_set(oslo(2026, 1, 5), "2026-12-31")], case_id="quiet"))
    report = evaluate(tl, as_of=oslo(2026, 1, 6)).model_copy(update={"obligations": []})
    assert report_dataframe(report).shape == (0, len(OBLIGATION_COLUMNS))
    assert gaps_dataframe(report).shape == (0, len(GAP_COLUMNS))


def test_batch_dataframe_accepts_reports_pairs_and_batch_items(case):
    """Reports, (timeline, report) pairs and batch items are all accepted; failed batch items are left out."""
    tl, report = case
    failed = SimpleNamespace(location="bad.json", report=None, error="x", case_id=None)
    df = batch_dataframe([report, (tl, report), SimpleNamespace(report=report), failed])
    assert len(df) == 3 * len(report.obligations)
    assert list(df.columns) == OBLIGATION_COLUMNS
    with pytest.raises(TypeError):
        batch_dataframe(["not a report"])


def test_plot_case_returns_axes_and_marks_breaches_in_red(case):
    """The plot returns the Axes it drew on, with a red X for each breach and red bars for breached gaps."""
    tl, report = case
    fig, given = plt.subplots()
    ax = plot_case(tl, report, ax=given)
    assert ax is given
    breach_ids = {o.id for o in report.breaches}
    assert breach_ids
    markers = {line.get_gid(): line for line in ax.lines if (line.get_gid() or "").startswith("breach:")}
    assert set(markers) == {f"breach:{i}" for i in breach_ids}
    assert all(m.get_marker() == "X" and matplotlib.colors.to_hex(m.get_color()) == RED for m in markers.values())
    gaps = [c for c in ax.collections if (c.get_gid() or "").startswith("gap:")]
    assert len(gaps) == 2
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:3] == ["custody", "exclusion", "continuous supervision"]


def test_plot_case_creates_axes_when_none_given(case):
    """Without an Axes the function makes a figure and returns its Axes."""
    tl, report = case
    ax = plot_case(tl, report)
    assert isinstance(ax, matplotlib.axes.Axes)
    ax.figure.canvas.draw()


def test_plot_case_rejects_another_cases_report(case):
    """A report for another case is refused rather than drawn over the wrong timeline."""
    tl, report = case
    with pytest.raises(ValueError):
        plot_case(tl, report.model_copy(update={"case_id": "other"}))


def test_missing_pandas_names_the_extra(case, monkeypatch):
    """Without pandas the error names the analysis extra to install."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"samarbeid-rules\[analysis\]"):
        report_dataframe(case[1])
