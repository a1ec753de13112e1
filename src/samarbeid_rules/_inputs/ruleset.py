"""A rule set: the rule files of a directory, the legal bases they rest on, its settings.

``load_rules`` reads ``ruleset.yaml`` (name, version, named settings such as
the date circular 001 took effect, and the rule-set versions by date, each the
period of one circular), ``bases.yaml`` (the registry of legal bases, see
:mod:`.bases`) and every rule file under ``duties/``, each checked by
:mod:`.rules` and against the registry. A bad file raises
:class:`RuleFileError` with the path, the line and the field.

A rule file is in force on a day when one of the bases it names is
(:meth:`RuleSet.in_force_on`); two rule files of one duty (and part) may not
be in force on the same day unless their triggers cannot match the same event,
so obligation ids stay unique.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from .._common.errors import RuleFileError
from .._common.wording import did_you_mean, first_error, plain_problem
from .bases import BasesFile, InForce, Registry, resolve
from .resources import rules_dir
from .events.base import Day
from .rules import MODALITIES, EventPattern, RuleFile, _Strict, modality_name
from .yamlread import located_error, read_yaml_model, read_yaml_model_located

__all__ = [
    "Interval",
    "LoadedRule",
    "RuleSet",
    "RuleSetMeta",
    "RuleSetVersion",
    "load_registry",
    "load_rule_file",
    "load_rules",
    "shipped_registry",
]

#: a period of local calendar days: from the first (inclusive) to the second (exclusive; None = open)
Interval = tuple[date, "date | None"]


@dataclass(frozen=True)
class LoadedRule:
    """A rule file and where it came from."""

    path: str  #: the file
    rel: str  #: the file relative to the rule set directory (cited in reports)
    rule: RuleFile
    #: the line of the file's ``bases`` key (for errors found after loading)
    bases_line: int | None = field(default=None, compare=False)
    #: unique in the rule set: the relative path without ``.yaml``
    rule_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_id", self.rel.removesuffix(".yaml"))

    @property
    def duty(self) -> str:
        return self.rule.duty


class RuleSetVersion(_Strict):
    """A version of the rule set by date: the period in which its basis (a circular) is in force.

    The version names the era a trigger falls in (``g8-2006``, ``circular-2025``); what judges
    a trigger is the rule files' bases in force on its date, not the version."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    basis: str = Field(description="The basis of bases.yaml whose in-force period this version is.")


