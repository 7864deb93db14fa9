"""The HTTP surface: POST-only GraphQL, GraphiQL, health, readiness, metrics, CORS, request ids, logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support.api_region import (
    AS_OF,
    PCP,
    REFERRAL_QUERY,
    BrokenStore,
    CountingStore,
    api_client,
    build_region,
    gql,
    referral_variables,
    unavailable,
)

from network.settings import Settings
from network.store.memory import MemoryStore
from schema.app import create_app


async def test_post_answers_a_referral_search() -> None:
    async with api_client(build_region(MemoryStore())) as client:
        body = await gql(client, REFERRAL_QUERY, referral_variables())
    page = body["data"]["referralOptions"]
    assert page["__typename"] == "ReferralOptions"
    assert "errors" not in body
    distances = [e["node"]["distanceMiles"] for e in page["edges"]]
    assert distances == sorted(distances)
    assert page["totalCount"] == len(page["edges"]) > 0


async def test_get_is_refused_when_graphiql_is_off() -> None:
    store = CountingStore()
    async with api_client(store, graphiql=False) as client:
        response = await client.get("/graphql", params={"query": '{ provider(npi: "1003000100") { name } }'})
        put = await client.put("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert put.status_code == 405
    assert sum(store.calls.values()) == 0


async def test_graphiql_page_never_runs_the_query_in_the_url() -> None:
    store = CountingStore()
    build_region(store)
    store.calls.clear()
    async with api_client(store, graphiql=True) as client:
        response = await client.get(
            "/graphql",
            params={"query": f'{{ provider(npi: "{PCP}") {{ name }} }}'},
            headers={"accept": "text/html"},
        )
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "Paula Primary" not in response.text
    assert sum(store.calls.values()) == 0


async def test_health_readiness_and_metrics() -> None:
    store = BrokenStore()
    async with api_client(store) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).status_code == 200
        store.fail_with = unavailable()
        not_ready = await client.get("/readyz")
        assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
        store.fail_with = None
        ready_again = await client.get("/readyz")
        await gql(client, '{ plan(id: "x") { id } }')
        metrics = await client.get("/metrics")
    assert not_ready.status_code == 503
    assert not_ready.json()["status"] == "unavailable"
    assert ready_again.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'pnet_graphql_requests_total{operation="plan",outcome="ok"} 1.0' in metrics.text
    assert 'pnet_store_errors_total{kind="unavailable"} 1.0' in metrics.text
    assert 'pnet_http_requests_total{route="/readyz",status="503"} 1.0' in metrics.text


async def test_request_id_is_echoed_or_made() -> None:
    async with api_client(MemoryStore()) as client:
        given = await client.get("/healthz", headers={"x-request-id": "abc-123"})
        unsafe = await client.get("/healthz", headers={"x-request-id": "no spaces\nplease"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(unsafe.headers["x-request-id"]) == 32


async def test_every_answer_carries_the_server_time() -> None:
    async with api_client(build_region(MemoryStore())) as client:
        health = await client.get("/healthz")
        body = {"query": REFERRAL_QUERY, "variables": referral_variables()}
        search = await client.post("/graphql", json=body)
    for response in (health, search):
        name, _, duration = response.headers["server-timing"].partition(";dur=")
        assert name == "app"
        assert 0 < float(duration) < 60_000


async def test_cors_origins_come_from_settings() -> None:
    async with api_client(MemoryStore(), cors_origins=["https://app.example.org"]) as client:
        allowed = await client.options(
            "/graphql",
            headers={"origin": "https://app.example.org", "access-control-request-method": "POST"},
        )
        other = await client.options(
            "/graphql",
            headers={"origin": "https://evil.example.com", "access-control-request-method": "POST"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "access-control-allow-origin" not in other.headers


async def test_logs_never_carry_variables(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_zip = "06103"
    store = build_region(BrokenStore())
    async with api_client(store) as client:
        await gql(client, REFERRAL_QUERY, referral_variables(near={"lat": 41.7512, "lon": -72.6613}))
        await gql(client, REFERRAL_QUERY, referral_variables(near={"zip": secret_zip}, asOf=AS_OF))
        await gql(client, REFERRAL_QUERY, referral_variables(near={"lat": "not a number"}))  # coercion error
        store.fail_with = RuntimeError("boom")
        await gql(client, REFERRAL_QUERY, referral_variables(near={"lat": 41.7512, "lon": -72.6613}))
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "request" in text  # the access log and the masked error were logged ...
    for value in ("41.7512", "-72.6613", secret_zip, "not a number"):
        assert value not in text  # ... without the member's location


async def test_a_client_gone_before_its_body_is_read_is_no_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(Settings(), build_region(MemoryStore()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"40")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO, logger="pnet"):
        await app(scope, receive, send)  # raised ClientDisconnect to uvicorn, which logged an error
    assert sent == []
    assert "disconnected before its request was read" in caplog.text
    # Counted and logged as the client's going, not as a server error (a 5xx alert would fire).
    requests = app.state.runtime.metrics.registry.get_sample_value
    assert requests("pnet_http_requests_total", {"route": "/graphql", "status": "499"}) == 1
    assert requests("pnet_http_requests_total", {"route": "/graphql", "status": "500"}) is None
    assert "POST /graphql 499" in caplog.text
