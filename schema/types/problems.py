"""The expected failures of a query, as union members sharing the ``Problem`` interface."""

from __future__ import annotations

import strawberry

from network.services import InvalidRequest, PcpNotInNetwork, PlanNotFound, ProviderNotFound
from schema.context import ApiInfo
from schema.loaders import load_present
from schema.types import described
from schema.types.network import NetworkType
from schema.types.plan import PlanType
from schema.types.provider import ProviderType


@strawberry.interface(name="Problem")
class ProblemType:
    message: str


@strawberry.type(name="ProviderNotFound")
class ProviderNotFoundType(ProblemType):
    npi: str

    @classmethod
    def from_domain(cls, outcome: ProviderNotFound) -> ProviderNotFoundType:
        return cls(message=f"no provider with NPI {outcome.npi}", npi=outcome.npi)


@strawberry.type(name="PlanNotFound")
class PlanNotFoundType(ProblemType):
    plan_id: strawberry.ID

    @classmethod
    def from_domain(cls, outcome: PlanNotFound) -> PlanNotFoundType:
        return cls(message=f"no plan with id {outcome.plan_id!r}", plan_id=strawberry.ID(outcome.plan_id))


@strawberry.type(name="PcpNotInNetwork")
class PcpNotInNetworkType(ProblemType):
    pcp: ProviderType
    plan: PlanType
    pcp_network_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, outcome: PcpNotInNetwork) -> PcpNotInNetworkType:
        return cls(
            message=(
                f"{outcome.pcp.npi} holds no PCP participation in effect on {outcome.as_of} "
                f"in a network plan {outcome.plan.id!r} uses"
            ),
            pcp=ProviderType.from_domain(outcome.pcp),
            plan=PlanType.from_domain(outcome.plan),
            pcp_network_ids=outcome.pcp_network_ids,
        )

    @described("Networks in which the PCP does hold a PCP participation that day.")
    async def pcp_networks(self, info: ApiInfo) -> list[NetworkType]:
        found = await load_present(info.context.loaders.networks, self.pcp_network_ids)
        return [NetworkType.from_domain(n) for n in found]


@strawberry.type(name="InvalidInput")
class InvalidInputType(ProblemType):
    field: str | None = strawberry.field(description="the argument at fault, e.g. near.zip")
    suggestions: list[str] = strawberry.field(description="acceptable values close to the one given")

    @classmethod
    def from_domain(cls, outcome: InvalidRequest) -> InvalidInputType:
        return cls(message=outcome.message, field=outcome.field, suggestions=list(outcome.suggestions))
