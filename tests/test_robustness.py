"""Robustness: malformed timelines, rule files, profiles and as_of values never crash or hang.

The contract (docs/robustness.md): for any input, ``load_timeline``, ``evaluate``,
``load_rules`` and ``load_profile`` either succeed — and a report is complete:
every input event accounted for exactly once, summary counts equal to the
obligations — or raise one of the documented errors (a ``SamarbeidError``
subclass, with its location attributes set). Never another exception, never a
hang. Each example runs under a time guard (``signal.alarm`` on POSIX) so a
hang fails the example instead of the run.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from samarbeid_rules import (
    ProfileError,
    Report,
    RuleFileError,
    SamarbeidError,
    Timeline,
    TimelineError,
    evaluate,
    load_profile,
    load_rules,
    load_timeline,
)
from samarbeid_rules._inputs.resources import rules_dir
from samarbeid_rules.testing import timelines

OSLO = ZoneInfo("Europe/Oslo")
GUARD_SECONDS = 5
#: nesting depth of the "deep" inputs (well past Python's default recursion limit)
DEEP = 10_000

#: Derandomised (the same examples every run, no example database) and, by default, the
#: first failing example is reported as found, not shrunk: a run with known bugs (some of
#: them hangs stopped by the time guard) still takes about a minute. Set
#: SAMARBEID_SHRINK=1 to have hypothesis shrink failures and look for several.
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    report_multiple_bugs=bool(os.environ.get("SAMARBEID_SHRINK")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    phases=list(Phase) if os.environ.get("SAMARBEID_SHRINK") else [Phase.explicit, Phase.reuse, Phase.generate],
)
SMALL_TIMELINES = timelines(max_exclusions=2, max_looks=8)


# --- guards and checks -------------------------------------------------------------


class Hang(Exception):
    """Raised by the time guard when an example runs too long (a hang, or work growing without bound)."""


#: extra address space a guarded block may take before it gets a MemoryError (Linux)
MEMORY_GUARD_BYTES = 4 << 30


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


@contextlib.contextmanager
def time_guard(seconds: int = GUARD_SECONDS):
    """Fail with :class:`Hang` if the block runs longer than ``seconds``, and with MemoryError if it
    takes more than MEMORY_GUARD_BYTES of new address space (POSIX main thread only).

    The alarm repeats every half second until the block ends, so a Hang swallowed on the way
    (raised inside a finaliser, say) is followed by another.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    old_limit = None
    try:
        import resource

        used = _address_space()
        if used is not None:
            old_limit = resource.getrlimit(resource.RLIMIT_AS)
            hard = old_limit[1]
            soft = used + MEMORY_GUARD_BYTES
            if hard == resource.RLIM_INFINITY or soft < hard:
                resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            else:
                old_limit = None
    except (ImportError, ValueError, OSError):
        old_limit = None
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, old_limit)


def assert_complete(report: Report, timeline: Timeline) -> None:
    """The report accounts for every input event exactly once and its summary adds up."""
    assert [a.index for a in report.events] == list(range(len(timeline.events)))
    assert [a.event_id for a in report.events] == [ev.id for ev in timeline.events]
    assert all(a.state in ("used", "unused", "after_as_of") for a in report.events)
    assert all(a.state != "used" or a.used_by for a in report.events)
    summary = report.summary
    assert summary["obligations"] == len(report.obligations)
    assert summary["events"] == len(timeline.events)
    statuses = [o.status.value for o in report.obligations]
    for status in {o.status.value for o in report.obligations}:
        assert summary[status] == statuses.count(status)
    assert sum(v for k, v in summary.items() if k not in ("obligations", "events", "breaches")) == len(statuses)
    assert summary["breaches"] == sum(o.breach for o in report.obligations)
    ids = [o.id for o in report.obligations]
    assert len(ids) == len(set(ids))
    # the report serialises completely
    data = json.loads(report.to_json())
    assert len(data["events"]) == len(timeline.events)
    assert len(data["obligations"]) == len(report.obligations)


class Undocumented(AssertionError):
    """The library raised an exception that is not one of its documented errors."""


