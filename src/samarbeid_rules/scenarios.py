"""Scenario files: cases a jurist writes in YAML, run from Python, the command line or pytest.

The format is described in ``docs/scenarios.md`` (JSON Schema:
:func:`scenario_json_schema`, also ``docs/scenario.schema.json``).

- :func:`load_scenario`: read and check one file (every problem a
  :class:`ScenarioError` with file, line and field);
- :func:`run_scenario`, :func:`run_scenarios`: judge the case and every
  variant; one :class:`ScenarioOutcome` each, with expected and seen status
  and the obligations' explanations (:meth:`ScenarioOutcome.failure_text`);
- :func:`scenario_junit_xml`: outcomes as JUnit XML.

``samarbeid-rules test PATH...`` runs them from the command line, and the
pytest plugin (``samarbeid_rules.pytest_plugin``, registered as a
``pytest11`` entry point) collects them in a project that opts in with the
``samarbeid_scenarios`` ini option.
"""

from ._common.errors import ScenarioError
from ._inputs.scenario import (
    STATUSES,
    Expectation,
    LoadedScenario,
    Scenario,
    ScenarioVariant,
    Variant,
    load_scenario,
    scenario_json_schema,
)
from ._outputs.scenario_report import scenario_junit_xml, scenario_summary, scenario_text
from ._uses.scenarios import ScenarioOutcome, SeenObligation, run_scenario, run_scenarios, scenario_files

__all__ = [
    "STATUSES",
    "Expectation",
    "LoadedScenario",
    "Scenario",
    "ScenarioError",
    "ScenarioOutcome",
    "ScenarioVariant",
    "SeenObligation",
    "Variant",
    "load_scenario",
    "run_scenario",
    "run_scenarios",
    "scenario_files",
    "scenario_json_schema",
    "scenario_junit_xml",
    "scenario_summary",
    "scenario_text",
]
