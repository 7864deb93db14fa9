"""Planned completion (schema.executor) answers exactly as graphql-core's own walk, errors included."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

import pytest
import strawberry
from graphql.execution import Executor
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from support.api_region import PCP, REFERRAL_QUERY, build_region, referral_variables

from network.settings import Settings
from network.store.memory import MemoryStore
from schema.build import build_schema
from schema.context import ApiContext
from schema.executor import PlannedExecutor, planned_executor
from schema.gateway import StoreGateway
from schema.metrics import ApiMetrics

ALIASES_AND_FRAGMENTS = """
fragment Place on Location { id where: city zip lat }
query($input: ReferralSearchInput!) {
  page: referralOptions(input: $input, first: 5) {
    kind: __typename
    ... on ReferralOptions {
      n: totalCount
      edges {
        node {
          __typename
          specialist { npi who: name }
          location { ...Place lon }
          location { id state }
          ... on ReferralOption { network { id } specialty { code } }
        }
      }
      plan { id name networks { id name } }
      pageInfo { endCursor hasNextPage }
    }
  }
}
"""

SKIPPED = """
query($input: ReferralSearchInput!, $with: Boolean!) {
  referralOptions(input: $input, first: 3) {
    ... on ReferralOptions { edges { node { specialist { npi name @include(if: $with) } distanceMiles } } }
  }
}
"""

PROVIDER = """
query($npi: String!) {
  provider(npi: $npi) {
    npi name languages
    locations { id city lat lon }
    specialties { code display pcpEligible }
    participations { id role network { id name } }
  }
}
"""


def _schema(planned: bool) -> Any:
    schema = build_schema(Settings())
    if not planned:
        schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return schema


@pytest.fixture(scope="module")
def gateway() -> StoreGateway:
    return StoreGateway(build_region(MemoryStore(), specialists=30), ApiMetrics())


async def _run(schema: Any, gateway: StoreGateway, query: str, variables: dict[str, Any]) -> Any:
    context = ApiContext(settings=Settings(), gateway=gateway, request_id="t")
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return result.data, [(e.message, e.path) for e in result.errors or []]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (REFERRAL_QUERY, referral_variables(first=25, radiusMiles=100)),
        (ALIASES_AND_FRAGMENTS, {"input": referral_variables()["input"]}),
        (SKIPPED, {"input": referral_variables()["input"], "with": True}),
        (SKIPPED, {"input": referral_variables()["input"], "with": False}),
        (PROVIDER, {"npi": PCP}),
    ],
    ids=["referral-page", "aliases-fragments", "include-true", "include-false", "provider"],
)
async def test_planned_and_graphql_core_answer_alike(
    gateway: StoreGateway, query: str, variables: dict[str, Any]
) -> None:
    planned = await _run(_schema(True), gateway, query, variables)
    walked = await _run(_schema(False), gateway, query, variables)
    assert planned == walked
    assert planned[0] is not None and not planned[1]


async def test_a_plain_page_skips_graphql_cores_field_walk(
    gateway: StoreGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    walk = Executor.execute_field

    def counted(self: Executor, parent_type: Any, *args: Any) -> Any:
        calls.append(parent_type.name)
        return walk(self, parent_type, *args)

    monkeypatch.setattr(Executor, "execute_field", counted)
    variables = referral_variables(first=25, radiusMiles=100)
    data, _ = await _run(_schema(False), gateway, REFERRAL_QUERY, variables)
    walked = len(calls)
    calls.clear()
    planned, _ = await _run(_schema(True), gateway, REFERRAL_QUERY, variables)
    assert planned == data and len(data["referralOptions"]["edges"]) > 5
    # graphql-core walks only to the resolvers: the root field, `totalCount` (a resolver: it refuses a
    # search that was not counted), `edges`, and per edge `node` and `specialist` (their subtrees hold
    # resolvers) and the specialist's `primarySpecialty` and `locations`.
    edges = len(data["referralOptions"]["edges"])
    assert sorted(set(calls)) == [
        "Provider",
        "Query",
        "ReferralOption",
        "ReferralOptionEdge",
        "ReferralOptions",
    ]
    assert calls.count("Query") == 1 and calls.count("ReferralOptions") == 2  # totalCount, edges
    assert len(calls) == 3 + 4 * edges < walked / 3


# A small schema for what the pnet schema never produces: nulls where they are not allowed, values a
# scalar refuses, iterables that are not lists, enums, dates, resolvers and middleware below plain fields.
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    count: int
    colour: Colour
    day: date
    tags: list[str]


@strawberry.type
class Branch:
    leaf: Leaf | None
    leaves: list[Leaf]
    label: str

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()


def _leaf(**change: Any) -> Leaf:
    values: dict[str, Any] = {
        "name": "a",
        "count": 1,
        "colour": Colour.RED,
        "day": date(2026, 1, 2),
        "tags": ["x", "y"],
    }
    return Leaf(**{**values, **change})


def _branches() -> dict[str, Branch]:  # made afresh for each request: one of them holds a generator
    return {
        "fine": Branch(leaf=_leaf(), leaves=[_leaf(), _leaf(colour=Colour.BLUE)], label="b"),
        "null_name": Branch(leaf=_leaf(name=None), leaves=[], label="b"),
        "null_in_list": Branch(leaf=None, leaves=[_leaf(), _leaf(count=None)], label="b"),
        "bad_int": Branch(leaf=_leaf(count="many"), leaves=[], label="b"),
        "tuple_tags": Branch(leaf=_leaf(tags=("p", "q")), leaves=[], label="b"),
        "generator_tags": Branch(leaf=_leaf(tags=(t for t in "rs")), leaves=[], label="b"),
        "bad_enum": Branch(leaf=_leaf(colour="green"), leaves=[], label="b"),
    }


@strawberry.type
class Toy:
    @strawberry.field
    def branch(self, key: str) -> Branch | None:
        return _branches()[key]


LEAF = "{ name count colour day tags __typename }"
TOY_QUERY = f"query($key: String!) {{ branch(key: $key) {{ label leaf {LEAF} leaves {LEAF} }} }}"


def _toy(planned: bool, extensions: list[Any] | None = None) -> strawberry.Schema:
    executor = planned_executor(64) if planned else StrawberryGraphQLCoreExecutionContext
    return strawberry.Schema(query=Toy, execution_context_class=executor, extensions=extensions or [])


def _toy_run(schema: strawberry.Schema, query: str, key: str) -> Any:
    result = schema.execute_sync(query, variable_values={"key": key})
    return result.data, [(e.message, e.path) for e in result.errors or []]


@pytest.mark.parametrize("key", sorted(_branches()))
def test_surprises_fall_back_to_graphql_core(key: str) -> None:
    planned = _toy_run(_toy(True), TOY_QUERY, key)
    assert planned == _toy_run(_toy(False), TOY_QUERY, key)
    if key not in ("fine", "tuple_tags", "generator_tags"):
        assert planned[1], "each of these is an error in graphql-core's completion"


def test_a_resolver_below_plain_fields_still_runs() -> None:
    query = 'query { branch(key: "fine") { shout leaf { name } } }'
    assert _toy_run(_toy(True), query, "fine") == ({"branch": {"shout": "B", "leaf": {"name": "a"}}}, [])


def test_plans_are_reused_across_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    compile_object = PlannedExecutor._compile_object

    def counted(self: PlannedExecutor, object_type: Any, details: Any) -> Any:
        compiled.append(object_type.name)
        return compile_object(self, object_type, details)

    monkeypatch.setattr(PlannedExecutor, "_compile_object", counted)
    schema = _toy(True, [ParserCache])  # the same document, and so the same field nodes, each time
    query = 'query { branch(key: "fine") { label leaves { name } } }'
    first = _toy_run(schema, query, "fine")
    assert compiled == ["Branch"]  # its leaves are planned with it
    assert _toy_run(schema, query, "fine") == first
    assert compiled == ["Branch"], "the cached plan serves the second request"


def test_resolver_middleware_sees_every_field() -> None:
    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    def watched(planned: bool) -> list[str]:
        seen.clear()
        _toy_run(_toy(planned, [Watch]), TOY_QUERY, "fine")
        return sorted(seen)

    assert watched(True) == watched(False)
    assert "colour" in watched(True)


def test_directive_free_plans_only(monkeypatch: pytest.MonkeyPatch) -> None:
    plans: list[Any] = []
    plan = PlannedExecutor._plan

    def kept(self: PlannedExecutor, object_type: Any, details: Any) -> Any:
        found = plan(self, object_type, details)
        plans.append((object_type.name, found is not None))
        return found

    monkeypatch.setattr(PlannedExecutor, "_plan", kept)
    query = 'query($on: Boolean!) { branch(key: "fine") { label leaf { name @skip(if: $on) } } }'
    for on in (True, False):
        result = _toy(True).execute_sync(query, variable_values={"on": on})
        assert result.data == {"branch": {"label": "b", "leaf": {} if on else {"name": "a"}}}
    # Branch reads `label` by plan and leaves `leaf` to graphql-core; Leaf's selection has a directive.
    assert ("Branch", True) in plans and ("Leaf", False) in plans
