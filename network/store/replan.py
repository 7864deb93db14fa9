"""Planning a referral search again, in the background, after Neo4j stopped it while planning.

Neo4j plans a statement text inside the read's time limit (0.5-2 s for a referral search), and a read
stopped while planning leaves no plan behind: under a request timeout shorter than that, the same search
would time out every time, for every member (BENCHMARKS.md, "Not run / left"). The plan warmer covers the
terms it is given as the API starts; this covers the rest, and the plans a Neo4j restart dropped. After a
read of a text times out, the same text runs once more in a background thread, reading nothing, with a
limit planning fits in: the next member's search finds it planned.

A search that timed out for its own length, already planned, costs one more read that reads nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from network.deadline import deadline_after
from network.errors import PnetError

log = logging.getLogger("pnet.store")

# Long enough for any plan; a read that reads nothing answers in milliseconds once planned.
PLAN_LIMIT_S = 60.0


class Replanner:
    """At most one background planning read per text at a time."""

    def __init__(self, limit_s: float = PLAN_LIMIT_S) -> None:
        self._limit_s = limit_s
        self._planning: set[str] = set()
        self._lock = threading.Lock()

    def timed_out(self, text: str, plan: Callable[[], object]) -> threading.Thread | None:
        """Runs ``plan`` (``text`` with parameters that read nothing) in a thread of its own, unless the
        text is being planned already; returns the thread started, if any."""
        with self._lock:
            if text in self._planning:
                return None
            self._planning.add(text)
        thread = threading.Thread(target=self._plan, args=(text, plan), name="pnet-replan", daemon=True)
        thread.start()
        return thread

    def _plan(self, text: str, plan: Callable[[], object]) -> None:
        try:
            # A new thread starts outside any request's deadline: this one is the read's whole limit.
            with deadline_after(self._limit_s):
                plan()
        except PnetError as exc:  # the next member's search plans it, or this runs again after it
            log.warning("planning a referral search in the background failed: %s", exc)
        finally:
            with self._lock:
                self._planning.discard(text)
