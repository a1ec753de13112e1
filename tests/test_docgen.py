"""The generated parts of README.md and docs/*.md are what the generator makes from the rules now."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from samarbeid_rules._outputs.docgen import COMMAND, DocGenError, Sources, main, render_page, stale_pages

ROOT = Path(__file__).resolve().parents[1]
#: a shipped duty the new one is copied from; spelt in two pieces so that the coverage matrix
#: does not count this file as a test of that duty
TEMPLATE = "exclusion." + "notify_doctor"


def test_generated_regions_are_current():
    """Every marked region (and docs/coverage.md) equals the generator's output for the shipped rules."""
    stale = stale_pages(ROOT)
    assert stale == [], f"generated doc parts are stale in {stale}: run `{COMMAND}` from the repository root"


def test_the_pages_carry_the_regions_that_restate_data():
    """The lists that restate rule data are generated, not hand-written."""
    expected = {
        "README.md": ["duties-covered", "count-rule-files", "count-timeline-duties"],
        "docs/rule-sets.md": ["legal-bases", "basis-duties", "dated-values", "assumed-dates", "duty-bases",
                              "rule-set-versions"],
        "docs/duties-catalog.md": ["duties-by-section"],
        "docs/profile.md": ["profile-terms", "profile-settings"],
    }
    for page, regions in expected.items():
        text = (ROOT / page).read_text(encoding="utf-8")
        for region in regions:
            assert f"<!-- generated: {region} -->" in text, (page, region)


def _copy_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "README.md", root / "README.md")
    for page in (ROOT / "docs").glob("*.md"):
        shutil.copy(page, root / "docs" / page.name)
    shutil.copytree(ROOT / "rules", root / "rules")
    shutil.copytree(ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _add_duty(rules: Path) -> None:
    """A new catalog duty with one rule file, resting on the bases of its template (a statute and 001)."""
    src = yaml.safe_load((rules / "duties" / f"{TEMPLATE.replace('.', '/')}.yaml").read_text(encoding="utf-8"))
    src["duty"] = "exclusion.notify_lawyer"
    src["source"]["statute"] = "an invented statute § 99"
    src["notes"] = "An invented duty for the generator's test."
    (rules / "duties/exclusion/notify_lawyer.yaml").write_text(yaml.safe_dump(src, allow_unicode=True), encoding="utf-8")
    catalog = yaml.safe_load((rules / "catalog.yaml").read_text(encoding="utf-8"))
    section = next(d["section"] for d in catalog["duties"] if d["id"] == TEMPLATE)
    catalog["duties"].append({"id": "exclusion.notify_lawyer", "section": section, "modality": "skal", "check": "timeline"})
    (rules / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")


def test_a_new_duty_reaches_every_list_by_re_running_the_generator(tmp_path, capsys):
    """Later issues add duties: they must only re-run the generator, and the check says when to."""
    root = _copy_repo(tmp_path)
    _add_duty(root / "rules")
    args = ["--root", str(root), "--rules", str(root / "rules")]
    assert main([*args, "--check"]) == 1
    out, err = capsys.readouterr()
    assert "stale: README.md" in out and "docs/duties-catalog.md" in out and "docs/rule-sets.md" in out
    assert COMMAND in err
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--check"]) == 0
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated: count-rule-files -->70<!-- end generated -->" in readme
    assert "<!-- generated: count-timeline-duties -->59<!-- end generated -->" in readme
    assert "| E. Isolation: exclusion, security cell, security bed (001 §7.1) | 23 |" in readme
    catalog_page = (root / "docs/duties-catalog.md").read_text(encoding="utf-8")
    assert "| `exclusion.notify_lawyer` | skal | KO |" in catalog_page
    assert "An invented duty for the generator's test." in catalog_page
    sets = (root / "docs/rule-sets.md").read_text(encoding="utf-8")
    assert ("| `exclusion.notify_lawyer` | `duties/exclusion/notify_lawyer.yaml` | `strgjfl-37-7` (2002-03-01, "
            "assumed), `circular-001` (2025-07-01, assumed) | — | from 2002-03-01 | `g8-2006`, `circular-2025` |") in sets
    assert "`exclusion.notify_lawyer`" in (root / "docs/coverage.md").read_text(encoding="utf-8")
    # the hand-written text around the regions is kept as it was
    assert readme.split("<!-- generated")[0] == (ROOT / "README.md").read_text(encoding="utf-8").split("<!-- generated")[0]


def test_a_verified_date_reaches_the_rule_sets_page(tmp_path):
    """A basis date verified (or moved) in bases.yaml needs no hand edit: the generator rewrites the tables
    of bases, assumed dates and the law each duty rests on."""
    root = _copy_repo(tmp_path)
    bases = root / "rules/bases.yaml"
    text = bases.read_text(encoding="utf-8")
    old = """    from:
      date: 2012-01-01
      confidence: assumed"""
    assert old in text
    bases.write_text(text.replace(old, """    from:
      date: 2012-01-01
      confidence: verified
      source: 999 line 1
      quote: i kraft 1. januar 2012"""), encoding="utf-8")
    assert "docs/rule-sets.md" in stale_pages(root, Sources(root / "rules"))
    assert main(["--root", str(root), "--rules", str(root / "rules")]) == 0
    sets = (root / "docs/rule-sets.md").read_text(encoding="utf-8")
    assert "from: verified: 999 line 1, «i kraft 1. januar 2012»" in sets
    assert "**`hol-7-1` from 2012-01-01**" not in sets
    assert "`hol-7-2` (2012-01-01) | `circular-001` | from 2012-01-01" in sets


def test_a_changed_profile_bound_reaches_the_profile_page(tmp_path):
    root = _copy_repo(tmp_path)
    profile = root / "rules/profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("strict: PT15M", "strict: PT20M"), encoding="utf-8")
    assert stale_pages(root, Sources(root / "rules")) == ["docs/profile.md"]


def test_broken_markers_are_refused():
    src = Sources()
    with pytest.raises(DocGenError, match="unknown generated region 'no-such'"):
        render_page("<!-- generated: no-such -->\n<!-- end generated -->\n", src)
    with pytest.raises(DocGenError, match="has no"):
        render_page("<!-- generated: count-rule-files -->52\n", src)
    with pytest.raises(DocGenError, match="has no"):
        render_page("<!-- generated: count-rule-files -->\n<!-- generated: profile-id -->x<!-- end generated -->\n", src)
    with pytest.raises(DocGenError, match="is a block"):
        render_page("<!-- generated: duties-covered -->x<!-- end generated -->", src)


def test_inline_and_block_regions():
    src = Sources()
    n = len(src.rules.rules)
    assert render_page("a <!-- generated: count-rule-files -->0<!-- end generated --> b", src) == (
        f"a <!-- generated: count-rule-files -->{n}<!-- end generated --> b")
    block = render_page("<!-- generated: duties-covered -->\nold\n<!-- end generated -->\n", src)
    assert block.startswith("<!-- generated: duties-covered -->\n| catalog section |") and "old" not in block


def test_the_generator_refuses_a_directory_without_docs(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "--check"]) == 2
    assert "repository root" in capsys.readouterr().err


def test_every_profile_term_has_its_reason_on_the_profile_page():
    """The table of terms is generated; the hand-written reasons below it name every term, and no other."""
    text = (ROOT / "docs/profile.md").read_text(encoding="utf-8")
    reasons = text.split("Why each is a choice:", 1)[1].split("\n\n", 2)[1]
    named = [line.split("`")[1] for line in reasons.splitlines() if line.startswith("- `")]
    assert sorted(named) == sorted(Sources().profile.terms)
