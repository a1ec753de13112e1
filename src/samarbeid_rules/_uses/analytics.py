"""Population figures: what the audits ask of many timelines at once.

:func:`population_figures` reads ``(timeline, report)`` pairs once, in a
single pass, and returns a :class:`PopulationFigures`. Memory grows with the
number of distinct prisons, release years, months and duties, and with the
number of distinct lead times in whole days, never with the number of
timelines, except for the traces: every figure keeps the list of
``(case_id, obligation_id)`` (a :class:`TraceRef`) that make it up, so that a
figure can be followed down to the reports behind it. Pass
``keep_traces=False`` to drop them for very large populations.

The figures (exact definitions in each function's docstring and in
``docs/analytics.md``):

- release-notice lead times (``release.health_notice``): distribution in whole
  days, share notified at least two calendar months ahead, share on time by
  the rule; overall, per prison and per year of the expected release;
- share of transfers where the health service was told before the transfer
  (``custody.transfer_notice``);
- isolation: share of isolation days with a health visit
  (``isolation.health_daily_visit`` / ``isolation.health_first_visit``),
  share of daytime hours with an hourly look (``exclusion.hourly_supervision``),
  minors' continuous-supervision coverage (``exclusion.minor_continuous``,
  ``security_cell.minor_continuous``);
- disclosures without a valid basis (``consent.disclosure_basis``);
- when the municipality and the health service were told, counted from the
  release day (the audit's categories; ``release_timing.py``);
- breaches per duty, per prison, per month of the obligation's opening.

A figure whose duty does not occur in any report is ``None`` (for a count) or
a share with ``value None`` and denominator 0: "no data" is never shown as 0.
Duties the module does not know by name are counted in the breach table like
any other; statuses are read through ``Obligation.breach`` and the status's
string value, so new statuses need no change here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from .._common.calendar import calendar_months_before, local_instant, utc, zone
from .._inputs.timeline import Timeline, validate_timeline
from .._pipeline.report import LocalWindow, Obligation, Report
from .figures import (
    LEAD_BUCKETS,
    BreachCounts,
    BreachRow,
    Coverage,
    Distribution,
    LeadTimes,
    PopulationFigures,
    ReleaseNoticeFigures,
    Share,
    TraceRef,
    _ratio,
    _ShareAcc,
)
from .release_timing import NoticeTimingAcc

__all__ = ["population_figures"]

RELEASE_NOTICE = "release.health_notice"
TRANSFER_NOTICE = "custody.transfer_notice"
HEALTH_DAILY_VISIT = "isolation.health_daily_visit"
HEALTH_FIRST_VISIT = "isolation.health_first_visit"
HOURLY_SUPERVISION = "exclusion.hourly_supervision"
#: duties whose obligations are minors' continuous supervision
MINOR_CONTINUOUS = ("exclusion.minor_continuous", "security_cell.minor_continuous")
DISCLOSURE_BASIS = "consent.disclosure_basis"

#: prison key used when a report has no prison id
NO_PRISON = "(none)"
#: year/month key used when a date cannot be established
UNKNOWN = "(unknown)"

_OSLO = "Europe/Oslo"  # the only time zone a profile may name (ProfileSettings.timezone)


def _hours(td: timedelta) -> float:
    return td.total_seconds() / 3600


# --- figure types -----------------------------------------------------------


@dataclass
class _CoverAcc:
    keep: bool
    covered: timedelta = timedelta(0)
    required: timedelta = timedelta(0)
    n: int = 0
    trace: list[TraceRef] = field(default_factory=list)

    def add(self, ref: TraceRef, covered: timedelta, required: timedelta) -> None:
        self.n += 1
        self.covered += covered
        self.required += required
        if self.keep:
            self.trace.append(ref)

    def done(self) -> Coverage:
        cov, req = _hours(self.covered), _hours(self.required)
        value = None if self.required <= timedelta(0) else self.covered / self.required
        return Coverage(cov, req, value, self.n, tuple(self.trace))


@dataclass
class _LeadAcc:
    keep: bool
    leads: Counter = field(default_factory=Counter)
    trace: list[TraceRef] = field(default_factory=list)
    ahead: _ShareAcc = None  # type: ignore[assignment]
    on_time: _ShareAcc = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.ahead = _ShareAcc(self.keep)
        self.on_time = _ShareAcc(self.keep)

    def add_lead(self, ref: TraceRef, days: int) -> None:
        self.leads[days] += 1
        if self.keep:
            self.trace.append(ref)

    def done(self) -> LeadTimes:
        return LeadTimes(_distribution(self.leads, tuple(self.trace)), self.ahead.done(), self.on_time.done())


def _quantile(values: list[tuple[int, int]], n: int, p: float) -> float:
    """Linear interpolation at position p*(n-1) over (value, count) pairs sorted by value."""
    pos = p * (n - 1)
    lo_rank, frac = int(pos), pos - int(pos)

    def at(rank: int) -> int:
        seen = 0
        for v, c in values:
            seen += c
            if rank < seen:
                return v
        return values[-1][0]

    lo = at(lo_rank)
    if frac == 0:
        return float(lo)
    hi = at(lo_rank + 1)
    return lo + (hi - lo) * frac


def _distribution(leads: Counter, trace: tuple[TraceRef, ...]) -> Distribution:
    hist = {label: 0 for label, _, _ in LEAD_BUCKETS}
    for v, c in leads.items():
        for label, lo, hi in LEAD_BUCKETS:
            if (lo is None or v >= lo) and (hi is None or v < hi):
                hist[label] += c
                break
    n = sum(leads.values())
    if n == 0:
        return Distribution(0, None, None, None, None, None, hist, trace)
    values = sorted(leads.items())
    return Distribution(
        count=n,
        min=values[0][0],
        q1=_quantile(values, n, 0.25),
        median=_quantile(values, n, 0.5),
        q3=_quantile(values, n, 0.75),
        max=values[-1][0],
        histogram=hist,
        trace=trace,
    )


# --- helpers on one timeline ------------------------------------------------


def _local_date(t: datetime, tz: tzinfo) -> date:
    return t.astimezone(tz).date()


def _end(o: Obligation, report: Report) -> datetime:
    """End of a measure-like obligation (UTC): ``window.closes``, else ``as_of`` (still in effect)."""
    return utc(o.window.closes if o.window.closes is not None else report.as_of)


def _daytime_window(o: Obligation) -> tuple[time, time] | None:
    """The strict daytime window the obligation was judged with: its clock-window term's structured
    bound (``TermUse.strict``), or None if it was judged without one."""
    for t in o.terms:
        if t.kind == "clock_window" and isinstance(t.strict, LocalWindow):
            return t.strict.start, t.strict.end
    return None


def daytime_in(start: datetime, end: datetime, window: tuple[time, time], tz: tzinfo) -> timedelta:
    """Elapsed time between ``start`` and ``end`` that falls inside the daily local clock window."""
    total = timedelta(0)
    start, end = utc(start), utc(end)
    day = _local_date(start, tz)
    last = _local_date(end, tz)
    while day <= last:
        ws, we = utc(local_instant(day, window[0], tz)), utc(local_instant(day, window[1], tz))
        a, b = max(ws, start), min(we, end)
        if a < b:
            total += b - a
        day += timedelta(days=1)
    return total


def _days_touched(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    start, end = utc(start), utc(end)
    first, last = _local_date(start, tz), _local_date(end, tz)
    if end > start and end == utc(local_instant(last, time(0), tz)):
        last -= timedelta(days=1)  # ends at midnight: the next day is not touched
    out, day = [], first
    while day <= last:
        out.append(day)
        day += timedelta(days=1)
    return out


class _Case:
    """Look-ups on one timeline's events (kept only while the pair is read)."""

    def __init__(self, timeline: Timeline) -> None:
        self.by_id = {ev.id: ev for ev in timeline.events}
        self.release_dates = sorted(
            ((utc(ev.at), i, ev.release_date) for i, ev in enumerate(timeline.events)
             if ev.type == "expected_release_date_set"),
            key=lambda x: (x[0], x[1]),
        )
        self.releases = sorted(utc(ev.at) for ev in timeline.events if ev.type == "released")

    def at(self, event_id: str) -> datetime | None:
        """The instant (UTC) of an event of this timeline, None if it has no such event."""
        ev = self.by_id.get(event_id)
        return utc(ev.at) if ev is not None else None

    def expected_release_at(self, instant: datetime, tz: tzinfo) -> date | None:
        """The latest expected release date set at or before ``instant``; else the next release's date."""
        best = None
        for at, _, d in self.release_dates:
            if at <= instant:
                best = d
        if best is not None:
            return best
        for at in self.releases:
            if at >= instant:
                return _local_date(at, tz)
        return None

    def expected_release_of(self, o: Obligation, tz: tzinfo) -> date | None:
        """The expected release date an obligation was judged against (its last trigger's)."""
        for eid in reversed(o.trigger_event_ids):
            ev = self.by_id.get(eid)
            if ev is not None and ev.type == "expected_release_date_set":
                return ev.release_date
        if o.window.closes is not None:
            return _local_date(o.window.closes, tz)
        return None


