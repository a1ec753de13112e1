"""Synthetic timelines for tests, benchmarks and downstream CI.

- :func:`generate_timeline`, :func:`generate_population`: seeded, realistic
  synthetic timelines as JSON-ready dicts (no real data).
- Hypothesis strategies (needs ``hypothesis``, in the ``test`` extra):

  - :func:`timelines`: valid timeline dicts with exclusions, looks, doctor
    notices, minors under continuous supervision, release dates, notices and
    releases;
  - :func:`timeline_twins`: a :class:`Twin`, a compliant timeline of one
    duty (every obligation of the duty ``fulfilled`` or ``due`` at
    ``as_of``) and its violating twin, the same timeline with one minimal
    change after which an obligation of the duty is breached or fulfilled
    late (a recommendation: not followed or followed late);
  - :func:`compliant_timeline` and :func:`violating_timeline`: either half,
    as a ``(timeline_dict, as_of)`` pair.

  Every timeline duty is supported (:data:`SUPPORTED_DUTIES`): the cases
  are drawn from the rule set's own duty cases (``rules/cases/``) with
  their ids, event order and the weeks they fall in varied where the law
  cannot tell the difference, and for four duties also from generators that
  vary the times within the bounds.

See ``docs/testing.md`` for how downstream CI uses them.
"""

from __future__ import annotations

import copy
import difflib
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ._common.calendar import calendar_months_before, end_of_local_day, to_local
from ._uses.synthetic import generate_population, generate_timeline
from ._uses.twins import Template, Twin, draw_twin, templates

__all__ = [
    "SUPPORTED_DUTIES",
    "Twin",
    "compliant_timeline",
    "generate_population",
    "generate_timeline",
    "timeline_twins",
    "timelines",
    "violating_timeline",
]

#: every timeline duty of the shipped rule set: :func:`timeline_twins`, :func:`compliant_timeline` and
#: :func:`violating_timeline` build cases for each (a test holds it equal to the rule set's duty ids)
SUPPORTED_DUTIES = (
    "admission.continue_treatment",
    "admission.coordinator",
    "admission.health_contact",
    "admission.health_intake",
    "admission.individual_plan",
    "admission.intake_interview",
    "admission.measures_plan",
    "admission.needs_mapping",
    "consent.disclosure_basis",
    "consent.written_informed",
    "custody.acute_assessment",
    "custody.brik_offer",
    "custody.compulsory_care_examination",
    "custody.compulsory_care_feedback",
    "custody.escort_cancelled",
    "custody.escort_to_treatment",
    "custody.full_time_care_transfer",
    "custody.health_contact",
    "custody.pop_plan",
    "custody.specialist_referral_assessed",
    "custody.staff_medication",
    "custody.substance_offer",
    "custody.suicide_risk_mapping",
    "custody.transfer_notice",
    "exclusion.daily_contact",
    "exclusion.doctor_informed_of_circumstances",
    "exclusion.force_health_check",
    "exclusion.health_advice",
    "exclusion.health_visit_urged",
    "exclusion.hourly_supervision",
    "exclusion.minor_continuous",
    "exclusion.notify_doctor",
    "exclusion.weekly_plan",
    "isolation.harm_report",
    "isolation.health_daily_visit",
    "isolation.health_first_visit",
    "isolation.injury_documented",
    "isolation.partial_followup_plan",
    "isolation.roles_clarified",
    "isolation.self_isolation_informed",
    "release.continuity_of_care",
    "release.cooperation_established",
    "release.cooperation_meeting",
    "release.gp_notice",
    "release.health_notice",
    "release.individual_conversation",
    "release.municipality_notice",
    "release.overdose_conversation",
    "release.release_conversation",
    "release.remand_immediate_notice",
    "release.specialist_handover",
    "release.transfer_outside_notice",
    "security_bed.continuous",
    "security_cell.doctor_statement",
    "security_cell.hourly_supervision",
    "security_cell.leader_daily",
    "security_cell.minor_continuous",
    "security_cell.protocol",
)

