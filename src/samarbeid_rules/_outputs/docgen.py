"""The parts of README.md and docs/*.md that restate data, generated from the rule files,
the profile and the catalog.

A page marks each generated part::

    <!-- generated: NAME -->
    ...
    <!-- end generated -->

(or inline, on one line: ``<!-- generated: NAME -->52<!-- end generated -->``).
``python -m samarbeid_rules._outputs.docgen`` rewrites every marked region of
README.md and docs/*.md, and docs/coverage.md as a whole, from the rules in
force; ``--check`` only says which are stale and exits 1 (tests/test_docgen.py
runs it). A change to the rules (a new duty, a new basis or date, a new statute)
needs no hand edit of these parts: re-run the generator. What each region
holds is in :data:`REGIONS`; the conventions are in docs/contributing.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from .._inputs.profile import Profile, default_profile, load_profile
from .._inputs.rules import (
    BeforeCloseTiming,
    Bound,
    CheckTiming,
    ContinuousCoverTiming,
    DailySumTiming,
    DeadlineTiming,
    EventPattern,
    FulfilmentPattern,
    MeasureDeadlineTiming,
    PerDayTiming,
    PerDognTiming,
    PermissionTiming,
    RecurringLooksTiming,
)
from .._inputs.ruleset import LoadedRule, RuleSet, load_rules
from .._uses.coverage import Coverage, coverage, coverage_markdown
from .._uses.institution import _JEVNLIG
from . import docgen_bases

__all__ = ["REGIONS", "DocGenError", "Sources", "generate", "main", "render_page", "stale_pages"]

START = re.compile(r"<!-- generated: ([a-z0-9-]+) -->")
END = "<!-- end generated -->"
COMMAND = "python -m samarbeid_rules._outputs.docgen"


class DocGenError(ValueError):
    """A page whose markers are broken (unknown region name, no end marker)."""


@dataclass
class Sources:
    """What the generated parts are made from: a rule set directory (with its catalog,
    coverage file and profile) and the tests folder beside it."""

    rules_dir: Path | None = None

    @cached_property
    def rules(self) -> RuleSet:
        return load_rules(self.rules_dir)

    @cached_property
    def profile(self) -> Profile:
        if self.rules_dir is None:
            return default_profile()
        return load_profile(Path(self.rules_dir) / "profile.yaml")

    @cached_property
    def coverage(self) -> Coverage:
        return coverage(self.rules)


# -- rendering pieces ------------------------------------------------------------------------

def _length(td: timedelta) -> str:
    """A length for people: 15 min, 1 h, 24 h, 2 days."""
    secs = int(td.total_seconds())
    if secs == 0:
        return "0"
    if secs % 86400 == 0 and secs >= 2 * 86400:
        n = secs // 86400
        return f"{n} days"
    if secs % 3600 == 0:
        return f"{secs // 3600} h"
    if secs % 60 == 0:
        return f"{secs // 60} min"
    return f"{secs} s"


def _iso(td: timedelta) -> str:
    secs = int(td.total_seconds())
    if secs and secs % 86400 == 0:
        return f"P{secs // 86400}D"
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s or not secs else "")


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


_OPS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}


def _condition(name: str, op: str, value: object) -> str:
    if op == "in":
        return f"{name} ∈ {'/'.join(_value(v) for v in value)}"  # type: ignore[attr-defined]
    if op == "exists":
        return f"{name} given" if value else f"{name} unset"
    if op == "in_value":
        return f"{name} ∈ *{value}* (dated)"
    return f"{name} {_OPS[op]} {_value(value)}"


def _pattern(p: EventPattern) -> str:
    text = f"`{p.event}`"
    conds = p.conditions()
    if conds:
        text += " (" + ", ".join(_condition(*c) for c in conds) + ")"
    tags = []
    if isinstance(p, FulfilmentPattern):
        tags += [f"same {f}" for f in p.same]
        if p.responds_to:
            tags.append("responds_to")
        if p.lookback is not None:
            tags.append("lookback")
    for d in getattr(p, "during", ()):
        tags.append(f"during `{d.event}`" + "".join(f", same {f}" for f in d.same))
    return text + (f" [{'; '.join(tags)}]" if tags else "")


def _bound(b: Bound) -> str:
    if b.term is not None:
        return f"*{b.term}*"
    if b.working_days is not None:
        return f"{b.working_days} working days"
    if b.value is not None:
        return f"*{b.value}* working days (dated)"
    assert b.duration is not None
    return _iso(b.duration)


def _timing(r: LoadedRule) -> str:
    t = r.rule.timing
    if isinstance(t, DeadlineTiming):
        if t.within is not None:
            text = f"deadline, within {_bound(t.within)}"
        elif t.before_instant is not None:
            text = f"deadline, by the trigger's `{t.before_instant.field}`"
        else:
            bd = t.before_date
            assert bd is not None and t.if_known_later is not None
            ahead = f"{bd.calendar_months} calendar months" if bd.calendar_months is not None else f"*{bd.lead}*"
            text = f"deadline, {ahead} before `{bd.field}`; if known later: {_bound(t.if_known_later)}"
        if t.superseded_by_next_trigger:
            text += "; a new trigger replaces the old"
        return text
    if isinstance(t, BeforeCloseTiming):
        closes = " or ".join(f"`{p.event}`" for p in r.rule.closed_by or [])
        return f"before_close (before {closes})"
    if isinstance(t, CheckTiming):
        return "check: " + ", ".join(f"`{k}`" for k in t.requires)
    if isinstance(t, PermissionTiming):
        exempt = "; ".join(", ".join(_condition(*c) for c in e) for e in r.rule.exemptions())
        permit = " or ".join(f"`{p.event}`" for p in r.rule.fulfilled_by)
        return (f"permission: an exception ({exempt}), or {permit} in effect with "
                f"`{t.covers_field}` in its `{t.covers_list}`")
    if isinstance(t, RecurringLooksTiming):
        text = f"recurring_looks: gap ≤ {_bound(t.day_max_gap)}"
        text += f" in *{t.day_window}*" if t.day_window else " around the clock"
        if t.night_min_count:
            text += f", *{t.night_min_count}* per night"
        if t.day_min_count:
            text += f", *{t.day_min_count}* per day"
        covers = [p.event for p in r.rule.fulfilled_by if p.event.endswith("_started")]
        if covers:
            text += "; covered while " + " or ".join(f"`{c}`" for c in covers) + " lasts"
        return text
    if isinstance(t, ContinuousCoverTiming):
        text = f"continuous_cover, gap ≤ {_bound(t.max_gap)}"
        return text + (f", until age {t.until_age}" if t.until_age else "")
    if isinstance(t, PerDayTiming):
        return "per_day (each calendar day)"
    if isinstance(t, PerDognTiming):
        return "per_dogn (setting `dogn`)"
    if isinstance(t, DailySumTiming):
        text = f"daily_sum *{t.minutes}* per day"
        if t.applies_if_longer_than is not None:
            text += f", if longer than {_iso(t.applies_if_longer_than)}"
        if t.extended_by:
            text += f" (or extended so by `{t.extended_by}`)"
        return text + " (setting `partial_days`)"
    if isinstance(t, MeasureDeadlineTiming):
        text = f"measure_deadline: if longer than {_iso(t.longer_than)}, by then"
        if t.extended_by:
            text += f"; extended so later by `{t.extended_by}`: within {_bound(t.within)} of it"
        return text
    raise AssertionError(f"no rendering for timing kind {t.kind!r}")  # pragma: no cover


def _cite(r: LoadedRule) -> str:
    s = r.rule.source
    return f"{s.document} §{s.section}" if s.section[:1].isdigit() else f"{s.document}, {s.section}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sections(src: Sources) -> dict[str, list[str]]:
    """Catalog section title → its duty ids, in catalog order."""
    out: dict[str, list[str]] = {}
    for row in src.coverage.rows:
        out.setdefault(row.section, []).append(row.duty_id)
    return out


def _rules_of(src: Sources, duty: str) -> list[LoadedRule]:
    return src.rules.by_duty().get(duty, [])


# -- the regions -----------------------------------------------------------------------------

def _count_timeline_duties(src: Sources) -> str:
    return str(sum(1 for r in src.coverage.rows if r.status.startswith("timeline")))


def _count_institution_duties(src: Sources) -> str:
    return str(sum(1 for r in src.coverage.rows if r.status == "institution"))


def _count_rule_files(src: Sources) -> str:
    return str(len(src.rules.rules))


def _count_timing_kinds(src: Sources) -> str:
    return str(len({r.rule.timing.kind for r in src.rules.rules}))


def _count_catalog_duties(src: Sources) -> str:
    return str(len(src.coverage.rows))


def _duties_covered(src: Sources) -> str:
    """README: per catalog section, how many duties and how they are judged."""
    status = {r.duty_id: r.status for r in src.coverage.rows}
    lines = ["| catalog section | duties | judged |", "|---|---|---|"]
    for section, ids in _sections(src).items():
        kinds = {status[d] for d in ids}
        if kinds <= {"institution"}:
            judged = "on institution records (`check-institution`)"
        elif "missing" in kinds:
            missing = ", ".join(f"`{d}`" for d in ids if status[d] == "missing")
            judged = f"on the timeline; **not judged yet**: {missing}"
        else:
            judged = "on the timeline"
            both = [d for d in ids if status[d] == "timeline+institution"]
            if both:
                judged += " (" + ", ".join(f"`{d}`" for d in both) + " also on institution records)"
        lines.append(f"| {section} | {len(ids)} | {judged} |")
    return "\n".join(lines)


def _duties_by_section(src: Sources) -> str:
    """docs/duties-catalog.md: for each catalog section with timeline duties, the table of its
    rule files and the interpretation notes each file records."""
    out: list[str] = []
    for section, ids in _sections(src).items():
        rules = [r for d in ids for r in _rules_of(src, d)]
        if not rules:
            continue
        out += [f"## {section}", "",
                "| duty id | mod | actor | trigger → fulfilled by | timing | rests on |",
                "|---|---|---|---|---|---|"]
        for r in rules:
            rule = r.rule
            duty = f"`{rule.duty}`" + (f" / {rule.part}" if rule.part else "")
            flow = (" or ".join(_pattern(p) for p in rule.trigger) + " → "
                    + " or ".join(_pattern(p) for p in rule.fulfilled_by))
            out.append(f"| {duty} | {rule.modality} | {rule.actor} | {flow} | {_timing(r)} | "
                       f"{', '.join(rule.bases)} |")
        out += ["", "### Interpretation choices", ""]
        for r in rules:
            name = f"`{r.rule.duty}`" + (f" / {r.rule.part}" if r.rule.part else "")
            notes = _one_line(r.rule.notes) or "(no notes in the rule file)"
            out += [f"- **{name}** (`{r.rel}`; {_cite(r)}): {notes}", ""]
    return "\n".join(out).rstrip()


def _terms_used_by(src: Sources) -> dict[str, list[tuple[str, str]]]:
    """Each term's users: (rule key or duty id, a note after it)."""
    used: dict[str, list[tuple[str, str]]] = {}
    for r in src.rules.rules:
        for term, _kind in r.rule.terms_used():
            key = (r.rule.key, "")
            if key not in used.setdefault(term, []):
                used[term].append(key)
    used.setdefault(_JEVNLIG, []).append(("org.local_meetings", "(institution check)"))
    return used


