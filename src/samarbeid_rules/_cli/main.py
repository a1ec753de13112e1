"""The ``samarbeid-rules`` command: a thin layer over the library.

Commands: check, batch, generate, rules, schema, coverage, explain (here);
check-institution (``institution.py``), test (``scenarios.py``), serve, store,
audit and token (``serve.py``). ``docs/cli.md`` gives every option.

Exit codes (see ``docs/cli.md``): 0 no breach, 1 at least one breach, 2 usage
error (or an output that cannot be written), 3 bad input (timeline, profile or
rule file), 4 engine unavailable, 5 internal error (a bug: one line on stderr,
never a traceback), 6 the run could not finish (a batch worker died, the engine
failed), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from .._common.version import __version__
from .._pipeline.engines import get_engine
from .._common.errors import (
    BatchAbortedError,
    EngineFailedError,
    EngineUnavailableError,
    SamarbeidError,
    TimelineError,
    escaped,
)
from .._pipeline.evaluate import check_profile_terms, evaluate, prepare_rules, resolve_profile
from .._outputs.render import report_table
from .._uses.coverage import coverage, coverage_markdown, coverage_table
from .._uses.sentences import sentences_markdown, sentences_table
from .._uses.explain import explain
from .batch import add_batch_commands, failed_item, report_item, write_jsonl_lines, write_junit_file
from .common import (
    EXIT_ABORTED,
    EXIT_BAD_INPUT,
    EXIT_BREACH,
    EXIT_ENGINE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    MAX_PROCESSES,
    PROG,
    STDIN,
    STDIN_LABEL,
    STOP,
    StopSignals,
    Terminated,
    add_evaluation_options,
    add_fail_on,
    as_of_arg,
    check_stop,
    error,
    fails,
    read_stdin,
)
from .institution import add_institution_parser
from .scenarios import add_scenarios_parser
from .serve import add_service_parsers
from .._common.wording import did_you_mean
from .._inputs.rules import MODALITIES, modality_name
from .._inputs.ruleset import load_rules, unknown_duty_text
from .._inputs.timeline import load_timeline, timeline_json_schema

__all__ = [
    "main", "EXIT_OK", "EXIT_BREACH", "EXIT_USAGE", "EXIT_BAD_INPUT", "EXIT_ENGINE", "EXIT_INTERNAL",
    "EXIT_ABORTED", "EXIT_INTERRUPTED", "EXIT_TERMINATED", "MAX_PROCESSES",
]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Check custody timelines against the duties of the prison and the health services.",
        epilog="exit codes: 0 no breach, 1 breach, 2 usage error, 3 bad input, 4 engine unavailable",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="evaluate timeline files and report their obligations",
        description="Evaluate each timeline file and report its obligations.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="timeline JSON file (-: standard input)")
    add_evaluation_options(check)
    check.add_argument(
        "--format", choices=("table", "json", "jsonl"), default="table",
        help="output format (jsonl: one line per obligation, see docs/batch.md)",
    )
    check.add_argument("--junit", default=None, metavar="FILE", help="also write JUnit XML to FILE")
    add_fail_on(check)
    _rule_set_options(check)
    check.set_defaults(func=_cmd_check)

    rules = sub.add_parser(
        "rules", help="list the rules of a rule set", description="List the rules of a rule set."
    )
    rules.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    rules.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    rules.set_defaults(func=_cmd_rules)

    schema = sub.add_parser(
        "schema", help="print the JSON Schema of a timeline (or of a report)",
        description="Print the JSON Schema of a timeline file, or with --report of the report "
        "(check --format json).",
    )
    schema.add_argument(
        "--report", action="store_true",
        help="the schema of a report (as GET /v1/schemas/report gives it) instead of a timeline's",
    )
    schema.set_defaults(func=_cmd_schema)
    add_batch_commands(sub)

    cov = sub.add_parser(
        "coverage", help="every catalog duty id: how it is judged, rule files, tests",
        description="The coverage matrix: every duty id of the catalog with its rule files, the tests that "
        "exercise it, and the sentences of the sources that are not judged, with reasons.",
    )
    cov.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    cov.add_argument("--format", choices=("table", "json", "markdown"), default="table", help="output format")
    cov.add_argument("--sentences", action="store_true",
                     help="account for every modal sentence of the sources (exit 1 if one is unaccounted)")
    cov.set_defaults(func=_cmd_coverage)

    exp = sub.add_parser(
        "explain", help="why a duty arose or did not, its deadline and what fulfilled it",
        description="Explain one duty on one timeline: the obligations it gave (trigger, conditions, deadline "
        "computation, fulfilment) and, for events that did not trigger it, the condition not met.",
    )
    exp.add_argument("file", metavar="FILE", help="timeline JSON file (-: standard input)")
    exp.add_argument("duty", metavar="DUTY", help="duty id, e.g. exclusion.notify_doctor")
    exp.add_argument("--as-of", type=as_of_arg, default=None, metavar="ISO", help="instant to judge at")
    exp.add_argument("--profile", default=None, metavar="FILE", help="interpretation profile (YAML)")
    exp.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    exp.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_fail_on(exp)
    _rule_set_options(exp, modality=False)
    exp.set_defaults(func=_cmd_explain)

    add_institution_parser(sub)  # sets func=run_check_institution
    add_scenarios_parser(sub)  # sets func=run_test
    add_service_parsers(sub)  # serve, store, audit, token (docs/service.md)
    return p


def _setting(text: str) -> tuple[str, date]:
    key, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        return key.strip(), date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("expected KEY=YYYY-MM-DD") from None


def _modalities(text: str) -> list[str]:
    mods = [modality_name(m.strip()) for m in text.split(",") if m.strip()]
    bad = [m for m in mods if m not in MODALITIES]
    if bad or not mods:
        hint = did_you_mean(bad[0], MODALITIES) if bad else ""
        raise argparse.ArgumentTypeError(
            f"modalities are {', '.join(MODALITIES)} (comma-separated; bor for bør){hint}"
        )
    return mods


def _rule_set_options(p: argparse.ArgumentParser, *, modality: bool = True) -> None:
    p.add_argument(
        "--setting", type=_setting, action="append", default=[], metavar="KEY=DATE",
        help="rule-set setting, e.g. circular_2025_effective=2025-07-01 (repeatable)",
    )
    if modality:
        p.add_argument(
            "--modality", type=_modalities, default=None, metavar="LIST",
            help=f"judge only these modalities, comma-separated: {','.join(MODALITIES)} (bor for bør)",
        )


def _selected_rules(args: argparse.Namespace):
    """The rule set named by --rules, with --setting and --modality applied."""
    rule_set = load_rules(args.rules)
    if args.setting:
        rule_set = rule_set.with_settings(**dict(args.setting))
    if getattr(args, "modality", None):
        rule_set = rule_set.only(modalities=args.modality)
    return rule_set


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    # The engine, the rules and the profile are shared by every file: settle them once.
    if not _one_stdin(args, args.files):
        return EXIT_USAGE
    try:
        engine = get_engine(args.engine)
    except EngineUnavailableError as exc:
        error(f"engine {args.engine!r} is unavailable: {exc}")
        return EXIT_ENGINE
    try:
        compiled = prepare_rules(_selected_rules(args))
        profile = resolve_profile(args.profile)
        check_profile_terms(compiled, profile)
    except SamarbeidError as exc:
        error(exc)
        return EXIT_BAD_INPUT

    reports = []
    items = []  # BatchItems, for --format jsonl and --junit
    bad_input = engine_failed = False
    for name in args.files:
        check_stop()
        from_stdin = name == STDIN
        if from_stdin:
            name = STDIN_LABEL
        try:
            # decided by the argument '-', not by the label: a file named '<stdin>' is a file
            timeline = load_timeline(read_stdin(TimelineError), name=STDIN_LABEL) if from_stdin else Path(name)
            report = evaluate(
                timeline, as_of=args.as_of, rules=compiled, profile=profile, engine=engine.name
            )
        except EngineUnavailableError as exc:  # pragma: no cover - settled above
            error(f"engine {args.engine!r} is unavailable: {exc}")
            return EXIT_ENGINE
        except EngineFailedError as exc:
            error(f"{name}: {exc}")
            engine_failed = True
            items.append(failed_item(name, exc))
            continue
        except SamarbeidError as exc:
            error(exc)
            bad_input = True
            items.append(failed_item(name, exc))
            continue
        reports.append(report)
        items.append(report_item(name, report))
        if args.format == "table":
            if len(args.files) > 1:
                out.write(f"== {escaped(name)}\n")
            out.write(report_table(report))
            if len(args.files) > 1:
                out.write("\n")

    if args.format == "json":
        if len(args.files) == 1:
            if reports:
                out.write(reports[0].to_json(indent=2) + "\n")
        else:
            data = [json.loads(r.to_json()) for r in reports]
            out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if args.format == "jsonl":
        write_jsonl_lines(items, out)
    if args.junit is not None and not write_junit_file(args.junit, items):
        return EXIT_USAGE

    if engine_failed:
        return EXIT_ABORTED
    if bad_input:
        return EXIT_BAD_INPUT
    if _fails(args.fail_on, [o for r in reports for o in r.obligations]):
        return EXIT_BREACH
    return EXIT_OK


def _fails(fail_on: list[list[str]] | None, obligations: list[Any]) -> bool:
    """Whether these obligations give exit 1 under ``--fail-on`` (default: a breach)."""
    return fails(
        fail_on,
        breaches=sum(1 for o in obligations if o.breach),
        contested=sum(1 for o in obligations if o.status.value == "contested"),
        not_followed=sum(1 for o in obligations if o.status.value == "not_followed"),
    )


def _one_stdin(args: argparse.Namespace, names: list[str]) -> bool:
    """Standard input (``-``) can be read once: a second ``-`` is a usage error."""
    if names.count(STDIN) > 1:
        error("standard input (-) can be given only once")
        return False
    return True


def _cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    try:
        described = load_rules(args.rules).describe()
    except SamarbeidError as exc:
        error(exc)
        return EXIT_BAD_INPUT
    rows = described["rules"]
    if args.format == "json":
        out.write(json.dumps(described, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    header = ("DUTY", "MODALITY", "ACTOR", "TIMING", "SOURCE", "BASES", "RULE FILE")
    table = [
        (
            row["duty"] + (f" / {row['part']}" if row["part"] else ""),
            row["modality"],
            row["actor"],
            row["timing"],
            f"{row['source']['document']} sec. {row['source']['section']}",
            ",".join(row["bases"]),
            row["rule_file"],
        )
        for row in rows
    ]
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    out.write(f"rule set  {described['rule_set']}  ({described['directory']})\n\n")
    out.write(line(header) + "\n")
    for cells, row in zip(table, rows):
        out.write(line(cells) + "\n")
        out.write(f"    {row['title']}\n")
        if row["source"]["statute"]:
            out.write(f"    {row['source']['statute']}\n")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.report:
        from .._pipeline.report import Report

        schema = Report.model_json_schema(mode="serialization")
    else:
        schema = timeline_json_schema()
    out.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def _cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    try:
        cov = coverage(args.rules)
    except SamarbeidError as exc:
        error(exc)
        return EXIT_BAD_INPUT
    if args.sentences:
        acc = cov.sentences
        if acc is None:
            error(f"the rule set has no sources (looked for {args.rules or 'the shipped rules'}/sources/sources.yaml)")
            return EXIT_BAD_INPUT
        if args.format == "json":
            out.write(acc.model_dump_json(indent=2) + "\n")
        elif args.format == "markdown":
            out.write("\n".join(sentences_markdown(acc)) + "\n")
        else:
            out.write(sentences_table(acc))
        return EXIT_BREACH if acc.unaccounted or acc.stale else EXIT_OK
    if args.format == "json":
        out.write(cov.model_dump_json(indent=2) + "\n")
    elif args.format == "markdown":
        out.write(coverage_markdown(cov))
    else:
        out.write(coverage_table(cov))
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    try:
        rule_set = _selected_rules(args)
        if args.duty not in rule_set.by_duty():
            error(unknown_duty_text(args.duty, rule_set.by_duty()))
            return EXIT_USAGE
        source = load_timeline(read_stdin(TimelineError), name=STDIN_LABEL) if args.file == STDIN \
            else Path(args.file)
        result = explain(source, args.duty, as_of=args.as_of, rules=rule_set, profile=args.profile)
    except SamarbeidError as exc:
        error(exc)
        return EXIT_BAD_INPUT
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.text())
    return EXIT_BREACH if _fails(args.fail_on, result.obligations) else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring). Never raises, never
    prints a traceback (an internal error is EXIT_INTERNAL and one line; SAMARBEID_DEBUG=1 adds it)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version give 0, usage errors 2
        if exc.code is None:
            return EXIT_OK
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    buffer = io.StringIO()
    try:
        with StopSignals():
            code = args.func(args, buffer)
            check_stop()  # a signal that came after the last safe point still ends the run so
    except KeyboardInterrupt:
        error("interrupted")
        _emit(buffer.getvalue())
        return EXIT_INTERRUPTED
    except Terminated:
        error("terminated (SIGTERM)")
        _emit(buffer.getvalue())
        return EXIT_TERMINATED
    except BatchAbortedError as exc:
        if STOP.signum is not None:  # Ctrl-C reached a worker as it started: the user's interrupt
            error("interrupted" if STOP.signum == signal.SIGINT else "terminated (SIGTERM)")
            _emit(buffer.getvalue())
            return EXIT_INTERRUPTED if STOP.signum == signal.SIGINT else EXIT_TERMINATED
        error(exc)
        _emit(buffer.getvalue())
        return EXIT_ABORTED
    except MemoryError:
        error("internal error: out of memory")
        return EXIT_INTERNAL
    except Exception as exc:  # a bug: one line, no input value, no traceback
        error(f"internal error ({type(exc).__name__}); please report it with the command that caused it")
        if os.environ.get("SAMARBEID_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL
    failed = _emit(buffer.getvalue())
    return failed if failed is not None and code in (EXIT_OK, EXIT_BREACH) else code


def _emit(text: str) -> int | None:
    """Write ``text`` on stdout. A closed pipe (``| head``) drops the rest quietly; a full or closed
    stdout (``>/dev/full``, ``>&-``) is one line on stderr and EXIT_USAGE. No traceback at exit."""
    if not text:
        return None
    stdout = sys.stdout
    try:
        if stdout is None:
            raise OSError(9, "Bad file descriptor")
        stdout.write(text)
        stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: keep the exit code, drop the rest
        _silence_stdout()
        return None
    except (OSError, ValueError) as exc:
        _silence_stdout()
        error(f"cannot write standard output ({getattr(exc, 'strerror', None) or type(exc).__name__})")
        return EXIT_USAGE
    return None


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so that Python's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:  # pragma: no cover
        pass
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
