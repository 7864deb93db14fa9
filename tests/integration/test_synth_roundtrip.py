"""``pnet synth`` -> ``pnet load`` on both stores: exactly the planted rows are rejected or skipped.

Also checks the synthetic files against the real sample they imitate: the NPPES header is the real
329-column one and the specialty mix file is what ``derive.py`` computes from the sample rows.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from loaders.pipeline import LoadOptions, Mapped, run_load
from loaders.registry import SourceOptions, make_loader
from loaders.report import LoadReport
from loaders.synth import LOAD_ORDER, SynthConfig, generate
from loaders.synth.config import MULTI_CODE_SHARE, NO_PRIMARY_SWITCH_SHARE, PRIMARY_NOT_FIRST_SHARE
from loaders.synth.derive import derive, render
from loaders.synth.nppes_rows import header
from network.model import Label, Referral
from network.store import GeoPoint, GraphStore, RankQuery

CONFIG = SynthConfig(seed=1, practitioners=300, referrals=2000)
ORDER = LOAD_ORDER


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth-roundtrip")
    generate(CONFIG, out)
    return out


def _load_all(region: Path, store: GraphStore, tmp: Path) -> dict[str, tuple[LoadReport, set[int]]]:
    out = {}
    for source, name in ORDER:
        rejects = tmp / f"rejects-{source}.csv"
        rejects.unlink(missing_ok=True)
        loader = make_loader(source, SourceOptions())
        report = run_load(loader, [region / name], store, LoadOptions(batch_size=500, rejects_path=rejects))
        lines: set[int] = set()
        if rejects.exists():
            with rejects.open(newline="", encoding="utf-8") as fh:
                lines = {int(r["line"]) for r in csv.DictReader(fh)}
        out[name] = (report, lines)
    return out


def _skipped_lines(region: Path, store: GraphStore) -> set[int]:
    """Referral rows with an end not in the graph, by line (the report only counts them)."""
    loader = make_loader("referrals", SourceOptions())
    path = region / "referrals.csv"
    refs = [
        (m.line, m.primary)
        for raw in loader.harvest(path)
        if isinstance(m := loader.transform(raw), Mapped) and isinstance(m.primary, Referral)
    ]
    present = store.existing_keys(Label.PRACTITIONER, {n for _, r in refs for n in (r.from_npi, r.to_npi)})
    return {line for line, r in refs if r.from_npi not in present or r.to_npi not in present}


@pytest.mark.slow
def test_synthetic_region_loads_with_exactly_the_planted_rejects_and_skips(
    region: Path, store: GraphStore, tmp_path: Path
) -> None:
    planted: dict[str, Any] = json.loads((region / "planted.json").read_text())["files"]
    manifest: dict[str, Any] = json.loads((region / "manifest.json").read_text())
    results = _load_all(region, store, tmp_path)
    for _, name in ORDER:
        report, reject_lines = results[name]
        assert report.balanced, (name, report.as_dict())
        assert report.read == manifest["files"][name]["rows"]
        assert reject_lines == {e["line"] for e in planted[name]["rejects"]}, name
        assert report.rejected == len(planted[name]["rejects"]), name
    referrals = results["referrals.csv"][0]
    assert referrals.skip_reasons == dict(Counter(e["reason"] for e in planted["referrals.csv"]["skips"]))
    assert _skipped_lines(region, store) == {e["line"] for e in planted["referrals.csv"]["skips"]}
    for _, name in ORDER[:3] + ORDER[4:]:
        assert results[name][0].skipped == 0, name

    counts = manifest["counts"]
    stats = store.stats()
    assert stats.nodes[Label.PRACTITIONER.value] == counts["practitioners"]
    assert stats.nodes[Label.PLAN.value] == counts["plans"]
    assert stats.nodes[Label.NETWORK.value] == counts["networks"]
    assert stats.nodes[Label.PARTICIPATION.value] == counts["participations"]
    assert stats.nodes[Label.COUNTY.value] == counts["counties"]
    assert stats.relationships["REFERS_TO"] == CONFIG.referrals


@pytest.mark.slow
def test_manifest_example_holds_in_the_loaded_graph(region: Path, store: GraphStore, tmp_path: Path) -> None:
    _load_all(region, store, tmp_path)
    example = json.loads((region / "manifest.json").read_text())["example"]
    found = store.rank_specialists(
        RankQuery(
            network_ids=tuple(example["network_ids"]),
            as_of=example["as_of"],
            center=GeoPoint(example["near"]["lat"], example["near"]["lon"]),
            radius_miles=example["radius_miles"],
            specialty_codes=frozenset(example["specialty_codes"]),
            exclude_npi=example["pcp_npi"],
        )
    )
    assert found.total == example["in_network_specialists_within_radius"] > 0
    pcp_roles = store.participations_of([example["pcp_npi"]])[example["pcp_npi"]]
    assert any(
        p.role == "pcp" and p.network_id in example["network_ids"] and p.in_effect(example["as_of"])
        for p in pcp_roles
    )


@pytest.mark.slow
def test_loading_the_region_twice_leaves_the_same_graph(
    region: Path, store: GraphStore, tmp_path: Path
) -> None:
    _load_all(region, store, tmp_path)
    first = store.checksum()
    again = _load_all(region, store, tmp_path)
    assert store.checksum() == first
    assert all(report.created == 0 and report.updated == 0 for report, _ in again.values())


def test_nppes_header_is_the_real_one(shared_data: Path) -> None:
    with (shared_data / "nppes" / "sample-nppes-practitioner_20181204-data.csv").open(encoding="utf-8") as fh:
        real = next(csv.reader(fh))
    assert header() == tuple(real)
    assert len(real) == 329


def test_taxonomy_mix_is_derived_from_the_sample(shared_data: Path) -> None:
    rows, stats = derive(
        shared_data / "nppes" / "sample-nppes-practitioner_20181204-data.csv",
        shared_data / "nppes" / "sample-nppes-organization-data.csv",
    )
    committed = Path(__file__).resolve().parents[2] / "loaders" / "synth" / "taxonomy_mix.csv"
    assert committed.read_text(encoding="utf-8") == render(rows)
    shares = (
        stats.multi_code / stats.rows,
        stats.primary_not_first / stats.rows,
        stats.no_primary / stats.rows,
    )
    assert shares == (MULTI_CODE_SHARE, PRIMARY_NOT_FIRST_SHARE, NO_PRIMARY_SWITCH_SHARE)
