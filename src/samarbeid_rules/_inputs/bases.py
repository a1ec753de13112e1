"""Legal bases as data: every document and statute the rule files cite, dated.

``rules/bases.yaml`` is the registry (see ``docs/rule-sets.md``). In the
manner of OpenFisca's law-as-data, each entry carries its own dates, and one
lookup answers "what is in force on this date":

- a **basis** (a circular, an Act's section, a point of the guidelines, an
  agreement, an audit) has an id, a title, where the seeds print it, whether
  a duty may rest on it (``norm``), the strings rule files cite it by
  (``cited_as``), and the day it came into force (``from``) and, where it was
  repealed or replaced, the first day it was no longer in force (``until``,
  exclusive);
- a **dated value** (the referral assessment period, the agencies a G-8/2006
  notice "to the social service" may go to) is a list of values, each from a
  date; the value on a day is the last one whose date is on or before it.

Every date says how it is known: ``verified`` (the seed and line that print
it, and the words there) or ``assumed`` (why). A date may be a named setting
of the rule set (``setting: circular_2025_effective``) or the ``from`` date of
another basis (``basis: hol-7-1``), so a date stated once is used everywhere.

:func:`resolve` turns the file into a :class:`Registry` under given settings;
:meth:`Registry.in_force_on` is the single lookup, :meth:`Registry.value_on`
the lookup of a dated value. Rule files name the bases they rest on; the
loader (:mod:`.ruleset`) checks every name against the registry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as Date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .._common.errors import RuleFileError

__all__ = [
    "BASIS_ID",
    "Basis",
    "BasesFile",
    "DateEntry",
    "DatedValue",
    "InForce",
    "Registry",
    "ResolvedDate",
    "ValueOn",
    "resolve",
]

BASIS_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
VALUE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

Confidence = Literal["verified", "assumed"]
Kind = Literal["circular", "guidelines", "act", "regulation", "agreement", "audit", "international"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DateEntry(_Strict):
    """A date, how it is known, and where it comes from.

    Exactly one of ``date`` (a calendar date), ``setting`` (a named setting of
    the rule set) or ``basis`` (the ``from`` date of another basis). A
    ``verified`` date names the seed and line (``source``) and quotes the words
    there (``quote``); an ``assumed`` one says ``why``. A date taken from another
    basis inherits its confidence.
    """

    date: Date | None = None
    setting: str | None = None
    basis: str | None = None
    confidence: Confidence | None = None
    source: str | None = Field(None, description="Seed and line that print it, e.g. '002 line 44'.")
    quote: str | None = Field(None, description="The words on that line that give the date.")
    why: str | None = Field(None, description="Why the date is assumed (it is not printed in the seeds).")

    @model_validator(mode="after")
    def _shape(self) -> DateEntry:
        given = [k for k in ("date", "setting", "basis") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'date', 'setting' or 'basis'")
        if self.basis is not None:
            if self.confidence is not None:
                raise ValueError("a date taken from another basis has that basis's confidence")
            return self
        if self.confidence is None:
            raise ValueError("say how the date is known: confidence 'verified' or 'assumed'")
        if self.confidence == "verified" and not (self.source and self.quote):
            raise ValueError("a verified date names its 'source' (seed and line) and 'quote's the words there")
        if self.confidence == "assumed" and not self.why:
            raise ValueError("an assumed date says 'why'")
        return self


class Basis(_Strict):
    """A document or a provision the rule files cite."""

    kind: Kind
    title: str = Field(min_length=1)
    seed: str | None = Field(None, description="The seed document key, where the basis is one (e.g. '001').")
    norm: bool = Field(True, description="A duty may rest on it (false: context only, e.g. an audit).")
    cited_as: list[str] = Field(default_factory=list, description="How source.statute texts cite it.")
    from_: DateEntry = Field(alias="from", description="The first day in force.")
    until: DateEntry | None = Field(None, description="The first day no longer in force (exclusive).")
    notes: str = ""


class ValueEntry(_Strict):
    """One value of a dated value, in force from a date (the first entry may have none)."""

    from_: DateEntry | None = Field(None, alias="from")
    value: int | list[str]


class DatedValue(_Strict):
    """A value that the law changed over time: the value on a day is the latest entry on or before it."""

    title: str = Field(min_length=1)
    unit: Literal["working_days", "values"]
    rests_on: list[str] = Field(min_length=1, description="The bases the values come from.")
    values: list[ValueEntry] = Field(min_length=1)
    notes: str = ""

    @model_validator(mode="after")
    def _shape(self) -> DatedValue:
        for i, entry in enumerate(self.values):
            if i and entry.from_ is None:
                raise ValueError("only the first value may leave out 'from'")
            if self.unit == "working_days" and not (isinstance(entry.value, int) and 1 <= entry.value <= 365):
                raise ValueError("a working_days value is a whole number from 1 to 365")
            if self.unit == "values" and not (isinstance(entry.value, list) and entry.value):
                raise ValueError("a 'values' value is a non-empty list of strings")
        return self


class BasesFile(_Strict):
    """``bases.yaml``: the registry as written."""

    bases: dict[str, Basis] = Field(min_length=1)
    values: dict[str, DatedValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> BasesFile:
        for bid, basis in self.bases.items():
            if not BASIS_ID.match(bid):
                raise ValueError(f"basis id {bid!r} must be lower case letters, digits, '.' and '-'")
            for entry in (basis.from_, basis.until):
                if entry is not None and entry.basis is not None and entry.basis not in self.bases:
                    raise ValueError(f"basis {bid!r} takes a date from an unknown basis {entry.basis!r}")
        for name, value in self.values.items():
            if not VALUE_NAME.match(name):
                raise ValueError(f"value name {name!r} must be lower case letters, digits and '_'")
            for bid in value.rests_on:
                if bid not in self.bases:
                    raise ValueError(f"value {name!r} rests on an unknown basis {bid!r}")
            for entry in value.values:
                if entry.from_ is not None and entry.from_.basis is not None and entry.from_.basis not in self.bases:
                    raise ValueError(f"value {name!r} takes a date from an unknown basis {entry.from_.basis!r}")
        return self


# --- resolved ----------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedDate:
    """A date as it applies under the settings in use."""

    day: Date
    assumed: bool
    how: str  #: "2006-01-01", "setting circular_2025_effective", "as hol-7-1"


@dataclass(frozen=True)
class InForce:
    """A basis with its dates resolved: in force on ``day`` iff ``start <= day < end``."""

    id: str
    basis: Basis
    start: ResolvedDate
    end: ResolvedDate | None

    def on(self, day: Date) -> bool:
        return self.start.day <= day and (self.end is None or day < self.end.day)

    @property
    def assumed(self) -> bool:
        """One of its dates is assumed."""
        return self.start.assumed or (self.end is not None and self.end.assumed)

    @property
    def title(self) -> str:
        return self.basis.title


@dataclass(frozen=True)
class ValueOn:
    """A dated value on a day: the value, and the dates that bound the entry it comes from."""

    name: str
    value: int | tuple[str, ...]
    since: ResolvedDate | None  #: the entry's date (None: the first entry, from the beginning)
    until: ResolvedDate | None  #: the next entry's date

    @property
    def assumed(self) -> bool:
        return any(d is not None and d.assumed for d in (self.since, self.until))

    def holds(self, item: Any) -> bool:
        """The value is a list of values (not a number), and ``item`` is one of them."""
        return isinstance(self.value, tuple) and item in self.value


class Registry:
    """The registry resolved under a rule set's settings; immutable."""

    def __init__(
        self,
        file: BasesFile,
        settings: Mapping[str, Date],
        bases: Mapping[str, InForce],
        values: Mapping[str, tuple[tuple[ResolvedDate | None, int | tuple[str, ...]], ...]],
    ) -> None:
        self.file = file
        self.settings = dict(settings)
        self.bases = dict(bases)
        self.values = dict(values)

    def in_force_on(self, day: Date) -> frozenset[str]:
        """The ids of the bases in force on ``day`` (a local calendar date)."""
        return frozenset(bid for bid, b in self.bases.items() if b.on(day))

    def value_on(self, name: str, day: Date) -> ValueOn | None:
        """The dated value ``name`` on ``day``, or None before its first entry."""
        entries = self.values[name]
        found = None
        for i, (since, value) in enumerate(entries):
            if since is None or since.day <= day:
                nxt = entries[i + 1][0] if i + 1 < len(entries) else None
                found = ValueOn(name, value, since, nxt)
        return found

    def as_json(self) -> list[dict[str, object]]:
        """Every basis with its dates under the settings in use, JSON-ready (``rules --format json``)."""
        return [
            {"id": b.id, "kind": b.basis.kind, "title": " ".join(b.title.split()), "norm": b.basis.norm,
             "in_force_from": b.start.day.isoformat(),
             "in_force_until": b.end.day.isoformat() if b.end is not None else None, "dates_assumed": b.assumed}
            for b in self.bases.values()
        ]

    def all_values_of(self, name: str) -> tuple[str, ...]:
        """Every value a 'values' dated value ever takes (what the engines match on)."""
        out: list[str] = []
        for _, value in self.values[name]:
            for v in value if isinstance(value, tuple) else ():
                if v not in out:
                    out.append(v)
        return tuple(out)


