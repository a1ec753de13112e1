"""Hypothesis strategies for valid timelines that exercise the four shipped duties.

``scenarios()`` draws a (timeline dict, as_of) pair: an optional admission,
up to two exclusions with looks at random intervals, doctor notices, for a
minor continuous-supervision intervals, and release dates with notices and a
release. With ``shiftable=True`` every instant lies in a span free of
daylight-saving changes (December to early March) and every instant is at least
a week away from a calendar-month release deadline, so shifting everything by
whole weeks must not change any status.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from builders import OSLO, ADULT_BIRTH, iso, timeline
from hypothesis import strategies as st

from samarbeid_rules._common.calendar import calendar_months_before, end_of_local_day, to_local

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)

DST_DAYS = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 24), date(2026, 10, 25)]

#: daylight-saving changes around the shiftable span (Europe/Oslo)
DST_BEFORE = datetime(2025, 10, 26, 1, 0, tzinfo=timezone.utc)
DST_AFTER = datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc)
#: a birth date in this span has no 29 February between it and its 18th birthday's offset
LEAP_SAFE_BIRTH = (date(2007, 3, 1), date(2008, 2, 28))
#: how far an instant must stay from a calendar-month deadline in shiftable timelines
MARGIN = timedelta(days=7)


def local(day: date, minute_of_day: int) -> datetime:
    """The instant the Oslo clock shows ``minute_of_day`` on ``day`` (skipped times move past the gap)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute_of_day)
    # A fixed offset, not the ZoneInfo: datetimes sharing a ZoneInfo compare
    # and subtract by wall clock, wrong in the repeated autumn hour.
    return to_local(naive.replace(tzinfo=OSLO).astimezone(timezone.utc), OSLO)


def plus(t: datetime, delta: timedelta) -> datetime:
    """``t`` plus elapsed time, shown in Oslo time (fixed offset, see local)."""
    return to_local(t.astimezone(timezone.utc) + delta, OSLO)


def firm_deadline(release_date: date) -> datetime:
    return end_of_local_day(calendar_months_before(release_date, 2), OSLO)


