"""Referral search (network.services.referrals) on both stores: the semantics of the GraphQL contract.

The region is built from records directly around Hartford, CT; every expected answer is written out, so
passing on both stores means both stores give the same answers. The last test also compares the two
stores page by page on a larger generated region.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from bench.cold_plans import plans_cached
from network.geo import haversine_miles
from network.model import Location, Network, Participation, Plan, Practitioner, Referral, Specialty
from network.services import (
    GeoQuery,
    InvalidRequest,
    PcpNotInNetwork,
    PlanNotFound,
    ProviderFilter,
    ProviderNotFound,
    ProviderPage,
    ReferralOptions,
    ReferralOrder,
    ReferralRequest,
    referral_options,
    search_providers,
)
from network.services.warmup import warm_referral_search
from network.store import GraphStore
from network.store.memory import MemoryStore
from network.store.neo4j import Neo4jStore

CENTER = (41.7658, -72.6734)  # Hartford, CT
AS_OF = "2026-06-01"
PCP, PCP_LAPSED = "1003000100", "1003000118"
S_NEAR, S_SPANISH, S_OBGYN, S_OTHER_NET = "1003000019", "1003000027", "1003000035", "1003000043"
S_TERMINATED, S_FUTURE, S_DERM, S_EDGE = "1003000050", "1003000068", "1003000076", "1003000084"
CARDIO, EP, OBGYN, DERM, FAMILY = "207RC0000X", "207RC0001X", "207V00000X", "207N00000X", "207Q00000X"

LOCATIONS = {
    "L-near": (41.78, -72.68),
    "L-near-far": (41.95, -72.68),
    "L-spanish": (41.85, -72.67),
    "L-obgyn": (41.70, -72.70),
    "L-other": (41.77, -72.67),
    "L-term": (41.76, -72.66),
    "L-future": (41.75, -72.68),
    "L-derm": (41.60, -72.70),
    "L-edge": (41.40, -72.6734),
    "L-pcp": (41.76, -72.67),
}


def miles(loc: str) -> float:
    return haversine_miles(*CENTER, *LOCATIONS[loc])


def _person(store: GraphStore, npi: str, code: str, locs: tuple[str, ...], **extra: object) -> None:
    store.upsert(
        [
            Practitioner(
                npi=npi,
                name=f"Dr {npi}",
                specialties=(code,),
                primary_specialty=code,
                location_ids=locs,
                **extra,  # type: ignore[arg-type]
            )
        ]
    )


def _role(store: GraphStore, npi: str, network: str, locs: tuple[str, ...], **part: object) -> None:
    fields: dict[str, object] = {"role": "specialist", "accepting_new_patients": True}
    fields.update(part)
    store.upsert(
        [Participation(id=f"P-{npi}-{network}", npi=npi, network_id=network, location_ids=locs, **fields)]  # type: ignore[arg-type]
    )


def seed(store: GraphStore) -> GraphStore:
    store.upsert(
        [
            Specialty(code=CARDIO, display="Cardiovascular Disease", cms_type="Cardiology"),
            Specialty(code=EP, display="Clinical Cardiac Electrophysiology", cms_type="Cardiology"),
            Specialty(code=OBGYN, display="Obstetrics & Gynecology", cms_type="Gynecology OB/GYN"),
            Specialty(code=DERM, display="Dermatology", cms_type="Dermatology"),
            Specialty(code=FAMILY, display="Family Medicine", pcp_eligible=True, cms_type="Primary Care"),
        ]
    )
    store.upsert([Location(id=k, lat=lat, lon=lon, state="CT") for k, (lat, lon) in LOCATIONS.items()])
    store.upsert([Network(id=n, name=n) for n in ("N-HMO", "N-PPO", "N-OTHER")])
    store.upsert(
        [
            Plan(id="HMO", name="Gold HMO", plan_type="hmo", referral_required=True, network_ids=("N-HMO",)),
            Plan(id="PPO", name="Gold PPO", plan_type="ppo", referral_required=False, network_ids=("N-PPO",)),
            Plan(id="OTHER", name="Other", plan_type="hmo", referral_required=True, network_ids=("N-OTHER",)),
        ]
    )
    _person(store, PCP, FAMILY, ("L-pcp",))
    _role(store, PCP, "N-HMO", ("L-pcp",), role="pcp", specialty_code=FAMILY)
    _role(store, PCP, "N-PPO", ("L-pcp",), role="pcp", specialty_code=FAMILY)
    _person(store, PCP_LAPSED, FAMILY, ("L-pcp",))
    _role(store, PCP_LAPSED, "N-HMO", ("L-pcp",), role="pcp", termination="2026-01-01")

    _person(store, S_NEAR, CARDIO, ("L-near", "L-near-far"))
    _role(store, S_NEAR, "N-HMO", ("L-near", "L-near-far"), specialty_code=CARDIO)
    _role(store, S_NEAR, "N-PPO", ("L-near-far",), specialty_code=CARDIO)
    _person(store, S_SPANISH, EP, ("L-spanish",), languages=("English", "Spanish"))
    _role(store, S_SPANISH, "N-HMO", ("L-spanish",), specialty_code=EP, accepting_new_patients=False)
    _person(store, S_OBGYN, OBGYN, ("L-obgyn",))
    _role(store, S_OBGYN, "N-HMO", ("L-obgyn",), specialty_code=OBGYN)
    _role(store, S_OBGYN, "N-PPO", ("L-obgyn",), specialty_code=OBGYN)
    _person(store, S_OTHER_NET, CARDIO, ("L-other",))
    _role(store, S_OTHER_NET, "N-OTHER", ("L-other",), specialty_code=CARDIO)
    _person(store, S_TERMINATED, CARDIO, ("L-term",))
    _role(store, S_TERMINATED, "N-HMO", ("L-term",), specialty_code=CARDIO, termination="2026-01-01")
    _person(store, S_FUTURE, CARDIO, ("L-future",))
    _role(store, S_FUTURE, "N-HMO", ("L-future",), specialty_code=CARDIO, effective="2027-01-01")
    _person(store, S_DERM, DERM, ("L-derm",))
    _role(store, S_DERM, "N-HMO", ("L-derm",))  # names no specialty: the practitioner's primary stands in
    _person(store, S_EDGE, CARDIO, ("L-edge",))
    _role(store, S_EDGE, "N-HMO", ("L-edge",), specialty_code=CARDIO)
    store.upsert_referrals(
        [
            Referral(from_npi=PCP, to_npi=S_SPANISH, pair_count=30, year=2023),
            Referral(from_npi=PCP, to_npi=S_SPANISH, pair_count=20, year=2024),
            Referral(from_npi=PCP, to_npi=S_OBGYN, pair_count=10, year=2024),
            Referral(from_npi=PCP, to_npi=S_DERM, pair_count=10, year=2024),
            Referral(from_npi=S_NEAR, to_npi=S_DERM, pair_count=99, year=2024),  # not from this PCP
        ]
    )
    return store


@pytest.fixture
def region(store: GraphStore) -> GraphStore:
    return seed(store)


def ask(store: GraphStore, first: int = 20, after: str | None = None, **kw: object) -> ReferralOptions:
    result = referral_options(store, request(**kw), first=first, after=after)
    assert isinstance(result, ReferralOptions), result
    return result


def request(**kw: object) -> ReferralRequest:
    base: dict[str, object] = {
        "pcp_npi": PCP,
        "plan_id": "HMO",
        "near": GeoQuery(lat=CENTER[0], lon=CENTER[1]),
        "as_of": AS_OF,
    }
    base.update(kw)
    return ReferralRequest(**base)  # type: ignore[arg-type]


def npis(result: ReferralOptions) -> list[str]:
    return [o.npi for o in result.options]


def test_distance_order_each_specialist_once_at_nearest_location(region: GraphStore) -> None:
    got = ask(region)
    assert npis(got) == [S_NEAR, S_OBGYN, S_SPANISH, S_DERM]
    assert got.total_count == 4
    near = got.options[0]
    assert (near.location_id, near.distance_miles) == ("L-near", miles("L-near"))
    assert [o.distance_miles for o in got.options] == sorted(o.distance_miles for o in got.options)
    assert got.options[3].specialty_code == DERM  # participation without a specialty: the primary one
    assert (got.pcp.npi, got.plan.id, got.has_next, got.has_previous) == (PCP, "HMO", False, False)


def test_prior_referrals_order(region: GraphStore) -> None:
    got = ask(region, order=ReferralOrder.PRIOR_REFERRALS)
    assert [(o.npi, o.prior_referrals) for o in got.options] == [
        (S_SPANISH, 50),
        (S_OBGYN, 10),  # ties on prior referrals: nearest first
        (S_DERM, 10),
        (S_NEAR, 0),
    ]


def test_pcp_not_in_the_plans_networks(region: GraphStore) -> None:
    got = referral_options(region, request(plan_id="OTHER"))
    assert isinstance(got, PcpNotInNetwork)
    assert (got.pcp.npi, got.plan.id, got.pcp_network_ids) == (PCP, "OTHER", ("N-HMO", "N-PPO"))


def test_pcp_participation_must_be_in_effect(region: GraphStore) -> None:
    lapsed = referral_options(region, request(pcp_npi=PCP_LAPSED))
    assert isinstance(lapsed, PcpNotInNetwork)
    assert lapsed.pcp_network_ids == ()
    assert npis(ask(region, pcp_npi=PCP_LAPSED, as_of="2025-12-31"))[:2] == [S_TERMINATED, S_NEAR]


def test_unknown_pcp_and_plan(region: GraphStore) -> None:
    assert referral_options(region, request(pcp_npi="1999999992")) == ProviderNotFound("1999999992")
    assert referral_options(region, request(plan_id="NOPE")) == PlanNotFound("NOPE")


def test_participation_dates(region: GraphStore) -> None:
    assert S_TERMINATED in npis(ask(region, as_of="2025-12-31"))
    assert S_TERMINATED not in npis(ask(region, as_of="2026-01-01"))  # termination is exclusive
    assert S_FUTURE not in npis(ask(region, as_of="2026-12-31"))
    assert S_FUTURE in npis(ask(region, as_of="2027-01-01"))  # effective is inclusive


def test_specialist_only_in_a_network_the_plan_does_not_use(region: GraphStore) -> None:
    assert S_OTHER_NET not in npis(ask(region, radius_miles=100.0))
    # The PPO plan sees S_NEAR only at the location its PPO participation covers.
    ppo = ask(region, plan_id="PPO")
    assert npis(ppo) == [S_OBGYN, S_NEAR]
    assert (ppo.options[1].location_id, ppo.options[1].network_id) == ("L-near-far", "N-PPO")


def test_radius_boundary_is_inclusive(region: GraphStore) -> None:
    edge = miles("L-edge")
    assert S_EDGE in npis(ask(region, radius_miles=edge))
    assert S_EDGE not in npis(ask(region, radius_miles=edge * 0.9999))


def test_specialty_by_code_and_by_cms_type_name(region: GraphStore) -> None:
    assert npis(ask(region, specialty=CARDIO)) == [S_NEAR]
    assert npis(ask(region, specialty="cardiology")) == [S_NEAR, S_SPANISH]  # CMS type: every cardio code
    assert npis(ask(region, specialty="Gynecology OB/GYN")) == [S_OBGYN]


def test_unknown_specialty_is_invalid_input_with_suggestions(region: GraphStore) -> None:
    got = referral_options(region, request(specialty="Cardiolgy"))
    assert isinstance(got, InvalidRequest)
    assert got.field == "specialty"
    assert "Cardiology" in got.suggestions


def test_accepting_and_language_filters(region: GraphStore) -> None:
    assert npis(ask(region, accepting_new_patients=False)) == [S_SPANISH]
    assert S_SPANISH not in npis(ask(region, accepting_new_patients=True))
    assert npis(ask(region, language="SPANISH")) == [S_SPANISH]


def test_referral_required_by_plan_and_obgyn_direct_access(region: GraphStore) -> None:
    hmo = {o.npi: o.referral_required for o in ask(region).options}
    assert hmo == {S_NEAR: True, S_OBGYN: False, S_SPANISH: True, S_DERM: True}
    ppo = {o.npi: o.referral_required for o in ask(region, plan_id="PPO").options}
    assert ppo == {S_OBGYN: False, S_NEAR: False}


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"radius_miles": 0.0}, "radiusMiles"),
        ({"radius_miles": 200.5}, "radiusMiles"),
        ({"near": GeoQuery(lat=91.0, lon=-72.0)}, "near.lat"),
        ({"near": GeoQuery(lat=41.0)}, "near"),
        ({"near": GeoQuery(zip="00000")}, "near.zip"),
        ({"near": GeoQuery(lat=41.0, lon=-72.0, zip="06103")}, "near"),
        ({"pcp_npi": "12345"}, "pcpNpi"),
        ({"as_of": "June 1"}, "asOf"),
    ],
)
def test_invalid_input(region: GraphStore, kw: dict[str, object], field: str) -> None:
    got = referral_options(region, request(**kw))
    assert isinstance(got, InvalidRequest)
    assert got.field == field


def test_zip_centroid_as_the_point(region: GraphStore) -> None:
    assert npis(ask(region, near=GeoQuery(zip="06103")))[:1] == [S_NEAR]  # downtown Hartford


@pytest.mark.parametrize("order", list(ReferralOrder))
def test_paging_returns_each_specialist_once(region: GraphStore, order: ReferralOrder) -> None:
    everything = npis(ask(region, radius_miles=30.0, order=order))
    seen: list[str] = []
    after: str | None = None
    while True:
        page = ask(region, first=1, after=after, radius_miles=30.0, order=order)
        assert page.total_count == len(everything)
        seen += npis(page)
        if not page.has_next:
            break
        after = page.options[-1].cursor
    assert seen == everything
    assert len(everything) == 5  # S_EDGE joins at 30 miles


def test_cursor_of_another_order_is_rejected(region: GraphStore) -> None:
    cursor = ask(region, first=1).options[0].cursor
    got = referral_options(region, request(order=ReferralOrder.PRIOR_REFERRALS), first=1, after=cursor)
    assert isinstance(got, InvalidRequest)
    assert got.field == "after"
    assert isinstance(referral_options(region, request(), after="not a cursor"), InvalidRequest)


def _random_region(store: GraphStore, seed_value: int) -> None:
    rnd = random.Random(seed_value)
    seed(store)
    codes = [CARDIO, EP, OBGYN, DERM]
    for i in range(80):
        npi = f"19{i:08d}"
        # Coarse coordinates so several specialists tie on distance and the NPI decides.
        loc = Location(
            id=f"R-{i % 40}",
            lat=round(41.5 + rnd.random() * 0.5, 2),
            lon=round(-72.9 + rnd.random() * 0.5, 2),
        )
        store.upsert([loc])
        code = rnd.choice(codes)
        _person(store, npi, code, (loc.id,), languages=rnd.choice([("English",), ("English", "Spanish")]))
        _role(store, npi, rnd.choice(["N-HMO", "N-PPO"]), (loc.id,), specialty_code=code)
        if rnd.random() < 0.3:
            store.upsert_referrals([Referral(from_npi=PCP, to_npi=npi, pair_count=rnd.randint(1, 5))])


@pytest.mark.neo4j
def test_same_answers_on_both_stores(neo4j_store: GraphStore) -> None:
    memory = MemoryStore()
    for s in (memory, neo4j_store):
        _random_region(s, 7)
    assert memory.checksum() == neo4j_store.checksum()
    for kw in (
        {},
        {"order": ReferralOrder.PRIOR_REFERRALS},
        {"specialty": "Cardiology", "radius_miles": 40.0},
        {"language": "spanish", "plan_id": "PPO"},
        {"near": GeoQuery(zip="06450"), "radius_miles": 15.0},
    ):
        pages: dict[str, list[tuple[str, str, float, int, str]]] = {}
        for name, s in (("memory", memory), ("neo4j", neo4j_store)):
            after, rows = None, []
            while True:
                page = ask(s, first=7, after=after, **kw)
                rows += [
                    (o.npi, o.location_id, o.distance_miles, o.prior_referrals, o.cursor)
                    for o in page.options
                ]
                if not page.has_next:
                    break
                after = page.options[-1].cursor
            pages[name] = rows
        assert pages["memory"] == pages["neo4j"]
        assert len({r[0] for r in pages["memory"]}) == len(pages["memory"])


@pytest.mark.neo4j
def test_a_specialtys_searches_share_one_plan(neo4j_store: Neo4jStore) -> None:
    """Neo4j caches a plan by text and by the parameters' types and sizes: with flat parameters each of
    these searches planned the statement again (0.5-2 s each; BENCHMARKS.md, optimisation 32). Fewer than
    ten runs, so Neo4j's second entry for a hot statement (compiled expressions) does not come in."""
    seed(neo4j_store)
    plans_cached(neo4j_store)
    first = ask(neo4j_store, first=1, specialty="Cardiology")
    for got in (
        first,
        ask(neo4j_store, first=1, specialty="Cardiology", after=first.options[0].cursor),
        ask(neo4j_store, specialty="Cardiology", language="spanish"),
        ask(neo4j_store, specialty="Cardiology", accepting_new_patients=True),
        ask(neo4j_store, specialty="Cardiology", plan_id="PPO"),
        ask(neo4j_store, specialty="Cardiology", order=ReferralOrder.PRIOR_REFERRALS),
    ):
        assert got.options
    page = referral_options(neo4j_store, request(specialty="Cardiology"), count_total=False)
    assert isinstance(page, ReferralOptions)  # ranked in windows, with a read budget
    assert plans_cached(neo4j_store) == 1


