"""``Provider``: a practitioner with specialties, locations, participations and referral habits."""

from __future__ import annotations

from datetime import date

import strawberry

from network.model import Practitioner
from network.services.directory import networks_in_effect
from schema.context import ApiInfo
from schema.errors import check_page_size
from schema.loaders import load_present
from schema.selection import selects
from schema.types import described
from schema.types.location import LocationType
from schema.types.network import NetworkType
from schema.types.participation import ParticipationType
from schema.types.specialty import SpecialtyType

MAX_REFERRAL_TARGETS = 50
# The fields whose answers a practitioner's profile holds (GraphStore.practitioner_profiles).
PROFILE_FIELDS = ("primarySpecialty", "specialties", "locations", "participations", "networks")


# Of those, the ones read through the participations: two levels of reads (the participations, then what
# they name) where a profile takes one.
THROUGH_PARTICIPATIONS = ("participations", "networks")


def asks_profile(info: ApiInfo, *under: str, entries_in_hand: bool = False) -> bool:
    """Whether the document asks the Providers a resolver returns (its result, or what lies at the field
    path ``under`` it) for a field their profile answers. A resolver that returns Providers reads their
    profiles first when it does (``loaders.profiles``): their nested fields then cost one round trip for
    all of them, instead of one per loader and level, and the practitioners' own read with them.

    With ``entries_in_hand`` (a referral page's specialists, read by the search), there is no own read to
    save: a profile then pays only for fields read through the participations. A field one read away is
    read on its own (S on Neo4j, a referral page asking its specialists' primary specialty: 15.3 ms p50
    with a specialties read, 17.5 ms with their profiles)."""
    fields = THROUGH_PARTICIPATIONS if entries_in_hand else PROFILE_FIELDS
    return selects(info.selected_fields, *fields, under=under)


@strawberry.type(name="Provider")
class ProviderType:
    npi: str
    name: str
    first_name: str | None
    last_name: str | None
    credential: str | None
    sex: str | None
    active: bool
    languages: list[str]
    rec: strawberry.Private[Practitioner]

    @classmethod
    def from_domain(cls, rec: Practitioner) -> ProviderType:
        return cls(
            npi=rec.npi,
            name=rec.name,
            first_name=rec.first_name,
            last_name=rec.last_name,
            credential=rec.credential,
            sex=rec.sex,
            active=rec.active,
            languages=list(rec.languages),
            rec=rec,
        )

    @strawberry.field
    async def primary_specialty(self, info: ApiInfo) -> SpecialtyType | None:
        if self.rec.primary_specialty is None:
            return None
        return SpecialtyType.from_domain(
            await info.context.loaders.specialties.load(self.rec.primary_specialty)
        )

    @strawberry.field
    async def specialties(self, info: ApiInfo) -> list[SpecialtyType]:
        found = await info.context.loaders.specialties.load_many(list(self.rec.specialties))
        return [SpecialtyType.from_domain(s) for s in found]

    @strawberry.field
    async def locations(self, info: ApiInfo) -> list[LocationType]:
        found = await load_present(info.context.loaders.locations, self.rec.location_ids)
        return [LocationType.from_domain(loc) for loc in found]

    @described("Participations in effect on asOf (default today); anyDate: all of them.")
    async def participations(
        self, info: ApiInfo, as_of: date | None = None, any_date: bool = False
    ) -> list[ParticipationType]:
        day = as_of.isoformat() if as_of else info.context.today
        found = await info.context.loaders.participations.load(self.npi)
        return [ParticipationType.from_domain(p) for p in found if any_date or p.in_effect(day)]

    @described("Networks with a participation in effect on asOf (default today).")
    async def networks(self, info: ApiInfo, as_of: date | None = None) -> list[NetworkType]:
        day = as_of.isoformat() if as_of else info.context.today
        roles = await info.context.loaders.participations.load(self.npi)
        found = await load_present(info.context.loaders.networks, networks_in_effect(roles, day))
        return [NetworkType.from_domain(n) for n in found]

    @described("Practitioners this one shares the most patients with, most first.")
    async def top_referral_targets(self, info: ApiInfo, first: int = 5) -> list[ReferralTargetType]:
        limit = check_page_size(first, MAX_REFERRAL_TARGETS)
        targets = await info.context.loaders.top_targets.load((self.npi, limit))
        npis = [npi for npi, _ in targets]
        if asks_profile(info, "provider"):
            await info.context.loaders.profiles.load_many(npis)  # primes the practitioners too
        found = await info.context.loaders.practitioners.load_many(npis)
        return [
            ReferralTargetType(provider=ProviderType.from_domain(rec), pair_count=count)
            for (_, count), rec in zip(targets, found, strict=True)
            if rec is not None
        ]


@strawberry.type(name="ReferralTarget")
class ReferralTargetType:
    provider: ProviderType
    pair_count: int = strawberry.field(description="shared-patient pair count, summed over sources")
