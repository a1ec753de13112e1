"""Reports for CI systems: JUnit XML and JSON Lines.

Both take an iterable of :class:`~samarbeid_rules.BatchItem` (what
:func:`~samarbeid_rules.evaluate_many` yields) and are deterministic: the same
items give the same text. Like the reports, they carry ids, never event
payloads.

JUnit XML: one ``<testsuite>`` per timeline (named by its location), one
``<testcase>`` per obligation (named by the obligation id, classname the duty
id). A breach is a ``<failure>``; a contested obligation passes with a
``<system-out>`` note; a timeline that could not be read or validated is one
``<testcase>`` with an ``<error>``. :func:`iter_junit_xml` yields the document
piece by piece, so a large batch can be written without holding it.

JSON Lines: one object per obligation (``"record": "obligation"``) with the
case id, the location and the obligation's fields, then one per evaluated
timeline (``"record": "timeline"``, with its counts, also when it has no
obligations), and one per failed timeline (``"record": "error"``).

Both end with a **completion record** (:func:`jsonl_end`, :func:`junit_end`):
whether the run was complete, why not, and its counts, so that a lost or cut
output is detectable: no completion record means the writer did not finish.

Locations (file names) and error messages are written escaped (a character
that is not printable, or a lone surrogate from a file name that is not
UTF-8, as ``\\xNN``/``\\udcNN``), so every output encodes as UTF-8.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .._common.errors import escaped
from .render import format_duration, format_instant

if TYPE_CHECKING:  # pragma: no cover
    from .._uses.batch import BatchItem
    from .._pipeline.report import Obligation, Report

__all__ = ["iter_junit_xml", "jsonl_end", "jsonl_lines", "junit_end", "junit_head", "junit_suite", "junit_tail",
           "junit_xml"]

#: characters XML 1.0 does not allow, even escaped
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

ERROR_CLASSNAME = "samarbeid-rules.input"


def _x(text: object) -> str:
    """Text safe for XML 1.0: characters it cannot carry shown as ``\\xNN`` escapes."""
    return _XML_INVALID.sub(lambda m: repr(m.group())[1:-1], str(text))


def _el(tag: str, attrs: dict[str, object] | None = None, text: str | None = None) -> ET.Element:
    el = ET.Element(tag, {k: _x(v) for k, v in (attrs or {}).items()})
    if text is not None:
        el.text = _x(text)
    return el


def _failure_message(o: Obligation) -> str:
    parts = [o.status.value]
    if o.window.due is not None:
        due = f"due {format_instant(o.window.due)}"
        if o.window.due_lenient is not None and o.window.due_lenient != o.window.due:
            due += f" (lenient {format_instant(o.window.due_lenient)})"
        parts.append(due)
    elif o.next_due is not None:
        parts.append(f"next due {format_instant(o.next_due)}")
    if o.lateness is not None:
        parts.append(f"{format_duration(o.lateness)} late")
    if o.gaps:
        bad = sum(1 for g in o.gaps if g.status.is_breach)
        parts.append(f"{bad} of {len(o.gaps)} gaps a breach")
    return ", ".join(parts)


def _details(o: Obligation) -> str:
    lines = [
        f"obligation {o.id} ({o.duty_id}, {o.actor} {o.modality}): {o.title}",
        f"status {o.status.value}; triggers {','.join(o.trigger_event_ids) or '-'}; "
        f"fulfilled by {','.join(o.fulfilled_by) or '-'}",
        f"opens {format_instant(o.window.opens)}, due {format_instant(o.window.due)}, "
        f"lenient {format_instant(o.window.due_lenient)}, closes {format_instant(o.window.closes)}",
    ]
    for g in o.gaps:
        lines.append(
            f"gap {g.kind} {format_instant(g.start)} - {format_instant(g.end)} "
            f"({format_duration(g.length)}): {g.status.value}{' (ongoing)' if g.ongoing else ''}"
        )
    for t in o.terms:
        lines.append(f"term {t.term}: {t.bounds}")
    lines.extend(o.explanation)
    lines.append(f"source {o.citation.document} sec. {o.citation.section}; rule {o.rule_file} ({o.rule_set})")
    return "\n".join(lines)


def _testcase(o: Obligation) -> ET.Element:
    case = _el("testcase", {"name": o.id, "classname": o.duty_id})
    if o.breach:
        failure = _el("failure", {"message": _failure_message(o), "type": o.status.value}, _details(o))
        case.append(failure)
    elif o.status.value == "contested":
        note = (
            f"contested: {_failure_message(o)}; late only on the strict reading of a vague term, "
            "within the lenient bound of the profile\n" + _details(o)
        )
        case.append(_el("system-out", None, note))
    return case


def no_report_error(item: Any) -> ValueError:
    """The error for an evaluated batch item that carries no report (its run shipped something else)."""
    return ValueError(
        f"{escaped(item.location)}: this batch item was evaluated but carries no report "
        "(its run shipped json, counts or a function's result); use evaluate_many(ship='report')"
    )


def _report_of(item: BatchItem) -> Report | None:
    report = item.report
    if report is None and item.error is None:
        raise no_report_error(item)
    return report


def _suite(item: BatchItem) -> ET.Element:
    report: Report | None = _report_of(item)
    location = escaped(item.location)
    if report is None:
        suite = _el("testsuite", {"name": location, "tests": 1, "failures": 0, "errors": 1, "skipped": 0})
        props = _el("properties")
        props.append(_el("property", {"name": "location", "value": location}))
        if item.case_id is not None:
            props.append(_el("property", {"name": "case_id", "value": item.case_id}))
        suite.append(props)
        case = _el("testcase", {"name": location, "classname": ERROR_CLASSNAME})
        error = escaped(item.error or "")
        case.append(_el("error", {"message": error, "type": "bad input"}, error))
        suite.append(case)
        return suite
    failures = sum(1 for o in report.obligations if o.breach)
    suite = _el(
        "testsuite",
        {"name": location, "tests": len(report.obligations), "failures": failures, "errors": 0, "skipped": 0},
    )
    props = _el("properties")
    for name, value in (
        ("location", location),
        ("case_id", report.case_id),
        ("as_of", report.as_of.isoformat()),
        ("engine", report.engine),
        ("rule_set", report.rule_set),
        ("profile", f"{report.profile.id} {report.profile.version}"),
    ):
        props.append(_el("property", {"name": name, "value": value}))
    suite.append(props)
    for o in report.obligations:
        suite.append(_testcase(o))
    return suite


JUNIT_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="samarbeid-rules">\n'
JUNIT_TAIL = "</testsuites>\n"
END_SUITE = "samarbeid-rules.run"


def junit_head() -> str:
    """The start of a JUnit document."""
    return JUNIT_HEAD


def junit_suite(item: BatchItem) -> str:
    """The ``<testsuite>`` of one timeline, indented, with its newline."""
    suite = _suite(item)
    ET.indent(suite, space="  ", level=1)
    return "  " + ET.tostring(suite, encoding="unicode") + "\n"


def junit_end(summary: Mapping[str, Any]) -> str:
    """The completion suite: ``samarbeid-rules.run`` with the run's counts as properties, and an
    ``<error>`` when the run is incomplete (so a cut run fails in CI)."""
    complete = bool(summary.get("complete"))
    suite = _el("testsuite", {"name": END_SUITE, "tests": 1, "failures": 0, "errors": 0 if complete else 1,
                              "skipped": 0})
    props = _el("properties")
    for key in ("complete", "evaluated", "failed", "skipped", "obligations", "breaches"):
        value = summary.get(key)
        props.append(_el("property", {"name": key, "value": str(value).lower() if isinstance(value, bool) else value}))
    suite.append(props)
    case = _el("testcase", {"name": "run complete", "classname": END_SUITE})
    if not complete:
        reason = escaped(summary.get("incomplete_reason") or "the run did not finish")
        case.append(_el("error", {"message": f"incomplete: {reason}", "type": "incomplete"}, reason))
    suite.append(case)
    ET.indent(suite, space="  ", level=1)
    return "  " + ET.tostring(suite, encoding="unicode") + "\n"


def junit_tail() -> str:
    """The end of a JUnit document."""
    return JUNIT_TAIL


def iter_junit_xml(items: Iterable[BatchItem], end: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The JUnit XML document for ``items``, in pieces (one per timeline); with ``end`` (a
    summary's ``to_dict()``, read after the items), the completion suite before the close."""
    yield JUNIT_HEAD
    for item in items:
        yield junit_suite(item)
    if end is not None:
        yield junit_end(end)
    yield JUNIT_TAIL


