"""The query workload, drawn by seed from a loaded dataset: referral searches and provider lookups.

Requests are built from the dataset's files plus the store's own answers (a PCP's networks and practice
location), so every search is one a real PCP could make: a plan using one of the PCP's networks, a point
near the PCP's practice, a radius and maybe a specialty. The same requests go to both stores.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from network.model import Label, Location, Practitioner, Role
from network.services import GeoQuery, ReferralRequest
from network.store import GraphStore

RADII = (5.0, 10.0, 25.0)
SPECIALTIES = (
    None,
    None,
    "Cardiology",
    "Dermatology",
    "Orthopedic Surgery",
    "Gastroenterology",
    "Neurology",
    "Ophthalmology",
    "Endocrinology",
    "Gynecology OB/GYN",
)

# The flagship query as a directory page asks it, with the exact total (which reads the whole radius)...
REFERRAL_QUERY = """
query($input: ReferralSearchInput!, $first: Int) {
  referralOptions(input: $input, first: $first) {
    __typename
    ... on ReferralOptions {
      totalCount
      edges { cursor node {
        distanceMiles priorReferrals referralRequired acceptingNewPatients
        specialist { npi name languages }
        location { id lat lon zip }
        specialty { code display }
        network { id }
      } }
    }
  }
}
"""

# ... and as a member's app pages through it, without: a search by distance then ranks within a mile
# first (network.store.ranking.windows).
REFERRAL_PAGE_QUERY = REFERRAL_QUERY.replace("      totalCount\n", "")
assert REFERRAL_PAGE_QUERY != REFERRAL_QUERY

PROVIDER_QUERY = """
query($npi: String!, $asOf: Date) {
  provider(npi: $npi) {
    npi name credential sex active languages
    primarySpecialty { code display }
    specialties { code display }
    locations { id addressLine city state zip lat lon }
    participations(asOf: $asOf) { id role acceptingNewPatients network { id name } specialty { code } }
  }
}
"""


def _plans(folder: Path) -> dict[str, set[str]]:
    networks: dict[str, set[str]] = {}
    with (folder / "plans.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            networks.setdefault(row["plan_id"], set()).add(row["network_id"])
    return networks


def _npis(folder: Path, role: str | None) -> list[str]:
    with (folder / "participation.csv").open(newline="") as fh:
        return sorted({r["npi"] for r in csv.DictReader(fh) if role is None or r["role"] == role})


def referral_requests(
    store: GraphStore, folder: Path, as_of: str, n: int, seed: int = 7
) -> list[ReferralRequest]:
    rnd = random.Random(seed)
    plans = _plans(folder)
    stored = store.existing_keys(Label.PLAN, plans)  # the file's deliberately bad plan rows are rejected
    plans = {p: ns for p, ns in plans.items() if p in stored}
    pcps = _npis(folder, "pcp")
    rnd.shuffle(pcps)
    out: list[ReferralRequest] = []
    for start in range(0, len(pcps), 500):
        chunk = pcps[start : start + 500]
        people = store.get_many(Label.PRACTITIONER, chunk)
        roles = store.participations_of(chunk)
        loc_ids = {lid for p in people.values() if isinstance(p, Practitioner) for lid in p.location_ids}
        locations = store.get_many(Label.LOCATION, loc_ids)
        for npi in chunk:
            pcp = people.get(npi)
            if not isinstance(pcp, Practitioner):
                continue
            nets = {r.network_id for r in roles.get(npi, []) if r.role == Role.PCP and r.in_effect(as_of)}
            usable = sorted(p for p, ns in plans.items() if ns & nets)
            placed = [
                loc
                for lid in pcp.location_ids
                if isinstance(loc := locations.get(lid), Location) and loc.lat is not None
            ]
            if not usable or not placed:
                continue
            at = rnd.choice(placed)
            assert at.lat is not None and at.lon is not None
            out.append(
                ReferralRequest(
                    pcp_npi=npi,
                    plan_id=rnd.choice(usable),
                    near=GeoQuery(lat=at.lat + rnd.gauss(0, 0.02), lon=at.lon + rnd.gauss(0, 0.02)),
                    radius_miles=rnd.choice(RADII),
                    specialty=rnd.choice(SPECIALTIES),
                    as_of=as_of,
                )
            )
            if len(out) == n:
                return out
    return out


def referral_variables(req: ReferralRequest, first: int) -> dict[str, Any]:
    return {
        "first": first,
        "input": {
            "pcpNpi": req.pcp_npi,
            "planId": req.plan_id,
            "near": {"lat": req.near.lat, "lon": req.near.lon},
            "radiusMiles": req.radius_miles,
            "specialty": req.specialty,
            "asOf": req.as_of,
        },
    }


def lookup_npis(store: GraphStore, folder: Path, n: int, seed: int = 11) -> list[str]:
    """Stored practitioners with a participation (the file's planted unknown NPIs are left out)."""
    npis = sorted(store.existing_keys(Label.PRACTITIONER, _npis(folder, None)))
    return random.Random(seed).sample(npis, min(n, len(npis)))
