"""The participation roster loader: every reject reason, the graph-based defaults, ids, accounting."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import UnreadableSource
from loaders.nppes_fields import address_location_id
from loaders.participation import (
    NOTE_GROUP_CREATED,
    NOTE_PCP_NOT_ELIGIBLE,
    ParticipationLoader,
    participation_id,
)
from loaders.pipeline import LoadOptions, run_load
from loaders.report import LoadReport
from network.model import Label, Location, Network, Organization, Participation, Practitioner
from network.store.memory import MemoryStore

HEADER = (
    "npi,network_id,role,specialty_code,address,city,state,zip,accepting_new_patients,"
    "effective_date,termination_date,medical_group\n"
)
CARDIO, FAMILY = "1000000012", "1000000020"  # valid NPIs of the seeded practitioners
UNKNOWN = "1000000038"  # valid, but not in the graph


def seeded() -> MemoryStore:
    store = MemoryStore()
    store.upsert([Location(id="L1", zip="06106"), Location(id="L2", zip="06106")])
    store.upsert(
        [
            Practitioner(
                CARDIO,
                "Ann Heart",
                primary_specialty="207RC0000X",
                specialties=("207RC0000X",),
                location_ids=("L1", "L2"),
            ),
            Practitioner(FAMILY, "Bob Family", primary_specialty="207Q00000X", specialties=("207Q00000X",)),
        ]
    )
    store.upsert([Network("N1", "North"), Network("N2", "South")])
    store.upsert([Organization("npi:1407071236", "Hartford Hospital", kind="facility")])
    return store


def load(store: MemoryStore, tmp: Path, rows: str) -> tuple[LoadReport, ParticipationLoader]:
    path = tmp / "participation.csv"
    path.write_text(HEADER + rows)
    loader = ParticipationLoader()
    report = run_load(loader, [path], store, LoadOptions(batch_size=3))
    assert report.balanced, report.as_dict()
    return report, loader


def parts(store: MemoryStore) -> list[Participation]:
    found = store.get_many(Label.PARTICIPATION, store.keys(Label.PARTICIPATION))
    return sorted(
        (p for p in found.values() if isinstance(p, Participation)), key=lambda p: (p.npi, p.network_id)
    )


def test_defaults_come_from_the_stored_practitioner(tmp_path: Path) -> None:
    store = seeded()
    report, _ = load(store, tmp_path, f"{CARDIO},N1,specialist,,,,,,yes,01/15/2024,2025-01-01,\n")
    assert (report.created, report.rejected) == (1, 0)
    [p] = parts(store)
    assert p == Participation(
        id=participation_id(CARDIO, "N1", "specialist", "207RC0000X", ("L1", "L2")),
        npi=CARDIO,
        network_id="N1",
        role="specialist",
        specialty_code="207RC0000X",
        location_ids=("L1", "L2"),
        accepting_new_patients=True,
        effective="2024-01-15",
        termination="2025-01-01",
        source="participation",
    )
    assert store.stats().relationships["HAS_ROLE"] == 1 and store.stats().relationships["AT_LOCATION"] == 2


def test_a_given_address_is_the_nppes_location_node(tmp_path: Path) -> None:
    store = seeded()
    load(store, tmp_path, f'{FAMILY},N2,pcp,207Q00000X,"85 Jefferson St.",Hartford,ct,6106,,,,\n')
    [p] = parts(store)
    expected = address_location_id("85 JEFFERSON ST.", "HARTFORD", "CT", "06106")
    assert p.location_ids == (expected,)
    loc = store.get(Label.LOCATION, expected)
    assert isinstance(loc, Location) and (loc.zip, loc.county_fips, loc.precision) == (
        "06106",
        "09003",
        "zip_centroid",
    )


def test_id_is_stable_and_reload_is_idempotent(tmp_path: Path) -> None:
    store = seeded()
    rows = f"{CARDIO},N1,specialist,,,,,,,,,\n{FAMILY},N1,pcp,,,,,,no,,,Hartford Hospital\n"
    first, _ = load(store, tmp_path, rows)
    checksum = store.checksum()
    again, _ = load(store, tmp_path, rows)
    assert (first.created, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert store.checksum() == checksum


def test_medical_group_links_an_existing_organization_or_writes_one(tmp_path: Path) -> None:
    store = seeded()
    _, loader = load(
        store, tmp_path, f"{CARDIO},N1,specialist,,,,,,,,,1407071236\n{FAMILY},N1,pcp,,,,,,,,,Elm St Group\n"
    )
    orgs = {p.npi: p.organization_id for p in parts(store)}
    assert orgs == {CARDIO: "npi:1407071236", FAMILY: "group:elm-st-group"}
    group = store.get(Label.ORGANIZATION, "group:elm-st-group")
    assert isinstance(group, Organization) and (group.name, group.kind) == ("Elm St Group", "provider_group")
    assert f"1 x {NOTE_GROUP_CREATED}" in loader.notes()


def test_pcp_with_a_specialty_that_is_not_pcp_eligible_is_kept_and_noted(tmp_path: Path) -> None:
    store = seeded()
    report, loader = load(store, tmp_path, f"{CARDIO},N1,pcp,,,,,,,,,\n")
    assert report.created == 1 and parts(store)[0].role == "pcp"
    assert loader.notes() == [f"1 x {NOTE_PCP_NOT_ELIGIBLE}"]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            f"{UNKNOWN},N1,pcp,,,,,,,,,",
            "npi",
            f"NPI {UNKNOWN} not in the graph (load the practitioner first, e.g. from NPPES)",
        ),
        (
            f"{CARDIO},N9,pcp,,,,,,,,,",
            "network_id",
            "network N9 not in the graph (load the plans roster first)",
        ),
        ("1000000013,N1,pcp,,,,,,,,,", "npi", "NPI check digit (Luhn, prefix 80840) fails"),
        ("123,N1,pcp,,,,,,,,,", "npi", "NPI must be 10 digits"),
        (f"{CARDIO},,pcp,,,,,,,,,", "network_id", "required value missing"),
        (f"{CARDIO},N1,doctor,,,,,,,,,", "role", "role must be pcp or specialist"),
        (f"{CARDIO},N1,pcp,207RC000,,,,,,,,", "specialty_code", "malformed NUCC taxonomy code"),
        (
            f"{CARDIO},N1,pcp,,1 Main St,,CT,06106,,,,",
            "city",
            "practice address incomplete: address, city, state and zip go together",
        ),
        (f"{CARDIO},N1,pcp,,1 Main St,Hartford,ZZ,06106,,,,", "state", "not a US state code"),
        (f"{CARDIO},N1,pcp,,1 Main St,Hartford,CT,6-1,,,,", "zip", "ZIP cannot be restored to 5 digits"),
        (
            f"{CARDIO},N1,pcp,,,,,,perhaps,,,",
            "accepting_new_patients",
            "accepting_new_patients must be true or false",
        ),
        (
            f"{CARDIO},N1,pcp,,,,,,,2024-13-01,,",
            "effective_date",
            "unparseable date (use YYYY-MM-DD or MM/DD/YYYY)",
        ),
        (
            f"{CARDIO},N1,pcp,,,,,,,2024-02-01,2024-01-01,",
            "termination_date",
            "termination_date is not after effective_date (it is exclusive)",
        ),
        (f"{CARDIO},N1,pcp,,,,,,,,,,extra", "row", "more fields than the header"),
        (f"{CARDIO},N1", "role", "fewer fields than the header"),
    ],
)
def test_rejects(tmp_path: Path, row: str, column: str, reason: str) -> None:
    store = seeded()
    before = store.checksum()
    report, _ = load(store, tmp_path, row + "\n")
    assert (report.rejected, report.reject_reasons) == (1, {reason: 1})
    assert store.checksum() == before  # nothing invented


def test_header_without_required_columns_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("npi,network\n1000000012,N1\n")
    with pytest.raises(UnreadableSource, match="role"):
        run_load(ParticipationLoader(), [path], MemoryStore(), LoadOptions())


CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            CARDIO,
            UNKNOWN,
            "N1",
            "pcp",
            "specialist",
            "207RC0000X",
            "CT",
            "06106",
            "2024-01-01",
            "13/45/2020",
            "yes",
            '"',
            "\x00",
            "\n",
            ",",
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=14), max_size=12))
def test_malformed_rows_never_crash_and_are_all_accounted(tmp_path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    report, _ = load(seeded(), tmp_path, buffer.getvalue())
    assert report.read == sum(1 for row in csv.reader(io.StringIO(HEADER + buffer.getvalue())) if row) - 1
