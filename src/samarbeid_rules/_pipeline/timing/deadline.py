"""Timing kind ``deadline``: do it within a time after an event, or by a date.

The sentence of the law
    "When *X* happens, *Y* shall be done within a time": *umiddelbart*,
    *snarest*, *uten ugrunnet opphold*, *innen rimelig tid*, *så tidlig som
    praktisk mulig*, or a number ("within 10 working days"). Or: "*Y* shall
    be done a time before a date that *X* records" ("two months before
    release", *i god tid før* the release date), "or, if the date becomes
    known later, as early as practicable". The trigger is the event that
    makes the duty arise (an admission, an exclusion, a release date set);
    the fulfilment is the first act that discharges it.

Used by (33 rule files, ``kind: deadline``)
    - within a profile term counted from the trigger:
      ``admission.continue_treatment`` (G-8/2006 and 2025 files),
      ``admission.health_contact`` (the grounds of forskrift § 3-16, and those
      circular 001 adds: two files), ``admission.health_intake`` (*bør*),
      ``admission.intake_interview``, ``admission.measures_plan`` (*vurdere*),
      ``admission.needs_mapping``, ``custody.acute_assessment``,
      ``custody.brik_offer``, ``custody.compulsory_care_examination``,
      ``custody.compulsory_care_feedback``, ``custody.escort_cancelled``
      (parts ``notify`` and ``reschedule``), ``custody.health_contact``,
      ``custody.pop_plan`` (closed by release), ``custody.substance_offer``,
      ``custody.suicide_risk_mapping``, ``custody.transfer_notice`` (closed
      by the transfer that responds to the decision),
      ``exclusion.force_health_check``, ``exclusion.health_advice``,
      ``exclusion.notify_doctor``,
      ``isolation.harm_report``, ``isolation.health_first_visit``,
      ``isolation.injury_documented``, ``isolation.partial_followup_plan``
      (*bør*), ``release.remand_immediate_notice`` (*vurdere*),
      ``security_cell.doctor_statement`` (a statement obtained up to 12 hours
      before the decision counts: ``lookback``);
    - within working days read from a dated value of ``rules/bases.yaml``
      on the trigger's local date: ``custody.specialist_referral_assessed``
      (``referral_assessment_period``: 30, from 2015-11-01 10);
    - before a date on the trigger, with ``if_known_later:
      saa_tidlig_som_praktisk_mulig``: ``release.health_notice`` (2 calendar
      months before ``release_date``), ``release.municipality_notice``
      (lead time ``i_god_tid_foer`` before ``release_date``; G-8/2006 file
      *skal*, with a notice to NAV counting from the NAV reform (a dated
      ``in_value`` condition, on the notice's date), 2025 file *bør*) --
      both closed by release and
      ``superseded_by_next_trigger`` -- and ``release.transfer_outside_notice``
      (*bør*; 2 calendar months before ``transfer_date``, closed by the
      transfer that responds to the decision).

The deadline
    Each obligation has a strict deadline ``due`` and a lenient one
    ``due_lenient``; both are inclusive (met *at* the deadline is in time).

    - ``within`` a term: trigger + the term's strict and lenient lengths;
      a ``duration``: trigger + that length, strict = lenient; ``working_days``
      n: the end (23:59:59.999999 local) of the n-th working day after the
      trigger's local day (weekends and Norwegian public holidays skipped),
      strict = lenient.
    - ``before_date``: the *mark* is the date field of the trigger less
      ``calendar_months`` (clamped to the month's end: 31 March - 2 = 31
      January; strict = lenient), or less the strict and the lenient lead
      time of the ``lead`` term (the strict lead is the longer one, so the
      strict mark is earlier); the date deadline is the end of the mark day,
      local time. The ``if_known_later`` bound, counted from the trigger as
      for ``within``, decides which applies: if its strict deadline is at or
      before the end of the strict mark day, the date was known in time and
      ``due`` is the end of the strict mark day; otherwise the date became
      known too late for the full lead and ``due`` is that strict deadline.
      In both cases ``due_lenient`` is the later of the end of the lenient
      mark day and the lenient deadline of ``if_known_later``, so it is never
      earlier than the date deadline's lenient reading.

The fulfilment
    The first fulfilling event (a ``fulfilled_by`` pattern, tied to the
    trigger by ``same`` / ``responds_to``; an event on which such a field is
    unset counts for every trigger) at or after the trigger, less the
    pattern's ``lookback``. One event may fulfil several obligations. With
    ``superseded_by_next_trigger``, only events strictly before the next
    trigger of the same rule count (one at the same instant as the next
    trigger belongs to that one). With ``closed_by``, the first closing event
    at or after the trigger (tied to it likewise) that comes strictly before
    any next trigger closes the obligation: a fulfilment after it does not
    count, one at the same instant does.

A replaced trigger
    With ``superseded_by_next_trigger`` (a changed release date), the next
    trigger is the next one of the same duty (and part) in **any** of its
    rule files that sets the flag: a date set under G-8/2006 and changed
    under circular 001 is replaced by the change, although each is judged by
    its own file. A trigger that was not fulfilled, was not closed before
    the next trigger came (released without the notice: that is a breach,
    judged at the close), and whose strict ``due`` is at or after the next
    trigger's instant (it was replaced before it was late) raises no
    obligation of its own; it is folded into the next one -- of whichever
    file -- whose ``trigger_event_ids`` lists it first and which accounts it
    in the role ``replaced_trigger``. Any other trigger followed by a next
    one keeps its own obligation; if unmet, it is judged at the next
    trigger's instant rather than at ``as_of``.

Statuses (:func:`.common._deadline_status`)
    - fulfilled at or before ``due``: ``fulfilled``;
    - fulfilled after ``due``, at or before ``due_lenient``: ``contested``;
    - fulfilled after ``due_lenient``: ``fulfilled_late``;
    - not fulfilled and closed: ``breached``, even if the close came before
      ``due`` (released without the notice);
    - not fulfilled, judged at ``as_of`` (or the next trigger, if earlier):
      at or before ``due`` ``due``; after it, at or before ``due_lenient``
      ``contested``; later ``breached``.

    ``lateness`` is the time after ``due`` (of the fulfilment, or of the
    instant judged at), in whole seconds rounded up: a date deadline ends at
    23:59:59.999999 local time, so a notice at the next midnight is late by
    ``PT1S``, never ``PT0S`` (:func:`.common._late_by`). A *bør* rule reads
    ``breached`` as ``not_followed`` and ``fulfilled_late`` as
    ``followed_late`` (never a breach); *skal*, *vurdere* and *forbud* rules
    keep the statuses above.

The window and the account
    ``window``: opens at the trigger, ``due``, ``due_lenient``, and
    ``closes`` at the closing event when there is one before any next
    trigger (fulfilled or not).
    Events used: the trigger (``trigger``), the fulfilment (``fulfilment``),
    the closing event (``close``) and replaced triggers
    (``replaced_trigger``). Terms cited: the bound's term and the lead-time
    term, when used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..._common.calendar import calendar_months_before, end_of_local_day
from ..._inputs.profile import LeadTimeTerm
from ..._inputs.rules import DeadlineTiming
from ..facts import EventFact
from ..report import Obligation, Status, TermUse, Window, build
from .common import (
    _closer,
    _Correlated,
    _Ctx,
    _deadline_status,
    _due_after,
    _term_words,
)
from .near_misses import near_misses_of


@dataclass
class _Judged:
    """One trigger judged by its own rule file (nothing accounted yet)."""

    trig: EventFact
    due: datetime
    due_lenient: datetime
    found: EventFact | None
    close: EventFact | None  #: the closing event, if it came before any next trigger
    replaced: bool  #: replaced before it was late, met or closed: folded into the next trigger
    status: Status | None = None
    lateness: timedelta | None = None
    next_at: datetime | None = None  #: the next trigger's instant, when it replaces this one
    explanation: list[str] = field(default_factory=list)
    terms: list[TermUse] = field(default_factory=list)
    dated: list = field(default_factory=list)


class _File:
    """A rule file of the duty, with what judging its triggers needs (built once)."""

    def __init__(self, ctx: _Ctx, timing: DeadlineTiming, triggers: list[EventFact]) -> None:
        self.ctx, self.timing, self.triggers = ctx, timing, triggers
        self.corr = _Correlated(ctx, ctx.facts_for("fulfil"))
        self.closer = _closer(ctx)


def _files(ctx: _Ctx, timing: DeadlineTiming, own_triggers: list[EventFact]) -> tuple[_File, list[tuple[EventFact, _File]]]:
    """This rule file and the chain of triggers it is judged in: its own, and, with
    ``superseded_by_next_trigger``, those of every file of the same duty (and part) that also
    sets it, in time order (each trigger in force in its own file). A file none of whose triggers it
    judges (none in force) is left out; ``own_triggers`` are this file's (at least one)."""
    own = _File(ctx, timing, own_triggers)
    files = [own]
    for loaded in ctx.plan.replacing:  # with superseded_by_next_trigger: the other files that set it
        if ctx.cls.get((loaded.rule_id, "trigger")):
            assert isinstance(loaded.rule.timing, DeadlineTiming)  # the plan lists deadline files only
            other = _Ctx(loaded, ctx.facts, ctx.cls, ctx.uses, ctx.rule_set)
            triggers = other.triggers()
            if triggers:
                files.append(_File(other, loaded.rule.timing, triggers))
    chain = [(trig, f) for f in files for trig in f.triggers]
    if len(chain) > 1:
        chain.sort(key=lambda p: (p[0].at, p[0].index))
    return own, chain


