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
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TypeVar, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .._common.errors import RuleFileError
from .resources import rules_dir
from .timeline import EVENT_TYPES, _MeasureStart
from .yamlread import first_validation_problem, read_yaml

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
        return _conditions(self.where)


def _conditions(where: Mapping[str, ConditionSpec]) -> tuple[tuple[str, str, Any], ...]:
    """``where`` compiled to (field, operator, value) triples, in field order."""
    out = []
    for name, spec in sorted(where.items()):
        if isinstance(spec, Condition):
            op, value = spec.op()
        elif isinstance(spec, list):
            op, value = "in", tuple(spec)
        else:
            op, value = "eq", spec
        out.append((name, op, value))
    return tuple(out)


class _CorrelatedPattern(EventPattern):
    """An event pattern that may be tied to the trigger by ``same`` fields or ``responds_to``."""

    same: list[str] = Field(default_factory=list)
    responds_to: bool = False

    @model_validator(mode="after")
    def _same_fields(self) -> _CorrelatedPattern:
        fields = set(EVENT_TYPES[self.event].model_fields)
        for name in self.same:
            if name not in fields:
                raise ValueError(f"event type {self.event!r} has no field {name!r} to correlate on")
        if self.responds_to and "responds_to" not in fields:
            raise ValueError(f"event type {self.event!r} has no 'responds_to' field")
        return self


class FulfilmentPattern(_CorrelatedPattern):
    """Events that fulfil the duty.

    ``same`` lists fields that must equal the trigger's; ``responds_to: true``
    requires the fulfilling event's ``responds_to`` to name the trigger. In
    both, a fulfilling event on which the field is unset counts for any
    trigger. ``lookback`` lets an event up to that long *before* the trigger
    count (a doctor's statement obtained before the decision).
    """

    lookback: timedelta | None = None

    @model_validator(mode="after")
    def _lookback_range(self) -> FulfilmentPattern:
        if self.lookback is not None and not timedelta(0) <= self.lookback <= timedelta(days=366):
            raise ValueError("lookback must be between zero and a year")
        return self


class ClosingPattern(_CorrelatedPattern):
    """Events after which the duty can no longer be fulfilled.

    ``same`` and ``responds_to`` tie a closing event to its trigger as they
    tie a fulfilment (a transfer that took place closes the notice duty of
    its own decision only); a closing event on which the field is unset
    closes every trigger.
    """