def documented(fn, *args: Any, allowed: type[BaseException] | tuple = SamarbeidError, **kwargs: Any):
    """``(fn(*args, **kwargs), None)``, or ``(None, error)`` for an ``allowed`` error.

    Any other exception fails the test with its type, message and the last frames
    of its traceback (where in the library it came from), without pytest's long
    rendering of, say, a RecursionError 1 000 frames deep.
    """
    try:
        return fn(*args, **kwargs), None
    except allowed as exc:
        return None, exc
    except Hang:
        raise
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in frames if "samarbeid_rules" in f.filename] or frames
        where = "".join(traceback.format_list(mine[-3:] + [f for f in frames[-2:] if f not in mine[-3:]]))
        message = f"undocumented {type(exc).__name__}: {str(exc)[:300]}\n{where}"
        exc.__traceback__ = None
    # outside the except block, so the failure does not chain the (possibly 1 000-frame) traceback
    raise Undocumented(message)


def check_timeline_input(source: Any, **evaluate_kwargs: Any) -> Report | None:
    """Load and evaluate ``source``: a complete report, or a documented error — nothing else, no hang."""
    with time_guard():
        timeline, error = documented(load_timeline, source, allowed=TimelineError)
        if error is not None:
            assert error.source, "a TimelineError from load_timeline names its source"
            return None
        assert isinstance(timeline, Timeline)
        report, error = documented(evaluate, timeline, **evaluate_kwargs)
        if error is not None:
            return None
        assert_complete(report, timeline)
        return report


# --- building malformed timelines ----------------------------------------------------

_DEEP_MARK = "__deep_nesting__"


def deep_list(depth: int = DEEP) -> list:
    out: list = []
    for _ in range(depth):
        out = [out]
    return out


def deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def serialise(data: Any, form: str) -> Any:
    """``data`` as the given input form; the deep-nesting marker becomes real nesting."""
    if form == "dict":
        return _replace_mark(data)
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace(json.dumps(_DEEP_MARK), deep_json())
    return text if form == "str" else text.encode("utf-8", "surrogatepass")


def _replace_mark(value: Any) -> Any:
    if value == _DEEP_MARK:
        return deep_list()
    if isinstance(value, dict):
        return {k: _replace_mark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_mark(v) for v in value]
    return value


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, -(2**63), 2**63, 2**64 + 1, 10**18]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["😀", "\u202eevil\u202c", "שלום", "a\x00b", "\ud7ff", "", " ", "x" * 5000]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)
weird_strings = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from(["😀😀", "\u202eabc", "مرحبا", "a\x00b", "\x00", "\ufeffid", "tab\there", "ok-id"]),
    st.integers(1, 100_000).map(lambda n: "x" * n),
)


def _paths(tl: dict) -> list[tuple]:
    """Paths of the fields of a timeline dict: top level, person, and every event field."""
    out: list[tuple] = [(k,) for k in tl]
    person = tl.get("person")
    if isinstance(person, dict):
        out += [("person", k) for k in person]
    events = tl.get("events")
    for i, ev in enumerate(events if isinstance(events, list) else []):
        if isinstance(ev, dict):
            out += [("events", i, k) for k in ev]
    return out


def _parent(tl: dict, path: tuple) -> Any:
    node: Any = tl
    for p in path[:-1]:
        node = node[p]
    return node


