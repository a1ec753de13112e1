"""The strict JSON reader's one-pass forms read every text as ``parse_json`` does.

``parse_json_shallow`` parses a record file (a timeline) in one pass of the C parser and
says whether its depth is known; anything it cannot vouch for goes to ``parse_json``. The
two must give equal data and the same error for every text, and a depth said to be known
must be the real one or less.

``parse_records_quickly`` (jiter) gives data only for a record file it can vouch for, and
None for everything else: its data must be ``parse_json``'s (its numbers with a fraction or
an exponent as ``jiter.LosslessFloat``, of the same value), and never for a text
``parse_json`` refuses.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import TimelineError
import jiter

from samarbeid_rules._inputs.jsonread import parse_json, parse_json_shallow, parse_records_quickly
from samarbeid_rules._inputs.timeline import FIELD_NAMES, MAX_DEPTH

_LABEL = "<t>"


def _outcome(fn, text: str | bytes, **kw: Any) -> tuple[str, Any]:
    try:
        data = fn(text, _LABEL, TimelineError, field_names=FIELD_NAMES, list_key="events", **kw)
    except TimelineError as exc:
        return "error", (str(exc), exc.index, exc.field, exc.event_id)
    return "data", data


def _depth(value: Any, at: int) -> int:
    """The greatest depth of a node under ``value`` (itself at ``at``), as the loader's depth walk counts."""
    if isinstance(value, dict):
        return max((_depth(v, at + 1) for v in value.values()), default=at)
    if isinstance(value, list):
        return max((_depth(v, at + 1) for v in value), default=at)
    return at


def _check(text: str | bytes, depth: int = MAX_DEPTH) -> None:
    slow = _outcome(parse_json, text)
    fast = _outcome(parse_json_shallow, text, depth=depth)
    if fast[0] == "data":
        data, shallow = fast[1]
        assert slow == ("data", data)
        assert type(data) is type(slow[1])
        if shallow:
            assert isinstance(data, dict)
            assert max((_depth(v, 1) for v in data.values()), default=0) <= depth
    else:
        assert fast == slow
    quick = parse_records_quickly(text, depth)
    if quick is not None:
        assert max((_depth(v, 1) for v in quick.values()), default=0) <= depth
        out_of_range: list[float] = []
        data = _floats(quick, out_of_range)
        if out_of_range:  # a LosslessFloat the full reading refuses (a caller's validation must too)
            assert slow[0] == "error" and "too large for a double-precision float" in slow[1][0]
        else:
            assert slow[0] == "data", "the quick form took a text the full reading refuses"
            assert data == slow[1]


def _floats(value: Any, out_of_range: list[float]) -> Any:
    """``value`` with each ``jiter.LosslessFloat`` as the float it stands for; those out of a double's
    range (which the full reading refuses) are added to ``out_of_range``."""
    if isinstance(value, jiter.LosslessFloat):
        number = float(value)
        if number in (float("inf"), float("-inf")):
            out_of_range.append(number)
        return number
    if isinstance(value, dict):
        return {k: _floats(v, out_of_range) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v, out_of_range) for v in value]
    return value


# --- JSON texts written by hand, so that a key may be given twice ----------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet="ab{}[]:,\"\\ é\n", max_size=6),
)
_keys = st.sampled_from(["id", "type", "at", "events", "person", "x", "a{", "[b"])


def _render(node: Any) -> str:
    kind, body = node
    if kind == "scalar":
        return json.dumps(body)
    if kind == "array":
        return "[" + ",".join(_render(n) for n in body) + "]"
    return "{" + ",".join(f"{json.dumps(k)}:{_render(v)}" for k, v in body) + "}"


