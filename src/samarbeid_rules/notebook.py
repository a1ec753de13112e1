"""Notebook helpers: DataFrames of reports and a timeline plot of one case.

Needs the ``analysis`` extra (pandas, matplotlib):
``pip install 'samarbeid-rules[analysis]'``. Importing this module does not
import pandas or matplotlib; calling a function does, and raises an
``ImportError`` naming the extra if they are missing.

- :func:`report_dataframe`: one row per obligation of a report;
- :func:`gaps_dataframe`: one row per gap (missed looks, uncovered time);
- :func:`batch_dataframe`: one row per obligation of many reports;
- :func:`plot_case`: a case's custody, measures, looks, obligations, breaches
  and gaps on one time axis;
- :func:`figures_table`: population figures as plain text.
"""

from ._uses.figures import figures_table
from ._outputs.notebook import batch_dataframe, gaps_dataframe, plot_case, report_dataframe

__all__ = ["batch_dataframe", "figures_table", "gaps_dataframe", "plot_case", "report_dataframe"]
