"""population_figures: figures over many (timeline, report) pairs, each traceable to its obligations."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from builders import (
    headline_rules,
    cover,
    event,
    exclusion,
    looks,
    oslo,
    release_date_set,
    release_notice,
    released,
    timeline,
)

from samarbeid_rules import Obligation, evaluate, load_timeline, population_figures
from samarbeid_rules._uses.figures import TraceRef, figures_table

RN = "release.health_notice:rd-1"
#: the figures below are checked on the four headline duties only
HEADLINE = headline_rules()


def _pair(events, *, case_id, prison_id="prison-1", as_of, birth_date="1990-06-15"):
    tl = load_timeline(timeline(events, case_id=case_id, prison_id=prison_id, birth_date=birth_date))
    return tl, evaluate(tl, as_of=as_of, rules=HEADLINE)


def _release_case(case_id, release_day, lead_days, *, prison_id="prison-1"):
    """Date known in September 2025; notice ``lead_days`` calendar days before release (None: never)."""
    events = [release_date_set(oslo(2025, 9, 1, 10), release_day)]
    day = datetime.fromisoformat(release_day)
    if lead_days is not None:
        d = day - timedelta(days=lead_days)
        events.append(release_notice(oslo(d.year, d.month, d.day, 10)))
    events.append(released(oslo(day.year, day.month, day.day, 9)))
    return _pair(events, case_id=case_id, prison_id=prison_id, as_of=oslo(day.year, day.month, day.day, 12))


@pytest.fixture
def three_releases():
    return [
        _release_case("c70", "2026-03-31", 70),
        _release_case("c40", "2026-03-31", 40),
        _release_case("cnever", "2026-03-31", None, prison_id="prison-2"),
    ]


def test_three_releases_share_and_exact_lead_times(three_releases):
    """Notices 70 and 40 days ahead and one never sent give 1/3 two months ahead and leads of exactly 70 and 40 days."""
    rn = population_figures(three_releases).release_notice.overall
    share = rn.two_months_ahead
    assert (share.numerator, share.denominator, share.value) == (1, 3, pytest.approx(1 / 3))
    d = rn.lead_days
    assert (d.count, d.min, d.max, d.median, d.q1, d.q3) == (2, 40, 70, 55.0, 47.5, 62.5)
    assert d.histogram == {"<0": 0, "0-14": 0, "14-30": 0, "30-61": 1, ">=61": 1}


def test_release_traces_name_the_right_cases(three_releases):
    """The traces name the notified cases for the lead times and only the 70-day case for the numerator."""
    rn = population_figures(three_releases).release_notice.overall
    assert rn.lead_days.trace == (TraceRef("c70", RN), TraceRef("c40", RN))
    assert rn.two_months_ahead.numerator_trace == (("c70", RN),)
    assert [t.case_id for t in rn.two_months_ahead.trace] == ["c70", "c40", "cnever"]


def test_release_figures_split_per_prison_and_year(three_releases):
    """Per prison, prison-1 has one of two notified two months ahead and prison-2 none of one; all fall in 2026."""
    rn = population_figures(three_releases).release_notice
    assert set(rn.by_prison) == {"prison-1", "prison-2"}
    p1, p2 = rn.by_prison["prison-1"], rn.by_prison["prison-2"]
    assert (p1.two_months_ahead.numerator, p1.two_months_ahead.denominator) == (1, 2)
    assert (p2.two_months_ahead.numerator, p2.two_months_ahead.denominator) == (0, 1)
    assert p2.lead_days.count == 0 and p2.lead_days.median is None
    assert list(rn.by_year) == ["2026"]
    assert rn.by_year["2026"].two_months_ahead.denominator == 3


def test_two_months_ahead_is_calendar_months_at_the_boundary():
    """For a 30 April release a notice on 28 February counts as two months ahead, one on 1 March does not."""
    on = _release_case("on", "2026-04-30", 61)   # 28 Feb
    off = _release_case("off", "2026-04-30", 60)  # 1 Mar
    rn = population_figures([on, off]).release_notice.overall
    assert rn.two_months_ahead.numerator_trace == (("on", RN),)
    assert rn.lead_days.min == 60 and rn.lead_days.max == 61


def test_on_time_differs_from_two_months_ahead_when_the_date_came_late():
    """A date known a month before release and notified the next day is on time by the rule but not two months ahead."""
    pair = _pair(
        [release_date_set(oslo(2026, 3, 1, 10), "2026-03-31"), release_notice(oslo(2026, 3, 2, 10)),
         released(oslo(2026, 3, 31, 9))],
        case_id="late-known", as_of=oslo(2026, 4, 1),
    )
    rn = population_figures([pair]).release_notice.overall
    assert rn.on_time.value == 1.0
    assert rn.two_months_ahead.value == 0.0
    assert rn.lead_days.min == 29


def test_lead_time_uses_the_date_in_force_at_the_notice():
    """After the release date is moved earlier, the lead time is measured to the new date."""
    events = [
        release_date_set(oslo(2025, 9, 1, 10), "2026-06-30", id="rd-1"),
        release_date_set(oslo(2025, 12, 1, 10), "2026-05-31", id="rd-2"),
        release_notice(oslo(2026, 3, 1, 10)),
        released(oslo(2026, 5, 31, 9)),
    ]
    rn = population_figures([_pair(events, case_id="moved", as_of=oslo(2026, 6, 1))]).release_notice.overall
    assert rn.lead_days.min == rn.lead_days.max == 91  # 1 March -> 31 May
    assert rn.lead_days.trace == (("moved", "release.health_notice:rd-2"),)


def test_open_release_notice_not_yet_late_is_pending():
    """A release months away with no notice yet is pending, not a miss: the share has no denominator."""
    pair = _pair([release_date_set(oslo(2025, 9, 1, 10), "2026-06-30")], case_id="open", as_of=oslo(2025, 10, 1))
    share = population_figures([pair]).release_notice.overall.two_months_ahead
    assert (share.denominator, share.pending, share.value) == (0, 1, None)


def test_figures_without_a_denominator_are_none(three_releases):
    """Duties that occur in no report give None, never 0.0."""
    fig = population_figures(three_releases)
    assert fig.transfer_told_before.value is None and fig.transfer_told_before.denominator == 0
    assert fig.isolation_days_with_health_visit.value is None
    assert fig.daytime_hours_with_hourly_look.value is None
    assert fig.minor_continuous_coverage.value is None
    assert fig.disclosures_without_basis is None
    assert fig.disclosures_without_basis_share.value is None
    assert population_figures([]).release_notice.overall.lead_days.median is None


def test_daytime_hours_with_hourly_look_counts_gaps_whole():
    """Four daytime hours with a 2.5-hour gap between looks give 1.5 covered hours of 4."""
    events = [*exclusion(oslo(2026, 2, 2, 8), oslo(2026, 2, 2, 12)), *looks([oslo(2026, 2, 2, 9), oslo(2026, 2, 2, 11, 30)])]
    tl, report = _pair(events, case_id="x", as_of=oslo(2026, 2, 3))
    [gap] = [g for o in report.obligations for g in o.gaps]
    assert gap.length == timedelta(hours=2, minutes=30)
    cov = population_figures([(tl, report)]).daytime_hours_with_hourly_look
    assert (cov.covered_hours, cov.required_hours, cov.value) == (1.5, 4.0, 0.375)
    assert cov.trace == (("x", "exclusion.hourly_supervision:x-start-m1"),)


def test_daytime_hours_exclude_the_night():
    """An exclusion from 20:00 to 09:00 the next day has four daytime hours (20-22 and 07-09)."""
    start, end = oslo(2026, 2, 2, 20), oslo(2026, 2, 3, 9)
    times = [start + timedelta(minutes=45 * i) for i in range(1, 18)]
    pair = _pair([*exclusion(start, end), *looks(times)], case_id="n", as_of=oslo(2026, 2, 4))
    cov = population_figures([pair]).daytime_hours_with_hourly_look
    assert (cov.required_hours, cov.value) == (4.0, 1.0)


def test_open_measure_counts_daytime_up_to_as_of():
    """A measure still in effect counts daytime up to as_of; the ongoing tail gap is uncovered."""
    pair = _pair([*exclusion(oslo(2026, 2, 2, 10)), *looks([oslo(2026, 2, 2, 10, 30)])], case_id="o",
                 as_of=oslo(2026, 2, 2, 13))
    cov = population_figures([pair]).daytime_hours_with_hourly_look
    assert cov.required_hours == 3.0
    assert cov.covered_hours == pytest.approx(0.5)


def test_minor_continuous_coverage_is_covered_over_required_time():
    """A minor's four-hour exclusion with a 20-minute hole in supervision is covered 220 of 240 minutes."""
    events = [*exclusion(oslo(2026, 2, 2, 10), oslo(2026, 2, 2, 14)),
              *cover(oslo(2026, 2, 2, 10), oslo(2026, 2, 2, 11), measure_id="c1"),
              *cover(oslo(2026, 2, 2, 11, 20), oslo(2026, 2, 2, 14), measure_id="c2")]
    pair = _pair(events, case_id="minor", as_of=oslo(2026, 2, 3), birth_date="2010-05-01")
    cov = population_figures([pair]).minor_continuous_coverage
    assert cov.required_hours == 4.0
    assert cov.value == pytest.approx(220 / 240)
    assert cov.trace == (("minor", "exclusion.minor_continuous:x-start-m1"),)


