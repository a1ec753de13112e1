"""``samarbeid-rules test``: run scenario files (docs/scenarios.md) and say which expectations fail."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from .._common.errors import SamarbeidError
from .._inputs.ruleset import load_rules
from .._outputs.scenario_report import scenario_junit_xml, scenario_summary, scenario_text
from .._pipeline.engines import ENGINE_NAMES, get_engine
from .._uses.scenarios import run_scenarios
from .common import EXIT_BAD_INPUT, EXIT_BREACH, EXIT_ENGINE, EXIT_OK

__all__ = ["add_scenarios_parser", "run_test"]

#: an expectation failed (the code ``check`` gives a breach)
EXIT_FAILED = EXIT_BREACH


def add_scenarios_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``test PATH... [--junit FILE] [--engine E] [--rules DIR] [-v]`` to a subparsers action."""
    p = subparsers.add_parser(
        "test",
        help="run scenario files: a timeline, what a duty should give, and variants",
        description=(
            "Run scenario files (YAML, docs/scenarios.md): judge each case and each variant, and report "
            "every expectation that is not met with the file, line, case, variant, expected and seen "
            "status, and the obligation's explanation. A directory is searched for *.yaml and *.yml files."
        ),
        epilog="exit codes: 0 all passed, 1 an expectation failed, 3 a scenario file is invalid, "
        "4 engine unavailable",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario file or directory")
    p.add_argument("--junit", default=None, metavar="FILE", help="also write JUnit XML to FILE")
    p.add_argument("--engine", choices=ENGINE_NAMES, default="native", help="matching engine")
    p.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    p.add_argument("-v", "--verbose", action="store_true", help="also list the passing cases")
    p.set_defaults(func=run_test)
    return p


def run_test(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``test``: 0 all passed, 1 a failure, 3 an invalid file (or rule set), 4 engine unavailable."""
    out = out if out is not None else sys.stdout
    try:
        get_engine(args.engine)
    except SamarbeidError as exc:
        print(f"samarbeid-rules: {exc}", file=sys.stderr)
        return EXIT_ENGINE
    try:
        rules = load_rules(args.rules) if args.rules else None
    except SamarbeidError as exc:
        print(f"samarbeid-rules: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"samarbeid-rules: {missing[0]}: no such file or directory", file=sys.stderr)
        return EXIT_BAD_INPUT
    outcomes = []
    for outcome in run_scenarios(args.paths, engine=args.engine, rules=rules):
        outcomes.append(outcome)
        if not outcome.passed or args.verbose:
            out.write(scenario_text(outcome))
    if not outcomes:
        print("samarbeid-rules: no scenario files (*.yaml, *.yml) found", file=sys.stderr)
        return EXIT_BAD_INPUT
    out.write(scenario_summary(outcomes))
    if args.junit:
        try:
            Path(args.junit).write_text(scenario_junit_xml(outcomes), encoding="utf-8")
        except OSError as exc:
            print(f"samarbeid-rules: {args.junit}: cannot write JUnit XML ({exc.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
    if any(o.error is not None for o in outcomes):
        return EXIT_BAD_INPUT
    return EXIT_FAILED if any(not o.passed for o in outcomes) else EXIT_OK