@st.composite
def scenarios(draw, *, shiftable: bool = False) -> tuple[dict[str, Any], datetime]:
    counter = iter(range(10_000))

    def nid(prefix: str) -> str:
        return f"{prefix}{next(counter)}"

    events: list[dict[str, Any]] = []

    def add(type_: str, at: datetime, prefix: str, **fields: Any) -> dict[str, Any]:
        ev = {"id": nid(prefix), "type": type_, "at": iso(at)}
        ev.update({k: v for k, v in fields.items() if v is not None})
        events.append(ev)
        return ev

    if shiftable:
        anchor_day = draw(st.dates(date(2025, 12, 1), date(2026, 1, 10)))
    else:
        anchor_day = draw(st.one_of(st.dates(date(2026, 1, 2), date(2026, 12, 20)), st.sampled_from(DST_DAYS)))
    anchor = local(anchor_day, draw(st.integers(0, 24 * 60 - 1)))

    # --- person ---------------------------------------------------------------
    minor = draw(st.booleans())
    if minor:
        # 18th birthday from a few days before the anchor to some weeks after it
        birth = date(anchor_day.year - 18, anchor_day.month, anchor_day.day) + timedelta(
            days=draw(st.integers(-3, 40))
        )
    else:
        birth = date.fromisoformat(ADULT_BIRTH)

    if draw(st.booleans()):
        add("admitted", plus(anchor, -DAY), "adm", custody_kind=draw(st.sampled_from(["remand", "sentence"])))

    # --- exclusions -------------------------------------------------------------
    cursor = anchor
    n_excl = draw(st.integers(0, 2))
    for k in range(n_excl):
        mid = f"m{k}"
        start = plus(cursor, MIN * draw(st.integers(0, 600)))
        duration = MIN * draw(st.integers(20, 36 * 60))
        is_open = k == n_excl - 1 and draw(st.booleans())
        end = plus(start, duration)
        add("exclusion_started", start, "xs", measure_id=mid,
            basis=draw(st.sampled_from(["strgjfl_37", "strpl_186a"])),
            scope=draw(st.sampled_from(["full", "partial"])))
        if not is_open:
            add("exclusion_ended", end, "xe", measure_id=mid)
        # looks at random intervals (mostly around an hour)
        t = start
        max_step = draw(st.sampled_from([45, 60, 60, 61, 80]))
        for _ in range(60):
            t = plus(t, MIN * draw(st.integers(15, max_step)))
            if t > end:
                break
            add("supervision_look", t, "lk", measure_id=draw(st.sampled_from([None, mid])))
        # doctor notices
        for _ in range(draw(st.integers(0, 2))):
            delay = timedelta(seconds=draw(st.integers(0, 6 * 3600)))
            add("doctor_notified", plus(start, delay), "dr", measure_id=draw(st.sampled_from([None, mid])))
        # continuous supervision intervals (only meaningful for a minor, harmless otherwise)
        if minor:
            n_cover = draw(st.integers(0, 3))
            span_min = int(duration / MIN)
            full = draw(st.booleans())
            for j in range(n_cover):
                if full and j == 0:
                    # one interval over the whole exclusion (or to as far as it goes)
                    c_start = plus(start, -MIN * draw(st.integers(0, 60)))
                    c_len = MIN * draw(st.integers(span_min + 60, span_min + 180))
                else:
                    c_start = plus(start, MIN * draw(st.integers(-60, span_min)))
                    c_len = MIN * draw(st.integers(10, span_min + 120))
                cid = f"c{k}_{j}"
                add("continuous_supervision_started", c_start, "cs", measure_id=cid)
                if not (j == n_cover - 1 and draw(st.booleans())):
                    add("continuous_supervision_ended", plus(c_start, c_len), "ce", measure_id=cid)
        cursor = end

    # --- release ----------------------------------------------------------------
    n_rd = draw(st.integers(0, 1 if shiftable else 2))
    known = plus(anchor, timedelta(hours=draw(st.integers(0, 120))))
    for _ in range(n_rd):
        known_day = known.date()
        if shiftable:
            late = draw(st.booleans())
            lead = draw(st.integers(3, 50)) if late else draw(st.integers(70, 90))
        else:
            lead = draw(st.integers(1, 120))
        release_date = known_day + timedelta(days=lead)
        add("expected_release_date_set", known, "rd", release_date=release_date.isoformat())
        due = firm_deadline(release_date)
        known_late = known > due
        for _ in range(draw(st.integers(0, 2))):
            if shiftable and not known_late:
                days = draw(st.one_of(st.integers(-20, -7), st.integers(7, 20)))
                at = plus(due, timedelta(days=days, hours=-draw(st.integers(1, 23))))
            elif shiftable:
                at = plus(known, timedelta(minutes=draw(st.integers(0, 12 * 24 * 60))))
            else:
                at = plus(known, timedelta(minutes=draw(st.integers(-24 * 60, 90 * 24 * 60))))
            add("release_notice_sent", at, "rn", recipient=draw(st.sampled_from(["kho", "kho", "sht"])))
        if draw(st.booleans()):
            if shiftable and not known_late:
                days = draw(st.one_of(st.integers(-20, -7), st.integers(7, 20)))
                at = plus(due, timedelta(days=days))
            elif shiftable:
                at = plus(known, timedelta(hours=draw(st.integers(1, 300))))
            else:
                at = local(release_date, 9 * 60)
            add("released", at, "rel")
        known = plus(known, timedelta(hours=draw(st.integers(1, 24 * 40))))

    # --- as_of ------------------------------------------------------------------
    instants = [datetime.fromisoformat(e["at"]) for e in events]
    if instants and draw(st.booleans()):
        as_of = draw(st.sampled_from(sorted(instants)))
    else:
        base = max(instants, default=anchor)
        as_of = plus(base, MIN * draw(st.integers(0, 3 * 24 * 60)))
    if shiftable:
        for e in events:
            if e["type"] == "expected_release_date_set":
                due = firm_deadline(date.fromisoformat(e["release_date"]))
                if abs(as_of - due) < MARGIN:
                    as_of = plus(due, MARGIN + DAY)

    # shuffle the input order: the library sorts by instant itself
    order = draw(st.permutations(range(len(events))))
    events = [events[i] for i in order]
    return timeline(events, birth_date=birth), as_of


def allowed_week_shifts(tl: dict[str, Any], as_of: datetime) -> tuple[int, int]:
    """The range of whole-week shifts that keeps a shiftable scenario clear of DST changes and leap days."""
    points = [datetime.fromisoformat(e["at"]) for e in tl["events"]] + [as_of]
    lo, hi = min(points), max(points)
    week = timedelta(weeks=1)
    k_min = -((lo - (DST_BEFORE + 2 * DAY)) // week)
    k_max = (DST_AFTER - 2 * DAY - hi) // week
    birth = date.fromisoformat(tl["person"]["birth_date"])
    if birth.year >= 2007:
        k_min = max(k_min, -((birth - LEAP_SAFE_BIRTH[0]) // week))
        k_max = min(k_max, (LEAP_SAFE_BIRTH[1] - birth) // week)
    return int(k_min), int(k_max)
