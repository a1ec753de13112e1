"""docs/analyst-session.ipynb runs end to end: every code cell, in order, in one namespace."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("pandas")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "analyst-session.ipynb"


@pytest.fixture(scope="module")
def namespace():
    """The namespace left by executing every code cell of the notebook in order."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    ns: dict = {"__name__": "__notebook__"}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            exec(compile(cell.source, f"{NOTEBOOK.name}[cell {i}]", "exec"), ns)
    yield ns
    plt.close("all")


def test_notebook_is_valid_and_has_no_outputs():
    """The notebook validates and is stored without outputs or execution counts."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert any(c.cell_type == "markdown" for c in nb.cells)


def test_notebook_judges_300_timelines(namespace):
    """The session evaluates 300 synthetic timelines and computes figures over all of them."""
    assert len(namespace["pairs"]) == 300
    assert namespace["figures"].timelines == 300


def test_notebook_figures_are_sane_and_traced(namespace):
    """The release-notice share lies in [0, 1] and its traced misses name real cases and obligations."""
    share = namespace["notices"].two_months_ahead
    assert share.denominator > 0 and 0 <= share.value <= 1
    assert len(namespace["missed"]) == share.denominator - share.numerator
    case_id, obligation_id = namespace["missed"][0]
    assert obligation_id in {o.id for o in namespace["reports"][case_id].obligations}


def test_notebook_breach_table_matches_figures(namespace):
    """The DataFrame of breaches per prison and duty sums to the figures' breach total."""
    table = namespace["breaches_by_duty_prison"]
    assert int(table.to_numpy().sum()) == namespace["figures"].breaches.total > 0
    assert "release.health_notice" in table.columns


def test_notebook_plots_a_case_with_a_breach(namespace):
    """The plotted case has a breach, and the Axes carries its red breach marker."""
    ax, report = namespace["ax"], namespace["case_report"]
    assert report.breaches
    gids = {line.get_gid() for line in ax.lines}
    assert {f"breach:{o.id}" for o in report.breaches} <= gids


def test_notebook_reads_an_event_table_and_queries_result_tables(namespace):
    """The session reads its timelines from an event table and queries typed result tables with DuckDB."""
    assert len(namespace["events_table"]) > 300 and len(namespace["persons_table"]) == 300
    ob = namespace["obligations_table"]
    assert str(ob["status"].dtype) == "category" and str(ob["opens"].dtype).startswith("datetime64")
    assert namespace["run"].summary.complete and namespace["run"].summary.evaluated == 300


def test_notebook_compares_the_shaped_population_with_the_published_shares(namespace):
    """The comparison table has the four categories, each measured share near the target."""
    table = namespace["comparison"]
    assert list(table.index) == ["before_release_day", "release_day_to_3_days_after", "4_or_more_days_after",
                                 "no_record"]
    assert ((table["measured"] - table["published"]).abs() < 0.03).all()
    assert namespace["ax_cmp"].get_title() == "Municipality told of the release, by day"


def test_notebook_zooms_the_case_plot_to_hours(namespace):
    """The zoomed plot spans the hours around the case's first breached gap."""
    lo, hi = namespace["ax_zoom"].get_xlim()
    assert 0 < hi - lo < 2  # days
