"""pytest plugin: collect scenario files (docs/scenarios.md) as tests in a downstream project.

Registered as the ``pytest11`` entry point ``samarbeid_rules``, so it is
loaded wherever samarbeid-rules is installed, and does nothing until a
project opts in by naming its scenario files, in ``pytest.ini``,
``pyproject.toml`` (``[tool.pytest.ini_options]``) or ``setup.cfg``::

    [pytest]
    samarbeid_scenarios = scenarios/*.yaml *.scenario.yaml

or on the command line: ``pytest --samarbeid-scenarios 'scenarios/*.yaml'``.
Each pattern is matched (``fnmatch``) against the file's path relative to the
root directory, and against its name alone; only ``.yaml``/``.yml`` files
are considered, so unrelated YAML is left alone. ``samarbeid_engine``
(``native`` or ``durable-rules``) and ``samarbeid_rules`` (a rule set
directory, relative to the root directory) choose how they are judged.

Each case and each variant is one test item, named ``case [variant]``; a
failure shows the file and line, the case, the variant, the expected and the
seen status, and the obligations' explanations (the same text as
``samarbeid-rules test``). An invalid file is a collection error naming the
file, line and field.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the library is imported only when a project collects scenario files
    from ._inputs.scenario import LoadedScenario, ScenarioVariant
    from ._uses.scenarios import ScenarioOutcome, _Rules

__all__ = ["ScenarioFile", "ScenarioItem"]

#: the suffixes a scenario file may have (as samarbeid_rules._uses.scenarios.SUFFIXES)
SUFFIXES = (".yaml", ".yml")
_RULES_CACHE: dict[str, _Rules] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "samarbeid_scenarios", type="args", default=[],
        help="glob patterns of samarbeid-rules scenario files to collect (e.g. scenarios/*.yaml)",
    )
    parser.addini("samarbeid_engine", default="native", help="engine for scenario files (native, durable-rules)")
    parser.addini("samarbeid_rules", default="", help="rule set directory for scenario files (default: shipped)")
    group = parser.getgroup("samarbeid-rules")
    group.addoption(
        "--samarbeid-scenarios", action="append", default=[], metavar="PATTERN",
        help="collect scenario files matching PATTERN (added to the samarbeid_scenarios ini option)",
    )


def _patterns(config: pytest.Config) -> list[str]:
    return [*config.getini("samarbeid_scenarios"), *config.getoption("samarbeid_scenarios")]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in SUFFIXES:
        return None
    patterns = _patterns(parent.config)
    if not patterns:
        return None
    try:
        rel = file_path.relative_to(parent.config.rootpath).as_posix()
    except ValueError:
        rel = file_path.as_posix()
    if any(fnmatch(rel, p) or fnmatch(file_path.name, p) for p in patterns):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFailure(Exception):
    """Raised by a scenario item whose expectation is not met."""

    def __init__(self, outcome: ScenarioOutcome) -> None:
        super().__init__(outcome.failure_text())
        self.outcome = outcome


class ScenarioFile(pytest.File):
    """One scenario file: its case and its variants."""

    def collect(self) -> Iterator[ScenarioItem]:
        from ._common.errors import SamarbeidError
        from ._inputs.scenario import load_scenario

        try:
            loaded = load_scenario(self.path)
        except SamarbeidError as exc:
            raise self.CollectError(str(exc)) from None
        for run in loaded.runs:
            name = "case" if run.variant is None else run.variant
            yield ScenarioItem.from_parent(self, name=name, loaded=loaded, run=run)


class ScenarioItem(pytest.Item):
    """One case or variant of a scenario file."""

    def __init__(self, *, loaded: LoadedScenario, run: ScenarioVariant, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded
        self.run = run

    def _rules(self) -> _Rules:
        from ._uses.scenarios import _Rules

        directory = self.config.getini("samarbeid_rules")
        if directory:
            directory = str(self.config.rootpath / directory)
        key = directory or ""
        if key not in _RULES_CACHE:
            _RULES_CACHE[key] = _Rules(directory or None)
        return _RULES_CACHE[key]

    def runtest(self) -> None:
        from ._uses.scenarios import _run_one

        engine = self.config.getini("samarbeid_engine") or "native"
        outcome = _run_one(self.loaded, self.run, engine=engine, rules=self._rules(), profile=self.loaded.profile)
        if not outcome.passed:
            raise ScenarioFailure(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return excinfo.value.outcome.failure_text()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.run.line - 1 if self.run.line is not None else None
        label = self.loaded.name if self.run.variant is None else f"{self.loaded.name} [{self.run.variant}]"
        return self.path, line, label
