"""Write the example timelines in this directory (deterministic: run it again
and the files come out byte for byte the same).

    .venv/bin/python examples/make_examples.py

Every person, prison and case id here is synthetic. Instants are written in
Europe/Oslo local time with their UTC offset.

Each example is a complete case under the whole duty catalog: besides the
events that make its point (a missed look, a late notice …), it records what a
well-run prison and health service would record, so that every other
obligation the timeline opens is met. The expected statuses are listed in
README.md.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
UTC = ZoneInfo("UTC")
HERE = Path(__file__).resolve().parent


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> datetime:
    """A local Europe/Oslo wall-clock time as an aware instant.

    ``fold=1`` picks the second of two equal wall-clock times on the night
    summer time ends (the hour 02:00-03:00 that comes twice).
    """
    return datetime(y, mo, d, h, mi, tzinfo=OSLO, fold=fold)


def iso(t: datetime) -> str:
    return t.astimezone(OSLO).isoformat(timespec="minutes")


def looks(measure_id: str, start: datetime, end: datetime, *, lo: int, hi: int, seed: int,
          skip: tuple[datetime, datetime] | None = None, prefix: str = "look") -> list[dict]:
    """Looks from ``start`` to ``end`` every ``lo``..``hi`` minutes of real (UTC) time.

    ``skip`` is an interval in which no look is made (a missed look).
    """
    rng = random.Random(seed)
    out = []
    t = start.astimezone(UTC)
    end_utc = end.astimezone(UTC)
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


def intake(admitted: datetime, custody_kind: str, **admitted_fields) -> list[dict]:
    """Admission, and what a well-run prison and health service record after it.

    - the prison's intake interview screening for suicide and self-harm risk
      (admission.intake_interview) 1 h 30 min after admission;
    - the health service's intake conversation (admission.health_intake) and
      suicide-risk mapping (custody.suicide_risk_mapping) the next morning,
      19 h and 19 h 30 min after admission;
    - the needs for help from other agencies mapped with the inmate
      (admission.needs_mapping) after 21 h;
    - for a convicted inmate (not remand): BRIK offered after 6 days
      (custody.brik_offer) and help with the POP plan after 10 days
      (custody.pop_plan).
    """
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(admitted), "custody_kind": custody_kind,
         **admitted_fields},
        {"id": "intake-1", "type": "intake_interview", "at": iso(admitted + timedelta(hours=1, minutes=30))},
        {"id": "hintake-1", "type": "health_intake_conversation", "at": iso(admitted + timedelta(hours=19))},
        {"id": "srm-1", "type": "suicide_risk_mapped", "at": iso(admitted + timedelta(hours=19, minutes=30)),
         "responds_to": "adm-1"},
        {"id": "needs-1", "type": "needs_mapped", "at": iso(admitted + timedelta(hours=21))},
    ]
    if custody_kind != "remand":
        ev += [
            {"id": "brik-1", "type": "brik_offered", "at": iso(admitted + timedelta(days=6))},
            {"id": "pop-1", "type": "pop_plan_assisted", "at": iso(admitted + timedelta(days=10))},
        ]
    return ev


def health_visits(measure_id: str, times: list[datetime], prefix: str = "hv") -> list[dict]:
    """Visits by health personnel (isolation.health_first_visit and health_daily_visit)."""
    return [{"id": f"{prefix}-{i}", "type": "health_visit", "at": iso(t), "measure_id": measure_id}
            for i, t in enumerate(times, 1)]


def contacts(measure_id: str, items: list[tuple[datetime, int]]) -> list[dict]:
    """Meaningful human contact (exclusion.daily_contact): (start, minutes) pairs."""
    return [{"id": f"contact-{i:02d}", "type": "meaningful_contact", "at": iso(t), "minutes": m,
             "measure_id": measure_id} for i, (t, m) in enumerate(items, 1)]


def _instant(e: dict) -> datetime:
    return datetime.fromisoformat(e["at"]).astimezone(UTC)


def timeline(case_id: str, person_id: str, birth: date, events: list[dict]) -> dict:
    """The timeline, its events in time order (stable: equal instants keep their order)."""
    return {
        "case_id": case_id,
        "prison_id": "prison-017",
        "person": {"id": person_id, "birth_date": birth.isoformat()},
        "events": sorted(events, key=_instant),
    }


# --- the original seven ----------------------------------------------------


def adult_exclusion_missed_look() -> dict:
    """(a) Adult, excluded in full for four days, looks every 45-55 min, one missed look at
    midday on day 2; weekly plan, daily contact and health visits in order."""
    start = at(2026, 2, 2, 10, 15)
    end = start + timedelta(hours=96)
    ev = intake(at(2026, 1, 19, 14, 30), "sentence")
    ev += [
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(start), "measure_id": "excl-1",
         "basis": "strgjfl_37", "scope": "full", "expected_end": iso(end)},
        {"id": "plan-1", "type": "weekly_plan_made", "at": iso(start + timedelta(minutes=35)),
         "measure_id": "excl-1"},
        {"id": "doc-1", "type": "doctor_notified", "at": iso(start + timedelta(minutes=40)),
         "measure_id": "excl-1", "circumstances_informed": True},
    ]
    ev += health_visits("excl-1", [at(2026, 2, 2, 13, 30), at(2026, 2, 3, 10, 0), at(2026, 2, 4, 9, 30),
                                   at(2026, 2, 5, 9, 15), at(2026, 2, 6, 9, 0)])
    ev += contacts("excl-1", [
        (at(2026, 2, 2, 14, 0), 60), (at(2026, 2, 2, 18, 30), 30),
        (at(2026, 2, 3, 10, 30), 60), (at(2026, 2, 3, 15, 0), 75),
        (at(2026, 2, 4, 10, 30), 60), (at(2026, 2, 4, 15, 0), 75),
        (at(2026, 2, 5, 10, 30), 60), (at(2026, 2, 5, 15, 0), 75),
        (at(2026, 2, 6, 8, 30), 60),
    ])
    ev += looks("excl-1", start, end, lo=45, hi=55, seed=101,
                skip=(at(2026, 2, 3, 12, 0), at(2026, 2, 3, 13, 40)))
    ev.append({"id": "excl-1-end", "type": "exclusion_ended", "at": iso(end), "measure_id": "excl-1"})
    return timeline("case-a-0001", "person-7f3a", date(1991, 5, 17), ev)


def minor_exclusion_birthday() -> dict:
    """(b) 17-year-old excluded across the 18th birthday; 20 min without continuous supervision."""
    birth = date(2008, 6, 14)
    start = at(2026, 6, 12, 14, 0)
    end = at(2026, 6, 15, 12, 0)
    ev = intake(at(2026, 6, 2, 9, 0), "remand")
    ev += [
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(start), "measure_id": "excl-1",
         "basis": "strpl_186a", "scope": "full"},
        {"id": "cs-1-start", "type": "continuous_supervision_started", "at": iso(start), "measure_id": "cs-1"},
        {"id": "doc-1", "type": "doctor_notified", "at": iso(start + timedelta(minutes=25)),
         "measure_id": "excl-1", "circumstances_informed": True},
        # The officer on watch is called away: 20 minutes without continuous supervision.
        {"id": "cs-1-end", "type": "continuous_supervision_ended", "at": iso(at(2026, 6, 13, 3, 10)),
         "measure_id": "cs-1"},
        {"id": "cs-2-start", "type": "continuous_supervision_started", "at": iso(at(2026, 6, 13, 3, 30)),
         "measure_id": "cs-2"},
        # Continuous supervision ends when the inmate turns 18 (local midnight).
        {"id": "cs-2-end", "type": "continuous_supervision_ended", "at": iso(at(2026, 6, 14, 0, 0)),
         "measure_id": "cs-2"},
    ]
    ev += health_visits("excl-1", [at(2026, 6, 12, 16, 0), at(2026, 6, 13, 11, 0), at(2026, 6, 14, 10, 30),
                                   at(2026, 6, 15, 9, 45)])
    ev += looks("excl-1", start, end, lo=50, hi=58, seed=202)
    ev.append({"id": "excl-1-end", "type": "exclusion_ended", "at": iso(end), "measure_id": "excl-1"})
    return timeline("case-b-0002", "person-02c9", birth, ev)


def release_notice_late() -> dict:
    """(c) Release date known three months ahead, health service told only five weeks ahead."""
    release = date(2026, 10, 15)
    ev = intake(at(2025, 11, 3, 10, 0), "sentence")
    ev += [
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 7, 15, 13, 20)),
         "release_date": release.isoformat()},
        {"id": "notice-m1", "type": "release_notice_sent", "at": iso(at(2026, 7, 20, 10, 0)),
         "recipient": "municipality"},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 9, 10, 9, 45)), "recipient": "kho"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 10, 15, 9, 0))},
    ]
    return timeline("case-c-0003", "person-b1e4", date(1984, 9, 2), ev)


def release_notice_on_time() -> dict:
    """(d) Release date known early, health service told ten weeks ahead (month-end deadline);
    the release is planned with the inmate's consents."""
    release = date(2026, 4, 30)
    ev = intake(at(2025, 12, 1, 11, 0), "sentence")
    ev += [
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 1, 12, 10, 0)),
         "release_date": release.isoformat()},
        # Ten weeks before 30 April; the deadline is the end of 28 February.
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 2, 19, 10, 30)), "recipient": "kho"},
        {"id": "notice-2", "type": "release_notice_sent", "at": iso(at(2026, 2, 19, 10, 40)),
         "recipient": "municipality"},
        {"id": "reldec-1", "type": "release_decided", "at": iso(at(2026, 3, 2, 13, 0)),
         "ongoing_health_services": True, "consents_to_cooperation_meeting": True,
         "consents_to_gp_notice": True},
        {"id": "relcoop-1", "type": "release_cooperation_established", "at": iso(at(2026, 3, 3, 10, 0)),
         "responds_to": "reldec-1"},
        {"id": "coop-1", "type": "cooperation_meeting_invited", "at": iso(at(2026, 3, 9, 9, 30)),
         "responds_to": "reldec-1"},
        {"id": "cont-1", "type": "continuity_assistance", "at": iso(at(2026, 4, 14, 11, 0)),
         "responds_to": "reldec-1"},
        {"id": "indconv-1", "type": "individual_conversation_offered", "at": iso(at(2026, 4, 20, 10, 0)),
         "responds_to": "reldec-1"},
        {"id": "notice-gp", "type": "release_notice_sent", "at": iso(at(2026, 4, 27, 14, 0)), "recipient": "gp"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 4, 30, 9, 0))},
    ]
    return timeline("case-d-0004", "person-55d0", date(1979, 3, 8), ev)


