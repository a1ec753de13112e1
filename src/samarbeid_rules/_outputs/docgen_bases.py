"""The generated regions of docs/rule-sets.md that restate the legal-bases registry.

``rules/bases.yaml`` is the source; these functions render, under the rule
set's settings: the rule-set versions, the bases with their dates and how
each date is known, the dated values, every date that is assumed and why,
and, per rule file, the law it rests on and the days it is judged. They are
called by :mod:`.docgen` (which lists them in its ``REGIONS``).
"""

from __future__ import annotations

from datetime import date, timedelta

from .._inputs.bases import DateEntry, InForce, ResolvedDate
from .._inputs.ruleset import LoadedRule, RuleSet

__all__ = [
    "assumed_dates",
    "basis_duties",
    "dated_values",
    "duty_bases",
    "legal_bases",
    "rule_set_versions",
]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _day(d: date | None) -> str:
    return d.isoformat() if d is not None else "—"


def _known(rd: ResolvedDate, entry: DateEntry, rs: RuleSet) -> str:
    """How a date is known: verified (seed and line) or assumed; a setting or another basis's date."""
    if entry.basis is not None:
        return f"as `{entry.basis}` ({'assumed' if rd.assumed else 'verified'})"
    if entry.setting is not None:
        return f"setting `{entry.setting}` (assumed)"
    if entry.confidence == "verified":
        return f"verified: {entry.source}, «{entry.quote}»"
    return "assumed"


def _last_day(b: InForce) -> str:
    """The last day in force, for people (the registry keeps the first day out of force)."""
    return (b.end.day - timedelta(days=1)).isoformat() if b.end is not None else "—"


def rule_set_versions(rs: RuleSet) -> str:
    """The rule-set versions: the era of each circular, from the registry."""
    lines = ["| version | basis | in force | title |", "|---|---|---|---|"]
    for v in rs.meta.versions:
        b = rs.basis(v.basis)
        start = b.start.day.isoformat() if b.basis.from_.setting is None else (
            f"the setting `{b.basis.from_.setting}`, by default **{b.start.day.isoformat()}**")
        end = "" if b.end is None else (f" to {_last_day(b)}" if b.basis.until is not None and
                                        b.basis.until.setting is None else
                                        f" to the day before `{b.basis.until.setting}`"  # type: ignore[union-attr]
                                        f" (**{_last_day(b)}**)")
        lines.append(f"| `{v.id}` | `{v.basis}` | from {start}{end} | {_one_line(v.title)} |")
    return "\n".join(lines)


def legal_bases(rs: RuleSet) -> str:
    """Every basis of the registry: its dates under the shipped settings, and how each is known."""
    lines = ["| basis | kind | title | in force from | last day in force | how the dates are known | a duty may rest on it |",
             "|---|---|---|---|---|---|---|"]
    for bid, b in rs.registry.bases.items():
        known = "from: " + _known(b.start, b.basis.from_, rs)
        if b.end is not None and b.basis.until is not None:
            known += "; until: " + _known(b.end, b.basis.until, rs)
        seed = f" (seed {b.basis.seed})" if b.basis.seed else ""
        lines.append(
            f"| `{bid}` | {b.basis.kind} | {_one_line(b.title)}{seed} | {b.start.day.isoformat()} | "
            f"{_last_day(b)} | {known} | {'yes' if b.basis.norm else 'no (context)'} |"
        )
    return "\n".join(lines)


def basis_duties(rs: RuleSet) -> str:
    """Per basis (and per rule-set version): the duties whose rule files rest on it, and those citing it."""
    def duties(pick) -> str:
        keys = sorted({r.rule.key for r in rs.rules if pick(r)})
        return ", ".join(f"`{k}`" for k in keys) or "—"

    lines = ["| basis | judges (rule files resting on it) | cited by |", "|---|---|---|"]
    for bid in rs.registry.bases:
        lines.append(f"| `{bid}` | {duties(lambda r: bid in r.rule.bases)} | {duties(lambda r: bid in r.rule.cites)} |")
    for v in rs.meta.versions:
        b = rs.basis(v.basis)
        end = b.end.day if b.end is not None else None

        def in_version(r, s=b.start.day, e=end) -> bool:
            return any(a < (e or date.max) and (z is None or z > s) for a, z in rs.in_force[r.rule_id])

        lines.append(f"| version `{v.id}` | {duties(in_version)} | |")
    return "\n".join(lines)


