"""Scenario files: a timeline, an instant, what the law's duty should say, and minimal-change variants.

The format (``docs/scenarios.md``; JSON Schema: :func:`scenario_json_schema`)
is the one of the project's own ``rules/cases/*.yaml``, made public so
that a jurist can write a case without Python::

    duty: admission.continue_treatment          # the duty the case is about
    as_of: "2025-06-01T12:00:00+02:00"          # judged at this instant
    events: [...]                               # the timeline's events
    expect: {obligation: "...", status: fulfilled}
    violations:                                 # (or variants:) one change each
      - name: no follow-up
        remove: [fu]
        expect: {status: breached}

A variant makes exactly one change to the events: ``remove`` one event,
``move`` one event to another instant, ``set`` fields of one event, or
``add`` one event. Loading checks the whole file and each variant's
timeline before anything is judged; every problem is a
:class:`~samarbeid_rules.ScenarioError` naming the file, the line and the
field, never the value.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._common.errors import ProfileError, ScenarioError, TimelineError
from .profile import Profile, default_profile
from .timeline import Timeline, timeline_json_schema, validate_timeline
from .yamlread import LocatedData, first_validation_problem, read_yaml

__all__ = [
    "STATUSES",
    "Expectation",
    "LoadedScenario",
    "Scenario",
    "ScenarioVariant",
    "Variant",
    "load_scenario",
    "scenario_json_schema",
]

#: the statuses an expectation may name (``Status`` values of a report)
STATUSES = ("due", "fulfilled", "contested", "fulfilled_late", "breached", "followed_late", "not_followed")

#: person used when a scenario gives none (or gives only part of one)
DEFAULT_PERSON = {"id": "person-1", "birth_date": "1990-01-01"}
DEFAULT_PRISON = "prison-1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(_Strict):
    """What the report should say about the duty: a status, or that no obligation arises."""

    obligation: str | None = Field(
        None,
        description="Obligation id (e.g. 'admission.continue_treatment:adm'); unset: every obligation of "
        "the duty. A variant without it uses the case's.",
    )
    status: Literal[STATUSES] | None = Field(  # type: ignore[valid-type]
        None, description="Every matching obligation has this status."
    )
    absent: bool = Field(False, description="true: no matching obligation arises.")

    @model_validator(mode="after")
    def _one_of(self) -> Expectation:
        if self.absent and self.status is not None:
            raise ValueError("give either status or absent: true, not both")
        if not self.absent and self.status is None:
            raise ValueError("give status (or absent: true)")
        return self


class Variant(_Strict):
    """A named smallest change to the case's events, with what it should give."""

    name: str = Field(min_length=1, description="Shown in failures and test reports.")
    remove: list[str] | None = Field(None, description="Ids of the event to leave out (one).")
    move: dict[str, AwareDatetime] | None = Field(None, description="Event id: its new instant (one).")
    set: dict[str, dict[str, Any]] | None = Field(None, description="Event id: fields to change (one event).")
    add: list[dict[str, Any]] | None = Field(None, description="An event to add (one).")
    expect: Expectation
    note: str | None = Field(None, description="Free text for the reader; not used.")

    @model_validator(mode="after")
    def _one_change(self) -> Variant:
        n = sum(len(x) for x in (self.remove, self.move, self.set, self.add) if x is not None)
        if n != 1:
            raise ValueError(
                f"a variant makes exactly one change (one remove, move, set or add); this one makes {n}"
            )
        return self


