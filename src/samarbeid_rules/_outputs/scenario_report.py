"""Scenario outcomes for people and for CI: a text summary and JUnit XML.

JUnit XML (what CI systems show as test results): one ``<testsuite>`` per
scenario file, one ``<testcase>`` per case or variant, named
``case [variant]`` with the duty id as ``classname`` and ``file`` and
``line`` attributes. A variant whose expectation is not met is a
``<failure>`` (message: expected against seen; text: the obligations'
explanations); a file that cannot be read or checked is one ``<testcase>``
with an ``<error>`` carrying the located message. Deterministic: the same
outcomes give the same bytes. Like every output, it names ids, statuses and
the case's own names, never an event's values.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from itertools import groupby

from .._uses.scenarios import ScenarioOutcome
from .ci import _x

__all__ = ["scenario_junit_xml", "scenario_summary", "scenario_text"]


def scenario_junit_xml(outcomes: Iterable[ScenarioOutcome]) -> str:
    """JUnit XML of scenario outcomes (grouped by file, in the order given)."""
    root = ET.Element("testsuites", {"name": "samarbeid-rules scenarios"})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for path, group in groupby(outcomes, key=lambda o: o.path):
        items = list(group)
        suite = ET.SubElement(root, "testsuite", {"name": _x(path)})
        counts = {"tests": 0, "failures": 0, "errors": 0}
        for o in items:
            attrs = {"classname": _x(o.duty or "samarbeid-rules.scenario"), "name": _x(o.label), "file": _x(path)}
            if o.line is not None:
                attrs["line"] = str(o.line)
            case = ET.SubElement(suite, "testcase", attrs)
            counts["tests"] += 1
            if o.error is not None:
                counts["errors"] += 1
                err = ET.SubElement(case, "error", {"message": _x(o.error.splitlines()[0])})
                err.text = _x(o.error)
            elif not o.passed:
                counts["failures"] += 1
                fail = ET.SubElement(case, "failure", {"message": _x(f"expected {o.expected}, seen {o.seen}")})
                fail.text = _x(o.failure_text())
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def scenario_text(outcome: ScenarioOutcome) -> str:
    """One outcome as the command prints it: ``PASS``/``FAIL``/``ERROR`` and where; details on failure."""
    if outcome.error is not None:
        return f"ERROR {outcome.error}\n"
    if outcome.passed:
        return f"PASS  {outcome.where}: {outcome.label}\n"
    return "FAIL  " + outcome.failure_text()


def scenario_summary(outcomes: Iterable[ScenarioOutcome]) -> str:
    """``N passed, N failed, N errors in F files``."""
    items = list(outcomes)
    passed = sum(o.passed for o in items)
    errors = sum(o.error is not None for o in items)
    failed = len(items) - passed - errors
    files = len({o.path for o in items})
    return f"{passed} passed, {failed} failed, {errors} errors in {files} files\n"
