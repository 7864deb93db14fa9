"""Neo4j goes away and comes back: pnet fails fast with STORE_UNAVAILABLE, then serves again, unrestarted.

Runs its own Neo4j (``scripts/neo4j-local`` with a home under a tmp dir, port 7689) so stopping it never
disturbs the shared test instance.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pydantic import SecretStr
from support.api_region import PCP, REFERRAL_QUERY, build_region, referral_variables

from network.settings import Settings
from network.store import GraphStore
from schema.app import create_app

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("PNET_TEST_NEO4J_OUTAGE_PORT", "7689"))
PASSWORD = "pnet-outage-password"
PROVIDER = f'{{ provider(npi: "{PCP}") {{ name }} }}'


@pytest.fixture(scope="module")
def neo4j_ctl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], None]]:
    env = {
        **os.environ,
        "PNET_NEO4J_HOME": str(tmp_path_factory.mktemp("outage") / ".neo4j-outage"),
        "PNET_NEO4J_BOLT_PORT": str(PORT),
        "PNET_NEO4J_PASSWORD": PASSWORD,
        "PNET_NEO4J_PYTHON": sys.executable,
        "PNET_NEO4J_HEAP": "512m",
        "PNET_NEO4J_PAGECACHE": "64m",
    }

    def ctl(command: str) -> None:
        proc = subprocess.run(
            [str(REPO / "scripts" / "neo4j-local"), command],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            message = f"scripts/neo4j-local {command} failed:\n{proc.stdout}\n{proc.stderr}"
            if command == "start" and not os.environ.get("CI"):
                pytest.skip(message)
            pytest.fail(message)

    ctl("start")
    try:
        yield ctl
    finally:
        ctl("stop")


async def _post(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200
    return response.json()


def _code(body: Any) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def _wait_ready(client: httpx.AsyncClient, attempts: int = 120) -> None:
    for _ in range(attempts):
        if (await client.get("/readyz")).status_code == 200:
            return
        await anyio.sleep(0.5)
    pytest.fail("pnet did not become ready again after Neo4j came back")


async def test_outage_fails_fast_and_recovers_without_restart(neo4j_ctl: Callable[[str], None]) -> None:
    settings = Settings(
        store="neo4j",
        neo4j_uri=f"bolt://127.0.0.1:{PORT}",
        neo4j_password=SecretStr(PASSWORD),
        neo4j_connection_timeout_s=1.0,  # driver retries for 2 s, well inside the request timeout
        request_timeout_s=20.0,
    )
    app = create_app(settings)  # no store injected: the lifespan opens (and closes) it
    async with app.router.lifespan_context(app):
        store: GraphStore = app.state.runtime.gateway.store
        store.init_schema()
        store.clear()
        build_region(store)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pnet.test") as client:
            before = await _post(client, REFERRAL_QUERY, referral_variables())
            assert before["data"]["referralOptions"]["__typename"] == "ReferralOptions"

            await anyio.to_thread.run_sync(neo4j_ctl, "stop")
            down = await _post(client, PROVIDER)
            again = await _post(client, REFERRAL_QUERY, referral_variables())
            not_ready = await client.get("/readyz")
            assert (await client.get("/healthz")).status_code == 200
            metrics = (await client.get("/metrics")).text

            await anyio.to_thread.run_sync(neo4j_ctl, "start")
            await _wait_ready(client)
            after = await _post(client, REFERRAL_QUERY, referral_variables())

    assert _code(down) == "STORE_UNAVAILABLE"
    assert down["data"] == {"provider": None} or down["data"] is None
    assert _code(again) == "STORE_UNAVAILABLE"
    assert not_ready.status_code == 503
    assert 'pnet_store_errors_total{kind="unavailable"}' in metrics
    assert after == before
