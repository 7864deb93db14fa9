"""The store contract, part 4: a search that needs no exact total ranks within a mile first.

A cluster of specialists a few hundred yards from the member and a second one ten miles out: the first
page of a 25-mile search by distance is settled by the first mile, so the store is asked for that mile
alone and the page carries no total; every page still equals the counted search's, and the last one
(which nothing lies past) counts.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from network.geo import haversine_miles
from network.model import Location, Network, Participation, Practitioner, Specialty
from network.store import GeoPoint, GraphStore, RankQuery, ranking
from network.store.neo4j import Neo4jStore
from network.store.ranking import WINDOW_GROWTH, WINDOW_START_MILES, windows
from network.store.rows import RankRows

CENTER = GeoPoint(41.7658, -72.6734)  # Hartford, CT
CENTER_AT = (CENTER.lat, CENTER.lon)
CODES = ("207RC0000X", "207N00000X")
NEAR, FAR = 12, 8


def _clusters(store: GraphStore) -> None:
    store.upsert([Specialty(code=c, display=c) for c in CODES])
    store.upsert([Network(id="N1", name="N1")])
    # ~0.07 mi apart near the centre (all within half a mile); ~10 mi north for the far ones.
    places = {f"LN{i:02d}": (CENTER.lat + 0.001 * i, CENTER.lon) for i in range(NEAR)}
    places |= {f"LF{i:02d}": (CENTER.lat + 0.145 + 0.001 * i, CENTER.lon) for i in range(FAR)}
    store.upsert([Location(id=k, lat=lat, lon=lon) for k, (lat, lon) in places.items()])
    doctors = [(f"19{i:08d}", loc) for i, loc in enumerate(sorted(places))]
    store.upsert(
        [
            Practitioner(npi=n, name=f"Dr {n}", specialties=(CODES[0],), location_ids=(loc,))
            for n, loc in doctors
        ]
    )
    store.upsert(
        [
            Participation(
                id=f"P-{n}",
                npi=n,
                network_id="N1",
                role="specialist",
                specialty_code=CODES[0],
                location_ids=(loc,),
            )
            for n, loc in doctors
        ]
    )


def _asked(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The windows the store is asked to rank within, in order, from now on."""
    asked: list[float] = []
    rank = type(store)._rank_rows

    def spy(self: GraphStore, query: RankQuery, window_miles: float, budget: int | None = None) -> RankRows:
        asked.append(window_miles)
        return rank(self, query, window_miles, budget)

    monkeypatch.setattr(type(store), "_rank_rows", spy)
    return asked


def _pages(store: GraphStore, query: RankQuery) -> list[tuple[list[str], int | None, bool, bool]]:
    out: list[tuple[list[str], int | None, bool, bool]] = []
    after = None
    while True:
        page = store.rank_specialists(replace(query, after=after))
        out.append(([s.npi for s in page.items], page.total, page.has_next, page.has_previous))
        if not page.has_next:
            return out
        last = page.items[-1]
        after = (last.prior_referrals, last.distance_miles, last.npi)


QUERY = RankQuery(network_ids=("N1",), as_of="2026-06-01", center=CENTER, radius_miles=25.0, limit=5)


def test_the_first_mile_settles_a_page_that_needs_no_total(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clusters(store)
    counted = _pages(store, QUERY)
    assert [len(p[0]) for p in counted] == [5, 5, 5, 5] and {p[1] for p in counted} == {NEAR + FAR}
    asked = _asked(store, monkeypatch)
    quick = _pages(store, replace(QUERY, count=False))
    # The same specialists, flags and order; the totals only where a page reached the radius.
    assert [(p[0], p[2], p[3]) for p in quick] == [(p[0], p[2], p[3]) for p in counted]
    assert [p[1] for p in quick] == [None, None, None, NEAR + FAR]
    # Pages 1 and 2 (near ones 1-10, the 6th after each cursor inside the mile): a window each. Page 3
    # starts at twice its cursor (1.2 mi) and needs 6 after it, of which 2 are near: 1.2 and 5 miles
    # hold no more, 20 hold the far ones and settle it. Page 4 starts at twice its cursor (20.3 mi),
    # finds only 5 after it and goes on to the radius, which counts.
    assert asked[:2] == [1.0, 1.0] and len(asked) == 7 and asked[-1] == QUERY.radius_miles, asked
    assert asked[2:5] == [asked[2], asked[2] * WINDOW_GROWTH, asked[2] * WINDOW_GROWTH**2]


def test_a_total_a_ranking_by_referrals_or_a_small_radius_reads_the_radius_at_once() -> None:
    assert windows(QUERY) == [25.0]
    assert windows(replace(QUERY, count=False, by_prior=True)) == [25.0]
    assert windows(replace(QUERY, count=False, radius_miles=0.5)) == [0.5]
    start, grow = WINDOW_START_MILES, WINDOW_GROWTH
    assert windows(replace(QUERY, count=False)) == [start, start * grow, start * grow**2, 25.0]
    # A window never starts inside the cursor (it could not settle the page): at twice the cursor.
    assert windows(replace(QUERY, count=False, after=(0, 3.0, "1900000000"))) == [6.0, 24.0, 25.0]


@pytest.mark.neo4j
def test_a_named_specialty_ranked_by_its_own_participations_covers_the_radius_at_once(
    neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The specialty's way in reads the same participations whatever the window, so the statement ranks
    within the whole radius and says so: one statement, and the page counts."""
    _clusters(neo4j_store)
    asked = _asked(neo4j_store, monkeypatch)
    named = replace(QUERY, count=False, specialty_codes=frozenset(CODES[:1]), limit=15)
    page = neo4j_store.rank_specialists(named)
    assert (asked, page.total, len(page.items), page.has_next) == ([1.0], NEAR + FAR, 15, True)


@pytest.mark.neo4j
def test_neo4j_reads_the_nearest_locations_up_to_its_budget(
    neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One participation per location: a budget of 2 reads the 2 nearest and stops before the third,
    which does not settle a page of 5; 4 times that (8) reads 8 and settles it, all in the first mile."""
    _clusters(neo4j_store)
    counted = neo4j_store.rank_specialists(QUERY)
    monkeypatch.setattr(ranking, "READ_BUDGET", 2)
    asked: list[tuple[float, int | None, float]] = []
    rank = Neo4jStore._rank_rows

    def spy(self: Neo4jStore, query: RankQuery, window_miles: float, budget: int | None = None) -> RankRows:
        found = rank(self, query, window_miles, budget)
        asked.append((window_miles, budget, found.reach_miles))
        return found

    monkeypatch.setattr(Neo4jStore, "_rank_rows", spy)
    page = neo4j_store.rank_specialists(replace(QUERY, count=False))
    assert (page.items, page.has_next, page.total) == (counted.items, True, None)
    third, ninth = (haversine_miles(*CENTER_AT, CENTER.lat + d, CENTER.lon) for d in (0.002, 0.008))
    assert [(w, b) for w, b, _ in asked] == [(1.0, 2), (1.0, 8)]
    assert [reach for _, _, reach in asked] == pytest.approx([third, ninth])