def _bounds(term: object) -> tuple[str, str]:
    kind = getattr(term, "kind")
    s, l = getattr(term, "strict"), getattr(term, "lenient")
    if kind == "duration":
        return _length(s), _length(l)
    if kind == "lead_time":
        return f"{_length(s)} before", f"{_length(l)} before"
    if kind == "clock_window":
        return f"{s.start:%H:%M}–{s.end:%H:%M}", f"{l.start:%H:%M}–{l.end:%H:%M}"
    return str(s), str(l)


def _profile_terms(src: Sources) -> str:
    """docs/profile.md: every term of the profile with its bounds and the rules that use it."""
    used = _terms_used_by(src)
    lines = ["| term | kind | Norwegian words | strict | lenient | used by |", "|---|---|---|---|---|---|"]
    for name, term in src.profile.terms.items():
        strict, lenient = _bounds(term)
        words = ", ".join(f"*{w}*" for w in term.words)
        users = ", ".join(f"`{u}` {note}".rstrip() for u, note in used.get(name, [])) or "no shipped rule"
        lines.append(f"| `{name}` | {term.kind} | {words} | {strict} | {lenient} | {users} |")
    return "\n".join(lines)


def _profile_settings(src: Sources) -> str:
    """docs/profile.md: the default profile's settings, as YAML."""
    lines = ["```yaml", "settings:"]
    for key, value in src.profile.settings.model_dump().items():
        lines.append(f"  {key}: {value}")
    return "\n".join(lines + ["```"])


