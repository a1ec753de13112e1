"""The coverage matrix: every catalog duty id judged by a rule file or on institution records, and tested."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from samarbeid_rules import coverage, load_rules
from samarbeid_rules._cli import main
from samarbeid_rules._uses.coverage import coverage_markdown

ROOT = Path(__file__).parents[1]
CATALOG_MD = Path(__file__).parents[2] / "shared" / "duty-catalog.md"
RULES_DIR = ROOT / "rules"
ROW = re.compile(r"^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|\s*([^|]+?)\s*\|(?:[^|]*\|){4}\s*([^|]+?)\s*\|\s*$")


def _catalog_yaml() -> list[dict]:
    return yaml.safe_load((RULES_DIR / "catalog.yaml").read_text(encoding="utf-8"))["duties"]


def _catalog_md_rows() -> list[dict]:
    """The duty rows of the catalog's tables, with the section heading they sit under."""
    rows, section = [], None
    for line in CATALOG_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        m = ROW.match(line)
        if m:
            rows.append({"id": m.group(1), "section": section, "modality": m.group(2), "check": m.group(3)})
    return rows


@pytest.fixture(scope="module")
def cov():
    return coverage()


def test_no_catalog_duty_is_missing(cov):
    """Every duty id of rules/catalog.yaml has rule files or an institution reason: coverage().missing is empty."""
    assert cov.missing == []
    assert len(cov.rows) == len(_catalog_yaml()) == 63


def test_coverage_statuses(cov):
    """Section F is judged on institution records, staff medication on both, everything else on timelines."""
    status = {r.duty_id: r.status for r in cov.rows}
    assert {d for d, s in status.items() if s == "institution"} == {
        "org.local_meetings", "org.routines", "org.tripartite_agreement", "org.activity_plans",
        "org.early_change_notice"}
    assert {d for d, s in status.items() if s == "timeline+institution"} == {"custody.staff_medication"}
    assert all(s == "timeline" for d, s in status.items() if not d.startswith("org.") and
               d != "custody.staff_medication")


@pytest.mark.skipif(not CATALOG_MD.is_file(), reason=f"the shared duty catalog is not present at {CATALOG_MD}")
def test_catalog_yaml_equals_the_catalog_tables():
    """rules/catalog.yaml lists exactly the table rows of ../shared/duty-catalog.md, in order, with section, modality and check."""
    md = _catalog_md_rows()
    assert md, "no duty rows parsed from the catalog"
    assert [dict(d) for d in _catalog_yaml()] == md


def test_rule_files_name_only_catalog_duties(cov):
    """No rule file names a duty id outside the catalog."""
    assert cov.unknown_rule_duties == []
    ids = {d["id"] for d in _catalog_yaml()}
    assert {r.duty for r in load_rules().rules} <= ids


def test_every_timeline_duty_has_a_test(cov):
    """Every duty judged on timelines is named by at least one test file or duty case."""
    assert cov.tests_available
    untested = [r.duty_id for r in cov.rows if r.status.startswith("timeline") and not r.tests]
    assert untested == []


def test_every_institution_duty_has_a_test(cov):
    """Every institution-level duty is named by at least one test."""
    assert all(r.tests for r in cov.rows if r.status == "institution")


def test_docs_coverage_is_current(cov):
    """docs/coverage.md is exactly coverage_markdown(coverage()) (regenerate with `coverage --format markdown`)."""
    page = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert page == coverage_markdown(cov), (
        "docs/coverage.md is stale: run `samarbeid-rules coverage --format markdown > docs/coverage.md`")


def test_not_judged_sentences_have_reasons(cov):
    """Every sentence not judged names its source, section, the sentence and a reason."""
    assert len(cov.not_judged) >= 10
    for n in cov.not_judged:
        assert n.source and n.section and n.text.strip() and n.reason.strip()


def test_cli_coverage_lists_every_duty(capsys):
    """`samarbeid-rules coverage` exits 0 and lists every catalog duty id, in table and JSON form."""
    assert main(["coverage"]) == 0
    table = capsys.readouterr().out
    for d in _catalog_yaml():
        assert d["id"] in table
    assert main(["coverage", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["duty_id"] for r in data["rows"]] == [d["id"] for d in _catalog_yaml()]
    assert main(["coverage", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Coverage matrix")


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def test_deleted_rule_file_makes_a_duty_missing(tmp_path):
    """A copied rules dir with one rule file deleted and no institution reason reports that duty missing."""
    rules = _copy_rules(tmp_path)
    (rules / "duties" / "exclusion" / "weekly_plan.yaml").unlink()
    cov = coverage(rules)
    assert cov.missing == ["exclusion.weekly_plan"]
    assert not cov.tests_available  # no tests/ beside the copy
    # only the rule set's own duty cases, which travel with it
    assert all(t.startswith("rules/cases/") for r in cov.rows for t in r.tests)
    # its two case files (the extension case came with issue 11's extension trigger)
    assert {r.duty_id: r.tests for r in cov.rows}["exclusion.weekly_plan"] == [
        "rules/cases/exclusion.weekly_plan.extension.yaml", "rules/cases/exclusion.weekly_plan.yaml"]


def test_institution_reason_covers_a_deleted_rule_file(tmp_path):
    """The same duty with a reason under `institution:` in coverage.yaml is judged on institution records instead."""
    rules = _copy_rules(tmp_path)
    (rules / "duties" / "exclusion" / "weekly_plan.yaml").unlink()
    data = yaml.safe_load((rules / "coverage.yaml").read_text(encoding="utf-8"))
    data["institution"]["exclusion.weekly_plan"] = "Judged on the prison's weekly plans."
    (rules / "coverage.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cov = coverage(rules)
    assert cov.missing == []
    assert {r.duty_id: r.status for r in cov.rows}["exclusion.weekly_plan"] == "institution"


def test_rule_file_for_an_unknown_duty_is_reported(tmp_path):
    """A rule file naming a duty id the catalog lacks is listed in unknown_rule_duties."""
    rules = _copy_rules(tmp_path)
    src = rules / "duties" / "exclusion" / "weekly_plan.yaml"
    text = src.read_text(encoding="utf-8").replace("duty: exclusion.weekly_plan", "duty: exclusion.monthly_plan")
    (rules / "duties" / "exclusion" / "monthly_plan.yaml").write_text(text, encoding="utf-8")
    cov = coverage(rules)
    assert cov.unknown_rule_duties == ["exclusion.monthly_plan"]


def test_cli_coverage_of_a_broken_rules_dir(tmp_path, capsys):
    """`coverage --rules DIR` exits 3 when the rule set cannot be read."""
    rules = _copy_rules(tmp_path)
    (rules / "catalog.yaml").write_text("duties: [", encoding="utf-8")
    assert main(["coverage", "--rules", str(rules)]) == 3
    assert "catalog.yaml" in capsys.readouterr().err


def test_catalog_index_that_is_not_utf8_is_a_rule_file_error(tmp_path):
    """A catalog index that is not UTF-8 is a RuleFileError naming it, as a rule file would be."""
    import shutil

    from samarbeid_rules import RuleFileError
    from samarbeid_rules._uses.coverage import coverage
    from samarbeid_rules._inputs.resources import rules_dir

    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    (root / "catalog.yaml").write_bytes(b"duties:\n  - {id: \xff}\n")
    with pytest.raises(RuleFileError) as info:
        coverage(root)
    assert info.value.path == str(root / "catalog.yaml")
    assert "cannot read duty catalog index" in str(info.value)
