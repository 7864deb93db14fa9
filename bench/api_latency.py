"""referralOptions latency: over HTTP (uvicorn on a port) vs the service called straight on the store.

Builds a synthetic region of ~5k practitioners around Hartford, CT from records directly, then times the
same random searches both ways, on the embedded store and (with --neo4j-uri) on Neo4j::

    .venv/bin/python bench/api_latency.py                        # embedded store only
    .venv/bin/python bench/api_latency.py --neo4j-uri bolt://127.0.0.1:7691 --neo4j-password ...

The Neo4j database given is CLEARED first: never point this at a graph you want to keep.
"""

from __future__ import annotations

import argparse
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import uvicorn
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from network.model import Location, Network, Participation, Plan, Practitioner, Record, Referral, Specialty
from network.services import GeoQuery, ReferralOptions, ReferralRequest, referral_options
from network.settings import Settings
from network.store import GraphStore
from network.store.memory import MemoryStore
from network.validate import with_check_digit
from schema.app import create_app

CENTER = (41.7658, -72.6734)
AS_OF = "2026-06-01"
SPECIALTIES = {
    "207RC0000X": "Cardiology",
    "207RG0100X": "Gastroenterology",
    "207N00000X": "Dermatology",
    "207X00000X": "Orthopedic Surgery",
    "2084N0400X": "Neurology",
    "207W00000X": "Ophthalmology",
    "207V00000X": "Gynecology OB/GYN",
    "207RE0101X": "Endocrinology",
}
FAMILY = "207Q00000X"
QUERY = """
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


@dataclass(frozen=True)
class Region:
    pcps: list[str]
    practitioners: int


def build_region(store: GraphStore, practitioners: int, seed: int = 1) -> Region:
    rnd = random.Random(seed)
    store.upsert([Specialty(code=c, display=n, cms_type=n) for c, n in SPECIALTIES.items()])
    store.upsert(
        [Specialty(code=FAMILY, display="Family Medicine", pcp_eligible=True, cms_type="Primary Care")]
    )
    store.upsert([Network(id="N-HMO", name="HMO"), Network(id="N-PPO", name="PPO")])
    store.upsert(
        [
            Plan(id="HMO", name="HMO", plan_type="hmo", referral_required=True, network_ids=("N-HMO",)),
            Plan(id="PPO", name="PPO", plan_type="ppo", referral_required=False, network_ids=("N-PPO",)),
        ]
    )
    locations = [
        Location(
            id=f"L{i:04d}", lat=CENTER[0] + rnd.gauss(0, 0.25), lon=CENTER[1] + rnd.gauss(0, 0.3), state="CT"
        )
        for i in range(practitioners // 8)
    ]
    people: list[Record] = []
    roles: list[Record] = []
    pcps: list[str] = []
    for i in range(practitioners):
        npi = with_check_digit(f"1{i:08d}")
        loc = rnd.choice(locations).id
        is_pcp = i % 5 == 0
        code = FAMILY if is_pcp else rnd.choice(list(SPECIALTIES))
        people.append(
            Practitioner(
                npi=npi,
                name=f"Dr {i}",
                specialties=(code,),
                primary_specialty=code,
                location_ids=(loc,),
                languages=rnd.choice([("English",), ("English", "Spanish"), ("English", "Portuguese")]),
            )
        )
        networks = ["N-HMO", "N-PPO"] if is_pcp else rnd.sample(["N-HMO", "N-PPO"], rnd.randint(1, 2))
        for network in networks:
            roles.append(
                Participation(
                    id=f"P{i}-{network}",
                    npi=npi,
                    network_id=network,
                    role="pcp" if is_pcp else "specialist",
                    specialty_code=code,
                    location_ids=(loc,),
                    accepting_new_patients=rnd.random() < 0.7,
                    effective="2024-01-01",
                )
            )
        if is_pcp:
            pcps.append(npi)
    specialists = [p.key for p in people if p.key not in set(pcps)]
    referrals = [
        Referral(from_npi=rnd.choice(pcps), to_npi=rnd.choice(specialists), pair_count=rnd.randint(11, 300))
        for _ in range(practitioners * 4)
    ]
    for batch in (locations, people, roles):
        for start in range(0, len(batch), 2000):
            store.upsert(batch[start : start + 2000])
    store.upsert_referrals(referrals)
    return Region(pcps=pcps, practitioners=practitioners)


def requests(region: Region, n: int, seed: int = 2) -> list[ReferralRequest]:
    rnd = random.Random(seed)
    return [
        ReferralRequest(
            pcp_npi=rnd.choice(region.pcps),
            plan_id="HMO",
            near=GeoQuery(lat=CENTER[0] + rnd.gauss(0, 0.15), lon=CENTER[1] + rnd.gauss(0, 0.15)),
            radius_miles=rnd.choice([5.0, 10.0, 25.0]),
            specialty=rnd.choice([None, *SPECIALTIES.values()]),
            as_of=AS_OF,
        )
        for _ in range(n)
    ]


def variables(req: ReferralRequest) -> dict[str, Any]:
    return {
        "first": 20,
        "input": {
            "pcpNpi": req.pcp_npi,
            "planId": req.plan_id,
            "near": {"lat": req.near.lat, "lon": req.near.lon},
            "radiusMiles": req.radius_miles,
            "specialty": req.specialty,
            "asOf": req.as_of,
        },
    }


def timed(calls: list[Callable[[], object]], warmup: int) -> np.ndarray:
    for call in calls[:warmup]:
        call()
    out = []
    for call in calls[warmup:]:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return np.asarray(out)


@contextmanager
def serving(store: GraphStore) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(Settings(), store), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(10)


def measure(name: str, store: GraphStore, region: Region, n: int, warmup: int) -> list[tuple[str, ...]]:
    reqs = requests(region, n + warmup)

    def direct(req: ReferralRequest) -> Callable[[], object]:
        def call() -> object:
            result = referral_options(store, req, first=20)
            assert isinstance(result, ReferralOptions), result
            return result

        return call

    service = timed([direct(r) for r in reqs], warmup)
    with serving(store) as url, httpx.Client(timeout=30) as client:

        def over_http(req: ReferralRequest) -> Callable[[], object]:
            def call() -> object:
                body = client.post(url, json={"query": QUERY, "variables": variables(req)}).json()
                assert body["data"]["referralOptions"]["__typename"] == "ReferralOptions", body
                return body

            return call

        http = timed([over_http(r) for r in reqs], warmup)
    rows: list[tuple[str, ...]] = []
    for how, ms in (("service", service), ("HTTP", http)):
        p50, p99 = np.percentile(ms, [50, 99])
        rows.append((name, how, str(len(ms)), f"{p50:.1f}", f"{p99:.1f}", f"{ms.mean():.1f}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--practitioners", type=int, default=5000)
    parser.add_argument("-n", type=int, default=300, help="timed searches per store and way")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--neo4j-uri")
    parser.add_argument("--neo4j-user", default="neo4j")
    parser.add_argument("--neo4j-password", default="pnet-local-password")
    args = parser.parse_args()
    console = Console()
    stores: list[tuple[str, GraphStore]] = [("memory", MemoryStore())]
    if args.neo4j_uri:
        from network.store.neo4j import Neo4jStore

        settings = Settings(
            store="neo4j",
            neo4j_uri=args.neo4j_uri,
            neo4j_user=args.neo4j_user,
            neo4j_password=SecretStr(args.neo4j_password),
        )
        neo = Neo4jStore.from_settings(settings)
        neo.init_schema()
        neo.clear()
        stores.append(("neo4j", neo))
    table = Table("store", "way", "n", "p50 ms", "p99 ms", "mean ms", title="referralOptions, first=20")
    for name, store in stores:
        start = time.perf_counter()
        region = build_region(store, args.practitioners)
        console.print(f"{name}: region of {region.practitioners} built in {time.perf_counter() - start:.1f}s")
        for row in measure(name, store, region, args.n, args.warmup):
            table.add_row(*row)
        store.close()
    console.print(table)


if __name__ == "__main__":
    main()
