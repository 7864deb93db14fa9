"""The real NPPES and NUCC sample files, loaded into both stores; expectations are computed from the files
independently of the loader (csv.DictReader by column name)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.nppes import NppesLoader
from loaders.nucc import NuccLoader
from loaders.pipeline import LoadOptions, run_load
from network.model import Label, Organization, Practitioner, Specialty
from network.store import GraphStore

pytestmark = pytest.mark.shared_data

PRACTITIONERS = "nppes/sample-nppes-practitioner_20181204-data.csv"
ORGANIZATIONS = "nppes/sample-nppes-organization-data.csv"
NUCC = "nppes/nucc_provider_taxonomy.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _codes(row: dict[str, str]) -> list[tuple[str, str]]:
    slots = (
        (
            row[f"Healthcare Provider Taxonomy Code_{n}"],
            row[f"Healthcare Provider Primary Taxonomy Switch_{n}"],
        )
        for n in range(1, 16)
    )
    return [(code, switch) for code, switch in slots if code]


def _load(store: GraphStore, paths: list[Path]) -> NppesLoader:
    loader = NppesLoader()
    report = run_load(loader, paths, store, LoadOptions(batch_size=500))
    assert report.balanced and report.rejected == 0, report.as_dict()
    return loader


def test_every_row_accounted_and_reload_is_idempotent(store: GraphStore, shared_data: Path) -> None:
    paths = [shared_data / PRACTITIONERS, shared_data / ORGANIZATIONS]
    people, orgs = _rows(paths[0]), _rows(paths[1])
    report = run_load(NppesLoader(), paths, store, LoadOptions(batch_size=500))
    assert (len(people), len(orgs)) == (2000, 40)
    assert (report.read, report.rejected, report.skipped) == (2040, 0, 0)
    assert report.created == len({r["NPI"] for r in people}) + len({r["NPI"] for r in orgs})
    assert report.balanced
    nodes = store.stats().nodes
    assert (nodes["Practitioner"], nodes["Organization"]) == (2000, 40)
    before = store.checksum()
    again = run_load(NppesLoader(), paths, store, LoadOptions(batch_size=500))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2040)
    assert store.checksum() == before


def test_primary_taxonomy_not_in_slot_1(store: GraphStore, shared_data: Path) -> None:
    path = shared_data / PRACTITIONERS
    rows = _rows(path)
    expected: dict[str, str] = {}
    fallbacks = 0
    for row in rows:
        codes = _codes(row)
        first_y = next((slot for slot, (_, switch) in enumerate(codes, start=1) if switch == "Y"), None)
        if first_y is None and codes:
            fallbacks += 1
        if first_y is not None and first_y > 1:
            expected[row["NPI"]] = codes[first_y - 1][0]
    assert len(expected) == 195  # as the sample's README counts them
    loader = _load(store, [path])
    got = store.get_many(Label.PRACTITIONER, list(expected))
    assert {
        npi: rec.primary_specialty for npi, rec in got.items() if isinstance(rec, Practitioner)
    } == expected
    assert loader.primary_fallbacks == fallbacks > 0


def test_sample_fields(store: GraphStore, shared_data: Path) -> None:
    rows = {r["NPI"]: r for r in _rows(shared_data / PRACTITIONERS)}
    _load(store, [shared_data / PRACTITIONERS, shared_data / ORGANIZATIONS])
    got = store.get_many(Label.PRACTITIONER, list(rows))
    dotted = [npi for npi, r in rows.items() if r["Provider Credential Text"] == "M.D."]
    assert dotted and all(getattr(got[npi], "credential", None) == "MD" for npi in dotted)
    reactivated = [
        npi for npi, r in rows.items() if r["NPI Deactivation Date"] and r["NPI Reactivation Date"]
    ]
    assert reactivated and all(getattr(got[npi], "active", None) is True for npi in reactivated)
    orgs = store.get_many(Label.ORGANIZATION, store.keys(Label.ORGANIZATION))
    holders = [*got.values(), *orgs.values()]
    locations = {loc for rec in holders for loc in getattr(rec, "location_ids", ())}
    assert len(store.get_many(Label.LOCATION, locations)) == len(locations) == store.stats().nodes["Location"]
    assert all(isinstance(o, Organization) and o.id == f"npi:{o.npi}" for o in orgs.values())
    assert {getattr(o, "kind", None) for o in orgs.values()} <= {"facility", "provider_group", "other"}


@pytest.mark.parametrize("nucc_first", [True, False])
def test_nucc_names_reach_practitioner_specialties(
    store: GraphStore, shared_data: Path, nucc_first: bool
) -> None:
    nucc = _rows(shared_data / NUCC)
    display = {r["Code"]: " ".join(r["Display Name"].split()) for r in nucc}
    if nucc_first:
        report = run_load(NuccLoader(), [shared_data / NUCC], store, LoadOptions())
        assert (report.read, report.created, report.rejected) == (len(nucc), len(display), 0)
    _load(store, [shared_data / PRACTITIONERS])
    if not nucc_first:
        report = run_load(NuccLoader(), [shared_data / NUCC], store, LoadOptions())
        assert report.read == len(nucc) and report.balanced and report.rejected == 0
    assert store.stats().nodes["Specialty"] >= len(display)
    people = store.get_many(Label.PRACTITIONER, store.keys(Label.PRACTITIONER, limit=5000))
    used = {code for rec in people.values() for code in getattr(rec, "specialties", ())}
    assert used <= set(display)
    specialties = store.get_many(Label.SPECIALTY, used)
    assert {code: getattr(s, "display", None) for code, s in specialties.items()} == {
        c: display[c] for c in used
    }
    assert all(isinstance(s, Specialty) for s in specialties.values())
    edges = sum(len(set(getattr(rec, "specialties", ()))) for rec in people.values())
    assert store.stats().relationships["HAS_SPECIALTY"] == edges


def test_sparse_deactivation_updates_a_sample_practitioner(
    store: GraphStore, shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / PRACTITIONERS
    rows = _rows(path)
    _load(store, [path])
    target = rows[0]["NPI"]
    before = store.get(Label.PRACTITIONER, target)
    assert isinstance(before, Practitioner) and before.active
    monthly = tmp_path / "deactivations.csv"
    with monthly.open("w", newline="") as fh:  # real NPPES: the NPI and the date, every other field blank
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerow({"NPI": target, "NPI Deactivation Date": "07/01/2024"})
    report = run_load(NppesLoader(states=frozenset({"CT"})), [monthly], store, LoadOptions())
    assert (report.read, report.updated, report.skipped) == (1, 1, 0)
    after = store.get(Label.PRACTITIONER, target)
    assert isinstance(after, Practitioner)
    assert (after.active, after.deactivated_on, after.name, after.location_ids) == (
        False,
        "2024-07-01",
        before.name,
        before.location_ids,
    )
