"""Rule files: the shipped set loads; a broken file raises RuleFileError with its path and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from samarbeid_rules import RuleFileError, load_rules
from samarbeid_rules._inputs.resources import rules_dir

REPO = Path(__file__).resolve().parents[1]
CATALOG = Path(__file__).resolve().parents[2] / "shared" / "duty-catalog.md"
SHIPPED_DUTIES = {
    "exclusion.hourly_supervision",
    "exclusion.minor_continuous",
    "exclusion.notify_doctor",
    "release.health_notice",
}


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(rules_dir(), dst)
    return dst


def _line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line number of the first line containing ``needle`` at or after line index ``start``."""
    lines = text.splitlines()
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    raise AssertionError(needle)


def test_shipped_rules_load():
    """The shipped rule set loads, holds the four headline duties, and is ordered by rule id."""
    rs = load_rules()
    assert SHIPPED_DUTIES <= {r.duty for r in rs.rules}
    assert [r.rule_id for r in rs.rules] == sorted(r.rule_id for r in rs.rules)
    assert rs.citation() == "samarbeid-2025@0.2.0"
    assert len(rs.rules) == 69


def test_shipped_rules_dir_is_the_repository_rules():
    """In a development checkout the shipped rules are the repository's rules/ directory."""
    assert {p.name for p in (Path(rules_dir()) / "duties").rglob("*.yaml")} == {
        p.name for p in (REPO / "rules" / "duties").rglob("*.yaml")
    }


def test_copied_rules_load(rules_copy):
    """An unmodified copy of the rules directory loads like the shipped one."""
    assert {r.duty for r in load_rules(rules_copy).rules} == {r.duty for r in load_rules().rules}


def test_duty_ids_are_in_the_catalog():
    """Every shipped duty id appears (as `id`) in the duty catalog."""
    if not CATALOG.exists():
        pytest.skip(f"duty catalog not found at {CATALOG}")
    text = CATALOG.read_text(encoding="utf-8")
    catalog_ids = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", text))
    for duty in (r.duty for r in load_rules().rules):
        assert duty in catalog_ids, f"{duty} is not in {CATALOG}"


def test_unknown_event_type_names_file_and_line(rules_copy):
    """A trigger with an unknown event type is a RuleFileError at the line of that event key."""
    path = rules_copy / "duties" / "exclusion" / "notify_doctor.yaml"
    text = path.read_text(encoding="utf-8").replace("event: exclusion_started", "event: exclusion_begun")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    exc = info.value
    assert exc.path == str(path)
    assert exc.line == _line_of(text, "event: exclusion_begun")
    assert exc.field == "trigger.event"
    assert "exclusion_begun" in exc.problem
    assert f"{path}:{exc.line}" in str(exc)


def test_missing_duty_names_file(rules_copy):
    """A rule file without its duty id is a RuleFileError naming the file, the field and a line."""
    path = rules_copy / "duties" / "release" / "health_notice.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith("duty:"))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    exc = info.value
    assert exc.path == str(path)
    assert exc.field == "duty"
    assert exc.line == 1