def _judge(f: _File, trig: EventFact, nxt: EventFact | None) -> _Judged:
    """``trig`` judged by its file ``f``, with ``nxt`` the next trigger of the chain (or None)."""
    ctx, timing = f.ctx, f.timing
    facts, tz = ctx.facts, ctx.tz
    explanation: list[str] = []
    terms: list[TermUse] = []
    dated = []
    close = f.closer.first(trig, trig.at, None)
    if timing.within is not None:
        d = _due_after(ctx, timing.within, trig.at)
        due, due_lenient = d.strict, d.lenient
        dated.append(d.dated)
        explanation.append(f"due within {d.words} of the trigger")
        if d.term:
            terms.append(d.term)
    elif timing.before_instant is not None:
        name = timing.before_instant.field
        due = due_lenient = getattr(trig.event, name).astimezone(timezone.utc)
        explanation.append(f"due by its {name} {ctx.fmt(due)} (the source's 'before' it: a time, not a vague term)")
    else:
        bd = timing.before_date
        assert bd is not None  # a deadline is exactly one of within, before_instant, before_date
        anchor: date = getattr(trig.event, bd.field)
        if bd.calendar_months is not None:
            mark = mark_lenient = ctx.cal(calendar_months_before, anchor, bd.calendar_months)
            lead_words = f"{bd.calendar_months} calendar months before"
        else:
            assert bd.lead is not None  # calendar_months or a lead term (the loader checks)
            lead = facts.profile.terms[bd.lead]
            assert isinstance(lead, LeadTimeTerm)
            terms.append(ctx.term_use(bd.lead))
            mark, mark_lenient = anchor - lead.strict, anchor - lead.lenient
            lead_words = _term_words(bd.lead, lead.bounds_text(), bd.reads)
        firm, firm_lenient = ctx.cal(end_of_local_day, mark, tz), ctx.cal(end_of_local_day, mark_lenient, tz)
        assert timing.if_known_later is not None  # before_date needs it (the loader checks)
        d = _due_after(ctx, timing.if_known_later, trig.at)
        dated.append(d.dated)
        if d.strict <= firm:
            due, due_lenient = firm, max(firm_lenient, d.lenient)
            explanation.append(
                f"{bd.field} {anchor.isoformat()} known at {ctx.fmt(trig.at)}: due by the end of "
                f"{mark.isoformat()}, {lead_words}"
            )
        else:
            # Known too late to give the full lead time: "or as early as
            # practicable" after it became known, never earlier than the
            # date the lead time gives.
            due, due_lenient = d.strict, max(d.lenient, firm_lenient)
            if d.term:
                terms.append(d.term)
            explanation.append(
                f"{bd.field} {anchor.isoformat()} became known at {ctx.fmt(trig.at)}, after "
                f"{mark.isoformat()} ({lead_words}): due {d.words} after it became known"
            )
    # A fulfilment counts from the trigger until the next trigger replaces
    # it, and not after the closing event.
    limit = nxt.at if nxt is not None else None
    limit_close = close if close is not None and (limit is None or close.at < limit) else None
    found = f.corr.first(trig, trig.at, limit)
    if found is not None and limit_close is not None and found.at > limit_close.at:
        found = None
    j = _Judged(trig, due, due_lenient, found, limit_close, False, explanation=explanation, terms=terms,
                dated=dated, next_at=limit)
    if nxt is not None and found is None and limit_close is None and due >= nxt.at:
        # Replaced before it was late, met or closed: the next trigger
        # carries the duty on.
        j.replaced = True
        return j
    horizon = facts.as_of
    if nxt is not None:
        horizon = min(horizon, nxt.at)
    closed = False
    if limit_close is not None and found is None:
        horizon = min(horizon, limit_close.at)
        closed = True
        explanation.append(f"closed by {limit_close.type} at {ctx.fmt(limit_close.at)} without fulfilment")
    if nxt is not None:
        explanation.append(f"replaced by {nxt.id} at {ctx.fmt(nxt.at)}")
    if found is not None:
        explanation.extend(_branch_text(ctx, trig, found))
    j.status, j.lateness = _deadline_status(due, due_lenient, found.at if found else None, horizon, closed)
    return j


