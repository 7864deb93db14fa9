"""On a real Neo4j: what a write leaves for the cyclic collector holds none of the rows it sent.

The driver keeps each statement's parameters in a reference cycle with its session and result. Loads
collect their youngest generation rarely (loaders.pipeline.YOUNG_THRESHOLD), so rows kept by that cycle
would pile up; the store empties them once the statement has run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from network.model import Location, Practitioner, Referral
from network.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

A, B = "1003000126", "1234567893"


@pytest.fixture
def kept_garbage() -> Iterator[None]:
    """The collector off, and what it finds unreachable kept in ``gc.garbage`` instead of freed."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def _rows_in(found: list[object]) -> list[object]:
    # A node row carries its hash and properties; an upserted referral row its ends, a created one (a list)
    # begins with them.
    def is_row(o: object) -> bool:
        if isinstance(o, dict):
            return {"hash", "props"} <= o.keys() or "from" in o
        return isinstance(o, list) and o[:2] in ([A, B], [B, A])

    return [o for o in found if is_row(o)]


def test_node_and_referral_writes_leave_no_rows_to_the_collector(
    neo4j_store: Neo4jStore, kept_garbage: None
) -> None:
    neo4j_store.upsert([Location(id=f"L{i}", zip="06106") for i in range(20)])
    neo4j_store.upsert([Practitioner(npi=npi, name=npi, location_ids=("L1",)) for npi in (A, B)])
    neo4j_store.upsert_referrals([Referral(A, B, 5), Referral(B, A, 2)])
    gc.collect()
    sent = [o for o in gc.garbage if type(o).__name__ == "_Rows"]
    assert sent, "the driver no longer keeps parameters in a cycle: the store need not empty them"
    assert all(len(rows) == 0 for rows in sent)  # type: ignore[arg-type]
    assert _rows_in(gc.garbage) == []