_nodes = st.recursive(
    st.tuples(st.just("scalar"), _scalars),
    lambda inner: st.one_of(
        st.tuples(st.just("array"), st.lists(inner, max_size=4)),
        st.tuples(st.just("object"), st.lists(st.tuples(_keys, inner), max_size=4)),
    ),
    max_leaves=24,
)


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(_nodes, st.sampled_from([2, 3, 4, 5, MAX_DEPTH]))
def test_any_text_reads_as_parse_json_reads_it(node, depth):
    _check(_render(node), depth)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.lists(st.tuples(_keys, _nodes), max_size=5), max_size=5),
       st.lists(st.tuples(_keys, _nodes), max_size=3))
def test_record_files_read_as_parse_json_reads_them(records, person):
    """Texts shaped like timelines (where the one-pass form answers), with odd values and keys twice."""
    events = ("array", [("object", r) for r in records])
    _check(_render(("object", [("case_id", ("scalar", "c")), ("person", ("object", person)), ("events", events)])))


@pytest.mark.parametrize("text", [
    '{"events": [{"id": "a"}, {"id": "b", "id": "c"}]}',  # a key twice in an event
    '{"person": {"id": "p", "id": "q"}, "events": []}',  # in the person
    '{"events": [], "events": []}',  # at the top
    '{"events": [{"id": "a", "x": {"id": "b", "id": "c"}}]}',  # in an object inside an event
    '{"events": [{"id": "a"}, [["id", "b"], ["type", "c"]]]}',  # an event that is an array of pairs
    '{"events": [[["id", "b"]]], "x": {"y": 1}}',
    '{"events": [{"id": "a"}, "b"]}',  # objects mixed with other values
    '{"events": ["b", {"id": "a"}]}',
    '{"events": [{"id": "a{"}], "x": [1, [2, [3]]]}',  # a '{' in a string, lists in lists
    '{"events": [{"id": "a{", "scope": ["kho", ["nav"]]}]}',
    '{"events": [{"id": "a{", "scope": ["kho", {"x": 1}]}]}',
    '{"events": [{"id": "a", "v": ' + "[" * 40 + "]" * 40 + "}]}",  # lists deeper than the limit
    '{"events": [{"id": "a", "v": ' + "[" * 28 + "]" * 28 + "}]}",
    '{"events": [{"id": "a", "v": ' + "[" * 29 + "]" * 29 + "}]}",
    '{"events": [{"id": "a", "v": ' + "[" * 30 + "]" * 30 + "}]}",
    '{"x": ' + "[" * 31 + "]" * 31 + "}",
    '{"x": ' + "[" * 32 + "]" * 32 + "}",
    '{"x": ' + '{"y": ' * 40 + "1" + "}" * 40 + "}",
    "[" * 100_000 + "]" * 100_000,
    '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"events": [{"at": NaN}]}', '{"events": [{"n": Infinity}]}', '{"n": -Infinity}',
    '{"n": 1e400}', '{"n": ' + "9" * 4301 + "}", '{"n": ' + "9" * 4300 + "}",
    '{"events": [{"id": "a"}]', '{"events": [{"id": "a"},]}', "", "   ", "null", "[]", '"x"', "{}",
    '\ufeff{"events": []}', '\ufeff\ufeff{"events": []}',
    b'\xef\xbb\xbf{"events": []}', b'{"events": [{"id": "\xff"}]}', b'{"case_id": "\xc3\xa6"}',
    '{"events": [{"id": "\\ud800"}]}', '{"a": 1} {"b": 2}',
])
def test_odd_texts_read_as_parse_json_reads_them(text):
    _check(text)


def test_a_timeline_is_read_in_one_pass_and_known_shallow():
    text = json.dumps({
        "case_id": "c", "person": {"id": "p", "birth_date": "2000-01-01"},
        "events": [{"id": "g", "type": "consent_given", "scope": ["kho", "nav"]}, {"id": "h", "note": "{"}],
    })
    data, shallow = parse_json_shallow(text, _LABEL, TimelineError, depth=MAX_DEPTH)
    assert shallow and data == json.loads(text)
