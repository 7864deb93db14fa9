"""The Neo4j store retries transient failures itself, starting at once: the driver's first retry waits 1 s."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from neo4j import Driver
from neo4j.exceptions import ClientError, ResultFailedError, ServiceUnavailable, TransientError

from network.errors import StoreError, StoreUnavailable
from network.model import Location
from network.store import neo4j as neo4j_store
from network.store.neo4j import Neo4jStore


class _Flaky:
    """Fails the first ``failures`` statements with ``error``, then answers as if every row were new."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def execute_query(self, text: str, params: dict[str, Any], **options: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return SimpleNamespace(keys=["written"], records=[[[[row["key"], None] for row in params["rows"]]]])


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The store's sleeps, on a clock that only they move."""
    slept: list[float] = []
    monkeypatch.setattr(neo4j_store.time, "sleep", slept.append)
    monkeypatch.setattr(neo4j_store.time, "monotonic", lambda: sum(slept))
    return slept


def _store(driver: _Flaky, retry_s: float) -> Neo4jStore:
    return Neo4jStore(cast(Driver, driver), retry_s=retry_s)


def _deadlock() -> TransientError:
    # How the driver raises a server failure: the server's code decides the class and is_retryable().
    error = TransientError("can't acquire ExclusiveLock on NODE_RELATIONSHIP_GROUP_DELETE(1474)")
    error._neo4j_code = "Neo.TransientError.Transaction.DeadlockDetected"  # type: ignore[attr-defined]
    return error


def test_a_deadlock_is_retried_after_milliseconds_not_a_second(sleeps: list[float]) -> None:
    driver = _Flaky(3, _deadlock())
    assert _store(driver, retry_s=30).upsert([Location(id="L1")]).created == 1
    assert driver.calls == 4
    assert len(sleeps) == 3
    assert sleeps[0] < 0.1  # the driver's own first delay is 1 s
    assert sleeps[0] < sleeps[1] < sleeps[2] <= neo4j_store.MAX_RETRY_DELAY_S * 1.2


def test_a_lost_server_is_retried_until_the_retry_time_runs_out(sleeps: list[float]) -> None:
    driver = _Flaky(10**6, ServiceUnavailable("connection refused"))
    with pytest.raises(StoreUnavailable):
        _store(driver, retry_s=3).upsert([Location(id="L1")])
    assert 2 < sum(sleeps) <= 3  # the next wait (a second at most) would have passed the retry time
    assert driver.calls == len(sleeps) + 1
    assert max(sleeps) <= neo4j_store.MAX_RETRY_DELAY_S * 1.2
    sleeps.clear()
    driver.calls = 0
    with pytest.raises(StoreUnavailable):
        _store(driver, retry_s=0).upsert([Location(id="L1")])
    assert (driver.calls, sleeps) == (1, [])  # no retry time: one attempt


def test_a_failure_that_is_not_transient_is_not_retried(sleeps: list[float]) -> None:
    error = ClientError("Invalid input 'RETURN'")
    error._neo4j_code = "Neo.ClientError.Statement.SyntaxError"  # type: ignore[attr-defined]
    driver = _Flaky(1, error)
    with pytest.raises(StoreError):
        _store(driver, retry_s=30).upsert([Location(id="L1")])
    assert (driver.calls, sleeps) == (1, [])


def _failed_while_streaming(cause: Exception) -> ResultFailedError:
    # What a transaction function meets when the server fails a statement while its result streams.
    error = ResultFailedError(None, "The result has failed.")
    error.__cause__ = cause
    return error


def test_a_transient_failure_met_while_the_result_streams_is_retried(sleeps: list[float]) -> None:
    outdated = TransientError("The transaction read outdated data")
    outdated._neo4j_code = "Neo.TransientError.Transaction.Outdated"  # type: ignore[attr-defined]
    driver = _Flaky(2, _failed_while_streaming(outdated))
    assert _store(driver, retry_s=30).upsert([Location(id="L1")]).created == 1
    assert (driver.calls, len(sleeps)) == (3, 2)


def test_a_failure_met_while_the_result_streams_is_a_store_error_when_not_transient(
    sleeps: list[float],
) -> None:
    error = ClientError("Invalid input 'RETURN'")
    error._neo4j_code = "Neo.ClientError.Statement.SyntaxError"  # type: ignore[attr-defined]
    driver = _Flaky(1, _failed_while_streaming(error))
    with pytest.raises(StoreError, match="Neo4j driver error"):
        _store(driver, retry_s=30).upsert([Location(id="L1")])
    assert (driver.calls, sleeps) == (1, [])
