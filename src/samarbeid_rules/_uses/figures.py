"""The population figures' types: shares, coverages, distributions, breach counts, and their text table.

Built by :func:`.analytics.population_figures`; each figure keeps the
:class:`TraceRef` items it is made of, and ``to_dict()`` gives a JSON-able form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .._common.display import html_of

__all__ = [
    "LEAD_BUCKETS",
    "BreachCounts",
    "BreachRow",
    "Coverage",
    "Distribution",
    "LeadTimes",
    "NOTICE_CATEGORIES",
    "NoticeTiming",
    "PopulationFigures",
    "ReleaseNoticeFigures",
    "Share",
    "TraceRef",
    "figures_table",
]

#: lead-time histogram buckets in whole days: [low, high), None = unbounded
LEAD_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("<0", None, 0),
    ("0-14", 0, 14),
    ("14-30", 14, 30),
    ("30-61", 30, 61),
    (">=61", 61, None),
)


#: when a partner was told, counted from the release day (release_timing.py)
NOTICE_CATEGORIES: tuple[str, ...] = (
    "before_release_day",
    "release_day_to_3_days_after",
    "4_or_more_days_after",
    "no_record",
)


class TraceRef(NamedTuple):
    """One item behind a figure: a case and an obligation id (or event id) in its report."""

    case_id: str
    ref: str


@dataclass(frozen=True)
class Share:
    """A share of counted items: ``numerator / denominator``; ``value`` is None when nothing was counted.

    ``trace`` lists every item of the denominator, ``numerator_trace`` those
    also in the numerator. ``pending`` counts items left out because they are
    not settled yet at the report's ``as_of``.
    """

    numerator: int
    denominator: int
    value: float | None
    pending: int = 0
    trace: tuple[TraceRef, ...] = ()
    numerator_trace: tuple[TraceRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "pending": self.pending,
            "trace": [list(t) for t in self.trace],
            "numerator_trace": [list(t) for t in self.numerator_trace],
        }


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


@dataclass
class _ShareAcc:
    """Builds a :class:`Share` item by item (``keep``: with its traces)."""

    keep: bool
    num: int = 0
    den: int = 0
    pending: int = 0
    trace: list[TraceRef] = field(default_factory=list)
    num_trace: list[TraceRef] = field(default_factory=list)

    def add(self, ref: TraceRef, hit: bool) -> None:
        self.den += 1
        if self.keep:
            self.trace.append(ref)
        if hit:
            self.num += 1
            if self.keep:
                self.num_trace.append(ref)

    def add_counts(self, ref: TraceRef, hits: int, total: int) -> None:
        """One traced item that contributes ``total`` to the denominator and ``hits`` to the numerator."""
        self.den += total
        self.num += hits
        if self.keep:
            self.trace.append(ref)
            if hits:
                self.num_trace.append(ref)

    def done(self) -> Share:
        return Share(self.num, self.den, _ratio(self.num, self.den), self.pending,
                     tuple(self.trace), tuple(self.num_trace))


@dataclass(frozen=True)
class Coverage:
    """A share of time: ``covered_hours / required_hours``; ``value`` is None when no time was required.

    ``trace`` lists the obligations whose time was counted.
    """

    covered_hours: float
    required_hours: float
    value: float | None
    obligations: int
    trace: tuple[TraceRef, ...] = ()

    @property
    def numerator(self) -> float:
        return self.covered_hours

    @property
    def denominator(self) -> float:
        return self.required_hours

    def to_dict(self) -> dict[str, Any]:
        return {
            "covered_hours": self.covered_hours,
            "required_hours": self.required_hours,
            "value": self.value,
            "obligations": self.obligations,
            "trace": [list(t) for t in self.trace],
        }


@dataclass(frozen=True)
class Distribution:
    """A distribution of whole-day values: count, min, quartiles, max and histogram.

    Quartiles interpolate linearly between the closest ranks (position
    ``p * (count - 1)`` in the sorted values; NumPy's default and
    ``statistics.quantiles(method="inclusive")``). All are None when count is 0.
    """

    count: int
    min: int | None
    q1: float | None
    median: float | None
    q3: float | None
    max: int | None
    histogram: dict[str, int]
    trace: tuple[TraceRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "min": self.min,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
            "max": self.max,
            "histogram": dict(self.histogram),
            "trace": [list(t) for t in self.trace],
        }


@dataclass(frozen=True)
class LeadTimes:
    """Release-notice figures for one group (all, one prison or one year)."""

    lead_days: Distribution
    two_months_ahead: Share
    on_time: Share

    def to_dict(self) -> dict[str, Any]:
        return {
            "lead_days": self.lead_days.to_dict(),
            "two_months_ahead": self.two_months_ahead.to_dict(),
            "on_time": self.on_time.to_dict(),
        }


@dataclass(frozen=True)
class ReleaseNoticeFigures:
    """Release-notice figures overall, per prison and per year of the expected release."""

    overall: LeadTimes
    by_prison: dict[str, LeadTimes]
    by_year: dict[str, LeadTimes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_prison": {k: v.to_dict() for k, v in self.by_prison.items()},
            "by_year": {k: v.to_dict() for k, v in self.by_year.items()},
        }


@dataclass(frozen=True)
class BreachRow:
    """Obligations and breaches of one duty in one prison in one month."""

    duty_id: str
    prison_id: str
    month: str
    obligations: int
    breaches: int
    trace: tuple[TraceRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "duty_id": self.duty_id,
            "prison_id": self.prison_id,
            "month": self.month,
            "obligations": self.obligations,
            "breaches": self.breaches,
            "trace": [list(t) for t in self.trace],
        }


@dataclass(frozen=True)
class BreachCounts:
    """Breaches (``Obligation.breach``) per duty, prison and month of ``window.opens`` (Europe/Oslo).

    ``rows`` has one row per (duty, prison, month) with at least one
    obligation, sorted; each row's ``trace`` lists its breached obligations.
    """

    total: int
    obligations: int
    by_duty: dict[str, int]
    by_prison: dict[str, int]
    by_month: dict[str, int]
    rows: tuple[BreachRow, ...]

    @property
    def trace(self) -> tuple[TraceRef, ...]:
        return tuple(t for r in self.rows for t in r.trace)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "obligations": self.obligations,
            "by_duty": dict(self.by_duty),
            "by_prison": dict(self.by_prison),
            "by_month": dict(self.by_month),
            "rows": [r.to_dict() for r in self.rows],
        }


@dataclass(frozen=True)
class NoticeTiming:
    """When the recipient of a notice duty was told, counted from the release day.

    ``releases`` counts the duty's obligations whose release happened by
    ``as_of``; ``pending`` those still ahead. ``shares`` has one
    :class:`Share` per category of :data:`NOTICE_CATEGORIES` over the
    releases (``trace``: every counted obligation; ``numerator_trace``: those
    in the category).
    """

    duty_id: str
    recipient: str
    releases: int
    pending: int
    shares: dict[str, Share]

    def to_dict(self) -> dict[str, Any]:
        return {
            "duty_id": self.duty_id,
            "recipient": self.recipient,
            "releases": self.releases,
            "pending": self.pending,
            "shares": {k: v.to_dict() for k, v in self.shares.items()},
        }


@dataclass(frozen=True)
class PopulationFigures:
    """Every figure of :func:`population_figures` for one population."""

    timelines: int
    obligations: int
    release_notice: ReleaseNoticeFigures
    transfer_told_before: Share
    isolation_days_with_health_visit: Share
    daytime_hours_with_hourly_look: Coverage
    minor_continuous_coverage: Coverage
    disclosures_without_basis: int | None
    disclosures_without_basis_share: Share
    breaches: BreachCounts
    #: per notice duty (release.municipality_notice, release.health_notice): told before, on or after the release day
    notice_timing: dict[str, NoticeTiming] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return html_of(self)  # drawn by the outputs stage (_outputs/views.py)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (keys are strings; traces are ``[case_id, ref]`` lists)."""
        return {
            "timelines": self.timelines,
            "obligations": self.obligations,
            "release_notice": self.release_notice.to_dict(),
            "transfer_told_before": self.transfer_told_before.to_dict(),
            "isolation_days_with_health_visit": self.isolation_days_with_health_visit.to_dict(),
            "daytime_hours_with_hourly_look": self.daytime_hours_with_hourly_look.to_dict(),
            "minor_continuous_coverage": self.minor_continuous_coverage.to_dict(),
            "disclosures_without_basis": self.disclosures_without_basis,
            "disclosures_without_basis_share": self.disclosures_without_basis_share.to_dict(),
            "breaches": self.breaches.to_dict(),
            "notice_timing": {k: v.to_dict() for k, v in self.notice_timing.items()},
        }

    def table(self) -> str:
        """The figures as a plain-text table (see :func:`figures_table`)."""
        return figures_table(self)