@st.composite
def malformed_timelines(draw) -> dict:
    """A valid timeline with one to three mutations applied."""
    tl = copy.deepcopy(draw(SMALL_TIMELINES))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from([
            "wrong_type", "missing", "extra", "unicode", "long_id", "deep", "duplicate_id",
            "unknown_measure", "events_type", "minutes", "drop_event", "type_name",
        ]))
        events = [ev for ev in tl["events"] if isinstance(ev, dict)] if isinstance(tl.get("events"), list) else []
        paths = _paths(tl)
        if kind == "wrong_type" and paths:
            path = draw(st.sampled_from(paths))
            _parent(tl, path)[path[-1]] = draw(json_values)
        elif kind == "missing" and paths:
            path = draw(st.sampled_from(paths))
            del _parent(tl, path)[path[-1]]
        elif kind == "extra":
            where = draw(st.sampled_from(["top", "person", "event"]))
            name = draw(st.sampled_from(["extra", "note", "Id", "TYPE", "id ", "😀"]))
            target = tl if where == "top" or not events else draw(st.sampled_from(events))
            if where == "person" and isinstance(tl.get("person"), dict):
                target = tl["person"]
            if isinstance(target, dict) and name not in target:
                target[name] = draw(json_values)
        elif kind == "unicode" and paths:
            path = draw(st.sampled_from([p for p in paths if p[-1] in ("id", "case_id", "prison_id", "measure_id")]
                                        or paths))
            _parent(tl, path)[path[-1]] = draw(weird_strings)
        elif kind == "long_id" and events:
            ev = draw(st.sampled_from(events))
            if isinstance(ev, dict):
                ev[draw(st.sampled_from(["id", "measure_id"]))] = "i" * draw(st.sampled_from([199, 200, 201, 10_000, 1_000_000]))
        elif kind == "deep" and paths:
            # (a deep "type" is tested on its own: test_deep_event_type_is_a_quiet_timeline_error)
            path = draw(st.sampled_from([p for p in paths if p[-1] != "type"] or paths))
            _parent(tl, path)[path[-1]] = _DEEP_MARK
        elif kind == "duplicate_id" and len(events) >= 2:
            i, j = draw(st.lists(st.integers(0, len(events) - 1), min_size=2, max_size=2, unique=True))
            if isinstance(events[i], dict) and isinstance(events[j], dict):
                events[j]["id"] = events[i].get("id")
        elif kind == "unknown_measure" and events:
            ev = draw(st.sampled_from(events))
            if isinstance(ev, dict):
                ev["measure_id"] = draw(st.sampled_from(["nope", "m9", "m0", "m1", ""]))
        elif kind == "events_type":
            tl["events"] = draw(st.one_of(json_scalars, st.dictionaries(st.text(max_size=3), json_scalars, max_size=2),
                                          st.lists(json_scalars, max_size=3)))
        elif kind == "minutes":
            t = events[0].get("at", "2026-01-05T10:00:00+01:00") if events else "2026-01-05T10:00:00+01:00"
            if isinstance(tl.get("events"), list):
                tl["events"].append({
                    "id": "contact-x", "type": "meaningful_contact", "at": t,
                    "minutes": draw(st.one_of(st.integers(-(10**40), 10**40), st.sampled_from([0, -1, 1440, 1441]),
                                              st.floats(), st.text(max_size=5))),
                })
        elif kind == "drop_event" and isinstance(tl.get("events"), list) and tl["events"]:
            del tl["events"][draw(st.integers(0, len(tl["events"]) - 1))]
        elif kind == "type_name" and events:
            ev = draw(st.sampled_from(events))
            if isinstance(ev, dict):
                ev["type"] = draw(st.sampled_from(["", "ADMITTED", "admitted ", "exclusion_ended", "released",
                                                   "meaningful_contact", "nope", "__class__"]))
    return tl


# --- timelines -----------------------------------------------------------------------


@SETTINGS
@given(tl=malformed_timelines(), form=st.sampled_from(["dict", "str", "bytes"]))
def test_malformed_timelines_give_a_report_or_a_timeline_error(tl, form):
    """A mutated timeline (wrong types, missing/extra fields, unicode, long ids, 10 000-deep nesting, duplicate ids, unknown measures, other JSON for events) loads and evaluates completely or raises a documented error."""
    check_timeline_input(serialise(tl, form))


@SETTINGS
@given(tl=SMALL_TIMELINES, data=st.data())
def test_truncated_json_text_is_a_timeline_error(tl, data):
    """JSON text cut at any point is either still a valid timeline (cut at the very end) or a TimelineError."""
    text = json.dumps(tl)
    cut = data.draw(st.integers(0, len(text)), label="cut")
    as_bytes = data.draw(st.booleans(), label="as_bytes")
    piece = text[:cut]
    source = piece.encode() if as_bytes else piece
    if not as_bytes and not piece.lstrip().startswith("{"):
        return  # a str not starting with "{" is a path, tested elsewhere
    report = check_timeline_input(source, as_of=None)
    if cut < len(text.rstrip()):
        assert report is None


@SETTINGS
@given(tl=SMALL_TIMELINES, data=st.data())
def test_non_utf8_bytes_are_a_timeline_error(tl, data):
    """Bytes (invalid UTF-8, or random) spliced into the JSON text give a complete report or a TimelineError."""
    raw = json.dumps(tl, ensure_ascii=False).encode()
    pos = data.draw(st.integers(0, len(raw)), label="pos")
    junk = data.draw(st.one_of(
        st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\xf8\x88\x80\x80\x80"]),
        st.binary(min_size=1, max_size=8),
    ), label="junk")
    check_timeline_input(raw[:pos] + junk + raw[pos:])


