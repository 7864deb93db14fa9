"""On a real Neo4j: the schema is created idempotently and hot-path statements seek, never scan."""

from __future__ import annotations

import pytest

from network.model import KEYS, Rel
from network.store import GraphStore
from network.store.catalog import Statement, cypher
from network.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

# Whole-graph statements by design (reports, checksums, reset); everything else is a hot path.
WHOLE_GRAPH = {
    Statement.STATS_NODES,
    Statement.STATS_RELATIONSHIPS,
    Statement.CHECKSUM_NODES,
    Statement.CHECKSUM_RELATIONSHIPS,
    Statement.CLEAR_BATCH,
    Statement.CLEAR_RELATIONSHIPS_BATCH,
    Statement.CLEAR_TWINS_BATCH,
    # Once per init_schema, on a graph without twins only, and it stops at its first row.
    Statement.TWINS_MISSING,
    Statement.INIT_SCHEMA,
    Statement.SHOW_CONSTRAINTS,
    Statement.SHOW_INDEXES,
    Statement.PING,
}
SCANS = ("NodeByLabelScan", "AllNodesScan", "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan")


def test_init_schema_is_idempotent_and_creates_every_key_constraint(neo4j_store: GraphStore) -> None:
    first = neo4j_store.init_schema()
    second = neo4j_store.init_schema()
    assert first == second
    assert isinstance(neo4j_store, Neo4jStore)
    rows = neo4j_store._run(Statement.SHOW_CONSTRAINTS)
    got = {(r["labels"][0], r["properties"][0]) for r in rows if r["type"] == "UNIQUENESS"}
    assert got == {(label.value, key) for label, key in KEYS.items()}
    point = [r for r in neo4j_store._run(Statement.SHOW_INDEXES) if r["type"] == "POINT"]
    assert [(r["labels"], r["properties"]) for r in point] == [(["Location"], ["point"])]


def _operators(plan: dict[str, object]) -> list[str]:
    out = [str(plan["operatorType"])]
    for child in plan.get("children", []):  # type: ignore[union-attr]
        out += _operators(child)  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("statement", [s for s in Statement if s not in WHOLE_GRAPH], ids=str)
def test_hot_path_statements_use_index_seeks(neo4j_store: Neo4jStore, statement: Statement) -> None:
    with neo4j_store._driver.session(database=neo4j_store._database) as session:
        summary = session.run("EXPLAIN " + cypher(statement)).consume()  # type: ignore[arg-type]
    assert summary.plan is not None
    operators = _operators(summary.plan)  # type: ignore[arg-type]
    scans = [op for op in operators if op.split("@")[0].startswith(SCANS)]
    assert scans == [], f"{statement.value} scans: {operators}"


def test_clearing_relationships_reads_the_type_index_not_the_store(neo4j_store: Neo4jStore) -> None:
    with neo4j_store._driver.session(database=neo4j_store._database) as session:
        summary = session.run("EXPLAIN " + cypher(Statement.CLEAR_RELATIONSHIPS_BATCH)).consume()  # type: ignore[arg-type]
    assert summary.plan is not None
    operators = [op.split("@")[0] for op in _operators(summary.plan)]  # type: ignore[arg-type]
    assert operators.count("DirectedRelationshipTypeScan") == len(Rel), operators
    assert not any("AllRelationships" in op for op in operators), operators
