"""Defects found in review of the timing kinds, each pinned by a test that failed before its fix.

- ``deadline``: a trigger closed (released without notice) before the next trigger is a breach,
  not folded into the next one; and a trigger is replaced by the next one of the same duty in
  another rule file (a G-8/2006-era date changed under circular 001);
- ``recurring_looks``: the next look after a look within an hour of the window's end is due the
  next morning, not at the window's end;
- ``per_dogn`` (calendar): a measure ending at 00:30 needs no visit in those 30 minutes;
- lateness is whole seconds rounded up: a notice at the midnight after a date deadline is PT1S late;
- ``daily_sum`` counts an event at the measure's end instant, as ``per_day`` does;
- ``measure_deadline`` accounts the measure's end event;
- a *bør* measure rule's gaps read ``not_followed``, as the obligation does;
- the loader rejects what a kind does not read.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from builders import event, exclusion_ended, exclusion_started, look, only, oslo, timeline

from samarbeid_rules import RuleFileError, evaluate, load_rules
from samarbeid_rules._inputs.resources import rules_dir


def _rules_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(rules_dir(), dst)
    return dst


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- deadline: the close is looked at before a trigger is folded into the next -----------------


def test_release_without_notice_before_a_new_date_is_a_breach_not_folded(engine):
    """A date known late (due 2 days on), released without a notice the next day, and a new date set before
    the due instant: the first trigger is closed, so it is breached at the release, not folded into the next."""
    events = [
        event("expected_release_date_set", oslo(2026, 6, 1, 10), id="erd-1", release_date="2026-06-05"),
        event("released", oslo(2026, 6, 2, 9), id="rel-1"),
        event("expected_release_date_set", oslo(2026, 6, 2, 12), id="erd-2", release_date="2026-12-01"),
    ]
    rules = load_rules().only(["release.health_notice"])
    report = evaluate(timeline(events), as_of=oslo(2026, 6, 2, 13), rules=rules, engine=engine)
    first = next(o for o in report.obligations if o.id == "release.health_notice:erd-1")
    assert first.status.value == "breached"
    assert first.trigger_event_ids == ["erd-1"]
    assert first.window.closes == oslo(2026, 6, 2, 9)
    second = next(o for o in report.obligations if o.id == "release.health_notice:erd-2")
    assert second.trigger_event_ids == ["erd-2"]


def test_a_g8_era_date_is_replaced_by_a_change_under_circular_001(engine):
    """A release date set in June 2025 (G-8/2006's file) and changed in August 2025 (001's file) before the
    first was due: one obligation, in 001's file, carrying both triggers; the notice after the change counts
    for the new date only."""
    events = [
        event("admitted", oslo(2025, 3, 3, 10), id="adm-1", custody_kind="sentence"),
        event("expected_release_date_set", oslo(2025, 6, 2, 10), id="erd-1", release_date="2025-11-28"),
        event("expected_release_date_set", oslo(2025, 8, 1, 10), id="erd-2", release_date="2025-10-31"),
        event("release_notice_sent", oslo(2025, 8, 4, 10), id="n-1", recipient="municipality"),
    ]
    rules = load_rules().only(["release.municipality_notice"])
    report = evaluate(timeline(events), as_of=oslo(2025, 8, 5, 10), rules=rules, engine=engine)
    assert [o.id for o in report.obligations] == ["release.municipality_notice:erd-2"]
    [ob] = report.obligations
    assert ob.trigger_event_ids == ["erd-1", "erd-2"]
    assert ob.rule_file == "duties/release/municipality_notice.yaml"
    assert ob.status.value == "fulfilled"
    roles = {a.event_id: [u.role for u in a.used_by] for a in report.events}
    assert roles["erd-1"] == ["replaced_trigger"]


def test_a_g8_era_date_late_when_changed_keeps_its_own_obligation(engine):
    """The same change after the first date's lenient deadline had passed: the G-8 trigger is judged at the
    change (breached: skal under G-8/2006), and a notice after the change does not count for it."""
    events = [
        event("expected_release_date_set", oslo(2025, 5, 2, 10), id="erd-1", release_date="2025-06-20"),
        event("expected_release_date_set", oslo(2025, 8, 1, 10), id="erd-2", release_date="2025-10-31"),
        event("release_notice_sent", oslo(2025, 8, 4, 10), id="n-1", recipient="municipality"),
    ]
    rules = load_rules().only(["release.municipality_notice"])
    report = evaluate(timeline(events), as_of=oslo(2025, 8, 5, 10), rules=rules, engine=engine)
    by_id = {o.id: o for o in report.obligations}
    assert by_id["release.municipality_notice:erd-1"].status.value == "breached"
    assert by_id["release.municipality_notice:erd-1"].fulfilled_by == []
    assert by_id["release.municipality_notice:erd-2"].fulfilled_by == ["n-1"]


# --- recurring_looks: the next look after a look near the window's end ----------------------


def test_next_look_after_a_look_within_the_bound_of_the_window_end_is_next_morning(engine):
    """Excluded from 20:00, a look at 21:30, judged at 21:45: the window's end (22:00) is within the hour of the
    look, so the next look is due at the next window start plus the bound (07:00 + 1 h), not at 22:00."""
    start = oslo(2026, 1, 14, 20)
    evs = [exclusion_started(start, measure_id="m1"), look(oslo(2026, 1, 14, 21, 30), measure_id="m1")]
    rules = load_rules().only(["exclusion.hourly_supervision"])
    ob = only(evaluate(timeline(evs), as_of=oslo(2026, 1, 14, 21, 45), rules=rules, engine=engine),
              "exclusion.hourly_supervision")
    assert ob.next_due == oslo(2026, 1, 15, 8)


def test_next_look_when_the_bound_ends_inside_the_window_is_the_bound(engine):
    """A look at 20:30, judged at 20:45: due at 21:30 (before the window's end)."""
    start = oslo(2026, 1, 14, 20)
    evs = [exclusion_started(start, measure_id="m1"), look(oslo(2026, 1, 14, 20, 30), measure_id="m1")]
    rules = load_rules().only(["exclusion.hourly_supervision"])
    ob = only(evaluate(timeline(evs), as_of=oslo(2026, 1, 14, 20, 45), rules=rules, engine=engine),
              "exclusion.hourly_supervision")
    assert ob.next_due == oslo(2026, 1, 14, 21, 30)


# --- per_dogn (calendar): a measure ending just after midnight ------------------------------


def _cell(start, end, visits):
    evs = [event("security_cell_started", start, id="sc-1", measure_id="c1")]
    evs += [event("health_visit", t, id=f"hv-{i}", measure_id="c1") for i, t in enumerate(visits)]
    evs.append(event("security_cell_ended", end, id="sc-2", measure_id="c1"))
    return evs


@pytest.mark.parametrize(("end", "partial", "expected"), [
    (oslo(2026, 1, 15, 0, 30), "prorate", "fulfilled"),   # 30 minutes of the last day: no visit needed
    (oslo(2026, 1, 15, 12), "prorate", "breached"),       # half the last day: the visit is needed
    (oslo(2026, 1, 15, 11, 59, 59), "prorate", "fulfilled"),  # one second less than half
    (oslo(2026, 1, 15, 0, 30), "full", "breached"),       # the setting full asks for it however short
    (oslo(2026, 1, 15, 23), "exempt", "fulfilled"),       # exempt: a partial last day is not judged
])
def test_calendar_dogn_partial_last_day_follows_partial_days(engine, end, partial, expected):
    """dogn: calendar. A security cell from 14 Jan 10:00, seen at 11:00, ending on 15 Jan: the partial last day
    needs a visit as the setting partial_days says (prorate: from half the day on)."""
    evs = _cell(oslo(2026, 1, 14, 10), end, [oslo(2026, 1, 14, 11)])
    rules = load_rules().only(["isolation.health_daily_visit"])
    ob = only(evaluate(timeline(evs), rules=rules, engine=engine,
                       profile={"settings": {"dogn": "calendar", "partial_days": partial}}),
              "isolation.health_daily_visit")
    assert ob.status.value == expected


# --- lateness in whole seconds, rounded up ------------------------------------------------


@pytest.mark.parametrize(("sent", "lateness"), [
    (oslo(2026, 8, 16, 0, 0, 0), timedelta(seconds=1)),  # the midnight after the end of the mark day
    (oslo(2026, 8, 16, 0, 0, 1), timedelta(seconds=2)),
    (oslo(2026, 8, 16, 9), timedelta(hours=9, seconds=1)),
])
def test_lateness_after_a_date_deadline_is_rounded_up(engine, sent, lateness):
    """Due by the end of 15 Aug (23:59:59.999999): a notice at 16 Aug 00:00:00 is late by PT1S, not PT0S."""
    events = [
        event("expected_release_date_set", oslo(2026, 6, 1, 10), id="erd-1", release_date="2026-10-15"),
        event("release_notice_sent", sent, id="n-1", recipient="kho"),
    ]
    rules = load_rules().only(["release.health_notice"])
    ob = only(evaluate(timeline(events), rules=rules, engine=engine), "release.health_notice")
    assert ob.status.value == "fulfilled_late"
    assert ob.lateness == lateness


# --- daily_sum and per_day: the measure's end instant counts for its last day -------------------


def test_daily_sum_counts_a_contact_at_the_measure_end_instant(engine):
    """An exclusion expected to exceed 72 h, ended 10:00 on its last day (prorated requirement 50 minutes): a
    contact of 60 minutes beginning at the end instant counts for that day, as a leader's review at a cell's
    end instant counts in per_day."""
    start, end = oslo(2026, 3, 9, 12), oslo(2026, 3, 13, 10)
    evs = [exclusion_started(start, measure_id="m1", expected_end=oslo(2026, 3, 16, 12)),
           exclusion_ended(end, measure_id="m1")]
    day = oslo(2026, 3, 9, 14)
    for i in range(4):
        evs.append(event("meaningful_contact", day + timedelta(days=i), id=f"mc-{i}", minutes=120, measure_id="m1"))
    evs.append(event("meaningful_contact", end, id="mc-end", minutes=60, measure_id="m1"))
    rules = load_rules().only(["exclusion.daily_contact"])
    ob = only(evaluate(timeline(evs), rules=rules, engine=engine), "exclusion.daily_contact")
    assert "mc-end" in ob.fulfilled_by
    assert ob.gaps == []
    assert ob.status.value == "fulfilled"


# --- measure_deadline accounts the measure's end ------------------------------------------


def test_measure_deadline_accounts_the_measure_end(engine):
    """The weekly plan's obligation used the exclusion's end (its length decided the duty): the end event is
    accounted to it as measure_end."""
    start, end = oslo(2026, 3, 9, 10), oslo(2026, 3, 13, 10)
    evs = [exclusion_started(start, measure_id="m1"), exclusion_ended(end, measure_id="m1", id="x-end")]
    rules = load_rules().only(["exclusion.weekly_plan"])
    report = evaluate(timeline(evs), rules=rules, engine=engine)
    ob = only(report, "exclusion.weekly_plan")
    account = next(a for a in report.events if a.event_id == "x-end")
    assert [(u.obligation, u.role) for u in account.used_by] == [(ob.id, "measure_end")]


# --- bør: gaps read as the obligation does ------------------------------------------------


def test_gaps_of_a_recommendation_read_not_followed(tmp_path, engine):
    """The leader's daily review as a recommendation (a copy with modality bør): a day without a review is a
    gap with status not_followed, as the obligation is, never breached."""
    rules = _rules_copy(tmp_path)
    path = rules / "duties" / "security_cell" / "leader_daily.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("modality: skal", "modality: bør"), encoding="utf-8")
    evs = [event("security_cell_started", oslo(2026, 1, 14, 10), id="sc-1", measure_id="c1"),
           event("security_cell_ended", oslo(2026, 1, 15, 10), id="sc-2", measure_id="c1")]
    ob = only(evaluate(timeline(evs), rules=load_rules(rules).only(["security_cell.leader_daily"]), engine=engine),
              "security_cell.leader_daily")
    assert ob.status.value == "not_followed"
    assert ob.gaps and {g.status.value for g in ob.gaps} == {"not_followed"}
    assert ob.breach is False


# --- the loader rejects what a kind does not read ----------------------------------------


@pytest.mark.parametrize(("rule", "old", "new", "needle", "field"), [
    # check: fulfilled_by is the trigger itself; same, responds_to, lookback and where are not read
    ("custody/staff_medication.yaml", "fulfilled_by:\n  event: staff_medication_handout",
     "fulfilled_by:\n  event: staff_medication_handout\n  lookback: PT1H", "lookback: PT1H", "fulfilled_by.lookback"),
    ("consent/written_informed.yaml", "fulfilled_by:\n  event: consent_given",
     "fulfilled_by:\n  event: consent_given\n  same: [measure_id]", "same: [measure_id]", "fulfilled_by.same"),
    ("consent/written_informed.yaml", "fulfilled_by:\n  event: consent_given",
     "fulfilled_by:\n  event: consent_given\n  where: {informed: true}", "where: {informed: true}",
     "fulfilled_by.where"),
    # permission: consents are searched by time and scope, not tied to the trigger
    ("consent/disclosure_basis.yaml", "fulfilled_by:\n  event: consent_given",
     "fulfilled_by:\n  event: consent_given\n  same: [measure_id]", "same: [measure_id]", "fulfilled_by.same"),
    # continuous_cover: any cover counts
    ("security_bed/continuous.yaml", "fulfilled_by:\n  event: continuous_supervision_started",
     "fulfilled_by:\n  event: continuous_supervision_started\n  same: [measure_id]", "same: [measure_id]",
     "fulfilled_by.same"),
    ("security_bed/continuous.yaml", "fulfilled_by:\n  event: continuous_supervision_started",
     "fulfilled_by:\n  event: continuous_supervision_started\n  lookback: PT1H", "lookback: PT1H",
     "fulfilled_by.lookback"),
    # the between-kinds take the events of the measure, without a look-back
    ("security_cell/leader_daily.yaml", "  same: [measure_id]\ntiming:",
     "  same: [measure_id]\n  lookback: PT1H\ntiming:", "lookback: PT1H", "fulfilled_by.lookback"),
    # closed_by: only deadline and before_close
    ("security_cell/leader_daily.yaml", "timing:\n  kind: per_day",
     "closed_by:\n  event: released\ntiming:\n  kind: per_day", "closed_by:", "closed_by"),
])
def test_loader_rejects_keys_the_kind_ignores(tmp_path, rule, old, new, needle, field):
    """A key the rule's timing kind would silently ignore is a RuleFileError naming the file, the line and the
    field."""
    rules = _rules_copy(tmp_path)
    path = rules / "duties" / rule
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules)
    exc = info.value
    assert exc.path == str(path)
    assert exc.field == field
    assert exc.line == _line_of(text, needle)


def test_an_explicit_empty_same_is_not_rejected(tmp_path):
    """``same: []`` says nothing a kind could ignore, and loads."""
    rules = _rules_copy(tmp_path)
    path = rules / "duties" / "security_bed" / "continuous.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "fulfilled_by:\n  event: continuous_supervision_started",
        "fulfilled_by:\n  event: continuous_supervision_started\n  same: []")
    path.write_text(text, encoding="utf-8")
    assert any(r.duty == "security_bed.continuous" for r in load_rules(rules).rules)