@st.composite
def extreme_instants(draw) -> str:
    """An ISO instant anywhere in years 1..9999 with an offset up to ±14 h (or none)."""
    tz = draw(st.sampled_from([
        timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14)),
        timezone(timedelta(hours=23, minutes=59)), OSLO, None,
    ]))
    edge = draw(st.sampled_from(["near_min", "near_max", "anywhere"]))
    if edge == "near_min":
        naive = datetime(1, 1, 1) + timedelta(minutes=draw(st.integers(0, 60 * 24 * 400)))
    elif edge == "near_max":
        naive = datetime(9999, 12, 31, 23, 59, 59) - timedelta(minutes=draw(st.integers(0, 60 * 24 * 400)))
    else:
        naive = draw(st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)))
    return naive.replace(tzinfo=tz).isoformat() if tz is not None else naive.isoformat()


@SETTINGS
@given(tl=SMALL_TIMELINES, data=st.data())
def test_instants_near_year_1_and_9999_give_a_report_or_a_timeline_error(tl, data):
    """Event instants, expected ends, release and birth dates near year 1 or 9999 (or naive) evaluate completely or raise a TimelineError."""
    tl = copy.deepcopy(tl)
    events = tl["events"]
    for _ in range(data.draw(st.integers(1, 3), label="n")):
        where = data.draw(st.sampled_from(["at", "expected_end", "release_date", "birth_date"]), label="where")
        value = data.draw(extreme_instants(), label="value")
        if where == "birth_date":
            tl["person"]["birth_date"] = value[:10]
        elif events:
            ev = data.draw(st.sampled_from(events), label="event")
            if where == "at":
                ev["at"] = value
            elif where == "expected_end" and ev["type"] == "exclusion_started":
                ev["expected_end"] = value
            elif where == "release_date" and ev["type"] == "expected_release_date_set":
                ev["release_date"] = value[:10]
    check_timeline_input(tl)


@pytest.mark.parametrize(
    "at",
    [
        "9999-12-31T23:59:00+00:00",   # the next birthday is in year 10000
        "9999-12-31T20:00:00-14:00",   # UTC instant past year 9999
        "0001-01-01T00:30:00+14:00",   # UTC instant before year 1
        "0001-01-01T00:00:00+00:00",   # the earliest instant there is
        "9999-06-01T12:00:00+02:00",
    ],
)
def test_event_at_the_ends_of_the_calendar(at):
    """A single admission at the very first or last representable instants evaluates completely or raises a TimelineError."""
    tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"},
          "events": [{"id": "a", "type": "admitted", "at": at, "custody_kind": "remand"}]}
    check_timeline_input(tl)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('{"case_id": 1' + "0" * 5000 + "}", id="int-over-4300-digits-str"),
        pytest.param(b'{"case_id": 1' + b"0" * 5000 + b"}", id="int-over-4300-digits-bytes"),
        pytest.param('{"case_id": "c", "x": ' + deep_json(100_000) + "}", id="100k-deep-json"),
        pytest.param(b"\xef\xbb\xbf{}", id="utf8-bom"),
        pytest.param(b"\xff\xfe{\x00}\x00", id="utf16"),
        pytest.param('{"case_id": "\\ud800"}', id="lone-surrogate"),
        pytest.param("{" + '"a": 1, ' * 1 + '"a": 2}', id="duplicate-json-key"),
        pytest.param('{"case_id": NaN, "person": Infinity}', id="nan"),
        pytest.param("", id="empty-str"),
        pytest.param(b"", id="empty-bytes"),
        pytest.param("{", id="lone-brace"),
    ],
)
def test_odd_json_texts_are_timeline_errors(source):
    """Odd JSON texts (huge integers, 100 000-deep nesting, BOMs, UTF-16, surrogates, NaN, empty) raise a TimelineError."""
    assert check_timeline_input(source) is None, "the odd text was accepted as a timeline"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("no-such-file.json", id="missing-file"),
        pytest.param("a" * 10_000, id="name-too-long"),
        pytest.param("events\x00.json", id="nul-in-path"),
        pytest.param(Path("/"), id="directory"),
    ],
)
def test_bad_paths_are_timeline_errors(source):
    """A str or Path that cannot be read as a file (missing, too long, NUL byte, a directory) raises a TimelineError."""
    with time_guard():
        _, error = documented(load_timeline, source, allowed=TimelineError)
    assert isinstance(error, TimelineError)


