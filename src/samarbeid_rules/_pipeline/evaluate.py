"""``evaluate``: the pipeline, as one pure function.

load and validate → derive facts → match rules (engine) → resolve deadlines
and fulfilments (timing) → report. The result depends only on the timeline,
the rules, the profile and ``as_of``; nothing reads the clock or keeps state
between calls, so evaluations may run in parallel threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from .._common.calendar import to_local, zone
from .compile import CompiledRules, compile_rules
from .engines import Classification, get_engine
from .._common.errors import ProfileError, TimelineError
from .facts import Facts, derive_facts
from .._inputs.profile import Profile, default_profile, load_profile
from .report import BasisInfo, EventAccount, EventUse, NotInForce, Obligation, ProfileRef, Report, Status, build
from .._inputs.ruleset import RuleSet, load_rules
from .._inputs.events import MeasureKind
from .._inputs.events.base import _INSTANT_RE
from .._inputs.timeline import MAX_EVENTS, Timeline, _in_range, load_timeline
from .timing import Uses, not_in_force, resolve_rule
from .timing.plan import ByIdentity

__all__ = ["MAX_MEASURE_DAYS", "evaluate", "evaluate_with_facts", "prepare_rules", "resolve_profile"]

#: the most measure-days one evaluation judges: the spans of its exclusions, security cells,
#: restraint beds and continuous supervisions (each from its start to its end, or to as_of while
#: open), added up. Findings are per day and night, so time and report size grow with this sum
#: (about 0.1 s and 250 KB of JSON per measure-year); beyond it, a TimelineError, not hours of work.
MAX_MEASURE_DAYS = 20_000
_SPAN_KINDS = frozenset(
    {MeasureKind.EXCLUSION, MeasureKind.SECURITY_CELL, MeasureKind.RESTRAINT_BED, MeasureKind.CONTINUOUS_SUPERVISION}
)


@cache
def _default_rules() -> CompiledRules:
    return compile_rules(load_rules())


def prepare_rules(rules: RuleSet | CompiledRules | str | Path | None) -> CompiledRules:
    """Compile ``rules`` (a rule set, a directory, or None for the shipped set)."""
    if rules is None:
        return _default_rules()
    if isinstance(rules, CompiledRules):
        return rules
    if isinstance(rules, RuleSet):
        return compile_rules(rules)
    return compile_rules(load_rules(rules))


def resolve_profile(profile: Profile | str | Path | Mapping[str, Any] | None) -> Profile:
    """A Profile from a Profile, a profile file, overrides of the default, or None."""
    if profile is None:
        return default_profile()
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Mapping):
        return default_profile().with_overrides(profile)
    return load_profile(profile)


#: compiled rules → the profiles found to have every term they need (checked once per pair)
_TERMS_CHECKED = ByIdentity()


def check_profile_terms(rules: CompiledRules, profile: Profile) -> None:
    """Every term a rule refers to exists in the profile with the right kind.

    Both are immutable, so a pair that passed is not checked again while both live (a pair
    that fails is checked, and fails, every time)."""
    _TERMS_CHECKED.get(rules, lambda _r: ByIdentity()).get(profile, lambda p: _check_terms(rules, p))


def _check_terms(rules: CompiledRules, profile: Profile) -> bool:
    terms = profile.terms
    for name, kind, path in rules.terms_needed:
        term = terms.get(name)
        if term is None:
            raise ProfileError(
                f"profile {profile.citation()} has no term {name!r}, used by {path}",
                field=f"terms.{name}",
            )
        if term.kind != kind:
            raise ProfileError(
                f"term {name!r} is a {term.kind} term; {path} needs a {kind} term",
                field=f"terms.{name}",
            )
    return True


def _as_of(value: datetime | str | None, timeline: Timeline | None) -> datetime:
    """``as_of`` checked: an aware instant in range; None means the timeline's latest event. With no
    timeline (the service's query parameter) there is no latest event and no birth date to check."""
    if value is None:
        if timeline is None or not timeline.events:
            raise TimelineError(
                "as_of is required for a timeline without events", field="as_of"
            )
        return max(ev.at for ev in timeline.events)
    if isinstance(value, str):
        if not _INSTANT_RE.fullmatch(value):
            raise TimelineError(
                "as_of is not an ISO 8601 date-time with a UTC offset (YYYY-MM-DDTHH:MM+01:00)", field="as_of"
            )
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TimelineError("as_of must be a datetime or an ISO 8601 string", field="as_of")
    if value.tzinfo is None or value.utcoffset() is None:
        raise TimelineError("as_of has no UTC offset (naive datetimes are not accepted)", field="as_of")
    try:
        _in_range(value)
    except ValueError as exc:
        raise TimelineError(f"as_of: {exc}", field="as_of") from None
    if timeline is not None and timeline.person is not None and to_local(value, _OSLO).date() < timeline.person.birth_date:
        raise TimelineError("as_of is before the person's birth date", field="as_of")
    return value


def check_measure_span(facts: Facts) -> None:
    """Refuse an evaluation whose measures span more than MAX_MEASURE_DAYS in all (see there)."""
    total = timedelta(0)
    longest: tuple[timedelta, str, bool] | None = None
    for pair in facts.measures.values():
        if pair.kind not in _SPAN_KINDS:
            continue
        end = pair.end.at if pair.end is not None else facts.as_of
        span = end - pair.start.at
        total += span
        if longest is None or span > longest[0]:
            longest = (span, pair.start.id, pair.end is None)
    if longest is not None and total > timedelta(days=MAX_MEASURE_DAYS):
        fact = facts.by_id.get(longest[1])
        raise TimelineError(
            f"the measures judged last {total.days} days in all, more than the limit of {MAX_MEASURE_DAYS} "
            "measure-days" + (" (an open measure is judged up to as_of: judge at an earlier as_of)" if longest[2]
                              else ""),
            index=None if fact is None else fact.index, event_id=longest[1],
            field="as_of" if longest[2] else "at",
        )


_STATUS_VALUES = tuple(s.value for s in Status)
_OSLO = zone("Europe/Oslo")


def _use_order(use: EventUse) -> tuple[str, str]:
    return (use.obligation, use.role)


def _account_unused(unused, facts, classification, rule_set, accounts, outside) -> None:
    """Accounts for the events no obligation used, saying why."""
    wanted = set(unused)
    roles: dict[int, set[str]] = {}
    by_id = rule_set.by_id
    for (rule_id, role), positions in classification.items():
        for p in positions:
            if p in wanted:
                roles.setdefault(p, set()).add(f"{by_id[rule_id].rule.key} ({role})")
    for pos in unused:
        f = facts.ordered[pos]
        matched = roles.get(pos)
        records = outside.get(pos, ())
        if not matched:
            reason = f"no rule gives events of type {f.type!r} a role"
        elif records and {f"{r.duty} (trigger)" for r in records} >= matched:
            reason = (f"matched {', '.join(sorted(matched))}, but no basis of the rule was in force on its "
                      "local date (see not_in_force)")
        else:
            reason = f"matched {', '.join(sorted(matched))}, but no obligation could use it (no open trigger at its time)"
        accounts[f.index] = EventAccount(f.index, f.id, f.type, "unused", (), reason, records)


def evaluate(
    timeline: Timeline | str | Path | Mapping[str, Any],
    *,
    as_of: datetime | str | None = None,
    rules: RuleSet | CompiledRules | str | Path | None = None,
    profile: Profile | str | Path | Mapping[str, Any] | None = None,
    engine: str = "native",
) -> Report:
    """Judge one timeline and return its :class:`Report`.

    ``as_of`` is the instant the timeline is judged at (events after it have
    not happened yet); by default, the latest event's instant. ``rules``
    defaults to the shipped rule set, ``profile`` to the shipped default
    interpretation profile (a mapping is applied as overrides to it).
    ``engine`` is ``"native"`` (default) or ``"durable-rules"``.
    """
    return evaluate_with_facts(timeline, as_of=as_of, rules=rules, profile=profile, engine=engine)[0]


def evaluate_with_facts(
    timeline: Timeline | str | Path | Mapping[str, Any],
    *,
    as_of: datetime | str | None = None,
    rules: RuleSet | CompiledRules | str | Path | None = None,
    profile: Profile | str | Path | Mapping[str, Any] | None = None,
    engine: str = "native",
) -> tuple[Report, Facts]:
    """:func:`evaluate`, and the facts it derived (for :func:`explain`, which reads them)."""
    if not isinstance(timeline, Timeline):
        timeline = load_timeline(timeline)
    if len(timeline.events) > MAX_EVENTS:
        raise TimelineError(f"a timeline holds at most {MAX_EVENTS} events", field="events")
    compiled = prepare_rules(rules)
    prof = resolve_profile(profile)
    check_profile_terms(compiled, prof)
    matcher = get_engine(engine)
    when = _as_of(as_of, timeline)

    facts = derive_facts(timeline, when, prof)
    check_measure_span(facts)
    classification = matcher.classify_facts(compiled, facts.ordered)
    obligations, uses = decide_obligations(compiled.rule_set, facts, classification)
    accounts = account_for_events(facts, classification, uses, compiled.rule_set)
    return assemble_report(facts, compiled.rule_set, matcher.name, obligations, accounts), facts


def decide_obligations(
    rule_set: RuleSet, facts: Facts, classification: Classification
) -> tuple[list[Obligation], Uses]:
    """Every rule's obligations (the timing stage), in report order, and which events they used."""
    uses = Uses()
    obligations: list[Obligation] = []
    for loaded in rule_set.rules:
        obligations.extend(resolve_rule(loaded, rule_set, facts, classification, uses))
    obligations.sort(key=lambda o: (o.window.opens, o.duty_id, o.id))
    return obligations, uses


def account_for_events(
    facts: Facts, classification: Classification, uses: Uses, rule_set: RuleSet
) -> list[EventAccount]:
    """One account per input event, in input order: used (by which obligations, in which
    roles), unused (and why), or after ``as_of``."""
    accounts: list[EventAccount | None] = [None] * len(facts.timeline.events)
    by_event = uses.by_event
    unused: list[int] = []
    outside: dict[int, tuple[NotInForce, ...]] = not_in_force(rule_set, facts, classification)
    records_of = outside.get
    for pos, f in enumerate(facts.ordered):
        used = by_event.get(f.id)
        if used is None:
            unused.append(pos)
            continue
        if type(used) is not tuple:  # several uses: in a stable order
            used = tuple(sorted(used, key=_use_order))
        accounts[f.index] = EventAccount(f.index, f.id, f.type, "used", used, None, records_of(pos, ()))
    if unused:
        _account_unused(unused, facts, classification, rule_set, accounts, outside)
    for f in facts.after_as_of:
        accounts[f.index] = EventAccount(
            f.index, f.id, f.type, "after_as_of", (), "after as_of: not yet happened at the instant judged"
        )
    return accounts  # type: ignore[return-value]  # every position was filled above


def assemble_report(
    facts: Facts, rule_set: RuleSet, engine: str, obligations: list[Obligation], accounts: list[EventAccount]
) -> Report:
    """The report of one evaluation, with its summary counts."""
    timeline, prof = facts.timeline, facts.profile
    summary = dict.fromkeys(_STATUS_VALUES, 0)
    for o in obligations:
        summary[o.status.value] += 1
    summary["breaches"] = sum(o.breach for o in obligations)
    summary["obligations"] = len(obligations)
    summary["events"] = len(timeline.events)
    used_bases = sorted({b for o in obligations for b in o.bases})
    # Every part was built and validated above; the report itself is
    # assembled without validating its thousands of event records again.
    return build(
        Report,
        case_id=timeline.case_id,
        prison_id=timeline.prison_id,
        person_id=timeline.person.id,
        as_of=to_local(facts.as_of, facts.tz),
        engine=engine,
        rule_set=rule_set.citation(),
        profile=build(ProfileRef, id=prof.id, version=prof.version, policy_note=prof.policy_note),
        obligations=obligations,
        events=accounts,
        summary=summary,
        bases=[_basis_info(rule_set, b) for b in used_bases],
    )


#: a rule set → every basis of its registry as reports give it, by id (shared by reports, as immutable)
_BASIS_INFOS = ByIdentity()


def _basis_info(rule_set: RuleSet, basis_id: str) -> BasisInfo:
    infos: dict[str, BasisInfo] = _BASIS_INFOS.get(
        rule_set, lambda rs: {b: _new_basis_info(rs, b) for b in rs.registry.bases}
    )
    return infos[basis_id]


def _new_basis_info(rule_set: RuleSet, basis_id: str) -> BasisInfo:
    b = rule_set.basis(basis_id)
    return build(
        BasisInfo, id=b.id, title=" ".join(b.title.split()), kind=b.basis.kind, in_force_from=b.start.day,
        in_force_until=b.end.day if b.end is not None else None, dates_assumed=b.assumed,
    )