def test_duplicate_key_names_both_lines(rules_copy):
    """A key given twice in one mapping is a RuleFileError at the second, naming the first line."""
    path = rules_copy / "duties" / "exclusion" / "hourly_supervision.yaml"
    text = path.read_text(encoding="utf-8")
    first = _line_of(text, "modality:")
    text = text.replace("actor: KO\n", "actor: KO\nmodality: bør\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    exc = info.value
    assert exc.path == str(path)
    assert exc.line == _line_of(text, "modality: bør")
    assert f"first at line {first}" in exc.problem


def test_bad_yaml_names_file_and_line(rules_copy):
    """Broken YAML syntax is a RuleFileError at the line of the syntax error."""
    path = rules_copy / "duties" / "exclusion" / "minor_continuous.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    bad_at = next(i for i, line in enumerate(lines) if line.startswith("trigger:"))
    lines.insert(bad_at, "oops: [unclosed\n")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    exc = info.value
    assert exc.path == str(path)
    assert exc.line is not None and bad_at + 1 <= exc.line <= bad_at + 2
    assert "not valid YAML" in exc.problem


def test_unknown_key_names_line(rules_copy):
    """An unknown top-level key is a RuleFileError at its line."""
    path = rules_copy / "duties" / "exclusion" / "notify_doctor.yaml"
    text = path.read_text(encoding="utf-8") + "severity: high\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.path == str(path)
    assert info.value.line == _line_of(text, "severity: high")
    assert info.value.field == "severity"


def test_unknown_where_field_names_line(rules_copy):
    """A where-condition on a field the event type lacks is a RuleFileError in that file."""
    path = rules_copy / "duties" / "release" / "health_notice.yaml"
    text = path.read_text(encoding="utf-8").replace("recipient: kho", "addressee: kho")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.path == str(path)
    assert info.value.line is not None
    assert _line_of(text, "fulfilled_by:") <= info.value.line <= _line_of(text, "addressee: kho")


def test_in_value_entry_that_does_not_fit_the_field_names_line(rules_copy):
    """A dated value an in_value condition reads, with an entry the field cannot take, is a RuleFileError
    in the rule file at the condition."""
    bases = rules_copy / "bases.yaml"
    text = bases.read_text(encoding="utf-8")
    start = text.index("  social_service_recipients:")
    at = text.index("value: [", start) + len("value: [")
    bases.write_text(text[:at] + "bogus_recipient, " + text[at:], encoding="utf-8")
    path = rules_copy / "duties" / "release" / "municipality_notice.g8.yaml"
    rule_text = path.read_text(encoding="utf-8")
    with pytest.raises(RuleFileError, match="dated value 'social_service_recipients' has an entry that does not "
                                            "fit: field 'recipient' has the values") as info:
        load_rules(rules_copy)
    assert info.value.path == str(path)
    assert info.value.field == "fulfilled_by"
    assert info.value.line is not None
    assert _line_of(rule_text, "fulfilled_by:") <= info.value.line <= _line_of(rule_text, "in_value:")


def test_two_files_with_the_same_duty_are_rejected(rules_copy):
    """Two rule files claiming one duty id is a RuleFileError naming the second file."""
    src = rules_copy / "duties" / "exclusion" / "notify_doctor.yaml"
    dup = rules_copy / "duties" / "exclusion" / "zz_copy.yaml"
    shutil.copy(src, dup)
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.path == str(dup)
    assert str(src) in info.value.problem


def test_empty_rule_set_is_rejected(rules_copy):
    """A rule set without rule files is a RuleFileError."""
    shutil.rmtree(rules_copy / "duties")
    (rules_copy / "duties").mkdir()
    with pytest.raises(RuleFileError):
        load_rules(rules_copy)


def test_closing_pattern_correlation_is_checked(rules_copy):
    """responds_to on a closing event type without that field is a RuleFileError in that file."""
    path = rules_copy / "duties" / "release" / "gp_notice.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "closed_by:\n  event: released\n", "closed_by:\n  event: released\n  responds_to: true\n"
    )
    assert "responds_to: true\ntiming" in text
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.path == str(path)
    assert "responds_to" in str(info.value)


def test_closed_by_takes_a_list_of_patterns(rules_copy):
    """closed_by may list several patterns; each becomes a closing matcher."""
    from samarbeid_rules._pipeline.compile import compile_rules

    path = rules_copy / "duties" / "release" / "gp_notice.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "closed_by:\n  event: released\n",
        "closed_by:\n  - event: released\n  - event: transferred\n    responds_to: true\n",
    )
    path.write_text(text, encoding="utf-8")
    rule = next(r for r in load_rules(rules_copy).rules if r.duty == "release.gp_notice")
    assert [p.event for p in rule.rule.closed_by] == ["released", "transferred"]
    assert rule.rule.closed_by[1].responds_to is True
    closing = [m.event_type for m in compile_rules(load_rules(rules_copy)).matchers
               if m.duty == rule.rule_id and m.role == "close"]
    assert closing == ["released", "transferred"]
