"""Messages in words (issue 14 item 5): "did you mean" for an unknown event type, enum value, duty id,
setting and modality ('bor' accepted for 'bør'); no message shows a regular expression or the value it
rejected, across a broad set of bad inputs of every kind."""
from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from samarbeid_rules import load_rules, load_timeline
from samarbeid_rules._cli.main import EXIT_BAD_INPUT, EXIT_USAGE, main
from samarbeid_rules._common.errors import SamarbeidError
from samarbeid_rules._common.wording import OTHER_PATTERN, PATTERN_WORDS, first_error, plain_problem
from samarbeid_rules._inputs.institution import load_institution
from samarbeid_rules._inputs.profile import load_profile
from samarbeid_rules._inputs.scenario import load_scenario
from samarbeid_rules._inputs.tables import timelines_from_tables

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LATE = EXAMPLES / "release_notice_late.json"  # breaches
INSTITUTION = EXAMPLES / "institution" / "prison-017.json"
SECRET = "Kari Nordmann 01017000027"
FNR = "01017000027"  # shaped like a national identity number (valid check digits)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- did you mean ----------------------------------------------------------------------------


def _timeline() -> dict:
    return json.loads(LATE.read_text(encoding="utf-8"))


def _problem(data: dict) -> str:
    with pytest.raises(SamarbeidError) as info:
        load_timeline(data)
    return info.value.problem


def test_an_unknown_event_type_suggests_the_closest_one():
    data = _timeline()
    data["events"][0]["type"] = "admited"
    assert _problem(data) == "unknown event type (did you mean 'admitted'?)"
    data["events"][0]["type"] = "Exclusion_Started"  # a case slip
    assert _problem(data) == "unknown event type (did you mean 'exclusion_started'?)"
    data["events"][0]["type"] = "teleported"  # nothing close: the list of types
    assert _problem(data).startswith("unknown event type; known types: acute_assessment, admitted,")
    data["events"][0]["type"] = SECRET
    assert SECRET not in _problem(data)


def test_an_enum_value_suggests_the_closest_one_without_repeating_it():
    data = _timeline()
    data["events"][0]["custody_kind"] = "sentense"
    problem = _problem(data)
    assert problem == "Input should be 'remand', 'sentence' or 'preventive_detention' (did you mean 'sentence'?)"


def _rules_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", dest)
    return dest


def test_a_rule_file_with_an_unknown_event_type_suggests_the_closest_one(tmp_path):
    rules = _rules_copy(tmp_path)
    f = rules / "duties" / "exclusion" / "notify_doctor.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("event: doctor_notified", "event: doctor_notifed"),
                 encoding="utf-8")
    with pytest.raises(SamarbeidError) as info:
        load_rules(rules)
    assert "(did you mean 'doctor_notified'?)" in str(info.value)
    assert f"{f}:" in str(info.value)


def test_bor_is_accepted_for_bor_with_the_letter_o_slash(tmp_path, capsys):
    """'bor' (ASCII) is 'bør' in a rule file, in --modality and in RuleSet.only."""
    rules = _rules_copy(tmp_path)
    changed = 0
    for f in (rules / "duties").rglob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if "\nmodality: bør\n" in text:
            f.write_text(text.replace("\nmodality: bør\n", "\nmodality: bor\n"), encoding="utf-8")
            changed += 1
    assert changed > 0
    ascii_set, shipped = load_rules(rules), load_rules()
    assert [r.rule for r in ascii_set.rules] == [r.rule for r in shipped.rules]
    assert [r.rule_id for r in shipped.only(modalities=["bor"]).rules] == \
        [r.rule_id for r in shipped.only(modalities=["bør"]).rules] != []
    out_ascii = _run(capsys, "check", "--format", "json", "--modality", "bor,skal", str(LATE))
    out_native = _run(capsys, "check", "--format", "json", "--modality", "bør,skal", str(LATE))
    assert out_ascii == out_native