class Scenario(_Strict):
    """One case: a timeline judged at ``as_of``, its expectation and its variants."""

    duty: str = Field(min_length=1, description="Duty id, as in the rule files (e.g. exclusion.notify_doctor).")
    name: str | None = Field(None, description="Case name in reports; default: the file name.")
    description: str | None = Field(None, description="Free text for the reader; not used.")
    as_of: AwareDatetime = Field(description="Instant the timeline is judged at, with its UTC offset.")
    case_id: str | None = Field(None, description="Case id of the timeline; default 'case-<duty>'.")
    prison_id: str | None = Field(None, description="Prison id of the timeline; default 'prison-1'.")
    person: dict[str, Any] | None = Field(
        None, description="id and birth_date of the person; each defaults (person-1, 1990-01-01)."
    )
    profile: dict[str, Any] | None = Field(
        None, description="Overrides of the default interpretation profile (terms, settings)."
    )
    settings: dict[str, date] | None = Field(
        None, description="Rule-set settings, e.g. circular_2025_effective: 2025-07-01."
    )
    events: list[dict[str, Any]] = Field(description="The timeline's events, as in a timeline file.")
    decoys: list[str] = Field(
        default_factory=list,
        description="Ids of events the case holds only to show that they do not count (another admission, "
        "an earlier request): their own obligations may fail. Left out, with the events answering them and "
        "the variants that use them, where a fully compliant timeline is drawn from the case "
        "(samarbeid_rules.testing).",
    )
    expect: Expectation
    violations: list[Variant] = Field(default_factory=list, description="Variants (the original name).")
    variants: list[Variant] = Field(default_factory=list, description="More variants (the same format).")


@dataclass(frozen=True)
class ScenarioVariant:
    """One timeline to judge: the case itself (``variant`` None) or one variant of it."""

    variant: str | None
    line: int | None
    timeline: Timeline
    expect: Expectation


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario file: the case and every variant's timeline, ready to judge."""

    path: str
    name: str
    scenario: Scenario
    line: int | None
    runs: tuple[ScenarioVariant, ...]
    profile: Profile

    @property
    def duty(self) -> str:
        return self.scenario.duty


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file; events are checked against the timeline's event types."""
    schema = Scenario.model_json_schema()
    tl = timeline_json_schema()
    defs = schema.setdefault("$defs", {})
    for name, value in tl.get("$defs", {}).items():
        defs.setdefault(name, value)
    event_items = tl["properties"]["events"]["items"]
    schema["properties"]["events"]["items"] = event_items
    variant = defs["Variant"]["properties"]
    variant["add"] = {
        "anyOf": [{"type": "array", "items": event_items, "minItems": 1, "maxItems": 1}, {"type": "null"}],
        "default": None, "description": variant["add"].get("description", ""),
    }
    schema["title"] = "samarbeid-rules scenario file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _fail(path: str):
    return lambda problem, line: ScenarioError(problem, path=path, line=line)


def load_scenario(path: str | Path, *, text: str | None = None) -> LoadedScenario:
    """Read and check a scenario file; raises :class:`ScenarioError` (file, line, field)."""
    label = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
            raise ScenarioError(f"cannot read scenario file ({reason})", path=label) from None
    located = read_yaml(text, _fail(label))
    if not isinstance(located.data, dict):
        raise ScenarioError("a scenario file must be a mapping (duty:, as_of:, events:, expect: ...)",
                            path=label, line=1)
    try:
        scenario = Scenario.model_validate(located.data)
    except ValidationError as exc:
        msg, line, dotted = first_validation_problem(exc, located)
        raise ScenarioError(_plain(msg), path=label, line=line, field=dotted) from None
    name = scenario.name or Path(label).name.removesuffix(".yaml").removesuffix(".yml")
    profile = default_profile()
    if scenario.profile is not None:
        try:
            profile = profile.with_overrides(scenario.profile)
        except ProfileError as exc:
            where = ("profile", *exc.field.split(".")) if exc.field else ("profile",)
            raise ScenarioError(f"profile: {exc.problem}", path=label, line=located.line_of(where),
                                field=_dotted(where)) from None
    base = _base_timeline(scenario)
    ids = {e.get("id") for e in base["events"] if isinstance(e, dict)}
    for i, d in enumerate(scenario.decoys):
        if d not in ids:
            raise ScenarioError("decoys: no event with this id in the case's events", path=label,
                                line=located.line_of(("decoys", i)), field=f"decoys.{i}")
    origins: list[tuple[Any, ...]] = [("events", i) for i in range(len(base["events"]))]
    runs = [ScenarioVariant(None, located.line_of(("expect",)),
                            _validated(base, origins, located, label, ("events",)), scenario.expect)]
    for key in ("violations", "variants"):
        for i, v in enumerate(getattr(scenario, key)):
            where = (key, i)
            data, v_origins = _apply(base, origins, v, where, located, label)
            expect = v.expect
            if expect.obligation is None and scenario.expect.obligation is not None:
                expect = expect.model_copy(update={"obligation": scenario.expect.obligation})
            runs.append(ScenarioVariant(v.name, located.line_of(where),
                                        _validated(data, v_origins, located, label, where), expect))
    return LoadedScenario(label, name, scenario, located.line_of(("duty",)), tuple(runs), profile)