@pytest.mark.neo4j
def test_warming_plans_the_statements_members_search_with(neo4j_store: Neo4jStore) -> None:
    seed(neo4j_store)
    sent: list[str] = []
    run = neo4j_store._run

    def spy(statement: Any, params: Any = None, **kw: Any) -> Any:
        sent.append(statement)
        return run(statement, params, **kw)

    neo4j_store._run = spy  # type: ignore[method-assign]
    plans_cached(neo4j_store)
    warmed = warm_referral_search(neo4j_store, ["Cardiology", None, "207V00000X"])
    assert warmed.searches == 3
    assert plans_cached(neo4j_store) == 3  # each term a statement of its own, each planned
    warmed_texts, sent[:] = list(sent), []
    ask(neo4j_store, specialty="Cardiology")
    ask(neo4j_store)
    ask(neo4j_store, specialty="207v00000x")
    assert sent == warmed_texts


def test_reads_prepared_ahead_answer_as_usual_and_see_later_writes(region: GraphStore) -> None:
    region.prepare_reads()  # before any read: what the first search would build is built here
    assert npis(ask(region)) == [S_NEAR, S_OBGYN, S_SPANISH, S_DERM]
    assert _nearby(region, LOCATIONS["L-near"]) == [S_NEAR]
    # A write after preparing: what was built ahead must not hide it.
    region.upsert([Location(id="L-new", lat=CENTER[0], lon=CENTER[1], state="CT")])
    _person(region, "1003000092", CARDIO, ("L-new",))
    _role(region, "1003000092", "N-HMO", ("L-new",), specialty_code=CARDIO)
    region.prepare_reads()
    assert npis(ask(region)) == ["1003000092", S_NEAR, S_OBGYN, S_SPANISH, S_DERM]
    assert "1003000092" in _nearby(region, CENTER)


def _nearby(store: GraphStore, at: tuple[float, float]) -> list[str]:
    """The directory's practitioners within half a mile of ``at`` (a radius read: on the embedded store,
    its k-d tree of locations)."""
    page = search_providers(store, ProviderFilter(near=GeoQuery(lat=at[0], lon=at[1]), radius_miles=0.5))
    assert isinstance(page, ProviderPage), page
    return [result.hit.npi for result in page.results]
