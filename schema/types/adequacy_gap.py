"""``AdequacyGap``: a failing cell's shortfall, and ``RecruitmentTarget``s who would close it."""

from __future__ import annotations

import strawberry

from network.adequacy import Gap, RecruitmentTarget
from network.model import Practitioner
from schema.context import ApiInfo
from schema.types import described
from schema.types.adequacy_cell import AdequacyCellType
from schema.types.provider import ProviderType, asks_profile


@strawberry.type(
    name="RecruitmentTarget",
    description="A practitioner outside the audited networks whose contracting adds access; in pick order.",
)
class RecruitmentTargetType:
    npi: str
    name: str
    location_id: strawberry.ID = strawberry.field(description="the practice location that gives the reach")
    lat: float
    lon: float
    specialty_codes: list[str]
    covers: float = strawberry.field(description="weight of the cell's points without access it reaches")
    adds: float = strawberry.field(description="the part of covers no target listed before it reaches")
    pct_after: float = strawberry.field(description="the cell's share with access (credit included) after it")
    reason: str = strawberry.field(description="access, or minimum (picked to make up the provider count)")

    @classmethod
    def from_domain(cls, target: RecruitmentTarget) -> RecruitmentTargetType:
        return cls(
            npi=target.npi,
            name=target.name,
            location_id=strawberry.ID(target.location_id),
            lat=target.lat,
            lon=target.lon,
            specialty_codes=list(target.specialty_codes),
            covers=target.covers,
            adds=target.adds,
            pct_after=target.pct_after,
            reason=target.reason,
        )

    @described("The practitioner; null if removed since the audit read it.")
    async def provider(self, info: ApiInfo) -> ProviderType | None:
        if asks_profile(info):
            await info.context.loaders.profiles.load(self.npi)  # primes the practitioner too
        rec = await info.context.loaders.practitioners.load(self.npi)
        return ProviderType.from_domain(rec) if isinstance(rec, Practitioner) else None


@strawberry.type(name="AdequacyGap", description="A failing cell: who lacks access and whom to recruit.")
class AdequacyGapType:
    county_fips: str
    specialty_type: str
    cell: AdequacyCellType
    points_without_access: float = strawberry.field(description="weight of the points without access")
    points_count_without_access: int
    nearest_miles_min: float | None = strawberry.field(
        description="detour-applied miles from those points to the nearest in-network provider of the type"
    )
    nearest_miles_median: float | None
    nearest_miles_max: float | None
    minimum_shortfall: int = strawberry.field(description="providers missing to meet the minimum number")
    closes_access_gap: bool = strawberry.field(description="the targets together would pass the access test")
    closes_minimum_gap: bool
    targets: list[RecruitmentTargetType]

    @classmethod
    def from_domain(cls, gap: Gap, cell: AdequacyCellType) -> AdequacyGapType:
        return cls(
            county_fips=gap.county_fips,
            specialty_type=gap.specialty_type,
            cell=cell,
            points_without_access=gap.points_without_access,
            points_count_without_access=gap.points_count_without_access,
            nearest_miles_min=gap.nearest_miles_min,
            nearest_miles_median=gap.nearest_miles_median,
            nearest_miles_max=gap.nearest_miles_max,
            minimum_shortfall=gap.minimum_shortfall,
            closes_access_gap=gap.closes_access_gap,
            closes_minimum_gap=gap.closes_minimum_gap,
            targets=[RecruitmentTargetType.from_domain(t) for t in gap.targets],
        )
