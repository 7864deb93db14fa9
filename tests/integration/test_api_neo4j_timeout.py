"""On a real Neo4j: the API's store has the server stop a read that outlives the request timeout.

A request past its timeout answers TIMEOUT at once and abandons its store call (schema.gateway); without a
server-side limit the read would go on holding a worker thread and Neo4j's CPU for nobody.
"""

from __future__ import annotations

import time

import anyio
import pytest

from network.errors import StoreTimeout
from network.settings import Settings
from network.store.neo4j import Neo4jStore
from schema.app import create_app
from schema.runtime import Runtime

pytestmark = pytest.mark.neo4j

# Ten billion rows to filter: minutes of one core's work, far past any timeout here.
SLOW_READ = "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = 8 RETURN count(*) AS n"


def _stopped(runtime: Runtime) -> float:
    value = runtime.metrics.registry.get_sample_value("pnet_store_errors_total", {"kind": "timeout"})
    return value or 0.0


@pytest.mark.timeout(60)  # without the limit the reads run for minutes: fail in one
async def test_the_apis_store_stops_a_read_past_the_request_timeout(neo4j_settings: Settings) -> None:
    app = create_app(neo4j_settings.model_copy(update={"request_timeout_s": 1.0}))
    async with app.router.lifespan_context(app):  # the lifespan opens the store, as `pnet serve` does
        runtime: Runtime = app.state.runtime
        store = runtime.gateway.store
        assert isinstance(store, Neo4jStore)
        with pytest.raises(StoreTimeout, match="TransactionTimedOutClientConfiguration"):
            await runtime.gateway.call(store._run, SLOW_READ)
        assert _stopped(runtime) == 1
        # Abandoned, as a request past its timeout abandons its call: Neo4j still stops it, and it counts.
        with anyio.move_on_after(0.1):
            await runtime.gateway.call(store._run, SLOW_READ)
        deadline = time.monotonic() + 30
        while _stopped(runtime) < 2 and time.monotonic() < deadline:
            await anyio.sleep(0.1)
        assert _stopped(runtime) == 2
        await runtime.gateway.call(store.ping)  # the store and its connections carry on
