"""A load sends a related record it has already written (as it is) no more: loaders.recent."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from support.nppes_rows import header, person

import loaders.writer
from loaders.nppes import NppesLoader
from loaders.pipeline import LoadOptions, run_load
from loaders.recent import RecentRecords
from network.model import Label, Location
from network.store.memory import MemoryStore
from network.validate import with_check_digit

HOME = Location(id="L1", city="Hartford", zip="06106")


def test_a_record_counts_as_written_only_as_it_was_written() -> None:
    recent = RecentRecords()
    assert not recent.written(HOME)
    recent.wrote([HOME])
    assert recent.written(HOME)
    assert recent.written(Location(id="L1", city="Hartford", zip="06106"))  # equal, not the same object
    assert not recent.written(Location(id="L1", city="Hartford", zip="06107"))
    assert not recent.written(Location(id="L2", city="Hartford", zip="06106"))


def test_a_key_met_in_two_versions_is_always_sent() -> None:
    # In lanes the store holds whichever version committed last, which the table does not see.
    recent = RecentRecords()
    moved = Location(id="L1", city="Hartford", zip="06107")
    recent.wrote([HOME])
    recent.wrote([moved])
    assert not recent.written(moved) and not recent.written(HOME)
    recent.wrote([HOME])
    assert not recent.written(HOME)


def test_the_table_keeps_the_most_recently_used_up_to_its_capacity() -> None:
    recent = RecentRecords(capacity=2)
    a, b, c = (Location(id=f"L{i}") for i in range(3))
    recent.wrote([a, b])
    assert recent.written(a)  # used: b is now the oldest
    recent.wrote([c])
    assert len(recent) == 2
    assert recent.written(a) and recent.written(c) and not recent.written(b)


def test_lanes_may_use_the_table_at_once() -> None:
    recent = RecentRecords(capacity=500)
    records = [Location(id=f"L{i}") for i in range(2000)]
    start = threading.Barrier(8)

    def lane(k: int) -> None:
        start.wait()
        for i in range(k, len(records), 8):
            recent.wrote([records[i]])
            recent.written(records[i - 1])

    threads = [threading.Thread(target=lane, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recent) == 500


class _Counting(MemoryStore):
    """Counts the Location records each write is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []  # per write, the distinct keys (a write dedupes its batch itself)

    def upsert_shaped(self, items: Any) -> Any:
        self.sent += sorted({item.key for item in items if item.record.LABEL is Label.LOCATION})
        return super().upsert_shaped(items)


def _shared_address_file(tmp_path: Path, people: int) -> Path:
    # Every person at one practice address, and one at another that later moves to the first.
    rows = [person(with_check_digit(f"10000{i:04d}")) for i in range(1, people + 1)]
    other = {"Provider First Line Business Practice Location Address": "1 Main St"}
    rows.insert(2, person(with_check_digit("100009999"), **other))
    path = tmp_path / "npidata.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header(), *([row.get(c, "") for c in header()] for row in rows)])
    return path


@pytest.mark.parametrize("overlap", [False, True])
def test_a_load_sends_a_shared_address_once_and_reports_as_if_it_sent_every_one(
    tmp_path: Path, overlap: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _shared_address_file(tmp_path, people=12)
    options = LoadOptions(batch_size=2, overlap=overlap)
    cached = _Counting()
    report = run_load(NppesLoader(), [path], cached, options)
    assert report.balanced, report.as_dict()
    assert sorted(cached.sent) == sorted(set(cached.sent))  # each location in one write
    assert len(cached.sent) == 2

    # The same load with a table that keeps nothing sends one in every write, and must report and store
    # the same.
    monkeypatch.setattr(loaders.writer, "RecentRecords", lambda: RecentRecords(capacity=0))
    plain = _Counting()
    again = run_load(NppesLoader(), [path], plain, options)
    assert len(plain.sent) == 8  # 13 rows in 7 writes of 2, one of them holding both addresses
    figures = [
        {k: v for k, v in r.as_dict().items() if k not in ("seconds", "started_at", "rows_per_second")}
        for r in (report, again)
    ]
    assert figures[0] == figures[1]
    assert cached.checksum() == plain.checksum()
