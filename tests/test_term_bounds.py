"""A report's term bounds are data (issue 11, item 6): ``TermUse.kind``, ``strict`` and ``lenient``.

Durations and lead times are ISO 8601 durations, counts numbers, clock windows local times; the
human ``bounds`` text stays, and nothing in the library reads it back (the population figures read
the daytime window from ``strict``).
"""

from __future__ import annotations

import json
import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from builders import exclusion, headline_rules, looks, oslo, timeline

from samarbeid_rules import Report, check_institution, default_profile, evaluate, load_institution, load_timeline
from samarbeid_rules import population_figures
from samarbeid_rules._common.calendar import zone
from samarbeid_rules._pipeline.report import LocalWindow, TermUse, term_use
from samarbeid_rules._uses.analytics import daytime_in

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
ISO_DURATION = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
OSLO = zone("Europe/Oslo")


def _all_terms() -> list[TermUse]:
    terms = [t for p in EXAMPLES for o in evaluate(p).obligations for t in o.terms]
    inst = check_institution(load_institution(ROOT / "examples" / "institution" / "prison-017.json"),
                             as_of=date(2026, 6, 1))
    return terms + [t for f in inst.findings for t in f.terms]


def test_every_term_kind_is_data_matching_the_profile():
    """In the reports of every example and an institution check, each term's strict and lenient are the
    profile's bounds, typed by kind: durations and lead times timedelta, counts int, windows LocalWindow."""
    terms = _all_terms()
    assert {t.kind for t in terms} == {"duration", "lead_time", "count", "clock_window"}
    profile = default_profile()
    for t in terms:
        term = profile.terms[t.term]
        assert t.kind == term.kind and t.bounds == term.bounds_text() and t.words == list(term.words)
        if t.kind in ("duration", "lead_time"):
            assert type(t.strict) is timedelta and (t.strict, t.lenient) == (term.strict, term.lenient)
        elif t.kind == "count":
            assert type(t.strict) is int and (t.strict, t.lenient) == (term.strict, term.lenient)
        else:
            assert isinstance(t.strict, LocalWindow) and isinstance(t.lenient, LocalWindow)
            assert (t.strict.start, t.strict.end) == (term.strict.start, term.strict.end)
            assert (t.lenient.start, t.lenient.end) == (term.lenient.start, term.lenient.end)


def test_json_forms_of_each_kind():
    """In JSON a duration or lead time is an ISO 8601 duration, a count a number, a window two local
    times HH:MM."""
    seen = {}
    for t in _all_terms():
        seen.setdefault(t.kind, json.loads(t.model_dump_json()))
    for kind in ("duration", "lead_time"):
        assert ISO_DURATION.match(seen[kind]["strict"]) and ISO_DURATION.match(seen[kind]["lenient"])
    assert seen["lead_time"]["strict"] == "P30D" and seen["lead_time"]["lenient"] == "P14D"
    assert (seen["count"]["strict"], seen["count"]["lenient"]) == (2, 1)
    assert seen["clock_window"]["strict"] == {"start": "07:00", "end": "22:00"}
    assert seen["clock_window"]["lenient"] == {"start": "08:00", "end": "20:00"}
    assert list(seen["duration"]) == ["term", "kind", "words", "bounds", "strict", "lenient"]


def test_reports_read_back_keep_the_types():
    """A report's JSON validated again gives the same terms, with the same types."""
    for path in EXAMPLES:
        report = evaluate(path)
        again = Report.model_validate_json(report.to_json())
        before = [t for o in report.obligations for t in o.terms]
        after = [t for o in again.obligations for t in o.terms]
        assert [(t.kind, type(t.strict), t.strict, t.lenient) for t in after] == [
            (t.kind, type(t.strict), t.strict, t.lenient) for t in before]


def test_an_overridden_profile_is_what_the_fields_say():
    """An override of dagtid (with seconds) and of a duration shows in the structured fields."""
    profile = default_profile().with_overrides({"terms": {
        "dagtid": {"strict": {"start": "06:59:30", "end": "22:15"}, "lenient": {"start": "08:00", "end": "20:00"}},
        "tilsyn_dagtid_intervall": {"strict": "PT45M", "lenient": "PT90M"},
    }})
    tl = timeline([*exclusion(oslo(2026, 2, 2, 8), oslo(2026, 2, 2, 12)), *looks([oslo(2026, 2, 2, 9)])])
    [ob] = [o for o in evaluate(tl, rules=headline_rules(), profile=profile).obligations
            if o.duty_id == "exclusion.hourly_supervision"]
    data = {t["term"]: t for t in json.loads(ob.model_dump_json())["terms"]}
    assert data["dagtid"]["strict"] == {"start": "06:59:30", "end": "22:15"}
    assert (data["tilsyn_dagtid_intervall"]["strict"], data["tilsyn_dagtid_intervall"]["lenient"]) == ("PT45M", "PT1H30M")


