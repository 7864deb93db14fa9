"""``networkAdequacy`` over HTTP on the API test region with counties: known cells, gaps and targets,
cell paging, expected failures as union members, no member points, and the timeout stopping the audit."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, TypeVar

import pytest
from support.adequacy_region import HARTFORD, NEW_HAVEN, TOLLAND, build_adequacy_region
from support.api_region import AS_OF, api_client, gql

from network.adequacy import AdequacyReport, AdequacyRequest, audit_adequacy
from network.geo import all_zip_centroids
from network.store import GraphStore
from network.store.memory import MemoryStore
from network.store.rows import AdequacyProviderRow, BBox, PractitionerPointRow
from schema.types import adequacy_result
from schema.types.adequacy import API_POINTS_NOTICE
from schema.types.adequacy_result import AuditAbandoned, audit_outcome

S = TypeVar("S", bound=GraphStore)
CARDIOLOGY, OBGYN = "Cardiology", "Gynecology OB/GYN"
OBGYN_NPIS = ["1900000003", "1900000007", "1900000011"]  # all in N-HMO only (build_region)


QUERY = """
query Adequacy($input: NetworkAdequacyInput!, $first: Int, $after: String) {
  networkAdequacy(input: $input, first: $first, after: $after) {
    __typename
    ... on NetworkAdequacy {
      summary {
        asOf networkIds planId counties skippedCounties { fips reason } specialtyTypes pointsSource
        timeEvaluated cells cellsPassed cellsFailed passed networks { id }
      }
      notices
      cells {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges {
          cursor
          node {
            countyFips countyName state designation specialtyType maxDistanceMiles points pointsCount
            pointsWithAccess pctWithAccess telehealthCreditPct thresholdPct accessPass providersCounted
            minimumRequired minimumPass passed timeEvaluated
          }
        }
      }
      gaps {
        countyFips specialtyType pointsWithoutAccess pointsCountWithoutAccess minimumShortfall
        closesAccessGap closesMinimumGap cell { passed }
        targets { npi name locationId covers adds pctAfter reason provider { name } }
      }
    }
    ... on Problem { message }
    ... on NetworkNotFound { networkId }
    ... on PlanNotFound { planId }
    ... on InvalidInput { field suggestions }
  }
}
"""


def variables(first: int | None = 50, after: str | None = None, **input_: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "planId": "PPO",
        "state": "CT",
        "specialtyTypes": [CARDIOLOGY, OBGYN],
        "asOf": AS_OF,
    }
    base.update(input_)
    return {"input": {k: v for k, v in base.items() if v is not None}, "first": first, "after": after}


async def audit(store: GraphStore, **kw: Any) -> Any:
    async with api_client(store) as client:
        body = await gql(client, QUERY, variables(**kw))
    assert "errors" not in body, body
    return body["data"]["networkAdequacy"]


@pytest.fixture(scope="module")
def region() -> MemoryStore:
    return build_adequacy_region(MemoryStore())


def _cells(answer: Any) -> dict[tuple[str, str], Any]:
    return {
        (e["node"]["countyFips"], e["node"]["specialtyType"]): e["node"] for e in answer["cells"]["edges"]
    }


async def test_known_passing_and_failing_cells(region: MemoryStore) -> None:
    answer = await audit(region)
    assert answer["__typename"] == "NetworkAdequacy"
    hartford_zips = sum(1 for z in all_zip_centroids() if z.county_fips == HARTFORD)
    cells = _cells(answer)
    # Rural: 60 mi for cardiology, so every Hartford ZIP centroid reaches the PPO's three cardiologists
    # (downtown Hartford); minimum ceil(0.23 x 1000 / 1000) = 1.
    cardio = cells[HARTFORD, CARDIOLOGY]
    assert (cardio["designation"], cardio["maxDistanceMiles"], cardio["thresholdPct"]) == (
        "Rural",
        60.0,
        85.0,
    )
    assert cardio["points"] == cardio["pointsWithAccess"] == cardio["pointsCount"] == hartford_zips
    assert (cardio["pctWithAccess"], cardio["providersCounted"], cardio["minimumRequired"]) == (100.0, 3, 1)
    assert (cardio["accessPass"], cardio["minimumPass"], cardio["passed"], cardio["timeEvaluated"]) == (
        True,
        True,
        True,
        False,
    )
    # The PPO has no OB/GYN at all: no access, none counted, ceil(0.03 x 1000 / 1000) = 1 required.
    obgyn = cells[HARTFORD, OBGYN]
    assert (obgyn["pctWithAccess"], obgyn["providersCounted"], obgyn["minimumRequired"]) == (0.0, 0, 1)
    assert (obgyn["accessPass"], obgyn["passed"]) == (False, False)
    summary = answer["summary"]
    assert summary["counties"] == [HARTFORD, NEW_HAVEN]
    assert summary["skippedCounties"] == [
        {"fips": TOLLAND, "reason": summary["skippedCounties"][0]["reason"]}
    ]
    assert (summary["networkIds"], summary["planId"], summary["networks"]) == (
        ["N-PPO"],
        "PPO",
        [{"id": "N-PPO"}],
    )
    assert summary["cells"] == 4 == summary["cellsPassed"] + summary["cellsFailed"]
    assert summary["cellsPassed"] == sum(1 for c in cells.values() if c["passed"])
    assert (summary["passed"], summary["timeEvaluated"], summary["asOf"]) == (False, False, AS_OF)


async def test_a_gap_names_the_practitioner_who_closes_it(region: MemoryStore) -> None:
    answer = await audit(region)
    gaps = {(g["countyFips"], g["specialtyType"]): g for g in answer["gaps"]}
    assert set(gaps) == {k for k, c in _cells(answer).items() if not c["passed"]}
    gap = gaps[HARTFORD, OBGYN]
    hartford_zips = answer["cells"]["edges"][0]["node"]["points"]
    assert (gap["pointsWithoutAccess"], gap["minimumShortfall"], gap["cell"]) == (
        hartford_zips,
        1,
        {"passed": False},
    )
    # Each HMO OB/GYN reaches every Hartford point (75 mi, Rural): one pick closes access and the minimum.
    [target] = gap["targets"]
    assert target["npi"] in OBGYN_NPIS and target["reason"] == "access"
    assert (target["covers"], target["adds"], target["pctAfter"]) == (hartford_zips, hartford_zips, 100.0)
    assert target["provider"]["name"] == target["name"]
    assert (gap["closesAccessGap"], gap["closesMinimumGap"]) == (True, True)


async def test_member_points_are_never_used_over_the_api(region: MemoryStore) -> None:
    answer = await audit(region)
    assert answer["summary"]["pointsSource"] == "zip_centroids"
    assert API_POINTS_NOTICE in answer["notices"]
    assert any("NOT evaluated" in n for n in answer["notices"])
    async with api_client(region) as client:
        body = await gql(client, QUERY, variables(pointsPath="/tmp/members.csv"))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_paging_cells_returns_each_once_in_order(region: MemoryStore) -> None:
    seen: list[tuple[str, str]] = []
    after: str | None = None
    pages = 0
    while True:
        answer = await audit(region, first=25, after=after, specialtyTypes=None)
        connection = answer["cells"]
        assert connection["totalCount"] == 2 * len(answer["summary"]["specialtyTypes"]) == 58
        assert connection["pageInfo"]["hasPreviousPage"] is (pages > 0)
        seen += [(e["node"]["countyFips"], e["node"]["specialtyType"]) for e in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 58
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("input_", "typename", "expected"),
    [
        ({"planId": None, "networkId": "NOPE"}, "NetworkNotFound", {"networkId": "NOPE"}),
        ({"planId": "NOPE"}, "PlanNotFound", {"planId": "NOPE"}),
        ({"networkId": "N-PPO"}, "InvalidInput", {"field": "networkId"}),  # both
        ({"planId": None}, "InvalidInput", {"field": "networkId"}),  # neither
        ({"state": None}, "InvalidInput", {"field": "state"}),  # no area: the work is capped
        ({"state": "RI"}, "InvalidInput", {"field": "state"}),  # no county of RI loaded
        ({"state": "XX"}, "InvalidInput", {"field": "state"}),
        ({"state": None, "countyFips": ["9003"]}, "InvalidInput", {"field": "countyFips"}),
        ({"state": None, "countyFips": ["09001"]}, "InvalidInput", {"field": "countyFips"}),
        (
            {"state": None, "countyFips": [f"{i:05d}" for i in range(301)]},
            "InvalidInput",
            {"field": "countyFips"},
        ),
        ({"specialtyTypes": ["Cardiolgy"]}, "InvalidInput", {"field": "specialtyTypes"}),
        ({"detourFactor": 0.5}, "InvalidInput", {"field": "detourFactor"}),
        ({"detourFactor": 3.5}, "InvalidInput", {"field": "detourFactor"}),
    ],
)
async def test_expected_failures_are_union_members(
    region: MemoryStore, input_: dict[str, Any], typename: str, expected: dict[str, Any]
) -> None:
    answer = await audit(region, **input_)
    assert answer["__typename"] == typename, answer
    assert answer["message"]
    assert {k: answer[k] for k in expected} == expected


async def test_unknown_type_suggestions_and_bad_cursor(region: MemoryStore) -> None:
    answer = await audit(region, specialtyTypes=["Cardiolgy"])
    assert CARDIOLOGY in answer["suggestions"]
    answer = await audit(region, after="not-a-cursor")
    assert (answer["__typename"], answer["field"]) == ("InvalidInput", "after")


async def test_page_size_is_capped(region: MemoryStore) -> None:
    async with api_client(region, max_page_size=10) as client:
        body = await gql(client, QUERY, variables(first=11))
    assert body["errors"][0]["extensions"]["code"] == "PAGE_TOO_LARGE"


class StallingStore(MemoryStore):
    """Holds the audit's provider read until released; records whether the gap search ever ran."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.gap_search = False

    def adequacy_providers(
        self, network_ids: Sequence[str], as_of: str, box: BBox
    ) -> list[AdequacyProviderRow]:
        self.release.wait(timeout=60)
        return super().adequacy_providers(network_ids, as_of, box)

    def practitioner_points(self, box: BBox) -> list[PractitionerPointRow]:
        self.gap_search = True
        return super().practitioner_points(box)


async def test_a_timed_out_audit_answers_timeout_and_stops_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    store = build_adequacy_region(StallingStore())
    finished = threading.Event()
    outcome: list[BaseException | AdequacyReport] = []

    def watched(*args: Any) -> AdequacyReport:
        try:
            report = audit_adequacy(*args)
            outcome.append(report)
            return report
        except BaseException as exc:
            outcome.append(exc)
            raise
        finally:
            finished.set()

    monkeypatch.setattr(adequacy_result, "audit_adequacy", watched)
    async with api_client(store, request_timeout_s=0.2) as client:
        body = await gql(client, QUERY, variables())
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    store.release.set()
    assert finished.wait(timeout=60)
    assert isinstance(outcome[0], AuditAbandoned)
    assert not store.gap_search


def test_the_audit_runs_to_the_end_unless_abandoned(region: MemoryStore) -> None:
    request = AdequacyRequest(as_of=AS_OF, plan_id="PPO", county_fips=(HARTFORD,), specialty_types=(OBGYN,))
    event = threading.Event()
    assert isinstance(audit_outcome(region, request, event), AdequacyReport)
    event.set()
    with pytest.raises(AuditAbandoned):
        audit_outcome(region, request, event)