# --- duties the rule set does not have yet: hand-built reports ----------------------


def _report_with(tl, obligations, *, as_of):
    base = evaluate(tl, as_of=as_of)
    return base.model_copy(update={"obligations": obligations})


def _ob(duty, trigger, *, opens, due=None, closes=None, fulfilled_by=(), status="fulfilled", breach=False):
    return Obligation.model_validate({
        "id": f"{duty}:{trigger}", "duty_id": duty, "title": duty, "actor": "KO", "modality": "skal",
        "status": status, "breach": breach, "trigger_event_ids": [trigger],
        "window": {"opens": opens, "due": due, "closes": closes}, "fulfilled_by": list(fulfilled_by),
        "citation": {"document": "001", "title": "t", "section": "5.2.1", "text": "x"},
        "rule_file": "-", "rule_set": "-", "rule_set_version": "circular-2025",
    })


@pytest.fixture
def hand_built():
    """A timeline whose events stand in for transfers, visits and disclosures (only their instants matter)."""
    evs = [event("admitted", oslo(2026, 2, 1, 9), id="a", custody_kind="sentence"),
           event("doctor_notified", oslo(2026, 2, 2, 12), id="told"),
           event("doctor_notified", oslo(2026, 2, 2, 11), id="visit-1"),
           event("doctor_notified", oslo(2026, 2, 4, 9), id="visit-2")]
    return load_timeline(timeline(evs, case_id="h"))