def release_date_moved_earlier() -> dict:
    """(e) Release date moved earlier after a timely first notice; a new notice after the change."""
    ev = intake(at(2025, 12, 1, 10, 0), "sentence")
    ev += [
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 1, 9, 12, 0)),
         "release_date": "2026-09-30"},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 6, 19, 9, 0)), "recipient": "kho"},
        {"id": "notice-m1", "type": "release_notice_sent", "at": iso(at(2026, 6, 19, 9, 10)),
         "recipient": "municipality"},
        # Parole granted: the date moves to 4 September, known on 31 July,
        # later than 4 July (two months before): "as early as practicable".
        {"id": "erd-2", "type": "expected_release_date_set", "at": iso(at(2026, 7, 31, 14, 0)),
         "release_date": "2026-09-04"},
        {"id": "notice-2", "type": "release_notice_sent", "at": iso(at(2026, 8, 4, 10, 0)), "recipient": "kho"},
        {"id": "notice-m2", "type": "release_notice_sent", "at": iso(at(2026, 8, 4, 10, 10)),
         "recipient": "municipality"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 9, 4, 9, 0))},
    ]
    return timeline("case-e-0005", "person-9a61", date(1995, 12, 1), ev)


def release_without_notice() -> dict:
    """(f) Release date known in time, health service never notified, released: a breach."""
    ev = intake(at(2026, 1, 5, 10, 0), "sentence")
    ev += [
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2026, 2, 2, 9, 0)),
         "release_date": "2026-06-01"},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2026, 3, 2, 9, 0)), "recipient": "nav"},
        {"id": "notice-m1", "type": "release_notice_sent", "at": iso(at(2026, 3, 2, 9, 5)),
         "recipient": "municipality"},
        {"id": "rel-1", "type": "released", "at": iso(at(2026, 6, 1, 9, 0))},
    ]
    return timeline("case-f-0006", "person-d4c7", date(1988, 7, 30), ev)


