"""Value types the store protocol speaks in: write counts, queries and the rows stores return.

Shared by both stores and the services; kept apart from :mod:`network.store.base` so the protocol
module reads as the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from network.model import Location, Network, Participation, Plan, Practitioner, Specialty


@dataclass(slots=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float


# Distances a store computes with its own floating-point arithmetic (Java in Neo4j, numpy in the embedded
# store) may differ from Python's in the last bits. The radius boundary is widened by this much (1.6
# micrometres) so such bits never flip an inclusion, and cursors are compared with it as slack.
DISTANCE_TOLERANCE_MILES = 1e-9


@dataclass(frozen=True, slots=True)
class RankQuery:
    """A referral search as a store ranks it (all filters are ANDed).

    Specialists with a specialist participation in effect on ``as_of`` in one of ``network_ids``, at a
    location within ``radius_miles`` of ``center``; each once, at its nearest qualifying location. Order:
    prior referrals from the PCP first when ``by_prior``, then distance, then NPI. ``after`` is the sort
    key ``(prior, distance, npi)`` of the last specialist seen; ``limit`` how many to return after it.
    ``count``: whether the page must carry the exact number of specialists in the radius. Without it, a
    search ordered by distance may rank within a smaller radius first and stop there once the page is
    certain (see :func:`network.store.ranking.windows`).
    """

    network_ids: tuple[str, ...]
    as_of: str
    center: GeoPoint
    radius_miles: float
    specialty_codes: frozenset[str] | None = None  # None: any specialty
    accepting_new_patients: bool | None = None
    language: str | None = None
    exclude_npi: str | None = None
    prior: Mapping[str, int] = field(default_factory=dict)  # shared-patient pairs from the PCP, by NPI
    by_prior: bool = False
    after: tuple[int, float, str] | None = None
    limit: int = 20
    count: bool = True


@dataclass(frozen=True, slots=True)
class RankRow:
    """One ranked specialist as a store returns it: ``distance`` is the store's own arithmetic."""

    npi: str
    location_id: str
    lat: float
    lon: float
    distance: float
    specialty_code: str
    network_id: str
    participation_id: str
    accepting_new_patients: bool | None
    prior: int
    practitioner: Practitioner
    location: Location
    network: Network | None  # None only if the participation names a network no longer stored
    specialty: Specialty | None


@dataclass(frozen=True, slots=True)
class RankRows:
    """A store's answer to a :class:`RankQuery`, before the exact distances are put in.

    ``total`` counts the specialists found; ``remaining`` those not before ``after`` (compared with the
    distance tolerance as slack); ``rows`` are the first of them in order: every one within the
    tolerance of ``after`` plus ``limit + 1`` more (or all, when fewer). All of it within ``reach_miles``
    of the centre: the radius the store was asked to rank within, or more (up to the query's radius).
    """

    total: int
    remaining: int
    rows: list[RankRow]
    reach_miles: float


@dataclass(frozen=True, slots=True)
class RankedSpecialist:
    """A specialist on a page of a referral search, at its nearest qualifying location (exact miles)."""

    npi: str
    location_id: str
    distance_miles: float
    specialty_code: str  # the participation's, else the practitioner's primary (or only listed) one
    network_id: str
    participation_id: str
    accepting_new_patients: bool | None
    prior_referrals: int
    practitioner: Practitioner
    location: Location
    network: Network | None
    specialty: Specialty | None


@dataclass(frozen=True, slots=True)
class RankedPage:
    total: int | None  # None: not counted (the query did not ask, and the page was settled sooner)
    items: list[RankedSpecialist]
    has_next: bool
    has_previous: bool


@dataclass(frozen=True, slots=True)
class ReferralContext:
    """What a referral search needs to know before it ranks: the PCP, the plan, and so on."""

    pcp: Practitioner | None
    plan: Plan | None
    roles: list[Participation]  # the PCP's participations, any date, by id
    referred: dict[str, int]  # shared-patient pairs from the PCP, summed per target NPI
    specialty_known: bool  # whether the asked specialty term is a stored Specialty code


class NamedKeys(NamedTuple):
    """What a practitioner's entry names, each key once, in the order named."""

    locations: list[str]
    networks: list[str]
    specialties: list[str]


