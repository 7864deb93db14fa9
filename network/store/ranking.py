"""The last step of a referral search, the same for both stores: exact miles, exact cursor, the page.

A store ranks specialists with its own arithmetic (Java doubles in Neo4j, numpy in the embedded store)
and sends back only the head of the ranking. Here every returned row gets its distance from
:func:`~network.geo.haversine_miles`, the rows the cursor has already shown are dropped by exact
comparison, and the page is cut, so both stores report the same miles to the last digit and paging never
repeats or skips a specialist, whatever the last bits of a store's own distance.
"""

from __future__ import annotations

from network.geo import haversine_miles
from network.store.rows import RankedPage, RankedSpecialist, RankQuery, RankRows

SortKey = tuple[float | int | str, ...]


def sort_key(by_prior: bool, prior: int, distance: float, npi: str) -> SortKey:
    """Most shared patients first (when asked), then nearest, then NPI: unique within one search."""
    return (-prior, distance, npi) if by_prior else (distance, npi)


def prefilter_miles(query: RankQuery) -> float:
    """How far a store's spatial index looks: a little past the radius, so the index's own arithmetic
    never drops a location the exact filter after it keeps."""
    return query.radius_miles * 1.002 + 0.01


def finish_page(query: RankQuery, found: RankRows) -> RankedPage:
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
    return RankedPage(
        total=found.total,
        items=items[: query.limit],
        has_next=remaining > query.limit,
        has_previous=found.total > remaining,
    )


def _key(query: RankQuery, item: RankedSpecialist) -> SortKey:
    return sort_key(query.by_prior, item.prior_referrals, item.distance_miles, item.npi)
