"""exclusion.hourly_supervision as 001 §7.1.2 reads (issue 11 item 1), each bound at exactly the bound and
one unit past it, on an ordinary day and across both daylight-saving changes (item 7).

"føre tilsyn med innsatte flere ganger daglig. Utgangspunktet er tilsyn én gang i timen på dagtid": the
binding *skal* is a minimum count of looks per local day (profile term ``flere_ganger_daglig``, strict 3,
lenient 2); once an hour in the daytime is the starting point, so a daytime gap over one hour is
``contested`` and only one over the lenient two hours (``tilsyn_dagtid_intervall``), inside the lenient
daytime window 08:00-20:00 (``dagtid``, Europe/Oslo clock time), is ``breached``. Continuous supervision
covers the time it lasts. No night minimum is judged.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import shutil

from builders import admitted, cover, event, every, exclusion_ended, exclusion_started, look, only, oslo, timeline

from samarbeid_rules import RuleFileError, default_profile, evaluate, load_rules
from samarbeid_rules._inputs.resources import rules_dir

DUTY = "exclusion.hourly_supervision"
RULES = load_rules().only([DUTY])
HOUR = timedelta(hours=1)
#: an ordinary day, the spring change (23 hours) and the autumn change (25 hours), all in 2026
DAYS = [date(2026, 3, 10), date(2026, 3, 29), date(2026, 10, 25)]
#: daytime gaps made irrelevant, to judge the count alone
NO_GAP_BOUND = {"terms": {"tilsyn_dagtid_intervall": {"strict": "PT24H", "lenient": "PT24H"}}}


def _ob(events, *, engine, profile=None):
    return only(evaluate(timeline(events), rules=RULES, engine=engine, profile=profile), DUTY)


def _at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return oslo(day.year, day.month, day.day, hh, mm, ss)


def _morning(day: date, first: datetime) -> list[dict]:
    """Excluded from local midnight to 12:00, the first daytime look at ``first``, then hourly to the end."""
    start, end = _at(day, 0), _at(day, 12)
    evs = [exclusion_started(start, measure_id="m1", scope="partial")]
    evs += [look(t, measure_id="m1", id=f"l{i}") for i, t in enumerate(every(first, end, HOUR))]
    evs.append(exclusion_ended(end, measure_id="m1"))
    return evs


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize(("first", "status"), [
    ((8, 0, 0), "fulfilled"),     # exactly one hour after the strict window opens at 07:00 local
    ((8, 0, 1), "contested"),     # one second past the starting point: contested, not a breach
    ((10, 0, 0), "contested"),    # exactly two hours after the lenient window opens at 08:00 local
    ((10, 0, 1), "breached"),     # one second past the lenient bound
])
def test_the_first_daytime_look_at_each_bound(engine, day, first, status):
    """Night from midnight with no look (no night minimum), the first look of the day at the given local time:
    the daytime windows open at 07:00 and 08:00 local clock time on the days of the change too."""
    ob = _ob(_morning(day, _at(day, *first)), engine=engine)
    assert ob.status.value == status
    day_gaps = [g for g in ob.gaps if g.kind != "day"]
    if status == "fulfilled":
        assert day_gaps == []
    else:
        assert [g.status.value for g in day_gaps] == [status]


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize(("n", "status"), [(1, "breached"), (2, "contested"), (3, "fulfilled")])
def test_looks_per_day_at_the_count_bounds(engine, day, n, status):
    """A whole local day inside the exclusion (23, 24 or 25 hours long): three looks meet the strict reading of
    "flere ganger daglig", two the lenient one only (contested), one is a breach."""
    start, end = _at(day - timedelta(days=1), 23), _at(day + timedelta(days=1), 1)
    evs = [exclusion_started(start, measure_id="m1", scope="partial")]
    evs += [look(_at(day, 9 + 3 * i), measure_id="m1", id=f"l{i}") for i in range(n)]
    evs.append(exclusion_ended(end, measure_id="m1"))
    ob = _ob(evs, engine=engine, profile=NO_GAP_BOUND)
    assert ob.status.value == status
    assert [(g.kind, g.status.value) for g in ob.gaps] == ([] if n == 3 else [("day", status)])


def test_a_day_under_continuous_supervision_needs_no_looks(engine):
    """Continuous supervision through the whole day covers it: no daytime gap and no count."""
    day = DAYS[0]
    start, end = _at(day - timedelta(days=1), 23), _at(day + timedelta(days=1), 1)
    evs = [exclusion_started(start, measure_id="m1", scope="partial"), *cover(start, end, measure_id="c1"),
           exclusion_ended(end, measure_id="m1")]
    ob = _ob(evs, engine=engine)
    assert ob.status.value == "fulfilled"
    assert ob.gaps == []


@pytest.mark.parametrize(("after", "status"), [
    (timedelta(hours=1), "fulfilled"),
    (timedelta(hours=1, seconds=1), "contested"),
    (timedelta(hours=2), "contested"),
    (timedelta(hours=2, seconds=1), "breached"),
])
def test_the_gap_after_continuous_supervision_ends(engine, after, status):
    """Continuous supervision 07:00-12:00, then hourly looks from the given time after its end: the gap runs
    from the end of the cover."""
    day = DAYS[0]
    start, cover_end, end = _at(day, 7), _at(day, 12), _at(day, 16)
    first = cover_end + after
    evs = [exclusion_started(start, measure_id="m1", scope="partial"), *cover(start, cover_end, measure_id="c1")]
    evs += [look(t, measure_id="m1", id=f"l{i}") for i, t in enumerate(every(first, end, HOUR))]
    evs.append(exclusion_ended(end, measure_id="m1"))
    ob = _ob(evs, engine=engine)
    assert [g.status.value for g in ob.gaps if g.kind != "day"] == ([] if status == "fulfilled" else [status])


# --- duties whose source has no time word ---------------------------------------------------------


@pytest.mark.parametrize(("duty", "term"), [
    ("custody.brik_offer", "rimelig_tid"),
    ("custody.pop_plan", "rimelig_tid"),
    ("custody.substance_offer", "rimelig_tid"),
])
def test_a_duty_without_a_time_word_names_the_profile_default(engine, duty, term):
    """BRIK, POP, the substance offer: the sentence has no time word, so the explanation says so and names the
    profile's default term, and quotes none of the term's Norwegian words."""
    evs = [admitted(oslo(2026, 3, 2, 10), id="adm"),
           event("health_need_observed", oslo(2026, 3, 2, 11), id="sub", need="substance_problem")]
    report = evaluate(timeline(evs), rules=load_rules().only([duty]), as_of=oslo(2026, 3, 3), engine=engine)
    [ob] = [o for o in report.obligations if o.duty_id == duty]
    text = " ".join(ob.explanation)
    assert f"the profile's default {term} (" in text and "the source gives no time word" in text
    for word in default_profile().terms[term].words:
        assert f"'{word}'" not in text


def test_a_duty_with_a_time_word_quotes_it(engine):
    """admission.intake_interview's sentence says "raskest mulig": the explanation quotes that word."""
    report = evaluate(timeline([admitted(oslo(2026, 3, 2, 10), id="adm")]),
                      rules=load_rules().only(["admission.intake_interview"]), as_of=oslo(2026, 3, 3), engine=engine)
    ob = only(report, "admission.intake_interview")
    assert "'raskest mulig' (snarest:" in " ".join(ob.explanation)


