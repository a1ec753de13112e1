"""Reading a JSON input (a path, a JSON text, or parsed data) with errors that name it.

Shared by the timeline and institution loaders: each passes its own error
class (both take ``source=``), so a bad file or bad JSON is reported the
same way whichever kind of input it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._common.errors import SamarbeidError

__all__ = ["parse_json", "read_source"]


def read_source(
    source: str | Path | Mapping[str, Any] | bytes, name: str | None, error: type[SamarbeidError]
) -> tuple[str | bytes | Mapping[str, Any], str]:
    """The JSON text (or the already parsed data) of ``source``, and the label errors name it by.

    ``source`` is a path (a ``Path``, or a ``str`` not starting with ``{``),
    a JSON text (``str`` starting with ``{``, or ``bytes``) or parsed data.
    """
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        path = Path(source)
        label = name or str(path)
        try:
            return path.read_bytes(), label
        except OSError as exc:
            raise error(f"cannot read file ({exc.strerror})", source=label) from None
        except ValueError as exc:  # e.g. a NUL in the path
            raise error(f"cannot read file ({exc})", source=label) from None
    return source, name or "<input>"


def parse_json(text: str | bytes, label: str, error: type[SamarbeidError]) -> Any:
    """``json.loads(text)``, every failure an ``error`` naming ``label``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=label) from None
    except RecursionError:
        raise error("input is nested too deeply", source=label) from None
    except (UnicodeDecodeError, ValueError) as exc:  # bad bytes; integers over Python's digit limit
        raise error(f"not valid JSON: {type(exc).__name__}: {exc}"[:300], source=label) from None
