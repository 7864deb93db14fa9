"""Referral search: in-network specialists near a member, for a PCP and a plan, on a given day.

The store finds specialist participations within the radius (exact great-circle miles, inclusive
boundary); this module checks the request, the PCP's own participation, keeps each specialist once at
its nearest qualifying location, attaches prior referrals from the PCP, orders and pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from network.errors import InvalidInput
from network.model import Label, Plan, Practitioner, Role
from network.services.inputs import (
    GeoQuery,
    check_as_of,
    check_npi,
    check_radius,
    resolve_point,
    resolve_specialty,
)
from network.services.outcomes import InvalidRequest, PcpNotInNetwork, PlanNotFound, ProviderNotFound
from network.services.paging import SortKey, check_first, decode_cursor, encode_cursor, page_after
from network.specialties import reference
from network.store import Candidate, CandidateQuery, GraphStore


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


@dataclass(frozen=True, slots=True)
class ReferralOptions:
    pcp: Practitioner
    plan: Plan
    as_of: str
    total_count: int  # specialists, not locations
    options: tuple[ReferralOption, ...]
    has_next: bool
    has_previous: bool


ReferralOutcome = ReferralOptions | ProviderNotFound | PlanNotFound | PcpNotInNetwork | InvalidRequest

_CURSOR_TYPES = (int, (int, float), str)


def referral_options(
    store: GraphStore, request: ReferralRequest, *, first: int = 20, after: str | None = None
) -> ReferralOutcome:
    """One page of referral options, or the reason there are none to give."""
    tag = f"referral:{request.order.value}"
    try:
        check_npi(request.pcp_npi, "pcpNpi")
        center = resolve_point(request.near)
        radius = check_radius(request.radius_miles)
        as_of = check_as_of(request.as_of)
        check_first(first)
        after_key = _sort_key(request.order, *decode_cursor(after, tag, _CURSOR_TYPES)) if after else None
        codes = resolve_specialty(store, request.specialty) if request.specialty is not None else None
    except InvalidInput as exc:
        return InvalidRequest.from_error(exc)

    pcp = store.get(Label.PRACTITIONER, request.pcp_npi)
    if not isinstance(pcp, Practitioner):
        return ProviderNotFound(request.pcp_npi)
    plan = store.get(Label.PLAN, request.plan_id)
    if not isinstance(plan, Plan):
        return PlanNotFound(request.plan_id)
    roles = store.participations_of([pcp.npi]).get(pcp.npi, [])
    pcp_networks = sorted({r.network_id for r in roles if r.role == Role.PCP and r.in_effect(as_of)})
    if not set(pcp_networks) & set(plan.network_ids):
        return PcpNotInNetwork(pcp, plan, as_of, tuple(pcp_networks))

    query = CandidateQuery(
        network_ids=plan.network_ids,
        as_of=as_of,
        center=center,
        radius_miles=radius,
        specialty_codes=codes,
        accepting_new_patients=request.accepting_new_patients,
        language=request.language,
        exclude_npi=pcp.npi,
    )
    nearest = _nearest_with_specialty(store, store.specialist_candidates(query))
    prior = store.referral_counts(pcp.npi, list(nearest)) if nearest else {}
    ref = reference()
    options = [
        ReferralOption(
            npi=npi,
            location_id=c.location_id,
            distance_miles=c.distance_miles,
            specialty_code=code,
            network_id=c.network_id,
            participation_id=c.participation_id,
            accepting_new_patients=c.accepting_new_patients,
            # OB/GYN visits need no referral by statute (direct access), whatever the plan says.
            referral_required=plan.referral_required and not ref.is_obgyn(code),
            prior_referrals=prior.get(npi, 0),
            cursor=encode_cursor(tag, (prior.get(npi, 0), c.distance_miles, npi)),
        )
        for npi, (c, code) in nearest.items()
    ]

    def key(o: ReferralOption) -> SortKey:
        return _sort_key(request.order, o.prior_referrals, o.distance_miles, o.npi)

    options.sort(key=key)
    page = page_after(options, key, after_key, first)
    return ReferralOptions(
        pcp, plan, as_of, page.total_count, tuple(page.items), page.has_next, page.has_previous
    )


def _sort_key(order: ReferralOrder, prior: object, distance: object, npi: object) -> SortKey:
    assert isinstance(prior, int) and isinstance(distance, int | float) and isinstance(npi, str)
    if order is ReferralOrder.PRIOR_REFERRALS:
        return (-prior, float(distance), npi)
    return (float(distance), npi)


def _nearest_with_specialty(
    store: GraphStore, candidates: list[Candidate]
) -> dict[str, tuple[Candidate, str]]:
    """Each specialist once: its first candidate (they come nearest first) and the specialty it covers.

    A participation that names no specialty stands for the practitioner's primary (or only listed)
    specialty; a specialist with none at all cannot be offered as a specialty referral and is left out.
    """
    nearest: dict[str, Candidate] = {}
    for c in candidates:
        nearest.setdefault(c.npi, c)
    unnamed = [npi for npi, c in nearest.items() if c.specialty_code is None]
    fallback: dict[str, str] = {}
    if unnamed:
        for npi, rec in store.get_many(Label.PRACTITIONER, unnamed).items():
            assert isinstance(rec, Practitioner)
            code = rec.primary_specialty or (rec.specialties[0] if rec.specialties else None)
            if code is not None:
                fallback[npi] = code
    out: dict[str, tuple[Candidate, str]] = {}
    for npi, c in nearest.items():
        code = c.specialty_code or fallback.get(npi)
        if code is not None:
            out[npi] = (c, code)
    return out
