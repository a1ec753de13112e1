"""Digests the audit trail records: of events, reports, work lists, the rule set and the profile.

Every digest is ``sha256:`` and the hex SHA-256 of a canonical byte string, so
a recorded judgement can be re-run and compared byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from .._inputs.profile import Profile
from .._inputs.ruleset import RuleSet

__all__ = [
    "canonical_json",
    "digest_bytes",
    "event_digest",
    "events_digest",
    "profile_digest",
    "rule_set_digest",
]


def canonical_json(data: Any) -> str:
    """Compact JSON with sorted keys (orjson, UTF-8 unescaped): equal data, equal text."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def digest_bytes(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def digest_parts(*parts: bytes) -> str:
    """:func:`digest_bytes` of the parts joined, without joining them."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return "sha256:" + h.hexdigest()


def event_digest(body: str) -> str:
    """The digest of one event's canonical JSON (its stored body)."""
    return digest_bytes(body)


def events_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """The digest of a set of events, from their (id, digest) pairs, whatever their order."""
    return digest_bytes("\n".join(f"{i} {d}" for i, d in sorted(pairs)))


def rule_set_digest(rule_set: RuleSet) -> str:
    """The digest of every file of the rule set's directory (relative path and content)."""
    root = Path(rule_set.directory)
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = path.relative_to(root).as_posix()
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + h.hexdigest()


def profile_digest(profile: Profile) -> str:
    return digest_bytes(canonical_json(profile.model_dump(mode="json")))
