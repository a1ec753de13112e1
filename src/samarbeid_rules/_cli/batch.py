"""``samarbeid-rules batch`` and ``generate``, and the CI outputs of ``check`` (docs/batch.md)."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path
from typing import Any, TextIO

from .._common.errors import EngineFailedError, EngineUnavailableError, SamarbeidError, escaped
from .._pipeline.engines import get_engine
from .common import (
    EXIT_ABORTED,
    EXIT_BAD_INPUT,
    EXIT_BREACH,
    EXIT_ENGINE,
    EXIT_OK,
    EXIT_USAGE,
    MAX_PROCESSES,
    PROG,
    STDIN,
    STDIN_LABEL,
    add_evaluation_options,
    add_fail_on,
    fails,
    stdin_lines,
    error,
    nonnegative_int,
    check_stop,
    processes_arg,
    stop_reason,
)

__all__ = ["add_batch_commands", "failed_item", "report_item", "ship_outputs", "write_jsonl_lines",
           "write_junit_file"]



def add_batch_commands(sub: Any) -> None:
    batch = sub.add_parser(
        "batch",
        help="evaluate a directory or JSON Lines file of timelines and summarise",
        description=(
            "Evaluate every timeline of SOURCE (a directory of .json/.jsonl files, or a JSON Lines "
            "file) and print a summary. Exit codes as for check: 3 if any timeline failed, "
            "else 1 if any obligation is a breach, else 0."
        ),
    )
    batch.add_argument("source", metavar="SOURCE", help="directory or JSON Lines file (-: JSON Lines on standard input)")
    batch.add_argument(
        "--processes", type=processes_arg, default=1, metavar="N",
        help=f"worker processes (default 1; 0: one per CPU; at most {MAX_PROCESSES})",
    )
    add_evaluation_options(batch)
    batch.add_argument("--jsonl", default=None, metavar="OUT", help="write one JSON line per obligation to OUT")
    batch.add_argument("--junit", default=None, metavar="OUT", help="write JUnit XML to OUT")
    add_fail_on(batch)
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
    gen.add_argument("--count", type=nonnegative_int, required=True, metavar="N", help="how many timelines")
    gen.add_argument("--seed", default="0", metavar="S", help="population seed (default 0)")
    gen.add_argument("--out", required=True, metavar="PATH", help="PATH.jsonl, or a directory")
    gen.set_defaults(func=_cmd_generate)


def report_item(name: str, report: Any) -> Any:
    from .._uses.batch import BatchItem

    return BatchItem(name, report, None, report.case_id)


def failed_item(name: str, exc: Exception) -> Any:
    from .._uses.batch import BatchItem

    kind = "engine" if isinstance(exc, EngineFailedError) else "input"
    return BatchItem(name, None, str(exc), None, kind)


def write_jsonl_lines(items: Any, out: TextIO) -> None:
    from .._outputs.ci import jsonl_end, jsonl_lines

    for item in items:
        out.write(_safe_lines(item, jsonl_lines))
    out.write(jsonl_end(_summary_of(items)) + "\n")


def _summary_of(items: Any) -> dict[str, Any]:
    from .._uses.batch import BatchSummary

    summary = BatchSummary()
    for item in items:
        summary.add(item)
    summary.complete = True
    return summary.to_dict()


def write_junit_file(path: str, items: Any) -> bool:
    from .._outputs.ci import junit_end, junit_head, junit_suite, junit_tail

    try:
        text = junit_head() + "".join(_safe_text(i, junit_suite) for i in items) + junit_end(_summary_of(items)) \
            + junit_tail()
        Path(path).write_text(text, encoding="utf-8")
    except (OSError, ValueError) as exc:
        error(f"cannot write {path}: {getattr(exc, 'strerror', None) or type(exc).__name__}")
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
        *([] if s.complete else [f"INCOMPLETE   {_clean(s.incomplete_reason or 'the run did not finish')}: "
                                 "the counts below cover only what was done"]),
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
    from .._outputs.ci import jsonl_end, junit_end, junit_head, junit_tail

    try:
        get_engine(args.engine)
    except EngineUnavailableError as exc:
        error(f"engine {args.engine!r} is unavailable: {exc}")
        return EXIT_ENGINE
    outputs = [p for p in (args.jsonl, args.junit) if p is not None]
    source: Any = stdin_lines() if args.source == STDIN else args.source
    try:
        # The outputs' text is made where each timeline is evaluated: workers send back text, not reports.
        run = evaluate_many(
            source, as_of=args.as_of, rules=args.rules, profile=args.profile, engine=args.engine,
            processes=args.processes, progress=False if args.no_progress else None, exclude=outputs,
            ship=functools.partial(ship_outputs, jsonl=args.jsonl is not None, junit=args.junit is not None),
        )
    except EngineUnavailableError as exc:  # pragma: no cover - settled above
        error(f"engine {args.engine!r} is unavailable: {exc}")
        return EXIT_ENGINE
    except SamarbeidError as exc:
        error(exc)
        return EXIT_BAD_INPUT

    handles: list[TextIO] = []
    try:
        jsonl_fh = _open_output(args.jsonl)
        handles += [jsonl_fh] if jsonl_fh else []
        junit_fh = _open_output(args.junit)
        handles += [junit_fh] if junit_fh else []
    except (OSError, ValueError) as exc:
        error(f"cannot write {getattr(exc, 'filename', None) or 'output'}: "
              f"{getattr(exc, 'strerror', None) or type(exc).__name__}")
        for fh in handles:
            fh.close()
        run.close()
        return EXIT_USAGE

    failed: list[str] = []
    engine_failed = False
    try:
        try:
            with run:
                if junit_fh is not None:
                    junit_fh.write(junit_head())
                for item in run:
                    if item.error is not None:
                        failed.append(item.location)
                        engine_failed = engine_failed or item.error_kind == "engine"
                        run.log(f"{PROG}: {escaped(item.error)}")
                    jsonl_text, junit_text = item.shipped
                    if jsonl_fh is not None:
                        jsonl_fh.write(jsonl_text)
                    if junit_fh is not None:
                        junit_fh.write(junit_text)
                    check_stop()
        except BaseException as exc:
            run.summary.complete = False
            run.summary.incomplete_reason = stop_reason(_as_stop(exc))
            raise
    finally:
        # The completion record is written whatever happened: complete, or why not.
        end = run.summary.to_dict()
        try:
            if jsonl_fh is not None:
                jsonl_fh.write(jsonl_end(end) + "\n")
            if junit_fh is not None:
                junit_fh.write(junit_end(end) + junit_tail())
        finally:
            for fh in handles:
                fh.close()
            summary = run.summary
            out.write(_batch_summary_text(STDIN_LABEL if args.source == STDIN else args.source, summary, failed))

    if engine_failed:
        return EXIT_ABORTED
    if summary.failed:
        return EXIT_BAD_INPUT
    if fails(args.fail_on, breaches=summary.breaches, contested=summary.by_status.get("contested", 0),
             not_followed=summary.by_status.get("not_followed", 0)):
        return EXIT_BREACH
    return EXIT_OK


def _as_stop(exc: BaseException) -> BaseException:
    """A worker that died of the user's Ctrl-C (as it started) is reported as the interrupt."""
    from .common import STOP, Terminated
    import signal

    if STOP.signum == signal.SIGINT:
        return KeyboardInterrupt()
    if STOP.signum == signal.SIGTERM:
        return Terminated()
    return exc