def test_deep_event_type_is_a_quiet_timeline_error():
    """An event whose type is a 10 000-deep list is a TimelineError, with no exception printed or sent to sys.unraisablehook on the way."""
    seen = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}")
    try:
        tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"},
              "events": [{"id": "a", "type": deep_list(), "at": "2026-01-05T10:00:00+01:00"}]}
        with time_guard():
            _, error = documented(load_timeline, tl, allowed=TimelineError)
    finally:
        sys.unraisablehook = previous
    assert isinstance(error, TimelineError) and error.index == 0
    assert seen == []


@pytest.mark.parametrize("field", ["custody_kind", "at", "id"])
def test_deep_field_error_names_the_event(field):
    """A 10 000-deep list in an event field gives a TimelineError that names the event index and the field."""
    ev = {"id": "a", "type": "admitted", "at": "2026-01-05T10:00:00+01:00", "custody_kind": "remand"}
    ev[field] = deep_list()
    tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"}, "events": [ev]}
    with time_guard():
        _, error = documented(load_timeline, tl, allowed=TimelineError)
    assert isinstance(error, TimelineError)
    assert (error.index, error.field) == (0, field), str(error)


# --- as_of ---------------------------------------------------------------------------


@SETTINGS
@given(tl=SMALL_TIMELINES, as_of=st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59),
                                              timezones=st.sampled_from([timezone.utc, OSLO,
                                                                         timezone(timedelta(hours=14)),
                                                                         timezone(timedelta(hours=-14))])))
def test_any_aware_as_of_gives_a_complete_report(tl, as_of):
    """Any aware as_of from year 1 to 9999 gives a complete report or a TimelineError."""
    check_timeline_input(tl, as_of=as_of)


def test_far_future_as_of_with_an_open_exclusion_finishes():
    """An exclusion still open at a far-future as_of (year 9999) is judged within the time guard, not day by day for 8 000 years."""
    tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"},
          "events": [{"id": "x1", "type": "exclusion_started", "at": "2026-01-05T10:00:00+01:00",
                      "measure_id": "m", "basis": "strgjfl_37", "scope": "full"},
                     {"id": "d1", "type": "doctor_notified", "at": "2026-01-05T10:30:00+01:00"}]}
    check_timeline_input(tl, as_of="9999-12-30T12:00:00+01:00")


@pytest.mark.parametrize(
    "as_of",
    [
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00+00:00",
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=OSLO),
        datetime(1, 1, 1, tzinfo=OSLO),
    ],
    ids=str,
)
def test_as_of_at_the_ends_of_the_calendar(as_of):
    """as_of at the first or last representable instant gives a complete report or a TimelineError."""
    tl = {"case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"},
          "events": [{"id": "a", "type": "admitted", "at": "2026-01-05T10:00:00+01:00", "custody_kind": "remand"}]}
    check_timeline_input(tl, as_of=as_of)


@SETTINGS
@given(tl=SMALL_TIMELINES, as_of=st.one_of(
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)).map(datetime.isoformat),
))
def test_naive_as_of_is_a_timeline_error(tl, as_of):
    """A naive as_of (datetime or ISO text without offset) is always a TimelineError naming as_of."""
    with time_guard():
        _, error = documented(evaluate, tl, as_of=as_of, allowed=TimelineError)
    assert isinstance(error, TimelineError) and error.field == "as_of"


@SETTINGS
@given(tl=SMALL_TIMELINES, before=st.integers(1, 10**7))
def test_as_of_before_every_event_leaves_every_event_after_as_of(tl, before):
    """With as_of before the first event, every event is after_as_of and no obligation has arisen."""
    timeline = load_timeline(tl)
    assume(timeline.events)
    first = min(ev.at for ev in timeline.events)
    report = check_timeline_input(tl, as_of=first - timedelta(seconds=before))
    assert report is not None
    assert [a.state for a in report.events] == ["after_as_of"] * len(timeline.events)
    assert report.obligations == []


