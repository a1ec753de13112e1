"""Rule files: one duty each, declarative, validated on load.

A rule file is YAML (see ``docs/rule-files.md``). It names the duty id from the
catalog, the modality, the actor, the legal source with the Norwegian sentence
it encodes, the trigger, what fulfils the duty, and its timing. This module
only reads and checks rule files; :mod:`._compile` turns them into the
engine-neutral form and :mod:`._timing` decides deadlines.

A bad rule file raises :class:`RuleFileError` with the path, the line and the
field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ._errors import RuleFileError
from ._resources import rules_dir
from ._timeline import EVENT_TYPES, MeasureKind, _MeasureStart
from ._yaml import first_validation_problem, read_yaml

__all__ = ["Citation", "RuleFile", "RuleSet", "load_rules"]

DUTY_ID = re.compile(r"^[a-z_]+\.[a-z_]+$")

#: facts derived for every event, usable in ``where`` conditions
DERIVED_FIELDS = {
    "age": "completed years of age on the event's local date (Europe/Oslo)",
    "custody_kind": "custody kind of the latest admission at or before the event",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """Where a duty comes from: document, section, statute, and the sentence itself."""

    document: str = Field(description="Seed document key, e.g. '001'.")
    title: str
    section: str
    statute: str | None = None
    text: str = Field(min_length=1, description="The Norwegian sentence the rule encodes, quoted.")


Scalar = Union[str, int, bool]


class Condition(_Strict):
    """An operator form of a condition: exactly one of the keys."""

    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    lt: int | None = None
    lte: int | None = None
    gt: int | None = None
    gte: int | None = None
    exists: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> Condition:
        given = [k for k, v in self if v is not None]
        if len(given) != 1:
            raise ValueError("a condition has exactly one operator (eq, ne, in, lt, lte, gt, gte, exists)")
        return self

    def op(self) -> tuple[str, Any]:
        for k, v in self:
            if v is not None:
                return ("in" if k == "in_" else k), (tuple(v) if isinstance(v, list) else v)
        raise AssertionError


ConditionSpec = Union[Scalar, list[Scalar], Condition]


class EventPattern(_Strict):
    """Which events play a part: a type and conditions on their fields."""

    event: str
    where: dict[str, ConditionSpec] = Field(default_factory=dict)

    @field_validator("event")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(f"unknown event type {v!r}; known: {', '.join(sorted(EVENT_TYPES))}")
        return v

    @model_validator(mode="after")
    def _known_fields(self) -> EventPattern:
        fields = set(EVENT_TYPES[self.event].model_fields) | set(DERIVED_FIELDS)
        for name in self.where:
            if name not in fields:
                raise ValueError(
                    f"event type {self.event!r} has no field {name!r}; "
                    f"fields: {', '.join(sorted(fields))}"
                )
        return self

    def conditions(self) -> tuple[tuple[str, str, Any], ...]:
        out = []
        for name, spec in sorted(self.where.items()):
            if isinstance(spec, Condition):
                op, value = spec.op()
            elif isinstance(spec, list):
                op, value = "in", tuple(spec)
            else:
                op, value = "eq", spec
            out.append((name, op, value))
        return tuple(out)


class FulfilmentPattern(EventPattern):
    """Events that fulfil the duty; ``same`` lists fields that must equal the trigger's.

    A fulfilling event on which a ``same`` field is unset counts for any trigger.
    """

    same: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _same_fields(self) -> FulfilmentPattern:
        fields = set(EVENT_TYPES[self.event].model_fields)
        for name in self.same:
            if name not in fields:
                raise ValueError(f"event type {self.event!r} has no field {name!r} to correlate on")
        return self


class Bound(_Strict):
    """A length of time: a profile term (preferred for vague words) or a fixed duration."""

    term: str | None = None
    duration: timedelta | None = None

    @model_validator(mode="after")
    def _one(self) -> Bound:
        if (self.term is None) == (self.duration is None):
            raise ValueError("give exactly one of 'term' or 'duration'")
        if self.duration is not None and not timedelta(0) <= self.duration <= timedelta(days=3660):
            raise ValueError("duration must be between zero and ten years")
        return self


class BeforeDate(_Strict):
    """A deadline a number of calendar months before a date field of the trigger."""

    field: str
    calendar_months: int = Field(ge=0, le=120)


class DeadlineTiming(_Strict):
    """Fulfil within a bound after the trigger, or by a date before a date on the trigger."""

    kind: Literal["deadline"]
    within: Bound | None = None
    before_date: BeforeDate | None = None
    if_known_later: Bound | None = Field(
        default=None,
        description="With before_date: the bound from the trigger when it came after that date.",
    )
    superseded_by_next_trigger: bool = Field(
        default=False, description="A later trigger replaces the earlier one (a changed date)."
    )

    @model_validator(mode="after")
    def _shape(self) -> DeadlineTiming:
        if (self.within is None) == (self.before_date is None):
            raise ValueError("give exactly one of 'within' or 'before_date'")
        if self.before_date is not None and self.if_known_later is None:
            raise ValueError("'before_date' needs 'if_known_later' (what applies when the date came late)")
        if self.within is not None and self.if_known_later is not None:
            raise ValueError("'if_known_later' only goes with 'before_date'")
        return self


class RecurringLooksTiming(_Strict):
    """Looks within the trigger's measure: a maximum gap in the daytime, a minimum count at night."""

    kind: Literal["recurring_looks"]
    day_window: str = Field(description="Profile term (clock_window) for the daytime.")
    day_max_gap: Bound
    night_min_count: str | None = Field(default=None, description="Profile term (count).")


