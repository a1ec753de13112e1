"""Notebook helpers: DataFrames of reports, a timeline plot of one case, published tables to compare.

Needs the ``analysis`` extra (pandas, matplotlib):
``pip install 'samarbeid-rules[analysis]'``. Importing this module does not
import pandas or matplotlib; calling a function does, and raises an
``ImportError`` naming the extra if they are missing.

- :func:`report_dataframe`: one row per obligation of a report;
- :func:`gaps_dataframe`: one row per gap (missed looks, uncovered time);
- :func:`batch_dataframe`: one row per obligation of many reports;
- :func:`plot_case`: a case's custody, measures, looks, obligations, breaches
  and gaps on one time axis, with a legend; ``window=`` zooms to hours;
- :func:`figures_table`: population figures as plain text;
- :class:`PublishedShares`, :data:`AUDIT_003`, :func:`compare_with_published`:
  a published table of notice timing (the audit's categories) against the
  figures' ``notice_timing``.

Typed result tables (Parquet, CSV, DataFrames for DuckDB) are in
:mod:`samarbeid_rules.tables`.
"""

from ._uses.figures import NOTICE_CATEGORIES, figures_table
from ._uses.release_timing import AUDIT_003, PublishedShares, compare_with_published
from ._outputs.notebook import batch_dataframe, gaps_dataframe, plot_case, report_dataframe

__all__ = [
    "AUDIT_003",
    "NOTICE_CATEGORIES",
    "PublishedShares",
    "batch_dataframe",
    "compare_with_published",
    "figures_table",
    "gaps_dataframe",
    "plot_case",
    "report_dataframe",
]
