"""Planning a referral search again, in the background, after Neo4j stopped it while planning.

Neo4j plans a statement text inside the read's time limit (0.5-2 s for a referral search), and a read
stopped while planning leaves no plan behind: under a request timeout shorter than that, the same search
times out again and again, for every member, until a stopped try happens to get far enough (the 4th and
the 7th on a small graph, none of 6 on M's: BENCHMARKS.md, "Not run / left"). The plan warmer covers the
terms it is given as the API starts; this covers the rest, and the plans a Neo4j restart dropped. After a
read of a text times out, the same text runs once more in a background thread, reading nothing, with a
limit planning fits in: the members searching after it find it planned.

A search that timed out for its own length, already planned, costs one more read that reads nothing.
Members choose the text (one per specialty code set, and a well-formed code is asked of the store before
it is known to exist), so a few plannings run at once at most; a timeout that finds them all busy starts
none, and a later timeout of the same text tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from network.deadline import deadline_after

log = logging.getLogger("pnet.store")

# What Neo4j may take to plan a referral search text it has not run yet (0.5-2 s measured), with margin.
SEARCH_PLANNING_S = 3.0
# A planning read's limit: long enough for any plan; once planned, a read that reads nothing answers in
# milliseconds. The plan warmer's searches get it too (network.services.warmup).
PLAN_LIMIT_S = 60.0
# Plannings at once: each holds a connection and a core of Neo4j's for up to 2 s.
MAX_PLANNING = 2


class Replanner:
    """At most one background planning read per text, and ``MAX_PLANNING`` in all, at a time."""

    def __init__(self) -> None:
        self._planning: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        """No planning starts after this (the store's driver is closing); those running end on their own."""
        with self._lock:
            self._closed = True

    def timed_out(self, text: str, plan: Callable[[], object]) -> threading.Thread | None:
        """Runs ``plan`` (``text`` with parameters that read nothing) in a thread of its own, unless the
        text is being planned already or enough plannings are running; returns the thread started, if any.
        Never raises: the caller is handling a timeout, which must stay what it reports."""
        with self._lock:
            if self._closed or text in self._planning or len(self._planning) >= MAX_PLANNING:
                return None
            self._planning.add(text)
        thread = threading.Thread(target=self._plan, args=(text, plan), name="pnet-replan", daemon=True)
        try:
            thread.start()
        except RuntimeError as exc:  # no thread to be had: the next timeout tries again
            self._done(text)
            log.warning("could not start planning a referral search in the background: %s", exc)
            return None
        return thread

    def _plan(self, text: str, plan: Callable[[], object]) -> None:
        try:
            # A new thread starts outside any request's deadline: this one is the read's whole limit.
            with deadline_after(PLAN_LIMIT_S):
                plan()
        except Exception:  # logged, not raised: nothing waits for this thread
            log.warning("planning a referral search in the background failed", exc_info=True)
        finally:
            self._done(text)

    def _done(self, text: str) -> None:
        with self._lock:
            self._planning.discard(text)