def test_transfer_share_counts_notices_before_the_transfer(hand_built):
    """One transfer told before, one not told, and one still ahead of as_of give 1/2 with 1 pending."""
    as_of = oslo(2026, 2, 10)
    obs = [
        _ob("custody.transfer_notice", "t1", opens=oslo(2026, 2, 1, 10), due=oslo(2026, 2, 3), closes=oslo(2026, 2, 3),
            fulfilled_by=["told"]),
        _ob("custody.transfer_notice", "t2", opens=oslo(2026, 2, 1, 10), due=oslo(2026, 2, 5), closes=oslo(2026, 2, 5),
            status="breached", breach=True),
        _ob("custody.transfer_notice", "t3", opens=oslo(2026, 2, 9), due=oslo(2026, 3, 1), status="due"),
    ]
    share = population_figures([(hand_built, _report_with(hand_built, obs, as_of=as_of))]).transfer_told_before
    assert (share.numerator, share.denominator, share.pending) == (1, 2, 1)
    assert share.numerator_trace == (("h", "custody.transfer_notice:t1"),)


def test_isolation_days_with_a_health_visit(hand_built):
    """An isolation over three calendar days with visits on the first and third has 2 of 3 days visited."""
    obs = [
        _ob("isolation.health_first_visit", "iso", opens=oslo(2026, 2, 2, 10), closes=oslo(2026, 2, 4, 12),
            fulfilled_by=["visit-1"]),
        _ob("isolation.health_daily_visit", "iso", opens=oslo(2026, 2, 2, 10), closes=oslo(2026, 2, 4, 12),
            fulfilled_by=["visit-2"]),
    ]
    share = population_figures(
        [(hand_built, _report_with(hand_built, obs, as_of=oslo(2026, 2, 10)))]
    ).isolation_days_with_health_visit
    assert (share.numerator, share.denominator) == (2, 3)
    assert share.trace == (("h", "isolation.health_daily_visit:iso"),)


