"""Batch evaluation: many timelines, streamed, optionally across processes.

:func:`evaluate_many` judges every timeline of a *source* and returns a
:class:`BatchRun`, an iterator of :class:`BatchItem` (one per timeline, in
source order). A source is

- a directory: its top-level ``*.json`` files (one timeline each) and
  ``*.jsonl`` files (one timeline per line), in order of file name; any other
  entry is *skipped* and counted with its reason;
- a file: ``*.json`` is one timeline, anything else is read as JSON Lines
  (location ``FILE:LINE``; an empty line is skipped and counted);
- any iterable of timelines: :class:`Timeline` objects, mappings, JSON texts,
  paths, or ``(location, timeline)`` pairs (location ``<input>:N`` otherwise).

Timelines are read and evaluated one at a time (with ``processes > 1``: a
bounded number in flight), so memory does not grow with their number. A
timeline that fails validation becomes a :class:`BatchItem` with its error
message (naming the location, the event and the field) and the others go on.
The rule set, the profile and the engine are settled once, before the first
timeline is read; an invalid one raises at once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._common.display import html_of
from .._pipeline.compile import CompiledRules
from .._pipeline.engines import get_engine
from .._common.errors import BatchAbortedError, EngineFailedError, SamarbeidError, TimelineError, escaped
from .._pipeline.evaluate import _as_of, check_profile_terms, evaluate, prepare_rules, resolve_profile
from .._inputs.profile import Profile
from .._pipeline.report import SEVERITY, Report, Status
from .._inputs.ruleset import RuleSet
from .._inputs.jsonread import MAX_BYTES, deprecated_path_warning, parse_json, read_bytes, str_names_file
from .._inputs.timeline import FIELD_NAMES, Timeline, shown_id, validate_timeline
from .linecount import jsonl_total

__all__ = ["BatchItem", "BatchRun", "BatchSummary", "MAX_PROCESSES", "evaluate_many"]

#: the most worker processes a batch starts (each holds the rule set, some tens of MB)
MAX_PROCESSES = 64

#: suffixes read as JSON Lines when found in a directory
JSONL_SUFFIXES = (".jsonl", ".ndjson")
INPUT_LABEL = "<input>"


@dataclass(frozen=True, slots=True)
class BatchItem:
    """The outcome for one timeline of a batch.

    Exactly one of ``report`` and ``error`` is set. ``location`` is the file,
    ``FILE:LINE`` of a JSON Lines file, or ``<input>:N`` (1-based) for an item
    of an iterable. ``case_id`` is the timeline's case id when it could be
    read, even if the timeline failed validation.
    """

    location: str
    report: Report | None
    error: str | None
    case_id: str | None
    #: for a failed timeline: "input" (it did not validate) or "engine" (the engine failed on it)
    error_kind: str | None = None

    @property
    def ok(self) -> bool:
        """The timeline was evaluated."""
        return self.report is not None

    @property
    def breached(self) -> bool:
        """The timeline was evaluated and at least one obligation is a breach."""
        return self.report is not None and any(o.breach for o in self.report.obligations)


def _zero_statuses() -> dict[str, int]:
    """Every status at 0, in the order of the report table (best first)."""
    order = [s.value for s in SEVERITY]
    return {v: 0 for v in order + [s.value for s in Status if s.value not in order]}


@dataclass
class BatchSummary:
    """Counts over a batch; final once the :class:`BatchRun` is exhausted (``complete``)."""

    evaluated: int = 0
    failed: int = 0
    skipped: int = 0
    #: total obligations over the evaluated timelines
    obligations: int = 0
    #: obligations by status (every known status is present, with 0)
    by_status: dict[str, int] = field(default_factory=lambda: _zero_statuses())
    #: obligations that are a breach
    breaches: int = 0
    #: evaluated timelines with at least one breach
    breached_timelines: int = 0
    #: breaches by duty id
    breaches_by_duty: dict[str, int] = field(default_factory=dict)
    #: (location, reason) of every skipped entry, in source order
    skipped_items: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = False
    #: why the run stopped early (None while running and when complete)
    incomplete_reason: str | None = None

    def add(self, item: BatchItem) -> None:
        if item.report is None:
            self.failed += 1
            return
        self.evaluated += 1
        any_breach = False
        for o in item.report.obligations:
            self.obligations += 1
            self.by_status[o.status.value] = self.by_status.get(o.status.value, 0) + 1
            if o.breach:
                any_breach = True
                self.breaches += 1
                self.breaches_by_duty[o.duty_id] = self.breaches_by_duty.get(o.duty_id, 0) + 1
        self.breached_timelines += any_breach

    def skip(self, location: str, reason: str) -> None:
        self.skipped += 1
        self.skipped_items.append((location, reason))

    def _repr_html_(self) -> str:
        return html_of(self)  # drawn by the outputs stage (_outputs/views.py)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with sorted duty ids."""
        return {
            "evaluated": self.evaluated,
            "failed": self.failed,
            "skipped": self.skipped,
            "obligations": self.obligations,
            "by_status": dict(self.by_status),
            "breaches": self.breaches,
            "breached_timelines": self.breached_timelines,
            "breaches_by_duty": dict(sorted(self.breaches_by_duty.items())),
            "skipped_items": [{"location": loc, "reason": why} for loc, why in self.skipped_items],
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
        }


