"""Batch evaluation: many timelines, streamed, optionally across processes or a cluster.

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

Timelines are read and evaluated one at a time (with ``processes > 1`` or an
``executor``: a bounded number in flight), so memory does not grow with their
number. A timeline that fails validation becomes a :class:`BatchItem` with its
error message (naming the location, the event and the field) and the others
go on. The rule set, the profile and the engine are settled once, before the
first timeline is read; an invalid one raises at once.

What an item carries back from where it was evaluated is ``ship``: the whole
report, its JSON text, only its counts, or what a function of the item
returns (the command line's JSON Lines and JUnit text). Pickling whole
reports between processes costs more than evaluating them, so a parallel run
scales only when the workers ship less (docs/batch.md#what-comes-back).

Longer than 600 lines: the three ways a run evaluates (this process, its own worker processes, a
caller's executor) share the item type, the task runner, the in-order window and its fault path;
the sources are apart (batchsource.py), and a further split would only pass internals across.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures._base import BrokenExecutor
from dataclasses import dataclass, field, replace
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
from .._inputs.jsonread import read_bytes
from .._inputs.timeline import parse_timeline_json, shown_id, timeline_quickly, validate_timeline
from .batchsource import excluded_outputs, source_tasks
from .linecount import jsonl_total

__all__ = ["BatchItem", "BatchRun", "BatchSummary", "EXECUTOR_IN_FLIGHT", "MAX_PROCESSES", "SHIP_KINDS",
           "evaluate_many", "start_method"]

#: the most worker processes a batch starts (each holds the rule set, some tens of MB)
MAX_PROCESSES = 64

#: chunks in flight at once on an outside executor (its worker count is not known here)
EXECUTOR_IN_FLIGHT = 64

#: what ``ship`` may name (else it is a function of the item)
SHIP_KINDS = ("report", "json", "counts")

#: one obligation's outcome as a batch item carries it: (duty id, status, breach)
Outcome = tuple[str, str, bool]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """The outcome for one timeline of a batch.

    ``error`` is set when the timeline failed (it could not be read, did not
    validate, or the engine failed on it); otherwise it was evaluated and
    ``outcomes`` holds one ``(duty_id, status, breach)`` per obligation, in
    the report's order. ``report`` is the whole :class:`Report` when the run
    ships reports (``ship="report"``, the default), else None; ``shipped``
    is what else the run shipped: the report's JSON text (``ship="json"``)
    or the result of the ``ship`` function (for failed items too).
    ``location`` is the file, ``FILE:LINE`` of a JSON Lines file, or
    ``<input>:N`` (1-based) for an item of an iterable. ``case_id`` is the
    timeline's case id when it could be read, even if the timeline failed
    validation.
    """

    location: str
    report: Report | None
    error: str | None
    case_id: str | None
    #: for a failed timeline: "input" (it did not validate) or "engine" (the engine failed on it)
    error_kind: str | None = None
    #: (duty_id, status, breach) of each obligation of an evaluated timeline (from ``report`` if not given)
    outcomes: tuple[Outcome, ...] | None = None
    #: what the run shipped besides (or instead of) the report; None with ``ship="report"``
    shipped: Any = None

    def __post_init__(self) -> None:
        if self.outcomes is None and self.report is not None:
            object.__setattr__(self, "outcomes", _outcomes(self.report))

    @property
    def ok(self) -> bool:
        """The timeline was evaluated."""
        return self.error is None

    @property
    def breached(self) -> bool:
        """The timeline was evaluated and at least one obligation is a breach."""
        return self.error is None and any(breach for _, _, breach in self.outcomes or ())


def _outcomes(report: Report) -> tuple[Outcome, ...]:
    return tuple((o.duty_id, o.status.value, o.breach) for o in report.obligations)


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
        if item.error is not None:
            self.failed += 1
            return
        self.evaluated += 1
        any_breach = False
        by_status, by_duty = self.by_status, self.breaches_by_duty
        for duty_id, status, breach in item.outcomes or ():
            self.obligations += 1
            by_status[status] = by_status.get(status, 0) + 1
            if breach:
                any_breach = True
                self.breaches += 1
                by_duty[duty_id] = by_duty.get(duty_id, 0) + 1
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


# --- evaluation (the same in this process, in a worker and on an executor) --

@dataclass(frozen=True)
class _Settings:
    """What every evaluation of a batch shares; prepared once per process."""

    as_of: datetime | None
    rules: CompiledRules
    profile: Profile
    engine: str
    ship: Any = "report"


def _case_id_of(data: Any) -> str | None:
    """The case id of data that failed validation, only if it is itself a valid id (never echoed otherwise)."""
    if isinstance(data, Mapping):
        return shown_id(data.get("case_id"))
    return None


def _failed(loc: str, exc: SamarbeidError, case_id: str | None) -> BatchItem:
    message = str(exc)
    if not message.startswith(escaped(loc)):
        message = f"{escaped(loc)}: {message}"
    return BatchItem(loc, None, message, case_id, "engine" if isinstance(exc, EngineFailedError) else "input")


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
            quick = timeline_quickly(payload) if kind == "text" else None
            if quick is not None:
                timeline = quick
            else:
                data, shallow = parse_timeline_json(payload, loc) if kind == "text" else (payload, False)
                case_id = _case_id_of(data)
                timeline = validate_timeline(data, source=loc, _shallow=shallow)
        case_id = timeline.case_id
        report = evaluate(
            timeline, as_of=settings.as_of, rules=settings.rules, profile=settings.profile,
            engine=settings.engine,
        )
    except SamarbeidError as exc:
        return _failed(loc, exc, case_id)
    except Exception as exc:  # a bug, not bad input: fail loudly, but say where
        exc.add_note(f"while evaluating {escaped(loc)}")
        raise
    return BatchItem(loc, report, None, case_id)


def _ship(result: BatchItem | tuple[str, str], ship: Any) -> BatchItem | tuple[str, str]:
    """What goes back from where a timeline was evaluated: the item as ``ship`` asks."""
    if ship == "report" or isinstance(result, tuple):
        return result
    if ship == "counts":
        return replace(result, report=None) if result.report is not None else result
    if ship == "json":
        if result.report is None:
            return result
        return replace(result, report=None, shipped=result.report.to_json())
    try:
        shipped = ship(result)
    except Exception as exc:  # the caller's function failed: a bug, said where
        exc.add_note(f"while shipping {escaped(result.location)}")
        raise
    return replace(result, report=None, shipped=shipped)


def _evaluate_chunk(tasks: list[tuple[str, str, Any]], settings: _Settings) -> list[BatchItem | tuple[str, str]]:
    ship = settings.ship
    return [_ship(_run_task(task, settings), ship) for task in tasks]


def _prepared(
    as_of: datetime | None, rule_set: RuleSet, profile: Profile, engine: str, ship: Any
) -> _Settings:
    """A worker's settings from what the parent sends (:meth:`BatchRun._worker_spec`), the rules
    compiled here."""
    return _Settings(as_of, prepare_rules(rule_set), profile, engine, ship)


_WORKER: _Settings | None = None


def start_method() -> str:
    """How the run's own workers start: "fork" on Linux when this process has no other thread (a
    worker then starts in milliseconds, with the library imported and the rule set loaded: "spawn"
    costs each worker about a second of CPU, which on two cores is a tenth of a 3 000-timeline run),
    else "spawn", which starts clean: a thread of the caller's (a case system, a notebook's
    kernel, a native library's pool) cannot hold a lock across fork() and deadlock the worker."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        try:
            threads = len(os.listdir("/proc/self/task"))  # every thread of the process, native ones too
        except OSError:
            threads = 0
        if threads == 1:
            return "fork"
    return "spawn"


