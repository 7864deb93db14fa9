"""``referralOptions`` counts the radius only when the document asks for ``totalCount``."""

from __future__ import annotations

from typing import Any

import pytest
from support.api_region import REFERRAL_QUERY, api_client, build_region, gql, referral_variables

from network.store.memory import MemoryStore
from network.store.rows import ReferralAsk, ReferralFound

UNCOUNTED = REFERRAL_QUERY.replace("      totalCount\n", "")

BY_FRAGMENT = """
fragment Sized on ReferralOptions { size: totalCount }
query($input: ReferralSearchInput!) {
  referralOptions(input: $input, first: 2) { ... on ReferralOptions { ...Sized edges { cursor } } }
}
"""

# Directives are not read: a field that may be skipped is counted for (the work is only wasted).
SKIPPABLE = """
query($input: ReferralSearchInput!, $with: Boolean!) {
  referralOptions(input: $input, first: 2) {
    ... on ReferralOptions { totalCount @include(if: $with) edges { cursor } }
  }
}
"""


class AskingStore(MemoryStore):
    """Remembers whether each referral search was asked to count."""

    def __init__(self) -> None:
        super().__init__()
        self.counted: list[bool] = []

    def referral_search(self, ask: ReferralAsk) -> ReferralFound:
        self.counted.append(ask.query.count)
        return super().referral_search(ask)


@pytest.fixture
def store() -> AskingStore:
    # Specialists every ~0.7 mile north-east of the member: the first mile holds a page of 2.
    return build_region(AskingStore(), specialists=40)


async def _pages(client: Any, query: str, first: int) -> list[dict[str, Any]]:
    pages, after = [], None
    while True:
        body = await gql(client, query, referral_variables(first=first, after=after, radiusMiles=50))
        page = body["data"]["referralOptions"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_a_page_without_total_count_is_not_counted_and_pages_alike(store: AskingStore) -> None:
    async with api_client(store) as client:
        counted = await _pages(client, REFERRAL_QUERY, first=2)
        asked, store.counted = store.counted, []
        uncounted = await _pages(client, UNCOUNTED, first=2)
    assert asked == [True] * len(counted) and store.counted == [False] * len(uncounted)
    # 32 of the 40 are in the HMO network (every fifth is in the PPO's).
    assert len(counted) == 16 and {p["totalCount"] for p in counted} == {32}
    assert [{k: v for k, v in p.items() if k != "totalCount"} for p in counted] == uncounted


@pytest.mark.parametrize(
    ("query", "variables", "total"),
    [
        (BY_FRAGMENT, {}, "size"),
        (SKIPPABLE, {"with": True}, "totalCount"),
        (SKIPPABLE, {"with": False}, None),
    ],
    ids=["fragment-alias", "include-true", "include-false"],
)
async def test_total_count_named_anywhere_is_counted(
    store: AskingStore, query: str, variables: dict[str, Any], total: str | None
) -> None:
    async with api_client(store) as client:
        body = await gql(client, query, {**referral_variables(radiusMiles=50), **variables})
    page = body["data"]["referralOptions"]
    assert store.counted == [True] and len(page["edges"]) == 2
    assert (page[total] if total else None) == (32 if total else None)
