"""The audit's notice-timing figure, shaping a population to published shares, the case plot and the HTML views."""

from __future__ import annotations

import json

import pytest

from samarbeid_rules import evaluate, evaluate_many, load_timeline, population_figures
from samarbeid_rules._uses.release_timing import AUDIT_003, PublishedShares, compare_with_published
from samarbeid_rules.testing import generate_population

MUN = "release.municipality_notice"


def _timeline(notice_at: str | None, *, second_stay: bool = False) -> dict:
    events = [
        {"id": "adm", "type": "admitted", "at": "2025-10-01T09:00:00+02:00", "custody_kind": "sentence"},
        {"id": "rd", "type": "expected_release_date_set", "at": "2026-05-18T10:00:00+02:00",
         "release_date": "2026-06-30"},
        {"id": "rel", "type": "released", "at": "2026-06-30T09:00:00+02:00"},
    ]
    if second_stay:
        events += [
            {"id": "adm2", "type": "admitted", "at": "2026-07-02T09:00:00+02:00", "custody_kind": "remand"},
            {"id": "rd2", "type": "expected_release_date_set", "at": "2026-07-03T10:00:00+02:00",
             "release_date": "2026-12-30"},
        ]
    if notice_at is not None:
        events.append({"id": "ntc", "type": "release_notice_sent", "at": notice_at, "recipient": "municipality"})
    return {"case_id": "c", "prison_id": "p", "person": {"id": "x", "birth_date": "1990-01-01"}, "events": events}


def _category(data: dict, as_of: str = "2026-08-01T12:00:00+02:00") -> dict[str, int]:
    tl = load_timeline(data)
    fig = population_figures([(tl, evaluate(tl, as_of=as_of))])
    nt = fig.notice_timing[MUN]
    return {c: s.numerator for c, s in nt.shares.items() if s.numerator} | {"releases": nt.releases,
                                                                          "pending": nt.pending}


@pytest.mark.parametrize(
    ("notice_at", "category"),
    [
        ("2026-06-29T23:59:59+02:00", "before_release_day"),            # the last second before the release day
        ("2026-06-30T00:00:00+02:00", "release_day_to_3_days_after"),   # the release day itself
        ("2026-07-03T23:59:59+02:00", "release_day_to_3_days_after"),   # the end of the third day after
        ("2026-07-04T00:00:00+02:00", "4_or_more_days_after"),          # the fourth day after
        (None, "no_record"),
    ],
)
def test_notice_days_are_counted_from_the_release_day_at_each_boundary(notice_at, category):
    """Local days from the release day: before, day 0 to 3, 4 or more, or no record."""
    assert _category(_timeline(notice_at)) == {category: 1, "releases": 1, "pending": 0}


def test_a_release_not_yet_happened_is_pending_and_a_notice_of_a_later_stay_does_not_count():
    """Before the release the obligation is pending; a notice after the next release date was set is not this one's."""
    assert _category(_timeline(None), as_of="2026-06-01T12:00:00+02:00") == {"releases": 0, "pending": 1}
    late = _category(_timeline("2026-07-04T12:00:00+02:00", second_stay=True))
    assert late["no_record"] == 1 and late["releases"] == 1


def test_notice_timing_is_traced_and_json_ready():
    """Each category's numerator_trace names the obligations in it; to_dict is JSON."""
    tl = load_timeline(_timeline("2026-07-01T10:00:00+02:00"))
    fig = population_figures([(tl, evaluate(tl))])
    share = fig.notice_timing[MUN].shares["release_day_to_3_days_after"]
    assert [tuple(t) for t in share.numerator_trace] == [("c", "release.municipality_notice:rd")]
    json.dumps(fig.to_dict())
    assert "Notices counted from the release day" in fig.table()


def test_the_audit_table_from_source_003_has_its_categories_and_no_numbers():
    """AUDIT_003 cites the source and holds no share: the summary gives none."""
    assert set(AUDIT_003.shares) == {"before_release_day", "release_day_to_3_days_after", "4_or_more_days_after",
                                     "no_record"}
    assert all(v is None for v in AUDIT_003.shares.values()) and "3:4 (2022–2023)" in AUDIT_003.source
    with pytest.raises(ValueError, match="unknown categories"):
        PublishedShares("x", MUN, {"late": 0.5})


TARGET = {"before_release_day": 0.45, "release_day_to_3_days_after": 0.25, "4_or_more_days_after": 0.10,
          "no_record": 0.20}


def test_a_population_shaped_to_published_shares_reproduces_them():
    """Shaped to shares, 300 timelines come within a few points of each; everything else is unchanged."""
    data = list(generate_population(300, seed=2026, municipality_notice=TARGET))
    pairs = [(tl, evaluate(tl)) for tl in map(load_timeline, data)]
    rows = compare_with_published(population_figures(pairs).notice_timing[MUN],
                                  PublishedShares("target", MUN, TARGET))
    assert rows[0]["of"] > 200
    for row in rows:
        assert abs(row["measured"] - row["published"]) < 0.03, row
    plain = list(generate_population(300, seed=2026))
    assert all(a["prison_id"] == b["prison_id"] and a["events"] == b["events"][: len(a["events"])]
               for a, b in zip(plain, data))


