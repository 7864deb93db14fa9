"""On a real Neo4j: a first referral load creates edges outright, and never twice (network.store.fresh)."""

from __future__ import annotations

from typing import Any

import pytest

from network.model import Practitioner, Referral
from network.store.catalog import Statement
from network.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

A, B, C = "1003000126", "1234567893", "1245319599"


class _Spy(Neo4jStore):
    """Records the referral statements it runs."""

    def __init__(self, store: Neo4jStore) -> None:
        super().__init__(store._driver, database=store._database, batch_size=2)
        self.ran: list[Statement] = []

    def _run(
        self, statement: Statement | str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        if statement in (Statement.WRITE_REFERRALS, Statement.WRITE_REFERRALS_NEW):
            assert isinstance(statement, Statement)
            self.ran.append(statement)
        return super()._run(statement, params, write=write)


def _seed(store: Neo4jStore) -> None:
    store.upsert([Practitioner(npi=npi, name=npi) for npi in (A, B, C)])


def _edges(store: Neo4jStore) -> int:
    return int(store._run("MATCH ()-[r:REFERS_TO]->() RETURN count(r) AS n")[0]["n"])


def test_a_first_load_creates_outright_and_upserts_a_repeated_key(neo4j_store: Neo4jStore) -> None:
    _seed(neo4j_store)
    spy = _Spy(neo4j_store)
    first = spy.upsert_referrals([Referral(A, B, 5), Referral(A, C, 3), Referral(B, "1999999992", 1)])
    assert (first.created, first.missing) == (2, {"to": 1})
    assert spy.ran == [Statement.WRITE_REFERRALS_NEW, Statement.WRITE_REFERRALS_NEW]  # batches of 2
    spy.ran.clear()
    # The same file's later rows: a repeated key must update its edge, not add a second one.
    again = spy.upsert_referrals([Referral(A, B, 6), Referral(C, A, 2)])
    assert (again.created, again.updated) == (1, 1)
    assert sorted(spy.ran) == [Statement.WRITE_REFERRALS, Statement.WRITE_REFERRALS_NEW]
    assert _edges(neo4j_store) == 3


def test_a_graph_that_holds_edges_upserts_every_row(neo4j_store: Neo4jStore) -> None:
    _seed(neo4j_store)
    neo4j_store.upsert_referrals([Referral(A, B, 5)])
    later = _Spy(neo4j_store)  # another process: it never saw the first load's keys
    counts = later.upsert_referrals([Referral(A, B, 7), Referral(A, C, 1)])
    assert (counts.created, counts.updated) == (1, 1)
    assert later.ran == [Statement.WRITE_REFERRALS]
    assert _edges(neo4j_store) == 2


def test_clearing_the_graph_makes_the_next_load_fresh_again(neo4j_store: Neo4jStore) -> None:
    _seed(neo4j_store)
    spy = _Spy(neo4j_store)
    spy.upsert_referrals([Referral(A, B, 5)])
    spy.clear()
    _seed(spy)
    spy.ran.clear()
    spy.upsert_referrals([Referral(A, C, 1)])
    assert spy.ran == [Statement.WRITE_REFERRALS_NEW]
    assert _edges(neo4j_store) == 1


def test_an_edge_written_with_bookkeeping_is_rewritten_to_its_content(neo4j_store: Neo4jStore) -> None:
    # Edges written before optimisation 33 carried their ends' NPIs, a key and a hash: the next load of
    # their file finds them by ends, source, year and window, and rewrites them once.
    _seed(neo4j_store)
    ref = Referral(A, B, 5, beneficiaries=2, year=2024)
    neo4j_store._run(
        "MATCH (a:Practitioner {npi: $a}), (b:Practitioner {npi: $b}) CREATE (a)-[r:REFERS_TO]->(b) "
        "SET r = $props, r.from_npi = $a, r.to_npi = $b, r.edge_key = $key, r.content_hash = 'old'",
        {"a": A, "b": B, "props": ref.edge_props(), "key": ref.key},
        write=True,
    )
    store = Neo4jStore(neo4j_store._driver, database=neo4j_store._database)  # sees edges: upserts
    counts = store.upsert_referrals([ref])
    assert (counts.created, counts.updated) == (0, 1)
    (row,) = store._run("MATCH ()-[r:REFERS_TO]->() RETURN properties(r) AS props")
    assert row["props"] == ref.edge_props()
    assert store.upsert_referrals([ref]).unchanged == 1