#: duties with a generator that also varies the times within the bounds
_PARAMETRIC = (
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
        close = difflib.get_close_matches(duty_id, SUPPORTED_DUTIES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; supported: {', '.join(SUPPORTED_DUTIES)}"
        raise ValueError(f"no strategy for duty {duty_id!r}{hint}")


def _parametric_twin(duty_id: str):
    st = _st()

    @st.composite
    def _draw(draw) -> Twin:
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
            compliant = copy.deepcopy(ev.items)
            # the twin: the compliant case with one change
            if draw(st.booleans()):
                ev.items.remove(notice)
                change = "no doctor notified"
            else:  # past the lenient bound (four hours)
                late = _plus(t0, timedelta(hours=4, seconds=draw(st.integers(1, 3600))))
                notice["at"] = late.isoformat()
                change = "doctor notified past the lenient bound"
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
            compliant = copy.deepcopy(ev.items)
            # the twin: the compliant case with one change
            # no look for 150 minutes from the start (inside the lenient daytime window), or none at all
            cut = _plus(t0, _MIN * 150) if draw(st.booleans()) else end
            change = "no look in the first 150 minutes" if cut != end else "no look at all"
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
            compliant = copy.deepcopy(ev.items)
            # the twin: the compliant case with one change
            s, e = covers[draw(st.integers(0, len(covers) - 1))]
            ev.items.remove(s)
            ev.items.remove(e)
            change = "one interval of continuous supervision left out"
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
            compliant = copy.deepcopy(ev.items)
            # the twin: the compliant case with one change
            if draw(st.booleans()):
                ev.items.remove(notice)
                change = "no notice"
            else:
                notice["at"] = _plus(late_from, _MIN * draw(st.integers(0, late_span))).isoformat()
                change = "notice past the lenient bound"
        rank = {e["id"]: draw(st.floats(0, 1)) for e in compliant}

        def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return sorted(items, key=lambda e: (rank[e["id"]], e["id"]))

        return Twin(duty_id, _timeline(ordered(compliant), birth, case_id=f"case-{duty_id}"),
                    _timeline(ordered(ev.items), birth, case_id=f"case-{duty_id}"), as_of,
                    change=change, template="samarbeid_rules.testing")

    return _draw()


def timeline_twins(duty_id: str):
    """A strategy for a :class:`Twin`: a compliant timeline of ``duty_id`` and its violating twin.

    The compliant timeline has every obligation of the duty ``fulfilled`` or
    ``due`` at ``as_of``; the twin is the same timeline with one minimal
    change (an event removed, moved, changed or added) after which at least
    one obligation of the duty is ``breached`` or ``fulfilled_late`` (for a
    recommendation, *bør*: ``not_followed`` or ``followed_late``). Every
    timeline duty of the shipped rule set is supported (:data:`SUPPORTED_DUTIES`):
    drawn from its cases in ``rules/cases/`` (ids, order, and the weeks the case
    falls in vary; see ``docs/testing.md``), and for four duties also from a
    generator that varies the times within the bounds.
    """
    _check_duty(duty_id)
    st = _st()
    options = []
    if duty_id in _PARAMETRIC:
        options.append(_parametric_twin(duty_id))
    found = templates(duty_id)
    if found:
        options.append(st.sampled_from(found).flatmap(_template_twin))
    return st.one_of(*options)


def _template_twin(template: Template):
    st = _st()
    return st.builds(
        lambda weeks, violation, seed: draw_twin(template, weeks=weeks, violation=violation,
                                                 rnd=random.Random(seed)),
        st.sampled_from(template.shifts), st.integers(0, len(template.violations) - 1), st.integers(0, 2**32 - 1),
    )


def compliant_timeline(duty_id: str):
    """A strategy for ``(timeline_dict, as_of)`` where every obligation of ``duty_id`` is fulfilled or due.

    The compliant half of :func:`timeline_twins`. Raises ValueError for a
    duty not in :data:`SUPPORTED_DUTIES`.
    """
    return timeline_twins(duty_id).map(lambda t: (t.compliant, t.as_of))


def violating_timeline(duty_id: str):
    """A strategy for ``(timeline_dict, as_of)`` where an obligation of ``duty_id`` fails.

    The violating half of :func:`timeline_twins`: a compliant case with one
    minimal change, after which an obligation of the duty is breached or
    fulfilled late (a recommendation: not followed or followed late).
    Raises ValueError for an unsupported duty.
    """
    return timeline_twins(duty_id).map(lambda t: (t.violating, t.as_of))
