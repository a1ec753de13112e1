"""The reports of the examples and of a generated population are byte-identical to the recorded ones."""

from __future__ import annotations

import json

from digests import RECORD, compute


def test_report_digests_match_the_record():
    """Every example's report JSON and a 500-timeline population's reports hash to tests/data/report_digests.json.

    A change that alters reports on purpose records them again with
    ``python tests/digests.py --write`` and says why in its commit.
    """
    recorded = json.loads(RECORD.read_text())
    now = compute()
    assert now["examples"] == recorded["examples"]
    assert now["population"] == recorded["population"]