class ContinuousCoverTiming(_Strict):
    """Every moment of the trigger's measure covered by the fulfilling measures."""

    kind: Literal["continuous_cover"]
    max_gap: Bound = Field(description="Uncovered time tolerated (normally zero).")
    until_age: int | None = Field(default=None, ge=1, le=120, description="Duty ends at this birthday.")


Timing = Annotated[
    Union[DeadlineTiming, RecurringLooksTiming, ContinuousCoverTiming], Field(discriminator="kind")
]

Modality = Literal["skal", "bør", "vurdere", "forbud"]
Actor = Literal["KO", "KHO", "SHT", "LEDER", "KO+KHO"]


class RuleFile(_Strict):
    """One rule file: one duty."""

    duty: str = Field(description="Duty id from the catalog (public contract).")
    title: str = Field(min_length=1)
    modality: Modality
    actor: Actor
    source: Citation
    trigger: EventPattern
    fulfilled_by: FulfilmentPattern
    closed_by: EventPattern | None = Field(
        default=None, description="An event after which the duty can no longer be fulfilled."
    )
    timing: Timing
    notes: str = ""

    @field_validator("duty")
    @classmethod
    def _duty_id(cls, v: str) -> str:
        if not DUTY_ID.match(v):
            raise ValueError("a duty id looks like 'section.name' in lower case")
        return v

    @model_validator(mode="after")
    def _timing_fits(self) -> RuleFile:
        t = self.timing
        start_cls = EVENT_TYPES[self.trigger.event]
        if isinstance(t, (RecurringLooksTiming, ContinuousCoverTiming)) and not issubclass(start_cls, _MeasureStart):
            raise ValueError(f"timing {t.kind!r} needs a trigger that starts a measure, not {self.trigger.event!r}")
        if isinstance(t, ContinuousCoverTiming):
            cover = EVENT_TYPES[self.fulfilled_by.event]
            if not issubclass(cover, _MeasureStart):
                raise ValueError("continuous_cover needs fulfilled_by to be an event that starts a measure")
        if isinstance(t, DeadlineTiming) and t.before_date is not None:
            fields = EVENT_TYPES[self.trigger.event].model_fields
            if t.before_date.field not in fields:
                raise ValueError(f"trigger {self.trigger.event!r} has no field {t.before_date.field!r}")
        return self

    def terms_used(self) -> list[tuple[str, str]]:
        """(term name, expected kind) for every profile term this rule refers to."""
        out: list[tuple[str, str]] = []
        t = self.timing

        def bound(b: Bound | None) -> None:
            if b is not None and b.term is not None:
                out.append((b.term, "duration"))

        if isinstance(t, DeadlineTiming):
            bound(t.within)
            bound(t.if_known_later)
        elif isinstance(t, RecurringLooksTiming):
            out.append((t.day_window, "clock_window"))
            bound(t.day_max_gap)
            if t.night_min_count:
                out.append((t.night_min_count, "count"))
        elif isinstance(t, ContinuousCoverTiming):
            bound(t.max_gap)
        return out


@dataclass(frozen=True)
class LoadedRule:
    """A rule file and where it came from."""

    path: str
    rule: RuleFile

    @property
    def duty(self) -> str:
        return self.rule.duty


class RuleSetMeta(_Strict):
    name: str
    version: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class RuleSet:
    """The rule files of a rule set, in a stable order (by duty id)."""

    meta: RuleSetMeta
    rules: tuple[LoadedRule, ...]
    directory: str

    def by_duty(self) -> dict[str, LoadedRule]:
        return {r.duty: r for r in self.rules}

    def citation(self) -> str:
        return f"{self.meta.name}@{self.meta.version}"


def load_rule_file(path: Path) -> LoadedRule:
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"cannot read rule file ({exc})", path=label) from None
    located = read_yaml(text, lambda problem, line: RuleFileError(problem, path=label, line=line))
    if not isinstance(located.data, dict):
        raise RuleFileError("a rule file must be a mapping", path=label, line=1)
    try:
        rule = RuleFile.model_validate(located.data)
    except ValidationError as exc:
        msg, line, dotted = first_validation_problem(exc, located)
        raise RuleFileError(msg, path=label, line=line, field=dotted) from None
    return LoadedRule(label, rule)


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Load every rule file (``duties/**/*.yaml``) of a rule set directory.

    ``None`` loads the shipped rule set. Raises RuleFileError for a bad file,
    or for two files claiming the same duty id.
    """
    root = Path(directory) if directory is not None else rules_dir()
    meta_path = root / "ruleset.yaml"
    label = str(meta_path)
    try:
        meta_text = meta_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"cannot read the rule set description ({exc.strerror})", path=label) from None
    located = read_yaml(meta_text, lambda problem, line: RuleFileError(problem, path=label, line=line))
    try:
        meta = RuleSetMeta.model_validate(located.data)
    except ValidationError as exc:
        msg, line, dotted = first_validation_problem(exc, located)
        raise RuleFileError(msg, path=label, line=line, field=dotted) from None
    rules: list[LoadedRule] = []
    seen: dict[str, str] = {}
    for path in sorted((root / "duties").rglob("*.yaml")):
        loaded = load_rule_file(path)
        if loaded.duty in seen:
            raise RuleFileError(
                f"duty {loaded.duty!r} is already defined in {seen[loaded.duty]}", path=loaded.path, field="duty"
            )
        seen[loaded.duty] = loaded.path
        rules.append(loaded)
    if not rules:
        raise RuleFileError("no rule files found under duties/", path=str(root))
    rules.sort(key=lambda r: r.duty)
    return RuleSet(meta, tuple(rules), str(root))
