"""The vectorised time/distance audit on plain arrays, free of any store, so it can be benchmarked alone.

For one specialty type: every sample point's nearest provider location comes from one k-d tree query over
unit-sphere vectors (nearest by chord is nearest by great circle); its great-circle miles times the detour
factor are compared with the point's county limit. A provider counts toward a county's minimum when some
sample point of that county lies within the limit: per county, providers near the county's points (a
cap around them, pruned by the triangle inequality on chords) are queried against a tree of those points.

Boundaries are inclusive: a point exactly at the limit has access. ``BOUNDARY_EPS_MILES`` absorbs float
rounding so the same pair never flips between the vectorised and the scalar formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from network.geo import EARTH_RADIUS_MILES, chord_for_miles, unit_vectors

BOUNDARY_EPS_MILES = 1e-6  # 1.6 mm: far below any real distance, far above float noise (~1e-12 mi)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class PointSet:
    """Sample points; ``county`` indexes the audit's county list (0..n_counties-1)."""

    lat: Floats
    lon: Floats
    weight: Floats
    county: Ints
    n_counties: int

    def __len__(self) -> int:
        return len(self.lat)


@dataclass(frozen=True, slots=True)
class ProviderSet:
    """Provider locations of one type; ``provider`` identifies the provider (an NPI's index) for counting."""

    lat: Floats
    lon: Floats
    provider: Ints

    def __len__(self) -> int:
        return len(self.lat)


@dataclass(frozen=True, slots=True)
class TypeAudit:
    """One type's result: per point, then per county."""

    nearest_miles: Floats  # detour-applied miles to the nearest provider location (inf: none)
    covered: Bools
    points_weight: Floats
    covered_weight: Floats
    points_count: Ints
    covered_count: Ints
    providers_counted: Ints  # distinct providers within the limit of at least one of the county's points


def haversine_pairs(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """Element-wise great-circle miles, the same formula as :func:`network.geo.haversine_miles`."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: Floats = 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


@dataclass(slots=True)
class CountyPoints:
    """One county's sample points, indexed once and reused for every type."""

    members: Ints
    vectors: Floats
    tree: cKDTree
    center: Floats
    cap: float  # chord from ``center`` to the farthest member


class PointIndex:
    """Unit vectors of all points and a k-d tree per county, built once per audit."""

    def __init__(self, points: PointSet) -> None:
        self.vectors = unit_vectors(points.lat, points.lon)
        order = np.argsort(points.county, kind="stable")
        bounds = np.searchsorted(points.county[order], np.arange(points.n_counties + 1))
        self.counties: list[CountyPoints | None] = []
        for c in range(points.n_counties):
            members = order[bounds[c] : bounds[c + 1]]
            if not len(members):
                self.counties.append(None)
                continue
            vectors = self.vectors[members]
            center = vectors.mean(axis=0)
            norm = float(np.linalg.norm(center))
            center = center / norm if norm > 0 else vectors[0]
            cap = float(np.max(np.linalg.norm(vectors - center, axis=1)))
            self.counties.append(CountyPoints(members, vectors, cKDTree(vectors), center, cap))


def audit_type(
    points: PointSet,
    limits: Floats,
    providers: ProviderSet,
    detour: float = 1.0,
    index: PointIndex | None = None,
) -> TypeAudit:
    """Audit one type. ``limits[c]`` is county c's maximum miles for it (NaN: not evaluated there)."""
    if detour <= 0:
        raise ValueError("detour factor must be positive")
    index = index or PointIndex(points)
    n = len(points)
    nearest = np.full(n, np.inf)
    covered = np.zeros(n, dtype=bool)
    counted = np.zeros(points.n_counties, dtype=np.intp)
    if n and len(providers):
        pvec = unit_vectors(providers.lat, providers.lon)
        tree = cKDTree(pvec)
        _, idx = tree.query(index.vectors, k=1)
        nearest = haversine_pairs(points.lat, points.lon, providers.lat[idx], providers.lon[idx]) * detour
        covered = nearest <= limits[points.county] + BOUNDARY_EPS_MILES  # NaN limits compare False
        for c, county in enumerate(index.counties):
            if county is not None and np.isfinite(limits[c]):
                hits = within_limit(points, county, limits[c], detour, pvec, tree, providers)
                counted[c] = len(np.unique(providers.provider[hits]))
    size = points.n_counties
    points_weight: Floats = np.bincount(points.county, weights=points.weight, minlength=size).astype(float)
    covered_weight: Floats = np.bincount(
        points.county, weights=points.weight * covered, minlength=size
    ).astype(float)
    return TypeAudit(
        nearest_miles=nearest,
        covered=covered,
        points_weight=points_weight,
        covered_weight=covered_weight,
        points_count=np.bincount(points.county, minlength=points.n_counties).astype(np.intp),
        covered_count=np.bincount(points.county, weights=covered, minlength=points.n_counties).astype(
            np.intp
        ),
        providers_counted=counted,
    )


def within_limit(
    points: PointSet,
    county: CountyPoints,
    limit_miles: float,
    detour: float,
    pvec: Floats,
    tree: cKDTree,
    providers: ProviderSet,
) -> Ints:
    """Indices of provider locations within ``limit_miles`` (detour applied) of one of the county's points."""
    reach = (limit_miles + BOUNDARY_EPS_MILES) / detour
    chord = chord_for_miles(reach) * (1 + 1e-9) + 1e-12
    candidates = np.asarray(tree.query_ball_point(county.center, county.cap + chord), dtype=np.intp)
    if not len(candidates):
        return candidates
    dist, nearest = county.tree.query(pvec[candidates], k=1, distance_upper_bound=chord)
    close = np.isfinite(dist)
    candidates, rows = candidates[close], county.members[nearest[close]]
    miles = haversine_pairs(
        providers.lat[candidates], providers.lon[candidates], points.lat[rows], points.lon[rows]
    )
    found: Ints = candidates[miles * detour <= limit_miles + BOUNDARY_EPS_MILES]
    return found


def audit_arrays(
    points: PointSet, limits: Floats, providers: ProviderSet, types: Ints, detour: float = 1.0
) -> list[TypeAudit]:
    """Every type at once: ``limits[c, t]`` per county and type, ``types[i]`` the type of location i."""
    index = PointIndex(points)
    out: list[TypeAudit] = []
    for t in range(limits.shape[1]):
        mask = types == t
        subset = ProviderSet(providers.lat[mask], providers.lon[mask], providers.provider[mask])
        out.append(audit_type(points, limits[:, t], subset, detour, index))
    return out
