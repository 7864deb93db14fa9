"""Related records a load has written already, so that a repeat of one is not sent again.

An NPPES row names its practice address, and most addresses are shared: L's 1.05M rows carry 1.04M
Location records for 68,037 locations. Each repeat was shaped (hashed), sent, looked up by the store and
found unchanged. A repeat equal to the version this load last wrote for its key changes nothing in the
store, so :class:`RecentRecords` lets the writer count it unchanged without sending it (BENCHMARKS.md,
optimisation 33).

Bounded (least recently used first out), so the loader's memory stays flat however long the file. A key
met in two versions within one load is always sent from then on: in lanes, which version the store holds
last is the order of the commits, which this table does not see.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from network.model import Label, Record

# Tens of MB of Location records at most (a few hundred bytes each); L's NPPES names 68,037 locations, a
# national file a few hundred thousand, and a repeat of an address evicted meanwhile is just sent again.
CAPACITY = 100_000

_Key = tuple[Label, str]


class _Varies:
    __slots__ = ()


_VARIES = _Varies()


class RecentRecords:
    """The related records one load has written, by label and key, up to ``capacity`` of them."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()  # a load's lanes write at once
        self._recent: OrderedDict[_Key, Record | _Varies] = OrderedDict()

    def __len__(self) -> int:
        return len(self._recent)

    def written(self, rec: Record) -> bool:
        """Whether this load has written ``rec`` as it is (the store holds it unchanged since)."""
        key = (rec.LABEL, rec.key)
        with self._lock:
            prior = self._recent.get(key)
            if prior is None or isinstance(prior, _Varies) or (prior is not rec and prior != rec):
                return False
            self._recent.move_to_end(key)
            return True

    def wrote(self, records: Iterable[Record]) -> None:
        """Enter records the store has just taken (created, updated or found unchanged)."""
        with self._lock:
            for rec in records:
                key = (rec.LABEL, rec.key)
                prior = self._recent.get(key)
                if isinstance(prior, _Varies):
                    continue
                self._recent[key] = rec if prior is None or prior is rec or prior == rec else _VARIES
                self._recent.move_to_end(key)
            while len(self._recent) > self._capacity:
                self._recent.popitem(last=False)
