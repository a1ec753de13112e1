"""Where the time of an evaluation goes, stage by stage (µs per event).

    .venv/bin/python bench/stages.py [--timelines N]

Times each stage of the pipeline on the same seeded population, best of
three: JSON parsing + validation (the floor), deriving facts, matching
(native engine), deciding obligations (timing), accounting for every event,
and serialising the report.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

from samarbeid_rules import Timeline, evaluate
from samarbeid_rules._engines.native import NATIVE
from samarbeid_rules._evaluate import prepare_rules, resolve_profile
from samarbeid_rules._facts import derive_facts
from samarbeid_rules._timing import Uses, resolve_rule
from samarbeid_rules.testing import generate_population

AS_OF = "2027-12-31T12:00:00+01:00"


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timelines", type=int, default=600)
    args = ap.parse_args()
    texts = [json.dumps(d) for d in generate_population(args.timelines, seed=2026)]
    timelines = [Timeline.model_validate_json(t) for t in texts]
    events = sum(len(t.events) for t in timelines)
    from datetime import datetime

    as_of = datetime.fromisoformat(AS_OF)
    rules = prepare_rules(None)
    profile = resolve_profile(None)
    facts = [derive_facts(t, as_of, profile) for t in timelines]
    classes = [NATIVE.classify_facts(rules, fa.ordered) for fa in facts]
    reports = [evaluate(t, as_of=as_of) for t in timelines]

    def timing() -> None:
        for fa, cl in zip(facts, classes):
            uses = Uses()
            for loaded in rules.rule_set.rules:
                resolve_rule(loaded, rules.rule_set, fa, cl, uses)

    stages = {
        "parse + validate (floor)": _best(lambda: [Timeline.model_validate_json(t) for t in texts]),
        "derive facts": _best(lambda: [derive_facts(t, as_of, profile) for t in timelines]),
        "match (native engine)": _best(
            lambda: [NATIVE.classify_facts(rules, fa.ordered) for fa in facts]
        ),
        "decide obligations (timing)": _best(timing),
        "serialise report (to_json)": _best(lambda: [r.to_json() for r in reports]),
    }
    whole_tl = _best(lambda: [evaluate(t, as_of=as_of) for t in timelines])
    end_to_end = _best(lambda: [evaluate(t, as_of=AS_OF).to_json() for t in texts])
    accounted = sum(v for k, v in stages.items() if k not in ("parse + validate (floor)", "serialise report (to_json)"))
    stages["account for events, assemble report"] = max(0.0, whole_tl - accounted)
    print(f"{args.timelines} timelines, {events} events, {len(rules.rule_set.rules)} rule files")
    for name, secs in stages.items():
        print(f"  {name:38} {secs * 1e6 / events:6.2f} µs/event")
    print(f"  {'end to end (JSON in, JSON out)':38} {end_to_end * 1e6 / events:6.2f} µs/event")
    print(f"  ratio floor / end to end: {stages['parse + validate (floor)'] / end_to_end:.2f}")


if __name__ == "__main__":
    main()
