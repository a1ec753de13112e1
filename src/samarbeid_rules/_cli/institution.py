"""``samarbeid-rules check-institution``: a prison's records judged (catalog section F)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from .._common.errors import InstitutionError, SamarbeidError
from .._inputs.institution import load_institution
from .._outputs.render import institution_table
from .._uses.institution import check_institution, latest_record_date
from .common import STDIN, STDIN_LABEL, add_fail_on, error, fails, read_stdin

__all__ = ["add_institution_parser", "run_check_institution"]

EXIT_OK = 0
EXIT_BREACH = 1
EXIT_BAD_INPUT = 3


def _date_arg(text: str) -> date:
    from .._inputs.events.base import _DAY_RE

    if not _DAY_RE.fullmatch(text):  # the value is not repeated
        raise argparse.ArgumentTypeError("not an ISO 8601 date (YYYY-MM-DD) from 1900-01-01 to 2199-12-31")
    return date.fromisoformat(text)


def add_institution_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``check-institution FILE [--as-of DATE] [--format table|json]`` to a subparsers action."""
    p = subparsers.add_parser(
        "check-institution",
        help="check a prison's routines, agreements and meetings (catalog section F)",
        description=(
            "Check a prison's records (routines, agreements, meetings) against org.local_meetings, "
            "org.routines and org.tripartite_agreement."
        ),
        epilog="exit codes: 0 no breach, 1 breach of a duty (skal) or what --fail-on names, 3 bad input",
    )
    p.add_argument("file", metavar="FILE", help="institution records, JSON (-: standard input)")
    p.add_argument(
        "--as-of", type=_date_arg, default=None, metavar="DATE",
        help="date to judge at, YYYY-MM-DD (default: the latest date in the records)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    add_fail_on(p)
    p.set_defaults(func=run_check_institution)
    return p


def run_check_institution(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``check-institution``: 0 no breach, 1 breach of a *skal* duty (or a finding ``--fail-on``
    names), 3 bad input."""
    out = out if out is not None else sys.stdout
    try:
        if args.file == STDIN:
            inst = load_institution(read_stdin(InstitutionError), name=STDIN_LABEL)
        else:
            inst = load_institution(Path(args.file))
        as_of = getattr(args, "as_of", None)
        from_records = as_of is None
        if from_records:
            as_of = latest_record_date(inst)
            if as_of is None:
                raise InstitutionError("no dated records and no --as-of: nothing to judge at",
                                       source=STDIN_LABEL if args.file == STDIN else str(args.file))
        report = check_institution(inst, as_of=as_of)
    except SamarbeidError as exc:
        error(exc)
        return EXIT_BAD_INPUT
    if getattr(args, "format", "table") == "json":
        out.write(report.to_json(indent=2) + "\n")
    else:
        out.write(institution_table(report, as_of_from_records=from_records))
    findings = report.findings
    failed = fails(
        getattr(args, "fail_on", None),
        breaches=sum(1 for f in findings if f.breach),
        contested=sum(1 for f in findings if f.status.value == "contested"),
        not_followed=sum(1 for f in findings if f.status.value == "not_followed"),
    )
    return EXIT_BREACH if failed else EXIT_OK
