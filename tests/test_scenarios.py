"""Scenario files: the public format, its located errors, the runner, ``samarbeid-rules test`` and the pytest plugin."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from samarbeid_rules._cli import main
from samarbeid_rules.scenarios import (
    ScenarioError,
    load_scenario,
    run_scenario,
    run_scenarios,
    scenario_json_schema,
    scenario_junit_xml,
)

ROOT = Path(__file__).resolve().parent.parent
DUTY_CASES = ROOT / "rules" / "cases"
SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"

GOOD = """\
duty: exclusion.notify_doctor
as_of: "2025-03-01T13:00:00+01:00"
events:
  - {id: x, type: exclusion_started, at: "2025-03-01T08:00:00+01:00", measure_id: m1, basis: strgjfl_37, scope: full}
  - {id: d, type: doctor_notified, at: "2025-03-01T08:30:00+01:00", measure_id: m1}
expect: {obligation: "exclusion.notify_doctor:x", status: fulfilled}
violations:
  - name: doctor told one second after the strict hour
    move: {d: "2025-03-01T09:00:01+01:00"}
    expect: {status: contested}
  - name: doctor never told
    remove: [d]
    expect: {status: breached}
variants:
  - name: a look adds no second obligation
    add:
      - {id: l, type: supervision_look, at: "2025-03-01T09:00:00+01:00"}
    expect: {obligation: "exclusion.notify_doctor:l", absent: true}
"""


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> ScenarioError:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def test_a_good_file_gives_the_case_and_every_variant_in_file_order(tmp_path):
    """The case comes first, then violations, then variants; a variant inherits the case's obligation id."""
    loaded = load_scenario(_write(tmp_path, GOOD))
    assert [r.variant for r in loaded.runs] == [
        None, "doctor told one second after the strict hour", "doctor never told", "a look adds no second obligation",
    ]
    assert [r.line for r in loaded.runs] == [6, 8, 11, 15]
    assert [r.expect.obligation for r in loaded.runs] == ["exclusion.notify_doctor:x"] * 3 + ["exclusion.notify_doctor:l"]
    outcomes = run_scenario(loaded)
    assert [o.passed for o in outcomes] == [True, True, True, True]
    assert [o.seen for o in outcomes][:3] == [
        "fulfilled (exclusion.notify_doctor:x)", "contested (exclusion.notify_doctor:x)",
        "breached (exclusion.notify_doctor:x)",
    ]


def test_a_failed_expectation_says_file_line_case_variant_expected_seen_and_why(tmp_path):
    """The failure text names the file and line, the case, the variant, expected against seen, and the explanation."""
    text = GOOD.replace("expect: {status: contested}", "expect: {status: fulfilled}")
    path = _write(tmp_path, text)
    outcome = run_scenario(path)[1]
    assert not outcome.passed
    failure = outcome.failure_text()
    assert failure.splitlines()[:4] == [
        f"{path}:8: case, variant 'doctor told one second after the strict hour' (native engine)",
        "  duty      exclusion.notify_doctor",
        "  expected  fulfilled (exclusion.notify_doctor:x)",
        "  seen      contested (exclusion.notify_doctor:x)",
    ]
    assert "uten ugrunnet opphold" in failure  # the obligation's explanation


def test_an_expected_absence_that_is_not_absent_fails(tmp_path):
    """absent: true fails when the obligation arises, naming its status."""
    text = GOOD.replace('"exclusion.notify_doctor:l", absent: true', '"exclusion.notify_doctor:x", absent: true')
    outcome = run_scenario(_write(tmp_path, text))[3]
    assert not outcome.passed and outcome.seen == "fulfilled (exclusion.notify_doctor:x)"


def test_an_expected_status_without_an_obligation_fails_listing_what_there_is(tmp_path):
    """A status expected of an obligation id that the report lacks fails as absent, with the duty's ids."""
    text = GOOD.replace('obligation: "exclusion.notify_doctor:x"', 'obligation: "exclusion.notify_doctor:zz"')
    outcome = run_scenario(_write(tmp_path, text))[0]
    assert not outcome.passed
    assert outcome.seen == "absent (obligations of exclusion.notify_doctor: exclusion.notify_doctor:x)"


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (("expect: {obligation", "expect: {colour: red, obligation"), 6, "expect.colour", "unknown key"),
        (("status: fulfilled}", "status: fine}"), 6, "expect.status", "Input should be"),
        (("status: breached}", "status: breached, absent: true}"), 13, "violations.1.expect", "not both"),
        (("remove: [d]", "remove: [d, x]"), 11, "violations.1", "exactly one change"),
        (("remove: [d]", "remove: [q]"), 12, "violations.1.remove.0", "no event with this id"),
        (("move: {d:", "move: {q:"), 9, "violations.0.move.q", "no event with this id"),
        (('move: {d: "2025-03-01T09:00:01+01:00"}', 'move: {d: "2025-03-01T09:00:01"}'), 9,
         "violations.0.move.d", "timezone"),
        (("scope: full}", "scope: fulll}"), 4, "events.0.scope", "'full' or 'partial'"),
        (("as_of:", "colour: red\nas_of:"), 2, "colour", "unknown key"),
    ],
)
def test_a_bad_file_is_a_located_error_without_the_value(tmp_path, change, line, field, words):
    """Every problem names the file, the line and the field, and never repeats the value found."""
    old, new = change
    exc = _error(tmp_path, GOOD.replace(old, new, 1))
    assert (exc.line, exc.field) == (line, field), str(exc)
    assert words in exc.problem
    for value in ("red", "fine", "fulll", "09:00:01"):
        if value in new:
            assert value not in str(exc)


