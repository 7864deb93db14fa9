"""The store contract, adequacy part: bulk reads for audits, and the same report from both stores."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from network.adequacy import AdequacyRequest, audit_adequacy
from network.geo import EARTH_RADIUS_MILES
from network.model import County, Location, Network, Participation, Practitioner
from network.store import GraphStore
from network.store.memory import MemoryStore
from network.store.rows import AdequacyProviderRow, BBox, PractitionerPointRow

BASE = (41.70, -72.70)
CARDIO, DERM = "207RC0000X", "207N00000X"
A, B, C, D, E = "1000000012", "1000000020", "1000000038", "1000000046", "1000000053"
BOX = BBox(41.0, -73.5, 42.5, -72.0)


def north(miles: float) -> tuple[float, float]:
    return BASE[0] + math.degrees(miles / EARTH_RADIUS_MILES), BASE[1]


def south(miles: float) -> tuple[float, float]:
    return north(-miles)


def build(store: GraphStore) -> GraphStore:
    store.upsert(
        [
            County(
                fips="09003", name="Hartford", state="CT", designation="Metro", beneficiaries_required=5000
            ),
            County(
                fips="09009", name="New Haven", state="CT", designation="Micro", beneficiaries_required=100
            ),
            County(fips="25025", name="Suffolk", state="MA", designation="Large Metro"),
        ]
    )
    store.upsert([Network(id="N1", name="One"), Network(id="N2", name="Two")])
    far = north(60)
    store.upsert(
        [
            Location(id="L-base", lat=BASE[0], lon=BASE[1]),
            Location(id="L-near", lat=north(4)[0], lon=BASE[1]),
            Location(id="L-far", lat=far[0], lon=far[1]),  # outside BOX (north of 42.5)
            Location(id="L-none"),  # not geocoded: never a row
        ]
    )
    people = [
        (A, ("L-base", "L-near"), (CARDIO,), True),
        (B, ("L-near",), (DERM, CARDIO), True),
        (C, ("L-base",), (CARDIO,), False),
        (D, ("L-far", "L-none"), (CARDIO,), True),
        (E, ("L-near",), (CARDIO,), True),
    ]
    store.upsert(
        [
            Practitioner(
                npi=n,
                name=f"Dr {n[-3:]}",
                specialties=s,
                primary_specialty=s[0],
                location_ids=locs,
                active=active,
            )
            for n, locs, s, active in people
        ]
    )
    store.upsert(
        [
            Participation(
                id="P-A",
                npi=A,
                network_id="N1",
                role="specialist",
                specialty_code=CARDIO,
                location_ids=("L-base", "L-near"),
                effective="2024-01-01",
            ),
            Participation(
                id="P-B", npi=B, network_id="N1", role="specialist", location_ids=("L-near",), telehealth=True
            ),  # no specialty of its own: the practitioner's primary decides
            Participation(
                id="P-C",
                npi=C,
                network_id="N1",
                role="specialist",
                specialty_code=CARDIO,
                location_ids=("L-base",),
            ),  # inactive practitioner: returned, flagged
            Participation(
                id="P-D",
                npi=D,
                network_id="N1",
                role="specialist",
                specialty_code=CARDIO,
                location_ids=("L-far", "L-none"),
            ),  # outside the box
            Participation(
                id="P-E1",
                npi=E,
                network_id="N1",
                role="specialist",
                specialty_code=CARDIO,
                location_ids=("L-near",),
                termination="2025-06-01",
            ),  # ended on as-of: out
            Participation(
                id="P-E2",
                npi=E,
                network_id="N2",
                role="pcp",
                specialty_code=CARDIO,
                location_ids=("L-near",),
                effective="2025-06-01",
            ),  # starts on as-of: in
        ]
    )
    return store


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    return build(store)


def test_adequacy_providers_filters_networks_dates_and_the_box(graph: GraphStore) -> None:
    rows = graph.adequacy_providers(["N1", "N2"], "2025-06-01", BOX)
    near = north(4)
    assert rows == [
        AdequacyProviderRow(A, "P-A", "N1", CARDIO, CARDIO, "L-base", BASE[0], BASE[1], False, True),
        AdequacyProviderRow(A, "P-A", "N1", CARDIO, CARDIO, "L-near", near[0], near[1], False, True),
        AdequacyProviderRow(B, "P-B", "N1", None, DERM, "L-near", near[0], near[1], True, True),
        AdequacyProviderRow(C, "P-C", "N1", CARDIO, CARDIO, "L-base", BASE[0], BASE[1], False, False),
        AdequacyProviderRow(E, "P-E2", "N2", CARDIO, CARDIO, "L-near", near[0], near[1], False, True),
    ]
    assert [r.participation_id for r in graph.adequacy_providers(["N1"], "2025-05-31", BOX)] == [
        "P-A",
        "P-A",
        "P-B",
        "P-C",
        "P-E1",
    ]
    assert graph.adequacy_providers(["N1"], "2023-01-01", BBox(0.0, 0.0, 1.0, 1.0)) == []
    assert graph.adequacy_providers(["NOPE"], "2025-06-01", BOX) == []


def test_practitioner_points_in_a_box(graph: GraphStore) -> None:
    rows = graph.practitioner_points(BOX)
    near = north(4)
    assert rows == [
        PractitionerPointRow(A, (CARDIO,), "L-base", BASE[0], BASE[1], True),
        PractitionerPointRow(A, (CARDIO,), "L-near", near[0], near[1], True),
        PractitionerPointRow(B, (DERM, CARDIO), "L-near", near[0], near[1], True),
        PractitionerPointRow(C, (CARDIO,), "L-base", BASE[0], BASE[1], False),
        PractitionerPointRow(E, (CARDIO,), "L-near", near[0], near[1], True),
    ]
    far = north(60)
    assert [r.npi for r in graph.practitioner_points(BBox(far[0] - 0.01, -73.0, far[0] + 0.01, -72.0))] == [D]


def test_counties_by_state(graph: GraphStore) -> None:
    assert [c.fips for c in graph.counties_in_states(["CT"])] == ["09003", "09009"]
    assert [c.fips for c in graph.counties_in_states(["ma", "CT"])] == ["09003", "09009", "25025"]
    assert graph.counties_in_states(["RI"]) == []
    assert graph.counties_in_states(["XX"]) == []
    hartford = graph.counties_in_states(["CT"])[0]
    assert (hartford.designation, hartford.beneficiaries_required) == ("Metro", 5000)


def _points(tmp_path: Path) -> Path:
    near, far = north(2), south(50)
    rows = ["id,lat,lon,county_fips,weight"]
    rows += [f"h{i},{near[0]},{near[1]},09003,1" for i in range(8)]
    rows += [f"h-far,{far[0]},{far[1]},09003,2"]  # weight 2: 8 of 10 = 80%
    rows += [f"n{i},{near[0]},{near[1]},09009,1" for i in range(3)]
    path = tmp_path / "members.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def _request(tmp_path: Path) -> AdequacyRequest:
    return AdequacyRequest(
        as_of="2025-06-01",
        network_ids=("N1",),
        state="CT",
        specialty_types=("Cardiology", "Dermatology"),
        points_path=_points(tmp_path),
    )


def test_audit_gives_the_same_hand_computed_report_on_both_stores(graph: GraphStore, tmp_path: Path) -> None:
    report = audit_adequacy(graph, _request(tmp_path))
    cardio = report.cell("09003", "Cardiology")
    # Metro, 20 mi: 8 of 10 weight within reach of A; minimum ceil(0.27 x 5000 / 1000) = 2 but only A counts
    # (C is inactive, E's N1 role ended on the as-of day, D is 60 mi away).
    assert (cardio.points, cardio.points_with_access, cardio.pct_with_access) == (10.0, 8.0, 80.0)
    assert (cardio.providers_counted, cardio.minimum_required, cardio.passed) == (1, 2, False)
    derm = report.cell("09003", "Dermatology")  # B (telehealth) via its primary specialty: 80 + 10 = 90
    assert (derm.pct_with_access, derm.telehealth_credit_pct, derm.passed) == (80.0, 10.0, True)
    micro = report.cell("09009", "Cardiology")  # Micro: ceil(0.23 x 100 / 1000) = 1
    assert (micro.pct_with_access, micro.threshold_pct, micro.minimum_required, micro.passed) == (
        100.0,
        85.0,
        1,
        True,
    )
    gap = report.gap("09003", "Cardiology")
    assert gap is not None and gap.minimum_shortfall == 1
    # E (not in N1 on the day) covers nothing new but is near the county's points: the minimum pick.
    assert [(t.npi, t.reason) for t in gap.targets] == [(E, "minimum")]


@pytest.mark.neo4j
def test_neo4j_and_memory_reports_are_identical(neo4j_store: GraphStore, tmp_path: Path) -> None:
    request = _request(tmp_path)
    from_neo4j = audit_adequacy(build(neo4j_store), request).as_dict()
    from_memory = audit_adequacy(build(MemoryStore()), request).as_dict()
    from_neo4j.pop("generated_at")
    from_memory.pop("generated_at")
    assert from_neo4j == from_memory


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "statement", ["adequacy_providers", "adequacy_practitioner_points", "adequacy_counties"]
)
def test_adequacy_reads_start_from_an_index_seek(
    neo4j_store: GraphStore, neo4j_target: Any, statement: str
) -> None:
    from neo4j import GraphDatabase

    from network.store.catalog import Statement, cypher

    params = {**_box(BOX), "networks": ["N1"], "as_of": "2025-06-01", "prefixes": ["09"]}
    with GraphDatabase.driver(neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)) as driver:
        plan = driver.execute_query("EXPLAIN " + cypher(Statement(statement)), params).summary.plan
    operators: list[str] = []
    stack = [plan]
    while stack:
        node = stack.pop()
        operators.append(str(node["operatorType"]))
        stack.extend(node.get("children", []))
    assert any("IndexSeek" in op for op in operators), operators
    assert not any(op.startswith(("NodeByLabelScan", "AllNodesScan")) for op in operators), operators


def _box(box: BBox) -> dict[str, float]:
    return {"south": box.south, "west": box.west, "north": box.north, "east": box.east}
