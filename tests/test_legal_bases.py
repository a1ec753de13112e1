"""Which law applies when: every legal basis dated, each duty judged only where its basis was in force.

The timelines here are written from the sources (the seeds in ../shared/seeds and the catalog's
"Versions of the rules"), not from the code; each expected status cites the sentence it rests on.
Dates are those of rules/bases.yaml under the shipped settings (circular_2025_effective =
2025-07-01, an assumption), and each is tested on the day before and the day it starts, in
Europe/Oslo local time: 23:30 local the day before, 00:00 local on the day, and an instant late on
the day before in UTC that is already the day in Oslo. Every evaluation runs on both engines
(the ``engine`` fixture).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from samarbeid_rules import RuleFileError, Status, evaluate, explain, load_rules
from samarbeid_rules._cli import main
from samarbeid_rules._inputs.bases import BasesFile, resolve
from samarbeid_rules._inputs.resources import rules_dir
from samarbeid_rules.institution import RULES_EFFECTIVE_DEFAULT, check_institution, load_institution

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
RULES = load_rules()
REGISTRY = RULES.registry


def _tl(*events: dict, birth: str = "1950-05-05") -> dict:  # born before every basis date tested (1970)
    return {"case_id": "bases", "person": {"id": "p-bases", "birth_date": birth}, "events": list(events)}


def _ev(type_: str, at: str, id_: str, **fields) -> dict:
    return {"id": id_, "type": type_, "at": at, **fields}


def _of(report, duty: str) -> list:
    return [o for o in report.obligations if o.duty_id == duty]


def _one(report, duty: str):
    (ob,) = _of(report, duty)
    return ob


def _outside(report, event_id: str) -> list:
    (acc,) = [e for e in report.events if e.event_id == event_id]
    return [(r.rule_file, r.reason, r.basis, r.date.isoformat()) for r in acc.not_in_force]


def _later(iso: str, days: int = 60) -> str:
    """An instant ``days`` after ``iso`` (as_of for a case)."""
    from datetime import datetime

    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(days=days)).isoformat()


# --- the registry ------------------------------------------------------------------------------


def test_every_verified_date_is_printed_on_the_seed_line_it_names():
    """A verified date quotes the words of the seed line it names (002 line 44: "frem til 31. desember
    2021"; 002 line 48: "Oslo, 10. januar 2019"; 003 line 72: "20. oktober 2022")."""
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS}")
    checked = 0
    for bid, b in REGISTRY.bases.items():
        for entry in (b.basis.from_, b.basis.until):
            if entry is None or entry.confidence != "verified":
                continue
            seed, line = re.fullmatch(r"(\d{3}) line (\d+)", entry.source).groups()
            (path,) = SEEDS.glob(f"{seed}_*.txt")
            assert entry.quote in path.read_text(encoding="utf-8").splitlines()[int(line) - 1], (bid, entry.source)
            checked += 1
    assert checked == 3


def test_every_date_not_printed_in_the_seeds_is_assumed_with_a_reason():
    """The catalog: "A date that cannot be verified from the sources is marked *assumed* in data". Only the
    three dates the seeds print are verified; every other says why it is assumed (or takes its date, and
    its confidence, from another basis)."""
    verified = {(bid, what) for bid, b in REGISTRY.bases.items()
                for what, e in (("from", b.basis.from_), ("until", b.basis.until))
                if e is not None and e.confidence == "verified"}
    assert verified == {("agreement-2019-ks", "from"), ("agreement-2019-ks", "until"), ("audit-2022-23", "from")}
    for bid, b in REGISTRY.bases.items():
        for e in (b.basis.from_, b.basis.until):
            if e is not None and e.basis is None and e.confidence == "assumed":
                assert e.why, bid
    for name, dv in REGISTRY.file.values.items():
        for entry in dv.values:
            assert entry.from_ is None or entry.from_.basis is not None or entry.from_.why, name


def test_every_citation_of_every_rule_file_is_a_basis_or_cited_entry_of_the_registry():
    """Every Act, regulation and guideline point a rule file's source.statute cites is the ``cited_as`` of
    one of the file's bases or cited entries, and the seed it quotes is one of them too: the registry
    holds every document and statute the rule files cite."""
    for r in RULES.rules:
        named = [REGISTRY.bases[b] for b in [*r.rule.bases, *r.rule.cites]]
        assert r.rule.source.document in {b.basis.seed for b in named}, (r.rel, "seed")
        statute = " ".join((r.rule.source.statute or "").split())
        for text in sorted((t for b in named for t in b.basis.cited_as), key=len, reverse=True):
            statute = re.sub(re.escape(text) + r"(?![\w-])(?! a\b)", "", statute)
        assert not re.search(r"§|punkt|pkt\.|kapittel", statute), (r.rel, statute)


def test_the_lookup_in_force_on_a_date_at_each_boundary():
    """One lookup, "in force on this date": each basis is in force from its first day, and not on the day
    before; where it ended, on its last day and not on the first day out of force."""
    for bid, b in REGISTRY.bases.items():
        start = b.start.day
        assert bid in REGISTRY.in_force_on(start)
        assert bid not in REGISTRY.in_force_on(start - timedelta(days=1))
        if b.end is not None:
            assert bid in REGISTRY.in_force_on(b.end.day - timedelta(days=1))
            assert bid not in REGISTRY.in_force_on(b.end.day)


def test_the_known_dates():
    """The dates the catalog lists (all assumed here but the seeds' own): G-8/2006 2006 to 001's date;
    the Execution of Sentences Act 2002-03-01; helse- og omsorgstjenesteloven 2012-01-01, replacing
    kommunehelsetjenesteloven; the 2019 agreement to 2021-12-31 (002 line 44)."""
    def span(bid):
        b = REGISTRY.bases[bid]
        return b.start.day, b.end.day if b.end else None

    assert span("circular-001") == (date(2025, 7, 1), None)
    assert span("circular-g8-2006") == (date(2006, 1, 1), date(2025, 7, 1))
    assert span("strgjfl-37-7") == (date(2002, 3, 1), None)
    assert span("hol-7-2") == (date(2012, 1, 1), None)
    assert span("khtjl-6-2a") == (date(2001, 1, 1), date(2012, 1, 1))
    assert span("agreement-2019-ks") == (date(2019, 1, 10), date(2022, 1, 1))
    assert not REGISTRY.bases["agreement-2019-ks"].basis.norm and not REGISTRY.bases["audit-2022-23"].basis.norm


def test_g8_end_and_001_start_are_read_from_the_setting():
    """The date 001 took effect is a named setting, not a literal: 001's start, G-8/2006's end and the
    starts assumed for sections first cited by 001 move with it; the institution checks read it too."""
    moved = RULES.with_settings(circular_2025_effective=date(2025, 9, 1))
    assert moved.basis("circular-001").start.day == date(2025, 9, 1)
    assert moved.basis("circular-g8-2006").end.day == date(2025, 9, 1)
    assert moved.basis("strgjfl-10a").start.day == moved.basis("pbrl-2-2a").start.day == date(2025, 9, 1)
    assert RULES.basis("circular-001").start.day == date(2025, 7, 1)
    assert RULES_EFFECTIVE_DEFAULT == RULES.meta.settings["circular_2025_effective"]


