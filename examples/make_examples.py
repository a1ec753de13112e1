"""Write the example timelines in this directory (deterministic: run it again
and the files come out byte for byte the same).

    .venv/bin/python examples/make_examples.py

Every person, prison and case id here is synthetic. Instants are written in
Europe/Oslo local time with their UTC offset.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
HERE = Path(__file__).resolve().parent


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A local Europe/Oslo wall-clock time as an aware instant."""
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


def iso(t: datetime) -> str:
    return t.astimezone(OSLO).isoformat(timespec="minutes")


def looks(measure_id: str, start: datetime, end: datetime, *, lo: int, hi: int, seed: int,
          skip: tuple[datetime, datetime] | None = None, prefix: str = "look") -> list[dict]:
    """Looks from ``start`` to ``end`` every ``lo``..``hi`` minutes of real (UTC) time.

    ``skip`` is an interval in which no look is made (a missed look).
    """
    rng = random.Random(seed)
    out = []
    t = start.astimezone(ZoneInfo("UTC"))
    end_utc = end.astimezone(ZoneInfo("UTC"))
    n = 0
    while True:
        t = t + timedelta(minutes=rng.randint(lo, hi))
        if t >= end_utc:
            break
        if skip and skip[0] <= t <= skip[1]:
            continue
        n += 1
        out.append({"id": f"{prefix}-{n:04d}", "type": "supervision_look", "at": iso(t),
                    "measure_id": measure_id})
    return out


def timeline(case_id: str, person_id: str, birth: date, events: list[dict]) -> dict:
    return {
        "case_id": case_id,
        "prison_id": "prison-017",
        "person": {"id": person_id, "birth_date": birth.isoformat()},
        "events": events,
    }


def adult_exclusion_missed_look() -> dict:
    """(a) Adult, excluded 72 h, looks every 45-55 min, one missed look at midday on day 2."""
    start = at(2026, 2, 2, 10, 15)
    end = start + timedelta(hours=72)
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2026, 1, 19, 14, 30)), "custody_kind": "sentence"},
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(start), "measure_id": "excl-1",
         "basis": "strgjfl_37", "scope": "full", "expected_end": iso(end)},
        {"id": "doc-1", "type": "doctor_notified", "at": iso(start + timedelta(minutes=40)),
         "measure_id": "excl-1"},
    ]
    ev += looks("excl-1", start, end, lo=45, hi=55, seed=101,
                skip=(at(2026, 2, 3, 12, 0), at(2026, 2, 3, 12, 30)))
    ev.append({"id": "excl-1-end", "type": "exclusion_ended", "at": iso(end), "measure_id": "excl-1"})
    return timeline("case-a-0001", "person-7f3a", date(1991, 5, 17), ev)


def minor_exclusion_birthday() -> dict:
    """(b) 17-year-old excluded across the 18th birthday; 20 min without continuous supervision."""
    birth = date(2008, 6, 14)
    start = at(2026, 6, 12, 14, 0)
    end = at(2026, 6, 15, 12, 0)
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2026, 6, 2, 9, 0)), "custody_kind": "remand"},
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(start), "measure_id": "excl-1",
         "basis": "strpl_186a", "scope": "full"},
        {"id": "cs-1-start", "type": "continuous_supervision_started", "at": iso(start), "measure_id": "cs-1"},
        {"id": "doc-1", "type": "doctor_notified", "at": iso(start + timedelta(minutes=25)),
         "measure_id": "excl-1"},
        # The officer on watch is called away: 20 minutes without continuous supervision.
        {"id": "cs-1-end", "type": "continuous_supervision_ended", "at": iso(at(2026, 6, 13, 3, 10)),
         "measure_id": "cs-1"},
        {"id": "cs-2-start", "type": "continuous_supervision_started", "at": iso(at(2026, 6, 13, 3, 30)),
         "measure_id": "cs-2"},
        # Continuous supervision ends when the inmate turns 18 (local midnight).
        {"id": "cs-2-end", "type": "continuous_supervision_ended", "at": iso(at(2026, 6, 14, 0, 0)),
         "measure_id": "cs-2"},
    ]
    ev += looks("excl-1", start, end, lo=50, hi=58, seed=202)
    ev.append({"id": "excl-1-end", "type": "exclusion_ended", "at": iso(end), "measure_id": "excl-1"})
    return timeline("case-b-0002", "person-02c9", birth, ev)