# --- rule files and profiles -----------------------------------------------------------

RULE_FILE = "duties/exclusion/notify_doctor.yaml"
_SMALL_TIMELINE = {
    "case_id": "c", "person": {"id": "p", "birth_date": "1990-01-01"},
    "events": [
        {"id": "x1", "type": "exclusion_started", "at": "2026-01-05T10:00:00+01:00", "measure_id": "m",
         "basis": "strgjfl_37", "scope": "full"},
        {"id": "d1", "type": "doctor_notified", "at": "2026-01-05T10:30:00+01:00"},
        {"id": "x2", "type": "exclusion_ended", "at": "2026-01-05T16:00:00+01:00", "measure_id": "m"},
    ],
}


@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory) -> Path:
    """A rule set with the rule set description and one rule file, copied from the shipped one."""
    root = tmp_path_factory.mktemp("rules")
    shutil.copy(rules_dir() / "ruleset.yaml", root / "ruleset.yaml")
    shutil.copy(rules_dir() / "bases.yaml", root / "bases.yaml")
    (root / RULE_FILE).parent.mkdir(parents=True)
    shutil.copy(rules_dir() / RULE_FILE, root / RULE_FILE)
    return root


@pytest.fixture(scope="module")
def full_rules_copy(tmp_path_factory) -> Path:
    """A full copy of the shipped rule set."""
    root = tmp_path_factory.mktemp("full") / "rules"
    shutil.copytree(rules_dir(), root)
    return root


yaml_scalars = st.sampled_from([
    "null", "~", "true", "no", "0", "-1", "-99999999999999999999", "1e400", ".nan", ".inf", "07:00", "9999-12-31",
    "0001-01-01", "P999999999D", "PT-1H", "'😀'", '"\\u202eRTL"', '"a\\0b"', "[1, 2]", "{a: b}", "[]", "{}",
    "!!binary aGk=", "'" + "x" * 10_000 + "'", "&anc foo", "*anc", "|\n  block", "'''", "{{", "- x",
])


