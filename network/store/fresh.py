"""Which referral edges a load may create without looking for them first.

Upserting a REFERS_TO edge means finding the old one by its key from the referring practitioner first:
~10% of a first load's referral batch, commit included (BENCHMARKS.md, optimisation 31). A first load
finds nothing, ever, except for the keys it wrote itself: files repeat a pair's key across batches (the
store dedupes within one batch only).

So when the graph holds no REFERS_TO edge at a store's first referral write, :class:`FreshKeys` records
every key the store creates in a Bloom filter (a fixed 23 MiB: the loader's memory stays flat however long
the file). A key the filter has never seen cannot be in the graph and is created outright; a key it may
have seen (a repeat, or ~1 false positive in 2,500 at 10M keys) takes the upsert, which is always right.
Once the graph held edges, or :meth:`reset` was called without a recheck, every row takes the upsert.

The filter knows this store's writes only: another process writing REFERS_TO into the same database
during the load is not seen (as two concurrent upserts of one key can both create it today).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

from rbloom import Bloom

# 20M keys at 1% (the filter's sizing), 23 MiB; at 10M keys its false positives are ~0.04%, and past
# its capacity more rows just take the upsert.
CAPACITY = 20_000_000
ERROR_RATE = 0.01


class FreshKeys:
    """The keys a store created into a graph that held no REFERS_TO edge when it first wrote one."""

    def __init__(self, graph_has_edges: Callable[[], bool], *, capacity: int = CAPACITY) -> None:
        self._graph_has_edges = graph_has_edges
        self._capacity = capacity
        self._lock = threading.Lock()  # a load's lanes write at once; the first asks the graph
        self._checked = False
        self._written: Bloom | None = None

    def unseen(self, keys: Sequence[str]) -> list[bool]:
        """Per key, True when it is certainly not in the graph (all False outside a fresh load).

        The keys of one call must be distinct (the store dedupes a batch first), and no other thread may
        write the same keys meanwhile: a load's lanes split the rows by referring practitioner.
        """
        with self._lock:
            written = self._filter()
            if written is None:
                return [False] * len(keys)
            return [key not in written for key in keys]

    def created(self, keys: Iterable[str]) -> None:
        """Record keys this store has just created (call after the write, whatever path it took)."""
        # The filter is a Rust object that one thread may borrow at a time: a lane reading it while
        # another's update iterated a Python generator failed with "Already borrowed" (an M load). So the
        # keys are gathered first, and every use of the filter holds the lock.
        gathered = list(keys)
        with self._lock:
            written = self._filter()
            if written is not None:
                written.update(gathered)

    def reset(self) -> None:
        """The graph's edges were deleted: ask again at the next write."""
        with self._lock:
            self._checked, self._written = False, None

    def _filter(self) -> Bloom | None:
        """The filter, None outside a fresh load; the first call asks the graph (the lock is held)."""
        if not self._checked:
            self._written = None if self._graph_has_edges() else Bloom(self._capacity, ERROR_RATE)
            self._checked = True
        return self._written
