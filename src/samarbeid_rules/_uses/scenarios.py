"""Running scenario files: judge each case and variant, compare with what it expects.

:func:`run_scenario` judges every timeline of a loaded scenario file (the
case, then each variant in file order) and returns one
:class:`ScenarioOutcome` per timeline: passed or not, what was expected and
what was seen, and the explanation the report gives for each obligation of
the duty. :func:`run_scenarios` does the same for files and directories,
and turns a bad file into an outcome carrying its located error, so one bad
file does not hide the others. The command ``samarbeid-rules test`` and the
pytest plugin both use these, so a failure reads the same in a terminal, in
JUnit XML and in pytest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .._common.errors import SamarbeidError
from .._inputs.profile import Profile
from .._inputs.ruleset import RuleSet, load_rules, unknown_duty_text
from .._inputs.scenario import Expectation, LoadedScenario, ScenarioVariant, load_scenario
from .._pipeline.compile import CompiledRules, compile_rules
from .._pipeline.evaluate import evaluate, prepare_rules
from .._pipeline.report import Obligation, Report

__all__ = ["ScenarioOutcome", "SeenObligation", "run_scenario", "run_scenarios", "scenario_files"]

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SeenObligation:
    """An obligation the expectation looked at: its id, status and the report's explanation."""

    id: str
    status: str
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioOutcome:
    """The result of one timeline of a scenario file (or a file that could not be read).

    ``variant`` is None for the case itself. ``error`` is set (and
    ``passed`` False) when the file is invalid or the timeline could not be
    judged; it is the located message, never a value from the file.
    """

    path: str
    case: str
    duty: str | None
    variant: str | None
    line: int | None
    passed: bool
    expected: str
    seen: str
    obligations: tuple[SeenObligation, ...] = ()
    error: str | None = None
    engine: str = "native"

    @property
    def label(self) -> str:
        """``case`` or ``case [variant]``, as tests are named."""
        return self.case if self.variant is None else f"{self.case} [{self.variant}]"

    @property
    def where(self) -> str:
        """``FILE:LINE`` of the case or variant."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def failure_text(self) -> str:
        """What went wrong, in a few lines: where, expected against seen, and the explanations."""
        if self.error is not None:
            return f"{self.error}\n"
        who = f"variant {self.variant!r}" if self.variant is not None else "the case itself"
        lines = [
            f"{self.where}: {self.case}, {who} ({self.engine} engine)",
            f"  duty      {self.duty}",
            f"  expected  {self.expected}",
            f"  seen      {self.seen}",
        ]
        for o in self.obligations:
            lines.append(f"  {o.id}: {o.status}")
            lines += [f"    - {text}" for text in o.explanation]
        return "\n".join(lines) + "\n"


@dataclass
class _Rules:
    """Compiled rule sets by settings, so a directory of scenarios compiles each once."""

    base: RuleSet | CompiledRules | str | Path | None
    cache: dict[tuple[tuple[str, date], ...], CompiledRules] = field(default_factory=dict)

    def get(self, settings: dict[str, date] | None) -> CompiledRules:
        key = tuple(sorted((settings or {}).items()))
        if key not in self.cache:
            if not key:
                self.cache[key] = prepare_rules(self.base)
            else:
                base = self.base
                if isinstance(base, CompiledRules):
                    base = base.rule_set
                rule_set = base if isinstance(base, RuleSet) else load_rules(base)
                self.cache[key] = compile_rules(rule_set.with_settings(**dict(key)))
        return self.cache[key]


def _expected_text(e: Expectation) -> str:
    target = e.obligation or "every obligation of the duty"
    return f"absent ({target})" if e.absent else f"{e.status} ({target})"


def _seen(o: Obligation) -> SeenObligation:
    return SeenObligation(o.id, o.status.value, tuple(o.explanation))


def _judge(report: Report, expect: Expectation, duty: str) -> tuple[bool, str, tuple[SeenObligation, ...]]:
    ob_id = expect.obligation
    if ob_id is not None:
        matching = [o for o in report.obligations if o.id == ob_id]
    else:
        matching = [o for o in report.obligations if o.duty_id == duty]
    seen = tuple(_seen(o) for o in matching)
    if expect.absent:
        if not matching:
            return True, "absent", seen
        return False, ", ".join(f"{o.status.value} ({o.id})" for o in matching), seen
    if not matching:
        same_duty = [o.id for o in report.obligations if o.duty_id == duty]
        have = ", ".join(same_duty) if same_duty else "none"
        return False, f"absent (obligations of {duty}: {have})", seen
    statuses = sorted({o.status.value for o in matching})
    text = ", ".join(f"{o.status.value} ({o.id})" for o in matching)
    return statuses == [expect.status], text, seen


def _run_one(loaded: LoadedScenario, run: ScenarioVariant, *, engine: str, rules: _Rules,
             profile: Profile) -> ScenarioOutcome:
    s = loaded.scenario
    base = dict(path=loaded.path, case=loaded.name, duty=s.duty, variant=run.variant, line=run.line,
                expected=_expected_text(run.expect), engine=engine)
    try:
        compiled = rules.get(s.settings)
        duties = compiled.rule_set.by_duty()
        if s.duty not in duties:  # a misspelt duty would make every 'absent' expectation pass
            where = loaded.path if loaded.line is None else f"{loaded.path}:{loaded.line}"
            return ScenarioOutcome(**base, passed=False, seen="not judged",
                                   error=f"{where}: duty: {unknown_duty_text(s.duty, duties)}")
        report = evaluate(run.timeline, as_of=s.as_of, rules=compiled, profile=profile, engine=engine)
    except SamarbeidError as exc:
        return ScenarioOutcome(**base, passed=False, seen="not judged", error=f"{run_where(loaded, run)}: {exc}")
    passed, seen_text, seen = _judge(report, run.expect, s.duty)
    return ScenarioOutcome(**base, passed=passed, seen=seen_text, obligations=seen)


def run_where(loaded: LoadedScenario, run: ScenarioVariant) -> str:
    return loaded.path if run.line is None else f"{loaded.path}:{run.line}"


def run_scenario(
    scenario: LoadedScenario | str | Path,
    *,
    engine: str = "native",
    rules: RuleSet | CompiledRules | str | Path | None = None,
    _rules: _Rules | None = None,
) -> list[ScenarioOutcome]:
    """Judge the case and every variant of one scenario file; one outcome each, in file order.

    ``scenario`` is a path or a :class:`LoadedScenario`; an invalid file
    raises :class:`~samarbeid_rules.ScenarioError`. ``rules`` is the rule
    set (default: the shipped one); a scenario's ``settings`` apply on top.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    cache = _rules or _Rules(rules)
    return [_run_one(loaded, run, engine=engine, rules=cache, profile=loaded.profile) for run in loaded.runs]


def scenario_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files named, and the ``*.yaml``/``*.yml`` files under each directory named (sorted, recursive)."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        else:
            yield path


def run_scenarios(
    paths: Iterable[str | Path],
    *,
    engine: str = "native",
    rules: RuleSet | CompiledRules | str | Path | None = None,
) -> Iterator[ScenarioOutcome]:
    """Outcomes of every scenario file of ``paths`` (files or directories), file by file.

    A file that is missing or invalid gives one outcome with its located
    ``error``; the others are still run.
    """
    cache = _Rules(rules)
    for path in scenario_files(paths):
        try:
            loaded = load_scenario(path)
        except SamarbeidError as exc:
            yield ScenarioOutcome(path=str(path), case=path.name, duty=None, variant=None,
                                  line=getattr(exc, "line", None), passed=False, expected="a valid scenario file",
                                  seen="invalid", error=str(exc), engine=engine)
            continue
        yield from run_scenario(loaded, engine=engine, _rules=cache)
