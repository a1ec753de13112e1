"""Rule files: one duty each, declarative, validated on load.

A rule file is YAML (see ``docs/rule-files.md``). It names the duty id from the
catalog, the modality, the actor, the legal source with the Norwegian sentence
it encodes, the trigger, what fulfils the duty, and its timing. This module
defines the rule language and checks each rule file on its own;
:mod:`.ruleset` loads a directory of them with the legal bases they rest on,
:mod:`.._pipeline.compile` turns them into the engine-neutral form and
:mod:`.._pipeline.timing` decides deadlines.

A bad rule file raises :class:`RuleFileError` with the path, the line and the
field.

Longer than 600 lines: the rule language is one model -- the timing kinds, the
event patterns and the checks across them (keys a kind would ignore, time
words a bound reads that the quoted sentence must use, extension event types)
validate one another, and splitting them would spread one pydantic model over
modules that import each other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .._common.wording import did_you_mean

from .bases import BasesFile
from .conditions import check_conditions, field_kind
from .events.base import CustodyKind
from .timeline import EVENT_TYPES, _MeasureStart
from .values import Duration

__all__ = ["Citation", "MODALITIES", "MODALITY_SPELLINGS", "RuleFile", "modality_name"]

DUTY_ID = re.compile(r"^[a-z_]+\.[a-z_]+$")

#: facts derived for every event, usable in ``where`` conditions
DERIVED_FIELDS = {
    "age": "completed years of age on the event's local date (Europe/Oslo)",
    "custody_kind": "custody kind of the latest admission at or before the event",
}


class _Strict(BaseModel):
    # strict: "yes" is not true, 1 is not true, "30" is not 30; lengths of time are ISO 8601 text
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _registry(info: ValidationInfo) -> BasesFile | None:
    """The legal-bases registry the loader validates a rule file against (None: not checked)."""
    context = info.context
    return context.get("bases") if isinstance(context, Mapping) else None


def _dated_value(info: ValidationInfo, name: str, unit: str) -> None:
    """``name`` is a dated value of the registry with ``unit``."""
    registry = _registry(info)
    if registry is None:
        return
    value = registry.values.get(name)
    if value is None:
        known = ", ".join(sorted(registry.values)) or "none"
        raise ValueError(f"no dated value {name!r} in bases.yaml (values: {known})")
    if value.unit != unit:
        raise ValueError(f"dated value {name!r} is in {value.unit}; {unit} is needed here")


def _dated_entries(info: ValidationInfo) -> dict[str, tuple[str, ...]] | None:
    """Every value each 'values' dated value of the registry takes (None: not checked)."""
    registry = _registry(info)
    if registry is None:
        return None
    return {name: tuple(v for e in dv.values if isinstance(e.value, list) for v in e.value)
            for name, dv in registry.values.items()}


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
    # any scalar here: the field's type decides (conditions.check_conditions, with a clear message)
    lt: Scalar | None = None
    lte: Scalar | None = None
    gt: Scalar | None = None
    gte: Scalar | None = None
    exists: bool | None = None
    in_value: str | None = Field(
        default=None,
        description="The field equals one of the values a dated value of bases.yaml has on the event's "
        "own local date (fulfilment patterns only).",
    )

    @model_validator(mode="after")
    def _one(self, info: ValidationInfo) -> Condition:
        given = [k for k, v in self if v is not None]
        if len(given) != 1:
            raise ValueError("a condition has exactly one operator (eq, ne, in, lt, lte, gt, gte, exists, in_value)")
        if self.in_value is not None:
            _dated_value(info, self.in_value, "values")
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
            hint = did_you_mean(v, EVENT_TYPES)
            raise ValueError(f"unknown event type {v!r}{hint}" if hint
                             else f"unknown event type {v!r}; known: {', '.join(sorted(EVENT_TYPES))}")
        return v

    @model_validator(mode="after")
    def _known_fields(self, info: ValidationInfo) -> EventPattern:
        fields = set(EVENT_TYPES[self.event].model_fields) | set(DERIVED_FIELDS)
        for name in self.where:
            if name not in fields:
                raise ValueError(
                    f"event type {self.event!r} has no field {name!r}; "
                    f"fields: {', '.join(sorted(fields))}"
                )
        check_conditions(self.conditions(), field_kinds(self.event), "where", _dated_entries(info))
        return self

    def conditions(self) -> tuple[tuple[str, str, Any], ...]:
        return _conditions(self.where)


def field_kinds(event: str) -> dict[str, tuple[str, Any]]:
    """The kind of every field of event type ``event`` a condition may test (see :mod:`.conditions`)."""
    kinds = {name: field_kind(f.annotation) for name, f in EVENT_TYPES[event].model_fields.items()}
    kinds["age"] = ("int", None)
    kinds["custody_kind"] = ("enum", tuple(k.value for k in CustodyKind))
    return kinds


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


class DuringPattern(_Strict):
    """A measure that must be in effect at the trigger's instant (``trigger.during``): started by an
    event of type ``event``, not yet ended, and tied to the trigger by ``same`` (fields of both events;
    a trigger on which the field is unset is tied to any such measure)."""

    event: str
    same: list[str] = Field(default_factory=list)

    @field_validator("event")
    @classmethod
    def _a_measure(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(f"unknown event type {v!r}; known: {', '.join(sorted(EVENT_TYPES))}")
        if not issubclass(EVENT_TYPES[v], _MeasureStart):
            raise ValueError(f"during needs an event type that starts a measure, not {v!r}")
        return v

    @model_validator(mode="after")
    def _same_fields(self) -> DuringPattern:
        for name in self.same:
            if name not in EVENT_TYPES[self.event].model_fields:
                raise ValueError(f"event type {self.event!r} has no field {name!r} to correlate on")
        return self


class TriggerPattern(EventPattern):
    """Events that open an obligation. ``during`` (any of) keeps only those made while a measure is in
    effect (an exclusion, say): from its start, inclusive, to its end, exclusive, or to ``as_of``. The
    timing stage decides it, for both engines alike."""

    during: list[DuringPattern] = Field(default_factory=list)

    @field_validator("during", mode="before")
    @classmethod
    def _listify_during(cls, v: Any) -> Any:
        return v if isinstance(v, list) else [v]

    @model_validator(mode="after")
    def _during_fields(self) -> TriggerPattern:
        fields = set(EVENT_TYPES[self.event].model_fields)
        for d in self.during:
            for name in d.same:
                if name not in fields:
                    raise ValueError(f"event type {self.event!r} has no field {name!r} to tie to the measure")
        return self


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

    lookback: Duration | None = None

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
    """A length of time: a profile term (for vague words), a fixed duration, working days, or a
    dated value of the legal-bases registry (a number of working days the law changed over time)."""

    term: str | None = None
    duration: Duration | None = None
    working_days: int | None = Field(
        default=None, ge=1, le=365,
        description="Until the end of the n-th working day after the trigger's day "
        "(weekends and Norwegian public holidays excluded).",
    )
    value: str | None = Field(
        default=None,
        description="A dated value of bases.yaml in working days, looked up on the trigger's local date.",
    )
    reads: str | None = Field(
        default=None, min_length=1,
        description="The time word of the quoted sentence this bound reads (it must occur in source.text); "
        "without it, the sentence has no time word and the bound is the profile's default.",
    )

    @model_validator(mode="after")
    def _one(self, info: ValidationInfo) -> Bound:
        given = [x for x in (self.term, self.duration, self.working_days, self.value) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'term', 'duration', 'working_days' or 'value'")
        if self.duration is not None and not timedelta(0) <= self.duration <= timedelta(days=3660):
            raise ValueError("duration must be between zero and ten years")
        if self.value is not None:
            _dated_value(info, self.value, "working_days")
        return self


class BeforeDate(_Strict):
    """A deadline before a date field of the trigger: whole calendar months, or a lead-time term."""

    field: str
    calendar_months: int | None = Field(default=None, ge=0, le=120)
    lead: str | None = Field(default=None, description="Profile term of kind lead_time.")
    reads: str | None = Field(
        default=None, min_length=1,
        description="The time word of the quoted sentence the lead reads (it must occur in source.text).",
    )

    @model_validator(mode="after")
    def _one(self) -> BeforeDate:
        if (self.calendar_months is None) == (self.lead is None):
            raise ValueError("give exactly one of 'calendar_months' or 'lead'")
        return self


class BeforeInstant(_Strict):
    """A deadline at an instant the trigger records (an appointment): both bounds that instant."""

    field: str


class DeadlineTiming(_Strict):
    """Fulfil within a bound after the trigger, by a date before a date on the trigger, or by an instant
    the trigger records."""

    kind: Literal["deadline"]
    within: Bound | None = None
    before_date: BeforeDate | None = None
    before_instant: BeforeInstant | None = Field(
        default=None, description="Due at the instant in this field of the trigger (inclusive); no vague term."
    )
    if_known_later: Bound | None = Field(
        default=None,
        description="With before_date: the bound from the trigger when it came after that date.",
    )
    superseded_by_next_trigger: bool = Field(
        default=False, description="A later trigger replaces the earlier one (a changed date)."
    )

    @model_validator(mode="after")
    def _shape(self) -> DeadlineTiming:
        if sum(x is not None for x in (self.within, self.before_date, self.before_instant)) != 1:
            raise ValueError("give exactly one of 'within', 'before_date' or 'before_instant'")
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
    exempt_if: list[dict[str, ConditionSpec]] = Field(
        default_factory=list,
        description="Statutory exceptions, any of: each a set of conditions on the trigger (where syntax), all of "
        "which must hold (an exception and the recipients it covers).",
    )
    covers_field: str = Field(description="Field of the trigger (e.g. recipient).")
    covers_list: str = Field(description="List field of the permitting measure (e.g. scope).")

    @field_validator("exempt_if", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @field_validator("exempt_if")
    @classmethod
    def _not_empty(cls, v: list[dict[str, ConditionSpec]]) -> list[dict[str, ConditionSpec]]:
        if any(not e for e in v):
            raise ValueError("an exception needs at least one condition")
        return v


class RecurringLooksTiming(_Strict):
    """Looks within the trigger's measure: a maximum gap in the daytime window (or around the
    clock when ``day_window`` is not given), and a minimum count each night."""

    kind: Literal["recurring_looks"]
    day_window: str | None = Field(default=None, description="Profile term (clock_window); none = all day.")
    day_max_gap: Bound
    night_min_count: str | None = Field(default=None, description="Profile term (count).")
    day_min_count: str | None = Field(
        default=None,
        description="Profile term (count): looks required on each local calendar day (flere ganger daglig); "
        "partial days follow the setting partial_days.",
    )

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
    if b.working_days is not None or b.value is not None:
        raise ValueError("a gap is a length of time: give a term or a duration, not working days")
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
    applies_if_longer_than: Duration | None = None
    extended_by: str | None = Field(
        default=None,
        description="Event type recording a later expected end of the measure (an extension), read with "
        "applies_if_longer_than.",
    )

    @model_validator(mode="after")
    def _extension(self) -> DailySumTiming:
        _extension_type(self.extended_by)
        if self.extended_by and self.applies_if_longer_than is None:
            raise ValueError("extended_by goes with applies_if_longer_than")
        return self


class MeasureDeadlineTiming(_Strict):
    """For a measure expected (``expected_end``) or found to last longer than ``longer_than``:
    fulfil within ``within`` of the start when expected from the start, and in any case by
    the time ``longer_than`` has passed."""

    kind: Literal["measure_deadline"]
    longer_than: Duration
    within: Bound
    extended_by: str | None = Field(
        default=None,
        description="Event type recording a later expected end of the measure (an extension): the duty "
        "arises when one first makes the measure expected to last longer.",
    )

    @model_validator(mode="after")
    def _extension(self) -> MeasureDeadlineTiming:
        _extension_type(self.extended_by)
        return self


def _extension_type(name: str | None) -> None:
    """``name`` is an event type that names a measure and its new expected end."""
    if name is None:
        return
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise ValueError(f"unknown event type {name!r}; known: {', '.join(sorted(EVENT_TYPES))}")
    if issubclass(cls, _MeasureStart) or not {"measure_id", "expected_end"} <= set(cls.model_fields):
        raise ValueError(f"event type {name!r} does not record a measure's new expected end "
                         "(it needs measure_id and expected_end)")


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
#: ASCII spellings accepted for a modality (rule files, --modality, RuleSet.only): 'bor' is 'bør'
MODALITY_SPELLINGS: dict[str, str] = {"bor": "bør"}


def modality_name(value: Any) -> Any:
    """``value`` as a modality: ``'bor'`` (the ASCII spelling) is ``'bør'``; anything else as it is."""
    return MODALITY_SPELLINGS.get(value, value) if isinstance(value, str) else value
Actor = Literal["KO", "KHO", "SHT", "LEDER", "KO+KHO", "KHO+SHT", "KO+KHO+SHT"]

#: timing kinds whose trigger must start a measure
_MEASURE_KINDS = (RecurringLooksTiming, ContinuousCoverTiming, PerDayTiming, PerDognTiming, DailySumTiming,
                  MeasureDeadlineTiming)


def _normal(text: str) -> str:
    """Lower case, whitespace collapsed: how a time word is looked for in a quoted sentence."""
    return " ".join(text.lower().split())


def _as_list(v: Any) -> Any:
    return v if isinstance(v, list) else [v]


class RuleFile(_Strict):
    """One rule file: one duty (or one part of a duty)."""

    duty: str = Field(description="Duty id from the catalog (public contract).")
    part: str | None = Field(
        default=None, pattern=r"^[a-z_]+$",
        description="For a duty with several requirements: which one this file encodes.",
    )
    bases: list[str] = Field(
        min_length=1,
        description="The legal bases (ids of bases.yaml) the duty rests on: it is judged at a trigger only "
        "under those in force on the trigger's local date.",
    )
    cites: list[str] = Field(
        default_factory=list,
        description="Other registry entries the citation names that the duty does not rest on "
        "(exceptions, context).",
    )
    title: str = Field(min_length=1)
    modality: Annotated[Modality, BeforeValidator(modality_name)]
    actor: Actor
    source: Citation
    trigger: list[TriggerPattern] = Field(min_length=1, description="Any of these events opens an obligation.")
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

    @field_validator("bases", "cites")
    @classmethod
    def _known_bases(cls, v: list[str], info: ValidationInfo) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a basis is named twice")
        registry = _registry(info)
        if registry is None:
            return v
        for bid in v:
            basis = registry.bases.get(bid)
            if basis is None:
                raise ValueError(f"no basis {bid!r} in bases.yaml")
            if info.field_name == "bases" and not basis.norm:
                raise ValueError(f"{bid!r} is context (norm: false in bases.yaml): cite it, a duty cannot rest on it")
        if info.field_name == "cites":
            both = set(v) & set(info.data.get("bases") or ())
            if both:
                raise ValueError(f"{sorted(both)} named both as a basis and as cited")
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
        for pat in [*self.trigger, *(self.closed_by or ())]:
            if any(op == "in_value" for _, op, _ in pat.conditions()):
                raise ValueError("in_value conditions are for fulfilled_by patterns only")
        wheres = [t.requires] if isinstance(t, CheckTiming) else t.exempt_if if isinstance(t, PermissionTiming) else []
        if any(op == "in_value" for where in wheres for _, op, _ in _conditions(where)):
            raise ValueError("in_value conditions are for fulfilled_by patterns only")
        if isinstance(t, BeforeCloseTiming) and self.closed_by is None:
            raise ValueError("before_close needs closed_by")
        if isinstance(t, DeadlineTiming) and t.before_date is not None:
            for pat in self.trigger:
                if t.before_date.field not in EVENT_TYPES[pat.event].model_fields:
                    raise ValueError(f"trigger {pat.event!r} has no field {t.before_date.field!r}")
        if isinstance(t, DeadlineTiming) and t.before_instant is not None:
            for pat in self.trigger:
                f = EVENT_TYPES[pat.event].model_fields.get(t.before_instant.field)
                if f is None or f.is_required() is False:
                    raise ValueError(f"trigger {pat.event!r} has no required field {t.before_instant.field!r} "
                                     "(an instant) for before_instant")
        if isinstance(t, RecurringLooksTiming):
            covers = [p for p in self.fulfilled_by if issubclass(EVENT_TYPES[p.event], _MeasureStart)]
            if len(covers) == len(self.fulfilled_by):
                raise ValueError("recurring_looks needs a fulfilled_by pattern of looks (events that do not start "
                                 "a measure); measures such as continuous supervision only cover")
        if isinstance(t, (CheckTiming, PermissionTiming)):
            for pat in self.trigger:
                fields = set(EVENT_TYPES[pat.event].model_fields) | set(DERIVED_FIELDS)
                names = list(t.requires) if isinstance(t, CheckTiming) else [
                    *(n for e in t.exempt_if for n in e), t.covers_field]
                for name in names:
                    if name not in fields:
                        raise ValueError(f"trigger {pat.event!r} has no field {name!r}")
                what = "timing.requires" if isinstance(t, CheckTiming) else "timing.exempt_if"
                check_conditions(self.check_conditions(), field_kinds(pat.event), what)
        return self

    def time_words(self) -> list[tuple[tuple[str, ...], str]]:
        """(location in the rule, word) of every time word a bound says it reads (``reads``)."""
        t = self.timing
        out = []
        for name in ("within", "if_known_later", "day_max_gap", "max_gap", "before_date"):
            b = getattr(t, name, None)
            if b is not None and getattr(b, "reads", None):
                out.append((("timing", name, "reads"), b.reads))
        return out

    @model_validator(mode="after")
    def _time_words_quoted(self) -> RuleFile:
        text = _normal(self.source.text)
        for loc, word in self.time_words():
            if _normal(word) not in text:
                raise ValueError(f"{'.'.join(loc)}: {word!r} does not occur in the quoted sentence (source.text); "
                                 "a bound may read only a word the source uses")
        return self

    def ignored_keys(self) -> list[tuple[tuple[Any, ...], str]]:
        """Keys the rule's timing kind would not read, as (location, problem): the loader rejects
        them (:func:`.ruleset.load_rule_file`), so that nothing in a rule file is silently
        ignored.

        - ``lookback`` is read only where the *first* fulfilment is searched for
          (``deadline``, ``before_close``, ``measure_deadline``);
        - ``same`` and ``responds_to`` on ``fulfilled_by`` are not read by ``check``,
          ``permission`` or ``continuous_cover`` (nor, in ``recurring_looks``, on a pattern of
          measures that cover: continuous supervision), nor ``where`` by ``check``, which
          judges the trigger itself;
        - ``closed_by`` is read only by ``deadline`` and ``before_close``.
        """
        t = self.timing
        out: list[tuple[tuple[Any, ...], str]] = []
        first_kinds = (DeadlineTiming, BeforeCloseTiming, MeasureDeadlineTiming)
        untied = (CheckTiming, PermissionTiming, ContinuousCoverTiming)
        for i, pat in enumerate(self.fulfilled_by):
            cover = isinstance(t, RecurringLooksTiming) and issubclass(EVENT_TYPES[pat.event], _MeasureStart)
            if pat.lookback is not None and not isinstance(t, first_kinds):
                out.append((("fulfilled_by", i, "lookback"),
                            f"timing {t.kind!r} does not read lookback (only deadline, before_close and "
                            "measure_deadline search for a first fulfilment)"))
            if isinstance(t, untied) or cover:
                what = f"timing {t.kind!r}" if not cover else "a covering measure of recurring_looks"
                if pat.same:
                    out.append((("fulfilled_by", i, "same"), f"{what} does not tie fulfilments by same"))
                if pat.responds_to:
                    out.append((("fulfilled_by", i, "responds_to"),
                                f"{what} does not tie fulfilments by responds_to"))
            if isinstance(t, CheckTiming) and pat.where:
                out.append((("fulfilled_by", i, "where"),
                            "timing 'check' judges the trigger itself and does not read fulfilled_by conditions; "
                            "put them under timing.requires"))
        for i, pat in enumerate(self.trigger):
            if pat.during and isinstance(t, _MEASURE_KINDS):
                out.append((("trigger", i, "during"), f"timing {t.kind!r} judges the trigger's own measure and "
                                                      "does not read during"))
        if self.closed_by is not None and not isinstance(t, (DeadlineTiming, BeforeCloseTiming)):
            out.append((("closed_by",), f"timing {t.kind!r} does not read closed_by (only deadline and "
                                        "before_close do; a measure closes itself)"))
        return out

    def dated_values(self) -> list[str]:
        """The dated values of bases.yaml this rule uses (bounds and conditions), in order of use."""
        out: list[str] = []
        t = self.timing
        for b in (getattr(t, "within", None), getattr(t, "if_known_later", None)):
            if b is not None and b.value is not None and b.value not in out:
                out.append(b.value)
        for pat in self.fulfilled_by:
            for _, op, value in pat.conditions():
                if op == "in_value" and value not in out:
                    out.append(value)
        return out

    @property
    def key(self) -> str:
        """Duty id, with the part if any: what obligation ids start with."""
        return f"{self.duty}/{self.part}" if self.part else self.duty

    def check_conditions(self) -> tuple[tuple[str, str, Any], ...]:
        """The ``requires`` conditions of a ``check``, compiled."""
        t = self.timing
        return _conditions(t.requires if isinstance(t, CheckTiming) else {})  # fields checked on load

    def exemptions(self) -> list[tuple[tuple[str, str, Any], ...]]:
        """The statutory exceptions (``exempt_if``) of a ``permission``, each compiled."""
        t = self.timing
        return [_conditions(e) for e in t.exempt_if] if isinstance(t, PermissionTiming) else []

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
            if t.day_min_count:
                out.append((t.day_min_count, "count"))
        elif isinstance(t, ContinuousCoverTiming):
            bound(t.max_gap)
        elif isinstance(t, DailySumTiming):
            out.append((t.minutes, "count"))
        elif isinstance(t, MeasureDeadlineTiming):
            bound(t.within)
        return out
