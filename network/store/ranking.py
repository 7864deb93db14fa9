"""The last step of a referral search, the same for both stores: exact miles, exact cursor, the page.

A store ranks specialists with its own arithmetic (Java doubles in Neo4j, numpy in the embedded store)
and sends back only the head of the ranking. Here every returned row gets its distance from
:func:`~network.geo.haversine_miles`, the rows the cursor has already shown are dropped by exact
comparison, and the page is cut, so both stores report the same miles to the last digit and paging never
repeats or skips a specialist, whatever the last bits of a store's own distance.

A search ordered by distance that does not ask for the exact total need not read the whole radius: the
nearest page is settled by the specialists of a smaller one. :func:`rank_in_windows` ranks within 1 mile
first, then 4, 16, ... up to the radius, and stops at the first window whose ranking the page cannot see
past; within a window a store may read only the nearest locations, up to a budget of participations.
25 miles around a city hold tens of thousands of specialists (a second of work at national scale, most
of it counting them); its nearest few buildings hold the page.
"""

from __future__ import annotations

from collections.abc import Callable

from network.geo import haversine_miles
from network.store.rows import RankedPage, RankedSpecialist, RankQuery, RankRows

SortKey = tuple[float | int | str, ...]


def sort_key(by_prior: bool, prior: int, distance: float, npi: str) -> SortKey:
    """Most shared patients first (when asked), then nearest, then NPI: unique within one search."""
    return (-prior, distance, npi) if by_prior else (distance, npi)


def prefilter_miles(radius_miles: float) -> float:
    """How far a store's spatial index looks for a radius: a little past it, so the index's own
    arithmetic never drops a location the exact filter after it keeps."""
    return radius_miles * 1.002 + 0.01


# The first window, and how much each next one grows (the area 16 times): few statements in the country,
# one in a city.
WINDOW_START_MILES = 1.0
WINDOW_GROWTH = 4.0
# How far inside its window the row after the page must be for the window to settle the page: far more
# than the stores' arithmetic differs by (DISTANCE_TOLERANCE_MILES), far less than a street.
WINDOW_MARGIN_MILES = 1e-6
# Participations a store may stop at within a window, nearest locations first (Neo4j does; the embedded
# store reads its windows whole), then 4 times more each time that was not enough: a city's buildings hold
# hundreds of participations each, and the first of them usually hold the page. Measured at L over one
# graph and the same searches (store call p99): any specialty 500 / 2,000 / 8,000 -> 24 / 27 / 56 ms. A
# named specialty's budget counts its own participations only (Neo4j reads them through AT_LOCATION's
# typed twins, network.store.twins): 250 / 500 / 1,000 -> p50 8.6 / 9.8 / 9.3 ms, p99 30 / 35 / 34 ms over
# 300 named searches at L (before the twins, a budget of 8,000 of every specialty's participations: p50
# 22.8, p99 48.5 ms; BENCHMARKS.md, optimisation 29).
READ_BUDGET = 2_000
NAMED_READ_BUDGET = 250


def _reads_all(query: RankQuery) -> bool:
    """A count needs every specialist in the radius; with prior referrals first, one miles away may
    come first. Either way the radius is read whole, in one go."""
    return query.count or query.by_prior


def windows(query: RankQuery) -> list[float]:
    """The radii :func:`rank_in_windows` ranks within, in order: the query's own alone when it reads
    the radius whole (:func:`_reads_all`)."""
    if _reads_all(query):
        return [query.radius_miles]
    # A window inside the cursor holds nothing after it, so it could never settle the page: start at
    # twice the cursor (the next page's ring holds about as many as the pages before it). A settled page
    # read everything before the cursor too, so has_previous is exact.
    radius = max(WINDOW_START_MILES, 2 * query.after[1]) if query.after is not None else WINDOW_START_MILES
    out: list[float] = []
    while radius < query.radius_miles:
        out.append(radius)
        radius *= WINDOW_GROWTH
    return [*out, query.radius_miles]


def rank_in_windows(query: RankQuery, rank: Callable[[float, int | None], RankRows]) -> RankedPage:
    """The page of ``query``, ranked by ``rank(window, budget)`` in :func:`windows` until one settles it.

    What the store read (``reach_miles``: the window, or less when it stopped at ``budget``
    participations) settles the page when the specialist after the page lies inside it: every specialist
    nearer than that one was then read, at its nearest location, so the first ``limit + 1`` read are the
    radius's. The total is only a floor then, and the page carries none. A store that stopped short of
    its window is asked again with 4 times the budget; one that read it all, for the next window. The
    budget counts from the centre, so a deep page needs more of it: it grows until it reaches past the
    cursor.
    """
    steps = windows(query)
    budget: int | None = READ_BUDGET if query.specialty_codes is None else NAMED_READ_BUDGET
    if _reads_all(query):
        budget = None
    step = 0
    while True:
        found = rank(steps[step], budget)
        page, settled = _cut(query, found)
        if settled or found.reach_miles >= query.radius_miles:
            return page
        if found.reach_miles < steps[step] and budget is not None:
            budget *= int(WINDOW_GROWTH)
        else:
            step += 1


def _cut(query: RankQuery, found: RankRows) -> tuple[RankedPage, bool]:
    center = query.center
    items = [
        RankedSpecialist(
            npi=r.npi,
            location_id=r.location_id,
            distance_miles=haversine_miles(center.lat, center.lon, r.lat, r.lon),
            specialty_code=r.specialty_code,
            network_id=r.network_id,
            participation_id=r.participation_id,
            accepting_new_patients=r.accepting_new_patients,
            prior_referrals=r.prior,
            practitioner=r.practitioner,
            location=r.location,
            network=r.network,
            specialty=r.specialty,
        )
        for r in found.rows
    ]
    remaining = found.remaining
    if query.after is not None:
        after = sort_key(query.by_prior, *query.after)
        seen = [i for i in items if _key(query, i) <= after]
        remaining -= len(seen)
        items = [i for i in items if _key(query, i) > after]
    items.sort(key=lambda i: _key(query, i))
    whole = found.reach_miles >= query.radius_miles
    inside = found.reach_miles - WINDOW_MARGIN_MILES
    settled = len(items) > query.limit and items[query.limit].distance_miles < inside
    page = RankedPage(
        total=found.total if whole else None,
        items=items[: query.limit],
        has_next=remaining > query.limit,
        has_previous=found.total > remaining,
    )
    return page, settled


def _key(query: RankQuery, item: RankedSpecialist) -> SortKey:
    return sort_key(query.by_prior, item.prior_referrals, item.distance_miles, item.npi)
