"""The library's exceptions.

Every error the library raises on bad input is one of these, and each carries
the location of the problem as keyword attributes, so a caller can point at it
without parsing the message::

    SamarbeidError (Exception)
    ├── TimelineError (ValueError)      a timeline does not validate
    │                                    .source  .index  .event_id  .field
    │                                    (.line  .column: JSON that does not parse)
    ├── RuleFileError (ValueError)      a rule file or the rule set is invalid
    │                                    .path  .line  .field
    ├── ProfileError (ValueError)       an interpretation profile is invalid
    │                                    .path  .line  .field
    ├── InstitutionError (ValueError)   a prison's records do not validate
    │                                    .source  .collection  .index  .record_id  .field
    │                                    (.line  .column: JSON that does not parse)
    ├── ScenarioError (ValueError)      a scenario file is invalid
    │                                    .path  .line  .field
    ├── TableError (ValueError)         an event or person table is invalid
    │                                    .source  .row  .column  .line  .case_id
    ├── EngineUnavailableError (RuntimeError)
    │                                    the asked-for engine cannot run here
    ├── EngineFailedError (RuntimeError) the engine crashed, hung or ran out of memory
    │                                    on one timeline (it runs isolated; see docs/engines.md)
    │                                    .engine  .reason
    └── BatchAbortedError (RuntimeError) a batch could not finish: a worker process
                                         died, or the run was interrupted
                                         .location  .reason

Messages never contain event payloads or personal data: they name ids,
indices, field names and what was expected; a rejected value is never
repeated. Every part of a location is shown escaped (a character that is not
printable, such as a newline in a file name, is written as ``\\n``, ``\\x1b``
…), so a message is always one line.
"""

from __future__ import annotations

__all__ = [
    "BatchAbortedError",
    "EngineFailedError",
    "EngineUnavailableError",
    "InstitutionError",
    "ProfileError",
    "RuleFileError",
    "SamarbeidError",
    "ScenarioError",
    "TableError",
    "TimelineError",
]


class SamarbeidError(Exception):
    """Base class of every error samarbeid-rules raises on purpose."""


class TimelineError(SamarbeidError, ValueError):
    """A timeline failed validation.

    ``source`` is the file (or ``"<input>"``), ``index`` the position of the
    event in the ``events`` list, ``event_id`` its id where it has one, and
    ``field`` the dotted field path that is wrong. For JSON that does not
    parse, ``line`` and ``column`` (from 1) say where the reader stopped.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        index: int | None = None,
        event_id: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.index = index
        self.event_id = event_id
        self.field = field
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        return _located(
            "timeline",
            _at_place(self.problem, self.line, self.column),
            self.source,
            f"events[{self.index}]" if self.index is not None else None,
            f"event {quoted(self.event_id)}" if self.event_id is not None else None,
            f"field {quoted(self.field)}" if self.field else None,
        )


def escaped(text: object) -> str:
    """``text`` with every character that is not printable written as an escape
    (``\\n``, ``\\x1b``, ``\\u202e`` …): safe for one line of a terminal or a log."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


def quoted(text: object) -> str:
    """``'text'``, escaped (see :func:`escaped`)."""
    return "'" + escaped(text) + "'"


def _at_place(problem: str, line: int | None, column: int | None) -> str:
    """``problem``, followed by where in the text it was found, if known."""
    return problem if line is None else f"{problem} at line {line} column {column}"


def _located(default: str, problem: str, *where: str | None) -> str:
    """``"a, b, c: problem"`` from the parts of a location that are known (escaped)."""
    known = [escaped(w) for w in where if w]
    return f"{', '.join(known) if known else default}: {escaped(problem)}"


class _FileLocatedError(SamarbeidError, ValueError):
    _default_location = "<input>"

    def __init__(
        self,
        problem: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = path
        self.line = line
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        loc = escaped(self.path or self._default_location)
        if self.line is not None:
            loc += f":{self.line}"
        if self.field:
            loc += f": {escaped(self.field)}"
        return f"{loc}: {escaped(self.problem)}"


class RuleFileError(_FileLocatedError):
    """A rule file (or the rule set as a whole) is invalid.

    ``path`` is the file, ``line`` the 1-based line where the problem is when
    it can be found, ``field`` the dotted path inside the file.
    """

    _default_location = "<rules>"


class ProfileError(_FileLocatedError):
    """An interpretation profile, or an override of one, is invalid."""

    _default_location = "<profile>"


class EngineUnavailableError(SamarbeidError, RuntimeError):
    """The engine asked for cannot run in this interpreter (and why)."""


class InstitutionError(SamarbeidError, ValueError):
    """An institution's records failed validation.

    ``source`` is the file (or ``"<input>"``), ``collection`` the list the bad
    record is in (``routines``, ``agreements`` or ``meetings``), ``index`` its
    position in that list, ``record_id`` its id where it has one, and
    ``field`` the dotted field path that is wrong. For JSON that does not
    parse, ``line`` and ``column`` (from 1) say where the reader stopped.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        collection: str | None = None,
        index: int | None = None,
        record_id: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.collection = collection
        self.index = index
        self.record_id = record_id
        self.field = field
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        collection = self.collection
        if collection is not None and self.index is not None:
            collection = f"{collection}[{self.index}]"
        return _located(
            "institution",
            _at_place(self.problem, self.line, self.column),
            self.source,
            collection,
            f"record {quoted(self.record_id)}" if self.record_id is not None else None,
            f"field {quoted(self.field)}" if self.field else None,
        )


class ScenarioError(_FileLocatedError):
    """A scenario file (the YAML case format of ``docs/scenarios.md``) is invalid.

    ``path`` is the file, ``line`` the 1-based line of the problem, ``field``
    the dotted path inside the file (``violations.2.move.fu``). The message
    names what is wrong, never the value found there.
    """

    _default_location = "<scenario>"


class TableError(SamarbeidError, ValueError):
    """An event or person table (CSV, Parquet, a DataFrame) cannot become timelines.

    ``source`` is the file or ``"<events>"`` / ``"<persons>"``, ``row`` the
    1-based data row (the header is not counted; in a CSV file the row is on
    line ``row + 1`` unless a quoted cell holds a line break, and ``line``
    says where it is), ``column`` the column. The message never holds the
    cell's value.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        case_id: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.row = row
        self.column = column
        self.line = line
        self.case_id = case_id
        super().__init__(self._render())

    def _render(self) -> str:
        row = None
        if self.row is not None:
            row = f"row {self.row}" + (f" (line {self.line})" if self.line is not None else "")
        return _located(
            "table",
            self.problem,
            self.source,
            row,
            f"column {self.column!r}" if self.column else None,
            f"case {self.case_id!r}" if self.case_id is not None else None,
        )


class EngineFailedError(SamarbeidError, RuntimeError):
    """The engine failed on one evaluation: its isolated worker crashed, hung past its
    watchdog or ran out of memory. ``engine`` names it, ``reason`` says what happened."""

    def __init__(self, reason: str, *, engine: str) -> None:
        self.reason = reason
        self.engine = engine
        super().__init__(f"engine {engine}: {escaped(reason)}")


class BatchAbortedError(SamarbeidError, RuntimeError):
    """A batch run could not finish: a worker process died (``location`` is the timeline
    it was given, when known) or the run was interrupted."""

    def __init__(self, reason: str, *, location: str | None = None) -> None:
        self.reason = reason
        self.location = location
        where = f"{escaped(location)}: " if location else ""
        super().__init__(f"{where}{escaped(reason)}")