# --- the pass ---------------------------------------------------------------


def population_figures(
    pairs: Iterable[tuple[Timeline | Mapping[str, Any], Report]], *, keep_traces: bool = True
) -> PopulationFigures:
    """All population figures of ``(timeline, report)`` pairs, read once.

    ``pairs`` may be a generator; each pair is read once and let go. A
    timeline may be a :class:`Timeline` or its parsed JSON. The report must be
    the timeline's (same case id), else ``ValueError``. Local dates are
    Europe/Oslo.

    **Release notices** (``release.health_notice``). An obligation is
    *settled* when it has a fulfilling notice, its window is closed (the
    release happened) or it is a breach; the rest are *pending* (counted in
    ``pending``, left out of the shares). For each obligation with
    ``fulfilled_by``, whatever its status, the lead time is the expected
    release date minus the local date of the first fulfilling notice, in whole
    calendar days; the expected release date is that of the latest
    ``expected_release_date_set`` at or before the notice, or, without one,
    the local date of the first ``released`` at or after it. *Two months
    ahead*: settled obligations whose notice's local date is on or before the
    expected release date minus two calendar months (the rule's date
    deadline). *On time*: settled obligations with status ``fulfilled`` (this
    includes a date that became known late and was notified as early as
    practicable). Grouped overall, per prison and per year of the expected
    release date (that of the obligation's last trigger).

    **Transfers** (``custody.transfer_notice``). The transfer instant is
    ``window.closes``, else ``window.due``. Obligations whose transfer instant
    is unknown or after ``as_of`` are pending. Numerator: those with a
    fulfilling event at or before the transfer instant.

    **Isolation days with a health visit**. Obligations of
    ``isolation.health_daily_visit`` and ``isolation.health_first_visit``
    sharing a trigger form one isolation; its span runs from the earliest
    ``window.opens`` to the latest ``window.closes`` (``as_of`` for one
    still open). Its days are the local calendar days the span touches; a day
    has a visit when an event in ``fulfilled_by`` of either obligation falls
    on it. The share counts days; its trace names one obligation per
    isolation (the daily-visit one, else the first-visit one), and
    ``numerator_trace`` those with at least one visited day.

    **Daytime hours with an hourly look** (``exclusion.hourly_supervision``).
    Required: the time inside the measure (``window.opens`` to
    ``window.closes``, or ``as_of`` if still in effect) that lies in the
    strict daytime window the obligation was judged with (its ``dagtid``
    term's ``strict`` local times, 07:00-22:00 in the default profile; an
    obligation judged without a daytime window is left out). Covered: required minus the total length of the obligation's
    ``daytime`` gaps, breached or contested, each counted whole (a gap is a
    stretch of more than the allowed interval between looks, or between the
    window's or measure's edge and a look). A share of hours, not of
    obligations.

    **Minors' continuous-supervision coverage** (``exclusion.minor_continuous``,
    ``security_cell.minor_continuous``). Required: ``window.opens`` to
    ``window.closes`` (the measure's end or the 18th birthday), or ``as_of``.
    Covered: required minus the total length of the ``uncovered`` gaps.

    **Disclosures without a valid basis** (``consent.disclosure_basis``): the
    number of its obligations that are breaches; ``None`` when the duty does
    not occur in any report. The share is over all its obligations.

    **Breaches**: every obligation counted under its duty, its report's prison
    and the month (local ``YYYY-MM``) of its ``window.opens``; breaches are
    those with ``breach`` true (``fulfilled_late`` counts).
    """
    tz = zone(_OSLO)
    keep = keep_traces
    n_timelines = n_obligations = 0

    lead_all = _LeadAcc(keep)
    lead_prison: dict[str, _LeadAcc] = {}
    lead_year: dict[str, _LeadAcc] = {}
    transfer = _ShareAcc(keep)
    iso_days = _ShareAcc(keep)
    daytime = _CoverAcc(keep)
    minors = _CoverAcc(keep)
    disclosure = _ShareAcc(keep)
    notice_timing = NoticeTimingAcc(keep)
    breach_cells: dict[tuple[str, str, str], list[Any]] = {}

    for pair in pairs:
        timeline, report = pair
        if isinstance(timeline, Mapping):
            timeline = validate_timeline(timeline)
        if not isinstance(timeline, Timeline) or not isinstance(report, Report):
            raise TypeError("population_figures expects (Timeline, Report) pairs")
        if timeline.case_id != report.case_id:
            raise ValueError(
                f"report for case {report.case_id!r} paired with timeline {timeline.case_id!r}"
            )
        n_timelines += 1
        notice_timing.add_case(timeline, report, tz)
        case = _Case(timeline)
        cid = report.case_id
        prison = report.prison_id or NO_PRISON
        isolations: dict[tuple[str, ...], list[Obligation]] = {}

        for o in report.obligations:
            n_obligations += 1
            ref = TraceRef(cid, o.id)
            month = o.window.opens.astimezone(tz).strftime("%Y-%m")
            cell = breach_cells.setdefault((o.duty_id, prison, month), [0, 0, []])
            cell[0] += 1
            if o.breach:
                cell[1] += 1
                if keep:
                    cell[2].append(ref)

            duty = o.duty_id
            if duty == RELEASE_NOTICE:
                expected = case.expected_release_of(o, tz)
                year = str(expected.year) if expected else UNKNOWN
                groups = (
                    lead_all,
                    lead_prison.setdefault(prison, _LeadAcc(keep)),
                    lead_year.setdefault(year, _LeadAcc(keep)),
                )
                notice_at = min((t for t in map(case.at, o.fulfilled_by) if t is not None), default=None)
                settled = notice_at is not None or o.window.closes is not None or o.breach
                ahead = False
                if notice_at is not None:
                    rel = case.expected_release_at(notice_at, tz)
                    if rel is not None:
                        notice_day = _local_date(notice_at, tz)
                        lead = (rel - notice_day).days
                        ahead = notice_day <= calendar_months_before(rel, 2)
                        for g in groups:
                            g.add_lead(ref, lead)
                for g in groups:
                    if settled:
                        g.ahead.add(ref, ahead)
                        g.on_time.add(ref, o.status.value == "fulfilled")
                    else:
                        g.ahead.pending += 1
                        g.on_time.pending += 1
            elif duty == TRANSFER_NOTICE:
                moment = o.window.closes or o.window.due
                if moment is None or utc(moment) > utc(report.as_of):
                    transfer.pending += 1
                else:
                    told = any(t is not None and t <= utc(moment) for t in map(case.at, o.fulfilled_by))
                    transfer.add(ref, told)
            elif duty in (HEALTH_DAILY_VISIT, HEALTH_FIRST_VISIT):
                isolations.setdefault(tuple(o.trigger_event_ids), []).append(o)
            elif duty == HOURLY_SUPERVISION:
                window = _daytime_window(o)
                if window is None:  # a look duty without a daytime window has no daytime hours
                    continue
                end = _end(o, report)
                required = daytime_in(o.window.opens, end, window, tz)
                gaps = sum((g.length for g in o.gaps if g.kind == "daytime"), timedelta(0))
                daytime.add(ref, max(required - gaps, timedelta(0)), required)
            elif duty in MINOR_CONTINUOUS:
                end = _end(o, report)
                required = max(end - utc(o.window.opens), timedelta(0))
                holes = sum((g.length for g in o.gaps if g.kind == "uncovered"), timedelta(0))
                minors.add(ref, max(required - holes, timedelta(0)), required)
            elif duty == DISCLOSURE_BASIS:
                disclosure.add(ref, o.breach)

        for obs in isolations.values():
            main = next((o for o in obs if o.duty_id == HEALTH_DAILY_VISIT), obs[0])
            start = min(utc(o.window.opens) for o in obs)
            end = max(_end(o, report) for o in obs)
            visit_days = {
                _local_date(t, tz) for o in obs for t in map(case.at, o.fulfilled_by) if t is not None
            }
            days = _days_touched(start, end, tz)
            iso_days.add_counts(TraceRef(cid, main.id), sum(d in visit_days for d in days), len(days))

    by_duty: Counter = Counter()
    by_prison: Counter = Counter()
    by_month: Counter = Counter()
    rows = []
    total = 0
    for (duty, prison, month), (n, b, tr) in sorted(breach_cells.items()):
        by_duty[duty] += b
        by_prison[prison] += b
        by_month[month] += b
        total += b
        rows.append(BreachRow(duty, prison, month, n, b, tuple(tr)))

    return PopulationFigures(
        timelines=n_timelines,
        obligations=n_obligations,
        release_notice=ReleaseNoticeFigures(
            overall=lead_all.done(),
            by_prison={k: v.done() for k, v in sorted(lead_prison.items())},
            by_year={k: v.done() for k, v in sorted(lead_year.items())},
        ),
        transfer_told_before=transfer.done(),
        isolation_days_with_health_visit=iso_days.done(),
        daytime_hours_with_hourly_look=daytime.done(),
        minor_continuous_coverage=minors.done(),
        disclosures_without_basis=disclosure.num if disclosure.den else None,
        disclosures_without_basis_share=disclosure.done(),
        breaches=BreachCounts(
            total=total,
            obligations=n_obligations,
            by_duty=dict(sorted(by_duty.items())),
            by_prison=dict(sorted(by_prison.items())),
            by_month=dict(sorted(by_month.items())),
            rows=tuple(rows),
        ),
        notice_timing=notice_timing.done(),
    )
