"""The interpretation profile: bounds for the law's vague terms.

*Uten ugrunnet opphold*, *så tidlig som det er praktisk mulig*, *dagtid* … have
no number in the law. A profile gives each such term a **strict** and a
**lenient** bound. A fulfilment after the strict bound but within the lenient
one is ``contested``; after the lenient one it is late. The numbers are policy
choices, not law, and the shipped default profile (``rules/profile.yaml``) says
so in its own text. Every report names the profile it used and the bounds of
the terms each obligation relied on.

A profile file may ``extends: default`` and give only the terms it changes;
:meth:`Profile.with_overrides` does the same in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .._common.errors import ProfileError
from .resources import rules_dir
from .values import Clock, Duration
from .yamlread import first_validation_problem, read_yaml, read_yaml_text

__all__ = ["Profile", "load_profile", "default_profile"]


class _Strict(BaseModel):
    # strict: a count is an integer (not "30", not true), a bound ISO 8601 text (values.Duration)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DurationTerm(_Strict):
    """A vague deadline: how long after the trigger it ends."""

    kind: Literal["duration"]
    words: list[str] = Field(min_length=1, description="The Norwegian words this bound stands for.")
    strict: Duration
    lenient: Duration
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> DurationTerm:
        if self.strict < timedelta(0) or self.lenient < timedelta(0):
            raise ValueError("bounds must not be negative")
        if self.lenient < self.strict:
            raise ValueError("lenient bound must be at least the strict bound")
        if self.lenient > timedelta(days=3660):
            raise ValueError("bounds longer than ten years are not accepted")
        return self

    def bounds_text(self) -> str:
        return f"strict {_iso(self.strict)}, lenient {_iso(self.lenient)}"


class ClockWindow(_Strict):
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _order(self) -> ClockWindow:
        if not self.start < self.end:
            raise ValueError("a clock window must start before it ends (same day)")
        return self


class ClockWindowTerm(_Strict):
    """A vague time of day (*dagtid*): the strict window contains the lenient one."""

    kind: Literal["clock_window"]
    words: list[str] = Field(min_length=1)
    strict: ClockWindow
    lenient: ClockWindow
    note: str = ""

    @model_validator(mode="after")
    def _nested(self) -> ClockWindowTerm:
        if not (self.strict.start <= self.lenient.start and self.lenient.end <= self.strict.end):
            raise ValueError("the strict window must contain the lenient window")
        return self

    def bounds_text(self) -> str:
        s, l = self.strict, self.lenient
        return f"strict {s.start:%H:%M}-{s.end:%H:%M}, lenient {l.start:%H:%M}-{l.end:%H:%M}"


class CountTerm(_Strict):
    """A vague frequency (*flere ganger*): at least this many."""

    kind: Literal["count"]
    words: list[str] = Field(min_length=1)
    strict: int = Field(ge=0, le=1000)
    lenient: int = Field(ge=0, le=1000)
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> CountTerm:
        if self.lenient > self.strict:
            raise ValueError("lenient count must not exceed the strict count")
        return self

    def bounds_text(self) -> str:
        return f"strict {self.strict}, lenient {self.lenient}"


class LeadTimeTerm(_Strict):
    """A vague lead time before a date (*i god tid før*): the strict bound asks for more lead."""

    kind: Literal["lead_time"]
    words: list[str] = Field(min_length=1)
    strict: Duration
    lenient: Duration
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> LeadTimeTerm:
        if self.lenient < timedelta(0) or self.strict > timedelta(days=3660):
            raise ValueError("lead times must be between zero and ten years")
        if self.strict < self.lenient:
            raise ValueError("the strict lead time must be at least the lenient one")
        return self

    def bounds_text(self) -> str:
        return f"strict {_iso(self.strict)} before, lenient {_iso(self.lenient)} before"


Term = Annotated[Union[DurationTerm, ClockWindowTerm, CountTerm, LeadTimeTerm], Field(discriminator="kind")]


class ProfileSettings(_Strict):
    timezone: Literal["Europe/Oslo"] = "Europe/Oslo"
    leap_day_birthday: Literal["mar1", "feb28"] = Field(
        default="mar1",
        description="Birthday of a person born 29 February in a common year.",
    )
    dogn: Literal["rolling", "calendar"] = Field(
        default="rolling",
        description="A døgn is a rolling 24 hours, or a local calendar day.",
    )
    partial_days: Literal["prorate", "exempt", "full"] = Field(
        default="prorate",
        description="How a measure's partial first and last days count for per-day amounts.",
    )


class Profile(_Strict):
    """An interpretation profile (see module docstring)."""

    id: str = Field(min_length=1, max_length=100)
    version: str = Field(min_length=1, max_length=50)
    title: str
    policy_note: str = Field(min_length=1, description="Says the numbers are policy, not law.")
    settings: ProfileSettings = ProfileSettings()
    terms: dict[str, Term]

    @field_validator("terms")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if not name.isidentifier() or not name.isascii():
                raise ValueError("a term name must be an ASCII identifier")
        return v

    def term(self, name: str) -> DurationTerm | ClockWindowTerm | CountTerm | LeadTimeTerm:
        return self.terms[name]

    def with_overrides(self, overrides: Mapping[str, Any], *, id_suffix: str = "+overrides") -> Profile:
        """A copy with some terms or settings replaced; raises ProfileError if invalid.

        ``overrides`` has the shape of a profile file: ``{"terms": {name: {...}},
        "settings": {...}}``; a term given in part keeps its other fields.
        """
        return _merge(self, dict(overrides), source="<overrides>", id_suffix=id_suffix)

    def citation(self) -> str:
        return f"{self.id}@{self.version}"


def _merge(base: Profile, over: dict[str, Any], *, source: str, id_suffix: str, located=None) -> Profile:
    data = base.model_dump(mode="json")
    unknown = set(over) - {"terms", "settings", "id", "version", "title", "policy_note", "extends"}
    if unknown:
        shown = sorted(k if isinstance(k, str) and k.isidentifier() and k.isascii() and len(k) <= 40
                       else "<unknown key>" for k in unknown)
        raise ProfileError(f"unknown key(s) {shown}", path=source)
    for key in ("id", "version", "title", "policy_note"):
        if key in over:
            data[key] = over[key]
    if "id" not in over:
        data["id"] = base.id + id_suffix
    if "settings" in over:
        if not isinstance(over["settings"], Mapping):
            raise ProfileError("settings must be a mapping", path=source, field="settings")
        data["settings"].update(over["settings"])
    terms = over.get("terms") or {}
    if not isinstance(terms, Mapping):
        raise ProfileError("terms must be a mapping", path=source, field="terms")
    for name, spec in terms.items():
        if not isinstance(spec, Mapping):
            raise ProfileError("a term must be a mapping", path=source, field=f"terms.{name}")
        if name in data["terms"]:
            merged = dict(data["terms"][name])
            merged.update(spec)
            data["terms"][name] = merged
        else:
            data["terms"][name] = dict(spec)
    return _validate(data, source, located)


def _validate(data: Any, source: str, located=None) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        if located is not None:
            msg, line, dotted = first_validation_problem(exc, located)
        else:
            err = exc.errors(include_url=False, include_input=False)[0]
            msg, line, dotted = err["msg"], None, ".".join(str(p) for p in err["loc"])
        raise ProfileError(msg, path=source, line=line, field=dotted) from None


def load_profile(path: str | Path | None = None) -> Profile:
    """Load a profile file (YAML or JSON). ``None`` loads the shipped default.

    A file with ``extends: default`` is applied as overrides to the default.
    """
    if path is None:
        path = rules_dir() / "profile.yaml"
    path = Path(path)
    label = str(path)
    text = read_yaml_text(path, lambda problem: ProfileError(problem, path=label), "profile")
    located = read_yaml(text, lambda problem, line: ProfileError(problem, path=label, line=line))
    data = located.data
    if not isinstance(data, dict):
        raise ProfileError("a profile must be a mapping", path=label)
    if "extends" in data:
        if data["extends"] != "default":
            raise ProfileError("only 'extends: default' is supported", path=label, field="extends")
        return _merge(default_profile(), data, source=label, id_suffix=f"+{path.stem}", located=located)
    return _validate(data, label, located)


@cache
def default_profile() -> Profile:
    """The shipped default profile (immutable; loaded once and shared)."""
    return load_profile(rules_dir() / "profile.yaml")


def _iso(td: timedelta) -> str:
    """ISO 8601 text of a whole-second, non-negative length (bounds are refused otherwise)."""
    if td.microseconds or td < timedelta(0):  # pragma: no cover - refused by Duration
        raise ValueError("only whole, non-negative seconds are written")
    secs = td.days * 86400 + td.seconds
    if secs == 0:
        return "PT0S"
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    out = "P"
    if days:
        out += f"{days}D"
    if hours or minutes or seconds:
        out += "T"
        if hours:
            out += f"{hours}H"
        if minutes:
            out += f"{minutes}M"
        if seconds:
            out += f"{seconds}S"
    return out


iso_duration = _iso
