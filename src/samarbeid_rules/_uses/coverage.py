"""The coverage matrix: every catalog duty id → how it is judged, by what, tested where.

Built from ``rules/catalog.yaml`` (the index of the duty catalog), the rule
files, ``rules/coverage.yaml`` (institution duties, the sentences not judged
and the sentences that state no duty, with categories and reasons) and, in a
source checkout, the tests that name each duty. A duty id with neither a rule
file nor a recorded reason is a gap, and ``tests/test_coverage.py`` fails on
it. Where the rule set has its sources (``rules/sources/``), every modal
sentence of them is accounted for as well (:mod:`.sentences`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .._common.errors import RuleFileError
from .._inputs.ruleset import RuleSet, load_rules
from .._inputs.yamlread import read_yaml_model
from .sentences import (
    NOT_DUTY_CATEGORIES,
    NOT_JUDGED_CATEGORIES,
    Listed,
    SentenceAccount,
    account_sentences,
    sentences_markdown,
)

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


#: A sentence of a source that the library deliberately does not judge, or that states no duty.
NotJudged = Listed


class CoverageFile(_Strict):
    institution: dict[str, str] = Field(default_factory=dict)
    not_judged: list[NotJudged] = Field(default_factory=list)
    not_duties: list[NotJudged] = Field(default_factory=list)

    @model_validator(mode="after")
    def _categories(self) -> CoverageFile:
        for key, allowed in (("not_judged", NOT_JUDGED_CATEGORIES), ("not_duties", NOT_DUTY_CATEGORIES)):
            for i, entry in enumerate(getattr(self, key)):
                if entry.category not in allowed:
                    raise ValueError(f"{key}[{i}]: category {entry.category!r} belongs in "
                                     f"{'not_duties' if key == 'not_judged' else 'not_judged'}")
                if (entry.category == "duplicate_of") != (entry.duty is not None):
                    raise ValueError(f"{key}[{i}]: a duplicate_of entry, and only one, names its duty")
        return self


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
    not_duties: list[NotJudged] = Field(default_factory=list)
    unknown_rule_duties: list[str] = Field(description="Duty ids in rule files that the catalog lacks.")
    tests_available: bool
    sentences: SentenceAccount | None = Field(
        None, description="Every modal sentence of the sources, accounted for (null: the rule set has no sources/).")

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
    for entry in extra.not_judged:
        if entry.duty is not None and entry.duty not in ids:
            raise RuleFileError(f"not_judged names duty {entry.duty!r}, which the catalog lacks",
                                path=str(root / "coverage.yaml"), field="not_judged")
    sentences = None
    if (root / "sources" / "sources.yaml").is_file():
        sentences = account_sentences(rule_set, [*extra.not_judged, *extra.not_duties])
    return Coverage(
        rule_set=rule_set.citation(), rows=rows, not_judged=extra.not_judged, not_duties=extra.not_duties,
        unknown_rule_duties=unknown, tests_available=tests_available, sentences=sentences,
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
    if cov.sentences is not None:
        acc = cov.sentences
        lines.append(f"modal sentences of the sources: {len(acc.rows)}, unaccounted {len(acc.unaccounted)}, "
                     f"stale listings {len(acc.stale)} (see --sentences)")
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
        "Duties of the prison (KO), the prison health service (KHO), the specialist health",
        "service (SHT) or the prison leader that no rule judges as worded here. They are",
        "listed so that an analyst sees what the tool does not judge, and why:",
        "",
        "- `judgement`: fulfilling it is a judgement, or a fact a timeline does not record",
        "  (the content, manner or quality of an act), with no trigger, record or time to check;",
        "- `general_principle`: a general duty or responsibility, carried out through the",
        "  concrete duties the reason names, which are judged;",
        "- `institution`: a duty of the prison or the services as organisations that",
        "  `check-institution` does not judge (the reason says why);",
        "- `duplicate_of`: the same duty (or a part of it) as the duty named, stated again here",
        "  or in words its rule files do not quote; judged as that duty;",
        "- `not_in_catalog`: a duty checkable on a timeline that the duty catalog does not list",
        "  yet.",
        "",
        "| source | section | sentence | category | why not |",
        "|---|---|---|---|---|",
    ]
    for n in cov.not_judged:
        cat = n.category + (f" `{n.duty}`" if n.duty else "")
        out.append(f"| {n.source} | {n.section} | *{_one_line(n.text)}* | {cat} | {_one_line(n.reason)} |")
    out += [
        "",
        "## Sentences that state no duty of these actors",
        "",
        "Sentences with a modal verb (or a named duty, responsibility or recommendation)",
        "that lay no duty on KO, KHO, SHT or the prison leader:",
        "",
        "- `not_a_duty_of_these_actors`: a duty of someone else (ministries, directorates,",
        "  regions, municipalities and social services as such, GPs, the parties to an",
        "  agreement, the addressees of the Auditor General's recommendations);",
        "- `describes_other_law`: a statement of an Act, a regulation or a right (the",
        "  confidentiality rules among them), for context;",
        "- `background`: no norm: a document's purpose or its place among other texts, a",
        "  definition, an example or explanation within a duty, a future tense",
        "  (*når innsatte skal løslates*).",
        "",
        "| source | section | sentence | category | why |",
        "|---|---|---|---|---|",
    ]
    for n in cov.not_duties:
        out.append(f"| {n.source} | {n.section} | *{_one_line(n.text)}* | {n.category} | {_one_line(n.reason)} |")
    if cov.sentences is not None:
        out += [
            "",
            "## Every modal sentence of the sources",
            "",
            "`samarbeid-rules coverage --sentences` (and `tests/test_sentences.py`) reads the",
            "five sources in `rules/sources/` into sentences and finds each with *skal*, *bør*,",
            "*må* (also *skulle*, *burde*, *måtte*, and negated), a named duty (*plikt til*,",
            "*plikter*, *forplikter*, *pålegger*), a responsibility (*ansvar for*, *ansvarlig for*)",
            "or a recommendation (*anbefaler*, *anbefalinger om*); a list item under a lead-in",
            "(*Ved innsettelse skal kriminalomsorgen* · *• gjennomføre …*) carries the lead-in's",
            "verb. *Kan*, *får*, *har rett til*, *har krav på*, *det er viktig at* and",
            "*forutsettes* are left out: a permission, a right or an expectation, not a duty",
            "(see `samarbeid_rules._inputs.sources`). Each sentence is judged (a rule's quote",
            "covers it), listed (above), both (a rule quotes part of it, a listing the rest), or",
            "unaccounted, which fails the suite. How a quote covers a sentence is defined in",
            "`samarbeid_rules._uses.sentences`; in short, the words are compared, in the same",
            "document and section, ignoring case, punctuation, line breaks and the reference to",
            "a legal basis (*jf. …*).",
            "",
        ]
        out += sentences_markdown(cov.sentences)
    return "\n".join(out) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
