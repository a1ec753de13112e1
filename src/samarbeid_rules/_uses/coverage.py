"""The coverage matrix: every catalog duty id → how it is judged, by what, tested where.

Built from ``rules/catalog.yaml`` (the index of the duty catalog), the rule
files, ``rules/coverage.yaml`` (institution duties and the sentences not
judged, with reasons) and, in a source checkout, the tests that name each duty.
A duty id with neither a rule file nor a recorded reason is a gap, and
``tests/test_coverage.py`` fails on it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .._inputs.ruleset import RuleSet, load_rules
from .._inputs.yamlread import read_yaml_model

__all__ = ["Coverage", "CoverageRow", "NotJudged", "coverage", "coverage_markdown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogDuty(_Strict):
    id: str
    section: str
    modality: str
    check: str


class Catalog(_Strict):
    duties: list[CatalogDuty]


class NotJudged(_Strict):
    """A sentence of a source that the library deliberately does not judge."""

    source: str
    section: str
    text: str
    reason: str


class CoverageFile(_Strict):
    institution: dict[str, str] = Field(default_factory=dict)
    not_judged: list[NotJudged] = Field(default_factory=list)


class CoverageRow(_Strict):
    """How one catalog duty is judged."""

    duty_id: str
    section: str
    modality: str
    catalog_check: str
    status: Literal["timeline", "timeline+institution", "institution", "missing"]
    rule_files: list[str]
    bases: list[str] = Field(default_factory=list, description="The legal bases its rule files rest on.")
    judged_from: str | None = Field(None, description="The first day a rule file of the duty is in force.")
    tests: list[str]
    note: str | None = None


class Coverage(_Strict):
    """The whole matrix."""

    rule_set: str
    rows: list[CoverageRow]
    not_judged: list[NotJudged]
    unknown_rule_duties: list[str] = Field(description="Duty ids in rule files that the catalog lacks.")
    tests_available: bool

    @property
    def missing(self) -> list[str]:
        return [r.duty_id for r in self.rows if r.status == "missing"]


def _tests_naming(tests_dir: Path | None, cases_dir: Path, duty_ids: list[str]) -> dict[str, list[str]]:
    """Test files and the rule set's own duty cases (``rules/cases/``) that name each duty id.

    ``test_coverage.py`` is left out: it checks this matrix, and names duty
    ids only to say which kind of check each gets, not to test them.
    """
    found: dict[str, set[str]] = {d: set() for d in duty_ids}
    pattern = re.compile(r"\b(" + "|".join(re.escape(d) for d in duty_ids) + r")\b")
    files: list[tuple[Path, str]] = []
    if tests_dir is not None:
        files += [(f, f"tests/{f.name}") for f in sorted(tests_dir.glob("test_*.py")) if f.name != "test_coverage.py"]
    files += [(f, f"rules/cases/{f.name}") for f in sorted(cases_dir.glob("*.yaml"))]
    for f, shown in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        for m in set(pattern.findall(text)):
            found[m].add(shown)
    return {d: sorted(v) for d, v in found.items()}


def coverage(rules: RuleSet | str | Path | None = None, tests_dir: str | Path | None = None) -> Coverage:
    """The coverage matrix of a rule set (default: the shipped one).

    ``tests_dir`` defaults to the ``tests/`` folder beside the rule set in a
    source checkout; an installed package has none, and says so. The rule
    set's own duty cases (``rules/cases/``, scenario files) are shipped with
    it and always counted.
    """
    rule_set = rules if isinstance(rules, RuleSet) else load_rules(rules)
    root = Path(rule_set.directory)
    catalog = read_yaml_model(root / "catalog.yaml", Catalog, "duty catalog index")
    extra = read_yaml_model(root / "coverage.yaml", CoverageFile, "coverage file")
    ids = [d.id for d in catalog.duties]
    tdir = Path(tests_dir) if tests_dir is not None else root.parent / "tests"
    tests_available = tdir.is_dir()
    tests = _tests_naming(tdir if tests_available else None, root / "cases", ids)
    by_duty = rule_set.by_duty()
    rows = []
    for d in catalog.duties:
        files = sorted(r.rel for r in by_duty.get(d.id, []))
        duty_rules = by_duty.get(d.id, [])
        bases = list(dict.fromkeys(b for r in sorted(duty_rules, key=lambda r: r.rel) for b in r.rule.bases))
        starts = [p[0] for r in duty_rules for p in rule_set.in_force[r.rule_id]]
        judged_from = min(starts).isoformat() if starts else None
        note = extra.institution.get(d.id)
        if files and note:
            status = "timeline+institution"
        elif files:
            status = "timeline"
        elif note:
            status = "institution"
        else:
            status = "missing"
        rows.append(
            CoverageRow(
                duty_id=d.id, section=d.section, modality=d.modality, catalog_check=d.check,
                status=status, rule_files=files, bases=bases, judged_from=judged_from, tests=tests[d.id],
                note=note,
            )
        )
    unknown = sorted(set(by_duty) - set(ids))
    return Coverage(
        rule_set=rule_set.citation(), rows=rows, not_judged=extra.not_judged,
        unknown_rule_duties=unknown, tests_available=tests_available,
    )


def coverage_table(cov: Coverage) -> str:
    """A text table of the matrix."""
    width = max(len(r.duty_id) for r in cov.rows)
    lines = [f"coverage of {cov.rule_set}", ""]
    lines.append(f"{'DUTY':<{width}}  {'MOD':<7}  {'JUDGED BY':<20}  {'RULE FILES':<3}  TESTS")
    for r in cov.rows:
        tests = str(len(r.tests)) if cov.tests_available else "n/a"
        lines.append(f"{r.duty_id:<{width}}  {r.modality:<7}  {r.status:<20}  {len(r.rule_files):<10}  {tests}")
    lines.append("")
    counts: dict[str, int] = {}
    for r in cov.rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    lines.append("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    lines.append(f"sentences not judged, with reasons: {len(cov.not_judged)} (see --format markdown)")
    if cov.unknown_rule_duties:
        lines.append(f"rule files with duty ids not in the catalog: {', '.join(cov.unknown_rule_duties)}")
    if not cov.tests_available:
        lines.append("tests are not part of this installation: test columns are not available")
    return "\n".join(lines) + "\n"


def coverage_markdown(cov: Coverage) -> str:
    """The matrix as a Markdown page (``docs/coverage.md`` is this output)."""
    out = [
        "# Coverage matrix",
        "",
        "Generated by `samarbeid-rules coverage --format markdown`; do not edit by hand",
        f"(`tests/test_coverage.py` checks it is current). Rule set: `{cov.rule_set}`.",
        "",
        "Every duty id of the catalog, how it is judged, the rule files that encode it,",
        "the legal bases they rest on (`rules/bases.yaml`; their dates in",
        "[rule-sets.md](rule-sets.md)), the first day a rule file of the duty is in force",
        "under the shipped settings, and the tests that exercise it.",
        "",
        "| duty id | modality | judged by | rule files | rests on | judged from | tests |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in cov.rows:
        files = "<br>".join(f"`{f}`" for f in r.rule_files) or "—"
        tests = "<br>".join(f"`{t}`" for t in r.tests) or "—"
        judged = r.status + (f" ({r.note.split(':')[0]})" if r.note and r.status == "institution" else "")
        bases = ", ".join(f"`{b}`" for b in r.bases) or "—"
        out.append(f"| `{r.duty_id}` | {r.modality} | {judged} | {files} | {bases} | {r.judged_from or '—'} | {tests} |")
    out += [
        "",
        "## Judged on institution records",
        "",
    ]
    for r in cov.rows:
        if r.note:
            out.append(f"- `{r.duty_id}`: {r.note}")
    out += [
        "",
        "## Sentences not judged (`check: none`)",
        "",
        "These need judgement, not a timestamp. They are listed so that an analyst sees",
        "what the tool does not judge.",
        "",
        "| source | section | sentence | why not |",
        "|---|---|---|---|",
    ]
    for n in cov.not_judged:
        out.append(f"| {n.source} | {n.section} | *{n.text}* | {n.reason} |")
    return "\n".join(out) + "\n"