class RuleSetMeta(_Strict):
    name: str
    version: str
    title: str
    description: str = ""
    settings: dict[str, Day] = Field(default_factory=dict)
    setting_notes: dict[str, str] = Field(default_factory=dict)
    versions: list[RuleSetVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _versions(self) -> RuleSetMeta:
        ids = [v.id for v in self.versions]
        if len(set(ids)) != len(ids):
            raise ValueError("version ids must be unique")
        return self


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Overlapping and adjoining periods joined, in date order."""
    out: list[list[Any]] = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            if out[-1][1] is not None and (end is None or end > out[-1][1]):
                out[-1][1] = end
            continue
        out.append([start, end])
    return tuple((s, e) for s, e in out)


def _overlap(a: Sequence[Interval], b: Sequence[Interval]) -> date | None:
    """The first day two sets of periods share, or None."""
    best = None
    for s1, e1 in a:
        for s2, e2 in b:
            start = max(s1, s2)
            if (e1 is None or start < e1) and (e2 is None or start < e2):
                best = start if best is None else min(best, start)
    return best


def _values(op: str, value: Any) -> set[tuple[type, Any]] | None:
    """The values a condition admits, where that is a finite set (eq, in)."""
    if op == "eq":
        return {(type(value), value)}
    if op == "in":
        return {(type(v), v) for v in value}
    return None


def _disjoint(p: EventPattern, q: EventPattern) -> bool:
    """No event can match both patterns: other types, or a field with no admitted value in common."""
    if p.event != q.event:
        return True
    mine = {name: _values(op, v) for name, op, v in p.conditions()}
    for name, op, v in q.conditions():
        a, b = mine.get(name), _values(op, v)
        if a is not None and b is not None and not a & b:
            return True
    return False


@dataclass(frozen=True)
class RuleSet:
    """The rule files of a rule set, in a stable order (by rule id), with the legal bases resolved
    under the rule set's settings."""

    meta: RuleSetMeta
    rules: tuple[LoadedRule, ...]
    directory: str
    registry: Registry
    #: rule id → the periods in which the rule file is in force (one of its bases is)
    in_force: Mapping[str, tuple[Interval, ...]] = field(init=False, repr=False, compare=False)
    #: rule id → the rule file
    by_id: Mapping[str, LoadedRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = {}
        for r in self.rules:
            periods[r.rule_id] = _merge(self._period(b) for b in r.rule.bases)
        object.__setattr__(self, "in_force", periods)
        object.__setattr__(self, "by_id", {r.rule_id: r for r in self.rules})

    def _period(self, basis_id: str) -> Interval:
        b = self.registry.bases[basis_id]
        return b.start.day, b.end.day if b.end is not None else None

    # -- dates ----------------------------------------------------------------

    def basis(self, basis_id: str) -> InForce:
        """A basis of the registry, with its dates under the settings in use."""
        return self.registry.bases[basis_id]

    def in_force_on(self, loaded: LoadedRule, day: date) -> bool:
        """One of the rule file's bases is in force on ``day`` (a local date)."""
        return any(s <= day and (e is None or day < e) for s, e in self.in_force[loaded.rule_id])

    def bases_on(self, loaded: LoadedRule, first: date, last: date | None = None) -> list[str]:
        """The rule file's bases in force on some day from ``first`` to ``last`` (inclusive;
        ``None``: ``first`` only), in the rule file's order."""
        last = first if last is None else last
        out = []
        for bid in loaded.rule.bases:
            b = self.registry.bases[bid]
            if b.start.day <= last and (b.end is None or first < b.end.day):
                out.append(bid)
        return out

    def periods_json(self, loaded: LoadedRule) -> list[dict[str, str | None]]:
        """The rule file's in-force periods, JSON-ready: ``from`` and ``until`` (exclusive; null: open)."""
        return [{"from": a.isoformat(), "until": b.isoformat() if b is not None else None}
                for a, b in self.in_force[loaded.rule_id]]

    def version_on(self, day: date) -> str | None:
        """Id of the rule-set version whose basis is in force on ``day`` (None: none is)."""
        for v in self.meta.versions:
            if self.registry.bases[v.basis].on(day):
                return v.id
        return None

    def version_start(self, version_id: str) -> date:
        """The first day of a rule-set version (its basis's ``from`` under the settings in use)."""
        for v in self.meta.versions:
            if v.id == version_id:
                return self.registry.bases[v.basis].start.day
        raise KeyError(version_id)

    # -- selections -------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The rule set as JSON-able data: its citation, versions, settings, bases and every rule
        file (duty, part, bases, in-force periods, modality, actor, source, timing kind). What
        ``samarbeid-rules rules --format json`` prints and the service's ``/v1/rules`` serves."""
        return {
            "rule_set": self.citation(),
            "title": self.meta.title,
            "directory": self.directory,
            "versions": [
                {"id": v.id, "in_force_from": self.version_start(v.id).isoformat(), "title": v.title,
                 "basis": v.basis}
                for v in self.meta.versions
            ],
            "settings": {k: v.isoformat() for k, v in self.meta.settings.items()},
            "bases": self.registry.as_json(),
            "rules": [
                {
                    "duty": r.rule.duty,
                    "part": r.rule.part,
                    "bases": list(r.rule.bases),
                    "cites": list(r.rule.cites),
                    "in_force": self.periods_json(r),
                    "modality": r.rule.modality,
                    "actor": r.rule.actor,
                    "title": r.rule.title,
                    "source": {"document": r.rule.source.document, "section": r.rule.source.section,
                               "statute": r.rule.source.statute},
                    "timing": r.rule.timing.kind,
                    "rule_file": r.rel,
                }
                for r in self.rules
            ],
        }

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
            given = list(duties)
            wanted = set(given)
            known = {r.duty for r in rules}
            unknown = [d for d in given if d not in known]
            if unknown:
                # the ids are not repeated (a rejected value never is); the first is matched
                raise RuleFileError(unknown_duty_text(unknown[0], known, count=len(set(unknown))),
                                    path=self.directory)
            rules = tuple(r for r in rules if r.duty in wanted)
        if modalities is not None:
            mods = {modality_name(m) for m in modalities}
            bad = sorted(m for m in mods if m not in MODALITIES)
            if bad:
                raise RuleFileError(
                    f"unknown modality{did_you_mean(bad[0], MODALITIES)}; the modalities are "
                    f"{', '.join(MODALITIES)} ('bor' is accepted for 'bør')",
                    path=self.directory,
                )
            rules = tuple(r for r in rules if r.rule.modality in mods)
        return RuleSet(self.meta, rules, self.directory, self.registry)

    def with_settings(self, **settings: date) -> RuleSet:
        """A copy with settings replaced (e.g. the date circular 001 took effect): every basis
        and dated value that reads a setting moves with it."""
        unknown = sorted(set(settings) - set(self.meta.settings))
        if unknown:
            raise RuleFileError(
                f"unknown rule-set setting{did_you_mean(unknown[0], self.meta.settings)}; "
                f"the settings of {self.citation()} are {', '.join(sorted(self.meta.settings)) or '(none)'}",
                path=self.directory,
            )
        merged = {**self.meta.settings, **settings}
        try:
            meta = RuleSetMeta.model_validate({**self.meta.model_dump(), "settings": merged})
        except ValidationError as exc:
            raise RuleFileError(plain_problem(first_error(exc)), path=self.directory) from None
        registry = resolve(self.registry.file, merged, path=str(Path(self.directory) / "bases.yaml"))
        return _checked(RuleSet(meta, self.rules, self.directory, registry))


def unknown_duty_text(duty: str, known: Iterable[str], *, count: int = 1) -> str:
    """Says that ``duty`` has no rule, without repeating it: the closest duty id that has one,
    or (when none is close) every duty id that has one."""
    what = "this duty id" if count == 1 else f"{count} of the duty ids given"
    hint = did_you_mean(duty, known)
    return f"no rule for {what}{hint}" if hint else f"no rule for {what}; rules exist for: {', '.join(sorted(known))}"


def _checked(rs: RuleSet) -> RuleSet:
    """The checks that depend on the dates: versions in order and apart, dated values defined
    wherever a rule using them is in force, one rule file per duty (and part) on any day."""
    root = Path(rs.directory)
    starts = []
    for i, v in enumerate(rs.meta.versions):
        b = rs.registry.bases[v.basis]
        starts.append((b.start.day, b.end.day if b.end is not None else None, i))
    for (s1, e1, _), (s2, _e2, i) in zip(starts, starts[1:]):
        if s2 <= s1 or e1 is None or e1 > s2:
            raise RuleFileError(
                "versions must be listed oldest first, and their bases may not be in force on the same day",
                path=str(root / "ruleset.yaml"), field=f"versions.{i}.basis",
            )
    for r in rs.rules:
        periods = rs.in_force[r.rule_id]
        for name in r.rule.dated_values():
            first = rs.registry.values[name][0][0]
            if first is not None and periods and first.day > periods[0][0]:
                raise RuleFileError(
                    f"dated value {name!r} has no value before {first.day.isoformat()}, but the rule is in "
                    f"force from {periods[0][0].isoformat()}", path=r.path, line=r.bases_line, field="bases",
                )
    for duty_rules in _by_key(rs.rules).values():
        for a, b in combinations(duty_rules, 2):
            day = _overlap(rs.in_force[a.rule_id], rs.in_force[b.rule_id])
            if day is None:
                continue
            if all(_disjoint(p, q) for p in a.rule.trigger for q in b.rule.trigger):
                continue  # the same day, but never the same trigger: the obligation ids differ
            raise RuleFileError(
                f"duty {b.rule.key!r} is already judged on {day.isoformat()} by {a.path}; two rule files of "
                "one duty may be in force on the same day only if no event can trigger both",
                path=b.path, line=b.bases_line, field="bases",
            )
    return rs


def _by_key(rules: Iterable[LoadedRule]) -> dict[str, list[LoadedRule]]:
    out: dict[str, list[LoadedRule]] = {}
    for r in rules:
        out.setdefault(r.rule.key, []).append(r)
    return out


def load_rule_file(path: Path, root: Path | None = None, *, bases: BasesFile | None = None) -> LoadedRule:
    """One rule file; with ``bases``, its basis and dated-value names are checked against them."""
    rule, located = read_yaml_model_located(
        path, RuleFile, "rule file", context={"bases": bases} if bases is not None else None
    )
    for loc, problem in rule.ignored_keys()[:1]:
        raise located_error(located, str(path), loc, problem)
    rel = path.relative_to(root).as_posix() if root is not None else path.name
    return LoadedRule(str(path), rel, rule, located.line_of(("bases",)))


def load_registry(directory: str | Path | None = None) -> tuple[RuleSetMeta, Registry]:
    """A rule set's description and its legal-bases registry resolved under its settings, without
    its rule files (``None``: the shipped rule set). Raises RuleFileError as :func:`load_rules`."""
    root = Path(directory) if directory is not None else rules_dir()
    meta = read_yaml_model(root / "ruleset.yaml", RuleSetMeta, "rule set description")
    bases_path = root / "bases.yaml"
    if not bases_path.is_file():
        raise RuleFileError("a rule set needs bases.yaml, the registry of the legal bases its rules rest on",
                            path=str(bases_path))
    bases_file = read_yaml_model(bases_path, BasesFile, "legal-bases registry")
    for i, v in enumerate(meta.versions):
        if v.basis not in bases_file.bases:
            raise RuleFileError(f"version {v.id!r} names an unknown basis {v.basis!r} (bases.yaml)",
                                path=str(root / "ruleset.yaml"), field=f"versions.{i}.basis")
    return meta, resolve(bases_file, meta.settings, path=str(bases_path))


@cache
def shipped_registry() -> tuple[RuleSetMeta, Registry]:
    """:func:`load_registry` of the shipped rule set, read once."""
    return load_registry()


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Load every rule file (``duties/**/*.yaml``) of a rule set directory.

    ``None`` loads the shipped rule set. Raises RuleFileError for a bad file,
    a basis or dated value the registry (``bases.yaml``) does not have, a
    version whose basis is unknown, or two files judging the same duty (and
    part) on the same day.
    """
    root = Path(directory) if directory is not None else rules_dir()
    meta, registry = load_registry(root)
    rules = [load_rule_file(path, root, bases=registry.file) for path in sorted((root / "duties").rglob("*.yaml"))]
    if not rules:
        raise RuleFileError("no rule files found under duties/", path=str(root))
    rules.sort(key=lambda r: r.rule_id)
    return _checked(RuleSet(meta, tuple(rules), str(root), registry))
