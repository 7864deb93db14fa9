"""On a real Neo4j: the API's store has the server stop a read that outlives the request timeout.

A request past its timeout answers TIMEOUT at once and abandons its store call (schema.gateway); without a
server-side limit the read would go on holding a worker thread and Neo4j's CPU for nobody.
"""

from __future__ import annotations

import anyio.to_thread
import pytest

from network.errors import StoreTimeout
from network.settings import Settings
from network.store.neo4j import Neo4jStore
from schema.app import create_app

pytestmark = pytest.mark.neo4j

# Ten billion rows to filter: minutes of one core's work, far past any timeout here.
SLOW_READ = "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = 8 RETURN count(*) AS n"


@pytest.mark.timeout(60)  # without the limit the read runs for minutes: fail in one
async def test_the_apis_store_stops_a_read_past_the_request_timeout(neo4j_settings: Settings) -> None:
    app = create_app(neo4j_settings.model_copy(update={"request_timeout_s": 1.0}))
    async with app.router.lifespan_context(app):  # the lifespan opens the store, as `pnet serve` does
        store = app.state.runtime.gateway.store
        assert isinstance(store, Neo4jStore)
        with pytest.raises(StoreTimeout, match="TransactionTimedOutClientConfiguration"):
            await anyio.to_thread.run_sync(store._run, SLOW_READ)
        await anyio.to_thread.run_sync(store.ping)  # the store and its connections carry on
