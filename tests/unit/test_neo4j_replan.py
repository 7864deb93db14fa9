"""A referral search Neo4j stopped, perhaps while planning it, is planned again in the background."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from functools import partial
from typing import Any, cast

import pytest
from neo4j import Driver, Query
from support.neo4j_fakes import timed_out_error

from network.deadline import deadline_after
from network.errors import DeadlinePassed, StoreTimeout
from network.store import GeoPoint, RankQuery
from network.store.neo4j import Neo4jStore, rank_text
from network.store.replan import MAX_PLANNING, PLAN_LIMIT_S
from network.store.rows import ReferralAsk

SEARCH = RankQuery(network_ids=("N1",), as_of="2026-06-01", center=GeoPoint(41.76, -72.67), radius_miles=25.0)


class _Planning:
    """Neo4j still planning: a member's ranking times out; one that reads nothing answers (when let)."""

    def __init__(self) -> None:
        self.quiet: list[tuple[str | Query, dict[str, Any]]] = []
        self.release = threading.Event()
        self.release.set()

    def execute_query(self, query: str | Query, params: dict[str, Any], **options: Any) -> Any:
        ask = params["ask"]
        if ask.get("plan") != "":
            raise timed_out_error()
        self.quiet.append((query, ask))
        self.release.wait(5)
        return type("R", (), {"keys": [], "records": []})()


def _wait_for(condition: Any) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the background read never came"
        time.sleep(0.01)


@pytest.mark.parametrize("way", ["plain ranking", "referral search"])
def test_a_stopped_search_runs_again_reading_nothing_with_time_to_plan(way: str) -> None:
    driver = _Planning()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    # The API's way: the statement reads the PCP's and the plan's networks itself.
    ask = ReferralAsk(pcp_npi="1234567893", plan_id="HMO", specialty_key=None, query=SEARCH)
    search = (
        partial(store.rank_specialists, SEARCH)
        if way == "plain ranking"
        else partial(store.referral_search, ask)
    )
    with pytest.raises(StoreTimeout):
        search()
    _wait_for(lambda: driver.quiet)
    (query, sent), *_ = driver.quiet
    assert isinstance(query, Query)
    assert query.text == rank_text(SEARCH)  # the same text: the plan Neo4j caches is the member's
    assert query.timeout is not None and PLAN_LIMIT_S - 5 < query.timeout <= PLAN_LIMIT_S  # not the 0.2 s
    assert (sent["plan"], sent["pcp"], sent["networks"], sent["prior"]) == ("", "", None, None)
    assert (sent["lat"], sent["lon"]) == (0.0, 0.0)


def test_one_background_planning_at_a_time_per_text() -> None:
    driver = _Planning()
    driver.release.clear()  # the background read hangs until released
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    for _ in range(3):
        with pytest.raises(StoreTimeout):
            store.rank_specialists(SEARCH)
    _wait_for(lambda: driver.quiet)
    time.sleep(0.05)  # time for a second one, were it started
    assert len(driver.quiet) == 1
    driver.release.set()
    _wait_for(lambda: not store._replanner._planning)
    with pytest.raises(StoreTimeout):  # still stopped (the fake never plans): planned again
        store.rank_specialists(SEARCH)
    _wait_for(lambda: len(driver.quiet) == 2)


def test_a_search_never_started_is_not_planned_again() -> None:
    driver = _Planning()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    driver.release.clear()  # a planning read started by mistake would stay pending, and be seen
    with deadline_after(-1), pytest.raises(DeadlinePassed):
        store.rank_specialists(SEARCH)
    time.sleep(0.05)
    assert store._replanner._planning == set() and driver.quiet == []
    driver.release.set()


def _named(code: str) -> RankQuery:
    return replace(SEARCH, specialty_codes=frozenset({code}))


def test_a_few_plannings_at_once_in_all() -> None:
    driver = _Planning()
    driver.release.clear()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    for code in ("207RC0000X", "207RG0100X", "207RE0101X", "207RN0300X"):  # four texts
        with pytest.raises(StoreTimeout):
            store.rank_specialists(_named(code))
    _wait_for(lambda: len(driver.quiet) == MAX_PLANNING)
    time.sleep(0.05)
    assert len(driver.quiet) == MAX_PLANNING == 2  # members choose texts: the rest wait for a later timeout
    driver.release.set()


def test_a_planning_that_cannot_start_leaves_the_timeout_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    driver = _Planning()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    with monkeypatch.context() as patch:
        patch.setattr(threading.Thread, "start", no_thread)
        with pytest.raises(StoreTimeout):  # not the RuntimeError
            store.rank_specialists(SEARCH)
    assert store._replanner._planning == set()  # not stuck: the next timeout plans it
    with pytest.raises(StoreTimeout):
        store.rank_specialists(SEARCH)
    _wait_for(lambda: driver.quiet)


def test_no_planning_starts_once_the_store_is_closed() -> None:
    driver = _Planning()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=0.2)
    driver.close = lambda: None  # type: ignore[attr-defined]
    store.close()
    with pytest.raises(StoreTimeout):
        store.rank_specialists(SEARCH)
    assert store._replanner._planning == set() and driver.quiet == []