# --- tasks ----------------------------------------------------------------
#
# A task is (kind, location, payload), small and picklable:
#   ("path", loc, Path)        a .json file, read where it is evaluated
#   ("text", loc, bytes|str)   JSON text (a JSON Lines line)
#   ("data", loc, Mapping)     parsed data
#   ("timeline", loc, Timeline)
#   ("skip", loc, reason)      counted, not evaluated


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


def _source_tasks(source: Any, excluded: set[Any]) -> tuple[Iterator[tuple[str, str, Any]], int | None]:
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


# --- evaluation (the same in this process and in a worker) ----------------


@dataclass(frozen=True)
class _Settings:
    """What every evaluation of a batch shares; prepared once per process."""

    as_of: datetime | None
    rules: CompiledRules
    profile: Profile
    engine: str


def _case_id_of(data: Any) -> str | None:
    """The case id of data that failed validation, only if it is itself a valid id (never echoed otherwise)."""
    if isinstance(data, Mapping):
        return shown_id(data.get("case_id"))
    return None


def _run_task(task: tuple[str, str, Any], settings: _Settings) -> BatchItem | tuple[str, str]:
    kind, loc, payload = task
    if kind == "skip":
        return (loc, payload)
    if kind == "error":
        return BatchItem(loc, None, payload, None, "input")
    case_id = None
    try:
        if kind == "timeline":
            timeline = payload
        else:
            if kind == "path":
                payload = read_bytes(Path(payload), loc, TimelineError)
                kind = "text"
            data = parse_json(payload, loc, TimelineError, field_names=FIELD_NAMES, list_key="events") \
                if kind == "text" else payload
            case_id = _case_id_of(data)
            timeline = validate_timeline(data, source=loc)
        case_id = timeline.case_id
        report = evaluate(
            timeline, as_of=settings.as_of, rules=settings.rules, profile=settings.profile,
            engine=settings.engine,
        )
    except SamarbeidError as exc:
        message = str(exc)
        if not message.startswith(escaped(loc)):
            message = f"{escaped(loc)}: {message}"
        return BatchItem(loc, None, message, case_id, "engine" if isinstance(exc, EngineFailedError) else "input")
    except Exception as exc:  # a bug, not bad input: fail loudly, but say where
        exc.add_note(f"while evaluating {escaped(loc)}")
        raise
    return BatchItem(loc, report, None, case_id)


_WORKER: _Settings | None = None


def _worker_init(as_of: datetime | None, rule_set: RuleSet | None, profile: Profile, engine: str) -> None:
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent stops the workers, they do not stop themselves.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = _Settings(as_of, prepare_rules(rule_set), profile, engine)


