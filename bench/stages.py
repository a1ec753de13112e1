"""Where the time of an evaluation goes, stage by stage (µs per event).

    .venv/bin/python bench/stages.py [--timelines N]

Runs the pipeline of ``evaluate`` on each timeline of a seeded population in
turn -- JSON parsing and validation, deriving facts, matching (native
engine), deciding obligations (timing), accounting for every event,
assembling the report, serialising it -- and times each stage with
``time.perf_counter``. One timeline is alive at a time, as in a batch, so
garbage collection falls on the stage that triggers it. Best of three
passes; the stage functions are the ones ``evaluate`` calls.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

from samarbeid_rules import Timeline, evaluate
from samarbeid_rules._pipeline import compiled
from samarbeid_rules._pipeline.engines.native import NATIVE
from samarbeid_rules._pipeline.evaluate import (
    _as_of,
    account_for_events,
    assemble_report,
    decide_obligations,
    prepare_rules,
    resolve_profile,
)
from samarbeid_rules._pipeline.facts import derive_facts
from samarbeid_rules._inputs.timeline import load_timeline
from samarbeid_rules.testing import generate_population

AS_OF = "2027-12-31T12:00:00+01:00"
STAGES = (
    "parse + validate (the floor's work)",
    "derive facts",
    "match (native engine)",
    "decide obligations (timing)",
    "account for every event",
    "assemble the report",
    "serialise the report (to_json)",
)


def _pass(texts: list[str], rules, profile) -> list[float]:
    clock = time.perf_counter
    spent = [0.0] * len(STAGES)
    rule_set = rules.rule_set
    for text in texts:
        t0 = clock()
        timeline = load_timeline(text)
        t1 = clock()
        facts = derive_facts(timeline, _as_of(AS_OF, timeline), profile)
        t2 = clock()
        classification = NATIVE.classify_facts(rules, facts.ordered)
        t3 = clock()
        obligations, uses = decide_obligations(rule_set, facts, classification)
        t4 = clock()
        accounts = account_for_events(facts, classification, uses, rule_set)
        t5 = clock()
        report = assemble_report(facts, rule_set, NATIVE.name, obligations, accounts)
        t6 = clock()
        report.to_json()
        t7 = clock()
        for i, (a, b) in enumerate(zip((t0, t1, t2, t3, t4, t5, t6), (t1, t2, t3, t4, t5, t6, t7))):
            spent[i] += b - a
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timelines", type=int, default=600)
    args = ap.parse_args()
    texts = [json.dumps(d) for d in generate_population(args.timelines, seed=2026)]
    events = sum(len(Timeline.model_validate_json(t).events) for t in texts)
    rules = prepare_rules(None)
    profile = resolve_profile(None)
    best = [float("inf")] * len(STAGES)
    for _ in range(3):
        gc.collect()
        for i, secs in enumerate(_pass(texts, rules, profile)):
            best[i] = min(best[i], secs)
    floor = end_to_end = float("inf")
    for _ in range(3):
        gc.collect()
        t0 = time.perf_counter()
        for t in texts:
            Timeline.model_validate_json(t)
        floor = min(floor, time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        for t in texts:
            evaluate(t, as_of=AS_OF).to_json()
        end_to_end = min(end_to_end, time.perf_counter() - t0)
    print(f"{args.timelines} timelines, {events} events, {len(rules.rule_set.rules)} rule files; "
          f"timing stage {compiled.state()}")
    for name, secs in zip(STAGES, best):
        print(f"  {name:38} {secs * 1e6 / events:6.2f} µs/event")
    print(f"  {'sum of the stages':38} {sum(best) * 1e6 / events:6.2f} µs/event")
    print(f"  {'end to end (evaluate + to_json)':38} {end_to_end * 1e6 / events:6.2f} µs/event")
    print(f"  {'floor (Timeline.model_validate_json)':38} {floor * 1e6 / events:6.2f} µs/event")
    print(f"  ratio floor / end to end: {floor / end_to_end:.2f}")


if __name__ == "__main__":
    main()
