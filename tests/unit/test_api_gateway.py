"""The store gateway's circuit breaker: fail fast while down, one probe at a time, close on success."""

from __future__ import annotations

import threading

import anyio
import pytest
from support.api_region import unavailable

from network.errors import DeadlinePassed, StoreError, StoreUnavailable
from network.store.memory import MemoryStore
from schema.gateway import StoreGateway
from schema.metrics import ApiMetrics


class FlakyStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.error: Exception | None = None
        self.pings = 0
        self.release = threading.Event()
        self.release.set()

    def ping(self) -> None:
        self.pings += 1
        self.release.wait(10)
        if self.error is not None:
            raise self.error


async def _opened(cooldown_s: float) -> tuple[FlakyStore, StoreGateway]:
    """A gateway whose breaker a failed call has just opened."""
    store = FlakyStore()
    gateway = StoreGateway(store, ApiMetrics(), cooldown_s=cooldown_s)
    store.error = unavailable()
    with pytest.raises(StoreUnavailable):
        await gateway.call(store.ping)
    return store, gateway


async def test_breaker_opens_fails_fast_and_closes_after_a_successful_probe() -> None:
    store, gateway = await _opened(cooldown_s=3600)
    with pytest.raises(StoreUnavailable):
        await gateway.call(store.ping)  # open: the store is not asked
    assert (store.pings, gateway.down) == (1, True)
    store.error = None
    await gateway.ping()  # readiness always asks, and closes the breaker on success
    await gateway.call(store.ping)
    assert (store.pings, gateway.down) == (3, False)


async def test_half_open_lets_one_probe_through_at_a_time() -> None:
    store, gateway = await _opened(cooldown_s=0.0)
    store.error = None
    store.release.clear()
    async with anyio.create_task_group() as tg:
        tg.start_soon(gateway.call, store.ping)  # the probe, held inside the store
        while store.pings < 2:
            await anyio.sleep(0.01)
        with pytest.raises(StoreUnavailable):
            await gateway.call(store.ping)  # a second caller does not wait behind the probe
        store.release.set()
    assert (store.pings, gateway.down) == (2, False)


async def test_a_store_error_means_the_store_answered() -> None:
    store = FlakyStore()
    gateway = StoreGateway(store, ApiMetrics(), cooldown_s=3600)
    store.error = StoreError("syntax error in a statement")
    with pytest.raises(StoreError):
        await gateway.call(store.ping)
    assert not gateway.down


async def test_a_read_refused_for_its_deadline_says_nothing_of_the_store() -> None:
    store, gateway = await _opened(cooldown_s=0.0)
    store.error = DeadlinePassed("the caller's deadline passed before this read could start")
    with pytest.raises(DeadlinePassed):
        await gateway.call(store.ping)  # the half-open probe, refused before the store was asked
    assert gateway.down  # still open: only an answer from the store closes it