def test_shares_that_do_not_sum_to_one_are_refused():
    """Shares must be known categories, non-negative and sum to 1."""
    with pytest.raises(ValueError, match="sum to 1"):
        next(generate_population(1, municipality_notice={"no_record": 0.5}))
    with pytest.raises(ValueError, match="unknown categories"):
        next(generate_population(1, municipality_notice={"never": 1.0}))


# --- HTML views -----------------------------------------------------------------

def test_batch_run_and_summary_render_html_with_the_counts_first(tmp_path):
    """A batch shows its counts before the status table; failures and breaches are counted."""
    run = evaluate_many("examples")
    items = list(run)
    html = run._repr_html_()
    assert html == run.summary._repr_html_()
    assert html.index("timelines evaluated") < html.index("obligations by status") < html.index("breaches by duty")
    assert f"<td>{len(items)}</td>" in html and "complete" in html


def test_population_figures_render_html_counts_first():
    """The figures show timelines, obligations and breaches first, then the figures and notice timing."""
    pairs = [(tl, evaluate(tl)) for tl in map(load_timeline, generate_population(20, seed=1))]
    html = population_figures(pairs)._repr_html_()
    assert html.index("timelines") < html.index("release notices two months ahead") < html.index(
        "notices counted from the release day")


def test_the_progress_bar_of_a_json_lines_file_has_a_total(tmp_path):
    """A JSON Lines file's non-empty lines are counted for the bar; without a bar nothing is counted."""
    path = tmp_path / "pop.jsonl"
    lines = [json.dumps(d) for d in generate_population(3, seed=5)]
    path.write_text(lines[0] + "\n\n" + lines[1] + "\n  \n" + lines[2], encoding="utf-8")
    assert evaluate_many(path, progress=True)._total == 3
    assert evaluate_many(path, progress=False)._total is None
    (tmp_path / "one.json").write_text(lines[0], encoding="utf-8")
    assert evaluate_many(tmp_path, progress=True)._total == 4


# --- the case plot ----------------------------------------------------------------

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture()
def plotted():
    import matplotlib.pyplot as plt

    from samarbeid_rules.notebook import plot_case

    tl = load_timeline(_timeline(None))
    report = evaluate(tl, as_of="2026-08-01T12:00:00+02:00")
    yield plot_case, tl, report
    plt.close("all")


def test_a_recommendation_not_followed_is_purple_not_red(plotted):
    """The municipality notice (bør) never sent: a purple square, no red breach cross."""
    from matplotlib.colors import to_hex

    from samarbeid_rules._outputs.notebook import PURPLE, RED

    plot_case, tl, report = plotted
    ob = next(o for o in report.obligations if o.duty_id == MUN)
    assert ob.status.value == "not_followed"
    ax = plot_case(tl, report)
    by_gid = {line.get_gid(): line for line in ax.lines}
    assert f"breach:{ob.id}" not in by_gid
    assert to_hex(by_gid[f"not_followed:{ob.id}"].get_color()) == PURPLE != RED
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "recommendation not followed (not a breach)" in labels and "breach" in labels


def test_fulfilling_events_sit_on_their_obligation_lanes(plotted):
    """Each fulfilled obligation has diamonds at its fulfilling events' instants."""
    import matplotlib.dates as mdates

    plot_case, _, _ = plotted
    tl = load_timeline(_timeline("2026-05-20T12:00:00+02:00"))
    report = evaluate(tl, as_of="2026-08-01T12:00:00+02:00")
    ax = plot_case(tl, report)
    ob = next(o for o in report.obligations if o.duty_id == MUN)
    line = next(l for l in ax.lines if l.get_gid() == f"fulfilment:{ob.id}")
    (x,) = line.get_xdata()
    assert x == pytest.approx(mdates.date2num(tl.events[-1].at))


def test_window_zooms_to_hours_and_refuses_a_reversed_or_naive_window(plotted):
    """window= sets the x range; an end before the start or a time without offset is refused."""
    import matplotlib.dates as mdates
    from datetime import datetime

    plot_case, tl, report = plotted
    start, end = "2026-06-30T07:00:00+02:00", "2026-06-30T11:00:00+02:00"
    ax = plot_case(tl, report, window=(start, end), legend=False)
    assert ax.get_xlim() == pytest.approx((mdates.date2num(datetime.fromisoformat(start)),
                                           mdates.date2num(datetime.fromisoformat(end))))
    assert ax.get_legend() is None
    with pytest.raises(ValueError, match="ends before it starts"):
        plot_case(tl, report, window=(end, start))
    with pytest.raises(ValueError, match="UTC offset"):
        plot_case(tl, report, window=("2026-06-30T07:00", end))