@st.composite
def mutated_yaml(draw, text: str) -> str:
    """``text`` with one to three random edits: line/byte deletions, type swaps, unknown or duplicated keys, deep nesting, anchors, unicode."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True)
        kind = draw(st.sampled_from([
            "delete_lines", "delete_bytes", "swap_value", "unknown_key", "duplicate_line", "deep_flow",
            "deep_block", "anchor_alias", "recursive_alias", "unicode", "indent", "insert_text",
        ]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "delete_lines" and lines:
            n = draw(st.integers(1, 5))
            del lines[i:i + n]
        elif kind == "delete_bytes" and text:
            a = draw(st.integers(0, len(text) - 1))
            b = draw(st.integers(a, min(len(text), a + 40)))
            lines = [text[:a] + text[b:]]
        elif kind == "swap_value" and lines and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(yaml_scalars)}\n"
        elif kind == "unknown_key":
            lines.insert(draw(st.sampled_from([0, len(lines)])), f"{draw(st.sampled_from(['zzz', 'Duty', 'x-y', '😀']))}: 1\n")
        elif kind == "duplicate_line" and lines:
            lines.insert(i, lines[i])
        elif kind == "deep_flow":
            depth = draw(st.sampled_from([10, 100, 1_000]))  # 10 000: see NASTY_YAML
            lines.append(f"deep: {'[' * depth}{']' * depth}\n")
        elif kind == "deep_block":
            depth = draw(st.sampled_from([10, 100, 500]))
            lines.append("deep:\n" + "".join(" " * (k + 1) + f"k{k}:\n" for k in range(depth)) + " " * (depth + 1) + "v\n")
        elif kind == "anchor_alias":
            lines.append("anchored: &a {x: [1, 2, 3]}\nalias1: *a\nalias2: [*a, *a]\n")
        elif kind == "recursive_alias":
            lines.append(draw(st.sampled_from(["loop: &l [*l]\n", "loop: &l {k: *l}\n"])))
        elif kind == "unicode" and lines:
            lines.insert(i, draw(st.sampled_from(["# 😀 kommentar\n", "title: \u202eأهلا\n", "\ufeff", "a\u0085b: 1\n",
                                                   "\u2028\n", "é: ü\n"])))
        elif kind == "indent" and lines:
            lines[i] = draw(st.sampled_from(["  ", "\t", ""])) + lines[i].lstrip()
        elif kind == "insert_text":
            lines.insert(i, draw(st.text(max_size=20)) + "\n")
        text = "".join(lines)
    return text


def _check_rule_set(root: Path) -> None:
    with time_guard():
        rule_set, error = documented(load_rules, root, allowed=RuleFileError)
        if error is not None:
            assert error.path, "a RuleFileError names its file"
            return
        report, error = documented(evaluate, _SMALL_TIMELINE, rules=rule_set)
        if error is None:
            assert_complete(report, load_timeline(_SMALL_TIMELINE))


def _check_mutated_file(root: Path, name: str, data) -> None:
    """Write a random edit of the shipped rules' file ``name`` into the copy at ``root``, check the rule
    set (_check_rule_set), and put the file back."""
    original = (rules_dir() / name).read_text(encoding="utf-8")
    target = root / name
    target.write_text(data.draw(mutated_yaml(original), label="yaml"), encoding="utf-8", errors="surrogatepass")
    try:
        _check_rule_set(root)
    finally:
        target.write_text(original, encoding="utf-8")


@SETTINGS
@given(data=st.data())
def test_mutated_rule_file_is_a_rule_file_error_or_loads(rules_copy, data):
    """A rule file with random edits makes load_rules raise RuleFileError with its path, or load (and then evaluate completely)."""
    _check_mutated_file(rules_copy, RULE_FILE, data)


@SETTINGS
@given(data=st.data())
def test_mutated_ruleset_description_is_a_rule_file_error_or_loads(rules_copy, data):
    """ruleset.yaml with random edits makes load_rules raise RuleFileError with its path, or load."""
    _check_mutated_file(rules_copy, "ruleset.yaml", data)


@SETTINGS
@given(data=st.data())
def test_mutated_bases_registry_is_a_rule_file_error_or_loads(rules_copy, data):
    """bases.yaml (the legal-bases registry) with random edits makes load_rules raise RuleFileError with its
    path, or load."""
    _check_mutated_file(rules_copy, "bases.yaml", data)


def _check_profile(path: Path) -> None:
    with time_guard():
        profile, error = documented(load_profile, path, allowed=ProfileError)
        if error is not None:
            assert error.path, "a ProfileError from load_profile names its file"
            return
        report, error = documented(evaluate, _SMALL_TIMELINE, profile=profile)
        if error is None:
            assert_complete(report, load_timeline(_SMALL_TIMELINE))


EXTENDS_PROFILE = textwrap.dedent("""\
    extends: default
    id: strict
    settings:
      dogn: calendar
    terms:
      umiddelbart:
        strict: PT10M
        lenient: PT30M
      dagtid:
        strict: {start: "07:00", end: "21:00"}
