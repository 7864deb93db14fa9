"""The audit over a (memory) graph, hand-computed: thresholds by designation, inclusive 90%, telehealth
credit, county overrides, effective dates, recruitment targets, and the report files."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from network.adequacy import AdequacyReport, AdequacyRequest, audit_adequacy
from network.adequacy.writers import CSV_COLUMNS, write_reports
from network.errors import InvalidInput, NotFound
from network.geo import EARTH_RADIUS_MILES
from network.model import County, Location, Network, Participation, Plan, Practitioner
from network.store.memory import MemoryStore

BASE = (41.70, -72.70)
CARDIO, DERM, URO, PCP = "207RC0000X", "207N00000X", "208800000X", "207Q00000X"
A, B, D, E, F, G, H, X, Y, Z = (
    "1000000012",  # A: cardiologist in N1 at BASE
    "1000000111",  # B: cardiologist in no network, at FAR: the recruitment target
    "1000000038",  # D: in N1 as a PCP at FAR, cardiologist by NPPES too: a member, never a target
    "1000000046",  # E: in N1 through a California office, practises at FAR too: found by participations_of
    "1000000053",  # F: cardiologist in N1 from 2025-07-01
    "1000000061",  # G: cardiologist in N1 until 2025-06-01 (exclusive)
    "1000000079",  # H: inactive cardiologist in N1
    "1000000087",  # X: dermatologist in N1 with telehealth
    "1000000095",  # Y: urologist in N1 with telehealth
    "1000000103",  # Z: cardiologist in the other network N2
)
AS_OF = "2025-06-01"


def north(miles: float) -> tuple[float, float]:
    return BASE[0] + math.degrees(miles / EARTH_RADIUS_MILES), BASE[1]


NEAR, FAR = north(3), north(60)


def _practitioner(
    store: MemoryStore, npi: str, loc: str, codes: tuple[str, ...], active: bool = True
) -> None:
    store.upsert(
        [
            Practitioner(
                npi=npi,
                name=f"Dr {npi[-3:]}",
                specialties=codes,
                primary_specialty=codes[0],
                location_ids=(loc,),
                active=active,
            )
        ]
    )


def _part(store: MemoryStore, npi: str, loc: str, code: str, network: str = "N1", **kw: object) -> None:
    store.upsert(
        [
            Participation(
                id=f"P-{npi}-{network}-{loc}",
                npi=npi,
                network_id=network,
                role="specialist",
                specialty_code=code,
                location_ids=(loc,),
                **kw,
            )
        ]  # type: ignore[arg-type]
    )


@pytest.fixture
def world() -> MemoryStore:
    store = MemoryStore()
    store.upsert(
        [
            County(
                fips="09003", name="Hartford", state="CT", designation="Metro", beneficiaries_required=1000
            ),
            County(
                fips="09005", name="Litchfield", state="CT", designation="Micro", beneficiaries_required=1000
            ),
            County(
                fips="09007",
                name="Middlesex",
                state="CT",
                designation="Metro",
                beneficiaries_required=1000,
                overrides_json=json.dumps({"Cardiology": [None, 2.0]}),
            ),
            County(
                fips="09009", name="New Haven", state="CT", designation="Metro", beneficiaries_required=1000
            ),
            County(
                fips="09011", name="New London", state="CT", designation="Metro", beneficiaries_required=1000
            ),
            County(fips="09013", name="Tolland", state="CT"),  # no designation: skipped, with a reason
        ]
    )
    store.upsert([Network(id="N1", name="One"), Network(id="N2", name="Two")])
    store.upsert([Plan(id="PL1", name="Plan", plan_type="hmo", referral_required=True, network_ids=("N1",))])
    store.upsert(
        [
            Location(id="BASE", lat=BASE[0], lon=BASE[1]),
            Location(id="ONE", lat=north(1)[0], lon=BASE[1]),
            Location(id="FAR", lat=FAR[0], lon=FAR[1]),
            Location(id="CA", lat=34.05, lon=-118.24),
        ]
    )
    for npi in (A, G, H, Z):
        _practitioner(store, npi, "BASE", (CARDIO,), active=npi != H)
    _practitioner(store, F, "ONE", (CARDIO,))
    _practitioner(store, B, "FAR", (CARDIO,))
    _practitioner(store, D, "FAR", (PCP, CARDIO))
    _practitioner(store, E, "FAR", (CARDIO,))
    _practitioner(store, X, "BASE", (DERM,))
    _practitioner(store, Y, "BASE", (URO,))
    _part(store, A, "BASE", CARDIO, effective="2024-01-01")
    _part(store, F, "ONE", CARDIO, effective="2025-07-01")
    _part(store, G, "BASE", CARDIO, termination="2025-06-01")
    _part(store, H, "BASE", CARDIO)
    _part(store, Z, "BASE", CARDIO, network="N2")
    _part(store, D, "FAR", PCP)
    _part(store, E, "CA", CARDIO)
    _part(store, X, "BASE", DERM, telehealth=True)
    _part(store, Y, "BASE", URO, telehealth=True)
    return store


def _points(tmp_path: Path) -> Path:
    rows = ["id,lat,lon,county_fips,weight"]
    split = {"09003": (9, 1), "09005": (17, 3), "09007": (10, 0), "09009": (17, 3), "09011": (8, 2)}
    for county, (near, far) in split.items():
        for i in range(near + far):
            lat, lon = NEAR if i < near else FAR
            rows.append(f"{county}-{i},{lat:.6f},{lon:.6f},{county},1")
    path = tmp_path / "members.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def _audit(store: MemoryStore, tmp_path: Path, **kw: object) -> AdequacyReport:
    request: dict[str, object] = {
        "as_of": AS_OF,
        "network_ids": ("N1",),
        "state": "CT",
        "specialty_types": ("Cardiology", "Dermatology", "Urology"),
        "points_path": _points(tmp_path),
    }
    request.update(kw)
    return audit_adequacy(store, AdequacyRequest(**request))  # type: ignore[arg-type]


def test_thresholds_by_designation_and_inclusive_ninety(world: MemoryStore, tmp_path: Path) -> None:
    report = _audit(world, tmp_path)
    hartford = report.cell("09003", "Cardiology")  # Metro, 9 of 10 within 20 mi: exactly 90%
    assert (hartford.pct_with_access, hartford.threshold_pct, hartford.access_pass) == (90.0, 90.0, True)
    litchfield = report.cell("09005", "Cardiology")  # Micro, 17 of 20: 85% passes the 85% threshold
    assert (litchfield.pct_with_access, litchfield.threshold_pct, litchfield.passed) == (85.0, 85.0, True)
    new_haven = report.cell("09009", "Cardiology")  # Metro, the same 85% fails the 90% threshold
    assert (new_haven.threshold_pct, new_haven.access_pass, new_haven.passed) == (90.0, False, False)


def test_minimum_count_and_effective_dates(world: MemoryStore, tmp_path: Path) -> None:
    # ceil(0.27 x 1000 / 1000) = 1. In effect on 2025-06-01: A only (F starts later, G ended that day,
    # H is inactive, Z is in another network).
    cell = _audit(world, tmp_path).cell("09003", "Cardiology")
    assert (cell.minimum_required, cell.providers_counted, cell.minimum_pass) == (1, 1, True)
    assert (
        _audit(world, tmp_path, as_of="2025-07-01").cell("09003", "Cardiology").providers_counted == 2
    )  # A, F
    assert (
        _audit(world, tmp_path, as_of="2025-05-31").cell("09003", "Cardiology").providers_counted == 2
    )  # A, G


def test_county_override_takes_precedence_over_the_base_table(world: MemoryStore, tmp_path: Path) -> None:
    cell = _audit(world, tmp_path).cell("09007", "Cardiology")  # base 20 mi, county override 2 mi
    assert (cell.max_distance_miles, cell.limit_source, cell.max_time_minutes) == (
        2.0,
        "county override",
        30.0,
    )
    assert cell.pct_with_access == 0.0 and not cell.passed


def test_telehealth_credit_only_for_listed_types(world: MemoryStore, tmp_path: Path) -> None:
    report = _audit(world, tmp_path)
    derm = report.cell("09011", "Dermatology")  # 80% + 10 points (telehealth dermatologist in N1) = 90
    assert (derm.pct_with_access, derm.telehealth_credit_pct, derm.passed) == (80.0, 10.0, True)
    uro = report.cell("09011", "Urology")  # telehealth too, but Urology is not on the rule's list
    assert (uro.pct_with_access, uro.telehealth_credit_pct, uro.passed) == (80.0, 0.0, False)


def test_gap_and_recruitment_targets_skip_network_members(world: MemoryStore, tmp_path: Path) -> None:
    gap = _audit(world, tmp_path).gap("09009", "Cardiology")
    assert gap is not None
    assert (gap.points_without_access, gap.points_count_without_access) == (3.0, 3)
    assert gap.nearest_miles_min == pytest.approx(60.0, abs=0.01)  # FAR to A at BASE (F starts later)
    # D (a member as PCP) and E (a member through a California office, lower NPI than B) are never listed.
    assert [(t.npi, t.reason, t.covers, t.adds) for t in gap.targets] == [(B, "access", 3.0, 3.0)]
    assert gap.targets[0].pct_after == pytest.approx(100.0)
    assert gap.targets[0].name == "Dr 111" and gap.targets[0].location_id == "FAR"
    assert gap.closes_access_gap and gap.closes_minimum_gap


def test_a_plan_audits_its_networks(world: MemoryStore, tmp_path: Path) -> None:
    by_plan = _audit(world, tmp_path, network_ids=(), plan_id="PL1")
    by_network = _audit(world, tmp_path)
    assert by_plan.network_ids == ("N1",)
    assert by_plan.cells == by_network.cells


def test_unaudited_counties_and_bad_requests(world: MemoryStore, tmp_path: Path) -> None:
    report = _audit(world, tmp_path)
    assert [(s.fips, "designation" in s.reason) for s in report.skipped_counties] == [("09013", True)]
    assert "09013" not in report.counties
    with pytest.raises(NotFound):
        _audit(world, tmp_path, network_ids=("NOPE",))
    with pytest.raises(InvalidInput):
        _audit(world, tmp_path, state=None)
    with pytest.raises(InvalidInput):
        _audit(world, tmp_path, specialty_types=("Cardiolgy",))


def test_report_files(world: MemoryStore, tmp_path: Path) -> None:
    report = _audit(world, tmp_path)
    paths = write_reports(report, tmp_path / "out")
    with paths["csv"].open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 5 * 3
    hartford = next(r for r in rows if r["county_fips"] == "09003" and r["specialty_type"] == "Cardiology")
    assert (hartford["pct_with_access"], hartford["threshold_pct"], hartford["pass"]) == ("90", "90", "true")
    assert hartford["time_evaluated"] == "false"
    data = json.loads(paths["json"].read_text())
    assert data["time_evaluated"] is False and "NOT evaluated" in data["notices"][0]
    assert f"{NEAR[0]:.6f}" not in paths["json"].read_text()  # no member coordinates in the JSON
    html = paths["html"].read_text()
    assert "<svg" in html and "Time standards were NOT evaluated" in html
    assert "http://" not in html and "https://" not in html and "<script src" not in html
    assert f"{NEAR[0]:.6f}" not in html  # member points are drawn rounded
