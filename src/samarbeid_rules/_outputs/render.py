"""Rendering reports for people: a plain-text table and an HTML table.

Pure functions: a :class:`~samarbeid_rules.Report` in, a string out, no I/O.
Like the report itself, the renderings carry ids only, never event payloads.
Instants are shown in the report's own UTC offset (the profile's time zone) to
the minute; lengths as compact durations such as ``1h30m`` or ``2d3h``.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .._common.display import register_html
from .._pipeline.report import Report

if TYPE_CHECKING:  # pragma: no cover
    from .._pipeline.report import Gap, Obligation
    from .._uses.institution import InstitutionReport

__all__ = ["format_duration", "format_instant", "institution_table", "report_html", "report_table"]

#: one-character marks after a status
_MARKS = {"breached": "!", "fulfilled_late": "!", "contested": "?"}
#: the mark after a duty id whose obligation rests on an assumed in-force date
ASSUMED_MARK = "†"

_NONE = "-"


def format_duration(value: timedelta | None) -> str:
    """A compact duration: ``45m``, ``1h30m``, ``2d3h``; seconds only when not whole minutes."""
    if value is None:
        return _NONE
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return sign + ("".join(parts) or "0m")


def format_instant(value: datetime | None) -> str:
    """``2025-03-01 09:00+01:00``: the instant's own offset, minutes precision."""
    if value is None:
        return _NONE
    text = value.isoformat(timespec="minutes")
    return text.replace("T", " ", 1)


