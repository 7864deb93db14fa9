"""Planned input objects (schema.input_plan) build exactly what strawberry's own conversion builds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Generic, TypeVar

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)
from graphql.utilities import coerce_input_value
from strawberry.relay import GlobalID
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition

from schema.build import build_schema
from schema.input_plan import planned_input
from schema.query import Query

SCHEMA = build_schema()
SCALARS = {
    "String": "Cardiology",
    "ID": "net-1",
    "Float": 12.5,
    "Int": 7,
    "Boolean": True,
    "Date": "2026-06-01",
}


def _input_types() -> list[tuple[type, GraphQLInputObjectType]]:
    out = []
    for concrete in SCHEMA.schema_converter.type_map.values():
        definition = concrete.definition
        if isinstance(definition, StrawberryObjectDefinition) and definition.is_input:
            implementation = concrete.implementation
            assert isinstance(implementation, GraphQLInputObjectType)
            out.append((definition.origin, implementation))
    return sorted(out, key=lambda pair: pair[1].name)


INPUT_TYPES = _input_types()


def _sample(type_: GraphQLInputType, mode: str) -> Any:
    """A client's JSON value of ``type_``: every field given ("full"), the required ones only
    ("minimal"), or every nullable one an explicit null ("nulls")."""
    required = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if mode == "nulls" and not required:
        return None
    if isinstance(inner, GraphQLList):
        return [_sample(inner.of_type, mode), _sample(inner.of_type, "full")]
    if isinstance(inner, GraphQLEnumType):
        return list(inner.values)[-1]
    if isinstance(inner, GraphQLScalarType):
        return SCALARS[inner.name]
    assert isinstance(inner, GraphQLInputObjectType)
    return {
        name: _sample(field.type, mode)
        for name, field in inner.fields.items()
        if mode != "minimal" or (isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined)
    }


@contextmanager
def _strawberry_conversion(*classes: type) -> Iterator[None]:
    """strawberry's own conversion for ``classes`` (default: every input type of the schema), the plans
    put back after."""
    definitions = [get_object_definition(c, strict=True) for c in classes or [c for c, _ in INPUT_TYPES]]
    hooks = [d.from_input for d in definitions]
    for d in definitions:
        d.from_input = None
    try:
        yield
    finally:
        for d, hook in zip(definitions, hooks, strict=True):
            d.from_input = hook


def _convert(cls: type, value: Any) -> Any:
    registry = SCHEMA.schema_converter.scalar_registry
    return convert_argument(value, cls, registry, SCHEMA.config)


def test_the_schema_has_input_types_and_every_one_is_planned() -> None:
    names = {gql.name for _, gql in INPUT_TYPES}
    assert {"ReferralSearchInput", "GeoInput", "ProviderFilter", "NetworkAdequacyInput"} <= names
    unplanned = [
        gql.name for cls, gql in INPUT_TYPES if get_object_definition(cls, strict=True).from_input is None
    ]
    assert unplanned == [], "put @planned_input on these input types"


@pytest.mark.parametrize("mode", ["full", "minimal", "nulls"])
@pytest.mark.parametrize(("cls", "gql"), INPUT_TYPES, ids=[gql.name for _, gql in INPUT_TYPES])
def test_a_planned_type_builds_what_strawberry_builds(
    cls: type, gql: GraphQLInputObjectType, mode: str
) -> None:
    # What graphql-core hands strawberry for a client's value.
    coerced = coerce_input_value(_sample(GraphQLNonNull(gql), mode), gql)
    planned = _convert(cls, coerced)
    with _strawberry_conversion():
        expected = _convert(cls, coerced)
    assert type(planned) is type(expected) is cls
    assert planned == expected
    assert vars(planned) == vars(expected)


def test_a_list_is_copied_not_the_coerced_value_itself() -> None:
    """As strawberry does: graphql-core may hand every request the same list (a published default)."""
    coerced = coerce_input_value({"state": "CT", "countyFips": ["09003"]}, _gql("NetworkAdequacyInput"))
    built = _convert(_cls("NetworkAdequacyInput"), coerced)
    assert built.county_fips == ["09003"]
    assert built.county_fips is not coerced["countyFips"]


def test_the_referral_search_argument_is_built_with_its_nested_input() -> None:
    """The root field's argument type, as the resolver gets it (here without graphql-core, which would
    also fill in the published defaults)."""
    field = next(f for f in Query.__strawberry_definition__.fields if f.python_name == "referral_options")
    value = {
        "pcpNpi": "1234567893",
        "planId": "P1",
        "near": {"lat": 41.5, "lon": -72.6, "zip": None},
        "radiusMiles": 10.0,
        "asOf": date(2026, 6, 1),
    }
    built = _convert(field.arguments[0].type, value)
    assert built.near.lat == 41.5 and built.near.zip is None
    assert built.as_of == date(2026, 6, 1) and built.specialty is None
    assert built.order_by.name == "DISTANCE"  # omitted here: the class's default


@planned_input
@strawberry.input
class GeoLocal:
    zip: str


@planned_input
@strawberry.input
class Local:
    """Outside the schema: its nullable fields have no default, which no type of the schema has."""

    inner: GeoLocal | None
    count: int | None
    label: str = "x"
    gid: GlobalID | None = None


def test_an_omitted_field_without_a_default_is_none_as_strawberry_makes_it() -> None:
    given = {"inner": {"zip": "06103"}, "count": 3, "gid": "UHJhY3RpdGlvbmVyOjE="}
    empty, built = _convert(Local, {}), _convert(Local, given)
    with _strawberry_conversion(Local, GeoLocal):
        assert empty == _convert(Local, {})
        assert built == _convert(Local, given)
    assert empty == Local(inner=None, count=None, label="x")
    assert built.inner == GeoLocal(zip="06103") and built.count == 3
    assert built.gid == GlobalID("Practitioner", "1")  # decoded, not taken as the text


def test_planned_input_refuses_what_it_cannot_build() -> None:
    @strawberry.type
    class Output:
        x: int

    @strawberry.input
    class WithMaybe:
        x: strawberry.Maybe[int]

    with pytest.raises(TypeError, match="not a strawberry input type"):
        planned_input(Output)
    with pytest.raises(TypeError, match="Maybe field"):
        planned_input(WithMaybe)
    with pytest.raises(TypeError, match="already builds"):
        planned_input(_cls("GeoInput"))
    with pytest.raises(TypeError, match="generic"):
        planned_input(Ranged)


def test_a_maybe_field_behind_a_forward_reference_is_refused_on_first_use() -> None:
    with pytest.raises(TypeError, match=r"LateMaybe\.x is a Maybe field"):
        _convert(LateMaybe, {"x": None})


T = TypeVar("T")


@strawberry.input
class Ranged(Generic[T]):
    low: T


@planned_input
@strawberry.input
class LateMaybe:
    x: strawberry.Maybe[Later | None]  # Later is not defined yet: planned_input cannot see the Maybe


@strawberry.input
class Later:
    y: int


def _gql(name: str) -> GraphQLInputObjectType:
    return next(gql for _, gql in INPUT_TYPES if gql.name == name)


def _cls(name: str) -> type:
    return next(cls for cls, gql in INPUT_TYPES if gql.name == name)
