"""Input types and enums of the root fields, with their mapping to service requests."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from network.services import GeoQuery, ProviderFilter, ReferralOrder, ReferralRequest
from schema.input_plan import planned_input


@planned_input
@strawberry.input(name="GeoInput", description="lat+lon, or a ZIP (its centroid)")
class GeoInput:
    lat: float | None = None
    lon: float | None = None
    zip: str | None = None

    def to_domain(self) -> GeoQuery:
        return GeoQuery(lat=self.lat, lon=self.lon, zip=self.zip)


@strawberry.enum(name="ReferralOrder")
class ReferralOrderEnum(Enum):
    DISTANCE = ReferralOrder.DISTANCE
    PRIOR_REFERRALS = ReferralOrder.PRIOR_REFERRALS


@planned_input
@strawberry.input(name="ReferralSearchInput")
class ReferralSearchInput:
    pcp_npi: str
    plan_id: strawberry.ID
    near: GeoInput
    radius_miles: float = 25
    specialty: str | None = strawberry.field(
        default=None, description='a NUCC code, or a CMS specialty type name such as "Cardiology"'
    )
    accepting_new_patients: bool | None = None
    language: str | None = None
    as_of: date | None = strawberry.field(
        default=None, description="participation must be in effect on this day; default today"
    )
    order_by: ReferralOrderEnum = ReferralOrderEnum.DISTANCE

    def to_domain(self, today: str) -> ReferralRequest:
        return ReferralRequest(
            pcp_npi=self.pcp_npi,
            plan_id=str(self.plan_id),
            near=self.near.to_domain(),
            radius_miles=self.radius_miles,
            specialty=self.specialty,
            accepting_new_patients=self.accepting_new_patients,
            language=self.language,
            as_of=self.as_of.isoformat() if self.as_of else today,
            order=self.order_by.value,
        )


@planned_input
@strawberry.input(
    name="ProviderFilter",
    description="Every given filter must hold; give at least one of "
    "name, specialty, near, state, zip, networkId or planId.",
)
class ProviderFilterInput:
    name: str | None = strawberry.field(
        default=None, description="words beginning words of the name, any case"
    )
    specialty: str | None = strawberry.field(default=None, description="a NUCC code or a CMS specialty type")
    near: GeoInput | None = None
    radius_miles: float = 25
    state: str | None = None
    zip: str | None = strawberry.field(default=None, description="practice location ZIP (first five digits)")
    network_id: strawberry.ID | None = None
    plan_id: strawberry.ID | None = None
    accepting_new_patients: bool | None = None
    language: str | None = None
    sex: str | None = None
    as_of: date | None = strawberry.field(
        default=None, description="network, plan and accepting filters use participations in effect this day"
    )

    def to_domain(self, today: str) -> ProviderFilter:
        return ProviderFilter(
            name=self.name,
            specialty=self.specialty,
            near=self.near.to_domain() if self.near else None,
            radius_miles=self.radius_miles,
            state=self.state,
            zip=self.zip,
            network_id=str(self.network_id) if self.network_id is not None else None,
            plan_id=str(self.plan_id) if self.plan_id is not None else None,
            accepting_new_patients=self.accepting_new_patients,
            language=self.language,
            sex=self.sex,
            as_of=self.as_of.isoformat() if self.as_of else today,
        )
