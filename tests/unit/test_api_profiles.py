"""A provider lookup with nested fields reads the practitioner's profile in one store round trip."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type
from strawberry.utils.str_converters import to_camel_case
from support.adequacy_region import build_adequacy_region
from support.api_region import AS_OF, PCP, CountingStore, api_client, build_region, gql, referral_variables

from network.model import Location, Participation, Practitioner
from schema.build import build_schema
from schema.types import provider as provider_type
from schema.types.provider import PROFILE_FIELDS, ProviderType

LOOKUP = """
query($npi: String!) {
  provider(npi: $npi) {
    npi name
    primarySpecialty { code display }
    specialties { code display pcpEligible }
    locations { id city zip }
    networks(asOf: "2026-06-01") { id name }
    participations(anyDate: true) {
      id role acceptingNewPatients
      network { id name }
      specialty { code display }
      locations { id city }
    }
  }
}
"""
ODD = "1900000999"  # names a location, a network and a specialty the store does not have


def _region() -> CountingStore:
    store = build_region(CountingStore())
    store.upsert([Location(id="L-odd", city="Bristol", state="CT", lat=41.67, lon=-72.95)])
    store.upsert(
        [
            Practitioner(
                npi=ODD,
                name="Olive Odd",
                primary_specialty="207RC0000X",  # stored, and not among its listed specialties
                specialties=("208D00000X",),  # General Practice: not stored
                location_ids=("L-odd", "L-gone"),
            )
        ]
    )
    store.upsert(
        [
            Participation(id="P-odd-1", npi=ODD, network_id="N-HMO", role="pcp", location_ids=("L-pcp",)),
            Participation(
                id="P-odd-2", npi=ODD, network_id="N-gone", role="specialist", specialty_code="2084P0800X"
            ),
        ]
    )
    store.calls.clear()
    return store


async def _lookup(store: CountingStore, npi: str, query: str = LOOKUP) -> tuple[Any, Counter[str]]:
    store.calls.clear()
    async with api_client(store) as client:
        body = await gql(client, query, {"npi": npi})
    assert "errors" not in body, body
    return body["data"]["provider"], Counter(store.calls)


def _no_look_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolvers read no profiles: every nested field reads level by level, as before profiles."""
    monkeypatch.setattr(provider_type, "PROFILE_FIELDS", ())
    monkeypatch.setattr(provider_type, "THROUGH_PARTICIPATIONS", ())


@pytest.mark.parametrize("npi", [PCP, "1900000003", ODD])
async def test_a_lookup_with_nested_fields_is_one_round_trip(npi: str) -> None:
    got, calls = await _lookup(_region(), npi)
    assert got["npi"] == npi
    assert calls == Counter({"practitioner_profiles": 1})