# --- accumulators -----------------------------------------------------------


# --- text -------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _share_text(s: Share) -> str:
    text = f"{_pct(s.value)} ({s.numerator}/{s.denominator})"
    return text + (f", {s.pending} pending" if s.pending else "")


def _cover_text(c: Coverage) -> str:
    return f"{_pct(c.value)} ({c.covered_hours:.1f} h of {c.required_hours:.1f} h, {c.obligations} obligations)"


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def figures_table(fig: PopulationFigures) -> str:
    """A plain-text rendering of the figures (no traces), for a terminal or a log."""
    out = [f"Population: {fig.timelines} timelines, {fig.obligations} obligations", ""]
    rn = fig.release_notice
    out.append("Release notices to the health service (release.health_notice)")
    header = ["group", "notices", "min", "q1", "median", "q3", "max",
              *(label for label, _, _ in LEAD_BUCKETS), "2 months ahead", "on time"]
    rows = []
    groups = [("all", rn.overall)]
    groups += [(f"prison {k}", v) for k, v in rn.by_prison.items()]
    groups += [(f"year {k}", v) for k, v in rn.by_year.items()]
    for name, lt in groups:
        d = lt.lead_days
        rows.append([name, str(d.count), _num(d.min), _num(d.q1), _num(d.median), _num(d.q3), _num(d.max),
                     *(str(d.histogram[label]) for label, _, _ in LEAD_BUCKETS),
                     _share_text(lt.two_months_ahead), _share_text(lt.on_time)])
    out += ["  " + r for r in _grid(header, rows)]
    out.append("")
    dis = fig.disclosures_without_basis
    out += _grid(
        ["figure", "value"],
        [
            ["transfers: health told before the transfer", _share_text(fig.transfer_told_before)],
            ["isolation days with a health visit", _share_text(fig.isolation_days_with_health_visit)],
            ["daytime hours with an hourly look", _cover_text(fig.daytime_hours_with_hourly_look)],
            ["minors' continuous-supervision coverage", _cover_text(fig.minor_continuous_coverage)],
            ["disclosures without a valid basis",
             "-" if dis is None else f"{dis} ({_share_text(fig.disclosures_without_basis_share)})"],
        ],
    )
    out.append("")
    if fig.notice_timing:
        out.append("Notices counted from the release day (the audit's categories, Dokument 3:4 (2022–2023))")
        rows = [[duty, nt.recipient, str(nt.releases), str(nt.pending),
                 *(f"{_pct(nt.shares[c].value)} ({nt.shares[c].numerator})" for c in NOTICE_CATEGORIES)]
                for duty, nt in fig.notice_timing.items()]
        header = ["duty", "to", "releases", "pending", "before release day", "day 0-3 after", "4+ days after",
                  "no record"]
        out += ["  " + r for r in _grid(header, rows)]
        out.append("")
    b = fig.breaches
    out.append(f"Breaches: {b.total} of {b.obligations} obligations")
    out += ["  " + r for r in _grid(["duty", "breaches"], [[k, str(v)] for k, v in b.by_duty.items()])]
    out += ["  " + r for r in _grid(["prison", "breaches"], [[k, str(v)] for k, v in b.by_prison.items()])]
    out += ["  " + r for r in _grid(["month", "breaches"], [[k, str(v)] for k, v in b.by_month.items()])]
    return "\n".join(out) + "\n"
