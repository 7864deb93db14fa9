"""``pnet audit adequacy`` on an embedded store in a temporary data folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from network.model import County, Location, Network, Participation, Practitioner
from network.store.memory import MemoryStore
from pnet_cli.main import app

CARDIO = "207RC0000X"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "pnet"
    store = MemoryStore(folder / "graph.pickle")
    store.upsert(
        [
            County(
                fips="09003",
                name="Hartford County",
                state="CT",
                designation="Metro",
                beneficiaries_required=10,
            ),
            County(
                fips="09013",
                name="Tolland County",
                state="CT",
                designation="Rural",
                beneficiaries_required=10,
            ),
        ]
    )
    # Windham as Large Metro (10 miles for Cardiology): its ZIPs lie 25+ miles from Hartford, so it fails.
    store.upsert(
        [
            County(
                fips="09015",
                name="Windham County",
                state="CT",
                designation="Large Metro",
                beneficiaries_required=10,
            )
        ]
    )
    store.upsert([Network(id="N1", name="One")])
    store.upsert([Location(id="L1", lat=41.7637, lon=-72.6851)])  # downtown Hartford
    store.upsert([Practitioner(npi="1000000012", name="Dr A", specialties=(CARDIO,), location_ids=("L1",))])
    store.upsert(
        [
            Participation(
                id="P1",
                npi="1000000012",
                network_id="N1",
                role="specialist",
                specialty_code=CARDIO,
                location_ids=("L1",),
            )
        ]
    )
    store.close()
    return folder


def _run(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["--store", "memory", "--data-dir", str(data_dir), "audit", "adequacy", *args]
    )
    return result.exit_code, result.output


def test_writes_the_three_reports(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run(
        data_dir,
        "--network",
        "N1",
        "--state",
        "ct",
        "--specialty-types",
        "cardiology",
        "--as-of",
        "2025-06-01",
        "--out",
        str(out),
        "--no-progress",
    )
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == ["adequacy.csv", "adequacy.html", "adequacy.json"]
    with (out / "adequacy.csv").open() as fh:
        rows = {r["county_fips"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {"09003", "09013", "09015"}
    assert rows["09003"]["specialty_type"] == "Cardiology" and rows["09003"]["max_distance_miles"] == "20"
    assert rows["09013"]["max_distance_miles"] == "60"  # Rural
    assert (rows["09013"]["pct_with_access"], rows["09013"]["pass"]) == ("100", "true")
    assert (rows["09015"]["pct_with_access"], rows["09015"]["pass"]) == ("0", "false")
    assert "NOT evaluated" in output


def test_exit_codes(data_dir: Path, tmp_path: Path) -> None:
    base = ["--state", "CT", "--specialty-types", "Cardiology", "--out", str(tmp_path / "o"), "--no-progress"]
    assert _run(data_dir, "--network", "N1", *base, "--as-of", "2025-06-01")[0] == 0
    assert _run(data_dir, "--network", "N1", *base, "--fail-on-gaps", "--as-of", "2025-06-01")[0] == 3
    assert _run(data_dir, "--network", "N1", *base, "--as-of", "June")[0] == 2
    assert _run(data_dir, "--network", "NOPE", *base)[0] == 2
    assert _run(data_dir, "--network", "N1", *base[:-1], "--specialty-types", "Cardiolgy")[0] == 2
