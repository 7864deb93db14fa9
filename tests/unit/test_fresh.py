"""FreshKeys: which referral keys a first load may create without looking for them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from network.store.fresh import FreshKeys


class _Graph:
    def __init__(self, has_edges: bool, seconds: float = 0.0) -> None:
        self.has_edges = has_edges
        self.seconds = seconds  # a round trip's time: lanes that start together all arrive within it
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        time.sleep(self.seconds)
        return self.has_edges


def test_a_graph_with_edges_sends_every_key_to_the_upsert() -> None:
    graph = _Graph(has_edges=True)
    fresh = FreshKeys(graph)
    assert fresh.unseen(["a", "b"]) == [False, False]
    fresh.created(["a"])
    assert fresh.unseen(["c"]) == [False]
    assert graph.asked == 1


def test_an_empty_graph_creates_a_key_once_then_upserts_it() -> None:
    graph = _Graph(has_edges=False)
    fresh = FreshKeys(graph, capacity=1000)
    assert fresh.unseen(["a", "b"]) == [True, True]
    fresh.created(["a"])  # b's end was missing: not created, still unseen
    assert fresh.unseen(["a", "b", "c"]) == [False, True, True]
    assert graph.asked == 1


def test_reset_asks_the_graph_again() -> None:
    graph = _Graph(has_edges=False)
    fresh = FreshKeys(graph, capacity=1000)
    fresh.created(["a"])
    graph.has_edges = True  # another writer since: after a reset, nothing is taken as fresh
    fresh.reset()
    assert fresh.unseen(["a", "z"]) == [False, False]
    assert graph.asked == 2


def test_lanes_starting_together_ask_the_graph_once() -> None:
    graph = _Graph(has_edges=False, seconds=0.05)
    fresh = FreshKeys(graph, capacity=1000)
    lanes = [threading.Thread(target=fresh.unseen, args=([str(i)],)) for i in range(8)]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    assert graph.asked == 1


def test_a_lane_reads_while_another_records() -> None:
    """The store records a batch's keys from a generator; a lane that read the filter meanwhile failed
    with "Already borrowed" (the filter is a Rust object that one thread may borrow at a time)."""
    fresh = FreshKeys(_Graph(has_edges=False), capacity=1000)
    fresh.unseen(["warm"])  # the graph is asked before the lanes start
    failures: list[BaseException] = []
    recording = threading.Event()

    def slow_keys() -> Iterator[str]:
        for i in range(5):
            recording.set()
            time.sleep(0.01)  # the GIL goes to the reading lane here
            yield f"k{i}"

    def read() -> None:
        recording.wait()
        try:
            for _ in range(20):
                fresh.unseen(["x", "y"])
                time.sleep(0.001)
        except RuntimeError as exc:
            failures.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    fresh.created(slow_keys())
    reader.join()
    assert failures == []
    assert fresh.unseen(["k0", "k4", "x"]) == [False, False, True]
