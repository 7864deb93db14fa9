"""As the API starts: the store builds what its first reads would build, what is alive by then is frozen
out of the cyclic collector's walks until the app stops, and a request timeout too short for Neo4j to
plan a search is warned of."""

from __future__ import annotations

import gc
import threading
import time
from typing import Any

import httpx
import pytest
from support.api_region import REFERRAL_QUERY, build_region, gql, referral_variables

from network.settings import Settings
from network.store import memory_core, memory_rank
from network.store.memory import MemoryStore
from schema import app as app_module
from schema.app import create_app


async def test_the_embedded_store_builds_its_read_tables_before_the_first_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds: list[str] = []
    build_table, kd_tree = memory_rank.MemoryRank._build_table, memory_core.cKDTree

    def table(self: memory_rank.MemoryRank) -> Any:
        builds.append("rank table")
        return build_table(self)

    def tree(*args: Any, **kwargs: Any) -> Any:
        builds.append("k-d tree of locations")
        return kd_tree(*args, **kwargs)

    monkeypatch.setattr(memory_rank.MemoryRank, "_build_table", table)
    monkeypatch.setattr(memory_core, "cKDTree", tree)
    store = build_region(MemoryStore())
    app = create_app(Settings(), store)
    async with app.router.lifespan_context(app):
        assert sorted(builds) == ["k-d tree of locations", "rank table"]  # before any request
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pnet.test") as client:
            body = await gql(client, REFERRAL_QUERY, referral_variables())
    assert body["data"]["referralOptions"]["__typename"] == "ReferralOptions"
    assert sorted(builds) == ["k-d tree of locations", "rank table"]  # none built again for the search


async def test_what_is_alive_at_start_is_frozen_while_the_app_serves() -> None:
    assert gc.get_freeze_count() == 0  # nothing else (a load) holds the process's freeze now
    store = build_region(MemoryStore())
    app = create_app(Settings(), store)
    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
        graph = store._g._node  # the embedded graph's node table, alive since before the start
        assert frozen > 0
        assert not any(obj is graph for obj in gc.get_objects())  # the collector no longer walks it
    assert gc.get_freeze_count() == 0
    assert any(obj is graph for obj in gc.get_objects())


@pytest.mark.parametrize(
    ("store", "timeout_s", "warned"), [("neo4j", 1.0, True), ("neo4j", 10.0, False), ("memory", 1.0, False)]
)
async def test_a_request_timeout_under_the_planning_time_is_warned_of(
    store: str, timeout_s: float, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(store=store, request_timeout_s=timeout_s, warm_search_plans=False)  # type: ignore[arg-type]
    app = create_app(settings, MemoryStore())  # the settings name the store; the test serves the embedded one
    with caplog.at_level("WARNING", logger="pnet.api"):
        async with app.router.lifespan_context(app):
            pass
    assert any("times out until the store has planned it" in r.getMessage() for r in caplog.records) is warned


class _Stuck(MemoryStore):
    """A store whose reads wait until let go: a plan warmer caught in a read that does not end."""

    def __init__(self) -> None:
        super().__init__()
        self.let_go = threading.Event()
        self.caught = threading.Event()

    def get_many(self, label: Any, keys: Any) -> Any:
        self.caught.set()
        self.let_go.wait(10)
        return super().get_many(label, keys)


async def test_stopping_waits_for_the_plan_warmer_a_few_seconds_at_most(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app_module, "WARMER_JOIN_S", 0.2)
    store = _Stuck()
    app = create_app(Settings(warm_search_plans=True), store)
    try:
        with caplog.at_level("WARNING", logger="pnet.api"):
            async with app.router.lifespan_context(app):
                assert store.caught.wait(5)  # the warmer is in its read, not about to see the stop
                stopping = time.monotonic()
            stopped_in = time.monotonic() - stopping
        assert stopped_in < 5  # the stuck read would hold it 10 s; the join gives up after 0.2
        assert any("plan warmer still ran" in r.getMessage() for r in caplog.records)
    finally:
        store.let_go.set()