def _worker_run(tasks: list[tuple[str, str, Any]]) -> list[BatchItem | tuple[str, str]]:
    assert _WORKER is not None, "worker not initialised"
    return [_run_task(task, _WORKER) for task in tasks]


# --- the run --------------------------------------------------------------


class BatchRun:
    """An iterator of :class:`BatchItem`, in source order, with a running :attr:`summary`.

    Iterate it once. The summary is final when the iterator is exhausted
    (``summary.complete``). Use it as a context manager, or call
    :meth:`close`, to stop early (worker processes are ended).
    """

    def __init__(
        self,
        tasks: Iterator[tuple[str, str, Any]],
        settings: _Settings,
        *,
        rule_set_for_workers: RuleSet | None,
        processes: int,
        chunksize: int,
        progress: bool,
        total: int | None,
    ) -> None:
        self.summary = BatchSummary()
        self.processes = processes
        self._tasks = tasks
        self._settings = settings
        self._worker_rules = rule_set_for_workers
        self._chunksize = chunksize
        self._show_progress = progress
        self._total = total
        self._bar: Any = None
        self._gen = self._run()

    # iterator protocol
    def __iter__(self) -> BatchRun:
        return self

    def __next__(self) -> BatchItem:
        return next(self._gen)

    def __enter__(self) -> BatchRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop: end the worker processes and the progress bar. The summary stays incomplete."""
        self._gen.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self._gen.close()
        except Exception:
            pass

    def _repr_html_(self) -> str:
        return html_of(self)  # the summary so far, drawn by _outputs/views.py

    def log(self, message: str) -> None:
        """Print ``message`` on stderr without breaking the progress bar."""
        if self._bar is not None:
            self._bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    # internals
    def _results(self) -> Iterator[BatchItem | tuple[str, str]]:
        if self.processes == 1:
            for task in self._tasks:
                yield _run_task(task, self._settings)
            return
        s = self._settings
        # "spawn": workers start clean, so a thread of the caller's (a case system, a notebook)
        # cannot hold a lock across fork(); results do not depend on the start method.
        # ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies (SIGKILL, a crash,
        # the out-of-memory killer) breaks the pool, and the run ends with BatchAbortedError
        # instead of waiting forever for its result.
        pool = ProcessPoolExecutor(
            self.processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init, initargs=(s.as_of, self._worker_rules, s.profile, s.engine),
        )
        # At most 4 chunks per worker in flight: the parent reads ahead only that far.
        window: deque[tuple[Future[list[Any]], str]] = deque()
        limit = 4 * self.processes
        tasks = iter(self._tasks)
        finished = False

        def submit() -> bool:
            chunk = [t for _, t in zip(range(self._chunksize), tasks)]
            if not chunk:
                return False
            window.append((pool.submit(_worker_run, chunk), chunk[0][1]))
            return True

        try:
            more = True
            lost: str | None = None
            try:
                while more and len(window) < limit:
                    more = submit()
                while window:
                    future, lost = window[0]
                    results = future.result()
                    window.popleft()
                    lost = None
                    yield from results
                    if more:  # a broken pool refuses the next submission too
                        more = submit()
            except BrokenProcessPool:
                raise BatchAbortedError(
                    "a worker process died (killed, crashed or out of memory) while evaluating the "
                    "timelines from here on; the run is incomplete",
                    location=lost if lost is not None else (window[0][1] if window else None),
                ) from None
            finished = True
        finally:
            _stop_pool(pool, finished)

    def _run(self) -> Iterator[BatchItem]:
        if self._show_progress:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self._total, unit=" timelines", file=sys.stderr, dynamic_ncols=True,
                desc="evaluating",
            )
        results = self._results()
        try:
            for result in results:
                if isinstance(result, tuple):
                    self.summary.skip(*result)
                    continue
                self.summary.add(result)
                if self._bar is not None:
                    self._bar.update(1)
                    self._bar.set_postfix(
                        failed=self.summary.failed, breaches=self.summary.breaches, refresh=False
                    )
                yield result
            self.summary.complete = True
        except BatchAbortedError as exc:
            self.summary.incomplete_reason = exc.reason
            raise
        except KeyboardInterrupt:
            self.summary.incomplete_reason = "interrupted"
            raise
        except GeneratorExit:
            self.summary.incomplete_reason = self.summary.incomplete_reason or "stopped early"
            raise
        except BaseException as exc:
            self.summary.incomplete_reason = self.summary.incomplete_reason or f"stopped ({type(exc).__name__})"
            raise
        finally:
            results.close()  # ends the worker processes now, not when the generator is collected
            if self._bar is not None:
                self._bar.close()
                self._bar = None


def _stop_pool(pool: ProcessPoolExecutor, finished: bool) -> None:
    """End a pool: wait for it when the run finished; otherwise terminate its workers now, then
    join them and the pool's manager thread (so no worker outlives the run)."""
    if finished:
        pool.shutdown(wait=True)
        return
    # (shutdown forgets the pool's processes, so they are taken first)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.terminate()
        except Exception:  # pragma: no cover - already gone
            pass
    for proc in processes:
        proc.join(timeout=5)
        if proc.is_alive():  # pragma: no cover
            proc.kill()
            proc.join(timeout=5)