def _plain(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def _base_timeline(s: Scenario) -> dict[str, Any]:
    person = {**DEFAULT_PERSON, **(s.person or {})}
    return {
        "case_id": s.case_id or f"case-{s.duty}",
        "prison_id": s.prison_id if s.prison_id is not None else DEFAULT_PRISON,
        "person": person,
        "events": copy.deepcopy(s.events),
    }


def _apply(base: dict[str, Any], origins: list[tuple[Any, ...]], v: Variant, where: tuple[Any, ...],
           located: LocatedData, label: str) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The base timeline with the variant's one change, and where each event was written."""
    tl = copy.deepcopy(base)
    events: list[dict[str, Any]] = tl["events"]
    index = {e.get("id"): i for i, e in enumerate(events) if isinstance(e, dict)}
    origins = list(origins)

    def find(kind: str, eid: str) -> int:
        i = index.get(eid)
        if i is None:
            path = (*where, kind, eid) if kind != "remove" else (*where, kind, 0)
            raise ScenarioError(f"{kind}: no event with this id in the case's events",
                                path=label, line=located.line_of(path), field=_dotted(path))
        return i

    for eid in v.remove or []:
        i = find("remove", eid)
        del events[i]
        del origins[i]
    for eid in v.move or {}:
        i = find("move", eid)
        events[i]["at"] = located.data[where[0]][where[1]]["move"][eid]
        origins[i] = (*where, "move", eid)
    for eid, fields in (v.set or {}).items():
        i = find("set", eid)
        if "id" in fields:
            raise ScenarioError("set: an event's id cannot be changed (remove it and add another)",
                                path=label, line=located.line_of((*where, "set", eid, "id")),
                                field=_dotted((*where, "set", eid, "id")))
        events[i].update(fields)
        origins[i] = (*where, "set", eid)
    for k, ev in enumerate(v.add or []):
        events.append(copy.deepcopy(ev))
        origins.append((*where, "add", k))
    return tl, origins


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


def _validated(data: dict[str, Any], origins: list[tuple[Any, ...]], located: LocatedData, label: str,
               where: tuple[Any, ...]) -> Timeline:
    """The timeline of ``data``; a problem is located where the bad event (or the change) was written."""
    try:
        return validate_timeline(data, source=label)
    except TimelineError as exc:
        field = tuple(exc.field.split(".")) if exc.field else ()
        if exc.index is not None and 0 <= exc.index < len(origins):
            origin = origins[exc.index]
            if origin[0] == "events" or origin[-2] == "add":
                path = (*origin, *field)
            elif origin[-2] == "set" and field and field[0] in (located.data[origin[0]][origin[1]]["set"]
                                                                 .get(origin[-1]) or {}):
                path = (*origin, *field)
            else:
                path = origin
        elif field and field[0] == "person":
            path = ("person", *field[1:]) if "person" in located.data else ("events",)
        else:
            path = where
        problem = exc.problem
        if where[0] != "events":
            problem = f"in variant {where[0]}[{where[1]}]: {problem}"
        raise ScenarioError(problem, path=label, line=located.line_of(path), field=_dotted(path)) from None


def as_of_of(s: Scenario) -> datetime:
    """The instant a scenario is judged at."""
    return s.as_of