def exclusion_dst_open() -> dict:
    """(g) Adult excluded across the spring DST change, still excluded at as_of; doctor told late-ish."""
    start = at(2026, 3, 28, 16, 0)
    last = at(2026, 3, 29, 15, 0)
    ev = intake(at(2026, 3, 1, 10, 0), "remand")
    ev += [
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(start), "measure_id": "excl-1",
         "basis": "strgjfl_37", "scope": "partial"},
        # 2 h 30 min: late by the strict bound (1 h), within the lenient one (4 h).
        {"id": "doc-1", "type": "doctor_notified", "at": iso(start + timedelta(minutes=150)),
         "circumstances_informed": True},
        # The doctor's plan for how often health personnel follow up (partial exclusion).
        {"id": "fplan-1", "type": "followup_plan_made", "at": iso(at(2026, 3, 29, 11, 0)),
         "measure_id": "excl-1"},
    ]
    ev += looks("excl-1", start, last, lo=40, hi=55, seed=303)
    return timeline("case-g-0007", "person-3e88", date(2000, 1, 21), ev)


# --- sections A-E -------------------------------------------------------------


def consent_disclosures() -> dict:
    """(h) A written consent, a disclosure under it, a disclosure after it was withdrawn
    (breach), and an illness notice that needs no consent."""
    ev = intake(at(2026, 2, 9, 10, 0), "sentence")
    ev += [
        # The BRIK mapping (offered 15 Feb) shows health needs: consent to share is asked.
        {"id": "consent-1-given", "type": "consent_given", "at": iso(at(2026, 2, 16, 10, 30)),
         "measure_id": "consent-1", "scope": ["kho", "nav"], "form": "written", "informed": True,
         "filed_in_own_record": True, "recorded_by": "KO"},
        {"id": "disc-1", "type": "information_disclosed", "at": iso(at(2026, 2, 17, 13, 0)),
         "recipient": "kho", "legal_basis": "consent"},
        {"id": "consent-1-withdrawn", "type": "consent_withdrawn", "at": iso(at(2026, 3, 10, 9, 0)),
         "measure_id": "consent-1"},
        # A caseworker sends the mapping to NAV six days after the withdrawal.
        {"id": "disc-2", "type": "information_disclosed", "at": iso(at(2026, 3, 16, 14, 0)),
         "recipient": "nav", "legal_basis": "consent"},
        # Morning round: signs of illness; the health service is called at once,
        # told what it needs under the illness notice (forskrift § 3-16).
        {"id": "need-1", "type": "health_need_observed", "at": iso(at(2026, 4, 2, 7, 40)),
         "need": "illness_signs"},
        {"id": "contact-1", "type": "health_contact_established", "at": iso(at(2026, 4, 2, 7, 50)),
         "responds_to": "need-1"},
        {"id": "disc-3", "type": "information_disclosed", "at": iso(at(2026, 4, 2, 7, 50)),
         "recipient": "kho", "legal_basis": "illness_notice"},
    ]
    return timeline("case-h-0008", "person-61b2", date(1993, 11, 23), ev)


