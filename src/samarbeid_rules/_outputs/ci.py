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
case id, the location and the obligation's fields, and one per failed
timeline (``"record": "error"``).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .render import format_duration, format_instant

if TYPE_CHECKING:  # pragma: no cover
    from .._uses.batch import BatchItem
    from .._pipeline.report import Obligation, Report

__all__ = ["iter_junit_xml", "jsonl_lines", "junit_xml"]

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


def _suite(item: BatchItem) -> ET.Element:
    report: Report | None = item.report
    if report is None:
        suite = _el("testsuite", {"name": item.location, "tests": 1, "failures": 0, "errors": 1, "skipped": 0})
        props = _el("properties")
        props.append(_el("property", {"name": "location", "value": item.location}))
        if item.case_id is not None:
            props.append(_el("property", {"name": "case_id", "value": item.case_id}))
        suite.append(props)
        case = _el("testcase", {"name": item.location, "classname": ERROR_CLASSNAME})
        case.append(_el("error", {"message": item.error or "", "type": "bad input"}, item.error or ""))
        suite.append(case)
        return suite
    failures = sum(1 for o in report.obligations if o.breach)
    suite = _el(
        "testsuite",
        {"name": item.location, "tests": len(report.obligations), "failures": failures, "errors": 0, "skipped": 0},
    )
    props = _el("properties")
    for name, value in (
        ("location", item.location),
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


def iter_junit_xml(items: Iterable[BatchItem]) -> Iterator[str]:
    """The JUnit XML document for ``items``, in pieces (one per timeline)."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="samarbeid-rules">\n'
    for item in items:
        suite = _suite(item)
        ET.indent(suite, space="  ", level=1)
        yield "  " + ET.tostring(suite, encoding="unicode") + "\n"
    yield "</testsuites>\n"


def junit_xml(items: Iterable[BatchItem]) -> str:
    """The JUnit XML document for ``items``, as one string."""
    return "".join(iter_junit_xml(items))


def _dump(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def jsonl_lines(items: Iterable[BatchItem]) -> Iterator[str]:
    """One JSON text (without newline) per obligation, and one per failed timeline."""
    for item in items:
        if item.report is None:
            yield _dump(
                {"record": "error", "case_id": item.case_id, "location": item.location, "error": item.error}
            )
            continue
        for o in item.report.obligations:
            yield _dump(
                {
                    "record": "obligation",
                    "case_id": item.report.case_id,
                    "location": item.location,
                    **o.model_dump(mode="json"),
                }
            )
