"""The region's ZIP codes: centroids and county FIPS from ``network.geo``, city names from ``zipcodes``.

Practices sit in STANDARD (street-delivery) ZIPs; a ZIP's weight grows with how many other ZIPs lie
within a few miles, so practitioners gather in cities the way real ones do (dense ZIP grids are where
people live) without any population table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from network.errors import InvalidInput
from network.geo import all_zip_centroids, chord_for_miles, unit_vectors

DENSITY_MILES = 8.0
DENSITY_POWER = 1.6
SITES_PER_ZIP = 8  # practice addresses per ZIP, from the busy hospital campus to the solo office


@dataclass(frozen=True, slots=True)
class ZipInfo:
    city: str
    county: str
    area_codes: tuple[str, ...]
    standard: bool


@dataclass(frozen=True, slots=True)
class Region:
    states: tuple[str, ...]
    zips: tuple[str, ...]  # ZIP5, sorted
    state: tuple[str, ...]
    city: tuple[str, ...]
    area_code: tuple[str, ...]
    county_fips: tuple[str, ...]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]  # sampling probability of a practice ZIP, sums to 1
    county_names: dict[str, str]  # FIPS -> "Hartford County"
    county_state: dict[str, str]  # FIPS -> "CT"
    county_zips: dict[str, int]  # FIPS -> how many ZIP codes (of any kind) it has

    @property
    def counties(self) -> list[str]:
        return sorted(self.county_names)


@lru_cache(maxsize=1)
def _zip_info() -> dict[str, ZipInfo]:
    import zipcodes

    out: dict[str, ZipInfo] = {}
    for row in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if not row.get("active", True):
            continue
        out[row["zip_code"]] = ZipInfo(
            city=str(row.get("city") or "").upper(),
            county=str(row.get("county") or ""),
            area_codes=tuple(row.get("area_codes") or ()),
            standard=row.get("zip_code_type") == "STANDARD",
        )
    return out


def build_region(states: tuple[str, ...]) -> Region:
    info = _zip_info()
    in_region = sorted(
        (z for z in all_zip_centroids() if z.state in states and z.county_fips and z.zip5 in info),
        key=lambda z: z.zip5,
    )
    picked = [z for z in in_region if info[z.zip5].standard and info[z.zip5].city]
    missing = sorted(set(states) - {z.state for z in picked})
    if missing:
        raise InvalidInput(f"no street-delivery ZIP codes known for {', '.join(missing)}", field="state")
    lat = np.array([z.lat for z in picked], dtype=np.float64)
    lon = np.array([z.lon for z in picked], dtype=np.float64)
    tree = cKDTree(unit_vectors(lat, lon))
    neighbours = tree.query_ball_point(
        unit_vectors(lat, lon), chord_for_miles(DENSITY_MILES), return_length=True
    )
    weight = np.asarray(neighbours, dtype=np.float64) ** DENSITY_POWER
    names: dict[str, str] = {}
    county_state: dict[str, str] = {}
    county_zips: Counter[str] = Counter()
    codes: dict[str, Counter[str]] = {}
    for z in in_region:  # every county of the region, PO-box-only ones too
        assert z.county_fips is not None
        names.setdefault(z.county_fips, info[z.zip5].county or z.county_fips)
        county_state.setdefault(z.county_fips, z.state)
        county_zips[z.county_fips] += 1
        codes.setdefault(z.state, Counter()).update(info[z.zip5].area_codes[:1])
    common = {state: c.most_common(1)[0][0] for state, c in codes.items() if c}
    return Region(
        states=states,
        zips=tuple(z.zip5 for z in picked),
        state=tuple(z.state for z in picked),
        city=tuple(info[z.zip5].city for z in picked),
        area_code=tuple(_area_code(info[z.zip5], common.get(z.state, "")) for z in picked),
        county_fips=tuple(str(z.county_fips) for z in picked),
        lat=lat,
        lon=lon,
        weight=weight / weight.sum(),
        county_names=dict(sorted(names.items())),
        county_state=county_state,
        county_zips=dict(county_zips),
    )


def _area_code(info: ZipInfo, state_default: str) -> str:
    return info.area_codes[0] if info.area_codes else state_default