def _profile_id(src: Sources) -> str:
    return f"{src.profile.id} {src.profile.version}"


#: region name → (what it holds, generator)
REGIONS: dict[str, tuple[str, Callable[[Sources], str]]] = {
    "count-catalog-duties": ("number of duty ids in the catalog", _count_catalog_duties),
    "count-timeline-duties": ("number of catalog duties judged on timelines", _count_timeline_duties),
    "count-institution-duties": ("number of catalog duties judged on institution records",
                                 _count_institution_duties),
    "count-rule-files": ("number of rule files", _count_rule_files),
    "count-timing-kinds": ("number of timing kinds the rule files use", _count_timing_kinds),
    "duties-covered": ("README table: catalog sections, their duty counts and how judged", _duties_covered),
    "duties-by-section": ("duties-catalog.md: per section, the rule files and their notes", _duties_by_section),
    "rule-set-versions": ("rule-sets.md: the versions by date (each a circular's period)",
                          lambda src: docgen_bases.rule_set_versions(src.rules)),
    "legal-bases": ("rule-sets.md: every basis of bases.yaml, its dates and how each is known",
                    lambda src: docgen_bases.legal_bases(src.rules)),
    "basis-duties": ("rule-sets.md: per basis and version, the duties it judges and those citing it",
                     lambda src: docgen_bases.basis_duties(src.rules)),
    "dated-values": ("rule-sets.md: the dated values of bases.yaml", lambda src: docgen_bases.dated_values(src.rules)),
    "assumed-dates": ("rule-sets.md: every assumed date and why", lambda src: docgen_bases.assumed_dates(src.rules)),
    "duty-bases": ("rule-sets.md: per rule file, the law it rests on and the days it is judged",
                   lambda src: docgen_bases.duty_bases(src.rules)),
    "profile-terms": ("profile.md: the terms, bounds and the rules using them", _profile_terms),
    "profile-settings": ("profile.md: the default settings", _profile_settings),
    "profile-id": ("the default profile's id and version", _profile_id),
}


