"""Notebook support: reports as pandas DataFrames, a case as a timeline plot.

pandas and matplotlib are imported only when one of these functions is
called, and only if installed (the ``analysis`` extra:
``pip install 'samarbeid-rules[analysis]'``). Instants become time-zone
aware ``datetime64`` columns in Europe/Oslo, lengths ``timedelta64``; a
missing instant is ``NaT``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from .._common.calendar import utc
from .._pipeline.report import Obligation, Report
from .ci import no_report_error
from .._inputs.timeline import MeasureKind, Timeline

if TYPE_CHECKING:  # imported when called, not when this module is
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["batch_dataframe", "gaps_dataframe", "plot_case", "report_dataframe"]

_EXTRA = "samarbeid-rules[analysis]"
_TZ = "Europe/Oslo"

RED = "#c0392b"
AMBER = "#e6a100"
GREEN = "#2e8b57"
GREY = "#8a8a8a"
BLUE = "#3b6ea8"
#: a recommendation (bør) not followed, or followed late: never a breach, so never red
PURPLE = "#7b3fa0"
_RECOMMENDATION_MISSED = ("not_followed", "followed_late")

OBLIGATION_COLUMNS = [
    "case_id", "prison_id", "obligation_id", "duty_id", "title", "actor", "modality", "status", "breach",
    "opens", "due", "due_lenient", "closes", "lateness", "next_due", "trigger_event_ids", "fulfilled_by",
    "fulfilments", "gaps", "breached_gaps", "citation", "rule_file",
]
GAP_COLUMNS = [
    "case_id", "prison_id", "obligation_id", "duty_id", "kind", "start", "end", "length", "status", "ongoing",
    "looks", "required", "required_lenient",
]
_INSTANTS = {"opens", "due", "due_lenient", "closes", "next_due", "start", "end"}
_LENGTHS = {"lateness", "length"}


def _missing(name: str) -> ImportError:
    return ImportError(
        f"{name} is needed for samarbeid_rules.notebook; install the analysis extra: pip install '{_EXTRA}'"
    )


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    try:
        import pandas as pd
    except ImportError:
        raise _missing("pandas") from None
    df = pd.DataFrame(rows, columns=columns)
    for col in columns:
        if col in _INSTANTS:
            df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert(_TZ)
        elif col in _LENGTHS:
            df[col] = pd.to_timedelta(df[col])
    for col in ("breach", "ongoing"):
        if col in df.columns:
            df[col] = df[col].astype(bool)
    return df


def _citation(o: Obligation) -> str:
    c = o.citation
    text = f"{c.document} §{c.section}"
    return f"{text}; {c.statute}" if getattr(c, "statute", None) else text


def _obligation_rows(report: Report) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for o in report.obligations:
        w = o.window
        rows.append({
            "case_id": report.case_id,
            "prison_id": report.prison_id,
            "obligation_id": o.id,
            "duty_id": o.duty_id,
            "title": o.title,
            "actor": o.actor,
            "modality": o.modality,
            "status": o.status.value,
            "breach": o.breach,
            "opens": w.opens,
            "due": w.due,
            "due_lenient": w.due_lenient,
            "closes": w.closes,
            "lateness": o.lateness,
            "next_due": o.next_due,
            "trigger_event_ids": list(o.trigger_event_ids),
            "fulfilled_by": list(o.fulfilled_by),
            "fulfilments": len(o.fulfilled_by),
            "gaps": len(o.gaps),
            "breached_gaps": sum(g.status.is_breach for g in o.gaps),
            "citation": _citation(o),
            "rule_file": o.rule_file,
        })
    return rows


def report_dataframe(report: Report) -> pd.DataFrame:
    """One row per obligation of ``report`` (columns: ``OBLIGATION_COLUMNS``)."""
    return _frame(_obligation_rows(report), OBLIGATION_COLUMNS)


def gaps_dataframe(report: Report) -> pd.DataFrame:
    """One row per gap of every obligation of ``report`` (columns: ``GAP_COLUMNS``)."""
    rows: list[dict[str, Any]] = []
    for o in report.obligations:
        for g in o.gaps:
            rows.append({
                "case_id": report.case_id,
                "prison_id": report.prison_id,
                "obligation_id": o.id,
                "duty_id": o.duty_id,
                "kind": g.kind,
                "start": g.start,
                "end": g.end,
                "length": g.length,
                "status": g.status.value,
                "ongoing": g.ongoing,
                "looks": g.looks,
                "required": g.required,
                "required_lenient": g.required_lenient,
            })
    return _frame(rows, GAP_COLUMNS)


class HasReport(Protocol):
    """Anything with a ``report`` that may be None: a batch item (:class:`~samarbeid_rules.BatchItem`)."""

    @property
    def report(self) -> Report | None: ...


#: what :func:`batch_dataframe` reads a report from
ReportSource: TypeAlias = "Report | tuple[object, Report] | HasReport"


def _report_of(item: object) -> Report | None:
    if isinstance(item, Report):
        return item
    if isinstance(item, tuple) and item and isinstance(item[-1], Report):
        return item[-1]
    if hasattr(item, "report"):  # a batch item; its report is None when it failed
        report = item.report
        if report is None and getattr(item, "error", "") is None:
            raise no_report_error(item)  # evaluated, but its run shipped no report: never left out silently
        if report is None or isinstance(report, Report):
            return report
    raise TypeError(f"expected a Report, a (timeline, report) pair or a batch item, got {type(item).__name__}")


def batch_dataframe(reports: Iterable[ReportSource]) -> pd.DataFrame:
    """One row per obligation of many reports, as :func:`report_dataframe`.

    ``reports`` may hold :class:`Report` objects, ``(timeline, report)``
    pairs, or batch items with a ``report`` attribute (items whose report is
    None, because the timeline could not be judged, are left out).
    """
    rows: list[dict[str, Any]] = []
    for item in reports:
        report = _report_of(item)
        if report is not None:
            rows.extend(_obligation_rows(report))
    return _frame(rows, OBLIGATION_COLUMNS)


# --- plot -------------------------------------------------------------------

_MEASURE_LABEL = {
    MeasureKind.EXCLUSION: "exclusion",
    MeasureKind.SECURITY_CELL: "security cell",
    MeasureKind.RESTRAINT_BED: "restraint bed",
    MeasureKind.CONTINUOUS_SUPERVISION: "continuous supervision",
}
_MEASURE_COLOUR = {
    MeasureKind.EXCLUSION: "#6c5b7b",
    MeasureKind.SECURITY_CELL: "#355c7d",
    MeasureKind.RESTRAINT_BED: "#2a363b",
    MeasureKind.CONTINUOUS_SUPERVISION: "#99b898",
}


def _status_colour(status: str) -> str:
    if status == "contested":
        return AMBER
    if status in _RECOMMENDATION_MISSED:
        return PURPLE
    if status in ("fulfilled",):
        return GREEN
    if status == "due":
        return GREY
    return RED


def _is_health_event(type_: str) -> bool:
    return "health" in type_ or type_.startswith("doctor")


def _instant(value: datetime | str) -> datetime:
    t = datetime.fromisoformat(value) if isinstance(value, str) else value
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("window= needs instants with a UTC offset (e.g. 2025-03-01T08:00+01:00)")
    return t


def plot_case(
    timeline: Timeline,
    report: Report,
    ax: Axes | None = None,
    *,
    window: tuple[datetime | str, datetime | str] | None = None,
    legend: bool = True,
) -> Axes:
    """Draw one case on a time axis and return the matplotlib ``Axes``.

    Lanes, top to bottom: custody (admission to release, else to ``as_of``);
    one lane per measure kind (exclusion, security cell, restraint bed,
    continuous supervision) with each measure as a bar; looks and health
    events (doctor notices, health visits) as ticks; release events (date
    set, notice, release) as ticks; then one lane per obligation with its
    window as a thin bar from ``opens`` to ``due`` (to ``closes`` or
    ``as_of`` when it has no deadline). Breaches are red, contested amber,
    fulfilled green, due grey; a breached or late obligation gets a red ``X``
    at its deadline (gid ``breach:<obligation id>``) and every gap is drawn as
    a red (breach) or amber (contested) bar over its lane (gid
    ``gap:<obligation id>``). A recommendation (*bør*) not followed or
    followed late is purple, never red (a square at its deadline, gid
    ``not_followed:<obligation id>``): it is not a breach of law. The events
    that fulfilled an obligation are diamonds on its lane (gid
    ``fulfilment:<obligation id>``). Times are shown in Europe/Oslo.

    ``window=(start, end)`` (aware datetimes or ISO 8601 texts with an
    offset) zooms the time axis to that stretch, e.g. a few hours around a
    missed look; the ticks then show hours. ``legend`` (default on) explains
    the colours and marks below the plot.
    """
    if timeline.case_id != report.case_id:
        raise ValueError(f"report for case {report.case_id!r} paired with timeline {timeline.case_id!r}")
    try:
        import matplotlib.dates as mdates
    except ImportError:
        raise _missing("matplotlib") from None
    from .._common.calendar import zone

    tz = zone(_TZ)
    if ax is None:
        import matplotlib.pyplot as plt

        n_lanes = 6 + len(report.obligations)
        _, ax = plt.subplots(figsize=(12, 1.5 + 0.35 * n_lanes))
    as_of = report.as_of
    # compare instants in UTC: datetimes sharing a zoneinfo tzinfo compare by wall clock
    events = sorted((ev for ev in timeline.events if utc(ev.at) <= utc(as_of)), key=lambda e: utc(e.at))
    num: Callable[[datetime], float] = mdates.date2num  # matplotlib.dates has no type hints

    def span(a: datetime, b: datetime) -> tuple[float, float]:
        x = num(a)
        return x, max(num(b) - x, 1e-6)

    labels: list[str] = []

    def lane(label: str) -> int:
        labels.append(label)
        return -(len(labels) - 1)

    # custody
    y = lane("custody")
    admitted = [e.at for e in events if e.type == "admitted"]
    released = [e.at for e in events if e.type == "released"]
    start = admitted[0] if admitted else (events[0].at if events else as_of)
    end = released[-1] if released else as_of
    ax.broken_barh([span(start, end)], (y - 0.3, 0.6), facecolors="#d9d9d9", edgecolor=GREY, gid="custody")

    # measures
    by_kind: dict[MeasureKind, list[tuple[datetime, datetime]]] = {}
    for pair in timeline.measures().values():
        if utc(pair.start.at) > utc(as_of):
            continue
        m_end = pair.end.at if pair.end is not None and utc(pair.end.at) <= utc(as_of) else as_of
        by_kind.setdefault(pair.kind, []).append((pair.start.at, m_end))
    for kind in MeasureKind:
        if kind in by_kind:
            y = lane(_MEASURE_LABEL[kind])
            ax.broken_barh([span(a, b) for a, b in by_kind[kind]], (y - 0.3, 0.6),
                           facecolors=_MEASURE_COLOUR[kind], alpha=0.8, gid=f"measure:{kind.value}")

    # ticks
    def ticks(label: str, times: list[datetime], colour: str, gid: str) -> None:
        if times:
            y = lane(label)
            ax.vlines([num(t) for t in times], y - 0.3, y + 0.3, colors=colour, linewidth=0.8, gid=gid)

    ticks("looks", [e.at for e in events if e.type == "supervision_look"], BLUE, "looks")
    ticks("health", [e.at for e in events if _is_health_event(e.type)], GREEN, "health")
    ticks("release", [e.at for e in events if e.type.startswith(("expected_release", "release"))],
          "#444444", "release")

    # obligations
    at_of = {ev.id: ev.at for ev in events}
    for o in report.obligations:
        y = lane(f"{o.duty_id} ({', '.join(o.trigger_event_ids)})")
        w = o.window
        colour = _status_colour(o.status.value)
        stop = w.due or w.closes or as_of
        ax.broken_barh([span(w.opens, stop)], (y - 0.08, 0.16), facecolors=colour,
                       alpha=0.5, gid=f"window:{o.id}")
        # a short window (an hour in a months-long case) still shows where it opened
        ax.plot([num(w.opens)], [y], marker="|", markersize=8, color=colour, linestyle="none")
        for g in o.gaps:
            ax.broken_barh([span(g.start, g.end)], (y - 0.3, 0.6),
                           facecolors=RED if g.status.is_breach else AMBER, alpha=0.85, gid=f"gap:{o.id}")
        done = [at_of[e] for e in o.fulfilled_by if e in at_of]
        if done:
            ax.plot([num(t) for t in done], [y] * len(done), marker="D", markersize=5, color="#1f1f1f",
                    markerfacecolor=colour, linestyle="none", gid=f"fulfilment:{o.id}")
        if o.breach:
            mark = w.due or w.closes or as_of
            ax.plot([num(mark)], [y], marker="X", markersize=9, color=RED, linestyle="none",
                    gid=f"breach:{o.id}")
        elif o.status.value in _RECOMMENDATION_MISSED:
            mark = w.due or w.closes or as_of
            ax.plot([num(mark)], [y], marker="s", markersize=7, color=PURPLE, linestyle="none",
                    gid=f"not_followed:{o.id}")
        elif o.status.value == "contested":
            mark = w.due or w.closes or as_of
            ax.plot([num(mark)], [y], marker="o", markersize=6, color=AMBER, linestyle="none",
                    gid=f"contested:{o.id}")

    ax.axvline(num(as_of), color="#444444", linestyle=":", linewidth=1, gid="as_of")
    ax.set_yticks([-i for i in range(len(labels))], labels)
    ax.set_ylim(-len(labels) + 0.4, 0.6)
    ax.xaxis_date(tz=tz)
    locator = mdates.AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))  # type: ignore[no-untyped-call]
    ax.set_title(f"{report.case_id} ({report.prison_id or 'no prison'}); as of "
                 f"{as_of.astimezone(tz):%Y-%m-%d %H:%M}; {report.summary.get('breaches', 0)} breaches")
    ax.grid(axis="x", alpha=0.3)
    if window is not None:
        start_w, end_w = (_instant(t) for t in window)
        if utc(end_w) <= utc(start_w):
            raise ValueError("window= ends before it starts")
        ax.set_xlim(num(start_w), num(end_w))
    if legend:
        _legend(ax)
    return ax


def _legend(ax: Axes) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=GREEN, alpha=0.5, label="fulfilled"),
        Patch(facecolor=GREY, alpha=0.5, label="due (open)"),
        Patch(facecolor=AMBER, alpha=0.5, label="contested (late on the strict reading only)"),
        Patch(facecolor=RED, alpha=0.5, label="breach"),
        Patch(facecolor=PURPLE, alpha=0.5, label="recommendation not followed (not a breach)"),
        Line2D([], [], marker="D", color="#1f1f1f", markerfacecolor="white", linestyle="none",
               label="fulfilling event"),
        Line2D([], [], marker="X", color=RED, linestyle="none", label="breach at the deadline"),
        Line2D([], [], marker="s", color=PURPLE, linestyle="none", label="recommendation missed"),
        Patch(facecolor=RED, alpha=0.85, label="gap (red breach, amber contested)"),
        Line2D([], [], color="#444444", linestyle=":", label="as of"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize="small",
              frameon=False)
