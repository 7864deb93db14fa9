"""Directory lookups (network.services.directory) and the store reads behind them, on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from network.geo import haversine_miles
from network.model import Location, Network, Participation, Plan, Practitioner, Specialty
from network.services import GeoQuery, InvalidRequest, ProviderFilter, ProviderPage, search_providers
from network.services.directory import find_specialties, networks_in_effect
from network.store import GraphStore
from network.store.memory import MemoryStore
from network.store.rows import NetworkCounts

AS_OF = "2026-06-01"
CENTER = (41.7658, -72.6734)  # Hartford, CT
CARDIO, OBGYN, FAMILY = "207RC0000X", "207V00000X", "207Q00000X"
ANN, BOB, CARLA, DAN, EVE = "1003000019", "1003000027", "1003000035", "1003000043", "1003000050"


def seed(store: GraphStore) -> GraphStore:
    store.upsert(
        [
            Specialty(code=CARDIO, display="Cardiovascular Disease", cms_type="Cardiology"),
            Specialty(code=OBGYN, display="Obstetrics & Gynecology", cms_type="Gynecology OB/GYN"),
            Specialty(code=FAMILY, display="Family Medicine", pcp_eligible=True, cms_type="Primary Care"),
        ]
    )
    store.upsert(
        [
            Location(id="hartford", lat=41.77, lon=-72.68, state="CT", zip="06103"),
            Location(id="west-hartford", lat=41.76, lon=-72.74, state="CT", zip="06107-1234"),
            Location(id="springfield", lat=42.10, lon=-72.59, state="MA", zip="01103"),
            Location(id="providence", lat=41.82, lon=-71.41, state="RI", zip="02903"),
            Location(id="nowhere"),  # no point: never in a radius search
        ]
    )
    store.upsert([Network(id="N1", name="One"), Network(id="N2", name="Two"), Network(id="N3", name="Three")])
    store.upsert(
        [
            Plan(id="P12", name="Both", plan_type="hmo", referral_required=True, network_ids=("N1", "N2")),
            Plan(id="P3", name="Three", plan_type="ppo", referral_required=False, network_ids=("N3",)),
        ]
    )

    def person(npi: str, name: str, code: str, locs: tuple[str, ...], **kw: object) -> Practitioner:
        return Practitioner(
            npi=npi,
            name=name,
            specialties=(code,),
            primary_specialty=code,
            location_ids=locs,
            **kw,  # type: ignore[arg-type]
        )

    store.upsert(
        [
            person(ANN, "Ann O'Heart", CARDIO, ("providence", "hartford"), sex="F", languages=("English",)),
            person(BOB, "BOB HEARTWELL", CARDIO, ("springfield",), sex="M", languages=("English", "Spanish")),
            person(CARLA, "Carla Birth", OBGYN, ("west-hartford",), sex="F", languages=("Spanish",)),
            person(DAN, "Dan Family", FAMILY, ("hartford",), sex="M"),
            person(EVE, "Eve Nowhere", CARDIO, ("nowhere",), sex="F"),
        ]
    )

    def role(npi: str, network: str, **kw: object) -> Participation:
        fields: dict[str, object] = {"role": "specialist", "accepting_new_patients": True}
        fields.update(kw)
        return Participation(id=f"R-{npi}-{network}", npi=npi, network_id=network, **fields)  # type: ignore[arg-type]

    store.upsert(
        [
            role(ANN, "N1", location_ids=("hartford",)),
            role(ANN, "N3", termination="2026-01-01"),
            role(BOB, "N2", accepting_new_patients=False, location_ids=("springfield",)),
            role(CARLA, "N1", effective="2027-01-01", location_ids=("west-hartford",)),
            role(CARLA, "N3", location_ids=("west-hartford",)),
            role(DAN, "N1", role="pcp", location_ids=("hartford",)),
        ]
    )
    return store


@pytest.fixture
def directory(store: GraphStore) -> GraphStore:
    return seed(store)


def find(store: GraphStore, first: int = 20, after: str | None = None, **kw: object) -> ProviderPage:
    kw.setdefault("as_of", AS_OF)
    page = search_providers(store, ProviderFilter(**kw), first=first, after=after)  # type: ignore[arg-type]
    assert isinstance(page, ProviderPage), page
    return page


def npis(page: ProviderPage) -> list[str]:
    return [r.hit.npi for r in page.results]


def test_name_words_any_case_ordered_by_name(directory: GraphStore) -> None:
    assert npis(find(directory, name="heart")) == [ANN, BOB]  # "O'Heart" and "HEARTWELL", by name
    assert npis(find(directory, name="BOB hea")) == [BOB]
    assert npis(find(directory, name="art")) == []  # word beginnings, not any substring
    assert npis(find(directory, name="o heart")) == [ANN]


def test_specialty_by_code_and_cms_type(directory: GraphStore) -> None:
    assert npis(find(directory, specialty="cardiology")) == [ANN, BOB, EVE]
    assert npis(find(directory, specialty=OBGYN)) == [CARLA]


def test_near_radius_nearest_location_and_inclusive_boundary(directory: GraphStore) -> None:
    near = GeoQuery(lat=CENTER[0], lon=CENTER[1])
    page = find(directory, near=near, radius_miles=10)
    assert npis(page) == [ANN, DAN, CARLA]  # nearest first; Ann at Hartford, not Providence
    assert [r.hit.location_id for r in page.results] == ["hartford", "hartford", "west-hartford"]
    assert page.results[0].hit.distance_miles == haversine_miles(*CENTER, 41.77, -72.68)
    edge = haversine_miles(*CENTER, 41.76, -72.74)
    assert CARLA in npis(find(directory, near=near, radius_miles=edge))
    assert CARLA not in npis(find(directory, near=near, radius_miles=edge * 0.9999))


def test_state_and_zip_hold_at_the_same_location(directory: GraphStore) -> None:
    assert npis(find(directory, state="ri")) == [ANN]
    assert npis(find(directory, zip="06107")) == [CARLA]  # a ZIP+4 location matches its ZIP5
    assert npis(find(directory, state="MA", zip="06103")) == []
    assert npis(find(directory, state="CT", name="ann")) == [ANN]


def test_network_plan_and_dates(directory: GraphStore) -> None:
    assert npis(find(directory, network_id="N1")) == [ANN, DAN]  # Carla's N1 role starts in 2027
    assert npis(find(directory, network_id="N1", as_of="2027-01-01")) == [ANN, CARLA, DAN]
    assert npis(find(directory, plan_id="P12")) == [ANN, BOB, DAN]
    assert npis(find(directory, plan_id="P3")) == [CARLA]  # Ann's N3 role ended
    assert npis(find(directory, plan_id="P3", network_id="N1")) == []  # both: the intersection


def test_accepting_language_and_sex(directory: GraphStore) -> None:
    assert npis(find(directory, specialty="Cardiology", accepting_new_patients=False)) == [BOB]
    assert npis(find(directory, specialty="Cardiology", accepting_new_patients=True)) == [ANN]
    assert npis(find(directory, plan_id="P12", language="spanish")) == [BOB]
    assert npis(find(directory, specialty="Cardiology", sex="f")) == [ANN, EVE]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"language": "Spanish"}, None),  # no indexed filter
        ({"network_id": "NOPE"}, "networkId"),
        ({"plan_id": "NOPE"}, "planId"),
        ({"state": "XX"}, "state"),
        ({"zip": "abc"}, "zip"),
        ({"name": "42"}, "name"),
        ({"near": GeoQuery(lat=41.0, lon=-72.0), "radius_miles": 500}, "radiusMiles"),
        ({"specialty": "Cardiolgy"}, "specialty"),
    ],
)
def test_invalid_searches(directory: GraphStore, kw: dict[str, object], field: str | None) -> None:
    got = search_providers(directory, ProviderFilter(**kw))  # type: ignore[arg-type]
    assert isinstance(got, InvalidRequest)
    assert got.field == field


@pytest.mark.parametrize("located", [False, True])
def test_paging_returns_each_provider_once(directory: GraphStore, located: bool) -> None:
    kw: dict[str, Any] = (
        {"near": GeoQuery(lat=CENTER[0], lon=CENTER[1]), "radius_miles": 100}
        if located
        else {"specialty": "Cardiology"}
    )
    everything = npis(find(directory, **kw))
    seen: list[str] = []
    after: str | None = None
    while True:
        page = find(directory, first=1, after=after, **kw)
        seen += npis(page)
        if not page.has_next:
            break
        after = page.results[-1].cursor
    assert seen == everything
    assert len(everything) >= 3


def test_network_counts(directory: GraphStore) -> None:
    assert directory.network_counts(["N1", "N3", "NOPE"], AS_OF) == {
        "N1": NetworkCounts(participations=2, practitioners=2, pcps=1, specialists=1, locations=1),
        "N3": NetworkCounts(participations=1, practitioners=1, pcps=0, specialists=1, locations=1),
    }
    assert directory.network_counts(["N1"], "2027-01-01")["N1"].locations == 2


def test_find_specialties(directory: GraphStore) -> None:
    assert [s.code for s in find_specialties(directory, "cardio", 10)] == [CARDIO]
    assert [s.code for s in find_specialties(directory, "primary care", 10)] == [FAMILY]
    assert [s.code for s in find_specialties(directory, None, 2)] == [FAMILY, CARDIO]


def test_networks_in_effect(directory: GraphStore) -> None:
    roles = directory.participations_of([ANN, CARLA])
    assert networks_in_effect(roles[ANN], AS_OF) == ["N1"]
    assert networks_in_effect(roles[ANN], "2025-12-31") == ["N1", "N3"]
    assert networks_in_effect(roles[CARLA], AS_OF) == ["N3"]


@pytest.mark.neo4j
def test_same_answers_on_both_stores(neo4j_store: GraphStore) -> None:
    memory = seed(MemoryStore())
    seed(neo4j_store)
    searches: list[dict[str, Any]] = [
        {"name": "h"},
        {"specialty": "Cardiology", "sex": "F"},
        {"near": GeoQuery(zip="06103"), "radius_miles": 80},
        {"state": "CT", "plan_id": "P12", "as_of": "2027-06-01"},
        {"network_id": "N1", "accepting_new_patients": True},
    ]
    for kw in searches:
        assert find(memory, **kw) == find(neo4j_store, **kw), kw