def release_notice_late() -> dict:
    """(c) Release date known three months ahead, health service told only five weeks ahead."""
    release = date(2026, 10, 15)
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2025, 11, 3, 10, 0)), "custody_kind": "sentence"},
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 7, 15, 13, 20)),
         "release_date": release.isoformat()},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 9, 10, 9, 45)), "recipient": "kho"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 10, 15, 9, 0))},
    ]
    return timeline("case-c-0003", "person-b1e4", date(1984, 9, 2), ev)


def release_notice_on_time() -> dict:
    """(d) Release date known early, health service told ten weeks ahead (month-end deadline)."""
    release = date(2026, 4, 30)
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2025, 12, 1, 11, 0)), "custody_kind": "sentence"},
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 1, 12, 10, 0)),
         "release_date": release.isoformat()},
        # Ten weeks before 30 April; the deadline is the end of 28 February.
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 2, 19, 10, 30)), "recipient": "kho"},
        {"id": "notice-2", "type": "release_notice_sent", "at": iso(at(2026, 2, 19, 10, 40)),
         "recipient": "municipality"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 4, 30, 9, 0))},
    ]
    return timeline("case-d-0004", "person-55d0", date(1979, 3, 8), ev)


def release_date_moved_earlier() -> dict:
    """(e) Release date moved earlier after a timely first notice; a new notice after the change."""
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2025, 12, 1, 10, 0)), "custody_kind": "sentence"},
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 1, 9, 12, 0)),
         "release_date": "2026-09-30"},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 6, 19, 9, 0)), "recipient": "kho"},
        # Parole granted: the date moves to 4 September, known on 31 July,
        # later than 4 July (two months before): "as early as practicable".
        {"id": "erd-2", "type": "expected_release_date_set", "at": iso(at(2026, 7, 31, 14, 0)),
         "release_date": "2026-09-04"},
        {"id": "notice-2", "type": "release_notice_sent", "at": iso(at(2026, 8, 4, 10, 0)), "recipient": "kho"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 9, 4, 9, 0))},
    ]
    return timeline("case-e-0005", "person-9a61", date(1995, 12, 1), ev)


def release_without_notice() -> dict:
    """(f) Release date known in time, never notified, released: a breach."""
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2026, 1, 5, 10, 0)), "custody_kind": "sentence"},
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 2, 2, 9, 0)),
         "release_date": "2026-06-01"},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 3, 2, 9, 0)), "recipient": "nav"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 6, 1, 9, 0))},
    ]
    return timeline("case-f-0006", "person-d4c7", date(1988, 7, 30), ev)


def exclusion_dst_open() -> dict:
    """(g) Adult excluded across the spring DST change, still excluded at as_of; doctor told late-ish."""
    start = at(2026, 3, 28, 16, 0)
    last = at(2026, 3, 29, 15, 0)
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2026, 3, 1, 10, 0)), "custody_kind": "remand"},
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(start), "measure_id": "excl-1",
         "basis": "strgjfl_37", "scope": "partial"},
        # 2 h 30 min: late by the strict bound (1 h), within the lenient one (4 h).
        {"id": "doc-1", "type": "doctor_notified", "at": iso(start + timedelta(minutes=150))},
    ]
    ev += looks("excl-1", start, last, lo=40, hi=55, seed=303)
    return timeline("case-g-0007", "person-3e88", date(2000, 1, 21), ev)


EXAMPLES = {
    "adult_exclusion_missed_look.json": adult_exclusion_missed_look,
    "minor_exclusion_birthday.json": minor_exclusion_birthday,
    "release_notice_late.json": release_notice_late,
    "release_notice_on_time.json": release_notice_on_time,
    "release_date_moved_earlier.json": release_date_moved_earlier,
    "release_without_notice.json": release_without_notice,
    "exclusion_dst_open.json": exclusion_dst_open,
}


def main() -> None:
    for name, make in EXAMPLES.items():
        text = json.dumps(make(), indent=2, ensure_ascii=False) + "\n"
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote examples/{name}")


if __name__ == "__main__":
    main()
