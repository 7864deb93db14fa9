"""``counties.csv``: the CMS HSD reference layout for every county of the region.

Designations follow how much care a county holds (its share of the region's practitioners, then its
number of ZIP codes): the busiest counties are Large Metro or Metro, the emptiest Rural or CEAC. Medicare
beneficiaries scale with the county's ZIP codes; the 95th-percentile base population ratio is a plausible
MA penetration share, and beneficiaries required to cover = ceil(total x ratio), as CMS computes it.
"""

from __future__ import annotations

import math

import numpy as np

from loaders.synth.planted import Kind, Planter
from loaders.synth.world import RowWriter, World
from network.model import CountyDesignation

FILE = "counties.csv"
# COUNTY holds the county's name and FIPS its code: a bare 5-digit code in COUNTY could be read as either
# an SSA or a FIPS code, and the explicit column leaves no doubt.
HEADER = [
    "COUNTY",
    "ST",
    "COUNTY DESIGNATION",
    "TOTAL BENEFICIARIES",
    "95th PERCENTILE BASE POPULATION RATIO",
    "BENEFICIARIES REQUIRED TO COVER",
    "FIPS",
]
KINDS = (
    Kind("invalid_designation", "COUNTY DESIGNATION", "not Large Metro, Metro, Micro, Rural or CEAC"),
    Kind("bad_beneficiaries", "TOTAL BENEFICIARIES", "must be a whole number >= 0"),
    Kind("invalid_state", "ST", "not a US state or territory code"),
)
_BROKEN = {"invalid_designation": "Suburban", "bad_beneficiaries": "-1200", "invalid_state": "ZZ"}
# Share of the region's counties per designation, busiest first (cumulative upper bounds).
_BANDS = (
    (0.15, CountyDesignation.LARGE_METRO),
    (0.45, CountyDesignation.METRO),
    (0.70, CountyDesignation.MICRO),
    (0.95, CountyDesignation.RURAL),
    (1.01, CountyDesignation.CEAC),
)


def write_counties(world: World, rng: np.random.Generator, plant_rng: np.random.Generator) -> None:
    region, people = world.region, world.people
    fips = region.counties
    zips_in = region.county_zips
    practitioners = dict.fromkeys(fips, 0)
    counts = np.bincount(people.zip_idx[people.practitioner], minlength=len(region.zips))
    for z, n in enumerate(counts.tolist()):
        practitioners[region.county_fips[z]] += n
    busiest = sorted(fips, key=lambda f: (-practitioners[f], -zips_in[f], f))
    rows: list[list[str]] = []
    for rank, f in enumerate(busiest):
        share = (rank + 0.5) / len(busiest)
        designation = next(d for bound, d in _BANDS if share < bound)
        total = int(max(1, zips_in[f]) * rng.lognormal(np.log(1800), 0.35))
        ratio = round(float(rng.uniform(0.08, 0.16)), 4)
        rows.append(
            [
                region.county_names[f],
                region.county_state[f],
                designation.value,
                str(total),
                f"{ratio:.4f}",
                str(math.ceil(total * ratio)),
                f,
            ]
        )
    rows.sort(key=lambda r: r[-1])
    planter = Planter(plant_rng, len(rows), KINDS, world.config.bad_share)
    out = RowWriter(world, FILE, HEADER, lineterminator="\n")
    for i, row in enumerate([*rows, None]):
        for kind in planter.before(i):
            bad = list(rows[min(i, len(rows) - 1)])  # the same county again, one field broken
            field = HEADER.index(kind.field)
            bad[field] = _BROKEN[kind.name]
            out.bad(bad, kind, bad[field])
        if row is not None:
            out.good(row)
    out.close()
