"""The one way the API reaches the store: off the event loop, and failing fast while it is down.

Store methods are synchronous (the Neo4j driver blocks), so every call runs in a worker thread. When the
store reports :class:`StoreUnavailable`, a circuit breaker opens: calls fail at once instead of each
waiting out the driver's retries. After ``cooldown_s`` one call at a time is let through to try the
store (the others keep failing fast); its success closes the breaker, so pnet serves again as soon as
the store is back, without a restart. A readiness probe always asks the store itself.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread

from network.errors import DeadlinePassed, StoreError, StoreTimeout, StoreUnavailable
from network.store import GraphStore
from schema.metrics import ApiMetrics

log = logging.getLogger("pnet.api")
P = ParamSpec("P")
T = TypeVar("T")


class StoreGateway:
    def __init__(self, store: GraphStore, metrics: ApiMetrics, *, cooldown_s: float = 2.0) -> None:
        self.store = store
        self._metrics = metrics
        self._cooldown_s = cooldown_s
        self._open_until: float | None = None  # None: closed (the store answers)
        self._probing = False

    @property
    def down(self) -> bool:
        return self._open_until is not None

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        probing = False
        if self._open_until is not None:
            if self._probing or time.monotonic() < self._open_until:
                raise StoreUnavailable("the graph store was unreachable moments ago; retrying shortly")
            self._probing = probing = True
        try:
            return await self._run(functools.partial(fn, *args, **kwargs))
        finally:
            if probing:
                self._probing = False

    async def ping(self) -> None:
        """Ask the store directly (readiness), whatever the breaker says; the answer sets the breaker."""
        await self._run(self.store.ping)

    async def _run(self, call: Callable[[], T]) -> T:
        try:
            # Abandoned on cancel: a request past its timeout answers at once; the thread finishes alone.
            result = await anyio.to_thread.run_sync(self._counting_timeouts, call, abandon_on_cancel=True)
        except StoreUnavailable:
            self._open_until = time.monotonic() + self._cooldown_s
            self._metrics.store_errors.labels(kind="unavailable").inc()
            raise
        except DeadlinePassed:
            raise  # the store was not asked: the breaker learns nothing (counted where it happened)
        except StoreError as exc:
            self._open_until = None  # it answered, with an error: reachable
            if not isinstance(exc, StoreTimeout):  # counted where it happened
                self._metrics.store_errors.labels(kind="error").inc()
            raise
        self._open_until = None
        return result

    def _counting_timeouts(self, call: Callable[[], T]) -> T:
        """The call, with a read stopped (or not started) for its time limit counted where it happens: in
        the worker thread, which a request that gave up on the call no longer waits for."""
        try:
            return call()
        except StoreTimeout as exc:
            self._metrics.store_errors.labels(kind="timeout").inc()
            if isinstance(exc, DeadlinePassed):
                log.info("a read was not started: its request's deadline had passed")
            else:
                log.warning("the store stopped a read past its time limit: %s", exc)
            raise
