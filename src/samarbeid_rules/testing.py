"""Synthetic timelines for tests, benchmarks and downstream CI.

- :func:`generate_timeline`, :func:`generate_population`: seeded, realistic
  synthetic timelines as JSON-ready dicts (no real data).
- Hypothesis strategies (needs ``hypothesis``, in the ``test`` extra):

  - :func:`timelines`: valid timeline dicts with exclusions, looks, doctor
    notices, minors under continuous supervision, release dates, notices and
    releases;
  - :func:`compliant_timeline` and :func:`violating_timeline`: a
    ``(timeline_dict, as_of)`` pair for one duty that meets it (every
    obligation of the duty ``fulfilled`` or ``due`` at ``as_of``) or breaches
    it (at least one obligation with ``breach`` true). The violating pair is
    the compliant one with the fulfilment removed or moved past the lenient
    bound. Supported duties: :data:`SUPPORTED_DUTIES`.

See ``docs/testing.md`` for how downstream CI uses them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ._common.calendar import calendar_months_before, end_of_local_day, to_local
from ._uses.synthetic import generate_population, generate_timeline

__all__ = [
    "SUPPORTED_DUTIES",
    "compliant_timeline",
    "generate_population",
    "generate_timeline",
    "timelines",
    "violating_timeline",
]

#: duties :func:`compliant_timeline` and :func:`violating_timeline` can build cases for
SUPPORTED_DUTIES = (
    "exclusion.hourly_supervision",
    "exclusion.minor_continuous",
    "exclusion.notify_doctor",
    "release.health_notice",
)

_OSLO = ZoneInfo("Europe/Oslo")
_MIN = timedelta(minutes=1)
_DAY = timedelta(days=1)
_DST_DAYS = [date(2025, 3, 30), date(2025, 10, 26), date(2026, 3, 29), date(2026, 10, 25)]


def _st():
    try:
        from hypothesis import strategies
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "samarbeid_rules.testing strategies need hypothesis; install samarbeid-rules[test] "
            "(or pip install hypothesis)"
        ) from None
    return strategies


def _local(day: date, minute_of_day: int) -> datetime:
    """The instant the Oslo clock shows ``minute_of_day`` on ``day`` (a skipped time moves past the gap)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute_of_day)
    # A fixed UTC offset, not the ZoneInfo: two datetimes sharing a ZoneInfo
    # compare by their wall clocks, wrong in the repeated autumn hour.
    return to_local(naive.replace(tzinfo=_OSLO).astimezone(timezone.utc), _OSLO)


def _plus(t: datetime, delta: timedelta) -> datetime:
    """``t`` plus elapsed time, shown in Oslo time (with a fixed offset, see _local)."""
    return to_local(t.astimezone(timezone.utc) + delta, _OSLO)


class _Events:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._n = 0

    def add(self, type_: str, at: datetime, prefix: str, **fields: Any) -> dict[str, Any]:
        self._n += 1
        ev = {"id": f"{prefix}{self._n}", "type": type_, "at": at.isoformat()}
        ev.update({k: v for k, v in fields.items() if v is not None})
        self.items.append(ev)
        return ev


def _timeline(events: list[dict[str, Any]], birth: date, case_id: str = "case-t") -> dict[str, Any]:
    return {
        "case_id": case_id,
        "prison_id": "prison-t",
        "person": {"id": "person-t", "birth_date": birth.isoformat()},
        "events": events,
    }


# --- general timelines ----------------------------------------------------------


