"""Seeded synthetic custody timelines with realistic shapes.

Used by the benchmark and by downstream CI. Every timeline is generated from
``random.Random(f"{seed}:{n}")`` alone, so timeline ``n`` of a seed is the
same whatever else is generated, in any order, in any process. Nothing here is
real data: ids are opaque counters, birth dates are drawn at random.

Shapes: remand and sentences; exclusions of a few hours to several weeks with
looks every 30–70 minutes (a few missed), some doctor notices late or missing;
some minors, with continuous supervision that sometimes has holes; release
dates known early or late, sometimes changed, notices on time, late or never.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["generate_population", "generate_timeline"]

_OSLO = ZoneInfo("Europe/Oslo")


def _iso(t: datetime) -> str:
    return t.astimezone(_OSLO).isoformat()


#: the categories a population can be shaped to (as in population_figures' notice_timing)
NOTICE_CATEGORIES = ("before_release_day", "release_day_to_3_days_after", "4_or_more_days_after", "no_record")
_GOLDEN = 0.6180339887498949


def generate_timeline(
    seed: int | str, n: int, *, exclusion_days: float | None = None,
    municipality_notice: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Timeline ``n`` of population ``seed``, as JSON-ready data.

    ``exclusion_days`` forces one exclusion of that length (for scaling runs).

    ``municipality_notice`` shapes when the municipality is told of the
    release, to match a published table: shares of the categories
    ``before_release_day``, ``release_day_to_3_days_after``,
    ``4_or_more_days_after`` and ``no_record`` (missing ones are 0; they must
    sum to 1). Each released timeline gets at most one
    ``release_notice_sent`` to the municipality, in the category that the
    point ``frac(n * golden ratio)`` falls in, so that over a population the
    categories come within about ``1 / count`` of the shares (the releases
    are about 85 % of the timelines). Everything else about timeline ``n``
    is as without the option.
    """
    rng = random.Random(f"{seed}:{n}")
    counter = iter(range(1, 10**9))

    def eid(prefix: str) -> str:
        return f"{prefix}{next(counter)}"

    events: list[dict[str, Any]] = []
    start_day = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 600))
    admitted = datetime.combine(start_day, time(rng.randrange(8, 18), rng.randrange(60)), _OSLO)
    kind = rng.choices(["remand", "sentence", "preventive_detention"], [0.35, 0.6, 0.05])[0]
    minor = rng.random() < 0.08
    birth_year = admitted.year - (rng.randint(15, 17) if minor else rng.randint(18, 70))
    birth = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    events.append({"id": eid("a"), "type": "admitted", "at": _iso(admitted), "custody_kind": kind})

    t = admitted + timedelta(hours=rng.uniform(2, 24 * 20))
    n_exclusions = 1 if exclusion_days is not None else rng.choices([0, 1, 2, 3], [0.45, 0.35, 0.15, 0.05])[0]
    for _ in range(n_exclusions):
        length = (
            timedelta(days=exclusion_days)
            if exclusion_days is not None
            else timedelta(hours=rng.choice([rng.uniform(2, 24), rng.uniform(24, 96), rng.uniform(96, 24 * 21)]))
        )
        t = _exclusion(rng, eid, events, t, length, minor)
        t += timedelta(hours=rng.uniform(12, 24 * 30))

    released = None
    if rng.random() < 0.85:
        released = _release(rng, eid, events, admitted, t)
    rng.shuffle(events) if rng.random() < 0.1 else None  # input order need not be time order
    out = {
        "case_id": f"case-{seed}-{n}",
        "prison_id": f"prison-{rng.randrange(1, 40):02d}",
        "person": {"id": f"person-{seed}-{n}", "birth_date": birth.isoformat()},
        "events": events,
    }
    if municipality_notice is not None and released is not None:
        # drawn after everything else, from a stream of its own: the rest is unchanged
        _municipality_notice(random.Random(f"{seed}:{n}:municipality"), n, municipality_notice, events, *released)
    return out


def _shares(shares: Mapping[str, float]) -> list[tuple[str, float]]:
    unknown = set(shares) - set(NOTICE_CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}; known: {', '.join(NOTICE_CATEGORIES)}")
    if any(v < 0 for v in shares.values()) or abs(sum(shares.values()) - 1) > 1e-9:
        raise ValueError("the shares must be at least 0 and sum to 1")
    return [(c, shares.get(c, 0.0)) for c in NOTICE_CATEGORIES]


