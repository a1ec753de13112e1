"""Where the shipped rule files are.

In an installed wheel the rule files are package data
(``samarbeid_rules/rules``); in a source checkout (and an editable install)
they are the repository's top-level ``rules/`` directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["rules_dir"]


@cache
def rules_dir() -> Path:
    """The directory of the shipped rule set."""
    package = Path(__file__).resolve().parents[1]  # samarbeid_rules/
    packaged = package / "rules"
    if (packaged / "ruleset.yaml").is_file():
        return packaged
    checkout = package.parents[1] / "rules"  # src/samarbeid_rules -> the repository
    if (checkout / "ruleset.yaml").is_file():
        return checkout
    raise FileNotFoundError(
        "the shipped rule files are missing: looked in "
        f"{packaged} and {checkout}"
    )