def test_a_changed_field_that_breaks_the_event_points_at_the_set(tmp_path):
    """A set that gives a field a bad value is located at that field of the set."""
    text = GOOD.replace("  - name: doctor never told\n    remove: [d]",
                        "  - name: doctor never told\n    set: {d: {measure_id: nowhere}}")
    exc = _error(tmp_path, text)
    assert (exc.line, exc.field) == (12, "violations.1.set.d.measure_id")


def test_an_added_event_of_an_unknown_type_points_at_the_add(tmp_path):
    """An added event that does not validate is located at the add."""
    text = GOOD.replace("    remove: [d]\n", "    add:\n      - {id: z, type: teleported, at: \"2025-03-01T09:00:00+01:00\"}\n")
    exc = _error(tmp_path, text)
    assert (exc.line, exc.field) == (13, "violations.1.add.0")
    assert "unknown event type" in exc.problem


def test_a_bad_profile_override_is_located(tmp_path):
    """A profile override naming an unknown term is an error at the profile key."""
    exc = _error(tmp_path, GOOD + "profile: {terms: {no_such_term: {strict: PT1H}}}\n")
    assert exc.line == 19 and exc.field.startswith("profile")


def test_duplicate_keys_and_unreadable_files_are_errors(tmp_path):
    """A key given twice is refused with both lines; a missing file is an error naming it."""
    exc = _error(tmp_path, GOOD.replace("as_of:", "duty: x\nas_of:", 1))
    assert exc.line == 2 and "first at line 1" in exc.problem
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")


def test_every_duty_case_validates_against_the_published_schema():
    """The JSON Schema in docs/ is the one the code makes, and every file of rules/cases fits it."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_json_schema()
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == schema, (
        "docs/scenario.schema.json is stale: python -c 'import json; from samarbeid_rules.scenarios import "
        "scenario_json_schema as s; print(json.dumps(s(), indent=2))' > docs/scenario.schema.json"
    )
    import yaml

    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(DUTY_CASES.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # strings, as written
        data = json.loads(json.dumps(data))
        _retype(data)
        errors = sorted(validator.iter_errors(data), key=str)
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def _retype(data):
    """BaseLoader reads every scalar as a string; give booleans and numbers back their type."""
    if isinstance(data, dict):
        for k, v in data.items():
            data[k] = _scalar(v) if isinstance(v, str) else v
            _retype(data[k])
    elif isinstance(data, list):
        for i, v in enumerate(data):
            data[i] = _scalar(v) if isinstance(v, str) else v
            _retype(data[i])


def _scalar(v: str):
    if v in ("true", "false"):
        return v == "true"
    if v.lstrip("-").isdigit():
        return int(v)
    return v


def test_the_schema_rejects_a_variant_with_an_unknown_key():
    """The schema forbids unknown keys, as the loader does."""
    jsonschema = pytest.importorskip("jsonschema")
    bad = {"duty": "d", "as_of": "2025-01-01T00:00:00+01:00", "events": [], "expect": {"status": "due"},
           "violations": [{"name": "n", "remove": ["a"], "expect": {"status": "due"}, "colour": "red"}]}
    assert list(jsonschema.Draft202012Validator(scenario_json_schema()).iter_errors(bad))


def test_run_scenarios_reports_a_bad_file_and_runs_the_others(tmp_path):
    """A directory with one bad file gives its error as one outcome and still runs the good file."""
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD.replace("scope: full}", "scope: fulll}"), "b.yaml")
    outcomes = list(run_scenarios([tmp_path]))
    assert [(Path(o.path).name, o.passed, o.error is not None) for o in outcomes] == [
        ("a.yaml", True, False), ("a.yaml", True, False), ("a.yaml", True, False), ("a.yaml", True, False),
        ("b.yaml", False, True),
    ]


def test_junit_xml_has_a_suite_per_file_and_a_failure_per_unmet_expectation(tmp_path):
    """JUnit: one testcase per case or variant, a failure with expected and seen, an error for a bad file."""
    _write(tmp_path, GOOD.replace("expect: {status: contested}", "expect: {status: fulfilled}"), "a.yaml")
    _write(tmp_path, "duty: [\n", "b.yaml")
    root = ET.fromstring(scenario_junit_xml(run_scenarios([tmp_path])))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "1", "1")
    failure = root.find(".//failure")
    assert failure.get("message") == (
        "expected fulfilled (exclusion.notify_doctor:x), seen contested (exclusion.notify_doctor:x)"
    )
    case = root.find(".//testcase[failure]")
    assert case.get("name") == "a [doctor told one second after the strict hour]"
    assert case.get("classname") == "exclusion.notify_doctor" and case.get("line") == "8"
    assert "b.yaml:2" in root.find(".//error").get("message")


def test_cli_test_passes_fails_and_writes_junit(tmp_path, capsys):
    """``samarbeid-rules test``: exit 0 when all pass, 1 with a failure (printed), 3 for a bad file."""
    good = _write(tmp_path, GOOD, "good.yaml")
    assert main(["test", str(good)]) == 0
    assert capsys.readouterr().out == "4 passed, 0 failed, 0 errors in 1 files\n"
    failing = _write(tmp_path, GOOD.replace("expect: {status: contested}", "expect: {status: fulfilled}"),
                     "failing.yaml")
    junit = tmp_path / "junit.xml"
    assert main(["test", str(good), str(failing), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"FAIL  {failing}:8: failing, variant 'doctor told one second after the strict hour'")
    assert out.endswith("7 passed, 1 failed, 0 errors in 2 files\n")
    assert ET.parse(junit).getroot().get("failures") == "1"
    bad = _write(tmp_path, GOOD.replace("scope: full}", "scope: fulll}"), "bad.yaml")
    assert main(["test", str(bad)]) == 3
    out = capsys.readouterr().out
    assert out.startswith(f"ERROR {bad}:4: events.0.scope:") and "fulll" not in out


def test_cli_test_on_a_missing_path_or_an_empty_directory_is_bad_input(tmp_path, capsys):
    """A path that does not exist, or a directory without scenario files, exits 3 with a message."""
    assert main(["test", str(tmp_path / "nope")]) == 3
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["test", str(tmp_path)]) == 3
    assert "no scenario files" in capsys.readouterr().err


def test_cli_test_runs_the_projects_own_duty_cases(capsys):
    """The project's own duty cases all pass through the command."""
    assert main(["test", str(DUTY_CASES)]) == 0
    assert capsys.readouterr().out.endswith(f"errors in {len(list(DUTY_CASES.glob('*.yaml')))} files\n")