@pytest.mark.parametrize(("given", "hint"), [("skall", "skal"), ("vurder", "vurdere"), ("forbudt", "forbud"),
                                             ("bøør", "bør"), ("nothing", None)])
def test_an_unknown_modality_suggests_the_closest_one(given, hint, capsys):
    code, _, err = _run(capsys, "check", "--modality", given, str(LATE))
    assert code == EXIT_USAGE
    assert "modalities are skal, bør, vurdere, forbud (comma-separated; bor for bør)" in err
    assert (f"(did you mean '{hint}'?)" in err) if hint else ("did you mean" not in err)
    alone = re.compile(rf"(?<!\w){re.escape(given)}(?!\w)")  # the value given, not repeated
    assert not alone.search(err)
    with pytest.raises(SamarbeidError) as info:
        load_rules().only(modalities=[given])
    assert "unknown modality" in str(info.value) and not alone.search(str(info.value))


def test_an_unknown_setting_lists_the_settings_and_suggests_the_closest(capsys):
    code, _, err = _run(capsys, "check", "--setting", "circular_2025_efective=2025-09-01", str(LATE))
    assert code == EXIT_BAD_INPUT
    assert err.endswith(
        ": unknown rule-set setting (did you mean 'circular_2025_effective'?); the settings of "
        "samarbeid-2025@0.2.0 are circular_2025_effective\n"
    )
    code, _, err = _run(capsys, "explain", "--setting", "zzz=2025-09-01", str(LATE), "release.health_notice")
    assert code == EXIT_BAD_INPUT and "did you mean" not in err and "zzz" not in err
    assert err.endswith("are circular_2025_effective\n")


def test_rule_set_only_suggests_a_duty_id():
    with pytest.raises(SamarbeidError) as info:
        load_rules().only(["exclusion.notify_docter", "exclusion.notify_doctor"])
    assert str(info.value).endswith(": no rule for this duty id (did you mean 'exclusion.notify_doctor'?)")
    with pytest.raises(SamarbeidError) as info:
        load_rules().only(["exclusion.notify_docter", "nothing.close", "nothing.close"])
    assert str(info.value).endswith(": no rule for 2 of the duty ids given (did you mean 'exclusion.notify_doctor'?)")
    with pytest.raises(SamarbeidError) as info:
        load_rules().only(["nothing.close"])
    assert ": no rule for this duty id; rules exist for: admission.continue_treatment, " in str(info.value)
    assert "nothing" not in str(info.value)


# --- messages in words -----------------------------------------------------------------------

#: what a regular expression leaves in a message: anchors, escapes, character classes, groups
REGEX = re.compile(r"\^|\$|\\[sdwSDWbn]|\[[^\]]*[-^\\][^\]]*\]|\(\?|should match pattern|\{\d+,\d*\}")


def _bad_timelines() -> list[dict]:
    good = _timeline()
    out = []

    def bad(change):
        d = copy.deepcopy(good)
        change(d)
        out.append(d)

    for value in ("", "a b", "x" * 201, "tab\there", "ø", 7, None, ["x"], FNR):
        bad(lambda d, v=value: d.update(case_id=v))
        bad(lambda d, v=value: d["events"][0].update(id=v))
        bad(lambda d, v=value: d["person"].update(id=v))
        if value is not None:  # responds_to may be null
            bad(lambda d, v=value: d["events"][3].update(responds_to=v))
    for value in ("2025-13-01T10:00+01:00", "2025-11-03T10:00", "2025-11-03", "1899-12-31T23:00+01:00",
                  "2025-11-03T25:00Z", 1700000000, "", "now", "2025-11-03T10:00+24:00"):
        bad(lambda d, v=value: d["events"][0].update(at=v))
    for value in ("1984-9-2", "1984-02-30", "2200-01-01", "", 19840902, "1984-09-02T00:00Z"):
        bad(lambda d, v=value: d["person"].update(birth_date=v))
    bad(lambda d: d["events"][0].update(custody_kind="sentense"))
    bad(lambda d: d["events"][0].update(type="admited"))
    bad(lambda d: d["events"][0].update(extra_field=1))
    bad(lambda d: d.update(events="x"))
    for minutes in (0, 24 * 60 + 1, -1, "30", True, 1.5):
        bad(lambda d, m=minutes: d["events"].append(
            {"id": "ex", "type": "exclusion_started", "at": "2025-11-03T10:00+01:00", "measure_id": "m1",
             "basis": "strgjfl_37", "scope": "full"}) or d["events"].append(
            {"id": "c1", "type": "meaningful_contact", "at": "2025-11-03T11:00+01:00", "measure_id": "m1",
             "minutes": m}))
    bad(lambda d: d["events"].append({"id": "cg", "type": "consent_given", "at": "2025-11-03T10:00+01:00",
                                      "measure_id": "c", "scope": [], "form": "written"}))
    return out


