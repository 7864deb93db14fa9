"""Limits from Settings: each over-limit request is a GraphQL error with its ``extensions.code``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from support.api_region import (
    REFERRAL_QUERY,
    BrokenStore,
    api_app,
    api_client,
    build_region,
    gql,
    referral_variables,
)

from network.store.memory import MemoryStore


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_query_too_deep() -> None:
    deep = '{ provider(npi: "1003000100") { topReferralTargets { provider { topReferralTargets { provider {'
    deep += " topReferralTargets { provider { name } } } } } } } }"
    async with api_client(build_region(MemoryStore()), max_query_depth=4) as client:
        body = await gql(client, deep)
        shallow = await gql(client, '{ provider(npi: "1003000100") { name } }')
    assert codes(body) == ["QUERY_TOO_DEEP"]
    assert "maximum operation depth of 4" in body["errors"][0]["message"]
    assert body["data"] is None
    assert shallow["data"]["provider"]["name"] == "Paula Primary"


async def test_too_many_aliases() -> None:
    aliased = "{ " + " ".join(f'a{i}: plan(id: "HMO") {{ id }}' for i in range(6)) + " }"
    async with api_client(build_region(MemoryStore()), max_aliases=5) as client:
        body = await gql(client, aliased)
    assert codes(body) == ["TOO_MANY_ALIASES"]


async def test_too_many_tokens() -> None:
    long_query = "{ " + " ".join("__typename" for _ in range(200)) + " }"
    async with api_client(MemoryStore(), max_tokens=100) as client:
        body = await gql(client, long_query)
    assert codes(body) == ["TOO_MANY_TOKENS"]


async def test_page_too_large_and_negative() -> None:
    async with api_client(build_region(MemoryStore()), max_page_size=5) as client:
        big = await gql(client, REFERRAL_QUERY, referral_variables(first=6))
        negative = await gql(client, REFERRAL_QUERY, referral_variables(first=-1))
        fits = await gql(client, REFERRAL_QUERY, referral_variables(first=5))
        default = await gql(client, REFERRAL_QUERY, referral_variables(first=None))
    assert codes(big) == ["PAGE_TOO_LARGE"]
    assert "at most 5" in big["errors"][0]["message"]
    assert codes(negative) == ["BAD_USER_INPUT"]
    assert fits["data"]["referralOptions"]["__typename"] == "ReferralOptions"
    assert len(default["data"]["referralOptions"]["edges"]) == 5  # null first: the default, capped


async def test_timeout_answers_instead_of_hanging() -> None:
    store = build_region(BrokenStore())
    store.stall_s = 2.0
    async with api_client(store, request_timeout_s=0.2) as client:
        body = await gql(client, '{ provider(npi: "1003000100") { name } }')
    assert codes(body) == ["TIMEOUT"]
    assert body["data"] is None


async def test_calls_abandoned_at_the_timeout_do_not_hold_up_later_requests() -> None:
    # More stuck calls than the API has store threads (anyio's 40): each is abandoned at the timeout and
    # gives its place back, so a request after them finds the store, not a queue behind them.
    store = build_region(BrokenStore())
    store.stall_s = 1.5
    async with api_client(store, request_timeout_s=0.2) as client:
        stuck = await asyncio.gather(
            *(gql(client, '{ provider(npi: "1003000100") { name } }') for _ in range(45))
        )
        store.stall_s = 0.0
        after = await gql(client, '{ provider(npi: "1003000100") { name } }')
    assert {code for body in stuck for code in codes(body)} == {"TIMEOUT"}
    assert "errors" not in after and after["data"]["provider"] is not None


async def test_introspection_can_be_turned_off() -> None:
    query = "{ __schema { queryType { name } } }"
    async with api_client(MemoryStore(), introspection=True) as client:
        on = await gql(client, query)
    async with api_client(MemoryStore(), introspection=False) as client:
        off = await gql(client, query)
    assert on["data"]["__schema"]["queryType"]["name"] == "Query"
    assert set(codes(off)) == {"INTROSPECTION_DISABLED"}
    assert off["data"] is None


async def test_parse_validation_and_variable_errors_have_codes() -> None:
    async with api_client(MemoryStore()) as client:
        parse = await gql(client, "{ provider(npi: ")
        unknown_field = await gql(client, '{ provider(npi: "1") { shoeSize } }')
        bad_variable = await gql(client, REFERRAL_QUERY, referral_variables(radiusMiles="far"))
    assert codes(parse) == ["GRAPHQL_PARSE_FAILED"]
    assert codes(unknown_field) == ["GRAPHQL_VALIDATION_FAILED"]
    assert codes(bad_variable) == ["BAD_USER_INPUT"]


async def test_batches_are_refused() -> None:
    async with api_client(MemoryStore()) as client:
        response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400


async def test_a_body_that_is_not_json_is_a_400_and_one_in_another_unicode_form_is_read() -> None:
    headers = {"content-type": "application/json"}
    query = '{"query": "{ __typename }"}'
    async with api_client(MemoryStore()) as client:
        for body in (b'{"query": ', b"\xff\xfe\xfd", b'{"query": "\xc3\x28"}'):
            response = await client.post("/graphql", content=body, headers=headers)
            assert response.status_code == 400, body
            assert "Unable to parse request body as JSON" in response.text
        for body in (b"\xef\xbb\xbf" + query.encode(), query.encode("utf-16")):  # a BOM; UTF-16
            response = await client.post("/graphql", content=body, headers=headers)
            assert response.status_code == 200, body
            assert response.json() == {"data": {"__typename": "Query"}}


async def test_validation_is_cached_per_operation_text_and_keeps_its_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # strawberry validates by itself whatever an extension left unvalidated: count its own calls.
    own: list[object] = []
    validate = strawberry_schema.validate_document
    monkeypatch.setattr(strawberry_schema, "validate_document", lambda *a: own.append(a) or validate(*a))
    deep = '{ provider(npi: "1003000100") { topReferralTargets { provider { topReferralTargets { provider {'
    deep += " name } } } } } }"
    async with api_app(build_region(MemoryStore())) as (app, client):
        cache = app.state.runtime.schema.documents
        await gql(client, REFERRAL_QUERY, referral_variables())
        before = cache.prepared.cache_info().hits
        again = await gql(client, REFERRAL_QUERY, referral_variables(radiusMiles=30))
        assert cache.prepared.cache_info().hits == before + 1  # same text, same rules
        assert "errors" not in again
        assert own == []  # the verdict pnet found was the one used
    async with api_app(build_region(MemoryStore()), max_query_depth=4) as (app, client):
        cache = app.state.runtime.schema.documents
        assert codes(await gql(client, deep)) == ["QUERY_TOO_DEEP"]
        before = cache.prepared.cache_info().hits
        assert codes(await gql(client, deep)) == ["QUERY_TOO_DEEP"]  # the cached verdict
        assert cache.prepared.cache_info().hits == before + 1


async def test_a_document_that_does_not_parse_is_reported_and_not_cached() -> None:
    async with api_app(build_region(MemoryStore()), max_tokens=20) as (app, client):
        cache = app.state.runtime.schema.documents
        assert codes(await gql(client, "{ provider(npi: ")) == ["GRAPHQL_PARSE_FAILED"]
        many = "{ " + " ".join(f"a{i}: __typename" for i in range(12)) + " }"
        assert codes(await gql(client, many)) == ["TOO_MANY_TOKENS"]
        assert codes(await gql(client, many)) == ["TOO_MANY_TOKENS"]
        assert cache.prepared.cache_info().currsize == 0