def test_referral_period_is_a_dated_value():
    """The catalog: "10 working days under pbrl. § 2-2 as in force from 2015-11-01 (before: 30 working
    days — verify both dates; a dated value, not one number)"."""
    before = REGISTRY.value_on("referral_assessment_period", date(2015, 10, 31))
    on = REGISTRY.value_on("referral_assessment_period", date(2015, 11, 1))
    assert (before.value, on.value) == (30, 10)
    assert before.assumed and on.assumed
    assert REGISTRY.value_on("referral_assessment_period", date(2000, 12, 31)) is None


# --- the loader checks every name --------------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(rules_dir(), dst)
    return dst


def _swap(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def test_unknown_basis_is_a_located_error(rules_copy):
    """A rule file naming a basis the registry does not have: RuleFileError at its file, line and field."""
    path = rules_copy / "duties" / "exclusion" / "notify_doctor.yaml"
    text = _swap(path, "bases: [strgjfl-37-7, circular-001]", "bases: [strgjfl-37-9, circular-001]")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.path == str(path) and info.value.field == "bases"
    assert info.value.line == text.splitlines().index("bases: [strgjfl-37-9, circular-001]") + 1
    assert "no basis 'strgjfl-37-9' in bases.yaml" in str(info.value)


def test_context_is_not_a_basis(rules_copy):
    """An audit's recommendation to the Ministry (003) binds no prison: the loader refuses it as a basis."""
    path = rules_copy / "duties" / "release" / "municipality_notice.yaml"
    _swap(path, "bases: [circular-001]", "bases: [audit-2022-23]")
    with pytest.raises(RuleFileError, match="'audit-2022-23' is context") as info:
        load_rules(rules_copy)
    assert info.value.field == "bases"


def test_a_verified_date_needs_its_source_line(rules_copy):
    """A date said to be verified names its seed line and the words there."""
    path = rules_copy / "bases.yaml"
    _swap(path, "      source: 002 line 48\n", "")
    with pytest.raises(RuleFileError, match="verified date names its 'source'") as info:
        load_rules(rules_copy)
    assert info.value.field == "bases.agreement-2019-ks.from"


def test_two_files_of_one_duty_on_one_day_are_refused(rules_copy):
    """Obligation ids must stay unique: two rule files of release.gp_notice both in force on a day (and
    able to trigger on the same event) are an error naming the first day they share."""
    src = rules_copy / "duties" / "release" / "gp_notice.yaml"
    shutil.copy(src, src.with_name("gp_notice.copy.yaml"))
    _swap(src.with_name("gp_notice.copy.yaml"), "bases: [circular-g8-2006]", "bases: [circular-001]")
    _swap(src, "bases: [circular-g8-2006]", "bases: [circular-g8-2006, strgjfl-4]")
    with pytest.raises(RuleFileError, match="already judged on 2025-07-01"):
        load_rules(rules_copy)


def test_a_dated_value_must_cover_the_rule(rules_copy):
    """A rule in force before its dated value has a value is refused (no silent default)."""
    _swap(rules_copy / "duties" / "custody" / "specialist_referral_assessed.yaml",
          "bases: [pasrl-2-2,", "bases: [fvl-13, pasrl-2-2,")
    with pytest.raises(RuleFileError, match="has no value before 2001-01-01, but the rule is in force from 1970"):
        load_rules(rules_copy)


def test_a_new_basis_or_date_needs_no_python(rules_copy):
    """Moving an assumed date is one line of bases.yaml: hol. § 7-2 a year later moves the coordinator."""
    _swap(rules_copy / "bases.yaml", "      date: 2012-01-01\n", "      date: 2013-01-01\n")
    moved = load_rules(rules_copy)
    tl = _tl(_ev("coordinated_services_need_recorded", "2012-06-01T10:00:00+02:00", "need"))
    assert _of(evaluate(tl, rules=moved, as_of="2012-07-01T10:00:00+02:00"), "admission.coordinator") == []
    assert len(_of(evaluate(tl, rules=RULES, as_of="2012-07-01T10:00:00+02:00"), "admission.coordinator")) == 1


# --- every date of the registry, at its boundary, on both engines ------------------------------------


def _instants(day: date, offset: str, utc_late: str) -> dict[str, str]:
    """The day before at 23:30 local, the day at 00:00 local, and a UTC instant on the day before that is
    already ``day`` in Oslo."""
    before = (day - timedelta(days=1)).isoformat()
    return {"before": f"{before}T23:30:00{offset}", "on": f"{day.isoformat()}T00:00:00{offset}",
            "utc": f"{before}T{utc_late}Z"}


#: (what, the duty, its basis and date, the UTC offset in Oslo on that day, an UTC time late on the day
#: before that is already the day locally, the events of a case given the trigger instant, the
#: obligation's bases on the day)
BOUNDARIES = [
    # forvaltningsloven §§ 13 flg. (1970-01-01, assumed): "De ansatte i kriminalomsorgen er underlagt
    # taushetsplikt, jf. forvaltningsloven §§ 13 flg." (001 §6.1) -- a disclosure without consent or
    # exception is judged from the Act's day.
    ("confidentiality", "consent.disclosure_basis", date(1970, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("information_disclosed", t, "trig", recipient="kho", legal_basis="consent")], ["fvl-13"]),
    # psykisk helsevernloven § 3-6 (2001-01-01, assumed): "plikt til å bidra til at personer som antas å
    # fylle vilkårene for tvungent psykisk helsevern ... blir undersøkt av lege, jf. psykisk
    # helsevernloven § 3-6" (001 §7.3).
    ("mental health care act", "custody.compulsory_care_examination", date(2001, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("compulsory_care_conditions_assumed", t, "trig")], ["phvl-3-6"]),
    # pasientrettighetsloven § 2-2 (2001-01-01, assumed): the right to have a referral assessed.
    ("patients' rights act", "custody.specialist_referral_assessed", date(2001, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("referral_received", t, "trig")], ["pasrl-2-2", "sphl-3-12"]),
    # kommunehelsetjenesteloven § 6-2 a and pasientrettighetsloven § 2-5 (2001-01-01, assumed): 004
    # "har rett til å få utarbeidet individuell plan" under those Acts.
    ("individual plan, older acts", "admission.individual_plan", date(2001, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("individual_plan_requested", t, "trig")], ["khtjl-6-2a", "pasrl-2-5"]),
    # straffegjennomføringsloven § 37 (7) (2002-03-01, assumed): "varsle lege ... uten ugrunnet opphold om
    # innsatte som er utelukket fra fellesskapet, jf. straffegjennomføringsloven § 37 syvende ledd".
    ("execution of sentences act", "exclusion.notify_doctor", date(2002, 3, 1), "+01:00", "23:30",
     lambda t: [_ev("exclusion_started", t, "trig", measure_id="m1", basis="strgjfl_37", scope="full")],
     ["strgjfl-37-7"]),
    # the guidelines to § 4 (000 §4.3): "skal lokalt nivå søke å kartlegge eventuelle behov".
    ("guidelines to § 4", "admission.needs_mapping", date(2002, 3, 1), "+01:00", "23:30",
     lambda t: [_ev("admitted", t, "trig", custody_kind="sentence")], ["strgjfl-4", "guidelines-strgjfl-4"]),
    # G-8/2006 (2006-01-01, assumed): "Etter samtykke fra den innsatte, bør kommunehelsetjenesten ... ved
    # vedkommendes fastlege, bli informert" (004).
    ("G-8/2006", "release.gp_notice", date(2006, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("release_decided", t, "trig", consents_to_gp_notice=True)], ["circular-g8-2006"]),
    # helse- og omsorgstjenesteloven § 7-2 (2012-01-01, assumed): "tilby koordinator ..., jf. helse- og
    # omsorgstjenesteloven § 7-2" (001 §5.1.2); the catalog: no statutory coordinator before it.
    ("coordinator", "admission.coordinator", date(2012, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("coordinated_services_need_recorded", t, "trig")], ["hol-7-2"]),
    # circular 001 (the setting circular_2025_effective): "Ved innsettelse skal kriminalomsorgen
    # gjennomføre innkomstsamtale raskest mulig" (001 §5.1.1), 001's own.
    ("circular 001", "admission.intake_interview", date(2025, 7, 1), "+02:00", "22:30",
     lambda t: [_ev("admitted", t, "trig", custody_kind="sentence")], ["circular-001"]),
    # 001 §6.3's own form: "Det skal sørges for at samtykket er informert og gis skriftlig."
    ("written consent", "consent.written_informed", date(2025, 7, 1), "+02:00", "22:30",
     lambda t: [_ev("consent_given", t, "trig", measure_id="c1", scope=["kho"], form="oral", informed=True,
                    filed_in_own_record=True, recorded_by="KO")], ["circular-001"]),
]


@pytest.mark.parametrize("what,duty,day,offset,utc_late,events,bases", BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_each_basis_date_at_its_boundary(engine, what, duty, day, offset, utc_late, events, bases):
    """A trigger at 23:30 on the day before a duty's basis came into force raises nothing, and its event
    account names the rule file and the basis date; at 00:00 local on the day, and at a UTC instant on the
    day before that is already the day in Oslo, it is judged, under the basis of that day."""
    at = _instants(day, offset, utc_late)
    before = evaluate(_tl(*events(at["before"])), as_of=_later(at["before"]), engine=engine)
    assert _of(before, duty) == []
    assert any(rule_reason == "not_yet_in_force" and when == day.isoformat()
               for _, rule_reason, _, when in _outside(before, "trig")), _outside(before, "trig")
    for key in ("on", "utc"):
        report = evaluate(_tl(*events(at[key])), as_of=_later(at[key]), engine=engine)
        ob = _one(report, duty)
        assert ob.bases == bases and ob.basis_dates_assumed
        assert not _outside(report, "trig") or all(r[0] != ob.rule_file for r in _outside(report, "trig"))


ENDINGS = [
    # G-8/2006 ends where 001 begins (001 line 21: "Rundskrivet erstatter rundskriv G8/2006"); 001 has no GP
    # notice: a release decided from 001's date raises none.
    ("G-8/2006 replaced", "release.gp_notice", date(2025, 7, 1), "+02:00", "22:30",
     lambda t: [_ev("release_decided", t, "trig", consents_to_gp_notice=True)], "circular-g8-2006"),
    # kommunehelsetjenesteloven gave way to helse- og omsorgstjenesteloven: the before-2012 file ends.
    ("older acts replaced", "admission.individual_plan", date(2012, 1, 1), "+01:00", "23:30",
     lambda t: [_ev("individual_plan_requested", t, "trig")], None),
]


@pytest.mark.parametrize("what,duty,day,offset,utc_late,events,basis", ENDINGS, ids=[b[0] for b in ENDINGS])
def test_each_basis_end_at_its_boundary(engine, what, duty, day, offset, utc_late, events, basis):
    """A basis that was replaced is not a basis from the first day it is out of force."""
    at = _instants(day, offset, utc_late)
    last = evaluate(_tl(*events(at["before"])), as_of=_later(at["before"]), engine=engine)
    assert len(_of(last, duty)) == 1
    for key in ("on", "utc"):
        report = evaluate(_tl(*events(at[key])), as_of=_later(at[key]), engine=engine)
        if basis is None:
            (ob,) = _of(report, duty)
            assert ob.rule_file == "duties/admission/individual_plan.yaml" and ob.bases == ["hol-7-1", "pbrl-2-5"]
        else:
            assert _of(report, duty) == []
            assert ("duties/release/gp_notice.yaml", "no_longer_in_force", basis, day.isoformat()) in _outside(
                report, "trig")


# --- the catalog's readings, as data ----------------------------------------------------------------


def test_oral_consent_in_2010_is_no_breach_of_001(engine):
    """consent.written_informed, circular 001 only: fvl. § 13 a and hpl. § 22 let a consent lift
    confidentiality but prescribe no form; the written form is 001 §6.3's own ("Det skal sørges for at
    samtykket er informert og gis skriftlig"). An oral consent in 2010 raises no obligation; in 2026 it is
    a breach."""
    def consent(at):
        return _tl(_ev("consent_given", at, "c", measure_id="c1", scope=["kho"], form="oral", informed=True,
                       filed_in_own_record=True, recorded_by="KHO"))

    old = evaluate(consent("2010-05-03T10:00:00+02:00"), engine=engine)
    assert _of(old, "consent.written_informed") == []
    new = evaluate(consent("2026-05-04T10:00:00+02:00"), engine=engine)
    assert _one(new, "consent.written_informed").status is Status.BREACHED


def test_coordinator_not_offered_in_2010_is_no_breach(engine):
    """admission.coordinator not before 2012-01-01: "tilby koordinator ..., jf. helse- og
    omsorgstjenesteloven § 7-2" (001 §5.1.2), an Act in force from 2012; the catalog: no statutory
    coordinator before it. Released without an offer: nothing in 2010, a breach in 2013."""
    def case(year):
        return _tl(_ev("coordinated_services_need_recorded", f"{year}-03-01T10:00:00+01:00", "need"),
                   _ev("released", f"{year}-06-01T10:00:00+02:00", "rel"))

    assert _of(evaluate(case(2010), engine=engine), "admission.coordinator") == []
    ob = _one(evaluate(case(2013), engine=engine), "admission.coordinator")
    assert ob.status is Status.BREACHED and ob.bases == ["hol-7-2"]


def test_individual_plan_before_2012_rests_on_the_older_acts(engine):
    """Before 2012: 004 "Innsatte og domfelte med behov for langvarige og koordinerte helse- og
    sosialtjenester har rett til å få utarbeidet individuell plan", under kommunehelsetjenesteloven § 6-2 a
    and pasientrettighetsloven § 2-5 (the catalog's sections). Released without a plan: a breach then too,
    citing 004 and those Acts; a request in 2012 is judged under hol. § 7-1."""
    tl = _tl(_ev("individual_plan_requested", "2011-03-01T10:00:00+01:00", "req"),
             _ev("released", "2012-06-01T10:00:00+02:00", "rel"))
    ob = _one(evaluate(tl, engine=engine), "admission.individual_plan")
    assert ob.status is Status.BREACHED
    assert ob.bases == ["khtjl-6-2a", "pasrl-2-5"] and ob.citation.document == "004"
    assert ob.citation.statute == "kommunehelsetjenesteloven § 6-2 a; pasientrettighetsloven § 2-5"


def test_referral_after_fifteen_working_days_in_2010_is_on_time(engine):
    """A referral received in 2010 and assessed after 15 working days: in time under the 30 working days
    the catalog gives before 2015-11-01, not late by the later 10-day limit; the same in 2016 is late (a
    fixed number: no lenient reading, so fulfilled_late)."""
    def case(received, assessed):
        return _tl(_ev("referral_received", received, "ref"),
                   _ev("referral_assessed", assessed, "ass", responds_to="ref"))

    old = _one(evaluate(case("2010-03-01T10:00:00+01:00", "2010-03-22T10:00:00+01:00"), engine=engine),
               "custody.specialist_referral_assessed")
    assert old.status is Status.FULFILLED and old.bases == ["pasrl-2-2", "sphl-3-12"]
    assert "30 working days" in old.explanation[0]
    new = _one(evaluate(case("2016-03-01T10:00:00+01:00", "2016-03-22T10:00:00+01:00"), engine=engine),
               "custody.specialist_referral_assessed")
    assert new.status is Status.FULFILLED_LATE and new.bases == ["pbrl-2-2", "sphl-3-12"]


@pytest.mark.parametrize("received,days", [
    ("2015-10-31T23:30:00+01:00", 30),   # the day before 2015-11-01: 30 working days
    ("2015-11-01T00:00:00+01:00", 10),   # from 2015-11-01: 10 working days
    ("2015-10-31T23:30:00Z", 10),        # 00:30 on 1 November in Oslo
])
def test_referral_period_at_its_boundary(engine, received, days):
    """The assessment period is the value in force on the local day the referral was received (a dated
    value: 30 working days before 2015-11-01, 10 from it, both dates assumed). The deadline is the end of
    the last working day after the day of receipt."""
    report = evaluate(_tl(_ev("referral_received", received, "ref")), as_of="2016-06-01T10:00:00+02:00",
                      engine=engine)
    ob = _one(report, "custody.specialist_referral_assessed")
    assert ob.explanation[0].startswith(f"due within {days} working days")
    assert ob.basis_dates_assumed


def test_transfer_outside_decided_in_march_2025_is_not_judged_by_001(engine):
    """release.transfer_outside_notice, 001 only: 001's own extension of point 42.1 ("og slik varsling
    bør også tilstrebes ved overføring til straffegjennomføring utenfor fengsel"). Decided in March 2025,
    before 001: no obligation; decided in August 2025: a recommendation not followed."""
    def case(decided, transfer_date):
        return _tl(_ev("transfer_decided", decided, "td", destination="outside_prison",
                       transfer_date=transfer_date),
                   _ev("transferred", f"{transfer_date}T10:00:00+02:00", "tr", responds_to="td"))

    march = evaluate(case("2025-03-03T10:00:00+01:00", "2025-06-02"), engine=engine)
    assert _of(march, "release.transfer_outside_notice") == []
    assert ("duties/release/transfer_outside_notice.yaml", "not_yet_in_force", "circular-001", "2025-07-01") in \
        _outside(march, "td")
    august = evaluate(case("2025-08-04T10:00:00+02:00", "2025-11-03"), engine=engine)
    assert _one(august, "release.transfer_outside_notice").status is Status.NOT_FOLLOWED


def test_gp_notice_is_g8_only(engine):
    """release.gp_notice under G-8/2006 only: 004 "bør ... ved vedkommendes fastlege, bli informert"; 001
    replaces G-8/2006 and has no GP notice. The same release judged with 001's date moved to 2025-09-01 is
    judged again (the boundary is the setting)."""
    tl = _tl(_ev("release_decided", "2025-08-04T10:00:00+02:00", "rd", consents_to_gp_notice=True),
             _ev("released", "2025-08-20T10:00:00+02:00", "rel"))
    assert _of(evaluate(tl, engine=engine), "release.gp_notice") == []
    moved = RULES.with_settings(circular_2025_effective=date(2025, 9, 1))
    ob = _one(evaluate(tl, rules=moved, engine=engine), "release.gp_notice")
    assert ob.status is Status.NOT_FOLLOWED and ob.bases == ["circular-g8-2006"]


@pytest.mark.parametrize("sent,counts", [
    ("2006-06-30T23:30:00+02:00", False),   # before the NAV reform (assumed 2006-07-01): NAV is not the social service
    ("2006-07-01T00:00:00+02:00", True),    # from it, the municipal social services sit in NAV
    ("2006-06-30T22:30:00Z", True),         # 00:30 on 1 July in Oslo
])
def test_g8_notice_to_nav_from_the_nav_reform(engine, sent, counts):
    """004: "Kriminalomsorgen må i samarbeid med innsatte og domfelte sikre at informasjon om løslatelse gis
    til sosialtjenesten i oppholdskommunen i god tid" -- a duty (må). From the NAV reform the social
    services sit in NAV (the catalog; the dated value social_service_recipients, on the notice's own
    local date): a notice to NAV counts from then, not before."""
    tl = _tl(_ev("expected_release_date_set", "2006-05-02T10:00:00+02:00", "rd", release_date="2006-10-02"),
             _ev("release_notice_sent", sent, "ntc", recipient="nav"))
    ob = _one(evaluate(tl, as_of="2006-09-30T10:00:00+02:00", engine=engine), "release.municipality_notice")
    assert ob.rule_file == "duties/release/municipality_notice.g8.yaml" and ob.modality == "skal"
    assert (ob.fulfilled_by == ["ntc"]) is counts
    assert ob.status is (Status.FULFILLED if counts else Status.BREACHED)
    assert ob.basis_dates_assumed


def test_municipality_notice_from_2025_rests_on_001_not_on_the_audit_or_the_agreement(engine):
    """Catalog row C: "in 2025 the duty to prepare release i god tid in cooperation with other agencies
    (001 §4.1) and to establish cooperation så tidlig som mulig (001 §5.3.1), as an interpretation; before
    2025, G-8/2006 (004). 003 ... and 002 ... are context, not the norm". A recommendation; a notice to NAV
    (001 §5.3.1: "som Nav og skole") counts."""
    tl = _tl(_ev("expected_release_date_set", "2026-02-02T10:00:00+01:00", "rd", release_date="2026-06-01"),
             _ev("release_notice_sent", "2026-03-02T10:00:00+01:00", "ntc", recipient="nav"))
    ob = _one(evaluate(tl, engine=engine), "release.municipality_notice")
    assert ob.status is Status.FULFILLED and ob.modality == "bør"
    assert ob.bases == ["circular-001"] and ob.citation.document == "001" and ob.citation.section == "4.1"
    loaded = next(r for r in RULES.rules if r.rel == "duties/release/municipality_notice.yaml")
    assert {"agreement-2019-ks", "audit-2022-23"} <= set(loaded.rule.cites)
    # in 2020, while the 2019 agreement ran, the notice was G-8/2006's duty, not the agreement's
    old = _tl(_ev("expected_release_date_set", "2020-02-03T10:00:00+01:00", "rd", release_date="2020-06-01"),
              _ev("released", "2020-06-01T10:00:00+02:00", "rel"))
    ob = _one(evaluate(old, engine=engine), "release.municipality_notice")
    assert ob.bases == ["circular-g8-2006"] and ob.status is Status.BREACHED


def test_health_contact_grounds_of_001_are_not_judged_before_it(engine):
    """001 §5.1.1: "umiddelbart etablere kontakt ... dersom innsatte ved innsettelse ber om det, det er noe
    som tyder på at den innsatte er syk, jf. straffegjennomføringsforskriften § 3-16 eller det oppdages
    risikofaktorer for selvmord ...". The grounds of § 3-16 apply before 001; suicide risk is 001's own."""
    def case(at, need):
        return _tl(_ev("health_need_observed", at, "obs", need=need, at_admission=True))

    assert _one(evaluate(case("2020-03-02T10:00:00+01:00", "illness_signs"), engine=engine),
                "admission.health_contact").bases == ["strgjfl-forskrift-3-16"]
    assert _of(evaluate(case("2020-03-02T10:00:00+01:00", "suicide_risk"), engine=engine),
               "admission.health_contact") == []
    assert _one(evaluate(case("2025-07-01T00:00:00+02:00", "suicide_risk"), engine=engine),
                "admission.health_contact").bases == ["circular-001"]


# --- measures that span the switch, judged day by day ----------------------------------------------------


def _exclusion(start: str, end: str, **extra) -> list[dict]:
    return [_ev("exclusion_started", start, "xs", measure_id="m1", basis="strgjfl_37", scope="full", **extra),
            _ev("exclusion_ended", end, "xe", measure_id="m1")]


@pytest.mark.parametrize("effective", [date(2025, 7, 1), date(2025, 9, 1)])
def test_exclusion_running_into_001_gets_its_daily_contact_from_that_day(engine, effective):
    """001 §7.1.2: "utarbeide en ukeplan der det forventes at utelukkelsen vil overstige tre døgn (72
    timer), som sikrer at den innsatte får minst to timer meningsfull menneskelig kontakt daglig". An
    exclusion that began under G-8/2006 and runs past 001's date is judged by that rule from 001's local day
    on (the catalog: "a measure running on 1 July is judged by 001 from that day"), with the setting where
    it is. Contact given every day from 001's day: fulfilled; the days before are not judged."""
    rules = RULES.with_settings(circular_2025_effective=effective)
    start = effective - timedelta(days=3)
    contacts = [_ev("meaningful_contact", f"{(effective + timedelta(days=k)).isoformat()}T12:00:00+02:00",
                    f"mc{k}", minutes=150, measure_id="m1") for k in range(3)]
    tl = _tl(*_exclusion(f"{start.isoformat()}T10:00:00+02:00", f"{(effective + timedelta(days=2)).isoformat()}T20:00:00+02:00",
                         expected_end=f"{(effective + timedelta(days=2)).isoformat()}T20:00:00+02:00"), *contacts)
    report = evaluate(tl, rules=rules, engine=engine)
    ob = _one(report, "exclusion.daily_contact")
    assert ob.id == f"exclusion.daily_contact:xs@{effective.isoformat()}"
    assert ob.window.opens.isoformat() == f"{effective.isoformat()}T00:00:00+02:00"
    assert ob.status is Status.FULFILLED and ob.rule_set_version == "circular-2025" and ob.bases == ["circular-001"]
    # the weekly plan is a deadline duty of the exclusion's start, before 001: not judged
    assert _of(report, "exclusion.weekly_plan") == []
    # no contact on 001's first day: that day is a breach, none before it counts
    no_first = evaluate(_tl(*[e for e in tl["events"] if e["id"] != "mc0"]), rules=rules, engine=engine)
    gaps = _one(no_first, "exclusion.daily_contact").gaps
    assert [g.start.date() for g in gaps] == [effective] and gaps[0].status is Status.BREACHED


@pytest.mark.parametrize("start_offset_days,judged_from_start", [
    (-1, False),   # started the day before 001's date: judged from 001's midnight, id ...@date
    (0, True),     # started on the day (00:00 local): judged from its start, plain id
    (1, True),     # the day after
])
def test_daily_health_visit_around_the_effective_date(engine, start_offset_days, judged_from_start):
    """001 §7.1.3: "tilse den innsatte så raskt som mulig etter iverksettelse av tiltaket, og deretter
    minimum en gang per døgn". A full exclusion starting the day before, the day of, and the day after 001's
    date (moved to 2025-09-01): the daily visit is judged from 001's day in each case."""
    effective = date(2025, 9, 1)
    rules = RULES.with_settings(circular_2025_effective=effective)
    start_day = effective + timedelta(days=start_offset_days)
    start = f"{start_day.isoformat()}T00:00:00+02:00" if start_offset_days == 0 else \
        f"{start_day.isoformat()}T18:00:00+02:00"
    tl = _tl(*_exclusion(start, f"{(effective + timedelta(days=4)).isoformat()}T12:00:00+02:00"))
    report = evaluate(tl, rules=rules, engine=engine)
    ob = _one(report, "isolation.health_daily_visit")
    suffix = "" if judged_from_start else f"@{effective.isoformat()}"
    assert ob.id == f"isolation.health_daily_visit:xs{suffix}"
    assert ob.window.opens.isoformat() == (start if judged_from_start else f"{effective.isoformat()}T00:00:00+02:00")
    first_visit = _of(report, "isolation.health_first_visit")
    # the first visit is a deadline duty of the start: judged only when the start is on or after 001's day
    assert len(first_visit) == (1 if start_offset_days >= 0 else 0)


def test_one_rule_file_in_force_throughout_names_both_bases(engine):
    """The hourly looks rest on guidelines point 37.14 (before 001) and on 001 §7.1.2 (from it): one rule
    file judges the whole exclusion, one obligation, judged under both, saying from when."""
    tl = _tl(*_exclusion("2025-06-30T10:00:00+02:00", "2025-07-01T10:00:00+02:00"))
    ob = _one(evaluate(tl, engine=engine), "exclusion.hourly_supervision")
    assert ob.id == "exclusion.hourly_supervision:xs" and ob.bases == ["guidelines-37-14", "circular-001"]
    assert "under circular-001 from 2025-07-01" in ob.explanation
    assert ob.rule_set_version == "g8-2006"


def test_minor_in_a_security_cell_across_the_switch(engine):
    """001 §7.1.2: "Innsatte under 18 år skal alltid ha kontinuerlig tilsyn, jf. straffegjennomføringsloven §
    38 fjerde ledd og § 10 a og retningslinjer ... punkt 8.11.4". Resting on § 10 a and point 8.11.4, whose
    start the seeds do not print (assumed from 001's date): a cell used from 30 June to 2 July with no
    continuous supervision is a breach from 1 July only, and the leader's daily review (point 38.7, in
    force throughout) is judged every day."""
    tl = _tl(_ev("security_cell_started", "2025-06-30T20:00:00+02:00", "sc", measure_id="c1"),
             _ev("leader_review", "2025-06-30T21:00:00+02:00", "l0", measure_id="c1"),
             _ev("leader_review", "2025-07-01T09:00:00+02:00", "l1", measure_id="c1"),
             _ev("security_cell_ended", "2025-07-01T20:00:00+02:00", "se", measure_id="c1"),
             birth="2009-03-03")
    report = evaluate(tl, engine=engine)
    minor = _one(report, "security_cell.minor_continuous")
    assert minor.id == "security_cell.minor_continuous:sc@2025-07-01" and minor.status is Status.BREACHED
    assert minor.gaps[0].start.isoformat() == "2025-07-01T00:00:00+02:00"
    assert minor.bases == ["strgjfl-10a", "guidelines-8-11-4", "circular-001"]
    leader = _one(report, "security_cell.leader_daily")
    assert leader.id == "security_cell.leader_daily:sc" and leader.status is Status.FULFILLED
    assert leader.bases == ["guidelines-38-7", "circular-001"]


def _two_file_rules(tmp_path: Path) -> Path:
    """A rule set with a G-8/2006-era rule and a 001 rule for the same measure duty (the leader's daily
    review under other names), judging the two parts of one measure."""
    root = tmp_path / "rules"
    root.mkdir()
    for name in ("ruleset.yaml", "bases.yaml"):
        shutil.copy(rules_dir() / name, root / name)
    rule = yaml.safe_load((rules_dir() / "duties" / "security_cell" / "leader_daily.yaml").read_text())
    (root / "duties").mkdir()
    for suffix, bases in (("g8", ["circular-g8-2006"]), ("001", ["circular-001"])):
        data = {**rule, "duty": "local.leader_daily", "bases": bases}
        (root / "duties" / f"leader_daily.{suffix}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return root


def test_two_rule_files_judging_parts_of_one_measure_give_distinct_ids(engine, tmp_path):
    """A measure running across 001's date is judged by the G-8/2006-era rule up to the day before and by
    001's rule from that day: two obligations with distinct ids, the second ending @YYYY-MM-DD, each
    naming its own basis, in the same order on every run."""
    rules = load_rules(_two_file_rules(tmp_path))
    tl = _tl(_ev("security_cell_started", "2025-06-30T20:00:00+02:00", "sc", measure_id="c1"),
             _ev("leader_review", "2025-06-30T21:00:00+02:00", "l0", measure_id="c1"),
             _ev("security_cell_ended", "2025-07-01T20:00:00+02:00", "se", measure_id="c1"))
    report = evaluate(tl, rules=rules, engine=engine)
    obs = [(o.id, o.rule_file, o.bases, o.status.value) for o in report.obligations]
    assert obs == [
        ("local.leader_daily:sc", "duties/leader_daily.g8.yaml", ["circular-g8-2006"], "fulfilled"),
        ("local.leader_daily:sc@2025-07-01", "duties/leader_daily.001.yaml", ["circular-001"], "breached"),
    ]
    first = report.obligations[0]
    assert first.window.closes.isoformat() == "2025-07-01T00:00:00+02:00"
    assert "judged until 2025-07-01T00:00+02:00, the local day the rule went out of force" in first.explanation
    # the measure's end is accounted to the part it ends, the trigger to both
    (end,) = [e for e in report.events if e.event_id == "se"]
    assert [u.obligation for u in end.used_by] == ["local.leader_daily:sc@2025-07-01"]
    assert evaluate(tl, rules=rules, engine=engine).to_json() == report.to_json()


# --- how reports name the law ------------------------------------------------------------------------------


def test_report_lists_the_bases_with_titles_and_dates():
    """Report.bases: every basis an obligation names, with its title and dates under the settings."""
    report = evaluate("examples/g8_2006_stay.json")
    ids = sorted({b for o in report.obligations for b in o.bases})
    assert [b.id for b in report.bases] == ids
    g8 = next(b for b in report.bases if b.id == "circular-g8-2006")
    assert (g8.in_force_from, g8.in_force_until, g8.dates_assumed) == (date(2006, 1, 1), date(2025, 7, 1), True)
    assert g8.title.startswith("Rundskriv G-8/2006")


def test_json_schema_of_the_report_has_the_new_fields():
    """The report's JSON Schema follows: bases, basis_dates_assumed, Report.bases, EventAccount.not_in_force."""
    from samarbeid_rules import Report

    defs = Report.model_json_schema()["$defs"]
    assert {"bases", "basis_dates_assumed", "rule_set_version"} <= set(defs["Obligation"]["properties"])
    assert defs["Obligation"]["properties"]["rule_set_version"]["anyOf"][1] == {"type": "null"}
    assert "not_in_force" in defs["EventAccount"]["properties"]
    assert set(defs["NotInForce"]["properties"]["reason"]["enum"]) == {"not_yet_in_force", "no_longer_in_force"}


def test_cli_table_marks_an_assumed_date(tmp_path, capsys):
    """The CLI table marks an obligation resting on an assumed in-force date with '†', with a note."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps(_tl(_ev("admitted", "2026-01-05T10:00:00+01:00", "a", custody_kind="remand"))))
    main(["check", str(path)])
    out = capsys.readouterr().out
    assert "admission.needs_mapping †" in out
    assert "note      '†' rests on an assumed in-force date of a legal basis" in out


def test_explain_names_the_law_and_the_earliest_basis():
    """explain shows the bases judged under, with their dates, and for a trigger before every basis of the
    duty the earliest basis and its date."""
    tl = _tl(_ev("coordinated_services_need_recorded", "2011-06-01T10:00:00+02:00", "n1"),
             _ev("coordinated_services_need_recorded", "2013-06-03T10:00:00+02:00", "n2"))
    ex = explain(tl, "admission.coordinator", as_of="2013-07-01T10:00:00+02:00")
    text = ex.text()
    assert "judged under: hol-7-2 (from 2012-01-01, assumed)  † rests on an assumed in-force date" in text
    assert ("n1 (coordinated_services_need_recorded) did not trigger it: duties/admission/coordinator.yaml: no "
            "basis of the rule in force on 2011-06-01 (hol-7-2); hol-7-2 in force from 2012-01-01 (assumed)") in text


def test_event_account_for_a_trigger_before_every_basis_is_ids_and_dates(engine):
    """The report's event accounting says, for a trigger before every basis of a duty, which rule file
    and from which date (ids and dates only: no payload)."""
    report = evaluate(_tl(_ev("coordinated_services_need_recorded", "2011-06-01T10:00:00+02:00", "n1")),
                      engine=engine)
    (acc,) = report.events
    assert acc.state == "unused" and "no basis of the rule was in force" in acc.reason
    (rec,) = acc.not_in_force
    assert (rec.rule_file, rec.duty, rec.reason, rec.basis, rec.date, rec.date_assumed) == (
        "duties/admission/coordinator.yaml", "admission.coordinator", "not_yet_in_force", "hol-7-2",
        date(2012, 1, 1), True)
    assert json.loads(report.to_json())["events"][0]["not_in_force"][0] == {
        "rule_file": "duties/admission/coordinator.yaml", "duty": "admission.coordinator",
        "reason": "not_yet_in_force", "basis": "hol-7-2", "date": "2012-01-01", "date_assumed": True}


# --- the institution: org.local_meetings under 000 §4.2 before 2025 ----------------------------------------


def test_local_meetings_before_2025_are_a_duty_met_by_meetings_or_a_routine():
    """000 §4.2: "Både på sentralt, regionalt og lokalt nivå skal det etableres faste samordningsmøter eller
    andre rutiner for løpende samarbeid" -- skal, in force before 2025 too. A prison with no meetings in
    2023 breaches it; one with a recorded cooperation routine with KHO and SHT meets it."""
    bare = {"prison_id": "prison-x", "meetings": [
        {"id": "m1", "date": "2023-01-10", "level": "leader", "parties": ["ko", "kho", "sht"]}]}
    f = check_institution(load_institution(bare), as_of=date(2023, 12, 1)).finding("org.local_meetings")
    assert (f.status, f.breach, f.bases) == (Status.BREACHED, True, ["guidelines-strgjfl-4"])
    with_routine = {**bare, "cooperation_routines": [
        {"id": "r1", "adopted": "2023-02-01", "parties": ["ko", "kho", "sht"]}]}
    g = check_institution(load_institution(with_routine), as_of=date(2023, 12, 1)).finding("org.local_meetings")
    assert (g.status, g.reason, g.breach) == (Status.FULFILLED, "regular", False)
    assert g.citation.document == "000" and g.citation.section == "4.2"


@pytest.mark.parametrize("as_of,bases,judged", [
    (date(2025, 6, 30), ["guidelines-strgjfl-4"], False),             # the day before 001: 000 §4.2 only
    (date(2025, 7, 1), ["guidelines-strgjfl-4", "circular-001"], True),  # 001 §8.3 from its day
])
def test_institution_checks_around_the_effective_date(as_of, bases, judged):
    """org.local_meetings rests on 000 §4.2 before 001 and on both from it; org.routines (001 §8.4's nine
    topics, "Det bør blant annet være rutiner for ...") is 001's own: not judged the day before."""
    inst = load_institution({"prison_id": "prison-y", "meetings": [
        {"id": "m1", "date": "2025-06-01", "level": "leader", "parties": ["ko", "kho", "sht"]}]})
    report = check_institution(inst, as_of=as_of)
    assert report.finding("org.local_meetings").bases == bases
    routines = report.finding("org.routines")
    assert (routines.reason != "not_in_force") is judged
    assert routines.bases == (["circular-001"] if judged else [])


def test_cooperation_routines_are_validated_and_located():
    """A routine ended before it was adopted is an InstitutionError naming the list, index, id and field."""
    from samarbeid_rules.institution import InstitutionError

    with pytest.raises(InstitutionError) as info:
        load_institution({"prison_id": "p", "cooperation_routines": [
            {"id": "r1", "adopted": "2024-02-01", "ended": "2024-01-01", "parties": ["kho", "sht"]}]})
    assert (info.value.collection, info.value.index, info.value.record_id, info.value.field) == (
        "cooperation_routines", 0, "r1", "ended")


def test_resolving_refuses_a_setting_that_ends_a_basis_before_it_began():
    """G-8/2006 from 2006-01-01 cannot end on 2005-06-01: the registry is refused, naming the field."""
    file = BasesFile.model_validate(yaml.safe_load((rules_dir() / "bases.yaml").read_text()))
    with pytest.raises(RuleFileError) as info:
        resolve(file, {"circular_2025_effective": date(2005, 6, 1)})
    assert info.value.field == "bases.circular-g8-2006.until"


def test_a_trigger_judged_by_another_file_of_the_duty_is_not_listed_as_not_in_force(engine):
    """release.municipality_notice has a G-8/2006 file and a 001 file: a release date set in 2026 is judged
    by the 001 file, so the account does not list the G-8/2006 file as out of force; one set in 2024 is
    judged by the G-8/2006 file, so it does not list the 001 file as not yet in force."""
    for year in (2024, 2026):
        tl = _tl(_ev("expected_release_date_set", f"{year}-02-02T10:00:00+01:00", "rd", release_date=f"{year}-06-01"))
        report = evaluate(tl, engine=engine)
        assert len(_of(report, "release.municipality_notice")) == 1
        assert not [r for r in _outside(report, "rd") if "municipality_notice" in r[0]]


# --- the remaining dates of the registry -------------------------------------------------------------------


@pytest.mark.parametrize("received,bases", [
    ("2011-12-31T23:30:00+01:00", ["pasrl-2-2", "sphl-3-12"]),   # the Act still named pasientrettighetsloven
    ("2012-01-01T00:00:00+01:00", ["pbrl-2-2", "sphl-3-12"]),    # renamed pasient- og brukerrettighetsloven
    ("2011-12-31T23:30:00Z", ["pbrl-2-2", "sphl-3-12"]),         # 00:30 on 1 January in Oslo
])
def test_referral_right_under_the_name_of_the_act_of_the_day(engine, received, bases):
    """The right to assessment is pasientrettighetsloven § 2-2 until the Act was renamed with helse- og
    omsorgstjenesteloven (2012-01-01, assumed), pasient- og brukerrettighetsloven § 2-2 from then: the
    obligation names the section as it stood on the day the referral was received."""
    report = evaluate(_tl(_ev("referral_received", received, "ref")), as_of="2012-03-01T10:00:00+01:00",
                      engine=engine)
    assert _one(report, "custody.specialist_referral_assessed").bases == bases


@pytest.mark.parametrize("received,bases", [
    ("2025-06-30T23:30:00+02:00", ["pbrl-2-2", "sphl-3-12"]),
    ("2025-07-01T00:00:00+02:00", ["pbrl-2-2", "pbrl-2-2a", "sphl-3-12", "circular-001"]),
    ("2025-06-30T22:30:00Z", ["pbrl-2-2", "pbrl-2-2a", "sphl-3-12", "circular-001"]),
])
def test_referral_gains_what_001_cites_from_its_date(engine, received, bases):
    """001 §4.3: "Spesialisthelsetjenesten skal vurdere henvisninger ..., jf. lov om pasient- og
    brukerrettigheter § 2-2 a og lov om spesialisthelsetjenesten § 3-12" -- § 2-2 a (an inserted section,
    start not printed) is taken to apply from 001's date, the first seed that cites it; the period is still
    pbrl. § 2-2's 10 working days."""
    report = evaluate(_tl(_ev("referral_received", received, "ref")), as_of="2025-09-01T10:00:00+02:00",
                      engine=engine)
    ob = _one(report, "custody.specialist_referral_assessed")
    assert ob.bases == bases and ob.explanation[0].startswith("due within 10 working days")


@pytest.mark.parametrize("start,judged", [
    ("2025-06-30T23:30:00+02:00", "@2025-07-01"),   # begun the day before: judged from 1 July's midnight
    ("2025-07-01T00:00:00+02:00", ""),              # begun at 00:00 on the day § 10 a is taken to apply
    ("2025-06-30T22:30:00Z", ""),                   # 00:30 on 1 July in Oslo
])
def test_minor_in_a_restraint_bed_at_the_assumed_start_of_section_10a(engine, start, judged):
    """Straffegjennomføringsloven § 10 a and point 8.11.4 (inmates under 18), whose start the seeds do not
    print, are assumed in force from 001's date: a 16-year-old in a restraint bed without continuous
    supervision is a breach from that day's midnight, whenever the bed began."""
    tl = _tl(_ev("restraint_bed_started", start, "rb", measure_id="b1"),
             _ev("restraint_bed_ended", "2025-07-01T06:00:00+02:00", "re", measure_id="b1"), birth="2009-02-02")
    ob = _one(evaluate(tl, engine=engine), "security_cell.minor_continuous")
    assert ob.id == f"security_cell.minor_continuous:rb{judged}" and ob.status is Status.BREACHED
    assert ob.bases == ["strgjfl-10a", "guidelines-8-11-4", "circular-001"]


@pytest.mark.parametrize("bid", ["fvl-13a-1", "fvl-13b-5", "fvl-13b-7", "hpl-22", "mandela-rules",
                                 "agreement-2019-ks", "audit-2022-23"])
def test_dates_of_cited_and_context_documents_decide_nothing(engine, bid):
    """Documents only cited (fvl. § 13 a, § 13 b nr. 5 and 7, hpl. § 22) or context (the Mandela rules,
    "Reglene er ikke rettslig bindende", 001 §4.4; the 2019 agreement; the 2022-23 audit) are no basis of any
    rule: a disclosure or a release date on the day before and on the day they start (or end) is judged
    alike, and no obligation names them."""
    assert all(bid not in r.rule.bases for r in RULES.rules)
    b = REGISTRY.bases[bid]
    for day in [b.start.day] + ([b.end.day] if b.end else []):
        at = _instants(day, "+01:00" if day.month in (1, 2, 3, 10, 11, 12) else "+02:00", "23:30")
        outcomes = []
        for key in ("before", "on"):
            tl = _tl(_ev("information_disclosed", at[key], "d", recipient="kho", legal_basis="consent"),
                     _ev("expected_release_date_set", at[key], "rd", release_date=(day + timedelta(days=90)).isoformat()))
            report = evaluate(tl, as_of=_later(at[key], 100), engine=engine)
            assert all(bid not in o.bases for o in report.obligations)
            outcomes.append(sorted((o.duty_id, o.status.value) for o in report.obligations))
        assert outcomes[0] == outcomes[1], (bid, day)


@pytest.mark.parametrize("at,judged", [
    ("2025-08-31T23:30:00+02:00", False),   # the day before the moved date
    ("2025-09-01T00:00:00+02:00", True),    # the day of it
    ("2025-09-02T10:00:00+02:00", True),    # the day after
    ("2025-08-31T22:30:00Z", True),         # 00:30 on 1 September in Oslo
])
def test_a_deadline_duty_with_the_effective_date_moved(engine, at, judged):
    """With circular_2025_effective moved to 2025-09-01, an admission is judged by 001's intake interview
    (001 §5.1.1) only from that local day; the day before, admission.needs_mapping rests on G-8/2006 too."""
    rules = RULES.with_settings(circular_2025_effective=date(2025, 9, 1))
    report = evaluate(_tl(_ev("admitted", at, "adm", custody_kind="remand")), as_of=_later(at, 10), rules=rules,
                      engine=engine)
    assert bool(_of(report, "admission.intake_interview")) is judged
    mapping = _one(report, "admission.needs_mapping")
    assert ("circular-g8-2006" in mapping.bases) is (not judged)
    assert mapping.rule_set_version == ("circular-2025" if judged else "g8-2006")


def test_cli_setting_moves_the_bases(tmp_path, capsys):
    """`check --setting circular_2025_effective=2025-09-01` judges an 1 August 2025 admission under
    G-8/2006 (the JSON names the bases, and the event account the 001 rules not yet in force)."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps(_tl(_ev("admitted", "2025-08-01T10:00:00+02:00", "adm", custody_kind="remand"))))
    main(["check", "--format", "json", "--setting", "circular_2025_effective=2025-09-01", str(path)])
    data = json.loads(capsys.readouterr().out)
    (ob,) = data["obligations"]
    assert ob["duty_id"] == "admission.needs_mapping" and ob["bases"][-1] == "circular-g8-2006"
    assert {r["date"] for r in data["events"][0]["not_in_force"]} == {"2025-09-01"}
    assert {b["id"] for b in data["bases"]} == {"strgjfl-4", "guidelines-strgjfl-4", "circular-g8-2006"}


@settings(max_examples=40, deadline=None)
@given(st.integers(-6, 4), st.integers(1, 8 * 24), st.dates(date(2024, 3, 1), date(2027, 6, 1)))
def test_property_daily_contact_is_judged_exactly_from_001s_day(start_day, hours, effective):
    """For any exclusion and any effective date, exclusion.daily_contact (001's own) judges exactly the part
    of the exclusion from 001's local midnight: an obligation iff the exclusion runs past that midnight and
    lasts over 72 hours; it opens at the later of the start and that midnight, and its id ends @date iff
    the exclusion began before it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    rules = RULES.with_settings(circular_2025_effective=effective).only(["exclusion.daily_contact"])
    start = datetime.combine(effective + timedelta(days=start_day), datetime.min.time(), oslo) + timedelta(hours=10)
    end = start + timedelta(hours=hours)
    tl = _tl(*_exclusion(start.isoformat(), end.isoformat()))
    obs = evaluate(tl, rules=rules).obligations
    midnight = datetime.combine(effective, datetime.min.time(), oslo)
    if end <= midnight or hours <= 72:
        assert obs == []
        return
    (ob,) = obs
    assert ob.window.opens == max(start, midnight)
    assert ob.id.endswith(f"@{effective.isoformat()}") is (start < midnight)