def timelines(*, max_exclusions: int = 2, max_looks: int = 40):
    """A strategy for valid timeline dicts (JSON-ready), events in shuffled input order.

    Each has an optional admission, up to ``max_exclusions`` exclusions (the
    last possibly still open) with up to ``max_looks`` looks at random
    intervals, doctor notices on time, late or missing; for a minor,
    continuous-supervision intervals with or without holes; and up to two
    expected release dates with notices (early, late, to another agency) and
    possibly the release.
    """
    st = _st()

    @st.composite
    def _draw(draw) -> dict[str, Any]:
        ev = _Events()
        day = draw(st.one_of(st.dates(date(2025, 1, 2), date(2026, 12, 20)), st.sampled_from(_DST_DAYS)))
        anchor = _local(day, draw(st.integers(0, 24 * 60 - 1)))
        minor = draw(st.booleans())
        if minor:
            birth = date(day.year - 18, day.month, min(day.day, 28)) + _DAY * draw(st.integers(-3, 60))
        else:
            birth = date(draw(st.integers(1950, 2000)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        if draw(st.booleans()):
            ev.add("admitted", _plus(anchor, -_DAY), "adm", custody_kind=draw(
                st.sampled_from(["remand", "sentence", "preventive_detention"])))
        cursor = anchor
        n_excl = draw(st.integers(0, max_exclusions))
        for k in range(n_excl):
            mid = f"m{k}"
            start = _plus(cursor, _MIN * draw(st.integers(0, 600)))
            length = _MIN * draw(st.integers(20, 36 * 60))
            end = _plus(start, length)
            is_open = k == n_excl - 1 and draw(st.booleans())
            ev.add("exclusion_started", start, "xs", measure_id=mid,
                   basis=draw(st.sampled_from(["strgjfl_37", "strpl_186a"])),
                   scope=draw(st.sampled_from(["full", "partial"])))
            if not is_open:
                ev.add("exclusion_ended", end, "xe", measure_id=mid)
            t = start
            max_step = draw(st.sampled_from([45, 60, 60, 75, 120]))
            for _ in range(max_looks):
                t = _plus(t, _MIN * draw(st.integers(10, max_step)))
                if t > end:
                    break
                ev.add("supervision_look", t, "lk", measure_id=draw(st.sampled_from([None, mid])))
            for _ in range(draw(st.integers(0, 2))):
                delay = timedelta(seconds=draw(st.integers(0, 6 * 3600)))
                ev.add("doctor_notified", _plus(start, delay), "dr", measure_id=draw(st.sampled_from([None, mid])))
            if minor:
                n_cover = draw(st.integers(0, 3))
                span = int(length / _MIN)
                c_start = _plus(start, -_MIN * draw(st.integers(0, 30)))
                for j in range(n_cover):
                    cid = f"c{k}_{j}"
                    c_len = _MIN * draw(st.integers(10, span + 60))
                    ev.add("continuous_supervision_started", c_start, "cs", measure_id=cid)
                    if not (j == n_cover - 1 and draw(st.booleans())):
                        ev.add("continuous_supervision_ended", _plus(c_start, c_len), "ce", measure_id=cid)
                    c_start = _plus(c_start, c_len + _MIN * draw(st.sampled_from([0, 0, 5, 30])))
            cursor = end
        known = _plus(anchor, timedelta(hours=draw(st.integers(0, 120))))
        for _ in range(draw(st.integers(0, 2))):
            release_date = known.date() + _DAY * draw(st.integers(1, 150))
            ev.add("expected_release_date_set", known, "rd", release_date=release_date.isoformat())
            for _ in range(draw(st.integers(0, 2))):
                at = _plus(known, _MIN * draw(st.integers(-24 * 60, 90 * 24 * 60)))
                ev.add("release_notice_sent", at, "rn", recipient=draw(st.sampled_from(["kho", "kho", "sht"])))
            if draw(st.booleans()):
                ev.add("released", _local(release_date, 9 * 60), "rel")
                break
            known = _plus(known, timedelta(hours=draw(st.integers(1, 24 * 40))))
        order = draw(st.permutations(range(len(ev.items))))
        return _timeline([ev.items[i] for i in order], birth)

    return _draw()


# --- compliant and violating cases ------------------------------------------------


def _check_duty(duty_id: str) -> None:
    if duty_id not in SUPPORTED_DUTIES:
        raise ValueError(f"no strategy for duty {duty_id!r}; supported: {', '.join(SUPPORTED_DUTIES)}")


def _case(duty_id: str, violate: bool):
    st = _st()

    @st.composite
    def _draw(draw) -> tuple[dict[str, Any], datetime]:
        ev = _Events()
        birth = date(1985, 6, 15)
        if duty_id == "exclusion.notify_doctor":
            day = draw(st.one_of(st.dates(date(2025, 1, 2), date(2026, 12, 20)), st.sampled_from(_DST_DAYS)))
            t0 = _local(day, draw(st.integers(0, 24 * 60 - 1)))
            ev.add("exclusion_started", t0, "xs", measure_id="m1", basis="strgjfl_37",
                   scope=draw(st.sampled_from(["full", "partial"])))
            ev.add("exclusion_ended", _plus(t0, _MIN * draw(st.integers(6 * 60, 30 * 60))), "xe", measure_id="m1")
            notice = ev.add("doctor_notified", _plus(t0, timedelta(seconds=draw(st.integers(0, 3600)))), "dr",
                            measure_id=draw(st.sampled_from([None, "m1"])))
            as_of = _plus(t0, timedelta(hours=5) + _MIN * draw(st.integers(1, 24 * 60)))
            if violate:
                if draw(st.booleans()):
                    ev.items.remove(notice)
                else:  # past the lenient bound (four hours)
                    late = _plus(t0, timedelta(hours=4, seconds=draw(st.integers(1, 3600))))
                    notice["at"] = late.isoformat()
        elif duty_id == "exclusion.hourly_supervision":
            day = draw(st.one_of(st.dates(date(2025, 1, 2), date(2026, 12, 20)), st.sampled_from(_DST_DAYS)))
            t0 = _local(day, draw(st.integers(8 * 60, 13 * 60)))
            end = _plus(t0, _MIN * draw(st.integers(4 * 60, 40 * 60)))
            ev.add("exclusion_started", t0, "xs", measure_id="m1", basis="strgjfl_37", scope="full")
            ev.add("exclusion_ended", end, "xe", measure_id="m1")
            looks = []
            t = t0
            while True:  # never more than an hour without a look, day or night
                t = _plus(t, _MIN * draw(st.integers(10, 60)))
                if t >= end:
                    break
                looks.append(ev.add("supervision_look", t, "lk", measure_id=draw(st.sampled_from([None, "m1"]))))
            as_of = _plus(end, _MIN * draw(st.integers(0, 24 * 60)))
            if violate:
                # no look for 150 minutes from the start (inside the lenient daytime window), or none at all
                cut = _plus(t0, _MIN * 150) if draw(st.booleans()) else end
                for lk in looks:
                    if datetime.fromisoformat(lk["at"]) <= cut:
                        ev.items.remove(lk)
        elif duty_id == "exclusion.minor_continuous":
            # The duty is circular 001's own (rules/bases.yaml: from the setting circular_2025_effective,
            # 2025-07-01 in the shipped rule set): the exclusion starts after that date.
            day = draw(st.one_of(st.dates(date(2025, 7, 2), date(2026, 12, 20)),
                                 st.sampled_from([d for d in _DST_DAYS if d >= date(2025, 7, 2)])))
            t0 = _local(day, draw(st.integers(0, 24 * 60 - 1)))
            birth = day - _DAY * draw(st.integers(15 * 366, 17 * 365))  # 15 or 16 years old
            end = _plus(t0, _MIN * draw(st.integers(60, 48 * 60)))
            ev.add("exclusion_started", t0, "xs", measure_id="m1", basis="strgjfl_37", scope="full")
            ev.add("exclusion_ended", end, "xe", measure_id="m1")
            covers = []
            c_start = _plus(t0, -_MIN * draw(st.integers(0, 10)))
            j = 0
            while True:  # chained intervals, each overlapping the next by at most ten minutes
                c_end = _plus(c_start, _MIN * draw(st.integers(30, 12 * 60)))
                j += 1
                s = ev.add("continuous_supervision_started", c_start, "cs", measure_id=f"c{j}")
                e = ev.add("continuous_supervision_ended", c_end, "ce", measure_id=f"c{j}")
                covers.append((s, e))
                if c_end >= end:
                    break
                c_start = _plus(c_end, -_MIN * draw(st.integers(0, 10)))
            as_of = _plus(end, _MIN * draw(st.integers(0, 12 * 60)))
            if violate:
                s, e = covers[draw(st.integers(0, len(covers) - 1))]
                ev.items.remove(s)
                ev.items.remove(e)
        else:  # release.health_notice
            day = draw(st.dates(date(2025, 1, 2), date(2026, 12, 20)))
            known = _local(day, draw(st.integers(0, 24 * 60 - 1)))
            early = draw(st.booleans())
            release_date = day + _DAY * (draw(st.integers(75, 200)) if early else draw(st.integers(10, 50)))
            release = _local(release_date, 9 * 60)
            ev.add("expected_release_date_set", known, "rd", release_date=release_date.isoformat())
            if early:  # due by the end of the day two calendar months before the release date
                firm = end_of_local_day(calendar_months_before(release_date, 2), _OSLO)
                span = int((firm - known) / _MIN) - 60
                sent = _plus(known, _MIN * draw(st.integers(0, span)))
                late_from, late_span = _plus(firm, timedelta(hours=1)), int((release - firm) / _MIN) - 120
            else:  # known too late for that: due within two days (strict), seven (lenient)
                sent = _plus(known, _MIN * draw(st.integers(0, 2 * 24 * 60)))
                late_from, late_span = _plus(known, timedelta(days=7, minutes=1)), 24 * 60
            notice = ev.add("release_notice_sent", sent, "rn", recipient="kho")
            ev.add("released", release, "rel")
            as_of = _plus(release, _MIN * draw(st.integers(0, 48 * 60)))
            if violate:
                if draw(st.booleans()):
                    ev.items.remove(notice)
                else:
                    notice["at"] = _plus(late_from, _MIN * draw(st.integers(0, late_span))).isoformat()
        order = draw(st.permutations(range(len(ev.items))))
        return _timeline([ev.items[i] for i in order], birth, case_id=f"case-{duty_id}"), as_of

    return _draw()


def compliant_timeline(duty_id: str):
    """A strategy for ``(timeline_dict, as_of)`` where every obligation of ``duty_id`` is fulfilled or due.

    Raises ValueError for a duty not in :data:`SUPPORTED_DUTIES`.
    """
    _check_duty(duty_id)
    return _case(duty_id, violate=False)


def violating_timeline(duty_id: str):
    """A strategy for ``(timeline_dict, as_of)`` where an obligation of ``duty_id`` is a breach.

    It is :func:`compliant_timeline`'s case with the fulfilment removed or
    moved past the lenient bound. Raises ValueError for an unsupported duty.
    """
    _check_duty(duty_id)
    return _case(duty_id, violate=True)
