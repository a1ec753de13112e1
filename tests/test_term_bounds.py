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
from pydantic import ValidationError

from samarbeid_rules._inputs.profile import iso_duration
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
        data = json.loads(t.model_dump_json())
        seen.setdefault(t.term, data)
        if t.kind in ("duration", "lead_time"):
            assert ISO_DURATION.match(data["strict"]) and ISO_DURATION.match(data["lenient"])
            # the same ISO text the bounds words use, and the profile's own reading of it
            assert (data["strict"], data["lenient"]) == (iso_duration(t.strict), iso_duration(t.lenient))
        elif t.kind == "count":
            assert type(data["strict"]) is int and type(data["lenient"]) is int
        assert list(data) == ["term", "kind", "words", "bounds", "strict", "lenient"]
    assert (seen["i_god_tid_foer"]["strict"], seen["i_god_tid_foer"]["lenient"]) == ("P30D", "P14D")
    assert (seen["umiddelbart"]["strict"], seen["umiddelbart"]["lenient"]) == ("PT15M", "PT1H")
    assert (seen["flere_ganger_daglig"]["strict"], seen["flere_ganger_daglig"]["lenient"]) == (3, 2)
    assert seen["dagtid"]["strict"] == {"start": "07:00", "end": "22:00"}
    assert seen["dagtid"]["lenient"] == {"start": "08:00", "end": "20:00"}


@pytest.mark.parametrize("text, seconds", [
    ("PT59S", 59), ("PT1M", 60), ("PT1M1S", 61), ("PT59M59S", 3599), ("PT1H", 3600), ("PT1H1S", 3601),
    ("PT23H59M59S", 86399), ("P1D", 86400), ("P1DT1S", 86401), ("P7D", 7 * 86400),
])
def test_durations_in_json_at_each_unit_boundary(text, seconds):
    """A bound one second short of, at and one second past a minute, an hour and a day is written as
    the ISO 8601 duration of exactly that length (a week as days), and read back as it."""
    profile = default_profile().with_overrides({"terms": {"umiddelbart": {"strict": f"PT{seconds}S",
                                                                          "lenient": f"PT{seconds + 1}S"}}})
    use = term_use("umiddelbart", profile.terms["umiddelbart"])
    data = json.loads(use.model_dump_json())
    assert data["strict"] == text and use.strict == timedelta(seconds=seconds)
    assert TermUse.model_validate_json(use.model_dump_json()) == use
    assert timedelta(seconds=seconds + 1) == TermUse.model_validate_json(use.model_dump_json()).lenient


@pytest.mark.parametrize("kind, strict, lenient", [
    ("count", "PT1H", 1),  # a count given as a duration
    ("count", True, 1),  # a bool is no count
    ("count", 2.5, 1),
    ("duration", 3600, "PT1H"),  # a duration given as a number of seconds
    ("duration", "PT1.5H", "PT2H"),
    ("lead_time", {"start": "07:00", "end": "22:00"}, "P14D"),
    ("clock_window", "PT1H", {"start": "08:00", "end": "20:00"}),
    ("clock_window", {"start": "7:00", "end": "22:00"}, {"start": "08:00", "end": "20:00"}),
    ("clock_window", {"start": "07:00", "end": "24:00"}, {"start": "08:00", "end": "20:00"}),
    ("clock_window", {"start": 25200, "end": "22:00"}, {"start": "08:00", "end": "20:00"}),
])
def test_a_report_read_back_refuses_bounds_that_do_not_fit_the_kind(kind, strict, lenient):
    """Validating a report's term again checks each bound against its kind, as strictly as the
    profile reads them: no number for a duration, no duration for a count, HH:MM for a clock time."""
    data = {"term": "t", "kind": kind, "words": ["w"], "bounds": "b", "strict": strict, "lenient": lenient}
    with pytest.raises(ValidationError):
        TermUse.model_validate_json(json.dumps(data))


def test_the_json_schema_shows_the_bounds():
    """The report's JSON Schema gives strict and lenient as an ISO 8601 duration (format and pattern),
    an integer or a LocalWindow of two HH:MM times, and lists kind's four values."""
    defs = Report.model_json_schema()["$defs"]
    props = defs["TermUse"]["properties"]
    assert set(defs["TermUse"]["required"]) >= {"term", "kind", "words", "bounds", "strict", "lenient"}
    assert sorted(props["kind"]["enum"]) == ["clock_window", "count", "duration", "lead_time"]
    for name in ("strict", "lenient"):
        duration, integer, window = props[name]["anyOf"]
        assert duration["type"] == "string" and duration["format"] == "duration"
        assert re.fullmatch(duration["pattern"], "P1DT2H") and not re.fullmatch(duration["pattern"], "3600")
        assert integer == {"type": "integer"} and window == {"$ref": "#/$defs/LocalWindow"}
    clock = defs["LocalWindow"]["properties"]["start"]
    assert clock["type"] == "string"
    assert [bool(re.fullmatch(clock["pattern"], t)) for t in ("00:00", "23:59", "06:59:30", "24:00", "7:00")] == [
        True, True, True, False, False]


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