@dataclass(frozen=True, slots=True)
class PractitionerProfile:
    """A practitioner's directory entry: the practitioner, every participation (any date, by id), and the
    stored locations, networks and specialties that the two name (:meth:`named`). A named key with no
    node is absent, as from ``get_many``: a link to a missing node is not an error."""

    practitioner: Practitioner
    participations: list[Participation]
    locations: dict[str, Location]
    networks: dict[str, Network]
    specialties: dict[str, Specialty]

    @staticmethod
    def named(practitioner: Practitioner, participations: Sequence[Participation]) -> NamedKeys:
        """The keys a provider's nested fields look up: its own locations and specialties (the primary
        one even when unlisted), and each participation's locations, network and specialty.
        ``practitioner_profiles.cypher`` gathers the same keys."""
        locations = list(practitioner.location_ids)
        specialties = list(practitioner.specialties)
        if practitioner.primary_specialty is not None:
            specialties.append(practitioner.primary_specialty)
        for role in participations:
            locations.extend(role.location_ids)
            if role.specialty_code is not None:
                specialties.append(role.specialty_code)
        networks = [role.network_id for role in participations]
        return NamedKeys(
            list(dict.fromkeys(locations)), list(dict.fromkeys(networks)), list(dict.fromkeys(specialties))
        )

    @classmethod
    def assemble(
        cls,
        practitioners: Mapping[str, Practitioner],
        participations: Mapping[str, list[Participation]],
        locations: Mapping[str, Location],
        networks: Mapping[str, Network],
        specialties: Mapping[str, Specialty],
    ) -> dict[str, PractitionerProfile]:
        """The practitioners' profiles, from the nodes they name read once for all of them (a page's
        practitioners share networks and specialties): each takes the ones it names (:meth:`named`)."""
        out: dict[str, PractitionerProfile] = {}
        for npi, rec in practitioners.items():
            roles = participations.get(npi, [])
            keys = cls.named(rec, roles)
            out[npi] = cls(
                practitioner=rec,
                participations=roles,
                locations={k: locations[k] for k in keys.locations if k in locations},
                networks={k: networks[k] for k in keys.networks if k in networks},
                specialties={k: specialties[k] for k in keys.specialties if k in specialties},
            )
        return out


@dataclass(frozen=True, slots=True)
class ReferralAsk:
    """A referral search as asked, before its context is read: ``query`` ranked within the plan's networks
    with the PCP's shared-patient totals as its prior (its own ``network_ids`` and ``prior`` are not read),
    ``specialty_key`` the term looked up as a stored code (see :class:`ReferralContext`)."""

    pcp_npi: str
    plan_id: str
    specialty_key: str | None
    query: RankQuery

    def ranking(self, context: ReferralContext) -> RankQuery:
        """``query`` as ranked once the context is known: the plan's networks, the PCP's totals."""
        networks = context.plan.network_ids if context.plan is not None else ()
        return replace(self.query, network_ids=networks, prior=context.referred)


@dataclass(frozen=True, slots=True)
class ReferralFound:
    """The context of a :class:`ReferralAsk` and its page, ranked as if the context had been read first;
    the caller checks the context and discards the page when the search may not run."""

    context: ReferralContext
    page: RankedPage


@dataclass(frozen=True, slots=True)
class StoreStats:
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)


# -- directory search (API) ------------------------------------------------------------------------
_NAME_WORD = re.compile(r"[^\W\d_]+")


def name_words(text: str) -> list[str]:
    """Lower-cased runs of letters: how names and name queries are cut into words, for both stores."""
    return _NAME_WORD.findall(text.lower())


def name_matches(name: str, terms: Sequence[str]) -> bool:
    """Every term is the beginning of some word of ``name`` (``"ann he"`` finds ``"Ann Heart"``)."""
    words = name_words(name)
    return all(any(w.startswith(t) for w in words) for t in terms)


@dataclass(frozen=True, slots=True)
class ProviderQuery:
    """A directory search over practitioners; every given filter must hold (they are ANDed).

    Location filters (``center``+``radius_miles``, ``state``, ``zip5``) must hold at one and the same
    practice location; participation filters (``network_ids``, ``accepting_new_patients``) at one and the
    same participation in effect on ``as_of``.
    """

    as_of: str
    name_terms: tuple[str, ...] = ()  # from name_words(); each must begin a word of the name
    specialty_codes: frozenset[str] | None = None  # any of these among the practitioner's specialties
    center: GeoPoint | None = None
    radius_miles: float | None = None
    state: str | None = None
    zip5: str | None = None  # a practice location whose ZIP starts with these five digits
    network_ids: tuple[str, ...] | None = None
    accepting_new_patients: bool | None = None
    language: str | None = None
    sex: str | None = None

    @property
    def located(self) -> bool:
        return self.center is not None or self.state is not None or self.zip5 is not None

    @property
    def by_participation(self) -> bool:
        return self.network_ids is not None or self.accepting_new_patients is not None


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """What a store returns for a provider search before the exact name and distance tests."""

    npi: str
    name: str
    location_id: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class ProviderHit:
    """One practitioner found, at its nearest qualifying location when the search is located."""

    npi: str
    name: str
    location_id: str | None
    distance_miles: float | None


@dataclass(frozen=True, slots=True)
class NetworkCounts:
    """Members of a network through participations in effect on a day."""

    participations: int = 0
    practitioners: int = 0
    pcps: int = 0
    specialists: int = 0
    locations: int = 0


# -- end directory search (API) --------------------------------------------------------------------


# -- adequacy --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BBox:
    """A latitude/longitude box, bounds inclusive; west <= east (callers split boxes crossing 180)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True, slots=True)
class AdequacyProviderRow:
    """One in-effect participation of an audited network at one geocoded location in the box."""

    npi: str
    participation_id: str
    network_id: str
    specialty_code: str | None  # the participation's (what the practitioner is contracted as)
    primary_specialty: str | None  # the practitioner's, for participations without a specialty
    location_id: str
    lat: float
    lon: float
    telehealth: bool
    active: bool


@dataclass(frozen=True, slots=True)
class PractitionerPointRow:
    """One practitioner at one geocoded practice location in the box (recruitment candidates)."""

    npi: str
    specialties: tuple[str, ...]
    location_id: str
    lat: float
    lon: float
    active: bool


# -- end adequacy ----------------------------------------------------------------------------------
