"""A Neo4j store given a read timeout sends it with every read (one limit, retries included), never with a
write, and names the stop."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any, cast

import pytest
from neo4j import Driver, Query, RoutingControl
from neo4j.exceptions import ResultFailedError, ServiceUnavailable, SessionExpired
from support.neo4j_fakes import timed_out_error

from network.errors import StoreTimeout, StoreUnavailable
from network.model import Location
from network.store import neo4j as neo4j_store
from network.store.neo4j import Neo4jStore


class _Recording:
    """Answers as if every written row were new; keeps what each call sent, or fails them all."""

    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[tuple[str | Query, RoutingControl]] = []
        self.error = error

    def execute_query(self, query: str | Query, params: dict[str, Any], **options: Any) -> Any:
        self.sent.append((query, options["routing_"]))
        if self.error is not None:
            raise self.error
        rows = params.get("rows", [])
        return SimpleNamespace(keys=["written"], records=[[[[row["key"], None] for row in rows]]])


def test_reads_carry_the_timeout_and_writes_do_not() -> None:
    driver = _Recording()
    store = Neo4jStore(cast(Driver, driver), read_timeout_s=2.5)
    store.ping()
    store.upsert([Location(id="L1")])
    (read, read_routing), (write, write_routing) = driver.sent
    assert read_routing is RoutingControl.READ
    assert isinstance(read, Query)
    assert read.timeout == pytest.approx(2.5, abs=0.01)  # what is left of it: all but microseconds
    assert write_routing is RoutingControl.WRITE
    assert isinstance(write, str)  # a load's batch is bounded by nothing but the server's own settings


def test_without_a_timeout_reads_are_plain_text() -> None:
    driver = _Recording()
    Neo4jStore(cast(Driver, driver)).ping()
    assert [type(query) for query, _ in driver.sent] == [str]


@pytest.mark.parametrize("streaming", [False, True])
def test_a_stopped_read_is_a_store_timeout_and_not_retried(streaming: bool) -> None:
    error: Exception = timed_out_error()
    if streaming:  # met while the result streams: the server's error is the cause
        error = ResultFailedError(None, "The result has failed.")
        error.__cause__ = timed_out_error()
    driver = _Recording(error)
    with pytest.raises(StoreTimeout, match="past its time limit"):
        Neo4jStore(cast(Driver, driver), retry_s=30, read_timeout_s=1).ping()
    assert len(driver.sent) == 1


class _Clock:
    """The store's clock and sleeps, moved by hand (the store's own ``time``, not the module's)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0.0
        fake = SimpleNamespace(monotonic=lambda: self.now, sleep=self.sleep)
        monkeypatch.setattr(neo4j_store, "time", fake)

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_retried_read_gets_what_is_left_of_its_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock(monkeypatch)

    class LostThenSlow(_Recording):
        def execute_query(self, query: str | Query, params: dict[str, Any], **options: Any) -> Any:
            self.sent.append((query, options["routing_"]))
            clock.now += 0.7  # each attempt runs 0.7 s, then the connection is lost
            raise ServiceUnavailable("connection lost")

    driver = LostThenSlow()
    with pytest.raises(StoreUnavailable):
        Neo4jStore(cast(Driver, driver), retry_s=30, read_timeout_s=2).ping()
    limits = [query.timeout for query, _ in driver.sent if isinstance(query, Query)]
    assert len(limits) == len(driver.sent) >= 2
    assert limits[0] == 2
    assert all(later < earlier for earlier, later in itertools.pairwise(limits))
    assert clock.now <= 2 + 0.7  # no attempt began after the read's time limit (retry_s was 30)


def test_a_result_lost_with_its_connection_is_unavailable_not_an_error() -> None:
    error = ResultFailedError(None, "The result has failed.")
    error.__cause__ = SessionExpired("the connection went away")
    with pytest.raises(StoreUnavailable):
        Neo4jStore(cast(Driver, _Recording(error))).ping()


def test_a_retry_starts_only_with_a_fair_share_of_the_limit_left(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock(monkeypatch)

    class LostLate(_Recording):
        def execute_query(self, query: str | Query, params: dict[str, Any], **options: Any) -> Any:
            self.sent.append((query, options["routing_"]))
            clock.now += 0.4  # each attempt loses its connection after 0.4 s
            raise ServiceUnavailable("connection lost")

    driver = LostLate()
    with pytest.raises(StoreUnavailable):  # an outage, not a timeout, even at the limit's end
        Neo4jStore(cast(Driver, driver), retry_s=30, read_timeout_s=1).ping()
    limits = [query.timeout for query, _ in driver.sent if isinstance(query, Query)]
    assert len(limits) >= 2
    assert limits[0] == 1
    # A quarter of the limit at least: the third attempt, ~0.95 s in, would have had ~0.05 s.
    assert min(limits) >= 0.25
