"""Benchmarks of the adequacy audit (run by hand: ``.venv/bin/python bench/adequacy.py``; not a test).

What is measured (wall time with ``time.perf_counter``, peak memory as the growth of the process's peak
RSS over the moment before the step, and numpy's own peak via ``tracemalloc``):

- ``core``: :func:`network.adequacy.core.audit_arrays` on arrays, no store: every county x CMS provider
  type (29) of the area, nearest-provider distances for every sample point and providers counted per
  county. Sample points are the real ZIP centroids of the area (``zipcodes``), one per ZIP, and/or
  synthetic members around them; practitioner locations are synthetic, drawn around ZIP centroids with
  about 2 miles of jitter, their type drawn from a fixed mix (a third primary care).
- ``service``: :func:`network.adequacy.service.audit_adequacy` end to end on a MemoryStore filled with
  the state-scale practitioners (store reads, the audit, gaps and recruitment targets), build time apart.

Scales: ``state`` = California's counties and ZIPs with 100,000 practitioner locations (plus a run with
200,000 synthetic members as points); ``national`` = every county and ZIP with 1,000,000 locations.
Designations are drawn per county (the standards' limits then apply); numbers are synthetic, timings real.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from network.adequacy.core import PointSet, ProviderSet, audit_arrays
from network.adequacy.standards import load_standards
from network.geo import all_zip_centroids
from network.model import CountyDesignation

TYPE_MIX_PCP = 0.33
DESIGNATION_SHARES = (0.15, 0.35, 0.25, 0.2, 0.05)  # Large Metro, Metro, Micro, Rural, CEAC


@dataclass
class Area:
    lat: np.ndarray
    lon: np.ndarray
    county: np.ndarray
    counties: list[str]


def zip_area(state: str | None) -> Area:
    zips = [z for z in all_zip_centroids() if z.county_fips and (state is None or z.state == state)]
    counties = sorted({str(z.county_fips) for z in zips})
    index = {c: i for i, c in enumerate(counties)}
    return Area(
        np.array([z.lat for z in zips]),
        np.array([z.lon for z in zips]),
        np.array([index[str(z.county_fips)] for z in zips], dtype=np.intp),
        counties,
    )


def jitter(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, miles: float
) -> tuple[np.ndarray, np.ndarray]:
    dlat = rng.normal(0, miles / 69.0, len(lat))
    dlon = rng.normal(0, miles / 69.0, len(lat)) / np.cos(np.radians(lat))
    return lat + dlat, lon + dlon


def _designations(n: int, rng: np.random.Generator) -> list[CountyDesignation]:
    kinds = list(CountyDesignation)
    return [kinds[i] for i in rng.choice(len(kinds), size=n, p=DESIGNATION_SHARES)]


def limits_for(area: Area, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    std = load_standards()
    types = list(std.type_names("provider"))
    designations = _designations(len(area.counties), rng)
    miles = np.array([[std.limit(t, d).miles for t in types] for d in designations], dtype=float)
    return miles, types


def providers_for(
    area: Area, n: int, n_types: int, rng: np.random.Generator
) -> tuple[ProviderSet, np.ndarray]:
    at = rng.integers(0, len(area.lat), n)
    lat, lon = jitter(rng, area.lat[at], area.lon[at], 2.0)
    other = (1 - TYPE_MIX_PCP) / (n_types - 1)
    types = rng.choice(n_types, size=n, p=[TYPE_MIX_PCP] + [other] * (n_types - 1)).astype(np.intp)
    ids = rng.integers(0, int(n * 0.8), n).astype(np.intp)  # some practitioners have two locations
    return ProviderSet(lat, lon, ids), types


def members_for(area: Area, n: int, rng: np.random.Generator) -> PointSet:
    at = rng.integers(0, len(area.lat), n)
    lat, lon = jitter(rng, area.lat[at], area.lon[at], 3.0)
    return PointSet(lat, lon, np.ones(n), area.county[at], len(area.counties))


def measure(label: str, fn: Callable[[], Any]) -> dict[str, Any]:
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    row = {
        "run": label,
        "seconds": round(seconds, 2),
        "numpy peak MiB": round(peak / 2**20, 1),
        "RSS growth MiB": round((rss_after - rss_before) / 1024, 1),
        "peak RSS MiB": round(rss_after / 1024, 1),
    }
    print(row, flush=True)
    del result
    return row


def core_run(
    label: str, state: str | None, n_providers: int, n_members: int | None, seed: int
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    area = zip_area(state)
    limits, types = limits_for(area, rng)
    providers, type_of = providers_for(area, n_providers, len(types), rng)
    points = (
        members_for(area, n_members, rng)
        if n_members
        else PointSet(area.lat, area.lon, np.ones(len(area.lat)), area.county, len(area.counties))
    )
    label = (
        f"{label}: {len(area.counties):,} counties x {len(types)} types, {len(points):,} points, "
        f"{n_providers:,} locations"
    )
    return measure(label, lambda: audit_arrays(points, limits, providers, type_of, detour=1.0))


def build_state(n: int, seed: int) -> tuple[Any, Any, float]:
    """A MemoryStore holding California's counties and ``n`` practitioners in one network (90% of them)."""
    from network.adequacy.model import AdequacyRequest
    from network.model import County, Location, Network, Participation, Practitioner
    from network.store.memory import MemoryStore
    from network.validate import with_check_digit

    rng = np.random.default_rng(seed)
    area = zip_area("CA")
    std = load_standards()
    types = list(std.type_names("provider"))
    code_of: dict[str, str] = {}
    for code, t in sorted(std.specialty_map.items()):
        code_of.setdefault(t, code)
    providers, type_of = providers_for(area, n, len(types), rng)
    designations = _designations(len(area.counties), rng)
    started = time.perf_counter()
    store = MemoryStore()
    store.upsert(
        [
            County(
                fips=f,
                name=f,
                state="CA",
                designation=d.value,
                beneficiaries_required=int(rng.integers(500, 50_000)),
            )
            for f, d in zip(area.counties, designations, strict=True)
        ]
    )
    store.upsert([Network(id="N", name="State network")])
    npis = [with_check_digit(f"1{i:08d}") for i in range(n)]
    codes = [code_of[types[t]] for t in type_of]
    store.upsert(
        [
            Location(id=f"L{i}", lat=float(a), lon=float(o))
            for i, (a, o) in enumerate(zip(providers.lat, providers.lon, strict=True))
        ]
    )
    store.upsert(
        [
            Practitioner(
                npi=npis[i],
                name=f"P {i}",
                specialties=(codes[i],),
                primary_specialty=codes[i],
                location_ids=(f"L{i}",),
            )
            for i in range(n)
        ]
    )
    member = rng.random(n) < 0.9
    store.upsert(
        [
            Participation(
                id=f"R{i}",
                npi=npis[i],
                network_id="N",
                role="specialist",
                specialty_code=codes[i],
                location_ids=(f"L{i}",),
            )
            for i in range(n)
            if member[i]
        ]
    )
    request = AdequacyRequest(as_of="2025-06-01", network_ids=("N",), state="CA")
    return store, request, time.perf_counter() - started


def service_run(n_practitioners: int, seed: int) -> dict[str, Any]:
    from network.adequacy.service import audit_adequacy

    store, request, build_seconds = build_state(n_practitioners, seed)
    print({"run": "memory store build", "seconds": round(build_seconds, 1)}, flush=True)
    return measure(
        f"service: state CA on a MemoryStore, {n_practitioners:,} practitioners (90% in network)",
        lambda: audit_adequacy(store, request),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("state", "national", "all"), default="all")
    parser.add_argument("--service", action="store_true", help="also the end-to-end service at state scale")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.scale in ("state", "all"):
        core_run("core state", "CA", 100_000, None, args.seed)
        core_run("core state, members", "CA", 100_000, 200_000, args.seed)
    if args.scale in ("national", "all"):
        core_run("core national", None, 1_000_000, None, args.seed)
    if args.service:
        service_run(100_000, args.seed)


if __name__ == "__main__":
    main()