@pytest.mark.parametrize("start, end, hours", [
    ((7, 0), (22, 0), 15.0),  # exactly the window
    ((6, 59), (22, 1), 15.0),  # one minute past each edge adds nothing
    ((7, 1), (22, 0), 14 + 59 / 60),  # one minute inside the start
    ((7, 0), (21, 59), 14 + 59 / 60),  # one minute inside the end
    ((22, 0), (23, 0), 0.0),  # starts at the window's end
    ((6, 0), (7, 0), 0.0),  # ends at the window's start
    ((6, 0), (7, 1), 1 / 60),  # one minute into it
])
def test_daytime_hours_at_the_window_edges(start, end, hours):
    """An exclusion that starts or ends exactly at the strict window's edge, or one minute either side,
    counts exactly the minutes inside 07:00-22:00 (the structured window, to the minute)."""
    tl, report = _hourly_pair(oslo(2026, 2, 2, *start), oslo(2026, 2, 2, *end))
    got = population_figures([(tl, report)]).daytime_hours_with_hourly_look.required_hours
    assert got == pytest.approx(hours, abs=1e-9)


# --- nothing reads the report's own text back ------------------------------------------------

_PACKAGE = ROOT / "src" / "samarbeid_rules"
_READERS = sorted([*(_PACKAGE / "_uses").glob("*.py"), *(_PACKAGE / "_outputs").glob("*.py"),
                   *(_PACKAGE / "_service").glob("*.py")])
_TEXT_FIELDS = {"bounds", "explanation"}
_PARSE = {"match", "fullmatch", "search", "findall", "finditer", "split", "rsplit", "partition",
          "rpartition", "startswith", "endswith", "find", "rfind", "index", "removeprefix", "removesuffix"}


def _text_reads(tree) -> list[tuple[int, str]]:
    """Where a report's ``bounds`` or ``explanation`` text is used other than shown: any use of the
    attribute outside an f-string's value (``f"{t.bounds}"``), a loop over the explanation that only
    appends or yields the lines it gives, or a ``"\\n".join``; and any parsing call on such text."""
    import ast

    shown: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            shown |= {id(n) for n in ast.walk(node.value)}
        # lines.extend(o.explanation), "\n".join(o.explanation): passed on whole, as text to show
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("extend", "join"):
            shown |= {id(a) for a in node.args if isinstance(a, ast.Attribute)}
        # for text in o.explanation: …  /  [f"- {text}" for text in o.explanation]: each line shown
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.iter, ast.Attribute):
            shown.add(id(node.iter))
        # tuple(o.explanation): kept as it is
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tuple", "list"):
            shown |= {id(a) for a in node.args if isinstance(a, ast.Attribute)}
    # the names a loop over the text binds: each is a line of it
    lines = {t.id for node in ast.walk(tree) if isinstance(node, (ast.For, ast.comprehension))
             and isinstance(node.iter, ast.Attribute) and node.iter.attr in _TEXT_FIELDS
             for t in ast.walk(node.target) if isinstance(t, ast.Name)}

    def is_text(part) -> bool:
        return any((isinstance(n, ast.Attribute) and n.attr in _TEXT_FIELDS)
                   or (isinstance(n, ast.Name) and n.id in lines) for n in ast.walk(part))

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn, ast.Eq, ast.NotEq))
                                                 for op in node.ops) and is_text(node):
            found.append((node.lineno, "report text compared"))
        if isinstance(node, ast.Attribute) and node.attr in _TEXT_FIELDS and id(node) not in shown:
            if isinstance(node.ctx, ast.Load) and not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append((node.lineno, f".{node.attr} used, not only shown"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PARSE:
            if any(is_text(part) for part in [node.func.value, *node.args]):
                found.append((node.lineno, f".{node.func.attr}() on report text"))
    return found


@pytest.mark.parametrize("path", _READERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_module_reads_the_report_text_back(path):
    """The analytics, the outputs and the service only show a report's ``bounds`` and ``explanation``
    text; none parses it (the population figures once read the daytime window out of ``bounds``)."""
    import ast

    assert _text_reads(ast.parse(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("source", [
    "import re\nm = re.match(r'strict (\\d\\d)', t.bounds)\n",
    "w = t.bounds.split(' ')[1]\n",
    "late = any(e.startswith('due') for e in o.explanation)\n",
    "x = o.explanation[0]\n",
    "ok = 'late' in t.bounds\n",
    "for line in o.explanation:\n    if 'not counted' in line:\n        n += 1\n",
    "for line in o.explanation:\n    m = PATTERN.match(line)\n",
])
def test_the_text_check_finds_a_planted_read(source):
    """The check above finds a regex over bounds, a split of it, a test on explanation lines, an
    index into them, a substring test, and a regex or a test on each line of a loop over them."""
    import ast

    assert _text_reads(ast.parse(source)) != []
