"""A rule set: the rule files of a directory, its versions by date, and its settings.

``load_rules`` reads ``ruleset.yaml`` (name, version, the versions of the rules
by date, named settings such as the date circular 001 took effect) and every
rule file under ``duties/``, each checked by :mod:`.rules`. A bad file raises
:class:`RuleFileError` with the path, the line and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from .._common.errors import RuleFileError
from .resources import rules_dir
from .rules import MODALITIES, RuleFile, _Strict
from .events.base import Day
from .yamlread import read_yaml_model

__all__ = ["LoadedRule", "RuleSet", "RuleSetMeta", "RuleSetVersion", "load_rule_file", "load_rules"]


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
    in_force_from: Day | None = None
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
    settings: dict[str, Day] = Field(default_factory=dict)
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
