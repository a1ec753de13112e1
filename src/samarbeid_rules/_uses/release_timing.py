"""When partners were told of a release, counted from the release day: the audit's kind of table.

The Office of the Auditor General's audit (Dokument 3:4 (2022–2023), source
003) found that *kriminalomsorgen* does not notify its partners in reasonable
time before release, and recommended that the municipalities be notified
systematically and in good time. An audit of this kind reports, for the
releases it looked at, how many partners were notified **before the release
day**, **on the release day or within three days after**, **four or more
days after**, and how many releases have **no record** of a notice at all.
:class:`NoticeTimingAcc` counts these from reports, one table per notice duty:

- ``release.municipality_notice`` (notice to the municipality,
  ``recipient: municipality``), the duty that cites 003;
- ``release.health_notice`` (notice to the municipal health service,
  ``recipient: kho``).

Counted: every obligation of the duty whose release happened by the report's
``as_of`` (``window.closes`` set, at or before ``as_of``); the others are
``pending``. The release day is the local (Europe/Oslo) date of
``window.closes``. The notice is the first ``release_notice_sent`` to the
duty's recipient at or after the obligation opened and before the next
expected release date set after the release (a later stay); it may come
after the release, which the obligation itself never counts as fulfilment,
so the timeline's events are read. Days = local date of the notice minus the
release day: ``< 0`` before the release day, ``0..3`` the release day to
three days after, ``>= 4`` four or more days after; no notice: no record.

Each category is a :class:`~samarbeid_rules._uses.figures.Share` of the
counted releases, traced to their obligations.

:data:`AUDIT_003` is the audit's table as far as source 003 gives it: the
categories and the source, **no numbers** — the summary in 003 states the
finding in words only. Put the shares from the full report (or any
published table) into a :class:`PublishedShares` of your own to compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from .._common.calendar import utc
from .._inputs.timeline import Timeline
from .._pipeline.report import Obligation, Report
from .figures import NOTICE_CATEGORIES, NoticeTiming, TraceRef, _ShareAcc

__all__ = ["AUDIT_003", "NOTICE_DUTIES", "NoticeTimingAcc", "PublishedShares", "compare_with_published",
           "notice_category"]

#: the notice duties counted, and the recipient each one's notice goes to
NOTICE_DUTIES: dict[str, str] = {
    "release.municipality_notice": "municipality",
    "release.health_notice": "kho",
}


def notice_category(days: int | None) -> str:
    """The category of a notice ``days`` after the release day (None: no notice)."""
    if days is None:
        return "no_record"
    if days < 0:
        return "before_release_day"
    if days <= 3:
        return "release_day_to_3_days_after"
    return "4_or_more_days_after"


class _Acc:
    """One notice duty's releases: a :class:`Share` per category over the same releases."""

    def __init__(self, keep: bool) -> None:
        self.shares = {c: _ShareAcc(keep) for c in NOTICE_CATEGORIES}
        self.pending = 0

    def add(self, ref: TraceRef, category: str) -> None:
        for c, share in self.shares.items():
            share.add(ref, c == category)

    def done(self, duty: str) -> NoticeTiming:
        shares = {}
        for c, acc in self.shares.items():
            acc.pending = self.pending
            shares[c] = acc.done()
        counted = shares[NOTICE_CATEGORIES[0]].denominator
        return NoticeTiming(duty, NOTICE_DUTIES[duty], counted, self.pending, shares)


class NoticeTimingAcc:
    """Counts notice timing per duty over (timeline, report) pairs; see the module docstring."""

    def __init__(self, keep: bool) -> None:
        self._acc = {d: _Acc(keep) for d in NOTICE_DUTIES}

    def add_case(self, timeline: Timeline, report: Report, tz: tzinfo) -> None:
        obligations = [o for o in report.obligations if o.duty_id in NOTICE_DUTIES]
        if not obligations:
            return
        notices: dict[str, list[datetime]] = {r: [] for r in NOTICE_DUTIES.values()}
        release_set: list[datetime] = []
        for ev in timeline.events:
            if ev.type == "release_notice_sent":
                recipient = getattr(ev.recipient, "value", ev.recipient)
                if recipient in notices:
                    notices[recipient].append(utc(ev.at))
            elif ev.type == "expected_release_date_set":
                release_set.append(utc(ev.at))
        for times in notices.values():
            times.sort()
        release_set.sort()
        as_of = utc(report.as_of)
        for o in obligations:
            acc = self._acc[o.duty_id]
            if o.window.closes is None or utc(o.window.closes) > as_of:
                acc.pending += 1
                continue
            days = _days_after(o, notices[NOTICE_DUTIES[o.duty_id]], release_set, tz)
            acc.add(TraceRef(report.case_id, o.id), notice_category(days))

    def done(self) -> dict[str, NoticeTiming]:
        return {d: a.done(d) for d, a in self._acc.items()}


def _days_after(o: Obligation, notices: list[datetime], release_set: list[datetime], tz: tzinfo) -> int | None:
    opens, closes = utc(o.window.opens), utc(o.window.closes)  # type: ignore[arg-type]
    stop = next((t for t in release_set if t > closes), None)
    for t in notices:
        if t >= opens and (stop is None or t < stop):
            release_day: date = closes.astimezone(tz).date()
            return (t.astimezone(tz).date() - release_day).days
    return None


@dataclass(frozen=True)
class PublishedShares:
    """A published table of notice timing: shares by category, and where they come from.

    ``shares`` maps categories of :data:`NOTICE_CATEGORIES` to a share in
    [0, 1], or None where the source gives no number.
    """

    source: str
    duty_id: str
    shares: Mapping[str, float | None]
    note: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.shares) - set(NOTICE_CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; known: {', '.join(NOTICE_CATEGORIES)}")
        for c, v in self.shares.items():
            if v is not None and not 0 <= v <= 1:
                raise ValueError(f"share of {c} must be in [0, 1]")


#: the audit's table as source 003 gives it: categories and source, no numbers
AUDIT_003 = PublishedShares(
    source="Riksrevisjonen, Dokument 3:4 (2022–2023), summary (source 003)",
    duty_id="release.municipality_notice",
    shares=dict.fromkeys(NOTICE_CATEGORIES),
    note=("003 says in words that partners are not notified in reasonable time before release "
          "('Kriminalomsorgen har ikke god nok praksis for å varsle samarbeidspartnerne i rimelig tid før "
          "løslatelse') and recommends notifying the municipalities systematically and in good time; it "
          "gives no shares. Fill them from the full report to compare."),
)


def compare_with_published(timing: NoticeTiming, published: PublishedShares) -> list[dict[str, object]]:
    """One row per category: the published share, the share measured, and the count behind it."""
    if timing.duty_id != published.duty_id:
        raise ValueError(f"the published table is about {published.duty_id}, the figure about {timing.duty_id}")
    rows = []
    for c in NOTICE_CATEGORIES:
        s = timing.shares[c]
        rows.append({"category": c, "published": published.shares.get(c), "measured": s.value,
                     "releases": s.numerator, "of": s.denominator})
    return rows
