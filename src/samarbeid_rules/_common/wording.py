"""Messages in words: pydantic's validation errors said plainly, and "did you mean".

A pydantic message can carry a regular expression (``String should match pattern
'^[^\\s]+$'``): :func:`plain_problem` says instead what the field accepts, in words,
for every pattern a model of this package uses (:data:`PATTERN_WORDS`), and a neutral
sentence for any other. The loaders (timeline, institution, rule files, profiles,
scenarios, tables) and the service use it, so the same constraint reads the same
everywhere. Nothing here repeats the rejected value.

:func:`did_you_mean` suggests the closest valid spelling of a name (an event type,
a duty id, a setting, a modality) with :func:`difflib.get_close_matches`. It names a
*valid* choice, never what was given.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["PATTERN_WORDS", "close_match", "did_you_mean", "first_error", "plain_problem"]

#: what each pattern of the package's models accepts, in words (the key is the pattern as
#: written in the model; the JSON Schemas keep the pattern itself)
PATTERN_WORDS: dict[str, str] = {
    # _service/models.py PersonIn.id (1 to 200 characters, its own constraint)
    r"^[^\s]+$": "an id has no spaces, tabs or line breaks",
    # _inputs/rules.py RuleFile.part
    r"^[a-z_]+$": "a part name is lower-case letters (a to z) and underscores only",
    # _inputs/ruleset.py RuleSetVersion.id
    r"^[a-z0-9][a-z0-9.-]*$": (
        "a version id is lower-case letters, digits, dots and hyphens, starting with a letter or a digit"
    ),
}

#: said of a pattern not in PATTERN_WORDS (never the pattern itself)
OTHER_PATTERN = "the text is not of the form this field accepts (see its description in the JSON Schema)"


def first_error(exc: Any) -> dict[str, Any]:
    """The first error of a pydantic ``ValidationError`` (or of a list of its error dicts, as
    FastAPI's ``RequestValidationError.errors()`` gives), without the rejected input; for a
    value outside a closed set (an enum, a literal) with a close valid spelling, a ``hint``
    naming it (see :func:`did_you_mean`), which :func:`plain_problem` appends."""
    errors = exc if isinstance(exc, (list, tuple)) else exc.errors(include_url=False)
    err = dict(errors[0]) if errors else {"type": "invalid", "loc": (), "msg": "not valid"}
    err.pop("url", None)
    given = err.pop("input", None)
    if err.get("type") in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        err["hint"] = did_you_mean(given, choices)
    return err


def plain_problem(err: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in words.

    ``missing`` and ``extra_forbidden`` are left to the caller, which knows whether it
    says "field" or "key"; every other error type gets pydantic's message, except those
    that would show a regular expression, and without pydantic's "Value error, " prefix.
    """
    kind = err.get("type")
    ctx = err.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return PATTERN_WORDS.get(str(ctx.get("pattern")), OTHER_PATTERN)
    if kind == "union_tag_invalid":  # pydantic's message repeats the tag given; this names the valid ones
        key = str(ctx.get("discriminator", "'kind'")).strip("'")
        tags = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return f"unknown {key}{did_you_mean(ctx.get('tag'), tags)}; expected one of: {', '.join(tags)}"
    msg = str(err.get("msg", "not valid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg + str(err.get("hint") or "")


#: how alike a word and a choice must be to be suggested (difflib's ratio; its default 0.6
#: suggests ``harm_reported`` for ``teleported``)
CUTOFF = 0.75


def close_match(word: object, choices: Iterable[str]) -> str | None:
    """The valid choice closest to ``word`` (difflib's ratio at least :data:`CUTOFF`), or None."""
    if not isinstance(word, str) or not word or len(word) > 200:
        return None
    options = sorted(set(choices))
    found = difflib.get_close_matches(word, options, n=1, cutoff=CUTOFF)
    if not found:  # a case slip ("Exclusion_Started") is a slip too
        lowered = {o.lower(): o for o in options}
        found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=CUTOFF)
        found = [lowered[f] for f in found]
    return found[0] if found else None


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` naming the closest valid choice, or ``""`` if none is close.

    Only the valid choice is named, never ``word``, so a typed value is not repeated.
    """
    match = close_match(word, choices)
    return f" (did you mean '{match}'?)" if match is not None else ""
