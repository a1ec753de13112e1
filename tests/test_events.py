"""The event models: one explicit class per event type, grouped by catalog section, and their public face."""

from __future__ import annotations

import ast
import enum
import inspect
import re
import typing
from pathlib import Path

import pytest

import samarbeid_rules
import samarbeid_rules.events as public
from samarbeid_rules._inputs import events
from samarbeid_rules._inputs.events import EVENT_TYPES, admission, base, consent, custody, isolation, release
from samarbeid_rules._inputs.events.base import _EventBase, _MeasureEnd, _MeasureStart

SECTIONS = {"A": admission, "B": custody, "C": release, "D": consent, "E": isolation}



def _class_statements(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def test_every_event_type_is_a_class_statement_in_exactly_one_section_module():
    """Each event class is written out (``class …:``) in one section module, which lists it in ``__all__``."""
    homes: dict[str, str] = {}
    for letter, module in SECTIONS.items():
        written = _class_statements(module)
        assert sorted(module.__all__) == module.__all__, module.__name__
        assert set(module.__all__) <= written, module.__name__
        for name in module.__all__:
            assert name not in homes, f"{name} in sections {homes[name]} and {letter}"
            homes[name] = letter
            assert getattr(module, name).__module__ == module.__name__
    assert set(homes) == {cls.__name__ for cls in EVENT_TYPES.values()}


def test_no_event_class_is_made_at_run_time():
    """The event modules create no class with ``type()`` and set no attribute on a class after it is made."""
    for path in Path(events.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\btype\(\s*[\w\"']+\s*,", text), path.name
        assert "_simple" not in text, path.name
        for node in ast.parse(text).body:
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assert not any(isinstance(t, ast.Attribute) for t in targets), f"{path.name}:{node.lineno}"


def test_the_union_and_event_types_agree():
    """EVENT_TYPES maps each class's ``type`` literal to it, in the order of the Event union; names follow the type."""
    members = typing.get_args(typing.get_args(events.Event)[0])
    assert tuple(EVENT_TYPES.values()) == members
    assert len(members) == 85
    for type_name, cls in EVENT_TYPES.items():
        assert typing.get_args(cls.model_fields["type"].annotation) == (type_name,)
        assert cls.model_fields["type"].default == type_name
        assert cls.__name__ == "".join(part.capitalize() for part in type_name.split("_"))


def test_event_classes_have_docstrings_as_their_schema_descriptions():
    """Every event class has a docstring, which is its JSON Schema description."""
    defs = samarbeid_rules.timeline_json_schema()["$defs"]
    for cls in EVENT_TYPES.values():
        assert cls.__doc__, cls.__name__
        assert defs[cls.__name__]["description"] == inspect.cleandoc(cls.__doc__)


def test_measure_events_name_their_kind_and_only_the_doctors_statement_may_precede():
    """Starts and ends carry their MeasureKind as a class variable; ``may_precede_measure`` is declared, not patched."""
    for cls in EVENT_TYPES.values():
        if issubclass(cls, (_MeasureStart, _MeasureEnd)):
            assert isinstance(cls.measure_kind, base.MeasureKind)
            assert "measure_kind" in vars(cls)
        assert "may_precede_measure" in cls.__class_vars__
        assert cls.may_precede_measure is (cls is isolation.DoctorStatementObtained)
    assert "may_precede_measure" in vars(isolation.DoctorStatementObtained)
    assert "may_precede_measure" not in isolation.DoctorStatementObtained.model_fields


def test_public_events_module_exports_every_event_and_enum():
    """samarbeid_rules.events has a sorted ``__all__``: every event class, every enum of event fields, and Event."""
    assert public.__all__ == sorted(public.__all__)
    enums = {name for name, obj in vars(base).items()
             if isinstance(obj, type) and issubclass(obj, enum.Enum) and obj.__module__ == base.__name__}
    assert set(public.__all__) == {cls.__name__ for cls in EVENT_TYPES.values()} | enums | {"Event"}
    for name in public.__all__:
        assert getattr(public, name) is getattr(events, name)
    for cls in EVENT_TYPES.values():
        assert issubclass(cls, _EventBase)


@pytest.mark.parametrize("letter", sorted(SECTIONS))
def test_public_docstring_lists_each_section_with_its_events(letter):
    """The public module's docstring names every event class under its catalog section's heading."""
    doc = public.__doc__ or ""
    headings = list(re.finditer(r"^([A-E])\. .+$", doc, flags=re.M))
    assert [h[1] for h in headings] == sorted(SECTIONS)
    i = [h[1] for h in headings].index(letter)
    end = headings[i + 1].start() if i + 1 < len(headings) else doc.index("The values of event fields")
    listed = set(re.findall(r"\b[A-Z]\w+\b", doc[headings[i].end():end]))
    assert listed == set(SECTIONS[letter].__all__)


def test_root_package_exports_are_the_same_objects():
    """The names the package root exports from the timeline module are the event package's objects."""
    for name in ("Agency", "CustodyKind", "ExclusionBasis", "ExclusionScope", "Event"):
        assert getattr(samarbeid_rules, name) is getattr(public, name)