def _clean(text: object) -> str:
    """Text safe for a terminal: non-printable characters shown as escapes."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


def _ids(ids: Iterable[str], most: int = 3) -> str:
    """Ids joined by commas; a long list shows its first and last and the count."""
    ids = [_clean(i) for i in ids]
    if len(ids) > most:
        return f"{ids[0]},…,{ids[-1]} ({len(ids)})"
    return ",".join(ids) or _NONE


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return (indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _status_text(status: str) -> str:
    mark = _MARKS.get(status)
    return f"{status} {mark}" if mark else status


def _due_text(o: Obligation) -> str:
    if o.window.due is not None:
        return format_instant(o.window.due)
    if o.next_due is not None:
        return "next " + format_instant(o.next_due)
    return _NONE


_OBLIGATION_HEADER = (
    "DUTY", "ACTOR", "MODALITY", "STATUS", "TRIGGERS", "OPENS", "DUE", "FULFILLED BY", "LATENESS",
)
_GAP_HEADER = ("GAP", "START", "END", "LENGTH", "STATUS", "ONGOING")


def _obligation_row(o: Obligation) -> list[str]:
    return [
        _clean(o.duty_id + (f"/{o.part}" if o.part else "")) + (f" {ASSUMED_MARK}" if o.basis_dates_assumed else ""),
        _clean(o.actor),
        _clean(o.modality),
        _status_text(o.status.value),
        _ids(o.trigger_event_ids),
        format_instant(o.window.opens),
        _due_text(o),
        _ids(o.fulfilled_by),
        format_duration(o.lateness),
    ]


def _gap_row(g: Gap) -> list[str]:
    kind = g.kind
    if g.kind == "night" and g.looks is not None:
        need = "" if g.required is None else f"/{g.required}"
        kind = f"night ({g.looks}{need} looks)"
    return [
        kind,
        format_instant(g.start),
        format_instant(g.end),
        format_duration(g.length),
        _status_text(g.status.value),
        "yes" if g.ongoing else "no",
    ]


def report_table(report: Report) -> str:
    """The report as a readable text table (what ``samarbeid-rules check`` prints)."""
    prof = report.profile
    lines = [
        f"case      {_clean(report.case_id)}"
        f"  (person {_clean(report.person_id)}, prison {_clean(report.prison_id or _NONE)})",
        f"as of     {format_instant(report.as_of)}",
        f"engine    {_clean(report.engine)}",
        f"rule set  {_clean(report.rule_set)}",
        f"profile   {_clean(prof.id)} {_clean(prof.version)}",
        "",
    ]
    if not report.obligations:
        lines.append("(no obligations)")
    else:
        rows = [_obligation_row(o) for o in report.obligations]
        header, *body = _grid(_OBLIGATION_HEADER, rows)
        lines.append(header)
        for o, row_line in zip(report.obligations, body):
            lines.append(row_line)
            if o.gaps:
                lines.extend(_grid(_GAP_HEADER, [_gap_row(g) for g in o.gaps], indent="    "))
    lines.append("")

    counts = {"used": 0, "unused": 0, "after_as_of": 0}
    for ev in report.events:
        counts[ev.state] = counts.get(ev.state, 0) + 1
    lines.append(
        f"events    {len(report.events)}: {counts['used']} used, {counts['unused']} unused, "
        f"{counts['after_as_of']} after as_of"
    )
    s = report.summary
    statuses = ", ".join(
        f"{s.get(k, 0)} {k}" for k in ("fulfilled", "due", "contested", "fulfilled_late", "breached")
    )
    recommendations = ", ".join(f"{s.get(k, 0)} {k}" for k in ("followed_late", "not_followed"))
    lines.append(
        f"summary   {s.get('obligations', len(report.obligations))} obligations: {statuses}; "
        f"recommendations (bør, never a breach): {recommendations}"
    )
    breaches = s.get("breaches", len(report.breaches))
    lines.append(f"breaches  {breaches} (duties, prohibitions and assessments only)")
    if s.get("contested", 0) or any(g.status.value == "contested" for o in report.obligations for g in o.gaps):
        lines.append(
            "note      '?' contested: late only on the strict reading of a vague term; "
            "within the lenient bound of the profile"
        )
    if breaches:
        lines.append("note      '!' breach: breached, or fulfilled after the lenient bound")
    if any(o.basis_dates_assumed for o in report.obligations):
        lines.append(
            f"note      '{ASSUMED_MARK}' rests on an assumed in-force date of a legal basis "
            "(the report's bases; docs/rule-sets.md)"
        )
    lines.extend(
        textwrap.wrap(
            _clean(prof.policy_note), width=88, initial_indent="policy    ", subsequent_indent="          "
        )
    )
    return "\n".join(lines) + "\n"


# --- HTML -----------------------------------------------------------------

_COLOURS = {
    "fulfilled": "#d4edda",
    "due": "#e2e3e5",
    "contested": "#fff3cd",
    "fulfilled_late": "#f8d7da",
    "breached": "#f5c6cb",
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _status_cell(status: str) -> str:
    colour = _COLOURS.get(status, "#ffffff")
    return (
        f'<td class="status status-{_e(status)}" style="background-color:{colour}">'
        f"{_e(status)}</td>"
    )


def report_html(report: Report) -> str:
    """The report as an HTML fragment (used by ``Report._repr_html_`` in Jupyter)."""
    prof = report.profile
    out = [
        '<div class="samarbeid-report">',
        "<p>"
        f"<strong>case</strong> {_e(report.case_id)} "
        f"(person {_e(report.person_id)}, prison {_e(report.prison_id or _NONE)})<br>"
        f"<strong>as of</strong> {_e(format_instant(report.as_of))}<br>"
        f"<strong>engine</strong> {_e(report.engine)}<br>"
        f"<strong>rule set</strong> {_e(report.rule_set)}<br>"
        f"<strong>profile</strong> {_e(prof.id)} {_e(prof.version)}"
        "</p>",
        "<table>",
        "<thead><tr>" + "".join(f"<th>{_e(h.lower())}</th>" for h in _OBLIGATION_HEADER) + "</tr></thead>",
        "<tbody>",
    ]
    if not report.obligations:
        out.append(f'<tr><td colspan="{len(_OBLIGATION_HEADER)}">no obligations</td></tr>')
    for o in report.obligations:
        row = _obligation_row(o)
        row[3] = o.status.value
        assumed = f" ({ASSUMED_MARK} rests on an assumed in-force date)" if o.basis_dates_assumed else ""
        cells = [f'<td title="{_e(o.title + assumed)}">{_e(row[0])}</td>']
        cells += [f"<td>{_e(c)}</td>" for c in row[1:3]]
        cells.append(_status_cell(o.status.value))
        cells += [f"<td>{_e(c)}</td>" for c in row[4:]]
        out.append(f'<tr class="obligation">{"".join(cells)}</tr>')
        if o.gaps:
            gap_rows = [
                "<tr>" + "".join(f"<th>{_e(h.lower())}</th>" for h in _GAP_HEADER) + "</tr>"
            ]
            for g in o.gaps:
                gr = _gap_row(g)
                gap_rows.append(
                    "<tr>"
                    + "".join(f"<td>{_e(c)}</td>" for c in gr[:4])
                    + _status_cell(g.status.value)
                    + f"<td>{_e(gr[5])}</td></tr>"
                )
            out.append(
                f'<tr class="gaps"><td></td><td colspan="{len(_OBLIGATION_HEADER) - 1}">'
                f'<table class="gaps">{"".join(gap_rows)}</table></td></tr>'
            )
    out += ["</tbody>", "</table>"]
    counts = {"used": 0, "unused": 0, "after_as_of": 0}
    for ev in report.events:
        counts[ev.state] = counts.get(ev.state, 0) + 1
    s = report.summary
    summary = ", ".join(f"{_e(k)}: {_e(v)}" for k, v in s.items())
    out.append(
        f"<p>events: {len(report.events)} ({counts['used']} used, {counts['unused']} unused, "
        f"{counts['after_as_of']} after as_of)<br>summary: {summary}</p>"
    )
    if any(o.basis_dates_assumed for o in report.obligations):
        out.append(f"<p><small>{_e(ASSUMED_MARK)} rests on an assumed in-force date of a legal basis "
                   "(see the report's bases)</small></p>")
    out.append(f"<p><small>{_e(prof.policy_note)}</small></p>")
    out.append("</div>")
    return "\n".join(out)


def institution_table(report: InstitutionReport, *, as_of_from_records: bool = False) -> str:
    """The report as a readable text table (what ``check-institution`` prints)."""
    as_of = report.as_of.isoformat()
    if as_of_from_records:
        as_of += "  (latest record date; pass --as-of to judge another day)"
    p = report.parameters
    lines = [
        f"prison    {_clean(report.prison_id)}",
        f"as of     {as_of}",
        f"profile   {report.profile.id} {report.profile.version}",
        f"routines  stale after {p.stale_after} (before {p.stale_from.isoformat()}) "
        f"or before {p.rules_effective.isoformat()} (circular 001 in force; assumed)",
        "",
    ]
    header = ("DUTY", "MODALITY", "ACTOR", "STATUS", "REASON", "SOURCE")
    rows = [
        (
            f.duty_id,
            f.modality,
            f.actor,
            _status_text(f.status.value),
            f.reason or "-",
            f"{f.citation.document} §{f.citation.section}",
        )
        for f in report.findings
    ]
    # one grid for the header and the finding rows; each finding's details follow its row
    header_line, *row_lines = _grid(header, rows)
    lines.append(header_line)
    for f, row_line in zip(report.findings, row_lines):
        lines.append(row_line)
        if f.bases:
            mark = f" {ASSUMED_MARK}" if f.basis_dates_assumed else ""
            lines.append(f"    judged under: {', '.join(f.bases)}{mark}")
        for text in f.explanation:
            lines.append(f"    {_clean(text)}")
        for t in f.topics:
            lines.append(f"    {t.topic.value:<48} {t.status.value:<13} {_clean(t.explanation)}")
        for g in f.gaps:
            to = _clean(g.to_meeting or "as_of")
            lines.append(
                f"    gap {_clean(g.from_meeting)} -> {to}  {g.start.isoformat()} to {g.end.isoformat()}  "
                f"P{g.length.days}D  {_status_text(g.status.value)}"
            )
    lines.append("")
    lines.append(f"breaches  {report.summary['breaches']}")
    lines.append("note      a recommendation (bør) is never a breach: it is followed or not_followed")
    lines.append("note      '?' contested: over the strict bound of a vague term only; '!' breach")
    if any(f.basis_dates_assumed for f in report.findings):
        lines.append(f"note      '{ASSUMED_MARK}' rests on an assumed in-force date of a legal basis (docs/rule-sets.md)")
    lines.append(f"policy    {report.profile.policy_note}")
    return "\n".join(lines) + "\n"


register_html(Report, report_html)
