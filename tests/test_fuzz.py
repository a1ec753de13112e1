"""Fuzzing the loader and the pipeline: mutated JSON texts of the examples (byte edits, token
swaps, a secret spliced into values and keys) must load and evaluate completely, or fail with a
documented error that names no rejected value, in bounded time.

The default run is short; ``make fuzz`` runs ``test_fuzz_long`` (marked ``long``) for minutes, with
SAMARBEID_FUZZ_SCALE times more examples (docs/robustness.md#fuzzing records its last result).
"""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samarbeid_rules import SamarbeidError, evaluate, load_timeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [p.read_bytes() for p in sorted((ROOT / "examples").glob("*.json"))]
SECRET = "Kari_Secret_41019900035"
TOKENS = [b'"' + SECRET.encode() + b'"', b"true", b"1", b"1.0", b"-0", b"1e999", b"NaN", b"null", b"[]", b"{}",
          b'"yes"', b'"30"', b'"2026-01-01"', b'"2026-01-01T10:00"', b'"\\ud800"', b'"\\u0000"', b"\xff",
          b'"events":[]', b'"at":"2199-12-31T23:59Z"', b",", b":", b"}", b"{", b"]", b"[", b'"id"',
          b'"' + b"9" * 5000 + b'"', b"9" * 5000, b'"1899-12-31T23:59Z"', b'"\\n"']
SCALE = int(os.environ.get("SAMARBEID_FUZZ_SCALE", "1"))


@st.composite
def mutated_texts(draw):
    text = bytearray(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "replace", "delete", "value"]))
        if kind == "delete":
            text[pos:pos + draw(st.integers(1, 20))] = b""
        elif kind == "value":  # swap the value after a colon for a token: type confusion
            colon = text.find(b":", pos)
            if colon > 0:
                end = min((i for i in (text.find(b",", colon), text.find(b"}", colon)) if i > 0), default=colon + 1)
                text[colon + 1:end] = draw(st.sampled_from(TOKENS))
        else:
            token = draw(st.sampled_from(TOKENS))
            text[pos:pos + (len(token) if kind == "replace" else 0)] = token
    return bytes(text)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _check(text: bytes, as_of_days: int) -> None:
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        try:
            tl = load_timeline(text)
        except SamarbeidError as exc:
            _no_echo(str(exc))
            return
        when = max((e.at for e in tl.events), default=datetime(2026, 1, 1, tzinfo=timezone.utc))
        try:
            report = evaluate(tl, as_of=when + timedelta(days=as_of_days))
        except SamarbeidError as exc:
            _no_echo(str(exc))
            return
        assert report.summary["events"] == len(tl.events)
        json.loads(report.to_json())
    except _Timeout:
        pytest.fail("took more than 20 s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _no_echo(message: str) -> None:
    assert SECRET not in message and "41019900035" not in message and "9" * 50 not in message
    assert "\n" not in message


FUZZ = settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=list(HealthCheck),
                derandomize=True, database=None)


@FUZZ
@given(mutated_texts(), st.sampled_from([0, 1, 400, 40_000]))
def test_fuzz_mutated_texts(text, days):
    _check(text, days)


@pytest.mark.long
@settings(max_examples=5000 * SCALE, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(mutated_texts(), st.sampled_from([0, 1, 400, 40_000, 60_000]))
def test_fuzz_long(text, days):
    """The same, randomised (a new seed each run) and many more examples."""
    _check(text, days)
