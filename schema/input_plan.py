"""Input objects built from a plan made once per type, not by strawberry's walk of the type per call.

strawberry converts an input object argument field by field on every request, resolving each field's
type and camel-casing its name each time: ~120 us of a ``referralOptions`` request, 8% of what pnet's
Python spends on it apart from the store (BENCHMARKS.md, optimisation 44). :func:`planned_input` gives a
type's definition a ``from_input`` hook, strawberry's own for types that build their values themselves,
which does the same conversion from what it worked out on first use: a field holding a scalar or an enum
is taken as graphql-core coerced it; nested input objects and lists still go through strawberry's
conversion (a nested planned type then builds itself by its plan). ``tests/unit/test_input_plan.py``
checks every input type of the schema builds what strawberry's conversion builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from typing import Any, TypeVar

from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
    get_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

T = TypeVar("T", bound=type)
# strawberry validates a Maybe field's explicit null only for types without a from_input hook.
_MAYBE = "strawberry's own conversion must build this type"


@dataclass(frozen=True, slots=True)
class _Field:
    graphql_name: str
    python_name: str
    type: StrawberryType | type
    # A scalar (GlobalID aside: strawberry decodes it) or an enum, optional or not: the value graphql-core
    # coerced is the Python value.
    as_coerced: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    # What the plan was made for: the names depend on the schema's name converter, the fields taken as
    # coerced on its scalars.
    config: StrawberryConfig
    scalar_registry: Mapping[object, Any]
    fields: tuple[_Field, ...]
    nulls: Mapping[str, None]  # fields without a default are None when omitted, as strawberry does


class _Builder:
    """The ``from_input`` hook of one input type."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self._definition = definition
        self._plan: _Plan | None = None

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        plan = self._plan
        if (
            plan is None
            or plan.config is not context.config
            or plan.scalar_registry is not context.scalar_registry
        ):
            # Made on first use, when the schema has resolved every annotation, and again for another
            # schema (tests build many); a plan is replaced whole, so a concurrent request sees one plan or
            # the other.
            plan = self._plan = self._make(context)
        kwargs: dict[str, Any] = dict(plan.nulls)
        for field in plan.fields:
            if field.graphql_name in value:
                item = value[field.graphql_name]
                if item is None or field.as_coerced:
                    kwargs[field.python_name] = item
                else:
                    kwargs[field.python_name] = context.convert(item, field.type, field.graphql_name)
        return cls(**kwargs)

    def _make(self, context: InputContext) -> _Plan:
        definition = self._definition
        fields: list[_Field] = []
        for field in definition.fields:
            type_ = field.resolve_type(type_definition=definition)
            if isinstance(type_, StrawberryMaybe):  # a forward reference hid it from planned_input
                raise TypeError(f"{definition.name}.{field.python_name} is a Maybe field: {_MAYBE}")
            fields.append(
                _Field(
                    graphql_name=context.config.name_converter.from_field(field),
                    python_name=field.python_name,
                    type=type_,
                    as_coerced=_as_coerced(type_, context),
                )
            )
        nulls = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is MISSING and f.default_factory is MISSING
        }
        return _Plan(context.config, context.scalar_registry, tuple(fields), nulls)


def _as_coerced(type_: StrawberryType | type, context: InputContext) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is GlobalID:  # strawberry decodes it from its text
        return False
    return (
        is_scalar(type_, context.scalar_registry)
        or isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
    )


def planned_input(cls: T) -> T:
    """Builds the ``@strawberry.input`` class ``cls`` by a plan (put it above ``@strawberry.input``).

    Refused: a type with a ``Maybe`` field (see ``_MAYBE``; one behind a forward reference is refused on
    first use) and a generic type (its specialisations share the hook, and each needs its own plan)."""
    definition = get_object_definition(cls, strict=True)
    if not definition.is_input:
        raise TypeError(f"{cls.__name__} is not a strawberry input type")
    if definition.from_input is not None:
        raise TypeError(f"{cls.__name__} already builds its own values")
    if definition.is_graphql_generic:
        raise TypeError(f"{cls.__name__} is generic: each specialisation would need a plan of its own")
    if any(isinstance(f.type, StrawberryMaybe) for f in definition.fields):
        raise TypeError(f"{cls.__name__} has a Maybe field: {_MAYBE}")
    definition.from_input = _Builder(definition)
    return cls
