"""The GraphQL API over HTTP on a real Neo4j: same answers as the embedded store, page for page."""

from __future__ import annotations

from typing import Any

import pytest
from support.api_region import (
    AS_OF,
    PCP,
    REFERRAL_QUERY,
    api_client,
    build_region,
    gql,
    referral_variables,
)

from network.store import GraphStore
from network.store.memory import MemoryStore

pytestmark = pytest.mark.neo4j

DIRECTORY = """
query($npi: String!, $asOf: Date) {
  provider(npi: $npi) {
    name networks(asOf: $asOf) { id } participations(asOf: $asOf) { id role }
    primarySpecialty { code display } specialties { code } locations { id city zip lat lon }
    allRoles: participations(anyDate: true) { id network { id name } specialty { code } locations { id } }
    topReferralTargets(first: 3) { pairCount provider { npi } }
  }
  plan(id: "HMO") { networks { id memberCounts(asOf: $asOf) { practitioners pcps specialists locations } } }
  providers(filter: {name: "sam special", planId: "HMO", asOf: $asOf}, first: 100) {
    ... on ProviderConnection {
      totalCount
      edges { cursor location { id } node { npi locations { id } participations { id network { name } } } }
    }
  }
  specialties(search: "card") { code }
}
"""


async def _all_pages(store: GraphStore, **input_: Any) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    after = None
    async with api_client(store) as client:
        while True:
            body = await gql(client, REFERRAL_QUERY, referral_variables(first=4, after=after, **input_))
            assert "errors" not in body, body
            page = body["data"]["referralOptions"]
            edges += page["edges"]
            if not page["pageInfo"]["hasNextPage"]:
                return edges
            after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    "input_", [{}, {"orderBy": "PRIOR_REFERRALS"}, {"specialty": "Cardiology", "language": "spanish"}]
)
async def test_referral_pages_match_the_embedded_store(
    neo4j_store: GraphStore, input_: dict[str, Any]
) -> None:
    build_region(neo4j_store, specialists=30)
    on_neo4j = await _all_pages(neo4j_store, radiusMiles=50, **input_)
    in_memory = await _all_pages(build_region(MemoryStore(), specialists=30), radiusMiles=50, **input_)
    assert on_neo4j == in_memory
    assert len(on_neo4j) == len({e["node"]["specialist"]["npi"] for e in on_neo4j}) > 4


async def test_directory_lookups_match_the_embedded_store(neo4j_store: GraphStore) -> None:
    build_region(neo4j_store)
    variables = {"npi": PCP, "asOf": AS_OF}
    async with api_client(neo4j_store) as client:
        on_neo4j = await gql(client, DIRECTORY, variables)
        ready = await client.get("/readyz")
    async with api_client(build_region(MemoryStore())) as client:
        in_memory = await gql(client, DIRECTORY, variables)
    assert "errors" not in on_neo4j, on_neo4j
    assert on_neo4j == in_memory
    assert on_neo4j["data"]["providers"]["totalCount"] == 9
    assert ready.json() == {
        "status": "ready",
        "store": "memory",
    }  # settings say memory; the store is injected
