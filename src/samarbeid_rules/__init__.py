"""samarbeid-rules: checks a custody timeline against the duties Norwegian law
and circulars put on the prison (*kriminalomsorgen*) and the health services.

The public API is what this module exports; everything in ``_``-modules is
private and may change.

    >>> from samarbeid_rules import evaluate, load_timeline
    >>> report = evaluate(load_timeline("examples/adult_exclusion_missed_look.json"))  # doctest: +SKIP
    >>> [o.status for o in report.breaches]  # doctest: +SKIP
"""

from ._analytics import population_figures
from ._batch import BatchItem, BatchRun, evaluate_many
from ._errors import (
    EngineUnavailableError,
    ProfileError,
    RuleFileError,
    SamarbeidError,
    TimelineError,
)
from ._coverage import Coverage, coverage
from ._evaluate import evaluate
from ._explain import Explanation, explain
from ._institution import (
    Institution,
    InstitutionError,
    InstitutionReport,
    check_institution,
    load_institution,
)
from ._monitor import AddResult, Monitor, WorkItem
from ._profile import Profile, default_profile, load_profile
from ._report import EventAccount, EventUse, Gap, Obligation, Report, Status, TermUse, Window
from ._rules import Citation, RuleFile, RuleSet, load_rules
from ._timeline import (
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
from ._engines import ENGINE_NAMES

__version__ = "0.1.0"

__all__ = [
    "AddResult",
    "Agency",
    "BatchItem",
    "BatchRun",
    "Citation",
    "Coverage",
    "CustodyKind",
    "ENGINE_NAMES",
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
