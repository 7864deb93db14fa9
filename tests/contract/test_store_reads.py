"""The store contract, part 2: radius reads with exact distances and effective-date filtering."""

from __future__ import annotations

import pytest

from network.geo import haversine_miles
from network.model import Location, Network, Participation, Practitioner, Specialty
from network.store import GeoPoint, GraphStore, RankQuery

CENTER = GeoPoint(41.7658, -72.6734)  # Hartford, CT


def _practice(store: GraphStore, npi: str, loc: Location, **part: object) -> None:
    store.upsert([loc])
    store.upsert(
        [
            Practitioner(
                npi=npi,
                name=f"Dr {npi}",
                specialties=("207RC0000X",),
                primary_specialty="207RC0000X",
                location_ids=(loc.id,),
                languages=("English", "Spanish") if npi.endswith("3") else ("English",),
            )
        ]
    )
    fields: dict[str, object] = {"role": "specialist", "specialty_code": "207RC0000X", "network_id": "N1"}
    fields.update(part)
    store.upsert([Participation(id=f"P-{npi}-{loc.id}", npi=npi, location_ids=(loc.id,), **fields)])  # type: ignore[arg-type]


@pytest.fixture
def region(store: GraphStore) -> GraphStore:
    store.upsert(
        [
            Specialty(code="207RC0000X", display="Cardiology", cms_type="Cardiology"),
            Specialty(code="207Q00000X", display="Family Medicine", pcp_eligible=True),
        ]
    )
    store.upsert([Network(id="N1", name="One"), Network(id="N2", name="Two")])
    _practice(store, "1234567893", Location(id="near", lat=41.80, lon=-72.70))
    _practice(store, "1003000126", Location(id="far", lat=42.36, lon=-71.06))  # Boston, ~92 mi
    _practice(store, "1003000134", Location(id="mid", lat=41.55, lon=-72.65), termination="2026-01-01")
    _practice(store, "1003000142", Location(id="n2", lat=41.77, lon=-72.67), network_id="N2")
    _practice(store, "1003000159", Location(id="future", lat=41.70, lon=-72.70), effective="2030-01-01")
    _practice(store, "1003000167", Location(id="pcp", lat=41.76, lon=-72.67), role="pcp")
    return store


def _query(**kw: object) -> RankQuery:
    base: dict[str, object] = {
        "network_ids": ("N1",),
        "as_of": "2026-06-01",
        "center": CENTER,
        "radius_miles": 25.0,
    }
    base.update(kw)
    return RankQuery(**base)  # type: ignore[arg-type]


def _npis(store: GraphStore, query: RankQuery) -> list[str]:
    return [s.npi for s in store.rank_specialists(query).items]


def test_radius_read_exact_distances(region: GraphStore) -> None:
    got = region.rank_specialists(_query())
    assert [s.npi for s in got.items] == ["1234567893"]
    assert got.items[0].distance_miles == haversine_miles(CENTER.lat, CENTER.lon, 41.80, -72.70)
    assert (got.total, got.has_next, got.has_previous) == (1, False, False)


def test_effective_and_termination_dates(region: GraphStore) -> None:
    assert set(_npis(region, _query(as_of="2025-12-31"))) == {"1234567893", "1003000134"}
    assert set(_npis(region, _query(as_of="2026-01-01"))) == {"1234567893"}  # termination day
    assert set(_npis(region, _query(as_of="2030-01-01"))) == {"1234567893", "1003000159"}


def test_radius_boundary_is_inclusive(region: GraphStore) -> None:
    exact = haversine_miles(CENTER.lat, CENTER.lon, 41.80, -72.70)
    assert _npis(region, _query(radius_miles=exact)) == ["1234567893"]
    assert _npis(region, _query(radius_miles=exact * 0.9999)) == []


def test_network_language_and_specialty_filters(region: GraphStore) -> None:
    assert _npis(region, _query(network_ids=("N2",))) == ["1003000142"]
    assert _npis(region, _query(language="spanish")) == ["1234567893"]
    assert _npis(region, _query(specialty_codes=frozenset({"207Q00000X"}))) == []
    wide = region.rank_specialists(_query(radius_miles=200.0)).items
    assert [s.npi for s in wide] == ["1234567893", "1003000126"]
    assert wide == sorted(wide, key=lambda s: s.distance_miles)


def test_participations_of(region: GraphStore) -> None:
    got = region.participations_of(["1003000134", "1999999992"])
    assert list(got) == ["1003000134"]
    assert [p.termination for p in got["1003000134"]] == ["2026-01-01"]