def _messages(tmp_path: Path) -> list[str]:
    """The messages of a broad set of bad inputs: timelines, institution records, profiles, rule
    files, rule-set files, scenario files, tables, option values and the service's person model."""
    messages = []

    def catch(fn, *args, **kw):
        try:
            fn(*args, **kw)
        except SamarbeidError as exc:
            messages.append(str(exc))
            return
        raise AssertionError(f"accepted: {args!r}")

    for data in _bad_timelines():
        catch(load_timeline, data)
    inst = json.loads(INSTITUTION.read_text(encoding="utf-8"))
    for change in (
        lambda d: d.update(prison_id="a b"),
        lambda d: d.update(prison_id=""),
        lambda d: d["routines"][0].update(adopted="2021-4-12"),
        lambda d: d["routines"][0].update(topic="detoks"),
        lambda d: d["agreements"][0].update(parties=["ko"]),
        lambda d: d["meetings"][0].update(level="leeder"),
        lambda d: d["meetings"][0].update(id="x" * 300),
    ):
        d = copy.deepcopy(inst)
        change(d)
        catch(load_institution, d)
    for terms in (
        {"umiddelbart": {"strict": "15 minutes"}},
        {"umiddelbart": {"strict": "PT0.5S"}},
        {"umiddelbart": {"strict": 60}},
        {"umiddelbart": {"lenient": "PT1M"}},
        {"umiddelbart": {"kind": "durasjon"}},
        {"umiddelbart": {"kind": SECRET}},
        {"bad name": {"kind": "count", "words": ["x"], "strict": 1, "lenient": 1}},
        {"x": {"kind": "count", "words": ["x"], "strict": 1001, "lenient": 1}},
        {"x": {"kind": "count", "words": ["x"], "strict": -1, "lenient": -1}},
        {"x": {"kind": "count", "words": [], "strict": 1, "lenient": 1}},
        {"x": {"kind": "clock_window", "words": ["x"], "strict": {"start": "7:00", "end": "22:00"},
               "lenient": {"start": "08:00", "end": "21:00"}}},
        {"x": {"kind": "clock_window", "words": ["x"], "strict": {"start": "24:00", "end": "22:00"},
               "lenient": {"start": "08:00", "end": "21:00"}}},
    ):
        f = tmp_path / "profile.yaml"
        f.write_text(json.dumps({"extends": "default", "terms": terms}), encoding="utf-8")
        catch(load_profile, f)
    for settings in ({"dogn": "døgn"}, {"timezone": "UTC"}):
        f = tmp_path / "profile.yaml"
        f.write_text(json.dumps({"extends": "default", "settings": settings}), encoding="utf-8")
        catch(load_profile, f)
    f = tmp_path / "profile.yaml"
    f.write_text(json.dumps({"extends": "default", "id": "x" * 101}), encoding="utf-8")
    catch(load_profile, f)
    # rule files and the rule set's own file
    notify = "duties/exclusion/notify_doctor.yaml"
    for i, (path, old, new) in enumerate((
        ("duties/custody/escort_cancelled.reschedule.yaml", "\npart: reschedule\n", "\npart: Reschedule-1\n"),
        (notify, "\nmodality: skal\n", "\nmodality: skall\n"),
        (notify, "duty: exclusion.notify_doctor\n", "duty: Exclusion notify\n"),
        (notify, "\nactor: KO\n", "\nactor: ko\n"),
        (notify, "  same: [measure_id]\n", "  same: [measure_id]\n  lookback: 2 hours\n"),
        (notify, "  same: [measure_id]\n", "  same: [measure_id]\n  lookback: P2Y\n"),
        (notify, "  same: [measure_id]\n", "  same: [measure_id]\n  lookback: PT1.5H\n"),
        (notify, "\ntitle: A doctor", "\ntitle: ''\nnotes_: A doctor"),
        ("ruleset.yaml", "circular_2025_effective: 2025-07-01", "circular_2025_effective: 2025-7-1"),
    )):
        rules = tmp_path / f"rules{i}"
        shutil.copytree(ROOT / "rules", rules)
        target = rules / path
        text = target.read_text(encoding="utf-8")
        assert old in text, (path, old)
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
        catch(load_rules, rules)
    rules = tmp_path / "rules-version"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "ruleset.yaml").read_text(encoding="utf-8")
    version = re.search(r"- id: (\S+)", text).group(1)
    (rules / "ruleset.yaml").write_text(text.replace(f"- id: {version}", "- id: G8 2006", 1), encoding="utf-8")
    catch(load_rules, rules)
    # scenario files
    case = (ROOT / "rules" / "cases" / "custody.escort_cancelled.reschedule.yaml").read_text(encoding="utf-8")
    for old, new in (('as_of: "', 'as_of: "x'), ("duty: custody.escort_cancelled", "duty: ''"),
                     ("custody_kind: sentence", "custody_kind: sentense"), ("{id: adm,", "{id: a d m,")):
        f = tmp_path / "case.yaml"
        assert old in case
        f.write_text(case.replace(old, new, 1), encoding="utf-8")
        catch(load_scenario, f)
    # tables
    persons = [{"case_id": "c1", "person_id": "p1", "birth_date": "1980-01-01"}]
    for row in ({"case_id": "c1", "type": "admited", "at": "2025-11-03T10:00+01:00"},
                {"case_id": "c1", "type": "admitted", "at": "2025-11-03T10:00+01:00", "custody_kind": "x"},
                {"case_id": "c 1", "type": "admitted", "at": "2025-11-03T10:00+01:00", "custody_kind": "remand"},
                {"case_id": "c1", "type": "admitted", "at": "2025-11-03", "custody_kind": "remand"}):
        catch(timelines_from_tables, [row], persons)
    # the CLI's own option values (usage errors)
    return messages