@pytest.mark.parametrize("npi", [PCP, "1900000003", ODD])
async def test_the_profile_answers_as_the_loaders_would(npi: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _region()
    primed, _ = await _lookup(store, npi)

    _no_look_ahead(monkeypatch)
    plain, calls = await _lookup(store, npi)
    assert primed == plain
    assert sum(calls.values()) >= 3  # level by level: the practitioner, then its links, then theirs


async def test_what_a_profile_names_and_the_store_lacks() -> None:
    got, _ = await _lookup(_region(), ODD)
    assert [loc["id"] for loc in got["locations"]] == ["L-odd"]  # "L-gone" is not there
    # A code the store lacks comes from pnet's reference data: General Practice is PCP-eligible.
    assert got["specialties"] == [{"code": "208D00000X", "display": "208D00000X", "pcpEligible": True}]
    # The primary specialty is read too when it is not among the listed ones.
    assert got["primarySpecialty"] == {"code": "207RC0000X", "display": "Cardiovascular Disease"}
    roles = {r["id"]: r for r in got["participations"]}
    assert roles["P-odd-2"]["network"] is None
    assert roles["P-odd-2"]["specialty"]["code"] == "2084P0800X"  # from pnet's reference data
    assert roles["P-odd-1"]["locations"] == [{"id": "L-pcp", "city": "Hartford"}]


async def test_an_unknown_npi_is_null_in_one_round_trip() -> None:
    got, calls = await _lookup(_region(), "1999999992")
    assert got is None
    assert calls == Counter({"practitioner_profiles": 1})


async def test_scalars_only_read_the_practitioner_alone() -> None:
    got, calls = await _lookup(_region(), PCP, "query($npi: String!) { provider(npi: $npi) { npi name } }")
    assert got == {"npi": PCP, "name": "Paula Primary"}
    assert calls == Counter({"get_many": 1})


async def test_nested_fields_behind_a_fragment_count_too() -> None:
    query = """
    query($npi: String!) { provider(npi: $npi) { npi ...Places } }
    fragment Places on Provider { locations { id } }
    """
    got, calls = await _lookup(_region(), PCP, query)
    assert got == {"npi": PCP, "locations": [{"id": "L-pcp"}]}
    assert calls == Counter({"practitioner_profiles": 1})


SEARCH = """
query {
  providers(filter: {name: "sam special", planId: "HMO", asOf: "2026-06-01"}, first: 100) {
    ... on ProviderConnection { edges { location { id } node { npi ...Entry } } }
  }
}
fragment Entry on Provider {
  locations { id } networks(asOf: "2026-06-01") { id }
  participations { id network { name } specialty { code } }
}
"""
BARE_SEARCH = SEARCH.split("fragment")[0].replace(" ...Entry", "")


async def test_a_search_page_reads_its_entries_in_one_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    store = _region()
    async with api_client(store) as client:
        store.calls.clear()
        primed = await gql(client, SEARCH)
        calls = Counter(store.calls)
        _no_look_ahead(monkeypatch)
        plain = await gql(client, SEARCH)
    assert "errors" not in primed, primed
    assert len(primed["data"]["providers"]["edges"]) == 9
    assert primed == plain
    # The search (the plan, then the names), then the page's profiles: nothing level by level.
    assert calls == Counter({"get_many": 1, "_provider_rows": 1, "practitioner_profiles": 1})


async def test_a_search_page_without_nested_fields_reads_no_profiles() -> None:
    store = _region()
    async with api_client(store) as client:
        store.calls.clear()
        body = await gql(client, BARE_SEARCH)
    assert "errors" not in body, body
    assert len(body["data"]["providers"]["edges"]) == 9
    # The search (the plan, then the names), then the nodes in one batch.
    assert store.calls == Counter({"get_many": 2, "_provider_rows": 1})


async def test_lookups_side_by_side_share_one_round_trip() -> None:
    document = f"""{{
      a: provider(npi: "{PCP}") {{ locations {{ id }} }}
      b: provider(npi: "1900000003") {{ participations {{ network {{ id }} }} }}
      c: provider(npi: "{PCP}") {{ name specialties {{ code }} }}
    }}"""
    store = _region()
    async with api_client(store) as client:
        store.calls.clear()
        body = await gql(client, document)
    assert "errors" not in body, body
    assert body["data"]["a"] == {"locations": [{"id": "L-pcp"}]}
    assert body["data"]["b"] == {"participations": [{"network": {"id": "N-HMO"}}]}
    assert body["data"]["c"]["name"] == "Paula Primary"
    assert store.calls == Counter({"practitioner_profiles": 1})


def test_every_field_a_profile_answers_is_looked_ahead_for() -> None:
    """A new loader-backed field on Provider must join PROFILE_FIELDS, or a lookup reads level by level."""
    resolved = {
        f.graphql_name or to_camel_case(f.python_name)
        for f in ProviderType.__strawberry_definition__.fields
        if f.base_resolver is not None
    }
    assert resolved - {"topReferralTargets"} == set(PROFILE_FIELDS)
    assert set(provider_type.THROUGH_PARTICIPATIONS) < set(PROFILE_FIELDS)


# Every field that returns Providers, and where their profiles are read (tests above cover each).
LOOK_AHEAD_SITES = {
    "Query.provider": "the resolver itself",
    "ProviderSearchEdge.node": "Query.providers, under edges.node",
    "ReferralOptions.pcp": "Query.referralOptions (_read_profiles)",
    "ReferralOption.specialist": "Query.referralOptions (_read_profiles), under edges.node",
    "PcpNotInNetwork.pcp": "Query.referralOptions (_read_profiles)",
    "ReferralTarget.provider": "Provider.topReferralTargets",
    "RecruitmentTarget.provider": "the resolver itself",
}


def test_every_field_returning_providers_has_a_look_ahead_site() -> None:
    """A new field returning Providers reads their nested fields level by level unless the resolver that
    produces them reads their profiles (asks_profile): add it there, then here."""
    schema = build_schema()._schema
    returning = {
        f"{name}.{field}"
        for name, gql_type in schema.type_map.items()
        if isinstance(gql_type, GraphQLObjectType)
        for field, definition in gql_type.fields.items()
        if get_named_type(definition.type).name == "Provider"
    }
    assert returning == set(LOOK_AHEAD_SITES)


REFERRALS = """
query($input: ReferralSearchInput!) {
  referralOptions(input: $input, first: 20) {
    ... on ReferralOptions {
      pcp { networks { id } }
      edges { node { specialist {
        npi primarySpecialty { code } locations { id city }
        participations { id network { name } specialty { code } }
      } } }
    }
  }
}
"""


async def _both_ways(
    store: CountingStore, query: str, variables: dict[str, Any] | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Counter[str], Any, Counter[str]]:
    """The answer and store calls with the look-ahead, then without it (level by level)."""
    async with api_client(store) as client:
        store.calls.clear()
        primed = await gql(client, query, variables)
        primed_calls = Counter(store.calls)
        _no_look_ahead(monkeypatch)
        store.calls.clear()
        plain = await gql(client, query, variables)
    assert "errors" not in primed, primed
    return primed, primed_calls, plain, Counter(store.calls)


async def test_a_referral_page_reads_its_specialists_profiles_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _region()
    primed, calls, plain, plain_calls = await _both_ways(store, REFERRALS, referral_variables(), monkeypatch)
    assert primed == plain
    edges = primed["data"]["referralOptions"]["edges"]
    assert len(edges) == 9  # the HMO network's specialists
    assert all(e["node"]["specialist"]["participations"] for e in edges)
    # The search, then the PCP's and the specialists' profiles together: nothing level by level.
    assert calls == Counter({"referral_search": 1, "practitioner_profiles": 1})
    assert sum(plain_calls.values()) >= 5  # the specialties, locations, participations, networks...


async def test_a_referral_page_without_nested_specialist_fields_reads_no_profiles() -> None:
    store = _region()
    query = REFERRALS.split("pcp {")[0] + "pcp { name } edges { node { specialist { npi name } } } } } }"
    async with api_client(store) as client:
        store.calls.clear()
        body = await gql(client, query, referral_variables())
    assert "errors" not in body, body
    assert len(body["data"]["referralOptions"]["edges"]) == 9
    assert store.calls == Counter({"referral_search": 1})


async def test_a_referral_page_reads_its_specialists_links_one_read_away_on_their_own() -> None:
    """The search read the specialists' entries: their locations and specialties are one read each (side by
    side, at one level), cheaper than whole profiles."""
    store = _region()
    specialist = "specialist { npi primarySpecialty { code } locations { id } }"
    query = (
        REFERRALS.split("pcp {")[0]
        + f"pcp {{ locations {{ id }} }} edges {{ node {{ {specialist} }} }} }} }} }}"
    )
    async with api_client(store) as client:
        store.calls.clear()
        body = await gql(client, query, referral_variables())
    assert "errors" not in body, body
    assert body["data"]["referralOptions"]["pcp"] == {"locations": [{"id": "L-pcp"}]}
    # The PCP's locations, then (a level deeper) the specialists' specialties and locations.
    assert store.calls == Counter({"referral_search": 1, "get_many": 3})


async def test_top_referral_targets_read_their_providers_profiles_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _region()
    query = """
    query($npi: String!) { provider(npi: $npi) { npi topReferralTargets(first: 3) {
      pairCount provider { npi locations { id } networks(asOf: "2026-06-01") { id } }
    } } }
    """
    primed, calls, plain, plain_calls = await _both_ways(store, query, {"npi": PCP}, monkeypatch)
    assert primed == plain
    targets = primed["data"]["provider"]["topReferralTargets"]
    assert [t["pairCount"] for t in targets] == [99, 96, 93]  # build_region's
    assert all(t["provider"]["locations"] and t["provider"]["networks"] for t in targets)
    # The PCP, its targets, then the targets' profiles (their practitioners among them).
    assert calls == Counter({"get_many": 1, "top_referral_targets": 1, "practitioner_profiles": 1})
    assert sum(plain_calls.values()) > sum(calls.values())


async def test_an_audits_recruitment_targets_read_their_profiles_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = build_adequacy_region(CountingStore())
    query = """
    query($input: NetworkAdequacyInput!) { networkAdequacy(input: $input) { ... on NetworkAdequacy {
      gaps { targets { npi provider { name specialties { code } locations { id } } } }
    } } }
    """
    variables = {
        "input": {"planId": "PPO", "state": "CT", "specialtyTypes": ["Gynecology OB/GYN"], "asOf": AS_OF}
    }
    primed, calls, plain, plain_calls = await _both_ways(store, query, variables, monkeypatch)
    assert primed == plain
    targets = [t for gap in primed["data"]["networkAdequacy"]["gaps"] for t in gap["targets"]]
    assert targets
    assert all(t["provider"]["locations"] and t["provider"]["specialties"] for t in targets)
    # The audit's own reads are the same either way; its target's practitioner, specialties and locations
    # (three reads, two levels) are one profile.
    assert calls - plain_calls == Counter({"practitioner_profiles": 1})
    assert plain_calls - calls == Counter({"get_many": 3})


async def test_a_pcp_outside_the_plans_networks_reads_its_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    query = """
    query($input: ReferralSearchInput!) { referralOptions(input: $input) { ... on PcpNotInNetwork {
      pcp { npi locations { id } networks(asOf: "2026-06-01") { id } }
    } } }
    """
    variables = referral_variables(pcpNpi=ODD, planId="PPO")
    primed, calls, plain, plain_calls = await _both_ways(_region(), query, variables, monkeypatch)
    assert primed == plain
    assert primed["data"]["referralOptions"]["pcp"] == {
        "npi": ODD,
        "locations": [{"id": "L-odd"}],
        "networks": [{"id": "N-HMO"}],
    }
    # The service's own reads either way; the PCP's locations and networks are one profile.
    assert calls - plain_calls == Counter({"practitioner_profiles": 1})
    assert sum((plain_calls - calls).values()) >= 2


class _GoneTarget(CountingStore):
    """Names a referral target whose practitioner is gone (removed after the referral data named it)."""

    def top_referral_targets(self, npis: Any, limit: int) -> dict[str, list[tuple[str, int]]]:
        found = super().top_referral_targets(npis, limit)
        return {npi: [("1999999992", 500), *targets] for npi, targets in found.items()}


async def test_a_referral_target_that_is_gone_is_left_out_with_profiles_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = """
    query($npi: String!) { provider(npi: $npi) { topReferralTargets(first: 2) {
      pairCount provider { npi locations { id } }
    } } }
    """
    primed, calls, plain, _ = await _both_ways(build_region(_GoneTarget()), query, {"npi": PCP}, monkeypatch)
    assert primed == plain
    assert primed["data"]["provider"]["topReferralTargets"] == [
        {"pairCount": 99, "provider": {"npi": "1900000001", "locations": [{"id": "L-1"}]}},
        {"pairCount": 96, "provider": {"npi": "1900000004", "locations": [{"id": "L-4"}]}},
    ]
    assert calls == Counter({"get_many": 1, "top_referral_targets": 1, "practitioner_profiles": 1})