def resolve(file: BasesFile, settings: Mapping[str, Date], *, path: str = "bases.yaml") -> Registry:
    """The registry under ``settings``. Raises RuleFileError (field named) for an unknown
    setting, a date taken from a basis that itself takes its date from another one, an
    ``until`` not after ``from``, or dated values not in date order."""

    def one(entry: DateEntry, where: str) -> ResolvedDate:
        if entry.date is not None:
            return ResolvedDate(entry.date, entry.confidence == "assumed", entry.date.isoformat())
        if entry.setting is not None:
            if entry.setting not in settings:
                raise RuleFileError(f"unknown setting {entry.setting!r} (ruleset.yaml settings)", path=path,
                                    field=where)
            return ResolvedDate(settings[entry.setting], entry.confidence == "assumed", f"setting {entry.setting}")
        ref = file.bases[entry.basis].from_
        if ref.basis is not None:
            raise RuleFileError(f"{entry.basis!r} takes its date from another basis: name a date or a setting",
                                path=path, field=where)
        inner = one(ref, where)
        return ResolvedDate(inner.day, inner.assumed, f"as {entry.basis}")

    bases: dict[str, InForce] = {}
    for bid, basis in file.bases.items():
        start = one(basis.from_, f"bases.{bid}.from")
        end = one(basis.until, f"bases.{bid}.until") if basis.until is not None else None
        if end is not None and end.day <= start.day:
            raise RuleFileError(
                f"basis {bid!r} would be out of force ({end.day.isoformat()}) before it came into force "
                f"({start.day.isoformat()})", path=path, field=f"bases.{bid}.until",
            )
        bases[bid] = InForce(bid, basis, start, end)
    values: dict[str, tuple[tuple[ResolvedDate | None, int | tuple[str, ...]], ...]] = {}
    for name, dv in file.values.items():
        entries = []
        last: Date | None = None
        for i, entry in enumerate(dv.values):
            since = one(entry.from_, f"values.{name}.values.{i}.from") if entry.from_ is not None else None
            if since is not None and last is not None and since.day <= last:
                raise RuleFileError(f"the values of {name!r} must be in date order, with distinct dates",
                                    path=path, field=f"values.{name}.values.{i}.from")
            last = since.day if since is not None else last
            entries.append((since, tuple(entry.value) if isinstance(entry.value, list) else entry.value))
        values[name] = tuple(entries)
    return Registry(file, settings, bases, values)