def test_term_use_of_each_kind():
    """term_use() builds the record of each kind from the profile term alone."""
    p = default_profile()
    assert term_use("umiddelbart", p.terms["umiddelbart"]).strict == timedelta(minutes=15)
    assert term_use("i_god_tid_foer", p.terms["i_god_tid_foer"]).lenient == timedelta(days=14)
    assert term_use("kontakt_minutter_daglig", p.terms["kontakt_minutter_daglig"]).strict == 120
    w = term_use("dagtid", p.terms["dagtid"])
    assert w.kind == "clock_window" and (w.lenient.start, w.lenient.end) == (time(8), time(20))


# --- the analytics read the field, not the text ---------------------------------------------


def _hourly_pair(start, end, *, profile=None, case_id="c"):
    tl = load_timeline(timeline([*exclusion(start, end), *looks([start + timedelta(minutes=30)])], case_id=case_id))
    return tl, evaluate(tl, as_of=end + timedelta(hours=1), rules=headline_rules(), profile=profile)


def _window_profile(start: str, end: str, lenient: tuple[str, str]):
    return default_profile().with_overrides({"terms": {"dagtid": {
        "strict": {"start": start, "end": end}, "lenient": {"start": lenient[0], "end": lenient[1]}}}})


def test_daytime_hours_follow_the_structured_window():
    """With dagtid 09:00-17:00 a day-long exclusion has 8 required daytime hours (not 15)."""
    day = (oslo(2026, 2, 2), oslo(2026, 2, 3))
    assert population_figures([_hourly_pair(*day)]).daytime_hours_with_hourly_look.required_hours == 15.0
    pair = _hourly_pair(*day, profile=_window_profile("09:00", "17:00", ("10:00", "16:00")))
    assert population_figures([pair]).daytime_hours_with_hourly_look.required_hours == 8.0


def test_the_bounds_text_is_not_read():
    """A report whose bounds text says 00:00-23:59 but whose strict window is 09:00-17:00 is counted by
    the window: 8 hours. (Planted: the text and the data disagree.)"""
    tl, report = _hourly_pair(oslo(2026, 2, 2), oslo(2026, 2, 3), profile=_window_profile("09:00", "17:00",
                                                                                          ("10:00", "16:00")))
    obligations = []
    for o in report.obligations:
        terms = [t.model_copy(update={"bounds": "strict 00:00-23:59, lenient 00:00-23:59"})
                 if t.kind == "clock_window" else t for t in o.terms]
        obligations.append(o.model_copy(update={"terms": terms}))
    lying = report.model_copy(update={"obligations": obligations})
    assert population_figures([(tl, lying)]).daytime_hours_with_hourly_look.required_hours == 8.0


def test_a_look_duty_judged_without_a_daytime_window_has_no_daytime_hours():
    """Without a clock-window term (a rule set of its own) the obligation adds no daytime hours,
    where the text parsing once fell back to 07-22."""
    tl, report = _hourly_pair(oslo(2026, 2, 2), oslo(2026, 2, 3))
    bare = report.model_copy(update={"obligations": [
        o.model_copy(update={"terms": [t for t in o.terms if t.kind != "clock_window"]}) for o in report.obligations]})
    cov = population_figures([(tl, bare)]).daytime_hours_with_hourly_look
    assert (cov.required_hours, cov.value) == (0.0, None)


@pytest.mark.parametrize("day, window, hours", [
    (date(2026, 3, 29), ("07:00", "22:00"), 15.0),  # clocks forward at 02:00, outside the window
    (date(2026, 10, 25), ("07:00", "22:00"), 15.0),  # clocks back at 03:00, outside the window
    (date(2026, 3, 29), ("01:00", "05:00"), 3.0),  # 02:00-03:00 does not exist
    (date(2026, 10, 25), ("01:00", "05:00"), 5.0),  # 02:00-03:00 happens twice
    (date(2026, 3, 30), ("01:00", "05:00"), 4.0),
])
def test_daytime_on_days_the_clocks_change(day, window, hours):
    """The window is local clock time each local day: on the spring change day 01:00-05:00 holds three
    hours, on the autumn one five; a 07:00-22:00 window holds 15 on both. The figure and daytime_in
    agree."""
    lenient = (window[0][:3] + "30", str(int(window[1][:2]) - 1).zfill(2) + ":00")
    start = oslo(day.year, day.month, day.day)
    nxt = day + timedelta(days=1)
    end = oslo(nxt.year, nxt.month, nxt.day)
    tl, report = _hourly_pair(start, end, profile=_window_profile(*window, lenient))
    [ob] = [o for o in report.obligations if o.duty_id == "exclusion.hourly_supervision"]
    [w] = [t.strict for t in ob.terms if t.kind == "clock_window"]
    assert json.loads(w.model_dump_json()) == {"start": window[0], "end": window[1]}
    assert daytime_in(start, end, (w.start, w.end), OSLO) == timedelta(hours=hours)
    assert population_figures([(tl, report)]).daytime_hours_with_hourly_look.required_hours == hours
