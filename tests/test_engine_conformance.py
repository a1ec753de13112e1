"""Both engines give the same matches for every operator x field type x value kind, and what they
could disagree on is refused when the rule file is loaded (docs/engines.md#conformance).

Each condition form is validated as a rule file's ``where`` would be (the EventPattern model, and
for a sample the whole rule file, which must give a RuleFileError with the line and field); every
form that loads is matched by the native and the durable-rules engine against records holding every
kind of value (and none), and the matches must be equal. The table of what loads is
``samarbeid_rules._inputs.conditions``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import threading
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from pydantic import ValidationError

from samarbeid_rules import RuleFileError, load_rules
from samarbeid_rules._common.errors import EngineFailedError
from samarbeid_rules._inputs.conditions import MAX_IN
from samarbeid_rules._inputs.rules import EventPattern
from samarbeid_rules._pipeline.compile import CompiledRules, Matcher
from samarbeid_rules._pipeline.engines.durable import DurableEngine, durable_available
from samarbeid_rules._pipeline.engines.native import NATIVE

needs_durable = pytest.mark.skipif(not durable_available()[0], reason=durable_available()[1])

#: (field type, event type, field) — one field of every kind a condition can test
FIELDS = [
    ("bool", "health_need_observed", "acute"),
    ("int", "meaningful_contact", "minutes"),
    ("str", "supervision_look", "measure_id"),
    ("enum", "health_need_observed", "need"),
    ("date", "expected_release_date_set", "release_date"),
    ("list", "consent_given", "scope"),
    ("instant", "exclusion_started", "expected_end"),
    ("derived int", "meaningful_contact", "age"),
    ("derived enum", "health_need_observed", "custody_kind"),
]
OPS = ["eq", "ne", "in", "lt", "lte", "gt", "gte", "exists"]
#: value kinds a rule file can write (YAML scalars), and what each field's records hold
VALUES: list[Any] = [True, False, 0, 1, 16, 30, "16", "true", "m1", "suicide_risk", "remand", "2026-05-01",
                     "2026-02-30"]
RECORD_VALUES: dict[str, list[Any]] = {
    "acute": [True, False],
    "minutes": [1, 16, 30, 1440],
    "measure_id": ["m1", "16", "true", None],
    "need": ["suicide_risk", "psychosis"],
    "release_date": ["2026-05-01", "2026-06-01"],
    "scope": [["kho"], ["kho", "nav"]],
    "expected_end": ["2026-05-01T10:00:00+02:00", None],
    "age": [15, 16, 17, 30],
    "custody_kind": ["remand", "sentence", None],
}
ALLOWED = {
    "bool": ({"eq", "ne", "in", "exists"}, lambda v: isinstance(v, bool)),
    "int": ({"eq", "ne", "in", "lt", "lte", "gt", "gte", "exists"}, lambda v: type(v) is int),
    "str": ({"eq", "ne", "in", "exists"}, lambda v: isinstance(v, str)),
    "enum": ({"eq", "ne", "in", "exists"}, lambda v: v in ("suicide_risk", "remand")),
    "date": ({"eq", "ne", "in", "exists"}, lambda v: v == "2026-05-01"),
    "list": ({"exists"}, lambda v: False),
    "instant": ({"exists"}, lambda v: False),
    "derived int": ({"eq", "ne", "in", "lt", "lte", "gt", "gte", "exists"}, lambda v: type(v) is int),
    "derived enum": ({"eq", "ne", "in", "exists"}, lambda v: v == "remand"),
}


def _spec(op: str, value: Any) -> Any:
    if op == "eq":
        return {"eq": value}
    if op == "in":
        return {"in": [value]}
    return {op: value}


def _forms():
    for (kind, event, field), op in itertools.product(FIELDS, OPS):
        values = [True, False] if op == "exists" else VALUES
        for value in values:
            yield kind, event, field, op, value


def _expected_to_load(kind: str, field: str, op: str, value: Any) -> bool:
    ops, fits = ALLOWED[kind]
    if op not in ops:
        return False
    if op == "exists":
        return True
    if kind == "enum" or kind == "derived enum":
        allowed = {"need": {"suicide_risk"}, "custody_kind": {"remand"}}[field]
        return value in allowed
    return bool(fits(value))


def _records(event: str, field: str) -> list[dict[str, Any]]:
    out = []
    for n, v in enumerate(RECORD_VALUES[field]):
        rec: dict[str, Any] = {"id": f"e{n}", "type": event, "age": 30}
        if v is not None:
            rec[field] = v
        out.append(rec)
    out.append({"id": "other", "type": event, "age": 30})  # the field absent
    return out


def _compiled(matchers: list[Matcher]) -> CompiledRules:
    canonical = json.dumps([[m.duty, m.role, m.event_type, [list(c) for c in m.conditions]] for m in matchers],
                           sort_keys=True, default=list)
    conditional: dict[str, list[Matcher]] = {}
    for m in matchers:
        conditional.setdefault(m.event_type, []).append(m)
    return CompiledRules(
        rule_set=None,  # type: ignore[arg-type]  # matching reads only the matchers
        matchers=tuple(matchers),
        plain_by_type=MappingProxyType({}),
        conditional_by_type=MappingProxyType({t: tuple(ms) for t, ms in conditional.items()}),
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest()[:16],
    )


class _Fact:
    def __init__(self, record: dict[str, Any]) -> None:
        self.record = MappingProxyType(record)
        self.type = record["type"]


def _loaded_forms() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    loaded, refused = [], []
    for kind, event, field, op, value in _forms():
        try:
            pattern = EventPattern.model_validate({"event": event, "where": {field: _spec(op, value)}})
        except ValidationError:
            refused.append((kind, event, field, op, value))
            continue
        loaded.append((kind, event, field, op, value, pattern))
    return loaded, refused


def test_every_condition_form_loads_exactly_when_its_constant_fits_the_field():
    """The type check at load refuses exactly the operator/constant combinations the table excludes."""
    loaded, refused = _loaded_forms()
    assert len(loaded) + len(refused) == sum(1 for _ in _forms())
    for kind, _, field, op, value, _ in loaded:
        assert _expected_to_load(kind, field, op, value), (kind, field, op, value)
    for kind, _, field, op, value in refused:
        assert not _expected_to_load(kind, field, op, value), (kind, field, op, value)
    # both sides are populated: the matrix tests something in each direction
    assert len(loaded) > 100 and len(refused) > 300


@needs_durable
def test_both_engines_give_the_same_matches_for_every_form_that_loads():
    """Native and durable-rules agree on every loaded operator x field type x value kind."""
    loaded, _ = _loaded_forms()
    engine = DurableEngine()
    try:
        # one rule set of all forms at once (one matcher each), then each form alone on its records
        for kind, event, field, op, value, pattern in loaded:
            m = Matcher(f"d.{kind.replace(' ', '_')}", "trigger", event, pattern.conditions())
            rules = _compiled([m])
            records = _records(event, field)
            native = NATIVE.classify_facts(rules, [_Fact(r) for r in records])
            durable = engine.classify(rules, records)
            assert native == durable, (kind, field, op, value, native, durable)
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        ({"acute": 1}, "bool field"),
        ({"acute": {"ne": 0}}, "bool field"),
        ({"age": "16"}, "integer field"),
        ({"age": {"gte": True}}, "integer field"),
        ({"minutes": True}, "integer field"),
        ({"need": "not_a_need"}, "has the values"),
        ({"need": {"lt": 3}}, "does not apply"),
        ({"at_admission": "yes"}, "bool field"),
    ],
)
def test_a_mistyped_condition_in_a_rule_file_is_a_rule_file_error_with_line_and_field(tmp_path, where, problem):
    """In a real rule set: the loader names the file, the line and the field of the bad condition."""
    root = _rule_set(tmp_path, {"event": "health_need_observed" if "minutes" not in where else "meaningful_contact",
                                "where": where})
    with pytest.raises(RuleFileError) as info:
        load_rules(root)
    err = info.value
    assert err.path.endswith("probe.yaml") and err.line is not None and err.field
    assert problem in str(err)


def _rule_set(tmp_path: Path, trigger: dict[str, Any]) -> Path:
    import shutil

    import yaml

    root = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", root)
    rule = yaml.safe_load((root / "duties").rglob("*.yaml").__next__().read_text(encoding="utf-8"))
    rule["trigger"] = [trigger]
    (root / "duties" / "probe.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    return root


@pytest.mark.parametrize(("n", "ok"), [(MAX_IN, True), (MAX_IN + 1, False)])
def test_an_in_list_holds_at_most_max_in_values(n, ok):
    """``in`` lists 1 to MAX_IN values (durable-rules hung inside C from 512 on): at the limit, and one past."""
    spec = {"event": "supervision_look", "where": {"measure_id": {"in": [f"m{i}" for i in range(n)]}}}
    if ok:
        EventPattern.model_validate(spec)
    else:
        with pytest.raises(ValidationError, match="1 to 64 values"):
            EventPattern.model_validate(spec)


def test_an_in_list_with_a_value_twice_or_no_value_is_refused():
    for values in (["m1", "m1"], []):
        with pytest.raises(ValidationError):
            EventPattern.model_validate({"event": "supervision_look", "where": {"measure_id": {"in": values}}})
    with pytest.raises(ValidationError):
        EventPattern.model_validate({"event": "supervision_look", "where": {"measure_id": ["m1"] * 10_000}})


# --- isolation: the engine cannot take the host down -------------------------------------------------


def _one_rule() -> tuple[CompiledRules, list[dict[str, Any]]]:
    pattern = EventPattern.model_validate({"event": "supervision_look", "where": {"measure_id": "m1"}})
    return _compiled([Matcher("d.x", "trigger", "supervision_look", pattern.conditions())]), _records(
        "supervision_look", "measure_id")


@needs_durable
def test_a_hung_worker_is_stopped_by_the_watchdog_and_the_next_call_works():
    """A worker that stops answering (SIGSTOP stands for a hang inside C) fails that evaluation with
    EngineFailedError within the watchdog's time; the next evaluation starts a new worker."""
    rules, records = _one_rule()
    engine = DurableEngine(timeout=2.0)
    try:
        assert engine.classify(rules, records) == {("d.x", "trigger"): [0]}
        pid = engine.worker_pid
        os.kill(pid, signal.SIGSTOP)
        start = time.monotonic()
        with pytest.raises(EngineFailedError, match="no answer within"):
            engine.classify(rules, records)
        assert time.monotonic() - start < 10
        assert engine.classify(rules, records) == {("d.x", "trigger"): [0]}
        assert engine.worker_pid != pid
    finally:
        engine.close()


