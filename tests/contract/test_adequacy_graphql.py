"""``networkAdequacy`` gives the same GraphQL answer on both stores: cells, paging, gaps and targets."""

from __future__ import annotations

from typing import Any

import httpx

from network.model import County, Location, Network, Participation, Plan, Practitioner
from network.settings import Settings
from network.store import GraphStore
from network.store.memory import MemoryStore
from schema.app import create_app

CARDIO, DERM = "207RC0000X", "207N00000X"
A, B, C, D, E = "1000000012", "1000000020", "1000000038", "1000000046", "1000000053"
HARTFORD, NEW_HAVEN = "09003", "09009"
AS_OF = "2025-06-01"


def build(store: GraphStore) -> GraphStore:
    store.upsert(
        [
            County(
                fips=HARTFORD, name="Hartford", state="CT", designation="Metro", beneficiaries_required=2000
            ),
            County(
                fips=NEW_HAVEN, name="New Haven", state="CT", designation="Metro", beneficiaries_required=500
            ),
        ]
    )
    store.upsert([Network(id="N1", name="One"), Network(id="N2", name="Two")])
    store.upsert([Plan(id="PL1", name="Plan", plan_type="hmo", referral_required=True, network_ids=("N1",))])
    store.upsert(
        [
            Location(id="L-hartford", lat=41.7637, lon=-72.6851, state="CT"),
            Location(id="L-new-haven", lat=41.3083, lon=-72.9279, state="CT"),
        ]
    )
    people = [
        (A, "L-hartford", (CARDIO,), True),
        (B, "L-hartford", (DERM,), True),
        (C, "L-hartford", (CARDIO,), False),
        (D, "L-new-haven", (CARDIO,), True),
        (E, "L-new-haven", (CARDIO,), True),
    ]
    store.upsert(
        [
            Practitioner(
                npi=n,
                name=f"Dr {n[-3:]}",
                specialties=s,
                primary_specialty=s[0],
                location_ids=(loc,),
                active=on,
            )
            for n, loc, s, on in people
        ]
    )

    def role(npi: str, loc: str, code: str | None, **kw: Any) -> Participation:
        return Participation(
            id=f"P-{npi}",
            npi=npi,
            network_id="N1",
            role="specialist",
            specialty_code=code,
            location_ids=(loc,),
            **kw,
        )

    store.upsert(
        [
            role(A, "L-hartford", CARDIO, effective="2024-01-01"),
            role(B, "L-hartford", None, telehealth=True),  # no specialty: the primary (dermatology) decides
            role(C, "L-hartford", CARDIO),  # inactive practitioner: never counted
            role(E, "L-new-haven", CARDIO, termination=AS_OF),  # ended on the as-of day
        ]
    )  # D is in no network: the recruitment target for New Haven
    return store


QUERY = """
query Adequacy($input: NetworkAdequacyInput!, $first: Int, $after: String) {
  networkAdequacy(input: $input, first: $first, after: $after) {
    __typename
    ... on NetworkAdequacy {
      summary { networkIds counties specialtyTypes pointsUsed providerLocations cells cellsPassed passed }
      notices
      cells {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          cursor
          node {
            countyFips specialtyType designation maxDistanceMiles points pointsWithAccess pctWithAccess
            telehealthCreditPct thresholdPct providersCounted minimumRequired passed
          }
        }
      }
      gaps {
        countyFips specialtyType pointsWithoutAccess nearestMilesMin nearestMilesMedian nearestMilesMax
        minimumShortfall closesAccessGap closesMinimumGap
        targets { npi locationId lat lon specialtyCodes covers adds pctAfter reason provider { name } }
      }
    }
    ... on Problem { message }
  }
}
"""


async def _pages(store: GraphStore) -> list[Any]:
    app = create_app(Settings(), store)
    transport = httpx.ASGITransport(app=app)
    pages: list[Any] = []
    after: str | None = None
    async with httpx.AsyncClient(transport=transport, base_url="http://pnet.test") as client:
        while True:
            variables = {
                "input": {
                    "planId": "PL1",
                    "state": "CT",
                    "specialtyTypes": ["Cardiology", "Dermatology"],
                    "asOf": AS_OF,
                },
                "first": 3,
                "after": after,
            }
            response = await client.post("/graphql", json={"query": QUERY, "variables": variables})
            body = response.json()
            assert "errors" not in body, body
            pages.append(body["data"]["networkAdequacy"])
            info = pages[-1]["cells"]["pageInfo"]
            if not info["hasNextPage"]:
                return pages
            after = info["endCursor"]


async def test_the_same_adequacy_answer_on_both_stores(store: GraphStore) -> None:
    pages = await _pages(build(store))
    assert pages == await _pages(build(MemoryStore()))
    first = pages[0]
    assert first["__typename"] == "NetworkAdequacy"
    assert first["summary"]["networkIds"] == ["N1"] and first["summary"]["cells"] == 4
    cells = {
        (e["node"]["countyFips"], e["node"]["specialtyType"]): e["node"]
        for p in pages
        for e in p["cells"]["edges"]
    }
    assert sorted(cells) == [(f, t) for f in (HARTFORD, NEW_HAVEN) for t in ("Cardiology", "Dermatology")]
    assert len(pages) == 2
    # Only A counts in Hartford: C is inactive, E's participation ended on the day, D is in no network.
    assert cells[HARTFORD, "Cardiology"]["providersCounted"] == 1
    # B's participation names no specialty: dermatology by B's primary, with telehealth credit.
    derm = cells[HARTFORD, "Dermatology"]
    assert (derm["providersCounted"], derm["telehealthCreditPct"]) == (1, 10.0)
    gap = next(g for g in first["gaps"] if (g["countyFips"], g["specialtyType"]) == (NEW_HAVEN, "Cardiology"))
    assert gap["targets"][0]["npi"] == D and gap["targets"][0]["provider"] == {"name": "Dr 046"}