def evaluate_many(
    source: str | Path | Iterable[Any],
    *,
    as_of: datetime | str | None = None,
    rules: RuleSet | CompiledRules | str | Path | None = None,
    profile: Profile | str | Path | Mapping[str, Any] | None = None,
    engine: str = "native",
    processes: int = 1,
    progress: bool | None = None,
    chunksize: int = 8,
    exclude: Iterable[str | Path] = (),
) -> BatchRun:
    """Evaluate every timeline of ``source``; returns a :class:`BatchRun` to iterate.

    ``as_of``, ``rules``, ``profile`` and ``engine`` are as for
    :func:`~samarbeid_rules.evaluate` and apply to every timeline; they are
    checked here, before any timeline is read (raising
    :class:`~samarbeid_rules.SamarbeidError`). ``processes`` > 1 evaluates
    in that many worker processes (0: one per CPU), ``chunksize`` timelines
    at a time; the items come back in source order and are the same as with
    one process. ``progress`` shows a progress bar on stderr (default: when
    stderr is a terminal). Files named in ``exclude`` (the run's own outputs) are
    skipped if they are in a source directory. A worker process that dies ends
    the run with :class:`~samarbeid_rules.BatchAbortedError` (the summary stays
    incomplete, with the reason).
    """
    if processes == 0:
        processes = min(os.cpu_count() or 1, MAX_PROCESSES)
    if not 1 <= processes <= MAX_PROCESSES:
        raise ValueError(f"processes must be from 1 to {MAX_PROCESSES} (or 0 for one per CPU)")
    if chunksize < 1:
        raise ValueError("chunksize must be at least 1")
    get_engine(engine)  # EngineUnavailableError now, not per timeline
    compiled = prepare_rules(rules)
    prof = resolve_profile(profile)
    check_profile_terms(compiled, prof)
    when = None if as_of is None else _as_of(as_of, None)  # type: ignore[arg-type]
    excluded: set[Any] = set()
    for out in exclude:
        try:
            excluded.add(os.path.realpath(out))
            st = os.stat(out)
        except (OSError, ValueError):
            continue
        excluded.add((st.st_dev, st.st_ino))
    tasks, total = _source_tasks(source, excluded)
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if progress and total is None and isinstance(source, (str, Path)):
        total = jsonl_total(Path(source))
    return BatchRun(
        tasks,
        _Settings(when, compiled, prof, engine),
        rule_set_for_workers=None if rules is None else compiled.rule_set,
        processes=processes,
        chunksize=chunksize,
        progress=progress,
        total=total,
    )
