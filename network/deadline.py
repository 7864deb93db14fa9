"""The time a caller's work must be done by, carried with the work: a context variable.

The API sets one per request (``schema.view``); worker threads see it, since anyio runs a store call in a
copy of the caller's context. A store reads :func:`time_left` to bound what it starts, so a request that
gave up at its timeout does not leave its thread starting reads for nobody; a deadline replaces the
store's own read limit. The plan warmer's searches and the store's background planning set longer ones
of their own. Outside a deadline (loads, the CLI's other commands) nothing is bounded by it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("pnet_deadline", default=None)


@contextmanager
def deadline_after(seconds: float) -> Iterator[None]:
    """Work started inside has ``seconds`` from now (or less, inside a sooner deadline)."""
    at = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(at if outer is None else min(at, outer))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds left before the current deadline (0 or less once it has passed); None: no deadline."""
    at = _DEADLINE.get()
    return None if at is None else at - time.monotonic()
