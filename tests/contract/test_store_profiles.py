"""The store contract, profiles: a practitioner's directory entry read as one, on both stores."""

from __future__ import annotations

import pytest

from network.model import Label, Location, Network, Participation, Practitioner, Specialty
from network.store import GraphStore
from network.store.neo4j import Neo4jStore
from network.store.rows import NamedKeys, PractitionerProfile

CARDIOLOGY = Specialty(code="207RC0000X", display="Cardiology", cms_type="Cardiology")
FAMILY = Specialty(code="207Q00000X", display="Family Medicine", pcp_eligible=True)
ONCOLOGY = Specialty(code="207RX0202X", display="Medical Oncology", cms_type="Oncology - Medical")


@pytest.fixture
def directory(store: GraphStore) -> GraphStore:
    store.upsert([CARDIOLOGY, FAMILY, ONCOLOGY])
    store.upsert([Network(id="N1", name="One"), Network(id="N2", name="Two")])
    store.upsert(
        [
            Location(id="office", city="Hartford", state="CT", lat=41.76, lon=-72.67),
            Location(id="clinic", city="Bristol", state="CT", lat=41.67, lon=-72.95),
            Location(id="hospital", city="New Haven", state="CT", lat=41.30, lon=-72.93),
        ]
    )
    store.upsert(
        [
            Practitioner(
                npi="1234567893",
                name="Dr Heart",
                primary_specialty="207RC0000X",
                # "gone" and the unknown code name nodes that do not exist: left out, not an error.
                specialties=("207RC0000X", "207Q00000X", "999999999X"),
                location_ids=("office", "gone"),
            ),
            # Its primary specialty is not among its listed ones (none): read all the same.
            Practitioner(
                npi="1003000126", name="Dr Alone", primary_specialty="207RX0202X", location_ids=("clinic",)
            ),
        ]
    )
    store.upsert(
        [
            Participation(
                id="P2",
                npi="1234567893",
                network_id="N2",
                role="specialist",
                specialty_code="207RX0202X",
                location_ids=("hospital",),
                termination="2026-01-01",
            ),
            Participation(
                id="P1",
                npi="1234567893",
                network_id="N1",
                role="specialist",
                specialty_code="207RC0000X",
                location_ids=("office",),
            ),
            Participation(id="P3", npi="1234567893", network_id="N-missing", role="pcp"),
        ]
    )
    return store


def _composed(store: GraphStore, npi: str) -> PractitionerProfile:
    """The same entry read the long way: one store read per kind of node."""
    rec = store.get(Label.PRACTITIONER, npi)
    assert isinstance(rec, Practitioner)
    roles = store.participations_of([npi]).get(npi, [])
    locations, networks, codes = PractitionerProfile.named(rec, roles)
    return PractitionerProfile(
        practitioner=rec,
        participations=roles,
        locations=store.get_many(Label.LOCATION, locations),  # type: ignore[arg-type]
        networks=store.get_many(Label.NETWORK, networks),  # type: ignore[arg-type]
        specialties=store.get_many(Label.SPECIALTY, codes),  # type: ignore[arg-type]
    )


def test_profile_holds_the_entry_and_what_it_names(directory: GraphStore) -> None:
    got = directory.practitioner_profiles(["1234567893"])["1234567893"]
    assert got.practitioner.name == "Dr Heart"
    assert [p.id for p in got.participations] == ["P1", "P2", "P3"]  # any date, by id
    assert set(got.locations) == {"office", "hospital"}  # its own and its participations'; "gone" left out
    assert got.locations["hospital"].city == "New Haven"
    assert set(got.networks) == {"N1", "N2"}
    assert got.networks["N2"].name == "Two"
    assert set(got.specialties) == {"207RC0000X", "207Q00000X", "207RX0202X"}
    assert got.specialties["207RX0202X"] == ONCOLOGY


def test_profile_equals_the_reads_it_bundles(directory: GraphStore) -> None:
    for npi in ("1234567893", "1003000126"):
        got = directory.practitioner_profiles([npi])[npi]
        assert got == _composed(directory, npi)


def test_profiles_of_several_keep_each_entry_its_own(directory: GraphStore) -> None:
    got = directory.practitioner_profiles(["1003000126", "1999999992", "1234567893", "1003000126"])
    assert set(got) == {"1003000126", "1234567893"}  # an unknown NPI is absent; a repeated one, once
    alone = got["1003000126"]
    assert alone.participations == []
    assert set(alone.locations) == {"clinic"}
    assert alone.networks == {}
    assert alone.specialties == {"207RX0202X": ONCOLOGY}
    assert "clinic" not in got["1234567893"].locations
    for npi, profile in got.items():
        assert profile == _composed(directory, npi)


def test_named_lists_each_key_once_in_order() -> None:
    rec = Practitioner(
        npi="1234567893",
        name="Dr Heart",
        primary_specialty="207RC0000X",
        specialties=("207Q00000X", "207RC0000X"),
        location_ids=("a", "b"),
    )
    roles = [
        Participation(id="P1", npi=rec.npi, network_id="N1", role="specialist", location_ids=("b", "c")),
        Participation(id="P2", npi=rec.npi, network_id="N1", role="pcp", specialty_code="207Q00000X"),
    ]
    assert PractitionerProfile.named(rec, roles) == NamedKeys(
        locations=["a", "b", "c"], networks=["N1"], specialties=["207Q00000X", "207RC0000X"]
    )


def test_no_profiles_asked_none_read(store: GraphStore) -> None:
    assert store.practitioner_profiles([]) == {}


def test_profiles_of_unknown_npis_only_are_absent(directory: GraphStore) -> None:
    assert directory.practitioner_profiles(["1999999992", "1999999984"]) == {}


def test_profiles_read_in_several_calls_are_the_same(directory: GraphStore) -> None:
    """A batch larger than the store's batch size is read in several calls (Neo4j) with the same answer."""
    npis = ["1234567893", "1999999992", "1003000126"]
    whole = directory.practitioner_profiles(npis)
    if isinstance(directory, Neo4jStore):
        batch_size, directory._batch_size = directory._batch_size, 1  # a call a practitioner
        try:
            assert directory.practitioner_profiles(npis) == whole
        finally:
            directory._batch_size = batch_size
    assert set(whole) == {"1234567893", "1003000126"}
    assert whole["1234567893"] == _composed(directory, "1234567893")