def _branch_text(ctx: _Ctx, trig: EventFact, found: EventFact) -> list[str]:
    """Which way the duty was met, where the rule has two (a fulfilment allowed before the
    trigger by ``lookback``, or one after it)."""
    if not ctx.plan.has_lookback:
        return []
    if found.at <= trig.at:
        when = "before" if found.at < trig.at else "at the instant of"
        return [f"fulfilled by {found.id} ({found.type}) at {ctx.fmt(found.at)}, {when} the trigger "
                "(allowed look-back): met before the decision"]
    return [f"fulfilled by {found.id} ({found.type}) at {ctx.fmt(found.at)}, after the trigger: "
            "met after the decision"]


def _deadline(ctx: _Ctx, timing: DeadlineTiming, triggers: list[EventFact]) -> list[Obligation]:
    own, chain = _files(ctx, timing, triggers)
    out: list[Obligation] = []
    replaced: list[EventFact] = []
    for i, (trig, f) in enumerate(chain):
        nxt = chain[i + 1][0] if timing.superseded_by_next_trigger and i + 1 < len(chain) else None
        j = _judge(f, trig, nxt)
        if j.replaced:
            replaced.append(trig)
            continue
        if f is not own:
            replaced = []  # carried into that file's obligation, which accounts them
            continue
        out.append(_emit(ctx, j, replaced))
        replaced = []
    return out