def _worker_init(*spec: Any) -> None:
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent stops the workers, they do not stop themselves.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's handler (the command line's only notes the signal):
    # the parent ends its workers with SIGTERM, which must end them.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER = _prepared(*spec)


def _worker_run(tasks: list[tuple[str, str, Any]]) -> list[BatchItem | tuple[str, str]]:
    assert _WORKER is not None, "worker not initialised"
    return _evaluate_chunk(tasks, _WORKER)


#: settings prepared in a process of an outside executor, by the digest of their pickled form
_PREPARED: dict[str, _Settings] = {}
_PREPARED_KEPT = 4


def _executor_run(key: str, spec: bytes, tasks: list[tuple[str, str, Any]]) -> list[BatchItem | tuple[str, str]]:
    """One chunk on an outside executor's worker: the run's settings (``spec``, pickled once by the
    parent) are unpickled and the rules prepared only the first time this process sees ``key``."""
    settings = _PREPARED.get(key)
    if settings is None:
        settings = _prepared(*pickle.loads(spec))
        while len(_PREPARED) >= _PREPARED_KEPT:
            _PREPARED.pop(next(iter(_PREPARED)))
        _PREPARED[key] = settings
    return _evaluate_chunk(tasks, settings)


def _read_here(task: tuple[str, str, Any]) -> tuple[str, str, Any]:
    """A file task read by the parent, for an executor whose workers may not see its file system."""
    kind, loc, payload = task
    if kind != "path":
        return task
    try:
        return ("text", loc, read_bytes(Path(payload), loc, TimelineError))
    except SamarbeidError as exc:
        return ("error", loc, _failed(loc, exc, None).error)


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
        processes: int,
        chunksize: int,
        progress: bool,
        total: int | None,
        executor: Executor | None = None,
    ) -> None:
        self.summary = BatchSummary()
        self.processes = processes
        self._tasks = tasks
        self._settings = settings
        self._chunksize = chunksize
        self._show_progress = progress
        self._total = total
        self._executor = executor
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
    def _worker_spec(self) -> tuple[Any, ...]:
        """What a worker process needs to build its settings (:func:`_prepared`): the loaded rule set
        goes, not its directory (compiling it takes a millisecond; loading its YAML files again in
        each worker would take most of a second)."""
        s = self._settings
        return (s.as_of, s.rules.rule_set, s.profile, s.engine, s.ship)

    def _results(self) -> Iterator[BatchItem | tuple[str, str]]:
        s = self._settings
        if self._executor is not None:
            yield from self._on_executor(self._executor)
            return
        if self.processes == 1:
            for task in self._tasks:
                yield _ship(_run_task(task, s), s.ship)
            return
        # ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies (SIGKILL, a crash,
        # the out-of-memory killer) breaks the pool, and the run ends with BatchAbortedError
        # instead of waiting forever for its result. Results do not depend on the start method.
        # (multiprocessing flushes stdout and stderr before it forks: nothing buffered is written twice)
        pool = ProcessPoolExecutor(
            self.processes, mp_context=multiprocessing.get_context(start_method()),
            initializer=_worker_init, initargs=self._worker_spec(),
        )
        finished = False
        try:
            # At most 4 chunks per worker in flight: the parent reads ahead only that far.
            yield from self._windowed(lambda chunk: pool.submit(_worker_run, chunk), 4 * self.processes,
                                      self._tasks)
            finished = True
        finally:
            _stop_pool(pool, finished)

    def _on_executor(self, executor: Executor) -> Iterator[BatchItem | tuple[str, str]]:
        """Chunks of whole timelines (a case is never split) submitted to the caller's executor; the
        settings go with each chunk as one pickled blob, prepared once per worker process. The
        executor is the caller's: it is not shut down here; a stopped run cancels what it queued."""
        spec = pickle.dumps(self._worker_spec(), protocol=5)
        key = hashlib.sha256(spec).hexdigest()
        tasks = (_read_here(t) for t in self._tasks)
        yield from self._windowed(lambda chunk: executor.submit(_executor_run, key, spec, chunk),
                                  EXECUTOR_IN_FLIGHT, tasks)

    def _windowed(
        self, submit_chunk: Callable[[list[Any]], Future[Any]], limit: int, tasks_in: Iterable[Any],
    ) -> Iterator[BatchItem | tuple[str, str]]:
        """Results in source order, at most ``limit`` chunks in flight; a broken pool or executor
        (a worker died) is BatchAbortedError naming the first timeline whose result was lost."""
        window: deque[tuple[Future[list[Any]], str]] = deque()
        tasks = iter(tasks_in)

        def submit() -> bool:
            chunk = [t for _, t in zip(range(self._chunksize), tasks)]
            if not chunk:
                return False
            window.append((submit_chunk(chunk), chunk[0][1]))
            return True

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
        except (BrokenExecutor, CancelledError):
            raise BatchAbortedError(
                "a worker process died (killed, crashed or out of memory) while evaluating the "
                "timelines from here on; the run is incomplete",
                location=lost if lost is not None else (window[0][1] if window else None),
            ) from None
        finally:
            for future, _ in window:  # stopped early: what is still queued is not wanted
                future.cancel()

    def _run(self) -> Iterator[BatchItem]:
        results = self._results()
        try:
            for result in results:
                if self._show_progress and self._bar is None:
                    # drawn from the first result on, after the workers started: tqdm's monitor
                    # thread would otherwise make them start by "spawn" (start_method)
                    from tqdm import tqdm

                    self._bar = tqdm(
                        total=self._total, unit=" timelines", file=sys.stderr, dynamic_ncols=True,
                        desc="evaluating",
                    )
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