class Bound(_Strict):
    """A length of time: a profile term (for vague words), a fixed duration, or working days."""

    term: str | None = None
    duration: timedelta | None = None
    working_days: int | None = Field(
        default=None, ge=1, le=365,
        description="Until the end of the n-th working day after the trigger's day "
        "(weekends and Norwegian public holidays excluded).",
    )

    @model_validator(mode="after")
    def _one(self) -> Bound:
        given = [x for x in (self.term, self.duration, self.working_days) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'term', 'duration' or 'working_days'")
        if self.duration is not None and not timedelta(0) <= self.duration <= timedelta(days=3660):
            raise ValueError("duration must be between zero and ten years")
        return self


class BeforeDate(_Strict):
    """A deadline before a date field of the trigger: whole calendar months, or a lead-time term."""

    field: str
    calendar_months: int | None = Field(default=None, ge=0, le=120)
    lead: str | None = Field(default=None, description="Profile term of kind lead_time.")

    @model_validator(mode="after")
    def _one(self) -> BeforeDate:
        if (self.calendar_months is None) == (self.lead is None):
            raise ValueError("give exactly one of 'calendar_months' or 'lead'")
        return self


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


class BeforeCloseTiming(_Strict):
    """Fulfil at any time before the closing event (release); no fixed deadline."""

    kind: Literal["before_close"]


class CheckTiming(_Strict):
    """Each trigger is judged at its own instant: its fields must meet ``requires``."""

    kind: Literal["check"]
    requires: dict[str, ConditionSpec] = Field(min_length=1)


class PermissionTiming(_Strict):
    """A prohibition unless permitted: each trigger is allowed if ``exempt_if`` holds on it
    (a statutory exception), or a fulfilling measure (a consent) is in effect at that
    instant and its ``covers.list`` field includes the trigger's ``covers.field``."""

    kind: Literal["permission"]
    exempt_if: dict[str, ConditionSpec] = Field(default_factory=dict)
    covers_field: str = Field(description="Field of the trigger (e.g. recipient).")
    covers_list: str = Field(description="List field of the permitting measure (e.g. scope).")


class RecurringLooksTiming(_Strict):
    """Looks within the trigger's measure: a maximum gap in the daytime window (or around the
    clock when ``day_window`` is not given), and a minimum count each night."""

    kind: Literal["recurring_looks"]
    day_window: str | None = Field(default=None, description="Profile term (clock_window); none = all day.")
    day_max_gap: Bound
    night_min_count: str | None = Field(default=None, description="Profile term (count).")

    @field_validator("day_max_gap")
    @classmethod
    def _a_length(cls, b: Bound) -> Bound:
        return _length_bound(b)

    @model_validator(mode="after")
    def _night_needs_day(self) -> RecurringLooksTiming:
        if self.night_min_count and not self.day_window:
            raise ValueError("night_min_count needs a day_window (the night is outside it)")
        return self


class ContinuousCoverTiming(_Strict):
    """Every moment of the trigger's measure covered by the fulfilling measures."""

    kind: Literal["continuous_cover"]
    max_gap: Bound = Field(description="Uncovered time tolerated (normally zero).")
    until_age: int | None = Field(default=None, ge=1, le=120, description="Duty ends at this birthday.")

    @field_validator("max_gap")
    @classmethod
    def _a_length(cls, b: Bound) -> Bound:
        return _length_bound(b)


def _length_bound(b: Bound) -> Bound:
    if b.working_days is not None:
        raise ValueError("a gap is a length of time: give a term or a duration, not working_days")
    return b


class PerDayTiming(_Strict):
    """At least one fulfilling event on every local calendar day the measure is in effect."""

    kind: Literal["per_day"]


class PerDognTiming(_Strict):
    """At least one fulfilling event per *døgn* while the measure lasts, counted from the first
    fulfilment (or the start). The profile setting ``dogn`` chooses rolling 24 hours or
    calendar days."""

    kind: Literal["per_dogn"]


class DailySumTiming(_Strict):
    """On each local day of the measure, the fulfilling events' ``minutes`` add up to the
    profile term's count; applies only to measures expected (or found) to last longer than
    ``applies_if_longer_than``. The profile setting ``partial_days`` says how first and last
    days count."""

    kind: Literal["daily_sum"]
    minutes: str = Field(description="Profile term (count): minutes required per day.")
    applies_if_longer_than: timedelta | None = None


class MeasureDeadlineTiming(_Strict):
    """For a measure expected (``expected_end``) or found to last longer than ``longer_than``:
    fulfil within ``within`` of the start when expected from the start, and in any case by
    the time ``longer_than`` has passed."""

    kind: Literal["measure_deadline"]
    longer_than: timedelta
    within: Bound


Timing = Annotated[
    Union[
        DeadlineTiming,
        BeforeCloseTiming,
        CheckTiming,
        PermissionTiming,
        RecurringLooksTiming,
        ContinuousCoverTiming,
        PerDayTiming,
        PerDognTiming,
        DailySumTiming,
        MeasureDeadlineTiming,
    ],
    Field(discriminator="kind"),
]

Modality = Literal["skal", "bør", "vurdere", "forbud"]
MODALITIES: tuple[str, ...] = get_args(Modality)
Actor = Literal["KO", "KHO", "SHT", "LEDER", "KO+KHO", "KO+KHO+SHT"]

#: timing kinds whose trigger must start a measure
_MEASURE_KINDS = (RecurringLooksTiming, ContinuousCoverTiming, PerDayTiming, PerDognTiming, DailySumTiming,
                  MeasureDeadlineTiming)


def _as_list(v: Any) -> Any:
    return v if isinstance(v, list) else [v]


class RuleFile(_Strict):
    """One rule file: one duty (or one part of a duty)."""

    duty: str = Field(description="Duty id from the catalog (public contract).")
    part: str | None = Field(
        default=None, pattern=r"^[a-z_]+$",
        description="For a duty with several requirements: which one this file encodes.",
    )
    versions: list[str] = Field(
        default_factory=lambda: ["circular-2025"], min_length=1,
        description="Rule-set versions (by date) this rule belongs to.",
    )
    title: str = Field(min_length=1)
    modality: Modality
    actor: Actor
    source: Citation
    trigger: list[EventPattern] = Field(min_length=1, description="Any of these events opens an obligation.")
    fulfilled_by: list[FulfilmentPattern] = Field(min_length=1, description="Any of these fulfils it.")
    closed_by: list[ClosingPattern] | None = Field(
        default=None, min_length=1, description="Any of these events ends the chance to fulfil the duty."
    )
    timing: Timing
    notes: str = ""

    @field_validator("trigger", "fulfilled_by", "closed_by", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("duty")
    @classmethod
    def _duty_id(cls, v: str) -> str:
        if not DUTY_ID.match(v):
            raise ValueError("a duty id looks like 'section.name' in lower case")
        return v

    @model_validator(mode="after")
    def _timing_fits(self) -> RuleFile:
        t = self.timing
        if isinstance(t, _MEASURE_KINDS):
            for pat in self.trigger:
                if not issubclass(EVENT_TYPES[pat.event], _MeasureStart):
                    raise ValueError(f"timing {t.kind!r} needs triggers that start a measure, not {pat.event!r}")
        if isinstance(t, (ContinuousCoverTiming, PermissionTiming)):
            for pat in self.fulfilled_by:
                if not issubclass(EVENT_TYPES[pat.event], _MeasureStart):
                    raise ValueError(f"{t.kind} needs fulfilled_by events that start a measure")
        types = [p.event for p in self.fulfilled_by]
        if len(set(types)) != len(types):
            raise ValueError("fulfilled_by patterns must name different event types")
        if isinstance(t, BeforeCloseTiming) and self.closed_by is None:
            raise ValueError("before_close needs closed_by")
        if isinstance(t, DeadlineTiming) and t.before_date is not None:
            for pat in self.trigger:
                if t.before_date.field not in EVENT_TYPES[pat.event].model_fields:
                    raise ValueError(f"trigger {pat.event!r} has no field {t.before_date.field!r}")
        if isinstance(t, (CheckTiming, PermissionTiming)):
            for pat in self.trigger:
                fields = set(EVENT_TYPES[pat.event].model_fields) | set(DERIVED_FIELDS)
                names = list(t.requires) if isinstance(t, CheckTiming) else [*t.exempt_if, t.covers_field]
                for name in names:
                    if name not in fields:
                        raise ValueError(f"trigger {pat.event!r} has no field {name!r}")
        return self

    @property
    def key(self) -> str:
        """Duty id, with the part if any: what obligation ids start with."""
        return f"{self.duty}/{self.part}" if self.part else self.duty

    def check_conditions(self) -> tuple[tuple[str, str, Any], ...]:
        """The ``requires`` (check) or ``exempt_if`` (permission) conditions, compiled."""
        t = self.timing
        where = t.requires if isinstance(t, CheckTiming) else t.exempt_if if isinstance(t, PermissionTiming) else {}
        return _conditions(where)  # the fields were checked against every trigger when loading

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
            if t.before_date is not None and t.before_date.lead:
                out.append((t.before_date.lead, "lead_time"))
        elif isinstance(t, RecurringLooksTiming):
            if t.day_window:
                out.append((t.day_window, "clock_window"))
            bound(t.day_max_gap)
            if t.night_min_count:
                out.append((t.night_min_count, "count"))
        elif isinstance(t, ContinuousCoverTiming):
            bound(t.max_gap)
        elif isinstance(t, DailySumTiming):
            out.append((t.minutes, "count"))
        elif isinstance(t, MeasureDeadlineTiming):
            bound(t.within)
        return out


@dataclass(frozen=True)
class LoadedRule:
    """A rule file and where it came from."""

    path: str  #: the file
    rel: str  #: the file relative to the rule set directory (cited in reports)
    rule: RuleFile
    #: unique in the rule set: the relative path without ``.yaml``
    rule_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_id", self.rel.removesuffix(".yaml"))

    @property
    def duty(self) -> str:
        return self.rule.duty


class RuleSetVersion(_Strict):
    """A version of the rules by date: applies to triggers from ``in_force_from``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    in_force_from: date | None = None
    in_force_from_setting: str | None = Field(
        default=None, description="Name of the setting that holds the date."
    )
    source: str = ""

    @model_validator(mode="after")
    def _one(self) -> RuleSetVersion:
        if (self.in_force_from is None) == (self.in_force_from_setting is None):
            raise ValueError("give exactly one of 'in_force_from' or 'in_force_from_setting'")
        return self


class RuleSetMeta(_Strict):
    name: str
    version: str
    title: str
    description: str = ""
    settings: dict[str, date] = Field(default_factory=dict)
    setting_notes: dict[str, str] = Field(default_factory=dict)
    versions: list[RuleSetVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _versions(self) -> RuleSetMeta:
        ids = [v.id for v in self.versions]
        if len(set(ids)) != len(ids):
            raise ValueError("version ids must be unique")
        for v in self.versions:
            if v.in_force_from_setting is not None and v.in_force_from_setting not in self.settings:
                raise ValueError(f"version {v.id!r} names an unknown setting {v.in_force_from_setting!r}")
        starts = [self.start_of(v) for v in self.versions]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("versions must be listed oldest first, with distinct start dates")
        return self

    def start_of(self, version: RuleSetVersion) -> date:
        if version.in_force_from is not None:
            return version.in_force_from
        return self.settings[version.in_force_from_setting]

    def version_on(self, day: date) -> str | None:
        """Id of the version in force on ``day`` (None before the first)."""
        current = None
        for v in self.versions:
            if self.start_of(v) <= day:
                current = v.id
        return current


@dataclass(frozen=True)
class RuleSet:
    """The rule files of a rule set, in a stable order (by rule id)."""

    meta: RuleSetMeta
    rules: tuple[LoadedRule, ...]
    directory: str

    def by_duty(self) -> dict[str, list[LoadedRule]]:
        out: dict[str, list[LoadedRule]] = {}
        for r in self.rules:
            out.setdefault(r.duty, []).append(r)
        return out

    def citation(self) -> str:
        return f"{self.meta.name}@{self.meta.version}"

    def only(self, duties: Iterable[str] | None = None, *, modalities: Iterable[str] | None = None) -> RuleSet:
        """The rules of some duties and/or modalities (skal, bør, vurdere, forbud) only."""
        rules = self.rules
        if duties is not None:
            wanted = set(duties)
            unknown = wanted - {r.duty for r in rules}
            if unknown:
                raise RuleFileError(f"no rule for duty id(s) {sorted(unknown)}", path=self.directory)
            rules = tuple(r for r in rules if r.duty in wanted)
        if modalities is not None:
            mods = set(modalities)
            bad = mods - set(MODALITIES)
            if bad:
                raise RuleFileError(f"unknown modality {sorted(bad)}; use {', '.join(MODALITIES)}",
                                    path=self.directory)
            rules = tuple(r for r in rules if r.rule.modality in mods)
        return RuleSet(self.meta, rules, self.directory)

    def with_settings(self, **settings: date) -> RuleSet:
        """A copy with settings replaced (e.g. the date circular 001 took effect)."""
        unknown = set(settings) - set(self.meta.settings)
        if unknown:
            raise RuleFileError(f"unknown rule-set setting(s) {sorted(unknown)}", path=self.directory)
        merged = {**self.meta.settings, **settings}
        try:
            meta = RuleSetMeta.model_validate({**self.meta.model_dump(), "settings": merged})
        except ValidationError as exc:
            raise RuleFileError(str(exc.errors(include_url=False)[0]["msg"]), path=self.directory) from None
        return RuleSet(meta, self.rules, self.directory)


_M = TypeVar("_M", bound=BaseModel)


def read_yaml_model(path: Path, model: type[_M], what: str) -> _M:
    """``model`` validated from the YAML file at ``path``; every problem (unreadable, not UTF-8,
    bad YAML, not a mapping, invalid) is a RuleFileError naming the file, and the line and field
    where there is one. ``what`` names the file in the messages ("rule file")."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"cannot read {what} ({exc})", path=label) from None
    located = read_yaml(text, lambda problem, line: RuleFileError(problem, path=label, line=line))
    if not isinstance(located.data, dict):
        raise RuleFileError(f"a {what} must be a mapping", path=label, line=1)
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        msg, line, dotted = first_validation_problem(exc, located)
        raise RuleFileError(msg, path=label, line=line, field=dotted) from None


def load_rule_file(path: Path, root: Path | None = None) -> LoadedRule:
    rule = read_yaml_model(path, RuleFile, "rule file")
    rel = path.relative_to(root).as_posix() if root is not None else path.name
    return LoadedRule(str(path), rel, rule)


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Load every rule file (``duties/**/*.yaml``) of a rule set directory.

    ``None`` loads the shipped rule set. Raises RuleFileError for a bad file,
    for a version no ``ruleset.yaml`` declares, or for two files claiming the
    same duty (and part) in the same version.
    """
    root = Path(directory) if directory is not None else rules_dir()
    meta = read_yaml_model(root / "ruleset.yaml", RuleSetMeta, "rule set description")
    known_versions = {v.id for v in meta.versions}
    rules: list[LoadedRule] = []
    seen: dict[tuple[str, str], str] = {}
    for path in sorted((root / "duties").rglob("*.yaml")):
        loaded = load_rule_file(path, root)
        for version in loaded.rule.versions:
            if version not in known_versions:
                raise RuleFileError(
                    f"version {version!r} is not declared in ruleset.yaml ({', '.join(sorted(known_versions))})",
                    path=loaded.path, field="versions",
                )
            key = (loaded.rule.key, version)
            if key in seen:
                raise RuleFileError(
                    f"duty {loaded.rule.key!r} in version {version!r} is already defined in {seen[key]}",
                    path=loaded.path, field="duty",
                )
            seen[key] = loaded.path
        rules.append(loaded)
    if not rules:
        raise RuleFileError("no rule files found under duties/", path=str(root))
    rules.sort(key=lambda r: r.rule_id)
    return RuleSet(meta, tuple(rules), str(root))
