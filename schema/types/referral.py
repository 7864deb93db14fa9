"""``ReferralOptions``: one page of in-network specialists for a PCP, a plan and a member's location."""

from __future__ import annotations

from datetime import date

import strawberry

from network.errors import StoreError
from network.services import ReferralOption, ReferralOptions
from network.specialties import reference
from schema.types import described
from schema.types.location import LocationType
from schema.types.network import NetworkType
from schema.types.paging import PageInfoType
from schema.types.plan import PlanType
from schema.types.provider import ProviderType
from schema.types.specialty import SpecialtyType


@strawberry.type(name="ReferralOption")
class ReferralOptionType:
    # Every field is mapped up front: a field with a resolver costs strawberry an Info object and an
    # argument pass per edge (80 per 20-edge page), a mapped one is read as an attribute.
    distance_miles: float = strawberry.field(description="great-circle miles to the nearest location")
    accepting_new_patients: bool | None
    referral_required: bool = strawberry.field(description="false for OB/GYN and plans without referrals")
    prior_referrals: int = strawberry.field(description="shared-patient pairs from this PCP; 0 if none")
    specialist: ProviderType
    location: LocationType = strawberry.field(description="The specialist's nearest qualifying location.")
    specialty: SpecialtyType = strawberry.field(description="The specialty the participation covers.")
    network: NetworkType

    @classmethod
    def from_domain(cls, option: ReferralOption) -> ReferralOptionType:
        if option.network is None:  # the participation names a network that is no longer stored
            raise StoreError(f"network {option.network_id} disappeared")
        return cls(
            specialist=ProviderType.from_domain(option.specialist),
            location=LocationType.from_domain(option.location),
            # A code seen before the NUCC file was loaded: pnet's reference data still describes it.
            specialty=SpecialtyType.from_domain(option.specialty or reference().stub(option.specialty_code)),
            network=NetworkType.from_domain(option.network),
            distance_miles=option.distance_miles,
            accepting_new_patients=option.accepting_new_patients,
            referral_required=option.referral_required,
            prior_referrals=option.prior_referrals,
        )


@strawberry.type(name="ReferralOptionEdge")
class ReferralOptionEdgeType:
    cursor: str
    node: ReferralOptionType


@strawberry.type(name="ReferralOptions")
class ReferralOptionsType:
    pcp: ProviderType
    plan: PlanType
    as_of: date
    edges: list[ReferralOptionEdgeType]
    page_info: PageInfoType
    counted: strawberry.Private[int | None]

    @described(
        "specialists matching, over all pages. Exact, so the search reads every specialist in the radius "
        "when this is asked for: leave it out for the quickest pages."
    )
    def total_count(self) -> int:
        if self.counted is None:  # the resolver counts whenever the document names the field
            raise StoreError("the referral search was not counted")
        return self.counted

    @classmethod
    def from_domain(cls, page: ReferralOptions) -> ReferralOptionsType:
        return cls(
            pcp=ProviderType.from_domain(page.pcp),
            plan=PlanType.from_domain(page.plan),
            as_of=date.fromisoformat(page.as_of),
            counted=page.total_count,
            edges=[
                ReferralOptionEdgeType(cursor=o.cursor, node=ReferralOptionType.from_domain(o))
                for o in page.options
            ],
            page_info=PageInfoType.from_cursors(
                [o.cursor for o in page.options], has_next=page.has_next, has_previous=page.has_previous
            ),
        )
