"""Report assembly beside the arithmetic: the notices that qualify the numbers, and the map's data."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from network.adequacy.area import LimitTable
from network.adequacy.core import PointSet
from network.adequacy.model import TIME_NOT_EVALUATED, AdequacyRequest, AuditMap, CellResult
from network.adequacy.points import SamplePoints
from network.adequacy.standards import Standards
from network.store.rows import AdequacyProviderRow


def notices(
    request: AdequacyRequest,
    points: SamplePoints,
    table: LimitTable,
    rows: list[AdequacyProviderRow],
    type_of: list[str | None],
    telehealth: set[str],
    standards: Standards,
    cells: list[CellResult],
) -> list[str]:
    out = [
        TIME_NOT_EVALUATED,
        f"Distance is great-circle miles x a detour factor of {request.detour_factor:g}; a point exactly at "
        "the maximum distance counts as having access.",
        points.note,
        "Provider type is the standards' type of the participation's specialty (the practitioner's primary "
        "specialty when the participation names none); in-network, in effect on the as-of date, active.",
    ]
    untyped = sum(1 for x in type_of if x is None)
    if untyped:
        out.append(
            f"{untyped} in-network participation locations have a specialty of no type and were not counted."
        )
    if points.rejected:
        out.append(
            f"{points.rejected} sample point rows were unusable (see point_problems: line and reason only)."
        )
    if points.outside:
        out.append(f"{points.outside} sample point rows lie in counties outside this audit and were ignored.")
    empty = sorted({c.county_fips for c in cells if c.points_count == 0})
    if empty:
        out.append(
            f"Counties without any sample point (access not evaluable, so failing): {', '.join(empty)}."
        )
    if telehealth:
        credited = sorted(t for t in telehealth if t in standards.telehealth_types)
        if credited:
            out.append(
                f"Telehealth credit of {standards.telehealth_points:g} percentage points applied to: "
                f"{', '.join(credited)}."
            )
    if any(c.minimum_required is None for c in cells):
        out.append(
            "Types without a minimum ratio in the standards (facility types) were checked for access only."
        )
    out += table.notices
    return out


def audit_map(
    points: SamplePoints,
    pointset: PointSet,
    county_names: list[str],
    covered: npt.NDArray[np.bool_],
    types: list[str],
    rows: list[AdequacyProviderRow],
    type_of: list[str | None],
) -> AuditMap:
    lat, lon = points.lat, points.lon
    if points.personal:  # members' homes: drawn to about 1 km, never exactly
        lat, lon = np.round(lat, 2), np.round(lon, 2)
    position = {name: i for i, name in enumerate(types)}
    spots = sorted({(r.lat, r.lon, position[t]) for r, t in zip(rows, type_of, strict=True) if t in position})
    return AuditMap(
        lat=lat,
        lon=lon,
        covered=covered,
        types=tuple(types),
        provider_lat=np.array([s[0] for s in spots], dtype=float),
        provider_lon=np.array([s[1] for s in spots], dtype=float),
        provider_type=np.array([s[2] for s in spots], dtype=np.intp),
        county_names=_label_positions(lat, lon, pointset, county_names),
        personal=points.personal,
    )


def _label_positions(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], pointset: PointSet, names: list[str]
) -> dict[str, tuple[float, float]]:
    n = pointset.n_counties
    count = np.bincount(pointset.county, minlength=n)
    mean_lat = np.bincount(pointset.county, weights=lat, minlength=n) / np.maximum(count, 1)
    mean_lon = np.bincount(pointset.county, weights=lon, minlength=n) / np.maximum(count, 1)
    return {names[c]: (float(mean_lat[c]), float(mean_lon[c])) for c in range(n) if count[c]}