""")


@SETTINGS
@given(data=st.data(), extends=st.booleans())
def test_mutated_profile_is_a_profile_error_or_loads(tmp_path_factory, data, extends):
    """A profile file (full, or extends: default) with random edits makes load_profile raise ProfileError with its path, or load (and evaluate completely)."""
    original = EXTENDS_PROFILE if extends else (rules_dir() / "profile.yaml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("profile") / "profile.yaml"
    path.write_text(data.draw(mutated_yaml(original), label="yaml"), encoding="utf-8", errors="surrogatepass")
    _check_profile(path)


# Specific YAML inputs: each must be refused with the documented error (or load), quickly.
NASTY_YAML = {
    "recursive-alias-seq": "loop: &a [*a]\n",
    "recursive-alias-map": "loop: &a {k: *a}\n",
    "deep-flow-10000": f"deep: {deep_json()}\n",
    "deep-flow-map-3000": "deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "python-tag": "duty: !!python/name:os.system ''\n",
    "local-tag": "duty: !custom x\n",
    "merge-key": "base: &b {a: 1}\nother:\n  <<: *b\n",
    "int-over-4300-digits": "n: 1" + "0" * 5000 + "\n",
    "nul": "a: \x00\n",
    "bom-only": "\ufeff",
    "two-documents": "a: 1\n---\nb: 2\n",
    "complex-key": "? [a, b]\n: 1\n",
    "non-utf8": b"duty: \xff\xfe\n",
}


@pytest.mark.parametrize("name", sorted(NASTY_YAML))
def test_nasty_rule_file_is_a_rule_file_error(rules_copy, name):
    """Recursive aliases, deep nesting, unknown tags, merge keys, huge integers, NUL and non-UTF-8 in a rule file raise RuleFileError with the path."""
    target = rules_copy / RULE_FILE
    original = target.read_bytes()
    text = NASTY_YAML[name]
    target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        with time_guard():
            _, error = documented(load_rules, rules_copy, allowed=RuleFileError)
        assert isinstance(error, RuleFileError) and error.path == str(target)
    finally:
        target.write_bytes(original)


@pytest.mark.parametrize("name", sorted(NASTY_YAML))
def test_nasty_profile_is_a_profile_error(tmp_path, name):
    """The same nasty YAML as a profile file (plain and after extends: default) raises ProfileError with the path."""
    text = NASTY_YAML[name]
    for prefix in (b"", b"extends: default\n"):
        path = tmp_path / "p.yaml"
        path.write_bytes(prefix + (text if isinstance(text, bytes) else text.encode("utf-8")))
        with time_guard():
            _, error = documented(load_profile, path, allowed=ProfileError)
        assert isinstance(error, ProfileError) and error.path == str(path), f"prefix {prefix!r}"


_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 10)
)

_BOMB_SCRIPT = textwrap.dedent("""\
    import resource, sys
    from pathlib import Path
    limit = 1 << 30  # 1 GiB of address space
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from samarbeid_rules import SamarbeidError, load_profile, load_rules
    kind, target = sys.argv[1], Path(sys.argv[2])
    try:
        load_rules(target) if kind == "rules" else load_profile(target)
    except SamarbeidError as exc:
        print("documented", type(exc).__name__, exc.path == str(sys.argv[3]))
    except MemoryError:
        print("MemoryError")
    else:
        print("loaded")
""")


@pytest.mark.skipif(sys.platform == "win32", reason="uses resource limits (POSIX)")
def test_billion_laughs_neither_hangs_nor_blows_memory(tmp_path):
    """An alias bomb (9^10 nodes once expanded) in a rule file and in a profile is refused within 10 s and 1 GiB, with the documented error naming the file."""
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    rule_file = root / RULE_FILE
    rule_file.write_text(_BOMB + (rules_dir() / RULE_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    profile = tmp_path / "p.yaml"
    profile.write_text("extends: default\n" + _BOMB, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    runs = {
        kind: subprocess.Popen([sys.executable, "-c", _BOMB_SCRIPT, kind, str(arg), str(target)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for kind, arg, target in (("rules", root, rule_file), ("profile", profile, profile))
    }
    outcome = {}
    for kind, proc in runs.items():
        try:
            out, err = proc.communicate(timeout=2 * GUARD_SECONDS)
            outcome[kind] = out.strip() or f"crashed: {err.strip().splitlines()[-1:]}"
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            outcome[kind] = f"no result after {2 * GUARD_SECONDS} s"
    assert outcome == {"rules": "documented RuleFileError True", "profile": "documented ProfileError True"}


def test_with_overrides_of_odd_shapes_is_a_profile_error():
    """Profile.with_overrides with wrong shapes, unknown terms and huge bounds raises ProfileError or gives a valid profile."""
    from samarbeid_rules import default_profile

    base = default_profile()
    rng = random.Random(7)
    odd = [None, 1, -1, "x", [], {}, [1], {"a": 1}, 10**30, "P999999999D", "PT-1H", "😀", deep_list(DEEP)]
    cases: list[dict] = [
        {"terms": v} for v in odd
    ] + [{"settings": v} for v in odd] + [
        {"terms": {"umiddelbart": v}} for v in odd
    ] + [
        {"terms": {"umiddelbart": {"strict": v}}} for v in odd
    ] + [{"terms": {name: {"kind": k}}} for name in ("nytt", "umiddelbart", "1bad", "😀") for k in
         ("duration", "count", "clock_window", "lead_time", "nope")]
    rng.shuffle(cases)
    for over in cases:
        with time_guard():
            prof, error = documented(base.with_overrides, over, allowed=ProfileError)
            if error is None:
                report, error = documented(evaluate, _SMALL_TIMELINE, profile=prof)
                if error is None:
                    assert_complete(report, load_timeline(_SMALL_TIMELINE))
