"""``pnet synth``: determinism, the NPPES header, the region's borders, realistic mix and shapes."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from loaders.nppes_fields import address_location_id
from loaders.synth import FILES, SynthConfig, generate
from loaders.synth.nppes_rows import header
from network.errors import InvalidInput
from network.geo import haversine_miles, normalize_zip, zip_centroid
from network.specialties import reference
from network.validate import npi_problem, parse_date

SMALL = SynthConfig(seed=1, practitioners=300, referrals=3000)


def _digest(folder: Path) -> dict[str, str]:
    names = [*FILES, "planted.json", "manifest.json"]
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names}


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(SMALL, out)
    return out


def _planted_lines(folder: Path, name: str) -> set[int]:
    files = json.loads((folder / "planted.json").read_text())["files"]
    return {e["line"] for group in ("rejects", "skips") for e in files[name][group]}


def _good_dicts(folder: Path, name: str) -> list[dict[str, str]]:
    bad = _planted_lines(folder, name)
    with (folder / name).open(newline="", encoding="utf-8") as fh:
        return [row for line, row in enumerate(csv.DictReader(fh), start=2) if line not in bad]


def _good_referrals(folder: Path) -> list[list[str]]:
    bad = _planted_lines(folder, "referrals.csv")
    with (folder / "referrals.csv").open(newline="") as fh:
        return [row for line, row in enumerate(csv.reader(fh), start=1) if line not in bad]


# -- determinism ------------------------------------------------------------------------------------------


def test_same_seed_same_bytes_and_other_seed_other_bytes(region: Path, tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "again")
    assert _digest(tmp_path / "again") == _digest(region)
    generate(SynthConfig(seed=2, practitioners=300, referrals=3000), tmp_path / "other")
    other = _digest(tmp_path / "other")
    assert all(other[n] != _digest(region)[n] for n in ("nppes.csv", "participation.csv", "referrals.csv"))


def test_arguments_are_checked() -> None:
    for bad in (
        {"practitioners": 5},
        {"referrals": -1},
        {"states": ("XX",)},
        {"states": ()},
        {"bad_share": 0.5},
        {"as_of": "01/01/2025"},
        {"payers": 4},
    ):
        with pytest.raises(InvalidInput):
            SynthConfig(**bad)


# -- nppes.csv ---------------------------------------------------------------------------------------------


def test_nppes_header_is_the_full_329_column_header(region: Path) -> None:
    with (region / "nppes.csv").open(newline="", encoding="utf-8") as fh:
        first = next(csv.reader(fh))
    assert tuple(first) == header()
    assert len(first) == 329
    assert first[:2] == ["NPI", "Entity Type Code"]
    assert "Healthcare Provider Primary Taxonomy Switch_15" in first
    raw = (region / "nppes.csv").read_bytes()
    assert raw.startswith(b'"NPI","Entity Type Code",') and b"\r\n" in raw  # quoted, CRLF like NPPES


def test_nppes_rows_are_valid_and_realistic(region: Path) -> None:
    rows = _good_dicts(region, "nppes.csv")
    assert all(npi_problem(r["NPI"]) is None for r in rows)
    assert len({r["NPI"] for r in rows}) == len(rows)
    practitioners = [r for r in rows if r["Entity Type Code"] == "1"]
    assert len(practitioners) == SMALL.practitioners
    assert any(r["Entity Type Code"] == "2" for r in rows)
    credentials = Counter(r["Provider Credential Text"] for r in practitioners)
    assert {"MD", "M.D."} <= set(credentials)  # messy real spellings
    zips = [r["Provider Business Practice Location Address Postal Code"] for r in rows]
    assert any(len(z) == 9 for z in zips) and any(len(z) == 5 for z in zips)
    assert any(len(z) in (4, 8) for z in zips)  # CT ZIPs that lost their leading zero
    assert all(normalize_zip(z) is not None for z in zips)


def _primary(row: dict[str, str]) -> tuple[str, int]:
    codes = [(i, row[f"Healthcare Provider Taxonomy Code_{i}"]) for i in range(1, 16)]
    for i, code in codes:
        if code and row[f"Healthcare Provider Primary Taxonomy Switch_{i}"] == "Y":
            return code, i
    return codes[0][1], 0


def test_specialty_mix_and_primary_slot_like_real_nppes(tmp_path: Path) -> None:
    generate(SynthConfig(seed=3, practitioners=4000, referrals=10), tmp_path)
    rows = [r for r in _good_dicts(tmp_path, "nppes.csv") if r["Entity Type Code"] == "1"]
    primaries = [_primary(r) for r in rows]
    pcp_share = sum(code in reference().pcp_eligible for code, _ in primaries) / len(rows)
    assert 0.29 <= pcp_share <= 0.35
    not_first = sum(slot > 1 for _, slot in primaries) / len(rows)
    no_switch = sum(slot == 0 for _, slot in primaries) / len(rows)
    assert 0.06 <= not_first <= 0.14
    assert 0.003 <= no_switch <= 0.03
    cms_types = Counter(reference().cms_type_of.get(code) for code, _ in primaries)
    assert len(cms_types) >= 25  # spread over the CMS specialty types, not a handful


# -- region borders ------------------------------------------------------------------------------------------


def test_region_stays_in_its_states(tmp_path: Path) -> None:
    generate(SynthConfig(seed=4, practitioners=400, referrals=500, states=("RI", "VT")), tmp_path)
    states: Counter[str] = Counter()
    for r in _good_dicts(tmp_path, "nppes.csv"):
        zip5 = normalize_zip(r["Provider Business Practice Location Address Postal Code"])
        assert zip5 is not None
        hit = zip_centroid(zip5)
        assert hit is not None and hit.state == r["Provider Business Practice Location Address State Name"]
        states[hit.state] += 1
    assert set(states) == {"RI", "VT"}
    for r in _good_dicts(tmp_path, "participation.csv"):
        assert r["state"] in ("", "RI", "VT")
    counties = _good_dicts(tmp_path, "counties.csv")
    assert {c["ST"] for c in counties} == {"RI", "VT"}
    assert len(counties) == 5 + 14  # every county of both states


# -- plans and participation ---------------------------------------------------------------------------------


def test_plans_have_hmo_ppo_and_overlapping_networks(region: Path) -> None:
    rows = _good_dicts(region, "plans.csv")
    types = {r["plan_type"] for r in rows}
    assert {"hmo", "ppo"} <= types and types & {"epo", "pos"}
    assert 2 <= len({r["payer_id"] for r in rows}) <= 3
    networks_by_plan: dict[str, set[str]] = {}
    for r in rows:
        networks_by_plan.setdefault(r["plan_id"], set()).add(r["network_id"])
    sets = list(networks_by_plan.values())
    assert any(a & b for i, a in enumerate(sets) for b in sets[i + 1 :])  # plans share networks


def test_participation_roster_shape(region: Path) -> None:
    rows = _good_dicts(region, "participation.csv")
    npis = {r["NPI"] for r in _good_dicts(region, "nppes.csv")}
    networks = {r["network_id"] for r in _good_dicts(region, "plans.csv")}
    per_npi = Counter(r["npi"] for r in rows)
    assert set(per_npi.values()) <= {1, 2, 3} and len(set(per_npi.values())) == 3
    assert len(per_npi) / SMALL.practitioners > 0.7
    as_of = SMALL.as_of
    future = ended = 0
    for r in rows:
        assert r["npi"] in npis and r["network_id"] in networks
        assert r["role"] in ("pcp", "specialist")
        start, end = parse_date(r["effective_date"]), parse_date(r["termination_date"] or "x")
        assert start is not None
        assert end is None or start < end
        future += start > as_of
        ended += end is not None and end <= as_of
    assert future and ended
    assert {r["accepting_new_patients"] for r in rows} == {"true", "false", ""}
    assert any(r["address"] for r in rows) and any(not r["address"] for r in rows)
    pcp_codes = reference().pcp_eligible
    for r in rows:
        if r["specialty_code"]:
            assert (r["role"] == "pcp") == (r["specialty_code"] in pcp_codes)


# -- referrals ------------------------------------------------------------------------------------------


def _points(folder: Path) -> dict[str, tuple[float, float]]:
    out = {}
    for r in _good_dicts(folder, "nppes.csv"):
        hit = zip_centroid(normalize_zip(r["Provider Business Practice Location Address Postal Code"]) or "")
        assert hit is not None
        out[r["NPI"]] = (hit.lat, hit.lon)
    return out


def test_referrals_are_valid_unique_pcp_heavy_and_local(region: Path) -> None:
    rows = _good_referrals(region)
    assert len(rows) == SMALL.referrals
    assert len({(r[0], r[1]) for r in rows}) == len(rows)
    points = _points(region)
    pcp = {r["npi"] for r in _good_dicts(region, "participation.csv") if r["role"] == "pcp"}
    distances = []
    for a, b, pair, bene, same in rows:
        assert a != b and a in points and b in points
        assert 11 <= int(bene) <= int(pair) and 0 <= int(same) <= int(pair)
        distances.append(haversine_miles(*points[a], *points[b]))
    assert sum(r[0] in pcp for r in rows) / len(rows) > 0.5
    rng = np.random.default_rng(0)
    keys = list(points)
    random_pairs = [
        haversine_miles(*points[keys[i]], *points[keys[j]]) for i, j in rng.integers(0, len(keys), (2000, 2))
    ]
    assert np.median(distances) < 0.6 * np.median(random_pairs)  # distance decay
    pairs = sorted(int(r[2]) for r in rows)
    assert pairs[-1] > 8 * pairs[len(pairs) // 2]  # heavy tail


# -- planted rows and the manifest ----------------------------------------------------------------------


def test_planted_rows_are_listed_with_every_kind_and_really_broken(region: Path) -> None:
    planted = json.loads((region / "planted.json").read_text())
    manifest = json.loads((region / "manifest.json").read_text())
    assert set(planted["files"]) == set(FILES)
    for name in FILES:
        entries = planted["files"][name]["rejects"] + planted["files"][name]["skips"]
        stats = manifest["files"][name]
        assert len(planted["files"][name]["rejects"]) == stats["planted_rejects"] > 0
        assert len(planted["files"][name]["skips"]) == stats["planted_skips"]
        with (region / name).open(newline="", encoding="utf-8") as fh:
            lines = list(csv.reader(fh))
        assert len(lines) == stats["rows"] + (0 if name == "referrals.csv" else 1)
        head = None if name == "referrals.csv" else lines[0]
        for e in entries:
            row = lines[e["line"] - 1]
            column = ["npi_from", "npi_to", "pair_count", "beneficiaries", "same_day_count"]
            value = row[(head or column).index(e["field"])]
            assert value == e.get("value", ""), e
    referral_kinds = {e["kind"] for g in ("rejects", "skips") for e in planted["files"]["referrals.csv"][g]}
    assert {"unknown_from_npi", "unknown_to_npi", "negative_count", "self_referral"} <= referral_kinds
    nppes_kinds = {e["kind"] for e in planted["files"]["nppes.csv"]["rejects"]}
    assert {"bad_npi_check_digit", "malformed_taxonomy", "invalid_state", "unrestorable_zip"} <= nppes_kinds


def test_bad_share_scales_with_rows(tmp_path: Path) -> None:
    generate(SynthConfig(seed=5, practitioners=2000, referrals=20_000, bad_share=0.02), tmp_path)
    stats = json.loads((tmp_path / "manifest.json").read_text())["files"]["referrals.csv"]
    assert stats["planted_rejects"] + stats["planted_skips"] == 400
    generate(SynthConfig(seed=5, practitioners=50, referrals=100, bad_share=0.0), tmp_path / "clean")
    planted = json.loads((tmp_path / "clean" / "planted.json").read_text())
    assert all(not v["rejects"] and not v["skips"] for v in planted["files"].values())


def _example_count(folder: Path, example: dict[str, Any]) -> int:
    """The example's specialist count, recomputed from the files alone."""
    points = {}
    for r in _good_dicts(folder, "nppes.csv"):
        zip5 = normalize_zip(r["Provider Business Practice Location Address Postal Code"]) or ""
        points[r["NPI"]] = (zip_centroid(zip5), _primary(r)[0])
    codes = set(example["specialty_codes"])
    lat, lon = example["near"]["lat"], example["near"]["lon"]
    found = set()
    for r in _good_dicts(folder, "participation.csv"):
        start, end = parse_date(r["effective_date"]), parse_date(r["termination_date"] or "x")
        if r["network_id"] not in example["network_ids"] or r["role"] != "specialist":
            continue
        if not (start and start <= example["as_of"] and (end is None or example["as_of"] < end)):
            continue
        hit, primary = points[r["npi"]]
        if r["zip"]:
            hit = zip_centroid(r["zip"])
        assert hit is not None
        if (r["specialty_code"] or primary) in codes and haversine_miles(lat, lon, hit.lat, hit.lon) <= 25:
            found.add(r["npi"])
    return len(found)