# --- the pytest plugin, in a temporary downstream project -------------------

def _downstream(pytester: pytest.Pytester, ini: str) -> None:
    pytester.makeini(ini)
    (pytester.path / "scenarios").mkdir()
    (pytester.path / "scenarios" / "notify.yaml").write_text(GOOD, encoding="utf-8")
    (pytester.path / "config.yaml").write_text("not: a scenario\n", encoding="utf-8")
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")


def test_plugin_collects_nothing_unless_the_project_opts_in(pytester):
    """Without the ini option no YAML file is collected, so unrelated YAML is left alone."""
    _downstream(pytester, "[pytest]\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_plugin_collects_the_files_the_ini_option_names(pytester):
    """With samarbeid_scenarios set, each case and variant is a test; other YAML is not collected."""
    _downstream(pytester, "[pytest]\nsamarbeid_scenarios = scenarios/*.yaml\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*scenarios/notify.yaml::doctor never told PASSED*"])


def test_plugin_reports_a_failure_like_the_command(pytester):
    """A failed expectation shows file and line, case, variant, expected against seen, and the explanation."""
    _downstream(pytester, "[pytest]\nsamarbeid_scenarios = scenarios/*.yaml\n")
    path = pytester.path / "scenarios" / "notify.yaml"
    path.write_text(GOOD.replace("expect: {status: contested}", "expect: {status: fulfilled}"), encoding="utf-8")
    result = pytester.runpytest()
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines([
        "*notify.yaml:8: notify, variant 'doctor told one second after the strict hour' (native engine)",
        "  expected  fulfilled (exclusion.notify_doctor:x)",
        "  seen      contested (exclusion.notify_doctor:x)",
        "*uten ugrunnet opphold*",
    ])


def test_plugin_reports_a_bad_file_as_a_located_collection_error(pytester):
    """An invalid scenario file is a collection error with its file, line and field."""
    _downstream(pytester, "[pytest]\nsamarbeid_scenarios = scenarios/*.yaml\n")
    path = pytester.path / "scenarios" / "notify.yaml"
    path.write_text(GOOD.replace("scope: full}", "scope: fulll}"), encoding="utf-8")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)  # pytest stops a session whose collection fails
    result.stdout.fnmatch_lines(["*notify.yaml:4: events.0.scope: Input should be 'full' or 'partial'*"])
    assert "fulll" not in result.stdout.str()


def test_plugin_pattern_on_the_command_line_and_by_file_name(pytester):
    """--samarbeid-scenarios adds a pattern; a pattern without a directory matches file names anywhere."""
    _downstream(pytester, "[pytest]\n")
    result = pytester.runpytest("--samarbeid-scenarios", "notify.yaml")
    result.assert_outcomes(passed=5)


def test_plugin_is_registered_as_a_pytest11_entry_point():
    """The installed package names the plugin in the pytest11 group, so a downstream project needs no -p."""
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("samarbeid_rules") == "samarbeid_rules.pytest_plugin"
