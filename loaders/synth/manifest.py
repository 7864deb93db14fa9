"""``manifest.json``: the arguments, what was written, and a ready-made referral-search example.

The example is computed from the generated rows, never chosen by hand: an HMO plan (so a referral is
required), one of its PCPs in effect on the as-of date, the PCP's own practice ZIP as the search centre,
and the CMS specialty type with the most in-network specialists within the radius, with that count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from loaders.synth.config import FILES
from loaders.synth.mix import practitioner_mix
from loaders.synth.participation import Contracts
from loaders.synth.plans import Roster
from loaders.synth.world import World
from network.geo import chord_for_miles, haversine_miles_many, unit_vectors
from network.specialties import reference

RADIUS_MILES = 25.0
PRIMARY_CARE = "Primary Care"
_CANDIDATE_PCPS = 200  # PCPs tried; the best of them is shown


def demo_example(
    world: World, roster: Roster, contracts: Contracts, rng: np.random.Generator
) -> dict[str, Any]:
    people, region = world.people, world.region
    cms_type_of = reference().cms_type_of
    types = sorted(set(cms_type_of.values()) - {PRIMARY_CARE})
    # Per taxonomy code of the mix, the index of its CMS type in ``types`` (-1: none, or primary care).
    type_of_code = np.array([_index(types, cms_type_of.get(c)) for c in practitioner_mix().codes])
    plans = sorted(roster.plans, key=lambda p: (p.plan_type != "hmo", p.id))
    for plan in plans:
        nets = [i for i, n in enumerate(roster.networks) if n.id in plan.network_ids]
        in_plan = contracts.in_effect & np.isin(contracts.network, nets)
        pcp_rows = np.flatnonzero(in_plan & contracts.pcp)
        spec_rows = np.flatnonzero(in_plan & ~contracts.pcp)
        if not len(pcp_rows) or not len(spec_rows):
            continue
        spec_person = contracts.person[spec_rows].astype(np.int64)
        spec_type = type_of_code[people.code[spec_person]]
        spec_zip = contracts.zip_idx[spec_rows]
        spec_lat, spec_lon = region.lat[spec_zip], region.lon[spec_zip]
        tree = cKDTree(unit_vectors(spec_lat, spec_lon))
        reach = chord_for_miles(RADIUS_MILES * 1.01)  # a margin; the exact test is the haversine below
        tried = rng.choice(pcp_rows, size=min(_CANDIDATE_PCPS, len(pcp_rows)), replace=False)
        best: tuple[int, int, str, int] | None = None  # (count, -npi, type, row)
        for row in sorted(tried.tolist(), key=lambda r: int(people.npi[contracts.person[r]])):
            z = int(contracts.zip_idx[row])
            centre = unit_vectors(region.lat[z : z + 1], region.lon[z : z + 1])[0]
            near = np.asarray(tree.query_ball_point(centre, reach), dtype=np.int64)
            miles = haversine_miles_many(region.lat[z], region.lon[z], spec_lat[near], spec_lon[near])
            near = near[(miles <= RADIUS_MILES) & (spec_type[near] >= 0)]
            pairs = np.unique(spec_type[near] * len(people) + spec_person[near])
            per_type = np.bincount(pairs // len(people), minlength=len(types))
            t = int(np.argmax(per_type))
            key = (int(per_type[t]), -int(people.npi[contracts.person[row]]), types[t], row)
            if key[0] and (best is None or key[:2] > best[:2]):
                best = key
        if best is None:
            continue
        count, _, cms_type, row = best
        z = int(contracts.zip_idx[row])
        pcp = int(contracts.person[row])
        return {
            "pcp_npi": str(int(people.npi[pcp])),
            "plan_id": plan.id,
            "plan_type": plan.plan_type,
            "network_ids": list(plan.network_ids),
            "near": {"zip": region.zips[z], "lat": float(region.lat[z]), "lon": float(region.lon[z])},
            "radius_miles": RADIUS_MILES,
            "as_of": world.config.as_of,
            "specialty": cms_type,
            "specialty_codes": sorted(c for c, t in cms_type_of.items() if t == cms_type),
            "in_network_specialists_within_radius": count,
        }
    return {}


def _index(values: list[str], value: str | None) -> int:
    return values.index(value) if value in values else -1


def manifest(world: World, roster: Roster, contracts: Contracts, example: dict[str, Any]) -> dict[str, Any]:
    cfg, people = world.config, world.people
    return {
        "generator": "pnet synth",
        "seed": cfg.seed,
        "arguments": {
            "practitioners": cfg.practitioners,
            "referrals": cfg.referrals,
            "states": list(cfg.states),
            "bad_share": cfg.bad_share,
            "as_of": cfg.as_of,
            "payers": cfg.payers,
        },
        "counts": {
            "practitioners": int(people.practitioner.sum()),
            "organizations": int((people.entity == 2).sum()),
            "payers": len({n.payer_id for n in roster.networks}),
            "networks": len(roster.networks),
            "plans": len(roster.plans),
            "participations": len(contracts.person),
            "participations_in_effect": int(contracts.in_effect.sum()),
            "counties": len(world.region.counties),
            "zip_codes": len(world.region.zips),
        },
        "files": {name: s.as_dict() for name, s in world.stats.items()},
        "load_order": list(FILES),
        "example": example,
    }
