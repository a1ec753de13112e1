"""Digests of the report JSON of every example and of a generated population.

The layout move of issue 9 must not change any report: these digests were
recorded before it (``python tests/digests.py --write``) and
``tests/test_report_digests.py`` recomputes them. An issue that changes
reports on purpose records them again, in the same commit, and says why.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = Path(__file__).parent / "data" / "report_digests.json"
POPULATION = 500


def compute() -> dict[str, object]:
    """{"examples": {file: sha256}, "population": {"count": n, "sha256": of all reports in order}}."""
    from samarbeid_rules import evaluate
    from samarbeid_rules.testing import generate_population

    examples = {
        path.name: hashlib.sha256(evaluate(path).to_json().encode()).hexdigest()
        for path in sorted((ROOT / "examples").glob("*.json"))
    }
    whole = hashlib.sha256()
    for data in generate_population(POPULATION, seed=0):
        whole.update(evaluate(data).to_json().encode())
        whole.update(b"\n")
    return {"examples": examples, "population": {"count": POPULATION, "seed": 0, "sha256": whole.hexdigest()}}


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        print(json.dumps(compute(), indent=2))
    else:
        RECORD.write_text(json.dumps(compute(), indent=2) + "\n")
        print(f"wrote {RECORD}")
