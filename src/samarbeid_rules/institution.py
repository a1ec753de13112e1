"""Institution-level checks (catalog section F): a prison's routines, agreements and meetings.

The public face of :mod:`samarbeid_rules._institution`::

    >>> from samarbeid_rules.institution import check_institution, load_institution
    >>> report = check_institution(load_institution("examples/institution/prison-017.json"),
    ...                            as_of=date(2026, 3, 1))  # doctest: +SKIP
    >>> [f.duty_id for f in report.breaches]  # doctest: +SKIP

See ``docs/institution.md``.
"""

from ._institution import (
    RULES_EFFECTIVE_DEFAULT,
    STALE_AFTER_DEFAULT,
    Agreement,
    AgreementKind,
    Institution,
    InstitutionError,
    InstitutionFinding,
    InstitutionReport,
    Meeting,
    MeetingGap,
    MeetingLevel,
    Party,
    Routine,
    RoutineTopic,
    TopicFinding,
    check_institution,
    load_institution,
)

__all__ = [
    "Agreement",
    "AgreementKind",
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
