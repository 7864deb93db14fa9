"""Nested fields go through per-request DataLoaders: store round trips do not grow with the page."""

from __future__ import annotations

from collections import Counter

from support.api_region import PCP, CountingStore, api_client, build_region, gql, referral_variables

EVERYTHING = """
query Everything($input: ReferralSearchInput!, $first: Int) {
  referralOptions(input: $input, first: $first) {
    ... on ReferralOptions {
      totalCount
      pcp { name networks { id } }
      plan { name networks { name memberCounts { practitioners } } }
      edges {
        node {
          distanceMiles priorReferrals referralRequired
          specialist {
            npi name languages
            primarySpecialty { code display }
            specialties { code cmsType }
            locations { id city zip }
            networks { id name }
            participations { id role network { id } specialty { code } locations { id } }
            topReferralTargets(first: 3) { pairCount provider { npi name } }
          }
          location { id lat lon }
          specialty { code display }
          network { id name memberCounts { specialists } }
        }
      }
    }
  }
}
"""


async def _calls(store: CountingStore, first: int) -> tuple[Counter[str], int]:
    store.calls.clear()
    async with api_client(store) as client:
        body = await gql(client, EVERYTHING, referral_variables(first=first, radiusMiles=100))
    assert "errors" not in body, body
    return Counter(store.calls), len(body["data"]["referralOptions"]["edges"])


async def test_store_calls_do_not_grow_with_the_page_size() -> None:
    store = CountingStore()
    build_region(store, specialists=60)
    small, small_n = await _calls(store, 2)
    large, large_n = await _calls(store, 48)
    assert (small_n, large_n) == (2, 48)
    assert large == small
    # The search, then the profiles of the PCP and the page's specialists (everything their nested fields
    # show; the plan's networks are among the PCP's), the network counts, and the specialists' referral
    # targets (build_region's specialists refer to no one, so no targets' practitioners to read).
    assert large == Counter(
        {"referral_search": 1, "practitioner_profiles": 1, "network_counts": 1, "top_referral_targets": 1}
    )


async def test_loaders_cache_within_a_request_only() -> None:
    store = CountingStore()
    build_region(store)
    query = f'{{ a: provider(npi: "{PCP}") {{ name }} b: provider(npi: "{PCP}") {{ npi }} }}'
    async with api_client(store) as client:
        store.calls.clear()
        await gql(client, query)
        assert store.calls["get_many"] == 1  # both aliases share one batched load
        await gql(client, query)
        assert store.calls["get_many"] == 2  # a new request reads the store again