def _emit(ctx: _Ctx, j: _Judged, replaced: list[EventFact]) -> Obligation:
    trig, found, close = j.trig, j.found, j.close
    ob_id = ctx.ob_id(trig)
    explanation = [f"replaces the earlier trigger {r.id}" for r in reversed(replaced)] + j.explanation
    for r in replaced:
        ctx.uses.add(r.id, ob_id, "replaced_trigger")
    ctx.uses.add(trig.id, ob_id, "trigger")
    if found is not None:
        ctx.uses.add(found.id, ob_id, "fulfilment")
    if close is not None:
        ctx.uses.add(close.id, ob_id, "close")
    misses = []
    if j.status is not Status.FULFILLED:
        misses = near_misses_of(ctx, trig, found, j.next_at, close, explanation)
    return ctx.obligation(
        trig,
        ob_id=ob_id,
        dated=j.dated,
        status=j.status,
        trigger_event_ids=[r.id for r in replaced] + [trig.id],
        window=build(Window,
            opens=ctx.local(trig.at),
            due=ctx.local(j.due),
            due_lenient=ctx.local(j.due_lenient),
            closes=ctx.local(close.at if close is not None else None),
        ),
        fulfilled_by=[found.id] if found else [],
        lateness=j.lateness,
        terms=j.terms,
        explanation=explanation,
        near_misses=misses,
    )