def test_disclosures_and_unknown_duties(hand_built):
    """Breached disclosure obligations are counted, and a duty unknown to the module still counts as a breach."""
    t = oslo(2026, 2, 2, 10)
    obs = [
        _ob("consent.disclosure_basis", "d1", opens=t),
        _ob("consent.disclosure_basis", "d2", opens=t, status="breached", breach=True),
        _ob("consent.disclosure_basis", "d3", opens=t),
        _ob("health.some_future_duty", "f1", opens=oslo(2026, 3, 5), status="breached", breach=True),
    ]
    fig = population_figures([(hand_built, _report_with(hand_built, obs, as_of=oslo(2026, 4, 1)))])
    assert fig.disclosures_without_basis == 1
    assert fig.disclosures_without_basis_share.numerator_trace == (("h", "consent.disclosure_basis:d2"),)
    assert fig.breaches.by_duty == {"consent.disclosure_basis": 1, "health.some_future_duty": 1}
    assert fig.breaches.by_month == {"2026-02": 1, "2026-03": 1}


# --- breaches, streaming, output ---------------------------------------------------


def test_breaches_per_duty_prison_and_month(three_releases):
    """The 40-day notice (late) and the missing one are two breaches, split by prison, in the month the date became known."""
    b = population_figures(three_releases).breaches
    assert b.total == 2 and b.obligations == 3
    assert b.by_duty == {"release.health_notice": 2}
    assert b.by_prison == {"prison-1": 1, "prison-2": 1}
    assert b.by_month == {"2025-09": 2}
    row = next(r for r in b.rows if r.prison_id == "prison-1")
    assert (row.obligations, row.breaches, row.trace) == (2, 1, (("c40", RN),))
    assert set(b.trace) == {("c40", RN), ("cnever", RN)}


def test_streams_a_generator_once_and_keep_traces_false_drops_traces(three_releases):
    """A one-shot generator is read once, in order, and keep_traces=False gives the same numbers without traces."""
    read: list[str] = []

    def gen():
        for tl, report in three_releases:
            read.append(tl.case_id)
            yield tl, report

    with_traces = population_figures(gen())
    assert read == ["c70", "c40", "cnever"]
    without = population_figures(iter(three_releases), keep_traces=False)
    a, b = with_traces.release_notice.overall, without.release_notice.overall
    assert (a.two_months_ahead.numerator, a.lead_days.median) == (b.two_months_ahead.numerator, b.lead_days.median)
    assert b.lead_days.trace == () and b.two_months_ahead.trace == () and without.breaches.trace == ()


def test_mismatched_pair_is_rejected(three_releases):
    """A report paired with another case's timeline raises ValueError naming both cases."""
    (tl, _), (_, other) = three_releases[0], three_releases[1]
    with pytest.raises(ValueError, match="c40.*c70"):
        population_figures([(tl, other)])


def test_to_dict_is_json_and_table_is_text(three_releases):
    """to_dict() round-trips through JSON with traces as [case_id, ref] lists, and the table names each figure."""
    fig = population_figures(three_releases)
    data = json.loads(json.dumps(fig.to_dict()))
    assert data["release_notice"]["overall"]["two_months_ahead"]["numerator_trace"] == [["c70", RN]]
    assert data["transfer_told_before"]["value"] is None
    text = figures_table(fig)
    assert "33.3% (1/3)" in text and "transfers" in text and fig.table() == text


def test_synthetic_population_figures_are_sane():
    """On 60 synthetic timelines every share lies in [0, 1] and the breach total matches the reports."""
    from samarbeid_rules.testing import generate_population

    pairs = []
    for data in generate_population(60, seed=11):
        tl = load_timeline(data)
        pairs.append((tl, evaluate(tl)))
    fig = population_figures(pairs)
    assert fig.timelines == 60
    assert fig.breaches.total == sum(r.summary["breaches"] for _, r in pairs)
    for v in (fig.release_notice.overall.two_months_ahead.value, fig.daytime_hours_with_hourly_look.value):
        assert v is not None and 0 <= v <= 1
    assert fig.release_notice.overall.lead_days.count == sum(
        1 for _, r in pairs for o in r.obligations if o.duty_id == "release.health_notice" and o.fulfilled_by
    )


def test_coverage_measures_elapsed_time_across_dst():
    """A minor's exclusion from 01:00 to 04:00 on the spring-forward night requires two elapsed hours, not three."""
    start, end = oslo(2026, 3, 29, 1), oslo(2026, 3, 29, 4)
    events = [*exclusion(start, end), *cover(start, end, measure_id="c1")]
    pair = _pair(events, case_id="dst", as_of=oslo(2026, 3, 30), birth_date="2010-05-01")
    cov = population_figures([pair]).minor_continuous_coverage
    assert (cov.required_hours, cov.value) == (2.0, 1.0)
