"""The published JSON Schema and the loader accept the same documents, both ways.

- Documents **generated from the schema** (a small generator over the schema itself: ``$ref``,
  ``oneOf``, ``anyOf``, ``enum``/``const``, string ``pattern`` and lengths, integer bounds, array
  sizes, required and optional properties) validate with ``jsonschema`` and load, or are refused
  for one of the cross-record checks the schema states it cannot express
  (``timeline.CROSS_CHECKS``: relations between events, and the national-id checksum).
- Documents **the loader accepts** (generated valid timelines and the examples), and **mutations**
  of them (a value swapped for another JSON type, for a near-miss text such as an instant without
  offset, with a lower-case ``t``, a space, seven decimals, offset 24:00, a trailing newline; a key
  dropped or added; ``30.0`` for an integer), are judged alike: the loader accepts exactly when the
  schema validates, apart from those cross-record checks.

(``hypothesis-jsonschema`` 0.23.1 does not run with this Hypothesis, so the generator is here; it
covers every keyword the timeline schema uses and fails on any other.)
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samarbeid_rules import TimelineError, load_timeline, timeline_json_schema
from samarbeid_rules.testing import timelines

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = timeline_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
KNOWN = {"$defs", "$ref", "additionalProperties", "anyOf", "const", "default", "description", "discriminator",
         "enum", "format", "items", "maxItems", "maxLength", "maximum", "minItems", "minLength", "minimum",
         "oneOf", "pattern", "properties", "required", "title", "type"}
#: the loader's refusals for what JSON Schema cannot express (timeline.CROSS_CHECKS), by message
CROSS = ("duplicate event id", "ends measure", "is started twice", "is ended twice", "refers to measure",
         "responds to event", "expected_end is before", "the birth date is after", "national identity number")
#: ``make fuzz`` multiplies the number of examples (SAMARBEID_FUZZ_SCALE, default 1)
SCALE = int(os.environ.get("SAMARBEID_FUZZ_SCALE", "1"))
SETTINGS = settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                    database=None)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    lo, hi = schema.get("minLength", 0), schema.get("maxLength", 40)
    if "pattern" in schema:
        pattern = schema["pattern"].removesuffix("$(?!\\n)").removesuffix("$").removeprefix("^")
        return st.from_regex(re.compile(pattern), fullmatch=True).filter(lambda s: lo <= len(s) <= hi)
    return st.text(min_size=lo, max_size=min(hi, 40))


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """A strategy for documents valid against ``schema`` (a sub-schema of the timeline schema)."""
    schema = _resolve(schema)
    unknown = set(schema) - KNOWN
    assert not unknown, f"the generator does not know {unknown}"
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([from_schema(s, depth + 1) for s in schema[key]])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6))
    if kind == "string":
        return _strings(schema)
    if kind == "array":
        return st.lists(from_schema(schema["items"], depth + 1), min_size=schema.get("minItems", 0),
                        max_size=min(schema.get("maxItems", 6), 6))
    if kind == "object":
        props, required = schema.get("properties", {}), set(schema.get("required", ()))

        @st.composite
        def obj(draw):
            out = {}
            for name, sub in props.items():
                if name in required or draw(st.booleans()):
                    out[name] = draw(from_schema(sub, depth + 1))
            return out

        return obj()
    raise AssertionError(f"the generator does not know type {kind!r}")


def _judge(doc: Any) -> tuple[bool, bool, str | None]:
    """(schema validates, loader accepts, the loader's problem)."""
    schema_ok = VALIDATOR.is_valid(doc)
    try:
        load_timeline(doc)
    except TimelineError as exc:
        return schema_ok, False, exc.problem
    return schema_ok, True, None


def _cross(problem: str | None) -> bool:
    return problem is not None and any(c in problem for c in CROSS)


@SETTINGS
@given(from_schema(SCHEMA))
def test_documents_generated_from_the_schema_validate_and_load(doc):
    """Schema → loader: every generated document is schema-valid and loads, or is refused for a
    cross-record reason the schema's description lists."""
    schema_ok, loads, problem = _judge(doc)
    assert schema_ok, list(VALIDATOR.iter_errors(doc))[:1]
    assert loads or _cross(problem), problem


def _paths(value: Any, path: tuple = ()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


REPLACEMENTS = [
    None, True, False, 0, 1, 30, 30.0, 30.5, -1, 10**20, "", " ", "30", "yes", "true", "x y", "a\n", "Ø-1",
    "01019912345", "01019900041", "2026-01-01", "2026-01-01T10:00", "2026-01-01t10:00Z", "2026-01-01 10:00+01:00",
    "2026-01-01T10:00:00.1234567+01:00", "2026-01-01T10:00+24:00", "2026-01-01T10:00+01:00\n",
    "2026-02-29T10:00Z", "2024-02-29T10:00Z", "1899-12-31T23:00Z", "2200-01-01T00:00Z", "2026-01-01T10:00+0100",
    "20260101T1000Z", "1700000000", [], {}, ["kho"], {"a": 1}, "kho", "remand", "strgjfl_37",
]


@st.composite
def mutated(draw):
    doc = copy.deepcopy(draw(st.one_of(timelines(max_looks=4), st.sampled_from(_examples()))))
    for _ in range(draw(st.integers(1, 2))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
        elif action == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "note", "name"]))] = draw(st.sampled_from(REPLACEMENTS[:8]))
    return doc


def _examples() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.json"))]


@SETTINGS
@given(st.one_of(timelines(max_looks=6), st.sampled_from(_examples())))
def test_documents_the_loader_accepts_validate_against_the_schema(doc):
    """Loader → schema: every valid generated timeline and every example validates."""
    load_timeline(doc)
    assert VALIDATOR.is_valid(doc), list(VALIDATOR.iter_errors(doc))[:1]


@settings(max_examples=250 * SCALE, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(mutated())
def test_loader_and_schema_agree_on_near_miss_documents(doc):
    """On mutated documents the loader accepts exactly when the schema validates, apart from the
    cross-record checks (which only the loader makes)."""
    schema_ok, loads, problem = _judge(doc)
    if loads:
        assert schema_ok, list(VALIDATOR.iter_errors(doc))[:1]
    elif not _cross(problem):
        assert not schema_ok, problem


@pytest.mark.parametrize("value", ["a\n", "x y", "Ø", "a" * 201, "01019900041", "p-41019900035"])
def test_ids_the_loader_refuses_the_schema_refuses(value):
    """Ids: a trailing newline, a space, non-ASCII, too long; a national id number only the loader sees."""
    doc = {"case_id": value, "person": {"id": "p-1", "birth_date": "1990-01-01"}, "events": []}
    schema_ok, loads, problem = _judge(doc)
    assert not loads
    assert schema_ok == _cross(problem)


def test_the_schema_says_what_it_cannot_express():
    from samarbeid_rules._inputs.timeline import CROSS_CHECKS

    assert all(check in SCHEMA["description"] for check in CROSS_CHECKS)