def dated_values(rs: RuleSet) -> str:
    """The dated values: each value and the day it applies from."""
    lines = ["| value | from | value | how the date is known | rests on |", "|---|---|---|---|---|"]
    for name, dv in rs.registry.file.values.items():
        for (since, value), entry in zip(rs.registry.values[name], dv.values):
            shown = ", ".join(value) if isinstance(value, tuple) else f"{value} {dv.unit.replace('_', ' ')}"
            when = since.day.isoformat() if since is not None else "the start"
            how = _known(since, entry.from_, rs) if since is not None and entry.from_ is not None else "—"
            lines.append(f"| `{name}` | {when} | {shown} | {how} | {', '.join(f'`{b}`' for b in dv.rests_on)} |")
    return "\n".join(lines)


def assumed_dates(rs: RuleSet) -> str:
    """Every date stated as assumed (not verified from the seeds), and why; dates taken from another
    basis are listed under that one."""
    out: list[str] = []
    users: dict[str, list[str]] = {}
    for bid, b in rs.registry.bases.items():
        for what, entry in (("from", b.basis.from_), ("until", b.basis.until)):
            if entry is not None and entry.basis is not None:
                users.setdefault(entry.basis, []).append(f"`{bid}` ({what})")
    for name, dv in rs.registry.file.values.items():
        for entry in dv.values:
            if entry.from_ is not None and entry.from_.basis is not None:
                users.setdefault(entry.from_.basis, []).append(f"`{name}`")
    for bid, b in rs.registry.bases.items():
        for what, rd, entry in (("from", b.start, b.basis.from_), ("until", b.end, b.basis.until)):
            if entry is None or rd is None or entry.basis is not None or entry.confidence != "assumed":
                continue
            also = f" Also used by {', '.join(users[bid])}." if what == "from" and bid in users else ""
            out.append(f"- **`{bid}` {what} {rd.day.isoformat()}**: {_one_line(entry.why or '')}{also}")
    for name, dv in rs.registry.file.values.items():
        for (since, _), entry in zip(rs.registry.values[name], dv.values):
            if since is None or entry.from_ is None or entry.from_.basis is not None:
                continue
            if entry.from_.confidence == "assumed":
                out.append(f"- **`{name}` from {since.day.isoformat()}**: {_one_line(entry.from_.why or '')}")
    return "\n".join(out)


def _periods(rs: RuleSet, r: LoadedRule) -> str:
    parts = []
    for a, b in rs.in_force[r.rule_id]:
        parts.append(f"{a.isoformat()} – {(b - timedelta(days=1)).isoformat()}" if b is not None
                     else f"from {a.isoformat()}")
    return "; ".join(parts) or "never"


def _versions_of(rs: RuleSet, r: LoadedRule) -> str:
    """The rule-set versions the rule file is in force in (wholly or for part of them)."""
    mine = rs.in_force[r.rule_id]
    out = []
    for v in rs.meta.versions:
        b = rs.basis(v.basis)
        vs, ve = b.start.day, b.end.day if b.end is not None else None
        shared = [(max(s, vs), min(e or date.max, ve or date.max)) for s, e in mine]
        shared = [(s, e) for s, e in shared if s < e]
        if not shared:
            continue
        whole = len(shared) == 1 and shared[0] == (vs, ve or date.max)
        out.append(f"`{v.id}`" + ("" if whole else f" (from {shared[0][0].isoformat()})"
                                  if shared[0][0] > vs else " (in part)"))
    return ", ".join(out) or "—"


def duty_bases(rs: RuleSet) -> str:
    """Per rule file: the duty, the bases it rests on (with their first day), what it cites, the days
    it is judged, and the versions that covers."""
    lines = ["| duty id | rule file | rests on | also cites | judged | rule-set versions |",
             "|---|---|---|---|---|---|"]
    for r in sorted(rs.rules, key=lambda r: (r.rule.duty, r.rule_id)):
        duty = f"`{r.rule.duty}`" + (f" / {r.rule.part}" if r.rule.part else "")
        rests = ", ".join(
            f"`{b}` ({rs.basis(b).start.day.isoformat()}{'–' + _last_day(rs.basis(b)) if rs.basis(b).end else ''}"
            f"{', assumed' if rs.basis(b).assumed else ''})" for b in r.rule.bases
        )
        cites = ", ".join(f"`{b}`" for b in r.rule.cites) or "—"
        lines.append(f"| {duty} | `{r.rel}` | {rests} | {cites} | {_periods(rs, r)} | {_versions_of(rs, r)} |")
    return "\n".join(lines)
