"""Tables in and out: event logs as timelines, and a batch's results as typed tables.

In (``docs/tables.md``):

- :func:`timelines_from_tables`: an events table (one row per event:
  ``case_id``, ``type``, ``at``, the type's fields as columns) and a persons
  table (``case_id``, ``prison_id``, ``person_id``, ``birth_date``) — CSV or
  Parquet files, pandas or Polars DataFrames, pyarrow Tables or records —
  become :class:`~samarbeid_rules.Timeline` objects, ready for
  :func:`~samarbeid_rules.evaluate_many`. Every problem is a
  :class:`TableError` with the row and the column, never the value.
- :func:`localize`: a local wall time (no offset) as an instant, with an
  explicit policy for the repeated and the skipped hour of a daylight-saving
  change (``"raise"``, ``"earlier"``, ``"later"``).
- :func:`event_tables`: timelines back as the two tables.

Out:

- :func:`result_tables`: a batch's ``obligations``, ``gaps``, ``events``
  (event accounts) and ``failures`` as pandas DataFrames with typed columns
  (aware instants, categorical statuses, durations);
- :func:`write_result_tables`: the same as Parquet or CSV files.

Needs the ``analysis`` extra for DataFrames and Parquet
(``pip install 'samarbeid-rules[analysis]'``); CSV files and records are read
without it.
"""

from ._common.errors import TableError
from ._common.localtime import POLICIES, LocalTimeError, localize
from ._inputs.tables import EVENT_COLUMNS, PERSON_COLUMNS, timelines_from_tables
from ._outputs.tables import (
    EVENT_ACCOUNT_COLUMNS,
    FAILURE_COLUMNS,
    GAP_COLUMNS,
    OBLIGATION_COLUMNS,
    ResultTables,
    event_tables,
    result_tables,
    write_result_tables,
)

__all__ = [
    "EVENT_ACCOUNT_COLUMNS",
    "EVENT_COLUMNS",
    "FAILURE_COLUMNS",
    "GAP_COLUMNS",
    "OBLIGATION_COLUMNS",
    "PERSON_COLUMNS",
    "POLICIES",
    "LocalTimeError",
    "ResultTables",
    "TableError",
    "event_tables",
    "localize",
    "result_tables",
    "timelines_from_tables",
    "write_result_tables",
]