# -- rewriting pages -------------------------------------------------------------------------

def render_page(text: str, src: Sources, *, name: str = "<page>") -> str:
    """``text`` with every generated region rewritten."""
    out: list[str] = []
    pos = 0
    for m in START.finditer(text):
        if m.start() < pos:
            raise DocGenError(f"{name}: region {m.group(1)!r} starts inside another region")
        region = m.group(1)
        if region not in REGIONS:
            raise DocGenError(f"{name}: unknown generated region {region!r}; known: {', '.join(sorted(REGIONS))}")
        end = text.find(END, m.end())
        nxt = START.search(text, m.end())
        if end < 0 or (nxt is not None and nxt.start() < end):
            raise DocGenError(f"{name}: region {region!r} has no '{END}' before the next region or the end")
        body = REGIONS[region][1](src)
        block = text[m.end():m.end() + 1] == "\n"
        if block:
            content = "\n" + body.strip("\n") + "\n"
        else:
            if "\n" in body:
                raise DocGenError(f"{name}: region {region!r} is a block; put its markers on their own lines")
            content = body
        out.append(text[pos:m.end()] + content)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def pages(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def generate(root: Path, src: Sources | None = None) -> dict[Path, str]:
    """The pages under ``root`` whose text the generator would change → their new text."""
    src = src or Sources()
    changed: dict[Path, str] = {}
    for page in pages(root):
        if not page.is_file():
            continue
        old = page.read_text(encoding="utf-8")
        if page.name == "coverage.md" and page.parent.name == "docs":
            new = coverage_markdown(src.coverage)
        else:
            new = render_page(old, src, name=str(page.relative_to(root)))
        if new != old:
            changed[page] = new
    return changed


def stale_pages(root: Path, src: Sources | None = None) -> list[str]:
    return [str(p.relative_to(root)) for p in generate(root, src)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog=COMMAND, description="Rewrite the generated regions of README.md and docs/*.md.")
    ap.add_argument("--root", default=".", help="the repository root (default: the current directory)")
    ap.add_argument("--rules", default=None, help="rule set directory (default: the shipped one)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a page is stale")
    args = ap.parse_args(argv)
    root = Path(args.root)
    if not (root / "README.md").is_file() or not (root / "docs").is_dir():
        print(f"{COMMAND}: {root} has no README.md and docs/: run it from the repository root", file=sys.stderr)
        return 2
    changed = generate(root, Sources(Path(args.rules) if args.rules else None))
    for page, text in changed.items():
        rel = page.relative_to(root)
        if args.check:
            print(f"stale: {rel}")
        else:
            page.write_text(text, encoding="utf-8")
            print(f"rewrote {rel}")
    if args.check and changed:
        print(f"run `{COMMAND}` to regenerate", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
