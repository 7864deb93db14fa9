"""The store contract, part 1: batched idempotent writes. Runs on both stores (see ``store``)."""

from __future__ import annotations

from network.model import (
    County,
    Label,
    Location,
    Network,
    Participation,
    Practitioner,
    Referral,
    Specialty,
)
from network.store import GraphStore

CARDIO = Specialty(code="207RC0000X", display="Cardiovascular Disease", cms_type="Cardiology")
FAMILY = Specialty(code="207Q00000X", display="Family Medicine", pcp_eligible=True, cms_type="Primary Care")

CARDIO_P1 = Participation(
    id="P1",
    npi="1234567893",
    network_id="N1",
    role="specialist",
    specialty_code="207RC0000X",
    location_ids=("L1",),
    effective="2025-01-01",
)


def _seed(store: GraphStore) -> None:
    store.upsert([CARDIO, FAMILY])
    store.upsert([Location(id="L1", lat=41.78, lon=-72.68, zip="06101", county_fips="09003")])
    store.upsert(
        [
            Practitioner(
                npi="1234567893",
                name="Ann Heart",
                specialties=("207RC0000X",),
                primary_specialty="207RC0000X",
                location_ids=("L1",),
            ),
            Practitioner(
                npi="1003000126",
                name="Bob Family",
                specialties=("207Q00000X",),
                primary_specialty="207Q00000X",
                location_ids=("L1",),
            ),
        ]
    )
    store.upsert([Network(id="N1", name="Net One")])


def test_upsert_counts_created_then_unchanged(store: GraphStore) -> None:
    first = store.upsert([CARDIO, FAMILY])
    again = store.upsert([CARDIO, FAMILY])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_upsert_update_replaces_properties(store: GraphStore) -> None:
    store.upsert([CARDIO])
    changed = Specialty(code=CARDIO.code, display="Cardiology", cms_type=None)
    counts = store.upsert([changed])
    assert (counts.created, counts.updated) == (0, 1)
    assert store.get_many(CARDIO.LABEL, [CARDIO.code])[CARDIO.code] == changed  # cms_type removed


def test_duplicate_keys_in_one_batch_last_wins(store: GraphStore) -> None:
    older = Specialty(code=CARDIO.code, display="old")
    counts = store.upsert([older, CARDIO, CARDIO])
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 1)
    assert store.stats().nodes == {"Specialty": 1}
    assert store.get(CARDIO.LABEL, CARDIO.code) == CARDIO


def test_rerunning_everything_changes_nothing(store: GraphStore) -> None:
    _seed(store)
    store.upsert([CARDIO_P1])
    store.upsert_referrals([Referral(from_npi="1003000126", to_npi="1234567893", pair_count=42, year=2024)])
    before, stats = store.checksum(), store.stats()
    _seed(store)
    store.upsert([CARDIO_P1])
    again = store.upsert_referrals(
        [Referral(from_npi="1003000126", to_npi="1234567893", pair_count=42, year=2024)]
    )
    assert again.unchanged == 1
    assert store.checksum() == before
    assert store.stats() == stats


def test_relationships_follow_links(store: GraphStore) -> None:
    _seed(store)
    store.upsert(
        [
            Participation(
                id="P1",
                npi="1234567893",
                network_id="N1",
                role="specialist",
                specialty_code="207RC0000X",
                location_ids=("L1",),
            )
        ]
    )
    rels = store.stats().relationships
    assert rels == {
        "AT_LOCATION": 1,
        "FOR_SPECIALTY": 1,
        "HAS_ROLE": 1,
        "HAS_SPECIALTY": 2,
        "IN_NETWORK": 1,
        "PRACTICES_AT": 2,
    }
    # Moving the participation to no location drops the old relationship instead of adding one.
    store.upsert(
        [
            Participation(
                id="P1", npi="1234567893", network_id="N1", role="specialist", specialty_code="207RC0000X"
            )
        ]
    )
    assert "AT_LOCATION" not in store.stats().relationships


def test_county_loaded_after_locations_is_linked(store: GraphStore) -> None:
    _seed(store)
    assert "IN_COUNTY" not in store.stats().relationships
    store.upsert([County(fips="09003", name="Hartford", state="CT", designation="Metro")])
    assert store.stats().relationships["IN_COUNTY"] == 1
    store.upsert([County(fips="09003", name="Hartford", state="CT", designation="Metro")])
    assert store.stats().relationships["IN_COUNTY"] == 1


def test_referral_needs_both_practitioners(store: GraphStore) -> None:
    _seed(store)
    counts = store.upsert_referrals(
        [
            Referral(from_npi="1003000126", to_npi="1999999992", pair_count=3),
            Referral(from_npi="1999999992", to_npi="1003000126", pair_count=3),
            Referral(from_npi="1999999992", to_npi="1999999984", pair_count=3),  # both absent: 'from'
            Referral(from_npi="1999999992", to_npi="1999999984", pair_count=4),  # same pair again
            Referral(from_npi="1003000126", to_npi="1234567893", pair_count=1),
        ]
    )
    assert (counts.created, counts.updated, counts.unchanged) == (1, 0, 0)
    assert counts.missing == {"to": 1, "from": 3}
    assert store.stats().relationships["REFERS_TO"] == 1