def security_cell_dst() -> dict:
    """(i) Security cell across the night summer time ends (25 Oct 2026), with a restraint bed
    inside it over the repeated hour; everything in order."""
    cell_start = at(2026, 10, 24, 22, 0)
    cell_end = at(2026, 10, 26, 11, 0)
    bed_start = at(2026, 10, 25, 1, 15)
    bed_end = at(2026, 10, 25, 4, 30)  # after the change: 02:00-03:00 came twice
    ev = intake(at(2026, 10, 5, 13, 0), "sentence")
    ev += [
        # The doctor on call gives a statement before each decision.
        {"id": "dstmt-1", "type": "doctor_statement_obtained", "at": iso(at(2026, 10, 24, 21, 45)),
         "measure_id": "cell-1"},
        {"id": "cell-1-start", "type": "security_cell_started", "at": iso(cell_start), "measure_id": "cell-1"},
        {"id": "lead-1", "type": "leader_review", "at": iso(at(2026, 10, 24, 22, 30)), "measure_id": "cell-1"},
        {"id": "hv-1", "type": "health_visit", "at": iso(at(2026, 10, 24, 22, 40)), "measure_id": "cell-1"},
        {"id": "dstmt-2", "type": "doctor_statement_obtained", "at": iso(at(2026, 10, 25, 1, 5)),
         "measure_id": "bed-1"},
        {"id": "bed-1-start", "type": "restraint_bed_started", "at": iso(bed_start), "measure_id": "bed-1"},
        {"id": "cs-1-start", "type": "continuous_supervision_started", "at": iso(bed_start), "measure_id": "cs-1"},
        {"id": "lead-2", "type": "leader_review", "at": iso(at(2026, 10, 25, 1, 30)), "measure_id": "bed-1"},
        {"id": "hv-2", "type": "health_visit", "at": iso(at(2026, 10, 25, 1, 45)), "measure_id": "bed-1"},
        # Second pass through 02:00-03:00, now in winter time (+01:00).
        {"id": "hv-3", "type": "health_visit", "at": iso(at(2026, 10, 25, 2, 50, fold=1)), "measure_id": "bed-1"},
        {"id": "bed-1-protocol", "type": "security_cell_protocol", "at": iso(bed_end), "measure_id": "bed-1",
         "records_supervision": True, "records_health_contact": True, "covers_whole_use": True},
        {"id": "bed-1-end", "type": "restraint_bed_ended", "at": iso(bed_end), "measure_id": "bed-1"},
        {"id": "cs-1-end", "type": "continuous_supervision_ended", "at": iso(bed_end), "measure_id": "cs-1"},
        {"id": "lead-3", "type": "leader_review", "at": iso(at(2026, 10, 25, 10, 0)), "measure_id": "cell-1"},
        {"id": "hv-4", "type": "health_visit", "at": iso(at(2026, 10, 25, 12, 0)), "measure_id": "cell-1"},
        {"id": "advice-1", "type": "health_advice_given", "at": iso(at(2026, 10, 25, 12, 5))},
        {"id": "advice-1-fu", "type": "health_advice_followed_up", "at": iso(at(2026, 10, 25, 12, 30)),
         "responds_to": "advice-1"},
        {"id": "lead-4", "type": "leader_review", "at": iso(at(2026, 10, 26, 9, 0)), "measure_id": "cell-1"},
        {"id": "hv-5", "type": "health_visit", "at": iso(at(2026, 10, 26, 10, 0)), "measure_id": "cell-1"},
        {"id": "cell-1-protocol", "type": "security_cell_protocol", "at": iso(cell_end), "measure_id": "cell-1",
         "records_supervision": True, "records_health_contact": True, "covers_whole_use": True},
        {"id": "cell-1-end", "type": "security_cell_ended", "at": iso(cell_end), "measure_id": "cell-1"},
    ]
    ev += looks("cell-1", cell_start, cell_end, lo=40, hi=55, seed=909)
    return timeline("case-i-0009", "person-c07d", date(1986, 2, 11), ev)


