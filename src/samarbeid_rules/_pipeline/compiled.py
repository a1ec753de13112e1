"""The compiled hot path: which modules mypyc compiles, and whether their compiled form is used.

The timing stage (the package :mod:`samarbeid_rules._pipeline.timing`, where
most of an evaluation's time goes) is plain, fully typed Python. ``make``
compiles it with mypyc (``tools/compile_hot_path.py``) into C extension
modules beside the sources, for the Python that builds them; the reasons,
the figures and the alternatives weighed are in ``docs/performance.md``.
The sources stay the definition: the compiled modules are the same code and
give byte-identical reports (``tests/test_compiled.py`` compares both forms).

An extension module beside a source file is what Python imports first. So
that a stale build can never run instead of the code beside it, the build
writes a stamp (the SHA-256 of every compiled source, for one interpreter's
extension suffix) and :func:`guard` -- run when the package
:mod:`samarbeid_rules._pipeline` is imported, before any compiled module --
imports the sources instead when

- ``SAMARBEID_PURE=1`` is set in the environment (to run or test the pure
  form), or
- no stamp was written for this interpreter, or a source differs from its
  stamp (edited since the build: ``make`` builds again).

This module is never compiled itself, and imports nothing of the package.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

__all__ = ["MODULES", "SUFFIX", "extension_paths", "guard", "state", "stamp_path", "sources_digest"]

#: the package directory (src/samarbeid_rules)
PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: the modules mypyc compiles, as paths below the package directory: every module of the timing
#: stage (the Makefile's HOT_SOURCES names the same directory)
MODULES: tuple[str, ...] = tuple(sorted(
    f"_pipeline/timing/{p.name}" for p in (PACKAGE_DIR / "_pipeline" / "timing").glob("*.py")
))

#: the file name ending of this interpreter's extension modules (``.cpython-311-x86_64-linux-gnu.so``)
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]

#: the environment variable that makes the sources run even where a fresh build exists
PURE_VARIABLE = "SAMARBEID_PURE"

_state: str | None = None  #: decided once, by guard()


def module_name(rel: str) -> str:
    """The dotted name of the module at ``rel`` (a package's ``__init__.py`` is the package)."""
    parts = ["samarbeid_rules", *Path(rel).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stamp_path(package_dir: Path = PACKAGE_DIR) -> Path:
    """Where the build's stamp for this interpreter is: one per extension suffix, so that builds for
    several Pythons (``make test-versions``) sit side by side."""
    return package_dir / "_pipeline" / f"compiled{SUFFIX.removesuffix('.so')}.json"


def sources_digest(package_dir: Path = PACKAGE_DIR, modules: Sequence[str] = MODULES) -> dict[str, str]:
    """The SHA-256 of each compiled module's source, by its path below ``package_dir``."""
    return {rel: hashlib.sha256((package_dir / rel).read_bytes()).hexdigest() for rel in modules}


def extension_paths(package_dir: Path = PACKAGE_DIR, modules: Sequence[str] = MODULES) -> list[Path]:
    """The extension module a build makes of each compiled module, for this interpreter."""
    return [(package_dir / rel).with_suffix(SUFFIX) for rel in modules]


def _fresh(package_dir: Path, modules: Sequence[str]) -> str | None:
    """None if a stamp for this interpreter matches every source; else why not (for :func:`state`)."""
    try:
        stamp = json.loads(stamp_path(package_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "not built for this Python"
    except (OSError, ValueError):
        return "the build's stamp is unreadable"
    if not isinstance(stamp, dict) or stamp.get("sources") != sources_digest(package_dir, modules):
        return "a source changed since the build"
    if not all(path.is_file() for path in extension_paths(package_dir, modules)):
        return "the build's extension modules are missing"
    return None


class _Sources(importlib.abc.MetaPathFinder):
    """Finds the compiled modules' sources (never their extension modules)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        package = [str(file.parent)] if file.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, file, submodule_search_locations=package)


def guard(package_dir: Path = PACKAGE_DIR, modules: Sequence[str] = MODULES) -> str:
    """Decide, once per process, whether the compiled modules or their sources are imported; return
    :func:`state`. (Run by ``samarbeid_rules/_pipeline/__init__.py``.)"""
    global _state
    if _state is not None:
        return _state
    why = "SAMARBEID_PURE=1 is set" if os.environ.get(PURE_VARIABLE) == "1" else _fresh(package_dir, modules)
    if why is None:
        _state = "compiled"
    else:
        sys.meta_path.insert(0, _Sources({module_name(rel): package_dir / rel for rel in modules}))
        _state = f"pure: {why}"
    return _state


def state() -> str:
    """``"compiled"`` if the timing stage runs compiled, else ``"pure: "`` and why (no build for this
    Python, a source changed since the build, or ``SAMARBEID_PURE=1``)."""
    return guard()
