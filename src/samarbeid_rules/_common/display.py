"""How an object shows itself in a notebook, without importing the stage that draws it.

A report (stage 2) has a ``_repr_html_`` for Jupyter, but its HTML is drawn by
the outputs stage (4), which imports the report, not the other way round. The
outputs stage registers its renderers here when it is imported (the package
root imports it), and ``_repr_html_`` looks them up by class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["html_of", "register_html"]

_HTML: dict[type, Callable[[Any], str]] = {}


def register_html(cls: type, render: Callable[[Any], str]) -> None:
    """Make ``render(obj)`` the HTML of every ``cls`` instance (and of its subclasses)."""
    _HTML[cls] = render


def html_of(obj: object) -> str:
    """``obj`` as HTML, by the renderer registered for its class or the nearest base class."""
    for klass in type(obj).__mro__:
        render = _HTML.get(klass)
        if render is not None:
            return render(obj)
    raise LookupError(f"no HTML view is registered for {type(obj).__name__}")