def test_a_bound_may_read_only_a_word_of_its_sentence(tmp_path):
    """The loader refuses a bound whose ``reads`` the quoted sentence does not use, naming the file and field."""
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    path = root / "duties" / "exclusion" / "notify_doctor.yaml"
    text = path.read_text(encoding="utf-8")
    assert "reads: uten ugrunnet opphold" in text
    path.write_text(text.replace("reads: uten ugrunnet opphold", "reads: straks"), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(root)
    assert info.value.path == str(path)
    assert "'straks' does not occur in the quoted sentence" in str(info.value)


# --- security_cell.doctor_statement: which branch was met ---------------------------------------------


@pytest.mark.parametrize(("events", "fulfilled_by", "branch"), [
    ([event("doctor_statement_obtained", oslo(2026, 3, 10, 8, 50), id="ds", measure_id="c1")], ["ds"],
     "met before the decision"),
    ([event("doctor_notified", oslo(2026, 3, 10, 10), id="dn", measure_id="c1")], ["dn"],
     "met after the decision"),
])
def test_the_doctor_statement_says_which_branch_was_met(engine, events, fulfilled_by, branch):
    """"Uttalelse fra lege ... før beslutningen fattes; dersom dette ikke er mulig ..., skal lege varsles
    snarest": the explanation says whether the statement came before the decision or the doctor was told
    after it, within snarest_timer (hours)."""
    evs = [event("security_cell_started", oslo(2026, 3, 10, 9), id="sc", measure_id="c1"), *events,
           event("security_cell_ended", oslo(2026, 3, 10, 12), id="se", measure_id="c1")]
    ob = only(evaluate(timeline(evs), rules=load_rules().only(["security_cell.doctor_statement"]), engine=engine),
              "security_cell.doctor_statement")
    assert ob.status.value == "fulfilled" and ob.fulfilled_by == fulfilled_by
    assert ob.explanation[-1].endswith(branch)
    assert "'snarest' (snarest_timer: strict PT1H, lenient PT4H)" in ob.explanation[0]
