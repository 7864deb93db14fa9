"""Expected failures are union members; bugs are masked and logged; an unreachable store fails fast; a
read the store stopped is a timeout."""

from __future__ import annotations

import logging
import threading
from typing import Any

import anyio
import pytest
from support.api_region import (
    PCP,
    REFERRAL_QUERY,
    BrokenStore,
    api_app,
    api_client,
    build_region,
    gql,
    referral_variables,
    unavailable,
)

from network.errors import StoreTimeout
from network.model import Participation
from network.store.memory import MemoryStore
from schema.extensions import TIMEOUT_MESSAGE

PROVIDER_QUERY = '{ provider(npi: "1003000100") { name } }'


@pytest.mark.parametrize(
    ("input_", "typename", "check"),
    [
        ({"pcpNpi": "1999999992"}, "ProviderNotFound", "1999999992"),
        ({"planId": "NOPE"}, "PlanNotFound", "NOPE"),
        ({"radiusMiles": 250}, "InvalidInput", "radius"),
        ({"near": {"zip": "00000"}}, "InvalidInput", "ZIP"),
        ({"specialty": "Cardiolgy"}, "InvalidInput", "Cardiology"),
    ],
)
async def test_expected_failures_are_union_members(input_: dict[str, Any], typename: str, check: str) -> None:
    async with api_client(build_region(MemoryStore())) as client:
        body = await gql(client, REFERRAL_QUERY, referral_variables(**input_))
    result = body["data"]["referralOptions"]
    assert "errors" not in body
    assert result["__typename"] == typename
    assert check in result["message"] + " ".join(result.get("suggestions") or [])


async def test_pcp_not_in_network_names_the_pcps_networks() -> None:
    store = build_region(MemoryStore())
    store.upsert([Participation(id=f"P-{PCP}-N-PPO", npi=PCP, network_id="N-PPO", role="specialist")])
    query = """query($input: ReferralSearchInput!) { referralOptions(input: $input) {
        __typename ... on PcpNotInNetwork { message pcp { npi } plan { id } pcpNetworks { id } } } }"""
    async with api_client(store) as client:
        body = await gql(client, query, referral_variables(planId="PPO"))
    result = body["data"]["referralOptions"]
    assert result["__typename"] == "PcpNotInNetwork"
    assert (result["pcp"]["npi"], result["plan"]["id"]) == (PCP, "PPO")
    assert result["pcpNetworks"] == [{"id": "N-HMO"}]


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = build_region(BrokenStore())
    store.fail_with = ZeroDivisionError("secret internals")
    async with api_client(store) as client:
        response = await client.post(
            "/graphql", json={"query": PROVIDER_QUERY}, headers={"x-request-id": "req-42"}
        )
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert "secret" not in response.text
    logged = [r for r in caplog.records if r.name == "pnet.api" and r.levelno == logging.ERROR]
    assert len(logged) == 1
    assert "req-42" in logged[0].getMessage()
    assert logged[0].exc_info is not None and logged[0].exc_info[0] is ZeroDivisionError


async def test_store_unavailable_fails_fast_then_recovers() -> None:
    store = build_region(BrokenStore())
    store.fail_with = unavailable()
    async with api_client(store) as client:
        first = await gql(client, PROVIDER_QUERY)
        reads_after_first = store.reads
        second = await gql(client, PROVIDER_QUERY)
        assert store.reads == reads_after_first  # the gateway answered without waiting on the store
        store.fail_with = None
        assert (await client.get("/readyz")).status_code == 200  # a readiness probe re-opens the way
        third = await gql(client, PROVIDER_QUERY)
    for body in (first, second):
        assert body["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
        assert "unavailable" in body["errors"][0]["message"]
    assert third["data"]["provider"]["name"] == "Paula Primary"
    assert "errors" not in third


async def test_a_read_the_store_stopped_is_a_timeout_and_leaves_the_way_open() -> None:
    store = build_region(BrokenStore())
    store.fail_with = StoreTimeout("Neo4j stopped a transaction past its time limit: secret internals")
    async with api_client(store) as client:
        stopped = await gql(client, PROVIDER_QUERY)
        store.fail_with = None
        after = await gql(client, PROVIDER_QUERY)  # a timeout says nothing of the store being down
        metrics = (await client.get("/metrics")).text
    error = stopped["errors"][0]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert error["message"] == TIMEOUT_MESSAGE
    assert "secret" not in str(stopped)
    assert after["data"]["provider"]["name"] == "Paula Primary"
    assert 'pnet_store_errors_total{kind="timeout"} 1.0' in metrics


class _StuckSearch(BrokenStore):
    """Its provider search waits until the test lets it go, then fails as the store would."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    def search_providers(self, query: Any) -> Any:
        self.entered.set()
        self.release.wait(10)
        self._trouble()
        return super().search_providers(query)


async def test_a_read_stopped_after_its_request_gave_up_is_still_counted() -> None:
    store = build_region(_StuckSearch())
    store.fail_with = StoreTimeout("Neo4j stopped a transaction past its time limit")
    # The timeout must leave the call time to start in its worker thread (a call dropped before it ran
    # never reached the store, and is not counted): 0.1 s failed once on a loaded machine.
    async with api_app(store, request_timeout_s=0.5) as (app, client):
        # The resolver awaits this store call itself (no DataLoader task): the timeout abandons it.
        try:
            body = await gql(client, '{ providers(filter: {name: "paula"}) { __typename } }')
            assert store.entered.is_set(), "the request timed out before its store call started"
        finally:
            store.release.set()  # the store stops the read only after the request's own timeout
        registry = app.state.runtime.metrics.registry
        counted = None
        with anyio.fail_after(5):  # the abandoned call ends in its worker thread
            while not counted:
                counted = registry.get_sample_value("pnet_store_errors_total", {"kind": "timeout"})
                await anyio.sleep(0.01)
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "took longer than 0.5 s" in body["errors"][0]["message"]  # the request's own timeout answered
    assert counted == 1
