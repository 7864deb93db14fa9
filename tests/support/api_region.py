"""A small region for the API tests (records written directly), the HTTP client helper, store doubles.

``tests/unit/test_api_region.py`` checks the region itself.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from starlette.applications import Starlette

from network.errors import StoreUnavailable
from network.model import Location, Network, Participation, Plan, Practitioner, Referral, Specialty
from network.settings import Settings
from network.store import GraphStore
from network.store.memory import MemoryStore
from network.store.rows import PractitionerProfile, ReferralAsk, ReferralFound
from schema.app import create_app

CENTER = {"lat": 41.7658, "lon": -72.6734}  # Hartford, CT
AS_OF = "2026-06-01"
PCP = "1003000100"
CARDIO, OBGYN, FAMILY = "207RC0000X", "207V00000X", "207Q00000X"
S = TypeVar("S", bound=GraphStore)
T = TypeVar("T")


def build_region(store: S, specialists: int = 12) -> S:
    """A PCP and ``specialists`` cardiologists/OB-GYNs around Hartford in an HMO and a PPO network."""
    store.upsert(
        [
            Specialty(code=CARDIO, display="Cardiovascular Disease", cms_type="Cardiology"),
            Specialty(code=OBGYN, display="Obstetrics & Gynecology", cms_type="Gynecology OB/GYN"),
            Specialty(code=FAMILY, display="Family Medicine", pcp_eligible=True, cms_type="Primary Care"),
        ]
    )
    store.upsert([Network(id="N-HMO", name="HMO network"), Network(id="N-PPO", name="PPO network")])
    store.upsert(
        [
            Plan(id="HMO", name="Gold HMO", plan_type="hmo", referral_required=True, network_ids=("N-HMO",)),
            Plan(id="PPO", name="Gold PPO", plan_type="ppo", referral_required=False, network_ids=("N-PPO",)),
        ]
    )
    locations = [Location(id="L-pcp", lat=41.76, lon=-72.67, state="CT", zip="06103", city="Hartford")]
    people = [
        Practitioner(
            npi=PCP,
            name="Paula Primary",
            specialties=(FAMILY,),
            primary_specialty=FAMILY,
            location_ids=("L-pcp",),
        )
    ]
    roles = [
        Participation(id=f"P-{PCP}-{n}", npi=PCP, network_id=n, role="pcp", location_ids=("L-pcp",))
        for n in ("N-HMO", "N-PPO")
    ]
    referrals: list[Referral] = []
    for i in range(specialists):
        npi = f"19{i:08d}"
        code = OBGYN if i % 4 == 3 else CARDIO
        loc = Location(id=f"L-{i}", lat=41.70 + 0.01 * i, lon=-72.70 + 0.003 * i, state="CT", zip="06103")
        locations.append(loc)
        people.append(
            Practitioner(
                npi=npi,
                name=f"Sam Special{i:02d}",
                specialties=(code,),
                primary_specialty=code,
                location_ids=(loc.id,),
                languages=("English", "Spanish") if i % 3 == 0 else ("English",),
                sex="F" if i % 2 else "M",
            )
        )
        roles.append(
            Participation(
                id=f"P-{npi}",
                npi=npi,
                network_id="N-HMO" if i % 5 else "N-PPO",
                role="specialist",
                specialty_code=code,
                location_ids=(loc.id,),
                accepting_new_patients=i % 2 == 0,
            )
        )
        if i % 3 == 1:
            referrals.append(Referral(from_npi=PCP, to_npi=npi, pair_count=100 - i))
    store.upsert(locations)
    store.upsert(people)
    store.upsert(roles)
    store.upsert_referrals(referrals)
    return store


REFERRAL_QUERY = """
query Referrals($input: ReferralSearchInput!, $first: Int, $after: String) {
  referralOptions(input: $input, first: $first, after: $after) {
    __typename
    ... on ReferralOptions {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          distanceMiles referralRequired priorReferrals acceptingNewPatients
          specialist { npi name languages primarySpecialty { code } locations { id } }
          location { id lat lon }
          specialty { code display cmsType }
          network { id name }
        }
      }
    }
    ... on Problem { message }
    ... on InvalidInput { field suggestions }
  }
}
"""


def referral_variables(first: int | None = 20, after: str | None = None, **input_: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"pcpNpi": PCP, "planId": "HMO", "near": CENTER, "asOf": AS_OF}
    base.update(input_)
    return {"input": base, "first": first, "after": after}


@asynccontextmanager
async def api_client(store: GraphStore, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with api_app(store, **settings) as (_, client):
        yield client


@asynccontextmanager
async def api_app(store: GraphStore, **settings: Any) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """The app on ``store`` and a client of it, for tests that look inside the app too."""
    app = create_app(Settings(**settings), store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pnet.test") as client:
        yield app, client


async def gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


class CountingStore(MemoryStore):
    """A memory store counting calls of the methods that are a round trip on a remote store.

    A bundled read (one statement on Neo4j) counts once: the reads the base class makes inside it are
    not counted, in that thread only, so a sibling's calls in another worker thread still are.
    """

    COUNTED = frozenset(
        {
            "get_many",
            "existing_keys",
            "keys",
            "participations_of",
            "practitioner_profiles",
            "referral_search",
            "referral_counts",
            "top_referral_targets",
            "_provider_rows",
            "network_counts",
            "ping",
        }
    )
    BUNDLED = frozenset({"referral_search", "practitioner_profiles"})

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._inside = threading.local()
        super().__init__()

    def __getattribute__(self, name: str) -> Any:
        if name in type(self).COUNTED and not getattr(object.__getattribute__(self, "_inside"), "depth", 0):
            object.__getattribute__(self, "calls")[name] += 1
        return super().__getattribute__(name)

    def _bundled(self, read: Callable[[], T]) -> T:
        self._inside.depth = getattr(self._inside, "depth", 0) + 1
        try:
            return read()
        finally:
            self._inside.depth -= 1

    def referral_search(self, ask: ReferralAsk) -> ReferralFound:
        return self._bundled(lambda: super(CountingStore, self).referral_search(ask))

    def practitioner_profiles(self, npis: Iterable[str]) -> dict[str, PractitionerProfile]:
        return self._bundled(lambda: super(CountingStore, self).practitioner_profiles(npis))


class BrokenStore(MemoryStore):
    """A memory store whose reads fail (or stall) on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_with: BaseException | None = None
        self.stall_s = 0.0
        self.reads = 0

    def _trouble(self) -> None:
        self.reads += 1
        if self.stall_s:
            time.sleep(self.stall_s)
        if self.fail_with is not None:
            raise self.fail_with

    def get_many(self, label: Any, keys: Any) -> Any:
        self._trouble()
        return super().get_many(label, keys)

    def ping(self) -> None:
        self._trouble()


def unavailable() -> StoreUnavailable:
    return StoreUnavailable("Neo4j is unavailable: connection refused")
