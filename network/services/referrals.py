"""Referral search: in-network specialists near a member, for a PCP and a plan, on a given day.

This module checks the request and the PCP's own participation; the store ranks the specialists within
the radius (each once at its nearest qualifying location, exact great-circle miles, inclusive boundary),
orders them (prior referrals from the PCP, distance, NPI) and cuts the page after the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from network.errors import InvalidInput
from network.model import Location, Network, Plan, Practitioner, Role, Specialty
from network.services.inputs import (
    GeoQuery,
    check_as_of,
    check_npi,
    check_radius,
    resolve_point,
    specialty_codes,
    specialty_key,
)
from network.services.outcomes import InvalidRequest, PcpNotInNetwork, PlanNotFound, ProviderNotFound
from network.services.paging import Scalar, check_first, decode_cursor, encode_cursor
from network.specialties import reference
from network.store import GraphStore, RankQuery, ReferralAsk


class ReferralOrder(StrEnum):
    DISTANCE = "distance"  # nearest first, then NPI
    PRIOR_REFERRALS = "prior_referrals"  # most shared patients with the PCP first, then nearest, then NPI


@dataclass(frozen=True, slots=True)
class ReferralRequest:
    pcp_npi: str
    plan_id: str
    near: GeoQuery
    radius_miles: float = 25.0
    specialty: str | None = None  # a NUCC code or a CMS specialty type name
    accepting_new_patients: bool | None = None
    language: str | None = None
    as_of: str | None = None  # ISO date; None: today
    order: ReferralOrder = ReferralOrder.DISTANCE


@dataclass(frozen=True, slots=True)
class ReferralOption:
    npi: str
    location_id: str  # the specialist's nearest qualifying location
    distance_miles: float
    specialty_code: str
    network_id: str
    participation_id: str
    accepting_new_patients: bool | None
    referral_required: bool
    prior_referrals: int
    cursor: str
    # The records the page shows, read with the ranking so the API needs no further round trip.
    specialist: Practitioner
    location: Location
    network: Network | None
    specialty: Specialty | None


@dataclass(frozen=True, slots=True)
class ReferralOptions:
    pcp: Practitioner
    plan: Plan
    as_of: str
    total_count: int | None  # specialists, not locations; None when not asked for (count_total)
    options: tuple[ReferralOption, ...]
    has_next: bool
    has_previous: bool


ReferralOutcome = ReferralOptions | ProviderNotFound | PlanNotFound | PcpNotInNetwork | InvalidRequest

_CURSOR_TYPES = (int, (int, float), str)


def referral_options(
    store: GraphStore,
    request: ReferralRequest,
    *,
    first: int = 20,
    after: str | None = None,
    count_total: bool = True,
) -> ReferralOutcome:
    """One page of referral options, or the reason there are none to give.

    One store read: the context (PCP, its roles and referral totals, the plan, the specialty code) with
    the page ranked as that context asks, cut inside the store; the checks are made on its answer.
    ``count_total``: whether the page carries the exact number of specialists in the radius. Counting
    them means reading them all; without it, a search by distance ranks within a mile first and reads
    more only when the page needs it (network.store.ranking), and ``total_count`` is None.
    """
    tag = f"referral:{request.order.value}"
    try:
        check_npi(request.pcp_npi, "pcpNpi")
        center = resolve_point(request.near)
        radius = check_radius(request.radius_miles)
        as_of = check_as_of(request.as_of)
        check_first(first)
        after_key = _after(decode_cursor(after, tag, _CURSOR_TYPES)) if after else None
    except InvalidInput as exc:
        return InvalidRequest.from_error(exc)
    term = specialty_key(request.specialty) if request.specialty is not None else None
    try:
        # As if the term were a stored code: a term that fails even so fails whatever the graph holds,
        # and one that passes resolves to the same codes either way (checked against the graph below).
        codes = specialty_codes(request.specialty, stored=True) if request.specialty is not None else None
    except InvalidInput as exc:
        return InvalidRequest.from_error(exc)
    by_prior = request.order is ReferralOrder.PRIOR_REFERRALS
    query = RankQuery(
        network_ids=(),  # the plan's, read with the context
        as_of=as_of,
        center=center,
        radius_miles=radius,
        specialty_codes=codes,
        accepting_new_patients=request.accepting_new_patients,
        language=request.language,
        exclude_npi=request.pcp_npi,
        by_prior=by_prior,
        after=after_key,
        limit=first,
        count=count_total,
    )
    # The context and the page in one read; the page is discarded when a check below fails.
    found = store.referral_search(ReferralAsk(request.pcp_npi, request.plan_id, term, query))
    ctx, page = found.context, found.page
    if request.specialty is not None and not ctx.specialty_known:
        try:
            specialty_codes(request.specialty, stored=False)
        except InvalidInput as exc:
            return InvalidRequest.from_error(exc)

    pcp, plan = ctx.pcp, ctx.plan
    if pcp is None:
        return ProviderNotFound(request.pcp_npi)
    if plan is None:
        return PlanNotFound(request.plan_id)
    pcp_networks = sorted({r.network_id for r in ctx.roles if r.role == Role.PCP and r.in_effect(as_of)})
    if not set(pcp_networks) & set(plan.network_ids):
        return PcpNotInNetwork(pcp, plan, as_of, tuple(pcp_networks))

    ref = reference()
    options = tuple(
        ReferralOption(
            npi=s.npi,
            location_id=s.location_id,
            distance_miles=s.distance_miles,
            specialty_code=s.specialty_code,
            network_id=s.network_id,
            participation_id=s.participation_id,
            accepting_new_patients=s.accepting_new_patients,
            # OB/GYN visits need no referral by statute (direct access), whatever the plan says.
            referral_required=plan.referral_required and not ref.is_obgyn(s.specialty_code),
            prior_referrals=s.prior_referrals,
            cursor=encode_cursor(tag, (s.prior_referrals, s.distance_miles, s.npi)),
            specialist=s.practitioner,
            location=s.location,
            network=s.network,
            specialty=s.specialty,
        )
        for s in page.items
    )
    return ReferralOptions(pcp, plan, as_of, page.total, options, page.has_next, page.has_previous)


def _after(values: list[Scalar]) -> tuple[int, float, str]:
    prior, distance, npi = values
    assert isinstance(prior, int) and isinstance(distance, int | float) and isinstance(npi, str)
    return prior, float(distance), npi
