"""``Plan``: an insurance product and the networks it uses."""

from __future__ import annotations

import strawberry

from network.model import Plan
from schema.context import ApiInfo
from schema.loaders import load_present
from schema.types.network import NetworkType


@strawberry.type(name="Plan")
class PlanType:
    id: strawberry.ID
    name: str
    plan_type: str = strawberry.field(description="hmo, ppo, epo or pos")
    referral_required: bool
    payer_id: str | None
    network_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, rec: Plan) -> PlanType:
        return cls(
            id=strawberry.ID(rec.id),
            name=rec.name,
            plan_type=rec.plan_type,
            referral_required=rec.referral_required,
            payer_id=rec.payer_id,
            network_ids=rec.network_ids,
        )

    @strawberry.field
    async def networks(self, info: ApiInfo) -> list[NetworkType]:
        found = await load_present(info.context.loaders.networks, self.network_ids)
        return [NetworkType.from_domain(n) for n in found]
