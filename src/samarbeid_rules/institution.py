"""Institution-level checks (catalog section F): a prison's routines, agreements and meetings.

The public face of the institution records (:mod:`samarbeid_rules._inputs.institution`) and their checks (:mod:`samarbeid_rules._uses.institution`)::

    >>> from samarbeid_rules.institution import check_institution, load_institution
    >>> report = check_institution(load_institution("examples/institution/prison-017.json"),
    ...                            as_of=date(2026, 3, 1))  # doctest: +SKIP
    >>> [f.duty_id for f in report.breaches]  # doctest: +SKIP

See ``docs/institution.md``.
"""

from ._common.errors import InstitutionError
from ._inputs.institution import (
    Agreement,
    AgreementKind,
    CooperationRoutine,
    Institution,
    Meeting,
    MeetingLevel,
    Party,
    Routine,
    RoutineTopic,
    load_institution,
)
from ._uses.institution import (
    RULES_EFFECTIVE_DEFAULT,
    STALE_AFTER_DEFAULT,
    InstitutionFinding,
    InstitutionReport,
    MeetingGap,
    TopicFinding,
    check_institution,
)

__all__ = [
    "Agreement",
    "AgreementKind",
    "CooperationRoutine",
    "Institution",
    "InstitutionError",
    "InstitutionFinding",
    "InstitutionReport",
    "Meeting",
    "MeetingGap",
    "MeetingLevel",
    "Party",
    "RULES_EFFECTIVE_DEFAULT",
    "Routine",
    "RoutineTopic",
    "STALE_AFTER_DEFAULT",
    "TopicFinding",
    "check_institution",
    "load_institution",
]
