"""A request's deadline travels with its work into the store's threads, and bounds what a store starts."""

from __future__ import annotations

from typing import Any, cast

import pytest
from neo4j import Driver, Query
from support.api_region import BrokenStore, api_client, build_region, gql

from network.deadline import deadline_after, time_left
from network.errors import DeadlinePassed
from network.model import Location
from network.services.warmup import WARM_SEARCH_LIMIT_S, warm_referral_search
from network.store.neo4j import Neo4jStore


class _Recording:
    def __init__(self) -> None:
        self.sent: list[str | Query] = []

    def execute_query(self, query: str | Query, params: dict[str, Any], **options: Any) -> Any:
        self.sent.append(query)
        rows = params.get("rows", [])
        return type("R", (), {"keys": ["written"], "records": [[[[r["key"], None] for r in rows]]]})()


def test_no_deadline_outside_one_and_the_sooner_one_inside_two() -> None:
    assert time_left() is None
    with deadline_after(5):
        left = time_left()
        assert left is not None and 4 < left <= 5
        with deadline_after(60):  # an inner deadline cannot push the outer one back
            inner = time_left()
            assert inner is not None and inner <= 5
    assert time_left() is None


def test_a_read_gets_what_is_left_of_the_deadline_when_it_is_sooner() -> None:
    driver = _Recording()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=10)
    with deadline_after(0.5):
        store.ping()
        store.upsert([Location(id="L1")])  # writes are not the request's to bound
    store.ping()  # outside the deadline: the store's own limit
    read, write, later = driver.sent
    assert isinstance(read, Query) and read.timeout is not None and 0.4 < read.timeout <= 0.5
    assert isinstance(write, str)
    assert isinstance(later, Query) and later.timeout == pytest.approx(10, abs=0.01)


def test_a_later_deadline_replaces_the_stores_own_limit() -> None:
    # The plan warmer's: planning a search may take longer than the request timeout the store was given.
    driver = _Recording()
    with deadline_after(30):
        Neo4jStore(cast(Driver, driver), read_timeout_s=1).ping()
    (read,) = driver.sent
    assert isinstance(read, Query) and read.timeout is not None and 29 < read.timeout <= 30


def test_the_plan_warmer_reads_under_its_own_longer_deadline() -> None:
    store = build_region(_Clocked())
    warmed = warm_referral_search(store, terms=[None, "Cardiology"])
    assert warmed.searches == 2
    assert store.seen
    assert all(
        left is not None and WARM_SEARCH_LIMIT_S - 5 < left <= WARM_SEARCH_LIMIT_S for left in store.seen
    )
    assert time_left() is None  # and none is left behind


def test_no_read_starts_once_the_deadline_has_passed() -> None:
    driver = _Recording()
    with deadline_after(-1), pytest.raises(DeadlinePassed, match="deadline passed"):
        Neo4jStore(cast(Driver, driver)).ping()
    assert driver.sent == []


class _Clocked(BrokenStore):
    """Records, in the worker thread that runs each read, what is left of the caller's deadline."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[float | None] = []

    def get_many(self, label: Any, keys: Any) -> Any:
        self.seen.append(time_left())
        return super().get_many(label, keys)


async def test_the_requests_deadline_reaches_the_stores_thread() -> None:
    store = build_region(_Clocked())
    async with api_client(store, request_timeout_s=7) as client:
        body = await gql(client, '{ provider(npi: "1003000100") { name } }')
    assert body["data"]["provider"]["name"] == "Paula Primary"
    assert store.seen
    assert all(left is not None and 0 < left <= 7 for left in store.seen)
