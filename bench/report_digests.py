"""Byte identity of reports, for speed work: SHA-256 digests of the report JSON of a seeded
population, the bundled examples and every run of every duty case (``rules/cases``), under the
default profile.

    .venv/bin/python bench/report_digests.py --write before.json     # on the old commit
    .venv/bin/python bench/report_digests.py --check before.json     # on the new one: exit 1 if any differs

A change meant to be faster only must print ``0 differ``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from samarbeid_rules import evaluate
from samarbeid_rules._uses.twins import _cases
from samarbeid_rules.testing import generate_population

ROOT = Path(__file__).resolve().parents[1]


def reports() -> Iterator[tuple[str, str]]:
    """(name, report JSON or the failure's type) of every report compared."""
    for i, d in enumerate(generate_population(400, seed=2026)):
        yield f"pop{i}", evaluate(json.dumps(d), as_of="2027-12-31T12:00:00+01:00").to_json()
    for i, d in enumerate(generate_population(150, seed=7)):
        yield f"pop7-{i}", evaluate(d).to_json()
    for p in sorted((ROOT / "examples").glob("*.json")):
        yield p.name, evaluate(p).to_json()
    for loaded in _cases():
        s = loaded.scenario
        if s.profile or s.settings:
            continue
        for k, run in enumerate(loaded.runs):
            name = f"{Path(loaded.path).name}#{k}"
            try:
                yield name, evaluate(run.timeline, as_of=s.as_of).to_json()
            except Exception as exc:  # the same failure on both sides is the same outcome
                yield name, f"ERR {type(exc).__name__}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", metavar="PATH", help="write the digests to PATH")
    ap.add_argument("--check", metavar="PATH", help="compare with the digests in PATH")
    args = ap.parse_args()
    digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in reports()}
    if args.write:
        Path(args.write).write_text(json.dumps(digests, indent=0) + "\n")
        print(f"{len(digests)} digests written to {args.write}")
    if args.check:
        old = json.loads(Path(args.check).read_text())
        differ = [k for k in old if old[k] != digests.get(k)] + [k for k in digests if k not in old]
        print(f"{len(digests)} digests; {len(differ)} differ {differ[:20]}")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
