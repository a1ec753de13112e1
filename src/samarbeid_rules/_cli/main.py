"""The ``samarbeid-rules`` command: a thin layer over the library.

Commands: check, batch, generate, rules, schema, coverage, explain (here);
check-institution (``institution.py``), test (``scenarios.py``), serve, store,
audit and token (``serve.py``). ``docs/cli.md`` gives every option.

Exit codes (see ``docs/cli.md``): 0 no breach, 1 at least one breach, 2 usage
error, 3 bad input (timeline, profile or rule file), 4 engine unavailable.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from .._common.version import __version__
from .._pipeline.engines import ENGINE_NAMES, get_engine
from .._common.errors import EngineUnavailableError, SamarbeidError
from .._pipeline.evaluate import check_profile_terms, evaluate, prepare_rules, resolve_profile
from .._outputs.render import report_table
from .._uses.coverage import coverage, coverage_markdown, coverage_table
from .._uses.sentences import sentences_markdown, sentences_table
from .._uses.explain import explain
from .institution import add_institution_parser
from .scenarios import add_scenarios_parser
from .serve import add_service_parsers
from .._inputs.rules import MODALITIES
from .._inputs.ruleset import load_rules
from .._inputs.timeline import timeline_json_schema

__all__ = ["main", "EXIT_OK", "EXIT_BREACH", "EXIT_USAGE", "EXIT_BAD_INPUT", "EXIT_ENGINE"]

EXIT_OK = 0
EXIT_BREACH = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_ENGINE = 4

PROG = "samarbeid-rules"


def _as_of(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset (write e.g. 2025-03-01T12:00+01:00)"
        )
    return value


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
    check.add_argument("files", nargs="+", metavar="FILE", help="timeline JSON file")
    check.add_argument(
        "--as-of", type=_as_of, default=None, metavar="ISO",
        help="instant to judge at, with a UTC offset (default: each timeline's latest event)",
    )
    check.add_argument("--profile", default=None, metavar="FILE", help="interpretation profile (YAML)")
    check.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    check.add_argument("--engine", choices=ENGINE_NAMES, default="native", help="matching engine")
    check.add_argument(
        "--format", choices=("table", "json", "jsonl"), default="table",
        help="output format (jsonl: one line per obligation, see docs/batch.md)",
    )
    check.add_argument("--junit", default=None, metavar="FILE", help="also write JUnit XML to FILE")
    _rule_set_options(check)
    check.set_defaults(func=_cmd_check)

    rules = sub.add_parser(
        "rules", help="list the rules of a rule set", description="List the rules of a rule set."
    )
    rules.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    rules.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    rules.set_defaults(func=_cmd_rules)

    schema = sub.add_parser(
        "schema", help="print the JSON Schema of a timeline",
        description="Print the JSON Schema of a timeline file.",
    )
    schema.set_defaults(func=_cmd_schema)
    _add_batch_commands(sub)

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
    exp.add_argument("file", metavar="FILE", help="timeline JSON file")
    exp.add_argument("duty", metavar="DUTY", help="duty id, e.g. exclusion.notify_doctor")
    exp.add_argument("--as-of", type=_as_of, default=None, metavar="ISO", help="instant to judge at")
    exp.add_argument("--profile", default=None, metavar="FILE", help="interpretation profile (YAML)")
    exp.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    exp.add_argument("--format", choices=("text", "json"), default="text", help="output format")
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
        raise argparse.ArgumentTypeError(f"expected KEY=YYYY-MM-DD, got {text!r}") from None


def _modalities(text: str) -> list[str]:
    mods = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in mods if m not in MODALITIES]
    if bad or not mods:
        raise argparse.ArgumentTypeError(f"modalities are {', '.join(MODALITIES)}; got {text!r}")
    return mods


def _rule_set_options(p: argparse.ArgumentParser, *, modality: bool = True) -> None:
    p.add_argument(
        "--setting", type=_setting, action="append", default=[], metavar="KEY=DATE",
        help="rule-set setting, e.g. circular_2025_effective=2025-07-01 (repeatable)",
    )
    if modality:
        p.add_argument(
            "--modality", type=_modalities, default=None, metavar="LIST",
            help=f"judge only these modalities, comma-separated: {','.join(MODALITIES)}",
        )


def _selected_rules(args: argparse.Namespace):
    """The rule set named by --rules, with --setting and --modality applied."""
    rule_set = load_rules(args.rules)
    if args.setting:
        rule_set = rule_set.with_settings(**dict(args.setting))
    if getattr(args, "modality", None):
        rule_set = rule_set.only(modalities=args.modality)
    return rule_set


def _error(message: object) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    # The engine, the rules and the profile are shared by every file: settle them once.
    try:
        engine = get_engine(args.engine)
    except EngineUnavailableError as exc:
        _error(f"engine {args.engine!r} is unavailable: {exc}")
        return EXIT_ENGINE
    try:
        compiled = prepare_rules(_selected_rules(args))
        profile = resolve_profile(args.profile)
        check_profile_terms(compiled, profile)
    except SamarbeidError as exc:
        _error(exc)
        return EXIT_BAD_INPUT

    reports = []
    items = []  # BatchItems, for --format jsonl and --junit
    bad_input = False
    for name in args.files:
        try:
            report = evaluate(
                Path(name), as_of=args.as_of, rules=compiled, profile=profile, engine=engine.name
            )
        except EngineUnavailableError as exc:  # pragma: no cover - settled above
            _error(f"engine {args.engine!r} is unavailable: {exc}")
            return EXIT_ENGINE
        except SamarbeidError as exc:
            _error(exc)
            bad_input = True
            items.append(_failed_item(name, exc))
            continue
        reports.append(report)
        items.append(_report_item(name, report))
        if args.format == "table":
            if len(args.files) > 1:
                out.write(f"== {name}\n")
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
        _write_jsonl_lines(items, out)
    if args.junit is not None and not _write_junit_file(args.junit, items):
        return EXIT_USAGE

    if bad_input:
        return EXIT_BAD_INPUT
    if any(r.breaches for r in reports):
        return EXIT_BREACH
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    try:
        described = load_rules(args.rules).describe()
    except SamarbeidError as exc:
        _error(exc)
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
    out.write(json.dumps(timeline_json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


# --- batch, generate, CI outputs (docs/batch.md) ----------------------------


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def _add_batch_commands(sub: Any) -> None:
    batch = sub.add_parser(
        "batch",
        help="evaluate a directory or JSON Lines file of timelines and summarise",
        description=(
            "Evaluate every timeline of SOURCE (a directory of .json/.jsonl files, or a JSON Lines "
            "file) and print a summary. Exit codes as for check: 3 if any timeline failed, "
            "else 1 if any obligation is a breach, else 0."
        ),
    )
    batch.add_argument("source", metavar="SOURCE", help="directory or JSON Lines file")
    batch.add_argument(
        "--processes", type=_nonnegative_int, default=1, metavar="N",
        help="worker processes (default 1; 0: one per CPU)",
    )
    batch.add_argument(
        "--as-of", type=_as_of, default=None, metavar="ISO",
        help="instant to judge at, with a UTC offset (default: each timeline's latest event)",
    )
    batch.add_argument("--profile", default=None, metavar="FILE", help="interpretation profile (YAML)")
    batch.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    batch.add_argument("--engine", choices=ENGINE_NAMES, default="native", help="matching engine")
    batch.add_argument("--jsonl", default=None, metavar="OUT", help="write one JSON line per obligation to OUT")
    batch.add_argument("--junit", default=None, metavar="OUT", help="write JUnit XML to OUT")
    batch.add_argument(
        "--no-progress", action="store_true",
        help="no progress bar (default: a bar on stderr when it is a terminal)",
    )
    batch.set_defaults(func=_cmd_batch)

    gen = sub.add_parser(
        "generate",
        help="write seeded synthetic timelines (for tests and benchmarks)",
        description=(
            "Write COUNT synthetic timelines of population SEED: a JSON Lines file if PATH ends "
            "in .jsonl, else a new (or empty) directory of .json files. The same seed gives the "
            "same bytes."
        ),
    )
    gen.add_argument("--count", type=_nonnegative_int, required=True, metavar="N", help="how many timelines")
    gen.add_argument("--seed", default="0", metavar="S", help="population seed (default 0)")
    gen.add_argument("--out", required=True, metavar="PATH", help="PATH.jsonl, or a directory")
    gen.set_defaults(func=_cmd_generate)


def _report_item(name: str, report: Any) -> Any:
    from .._uses.batch import BatchItem

    return BatchItem(name, report, None, report.case_id)


def _failed_item(name: str, exc: Exception) -> Any:
    from .._uses.batch import BatchItem

    return BatchItem(name, None, str(exc), None)


def _write_jsonl_lines(items: Any, out: TextIO) -> None:
    from .._outputs.ci import jsonl_lines

    for line in jsonl_lines(items):
        out.write(line + "\n")


def _write_junit_file(path: str, items: Any) -> bool:
    from .._outputs.ci import junit_xml

    try:
        Path(path).write_text(junit_xml(items), encoding="utf-8")
    except OSError as exc:
        _error(f"cannot write {path}: {exc.strerror}")
        return False
    return True


def _open_output(path: str | None) -> TextIO | None:
    if path is None:
        return None
    return open(path, "w", encoding="utf-8", newline="\n")


_LISTED = 20  # failed/skipped locations listed in the batch summary


def _batch_summary_text(source: str, summary: Any, failed: list[str]) -> str:
    s = summary
    lines = [
        f"source       {_clean(source)}",
        f"timelines    {s.evaluated + s.failed}: {s.evaluated} evaluated, {s.failed} failed, "
        f"{s.skipped} skipped",
        f"obligations  {s.obligations}: " + ", ".join(f"{n} {k}" for k, n in s.by_status.items()),
        f"breaches     {s.breaches} in {s.breached_timelines} timelines",
    ]
    if s.breaches_by_duty:
        lines.append("")
        rows = sorted(s.breaches_by_duty.items())
        width = max(len("DUTY"), *(len(d) for d, _ in rows))
        lines.append(f"{'DUTY'.ljust(width)}  BREACHES")
        lines.extend(f"{_clean(d).ljust(width)}  {n}" for d, n in rows)
    for title, entries in (
        ("failed (errors on stderr)", [(loc, "") for loc in failed]),
        ("skipped", s.skipped_items),
    ):
        if not entries:
            continue
        lines.append("")
        lines.append(title)
        shown = entries[:_LISTED]
        width = max(len(_clean(loc)) for loc, _ in shown)
        lines.extend(f"  {_clean(loc).ljust(width)}  {_clean(why)}".rstrip() for loc, why in shown)
        if len(entries) > _LISTED:
            lines.append(f"  ... and {len(entries) - _LISTED} more")
    return "\n".join(lines) + "\n"


def _clean(text: object) -> str:
    from .._outputs.render import _clean as clean

    return clean(text)


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    from .._uses.batch import evaluate_many
    from .._outputs.ci import iter_junit_xml, jsonl_lines

    try:
        get_engine(args.engine)
    except EngineUnavailableError as exc:
        _error(f"engine {args.engine!r} is unavailable: {exc}")
        return EXIT_ENGINE
    try:
        run = evaluate_many(
            args.source, as_of=args.as_of, rules=args.rules, profile=args.profile, engine=args.engine,
            processes=args.processes, progress=False if args.no_progress else None,
        )
    except EngineUnavailableError as exc:  # pragma: no cover - settled above
        _error(f"engine {args.engine!r} is unavailable: {exc}")
        return EXIT_ENGINE
    except SamarbeidError as exc:
        _error(exc)
        return EXIT_BAD_INPUT

    outputs: list[TextIO] = []
    try:
        jsonl_fh = _open_output(args.jsonl)
        outputs += [jsonl_fh] if jsonl_fh else []
        junit_fh = _open_output(args.junit)
        outputs += [junit_fh] if junit_fh else []
    except OSError as exc:
        _error(f"cannot write {exc.filename}: {exc.strerror}")
        for fh in outputs:
            fh.close()
        run.close()
        return EXIT_USAGE

    failed: list[str] = []

    def items() -> Any:
        for item in run:
            if item.error is not None:
                failed.append(item.location)
                run.log(f"{PROG}: {item.error}")
            if jsonl_fh is not None:
                for line in jsonl_lines((item,)):
                    jsonl_fh.write(line + "\n")
            yield item

    with run:
        try:
            if junit_fh is not None:
                for part in iter_junit_xml(items()):
                    junit_fh.write(part)
            else:
                for _ in items():
                    pass
        finally:
            for fh in outputs:
                fh.close()

    summary = run.summary
    out.write(_batch_summary_text(args.source, summary, failed))
    if summary.failed:
        return EXIT_BAD_INPUT
    if summary.breaches:
        return EXIT_BREACH
    return EXIT_OK


def _cmd_generate(args: argparse.Namespace, out: TextIO) -> int:
    from .._uses.synthetic import generate_population

    path = Path(args.out)
    count, seed = args.count, args.seed
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open("w", encoding="utf-8", newline="\n") as fh:
                for data in generate_population(count, seed):
                    fh.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            if path.exists() and (not path.is_dir() or any(path.iterdir())):
                _error(f"{path} exists and is not an empty directory (a .jsonl PATH writes one file)")
                return EXIT_USAGE
            path.mkdir(parents=True, exist_ok=True)
            width = len(str(max(count - 1, 0)))
            for n, data in enumerate(generate_population(count, seed)):
                text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
                (path / f"timeline-{n:0{width}d}.json").write_text(text, encoding="utf-8")
    except OSError as exc:
        _error(f"cannot write {exc.filename or path}: {exc.strerror}")
        return EXIT_USAGE
    out.write(f"wrote {count} timelines of seed {seed} to {path}\n")
    return EXIT_OK
def _cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    try:
        cov = coverage(args.rules)
    except SamarbeidError as exc:
        _error(exc)
        return EXIT_BAD_INPUT
    if args.sentences:
        acc = cov.sentences
        if acc is None:
            _error(f"the rule set has no sources (looked for {args.rules or 'the shipped rules'}/sources/sources.yaml)")
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
            known = ", ".join(sorted(rule_set.by_duty()))
            _error(f"no rule for duty {args.duty!r}; rules exist for: {known}")
            return EXIT_USAGE
        result = explain(Path(args.file), args.duty, as_of=args.as_of, rules=rule_set, profile=args.profile)
    except SamarbeidError as exc:
        _error(exc)
        return EXIT_BAD_INPUT
    if args.format == "json":
        out.write(result.model_dump_json(indent=2) + "\n")
    else:
        out.write(result.text())
    return EXIT_BREACH if any(o.breach for o in result.obligations) else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version give 0, usage errors 2
        if exc.code is None:
            return EXIT_OK
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    buffer = io.StringIO()
    code = args.func(args, buffer)
    try:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: keep the exit code, drop the rest
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