def test_no_message_shows_a_regular_expression_or_the_rejected_value(tmp_path, capsys):
    messages = _messages(tmp_path)
    assert len(messages) >= 100
    for argv in (["check", "--as-of", "2025-01-01T10:00", str(LATE)], ["check", "--as-of", SECRET, str(LATE)],
                 ["check", "--setting", "x", str(LATE)], ["check", "--modality", "x", str(LATE)],
                 ["check-institution", "--as-of", "2025-1-1", str(INSTITUTION)],
                 ["batch", "--processes", "x", str(LATE)], ["check", "--fail-on", "x", str(LATE)],
                 ["explain", str(LATE), "x"], ["explain", str(LATE), "exclusion.notify_docter"]):
        code, _, err = _run(capsys, *argv)
        assert code == EXIT_USAGE
        messages.append(err.splitlines()[-1])
    for m in messages:
        assert not REGEX.search(m), m
        assert SECRET not in m and "Kari" not in m
        assert FNR not in m, m
    # a sample of the words said instead
    text = "\n".join(messages)
    assert "an id is 1 to 200 printable ASCII characters, without spaces or control characters (! to ~)" in text
    assert PATTERN_WORDS[r"^[a-z_]+$"] in text
    assert PATTERN_WORDS[r"^[a-z0-9][a-z0-9.-]*$"] in text