def ship_outputs(item: Any, *, jsonl: bool, junit: bool) -> tuple[str | None, str | None]:
    """One item's JSON Lines and JUnit text (each only if wanted), made where it was evaluated.

    One bad value fails its own timeline only: what cannot be written becomes its error record.
    """
    from .._outputs.ci import jsonl_lines, junit_suite

    return (_safe_lines(item, jsonl_lines) if jsonl else None, _safe_text(item, junit_suite) if junit else None)


def _safe_lines(item: Any, jsonl_lines: Any) -> str:
    return _safe_text(item, lambda it: "".join(line + "\n" for line in jsonl_lines((it,))))


def _safe_text(item: Any, render: Any) -> str:
    """``render(item)``, or, if that text cannot be written as UTF-8, what ``render`` gives for an
    error item saying so (one bad value fails its own timeline only)."""
    from .._uses.batch import BatchItem

    try:
        text = render(item)
        text.encode("utf-8")
        return text
    except (UnicodeError, ValueError, TypeError):
        return render(BatchItem(item.location, None, "this timeline's record cannot be written as UTF-8", None))


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
                error(f"{path} exists and is not an empty directory (a .jsonl PATH writes one file)")
                return EXIT_USAGE
            path.mkdir(parents=True, exist_ok=True)
            width = len(str(max(count - 1, 0)))
            for n, data in enumerate(generate_population(count, seed)):
                text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
                (path / f"timeline-{n:0{width}d}.json").write_text(text, encoding="utf-8")
    except OSError as exc:
        error(f"cannot write {exc.filename or path}: {exc.strerror}")
        return EXIT_USAGE
    out.write(f"wrote {count} timelines of seed {seed} to {path}\n")
    return EXIT_OK