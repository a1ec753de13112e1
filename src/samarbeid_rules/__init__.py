"""samarbeid-rules: checks a custody timeline against the duties Norwegian law
and circulars put on the prison (*kriminalomsorgen*) and the health services.

The public API is what this module exports; everything in ``_``-modules is
private and may change.

    >>> from samarbeid_rules import evaluate, load_timeline
    >>> report = evaluate(load_timeline("examples/adult_exclusion_missed_look.json"))  # doctest: +SKIP
    >>> [o.status for o in report.breaches]  # doctest: +SKIP
"""

from ._uses.analytics import population_figures
from ._uses.batch import BatchItem, BatchRun, evaluate_many
from ._common.errors import (
    BatchAbortedError,
    EngineFailedError,
    EngineUnavailableError,
    ProfileError,
    RuleFileError,
    SamarbeidError,
    TimelineError,
)
from ._uses.coverage import Coverage, coverage
from ._pipeline.evaluate import evaluate
from ._uses.explain import Explanation, explain
from ._common.errors import InstitutionError
from ._inputs.institution import Institution, load_institution
from ._uses.institution import InstitutionReport, check_institution
from ._uses.monitor import AddResult, Monitor, WorkItem
from ._inputs.profile import Profile, default_profile, load_profile
from ._pipeline.report import EventAccount, EventUse, Gap, Obligation, Report, Status, TermUse, Window
from ._inputs.rules import Citation, RuleFile
from ._inputs.ruleset import RuleSet, load_rules
from ._inputs.timeline import (
    Agency,
    CustodyKind,
    Event,
    ExclusionBasis,
    ExclusionScope,
    Person,
    Timeline,
    load_timeline,
    timeline_json_schema,
)
from ._pipeline.engines import ENGINE_NAMES
from ._outputs import render as _render  # noqa: F401  (registers the notebook HTML views)
from ._outputs import views as _views  # noqa: F401  (batch and population-figure HTML views)

from ._common.version import __version__

__all__ = [
    "AddResult",
    "Agency",
    "BatchAbortedError",
    "BatchItem",
    "BatchRun",
    "Citation",
    "Coverage",
    "CustodyKind",
    "ENGINE_NAMES",
    "EngineFailedError",
    "EngineUnavailableError",
    "Event",
    "EventAccount",
    "EventUse",
    "ExclusionBasis",
    "ExclusionScope",
    "Explanation",
    "Gap",
    "Institution",
    "InstitutionError",
    "InstitutionReport",
    "Monitor",
    "Obligation",
    "Person",
    "Profile",
    "ProfileError",
    "Report",
    "RuleFile",
    "RuleFileError",
    "RuleSet",
    "SamarbeidError",
    "Status",
    "TermUse",
    "Timeline",
    "TimelineError",
    "Window",
    "WorkItem",
    "__version__",
    "check_institution",
    "coverage",
    "default_profile",
    "evaluate",
    "evaluate_many",
    "explain",
    "load_institution",
    "load_profile",
    "load_rules",
    "load_timeline",
    "population_figures",
    "timeline_json_schema",
]
