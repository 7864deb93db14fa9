"""Great-circle distances and offline ZIP geocoding.

Every distance pnet reports comes from :func:`haversine_miles` (or its vectorised twin), computed in
Python for both stores, so the embedded store and Neo4j report the same miles to the last digit; Neo4j's
own ``point.distance`` only pre-filters with a safety margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_MILES = 3958.7613  # IUGG mean radius
METERS_PER_MILE = 1609.344

# The contiguous US, Alaska, Hawaii and the territories fit in this box; a point outside it is a typo
# (swapped lat/lon, a missing minus sign) rather than a real practice location.
US_LAT_RANGE = (-15.0, 72.0)
US_LON_RANGE = (-180.0, -64.0)
US_LON_EAST_RANGE = (144.0, 180.0)  # Guam, the Northern Mariana Islands, the Aleutians past 180


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def haversine_miles_many(
    lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Distances from one point to many, with the same formula as :func:`haversine_miles`."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(a)))  # type: ignore[no-any-return]


def unit_vectors(lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Points on the unit sphere, so a Euclidean k-d tree can answer great-circle radius queries."""
    la, lo = np.radians(lats), np.radians(lons)
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def chord_for_miles(miles: float) -> float:
    """The straight-line (chord) distance on the unit sphere matching a great-circle distance."""
    return 2 * math.sin(min(math.pi, miles / EARTH_RADIUS_MILES) / 2)


def in_us(lat: float, lon: float) -> bool:
    if not (US_LAT_RANGE[0] <= lat <= US_LAT_RANGE[1]):
        return False
    return US_LON_RANGE[0] <= lon <= US_LON_RANGE[1] or US_LON_EAST_RANGE[0] <= lon <= US_LON_EAST_RANGE[1]


@dataclass(frozen=True, slots=True)
class ZipCentroid:
    zip5: str
    lat: float
    lon: float
    state: str
    county_fips: str | None
    precision: str  # "zip_centroid", or "zip3_centroid" when only the ZIP's 3-digit area is known


def normalize_zip(raw: str | None) -> str | None:
    """ZIP5 from a 5/9-digit ZIP, restoring leading zeros a spreadsheet dropped (``2101`` -> ``02101``).

    Returns None when the value cannot be a US ZIP.
    """
    if raw is None:
        return None
    digits = "".join(ch for ch in raw.strip() if ch in "0123456789")
    if not digits or len(digits) != len(raw.strip().replace("-", "")):
        return None
    if len(digits) in (3, 4, 5):
        return digits.zfill(5)
    if len(digits) in (7, 8, 9):  # ZIP+4 that lost its leading zeros
        return digits.zfill(9)[:5]
    return None


def zip_centroid(zip5: str) -> ZipCentroid | None:
    """The offline centroid of a ZIP5, falling back to its 3-digit area; None when neither is known."""
    table = _zip_table()
    hit = table.get(zip5)
    if hit is not None:
        return hit
    return _zip3_table().get(zip5[:3])


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, ZipCentroid]:
    # Reference data, loaded once per process on first use: about 42k ZIPs, ~0.4 s of it zipcodes' own
    # loading, paid by every loader process that geocodes (a large share of a small file's load time).
    import addfips
    import zipcodes

    # 42k ZIPs name ~3k counties, and addfips normalises the name with regular expressions on every call.
    county_fips = lru_cache(maxsize=None)(addfips.AddFIPS().get_county_fips)
    table: dict[str, ZipCentroid] = {}
    for row in zipcodes.list_all():  # type: ignore[no-untyped-call]
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        state = str(row.get("state") or "")
        county = county_fips(str(row.get("county") or ""), state=state) if state else None
        table[row["zip_code"]] = ZipCentroid(row["zip_code"], lat, lon, state, county, "zip_centroid")
    return table


@lru_cache(maxsize=1)
def _zip3_table() -> dict[str, ZipCentroid]:
    groups: dict[str, list[ZipCentroid]] = {}
    for z in _zip_table().values():
        groups.setdefault(z.zip5[:3], []).append(z)
    out: dict[str, ZipCentroid] = {}
    for prefix, members in groups.items():
        states = {m.state for m in members}
        counties = {m.county_fips for m in members}
        out[prefix] = ZipCentroid(
            prefix,
            round(sum(m.lat for m in members) / len(members), 6),
            round(sum(m.lon for m in members) / len(members), 6),
            members[0].state if len(states) == 1 else "",
            members[0].county_fips if len(counties) == 1 else None,
            "zip3_centroid",
        )
    return out


def all_zip_centroids() -> list[ZipCentroid]:
    """Every known ZIP5 centroid (synthetic regions and adequacy sample points use them)."""
    return list(_zip_table().values())