def test_the_regex_detector_finds_what_pydantic_would_say():
    """The check above can fail: pydantic's own message for a pattern is caught by it."""
    from samarbeid_rules._service.models import PersonIn

    with pytest.raises(ValidationError) as info:
        PersonIn.model_validate({"id": "a b", "birth_date": "1980-01-01"})
    raw = info.value.errors()[0]["msg"]
    assert REGEX.search(raw), raw  # "String should match pattern '^[^\\s]+$'"
    worded = plain_problem(first_error(info.value))
    assert worded == "an id has no spaces, tabs or line breaks" and not REGEX.search(worded)
    assert plain_problem({"type": "string_pattern_mismatch", "ctx": {"pattern": "^x$"}, "msg": raw}) == OTHER_PATTERN
    assert not REGEX.search(OTHER_PATTERN)
    for words in PATTERN_WORDS.values():
        assert not REGEX.search(words)


def test_a_scenario_file_for_a_duty_with_no_rule_is_an_error_naming_the_closest(tmp_path, capsys):
    """A misspelt duty in a scenario file would make an 'absent' expectation pass: it is an error
    (exit 3) at the duty's line, naming the closest duty id with a rule."""
    case = (ROOT / "rules" / "cases" / "custody.escort_cancelled.reschedule.yaml").read_text(encoding="utf-8")
    f = tmp_path / "case.yaml"
    f.write_text(case.replace("duty: custody.escort_cancelled\n", "duty: custody.escort_canceled\n")
                 .replace("expect: {status: breached}", "expect: {absent: true}"), encoding="utf-8")
    line = 1 + case.split("\n").index("duty: custody.escort_cancelled")
    code, out, err = _run(capsys, "test", str(f))
    assert code == EXIT_BAD_INPUT
    assert f"{f}:{line}: duty: no rule for this duty id (did you mean 'custody.escort_cancelled'?)" in out + err
    assert "escort_canceled" not in (out + err).replace(str(f), "")
    f.write_text(case, encoding="utf-8")
    assert main(["test", str(f)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(("where", "key", "hint"), [("event", "custody_kin", "custody_kind"),
                                                    ("person", "birthdate", "birth_date"),
                                                    ("top", "case_ids", "case_id"), ("event", "note", None),
                                                    ("event", "Custody_Kind", "custody_kind"),
                                                    ("event", SECRET, None)])
def test_an_unknown_field_suggests_the_closest_field_of_its_record(where, key, hint):
    data = _timeline()
    record = {"event": data["events"][0], "person": data["person"], "top": data}[where]
    record[key] = "x"
    problem = _problem(data)
    assert problem.startswith("unknown field (not part of this record's type)")
    assert problem.endswith(f" (did you mean '{hint}'?)") if hint else "did you mean" not in problem
    assert FNR not in problem and "Kari" not in problem


def test_a_table_row_with_a_case_id_that_is_not_an_id_does_not_show_it():
    persons = [{"case_id": SECRET, "person_id": "p1", "birth_date": "1980-01-01"}]
    for events, persons_ in (
        ([{"case_id": SECRET, "type": "admitted", "at": "2025-11-03T10:00+01:00", "custody_kind": "remand"}], []),
        ([{"case_id": SECRET, "type": "admited", "at": "2025-11-03T10:00+01:00"}], persons),
        ([{"case_id": SECRET, "type": "admitted", "at": "2025-11-03T10:00+01:00", "custody_kind": "remand"}],
         persons),
    ):
        with pytest.raises(SamarbeidError) as info:
            timelines_from_tables(events, persons_ or [{"case_id": "c1", "person_id": "p1",
                                                        "birth_date": "1980-01-01"}])
        assert "Kari" not in str(info.value) and FNR not in str(info.value), str(info.value)
        assert info.value.case_id is None