def _municipality_notice(rng: random.Random, n: int, shares: Mapping[str, float], events: list[dict[str, Any]],
                         known: datetime, release_at: datetime) -> None:
    u, edge, category = (n * _GOLDEN) % 1.0, 0.0, "no_record"
    for c, share in _shares(shares):
        edge += share
        if u < edge:
            category = c
            break
    if category == "no_record":
        return
    if category == "before_release_day":
        sent = max(known + timedelta(minutes=1), release_at - timedelta(days=rng.uniform(1, 90)))
        day_start = datetime.combine(release_at.date(), time(0), _OSLO)
        if sent >= day_start:
            sent = known + timedelta(minutes=1)
    elif category == "release_day_to_3_days_after":
        sent = release_at + timedelta(days=rng.randint(0, 3), hours=rng.uniform(1, 8))
    else:
        sent = release_at + timedelta(days=rng.randint(4, 30), hours=rng.uniform(1, 8))
    events.append({"id": f"mun{n}", "type": "release_notice_sent", "at": _iso(sent), "recipient": "municipality"})


def _exclusion(rng, eid, events, start: datetime, length: timedelta, minor: bool) -> datetime:
    mid = eid("m")
    end = start + length
    events.append(
        {
            "id": eid("x"),
            "type": "exclusion_started",
            "at": _iso(start),
            "measure_id": mid,
            "basis": rng.choice(["strgjfl_37", "strgjfl_37", "strpl_186a"]),
            "scope": rng.choice(["full", "full", "partial"]),
        }
    )
    r = rng.random()
    if r < 0.85:
        delay = timedelta(minutes=rng.uniform(5, 55) if r < 0.7 else rng.uniform(60, 600))
        events.append({"id": eid("d"), "type": "doctor_notified", "at": _iso(start + delay), "measure_id": mid})
    look = start
    sloppy = rng.random() < 0.3
    while True:
        look += timedelta(minutes=rng.uniform(30, 58) if not sloppy else rng.uniform(30, 75))
        if look >= end:
            break
        if rng.random() < 0.01:
            continue  # a missed look
        events.append({"id": eid("l"), "type": "supervision_look", "at": _iso(look)})
    if minor:
        cs = start + timedelta(minutes=rng.choice([0, 0, 0, 20]))
        while cs < end:
            ce = min(end, cs + timedelta(hours=rng.uniform(4, 12)))
            sid = eid("c")
            events.append({"id": eid("cs"), "type": "continuous_supervision_started", "at": _iso(cs), "measure_id": sid})
            events.append({"id": eid("ce"), "type": "continuous_supervision_ended", "at": _iso(ce), "measure_id": sid})
            cs = ce + timedelta(minutes=rng.choice([0, 0, 0, 0, 15]))
    events.append({"id": eid("xe"), "type": "exclusion_ended", "at": _iso(end), "measure_id": mid})
    return end


def _release(rng, eid, events, admitted: datetime, after: datetime) -> tuple[datetime, datetime]:
    release_day = (after + timedelta(days=rng.uniform(30, 400))).date()
    release_at = datetime.combine(release_day, time(9, 0), _OSLO)
    known = release_at - timedelta(days=rng.choice([rng.uniform(70, 200), rng.uniform(3, 60)]))
    known = max(known, admitted + timedelta(hours=1))
    events.append(
        {"id": eid("r"), "type": "expected_release_date_set", "at": _iso(known), "release_date": release_day.isoformat()}
    )
    if rng.random() < 0.15:
        moved = release_day - timedelta(days=rng.randint(5, 40))
        changed_at = known + (release_at - known) * rng.uniform(0.2, 0.6)
        if moved > changed_at.date():
            release_day = moved
            release_at = datetime.combine(release_day, time(9, 0), _OSLO)
            events.append(
                {"id": eid("r"), "type": "expected_release_date_set", "at": _iso(changed_at),
                 "release_date": release_day.isoformat()}
            )
            known = changed_at
    r = rng.random()
    if r < 0.8:
        lead = rng.choice([rng.uniform(61, 90), rng.uniform(20, 60), rng.uniform(1, 10)])
        sent = max(known + timedelta(hours=rng.uniform(1, 48)), release_at - timedelta(days=lead))
        if sent < release_at:
            events.append({"id": eid("n"), "type": "release_notice_sent", "at": _iso(sent), "recipient": "kho"})
    events.append({"id": eid("rel"), "type": "released", "at": _iso(release_at)})
    return known, release_at


def generate_population(
    count: int, seed: int | str = 0, *, municipality_notice: Mapping[str, float] | None = None
) -> Iterator[dict[str, Any]]:
    """``count`` timelines of population ``seed``, lazily (memory does not grow with count).

    ``municipality_notice`` shapes the population to published shares (see
    :func:`generate_timeline`).
    """
    if municipality_notice is not None:
        _shares(municipality_notice)  # refuse bad shares before the first timeline
    for n in range(count):
        yield generate_timeline(seed, n, municipality_notice=municipality_notice)