@needs_durable
@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL])
def test_a_worker_that_crashes_mid_call_fails_that_evaluation_only(sig):
    """A segfault (or the out-of-memory killer) in the worker while it matches is an EngineFailedError
    naming the signal; the host process lives on and the next evaluation works."""
    rules, records = _one_rule()
    engine = DurableEngine(timeout=20.0)
    try:
        engine.classify(rules, records)
        pid = engine.worker_pid
        os.kill(pid, signal.SIGSTOP)
        failure: list[BaseException] = []

        def call() -> None:
            try:
                engine.classify(rules, records)
            except BaseException as exc:  # noqa: BLE001
                failure.append(exc)

        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.3)
        os.kill(pid, sig)
        os.kill(pid, signal.SIGCONT)
        t.join(30)
        assert failure and isinstance(failure[0], EngineFailedError)
        assert sig.name in str(failure[0])
        assert engine.classify(rules, records) == {("d.x", "trigger"): [0]}
    finally:
        engine.close()


@needs_durable
def test_memory_pressure_ends_the_worker_not_the_host():
    """With an address-space limit too small for it, the worker cannot run: EngineFailedError, no crash."""
    rules, records = _one_rule()
    engine = DurableEngine(memory_limit_mib=24)
    try:
        with pytest.raises(EngineFailedError):
            engine.classify(rules, records)
    finally:
        engine.close()
