"""A referral search Neo4j stopped, perhaps while planning it, is planned again in the background."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

import pytest
from neo4j import Driver, Query
from neo4j.exceptions import ClientError

from network.deadline import deadline_after
from network.errors import DeadlinePassed, StoreTimeout
from network.store import GeoPoint, RankQuery
from network.store.neo4j import Neo4jStore, rank_text
from network.store.replan import PLAN_LIMIT_S

SEARCH = RankQuery(network_ids=("N1",), as_of="2026-06-01", center=GeoPoint(41.76, -72.67), radius_miles=25.0)


def _timed_out() -> ClientError:
    error = ClientError("The transaction has not completed within the timeout specified at its start")
    error._neo4j_code = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"  # type: ignore[attr-defined]
    return error


class _Planning:
    """Neo4j still planning: a member's ranking times out; one that reads nothing answers (when let)."""

    def __init__(self) -> None:
        self.quiet: list[tuple[str | Query, dict[str, Any]]] = []
        self.release = threading.Event()
        self.release.set()

    def execute_query(self, query: str | Query, params: dict[str, Any], **options: Any) -> Any:
        ask = params["ask"]
        if ask.get("plan") != "":
            raise _timed_out()
        self.quiet.append((query, ask))
        self.release.wait(5)
        return type("R", (), {"keys": [], "records": []})()


def _wait_for(condition: Any) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the background read never came"
        time.sleep(0.01)


def test_a_stopped_search_runs_again_reading_nothing_with_time_to_plan() -> None:
    driver = _Planning()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    with pytest.raises(StoreTimeout):
        store.rank_specialists(SEARCH)
    _wait_for(lambda: driver.quiet)
    (query, ask), *_ = driver.quiet
    assert isinstance(query, Query)
    assert query.text == rank_text(SEARCH)  # the same text: the plan Neo4j caches is the member's
    assert query.timeout is not None and PLAN_LIMIT_S - 5 < query.timeout <= PLAN_LIMIT_S  # not the 0.2 s
    assert (ask["plan"], ask["pcp"], ask["networks"], ask["lat"], ask["lon"]) == ("", "", None, 0.0, 0.0)


def test_one_background_planning_at_a_time_per_text() -> None:
    driver = _Planning()
    driver.release.clear()  # the background read hangs until released
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    for _ in range(3):
        with pytest.raises(StoreTimeout):
            store.rank_specialists(SEARCH)
    _wait_for(lambda: driver.quiet)
    assert len(driver.quiet) == 1
    driver.release.set()
    _wait_for(lambda: not store._replanner._planning)
    with pytest.raises(StoreTimeout):  # still stopped (the fake never plans): planned again
        store.rank_specialists(SEARCH)
    _wait_for(lambda: len(driver.quiet) == 2)


def test_a_search_never_started_is_not_planned_again() -> None:
    driver = _Planning()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    with deadline_after(-1), pytest.raises(DeadlinePassed):
        store.rank_specialists(SEARCH)
    time.sleep(0.1)
    assert driver.quiet == []
