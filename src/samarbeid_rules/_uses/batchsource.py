"""The timelines of a batch's source, as small picklable tasks (docs/batch.md#sources).

A task is ``(kind, location, payload)``:

- ``("path", loc, Path)``: a ``.json`` file, read where it is evaluated (by a worker of the
  run's own processes; by the parent for an outside executor, whose workers may not see it);
- ``("text", loc, bytes | str)``: JSON text (a JSON Lines line);
- ``("data", loc, Mapping)``: parsed data;
- ``("timeline", loc, Timeline)``;
- ``("skip", loc, reason)``: counted, not evaluated;
- ``("error", loc, message)``: a failed item without evaluation (a file that cannot be read).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .._common.errors import TimelineError, escaped
from .._inputs.jsonread import MAX_BYTES, deprecated_path_warning, str_names_file
from .._inputs.timeline import Timeline

__all__ = ["INPUT_LABEL", "JSONL_SUFFIXES", "excluded_outputs", "source_tasks"]

#: suffixes read as JSON Lines when found in a directory
JSONL_SUFFIXES = (".jsonl", ".ndjson")
INPUT_LABEL = "<input>"


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


def _jsonl_tasks(path: Path, label: str) -> Iterator[tuple[str, str, Any]]:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file: a FIFO, device or socket is not read")
        fh = path.open("rb")
    except (OSError, ValueError) as exc:
        # One task carries the error, so the file is reported like a bad timeline.
        yield ("error", label, f"{escaped(label)}: cannot read file ({getattr(exc, 'strerror', None) or 'bad path'})")
        return
    with fh:
        lineno = 0
        while True:
            # A line is read up to MAX_BYTES: a longer one is refused without holding it.
            raw = fh.readline(MAX_BYTES + 1)
            if not raw:
                return
            lineno += 1
            loc = f"{label}:{lineno}"
            if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = fh.readline(MAX_BYTES)
                yield ("error", loc, f"{escaped(loc)}: line is longer than the limit of {MAX_BYTES // 1024} KiB")
                continue
            if not raw.strip():
                yield ("skip", loc, "empty line")
                continue
            yield ("text", loc, raw)


def _same_file(entry: os.DirEntry[str], excluded: set[Any]) -> bool:
    """Whether ``entry`` is one of the run's outputs: the same file (device and inode) or path."""
    if os.path.realpath(entry.path) in excluded:
        return True
    try:
        st = entry.stat()
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in excluded


def _directory_tasks(directory: Path, excluded: set[Any]) -> Iterator[tuple[str, str, Any]]:
    entries = sorted(os.scandir(directory), key=lambda e: e.name)
    for entry in entries:
        path = directory / entry.name
        label = str(path)
        if excluded and _same_file(entry, excluded):
            yield ("skip", label, "an output of this run (not read back)")
        elif entry.is_dir():
            yield ("skip", label, "a directory (only top-level files are read)")
        elif not entry.is_file():
            yield ("skip", label, "not a regular file")
        elif path.suffix.lower() == ".json":
            yield ("path", label, path)
        elif _is_jsonl(path):
            yield from _jsonl_tasks(path, label)
        else:
            yield ("skip", label, "not a .json or .jsonl file")


def _iterable_tasks(items: Iterable[Any]) -> Iterator[tuple[str, str, Any]]:
    for n, item in enumerate(items, 1):
        loc = f"{INPUT_LABEL}:{n}"
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], (str, Path)):
            loc, item = str(item[0]), item[1]
        yield _task_for(loc, item)


def _task_for(loc: str, item: Any) -> tuple[str, str, Any]:
    if isinstance(item, Timeline):
        return ("timeline", loc, item)
    if isinstance(item, Mapping):
        return ("data", loc, item)
    if isinstance(item, str) and str_names_file(item):  # the deprecated form, as for load_timeline
        deprecated_path_warning()
        item = Path(item)
    if isinstance(item, (bytes, str)):  # JSON text: a str is never taken as a path because of its look
        return ("text", loc, item)
    if isinstance(item, os.PathLike):
        path = Path(item)
        if loc.startswith(INPUT_LABEL + ":"):
            loc = str(path)
        return ("path", loc, path)
    return ("error", loc, f"{loc}: not a timeline (got {type(item).__name__})")


def source_tasks(source: Any, excluded: set[Any]) -> tuple[Iterator[tuple[str, str, Any]], int | None]:
    """The tasks of ``source`` and, when cheap to know, how many timelines it has."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            names = [e.name for e in os.scandir(path)]
            total = None if any(_is_jsonl(Path(n)) for n in names) else sum(
                1 for n in names if n.lower().endswith(".json")
            )
            return _directory_tasks(path, excluded), total
        if not path.exists():
            raise TimelineError("no such file or directory", source=str(path))
        if not path.is_file():
            raise TimelineError("not a regular file or a directory (a FIFO or device is not read)", source=str(path))
        if path.suffix.lower() == ".json":
            return iter([("path", str(path), path)]), 1
        return _jsonl_tasks(path, str(path)), None
    if isinstance(source, (Timeline, Mapping, bytes)):
        raise TypeError(
            "evaluate_many takes a directory, a JSON Lines file or an iterable of timelines; "
            "for one timeline use evaluate()"
        )
    try:
        total = len(source)  # type: ignore[arg-type]
    except TypeError:
        total = None
    return _iterable_tasks(source), total


def excluded_outputs(exclude: Iterable[str | Path]) -> set[Any]:
    """The run's outputs, as real paths and (device, inode) of those that exist, to skip in a source."""
    excluded: set[Any] = set()
    for out in exclude:
        try:
            excluded.add(os.path.realpath(out))
            st = os.stat(out)
        except (OSError, ValueError):
            continue
        excluded.add((st.st_dev, st.st_ino))
    return excluded