def test_a_referral_edge_is_its_ends_source_year_and_window(store: GraphStore) -> None:
    # The edge stores its content only and is found by what Referral.key names: each of these is an
    # edge of its own, a second load changes nothing, and a changed or dropped field updates just it.
    _seed(store)
    pcp, heart = "1003000126", "1234567893"
    edges = [
        Referral(pcp, heart, 5),
        Referral(pcp, heart, 5, year=2024),
        Referral(pcp, heart, 5, year=2024, window_days=30),
        Referral(pcp, heart, 5, beneficiaries=4, year=2024, window_days=90),
        Referral(pcp, heart, 5, source="claims"),
    ]
    first = store.upsert_referrals(edges)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    again = store.upsert_referrals(edges)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    changed = [
        Referral(pcp, heart, 6, year=2024),
        Referral(pcp, heart, 5, year=2024, window_days=90),  # beneficiaries dropped
        *(edges[i] for i in (0, 2, 4)),
    ]
    later = store.upsert_referrals(changed)
    assert (later.created, later.updated, later.unchanged) == (0, 2, 3)
    assert store.upsert_referrals(changed).unchanged == 5
    # A key repeated in one batch: the last row wins, the earlier ones count as its history.
    repeated = [
        Referral(pcp, heart, 7, year=2030),
        Referral(pcp, heart, 7, year=2030),
        Referral(pcp, heart, 8, year=2030),
    ]
    batch = store.upsert_referrals(repeated)
    assert (batch.created, batch.updated, batch.unchanged) == (1, 1, 1)
    assert store.stats().relationships["REFERS_TO"] == 6
    assert store.referral_counts(pcp, [heart]) == {heart: 34}


def test_lookup_checks_several_labels_in_one_call(store: GraphStore) -> None:
    _seed(store)
    found = store.lookup(
        {
            Label.PRACTITIONER: ["1234567893", "1999999992", "1234567893"],
            Label.NETWORK: {"N1", "N9"},
            Label.ORGANIZATION: [],
        },
        {Label.PRACTITIONER: ("primary_specialty", "location_ids")},
    )
    assert found == {
        Label.PRACTITIONER: {"1234567893": ("207RC0000X", ("L1",))},
        Label.NETWORK: {"N1": ()},
        Label.ORGANIZATION: {},
    }


def test_existing_keys_and_paging(store: GraphStore) -> None:
    _seed(store)
    assert store.existing_keys(Label.PRACTITIONER, ["1003000126", "1999999992"]) == {"1003000126"}
    assert store.keys(Label.PRACTITIONER) == ["1003000126", "1234567893"]
    assert store.keys(Label.PRACTITIONER, after="1003000126", limit=5) == ["1234567893"]
    assert store.keys(Label.PRACTITIONER, limit=1) == ["1003000126"]


def test_referral_counts_sum_over_sources(store: GraphStore) -> None:
    _seed(store)
    store.upsert_referrals(
        [
            Referral(from_npi="1003000126", to_npi="1234567893", pair_count=40, year=2023),
            Referral(from_npi="1003000126", to_npi="1234567893", pair_count=2, year=2024),
        ]
    )
    assert store.referral_counts("1003000126", ["1234567893", "1999999992"]) == {"1234567893": 42}
    assert store.top_referral_targets(["1003000126", "1234567893"], 5) == {
        "1003000126": [("1234567893", 42)],
        "1234567893": [],
    }


def test_records_shaped_beforehand_write_as_upsert_writes_them(store: GraphStore) -> None:
    # The pipeline shapes records on another thread and hands them over; counts and dedupe are upsert's.
    older = Specialty(code=CARDIO.code, display="old")
    shaped = [store.shape(rec) for rec in (older, CARDIO, FAMILY, CARDIO)]
    assert [(s.key, s.digest) for s in shaped] == [
        (r.key, r.digest()) for r in (older, CARDIO, FAMILY, CARDIO)
    ]
    counts = store.upsert_shaped(shaped)
    assert (counts.created, counts.updated, counts.unchanged) == (2, 1, 1)
    assert store.get(CARDIO.LABEL, CARDIO.code) == CARDIO
    again = store.upsert([CARDIO, FAMILY])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    _seed(store)
    refs = [Referral("1234567893", "1003000126", pair_count=5), Referral("1234567893", "1999999992", 1)]
    written = store.upsert_referrals_shaped([store.shape(r) for r in refs])
    assert (written.created, written.missing) == (1, {"to": 1})