def junit_xml(items: Iterable[BatchItem], end: Mapping[str, Any] | None = None) -> str:
    """The JUnit XML document for ``items``, as one string."""
    return "".join(iter_junit_xml(items, end))


def _dump(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def jsonl_lines(items: Iterable[BatchItem]) -> Iterator[str]:
    """One JSON text (without newline) per obligation and per evaluated timeline, and one per failed
    timeline."""
    for item in items:
        location = escaped(item.location)
        if _report_of(item) is None:
            yield _dump(
                {"record": "error", "case_id": item.case_id, "location": location, "error": escaped(item.error)}
            )
            continue
        for o in item.report.obligations:
            yield _dump(
                {
                    "record": "obligation",
                    "case_id": item.report.case_id,
                    "location": location,
                    **o.model_dump(mode="json"),
                }
            )
        yield _dump(
            {
                "record": "timeline",
                "case_id": item.report.case_id,
                "location": location,
                "obligations": len(item.report.obligations),
                "breaches": sum(1 for o in item.report.obligations if o.breach),
            }
        )


def jsonl_end(summary: Mapping[str, Any]) -> str:
    """The completion record: ``{"record": "end", "complete": …, "incomplete_reason": …, counts}``."""
    return _dump(
        {
            "record": "end",
            "complete": bool(summary.get("complete")),
            "incomplete_reason": summary.get("incomplete_reason"),
            **{k: summary.get(k) for k in ("evaluated", "failed", "skipped", "obligations", "breaches")},
        }
    )
