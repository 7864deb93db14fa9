"""Neo4j's typed twins of AT_LOCATION (network.store.twins), its index for a search naming a specialty.

Each AT_LOCATION of a participation naming a specialty has a twin of type ``AT_LOCATION_AS_<code>``, and
nothing else does: rewrites move them, ``clear`` removes them, and the graph's checksum and stats do not
see them (the embedded store, which has none, builds the same graph). A search naming a specialty by
the radius's way expands the twins alone, so another specialty's crowded building costs it nothing.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby
from typing import Any

import pytest

from network.model import Location, Network, Participation, Practitioner, Specialty
from network.store import GeoPoint, GraphStore, RankQuery
from network.store.memory import MemoryStore
from network.store.neo4j import Neo4jStore, rank_args, rank_params, rank_text
from network.store.twins import PREFIX

pytestmark = pytest.mark.neo4j

CENTER = GeoPoint(41.7658, -72.6734)  # Hartford, CT
CODES = ("207RC0000X", "207N00000X")
LINKS = """
MATCH (r:Participation)-[x]->(l:Location)
RETURN r.id AS participation, type(x) AS type, l.id AS location ORDER BY participation, type, location
"""


def _graph() -> list[Any]:
    return [
        *(Specialty(code=c, display=c) for c in CODES),
        Network(id="N1", name="N1"),
        *(Location(id=f"L{i}", lat=CENTER.lat + i / 100, lon=CENTER.lon) for i in range(3)),
        *(Practitioner(npi=f"19{i:08d}", name=f"Dr {i}") for i in range(3)),
        # Two locations and a third that is not stored (no link, so no twin either).
        Participation(
            id="A", npi="1900000000", network_id="N1", role="specialist", specialty_code=CODES[0],
            location_ids=("L0", "L1", "L9"),
        ),
        Participation(id="B", npi="1900000001", network_id="N1", role="specialist", location_ids=("L1",)),
        Participation(
            id="C", npi="1900000002", network_id="N1", role="specialist", specialty_code=CODES[1],
            location_ids=("L2",),
        ),
    ]  # fmt: skip


def _upsert(store: GraphStore, records: list[Any]) -> None:
    """One batch a label, in order (a store batch holds one label)."""
    for _, batch in groupby(records, key=lambda r: r.LABEL):
        store.upsert(list(batch))


def _links(store: Neo4jStore) -> list[tuple[str, str, str]]:
    return [(r["participation"], r["type"], r["location"]) for r in store._run(LINKS)]


def test_each_coded_link_to_a_location_has_its_twin_and_nothing_else_does(neo4j_store: Neo4jStore) -> None:
    _upsert(neo4j_store, _graph())
    a, c = PREFIX + CODES[0], PREFIX + CODES[1]
    assert _links(neo4j_store) == [
        ("A", "AT_LOCATION", "L0"),
        ("A", "AT_LOCATION", "L1"),
        ("A", a, "L0"),
        ("A", a, "L1"),
        ("B", "AT_LOCATION", "L1"),
        ("C", "AT_LOCATION", "L2"),
        ("C", c, "L2"),
    ]
    # A rewrite moves them: A changes specialty and drops a location, C loses its specialty.
    neo4j_store.upsert(
        [
            Participation(
                id="A", npi="1900000000", network_id="N1", role="specialist", specialty_code=CODES[1],
                location_ids=("L1",),
            ),
            Participation(id="C", npi="1900000002", network_id="N1", role="specialist", location_ids=("L2",)),
        ]
    )  # fmt: skip
    assert _links(neo4j_store) == [
        ("A", "AT_LOCATION", "L1"),
        ("A", c, "L1"),
        ("B", "AT_LOCATION", "L1"),
        ("C", "AT_LOCATION", "L2"),
    ]


def test_the_twins_are_not_part_of_the_graph(neo4j_store: Neo4jStore) -> None:
    memory = MemoryStore()
    for store in (neo4j_store, memory):
        _upsert(store, _graph())
    assert neo4j_store.checksum() == memory.checksum()
    assert neo4j_store.stats() == memory.stats()
    neo4j_store.clear()
    assert neo4j_store._run("MATCH ()-[r]->() RETURN count(r) AS n") == [{"n": 0}]


def test_init_schema_writes_the_twins_a_graph_loaded_before_them_lacks(neo4j_store: Neo4jStore) -> None:
    _upsert(neo4j_store, _graph())
    twins = _links(neo4j_store)
    neo4j_store._run(f"MATCH ()-[r]->() WHERE type(r) STARTS WITH '{PREFIX}' DELETE r", write=True)
    assert len(_links(neo4j_store)) == 4
    batch_size, neo4j_store._batch_size = neo4j_store._batch_size, 1  # a batch a participation
    try:
        neo4j_store.init_schema()
    finally:
        neo4j_store._batch_size = batch_size
    assert _links(neo4j_store) == twins
    neo4j_store.init_schema()  # once: a graph with twins is left alone
    assert _links(neo4j_store) == twins


def _expanded(store: Neo4jStore, query: RankQuery) -> dict[str, int]:
    """Rows the expansions to locations produced (PROFILE), by AT_LOCATION or twins; none left out."""
    text = "PROFILE " + rank_text(query)
    params = {**rank_params(query, query.radius_miles, None, "space"), "networks": ["N1"]}
    summary = store._driver.execute_query(text, rank_args(params)).summary
    assert summary.profile is not None
    out: dict[str, int] = {}

    def walk(op: dict[str, Any]) -> None:
        details = str(op.get("args", {}).get("Details", ""))
        if "Expand" in str(op["operatorType"]) and "AT_LOCATION" in details:
            kind = "twins" if PREFIX in details else "AT_LOCATION"
            out[kind] = out.get(kind, 0) + int(op.get("rows", 0))
        for child in op.get("children", []):
            walk(child)

    walk(summary.profile)
    return {kind: rows for kind, rows in out.items() if rows}  # the way not taken expands nothing


def test_a_named_search_by_the_radius_reads_only_its_specialty(neo4j_store: Neo4jStore) -> None:
    """A building with 300 participations of one specialty and 4 of another: a search naming the second
    expands 4 relationships, not 304; naming none, all 304."""
    store = neo4j_store
    _upsert(store, [*(Specialty(code=c, display=c) for c in CODES), Network(id="N1", name="N1")])
    store.upsert([Location(id="B", lat=CENTER.lat, lon=CENTER.lon)])
    doctors = [(f"18{i:08d}", CODES[0] if i < 300 else CODES[1]) for i in range(304)]
    store.upsert([Practitioner(npi=n, name=n, primary_specialty=c, specialties=(c,)) for n, c in doctors])
    store.upsert(
        [
            Participation(
                id=f"P-{n}", npi=n, network_id="N1", role="specialist", specialty_code=c, location_ids=("B",)
            )
            for n, c in doctors
        ]
    )
    query = RankQuery(network_ids=("N1",), as_of="2026-06-01", center=CENTER, radius_miles=5.0)
    assert _expanded(store, query) == {"AT_LOCATION": 304}
    named = replace(query, specialty_codes=frozenset(CODES[1:]))
    assert _expanded(store, named) == {"twins": 4}
    page = store.rank_specialists(named)
    assert [s.npi for s in page.items] == [n for n, c in doctors if c == CODES[1]]