def specialist_referral_easter() -> dict:
    """(j) A referral assessed on the 11th working day across Easter 2026 (breach); an escort
    to the appointment cancelled, notified and rescheduled in time."""
    ev = intake(at(2026, 2, 23, 9, 0), "sentence")
    ev += [
        {"id": "need-1", "type": "health_need_observed", "at": iso(at(2026, 3, 20, 8, 10)),
         "need": "asks_for_care"},
        {"id": "contact-1", "type": "health_contact_established", "at": iso(at(2026, 3, 20, 8, 20)),
         "responds_to": "need-1"},
        # The prison doctor refers to the district psychiatric centre; received Wed 25 March.
        {"id": "ref-1", "type": "referral_received", "at": iso(at(2026, 3, 25, 10, 0))},
        # Ten working days end on Mon 13 April (Maundy Thursday, Good Friday and
        # Easter Monday are holidays); assessed on Tue 14 April.
        {"id": "ref-1-assessed", "type": "referral_assessed", "at": iso(at(2026, 4, 14, 11, 0)),
         "responds_to": "ref-1"},
        # The escort to the first appointment cannot be carried out (staffing).
        {"id": "esc-1", "type": "escort_cancelled", "at": iso(at(2026, 4, 28, 8, 0))},
        {"id": "esc-1-notified", "type": "escort_cancellation_notified", "at": iso(at(2026, 4, 28, 8, 30)),
         "responds_to": "esc-1"},
        {"id": "esc-1-deviation", "type": "deviation_registered", "at": iso(at(2026, 4, 28, 9, 0)),
         "responds_to": "esc-1"},
        {"id": "esc-1-rescheduled", "type": "escort_rescheduled", "at": iso(at(2026, 4, 29, 10, 0)),
         "responds_to": "esc-1"},
    ]
    return timeline("case-j-0010", "person-8e15", date(1990, 8, 4), ev)