#: seconds a stopped run's workers have to finish the chunk each is on before they are terminated
STOP_GRACE_SECONDS = 20.0


def _stop_pool(pool: ProcessPoolExecutor, finished: bool) -> None:
    """End a pool: wait for it when the run finished. Otherwise cancel what is queued and let each
    worker finish the chunk it is on (at most ``chunksize`` timelines); the pool's manager thread
    then ends the workers and reaps them, and only a worker still busy after
    :data:`STOP_GRACE_SECONDS` is terminated. So no worker outlives the run.

    Not terminated at once: a worker killed while it writes its result leaves part of a message in
    the pool's result pipe, and the manager thread then waits for the rest forever (and the
    interpreter's exit with it, as it joins that thread). Nor are the workers joined here: the
    manager thread joins them, and two threads reaping one process race for its exit status (the
    loser reads a finished worker as still alive)."""
    if finished:
        pool.shutdown(wait=True)
        return
    # (shutdown forgets the pool's processes and thread, so they are taken first)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is None:
        return
    manager.join(timeout=STOP_GRACE_SECONDS)
    if not manager.is_alive():
        return
    for proc in processes:  # pragma: no cover - a chunk longer than the grace
        try:
            proc.terminate()
        except Exception:
            pass
    manager.join(timeout=10)
    if manager.is_alive():  # pragma: no cover
        for proc in processes:
            proc.join(timeout=5)
            if proc.is_alive():
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
    ship: str | Callable[[BatchItem], Any] = "report",
    executor: Executor | None = None,
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

    ``ship`` says what each item carries back from where it was evaluated:
    ``"report"`` (the whole :class:`~samarbeid_rules.Report`), ``"json"`` (its
    ``to_json()`` text, in ``item.shipped``), ``"counts"`` (only
    ``item.outcomes``, which every evaluated item has), or a function of the
    :class:`BatchItem` (called for failed items too; its result is
    ``item.shipped``; with processes or an executor it must be importable by
    the workers, e.g. a module-level function or a ``functools.partial`` of
    one). ``executor`` (any :class:`concurrent.futures.Executor`, e.g. a Dask
    ``Client().get_executor()``) evaluates chunks of ``chunksize`` whole
    timelines there instead of in this process or its own workers
    (``processes`` must then stay 1); the items are the same.
    """
    if not (ship in SHIP_KINDS or callable(ship)):
        raise ValueError(f"ship must be one of {', '.join(SHIP_KINDS)} or a function of the item")
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    if executor is not None and processes != 1:
        raise ValueError("give processes or an executor, not both (the executor has its own workers)")
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
    tasks, total = source_tasks(source, excluded_outputs(exclude))
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if progress and total is None and isinstance(source, (str, Path)):
        total = jsonl_total(Path(source))
    return BatchRun(
        tasks,
        _Settings(when, compiled, prof, engine, ship),
        processes=processes,
        chunksize=chunksize,
        progress=progress,
        total=total,
        executor=executor,
    )