def test_manifest_example_is_computed_from_the_data(region: Path) -> None:
    manifest = json.loads((region / "manifest.json").read_text())
    example = manifest["example"]
    assert manifest["seed"] == 1 and manifest["counts"]["practitioners"] == 300
    pcp_rows = [
        r
        for r in _good_dicts(region, "participation.csv")
        if r["npi"] == example["pcp_npi"] and r["role"] == "pcp" and r["network_id"] in example["network_ids"]
    ]
    assert pcp_rows
    plan_networks = {
        r["network_id"] for r in _good_dicts(region, "plans.csv") if r["plan_id"] == example["plan_id"]
    }
    assert plan_networks == set(example["network_ids"])
    assert example["in_network_specialists_within_radius"] == _example_count(region, example) > 0


def test_explicit_addresses_share_nppes_location_ids(region: Path) -> None:
    """An explicit roster address equal to the NPPES practice address lands on the same Location id."""
    nppes = {
        r["NPI"]: address_location_id(
            r["Provider First Line Business Practice Location Address"],
            r["Provider Business Practice Location Address City Name"],
            r["Provider Business Practice Location Address State Name"],
            normalize_zip(r["Provider Business Practice Location Address Postal Code"]) or "",
        )
        for r in _good_dicts(region, "nppes.csv")
    }
    explicit = [r for r in _good_dicts(region, "participation.csv") if r["address"]]
    same = [
        address_location_id(r["address"], r["city"], r["state"], r["zip"]) == nppes[r["npi"]]
        for r in explicit
    ]
    assert any(same) and not all(same)  # most at the NPPES address, some at a second office


def test_cli_writes_the_region_and_refuses_bad_arguments(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pnet_cli.main import app

    runner = CliRunner()
    ok = runner.invoke(app, ["synth", "--out", str(tmp_path), "--practitioners", "60", "--referrals", "200"])
    assert ok.exit_code == 0, ok.output
    assert {p.name for p in tmp_path.iterdir()} == {*FILES, "planted.json", "manifest.json"}
    assert json.loads((tmp_path / "manifest.json").read_text())["arguments"]["practitioners"] == 60
    bad = runner.invoke(app, ["synth", "--out", str(tmp_path / "x"), "--state", "QQ"])
    assert bad.exit_code == 2