def g8_2006_case() -> dict:
    """(k) A whole stay before circular 001 took effect (1 July 2025): judged by G-8/2006."""
    ev = [
        {"id": "adm-1", "type": "admitted", "at": iso(at(2025, 1, 13, 10, 0)), "custody_kind": "sentence",
         "ongoing_specialist_treatment": True},
        # Recorded by the prison, but not a duty in G-8/2006: unused by the report.
        {"id": "intake-1", "type": "intake_interview", "at": iso(at(2025, 1, 13, 11, 30))},
        {"id": "needs-1", "type": "needs_mapped", "at": iso(at(2025, 1, 14, 9, 0))},
        {"id": "spec-1", "type": "specialist_followup", "at": iso(at(2025, 1, 20, 13, 0)),
         "responds_to": "adm-1"},
        {"id": "erd-1", "type": "expected_release_date_set", "at": iso(at(2025, 2, 3, 9, 0)),
         "release_date": "2025-06-27"},
        {"id": "excl-1-start", "type": "exclusion_started", "at": iso(at(2025, 3, 14, 18, 0)),
         "measure_id": "excl-1", "basis": "strgjfl_37", "scope": "full"},
        {"id": "doc-1", "type": "doctor_notified", "at": iso(at(2025, 3, 14, 18, 30)), "measure_id": "excl-1",
         "circumstances_informed": True},
        {"id": "excl-1-end", "type": "exclusion_ended", "at": iso(at(2025, 3, 15, 12, 0)),
         "measure_id": "excl-1"},
        {"id": "notice-1", "type": "release_notice_sent", "at": iso(at(2025, 4, 10, 10, 0)), "recipient": "kho"},
        {"id": "notice-m1", "type": "release_notice_sent", "at": iso(at(2025, 4, 10, 10, 15)),
         "recipient": "municipality"},
        {"id": "reldec-1", "type": "release_decided", "at": iso(at(2025, 5, 15, 13, 0)),
         "consents_to_gp_notice": True},
        {"id": "relcoop-1", "type": "release_cooperation_established", "at": iso(at(2025, 5, 16, 10, 0)),
         "responds_to": "reldec-1"},
        {"id": "notice-gp", "type": "release_notice_sent", "at": iso(at(2025, 6, 20, 11, 0)), "recipient": "gp"},
        {"id": "rel-1", "type": "released", "at": iso(at(2025, 6, 27, 9, 0))},
    ]
    ev += looks("excl-1", at(2025, 3, 14, 18, 0), at(2025, 3, 15, 12, 0), lo=45, hi=55, seed=404)
    return timeline("case-k-0011", "person-4d90", date(1975, 10, 30), ev)


EXAMPLES = {
    "adult_exclusion_missed_look.json": adult_exclusion_missed_look,
    "minor_exclusion_birthday.json": minor_exclusion_birthday,
    "release_notice_late.json": release_notice_late,
    "release_notice_on_time.json": release_notice_on_time,
    "release_date_moved_earlier.json": release_date_moved_earlier,
    "release_without_notice.json": release_without_notice,
    "exclusion_dst_open.json": exclusion_dst_open,
    "consent_disclosures.json": consent_disclosures,
    "security_cell_dst.json": security_cell_dst,
    "specialist_referral_easter.json": specialist_referral_easter,
    "g8_2006_stay.json": g8_2006_case,
}


def main() -> None:
    for name, make in EXAMPLES.items():
        text = json.dumps(make(), indent=2, ensure_ascii=False) + "\n"
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote examples/{name}")


if __name__ == "__main__":
    main()
