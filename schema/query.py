"""The root ``Query``: thin resolvers that check limits, call a service off the loop, and map results."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from network.adequacy import AdequacyReport
from network.errors import InvalidInput
from network.model import Plan, Practitioner
from network.services import (
    InvalidRequest,
    PcpNotInNetwork,
    PlanNotFound,
    ProviderNotFound,
    ReferralOptions,
    referral_options,
    search_providers,
)
from network.services.directory import find_specialties
from schema.context import ApiInfo
from schema.errors import check_page_size
from schema.selection import selects
from schema.types import described
from schema.types.adequacy import NetworkAdequacyType
from schema.types.adequacy_cell import decode_cell_cursor
from schema.types.adequacy_input import NetworkAdequacyInput
from schema.types.adequacy_result import NetworkNotFound, NetworkNotFoundType, run_audit
from schema.types.inputs import ProviderFilterInput, ReferralSearchInput
from schema.types.network import NetworkType
from schema.types.plan import PlanType
from schema.types.problems import (
    InvalidInputType,
    PcpNotInNetworkType,
    PlanNotFoundType,
    ProviderNotFoundType,
)
from schema.types.provider import ProviderType, asks_profile
from schema.types.referral import ReferralOptionsType
from schema.types.search import ProviderConnectionType
from schema.types.specialty import SpecialtyType

SPECIALISTS = ("edges", "node", "specialist")  # where a referral page holds its specialists
ReferralOptionsResult: TypeAlias = Annotated[
    ReferralOptionsType | ProviderNotFoundType | PlanNotFoundType | PcpNotInNetworkType | InvalidInputType,
    strawberry.union("ReferralOptionsResult"),
]
ProvidersResult: TypeAlias = Annotated[
    ProviderConnectionType | InvalidInputType, strawberry.union("ProvidersResult")
]
NetworkAdequacyResult: TypeAlias = Annotated[
    NetworkAdequacyType | NetworkNotFoundType | PlanNotFoundType | InvalidInputType,
    strawberry.union("NetworkAdequacyResult"),
]


@strawberry.type
class Query:
    @described("In-network specialists near a member for a PCP and a plan, one page.")
    async def referral_options(
        self, info: ApiInfo, input: ReferralSearchInput, first: int | None = 20, after: str | None = None
    ) -> ReferralOptionsResult:
        ctx = info.context
        size = check_page_size(first, ctx.settings.max_page_size, default=20)
        request = input.to_domain(ctx.today)
        count = selects(info.selected_fields, "totalCount")
        result = await ctx.gateway.call(
            referral_options, ctx.gateway.store, request, first=size, after=after, count_total=count
        )
        match result:
            case ReferralOptions():
                specialists = [option.npi for option in result.options]
                await _read_profiles(info, (("pcp",), [result.pcp.npi]), (SPECIALISTS, specialists))
                return ReferralOptionsType.from_domain(result)
            case ProviderNotFound():
                return ProviderNotFoundType.from_domain(result)
            case PlanNotFound():
                return PlanNotFoundType.from_domain(result)
            case PcpNotInNetwork():
                await _read_profiles(info, (("pcp",), [result.pcp.npi]))
                return PcpNotInNetworkType.from_domain(result)
            case InvalidRequest():
                return InvalidInputType.from_domain(result)

    @described("A practitioner by NPI; null when unknown.")
    async def provider(self, info: ApiInfo, npi: str) -> ProviderType | None:
        key = npi.strip()
        if asks_profile(info):
            # One round trip for the entry and what its nested fields show, instead of one per level.
            await info.context.loaders.profiles.load(key)
        rec = await info.context.loaders.practitioners.load(key)
        return ProviderType.from_domain(rec) if isinstance(rec, Practitioner) else None

    @described("Search practitioners; nearest first with near, else by name.")
    async def providers(
        self, info: ApiInfo, filter: ProviderFilterInput, first: int | None = 20, after: str | None = None
    ) -> ProvidersResult:
        ctx = info.context
        size = check_page_size(first, ctx.settings.max_page_size, default=20)
        flt = filter.to_domain(ctx.today)
        result = await ctx.gateway.call(search_providers, ctx.gateway.store, flt, first=size, after=after)
        if isinstance(result, InvalidRequest):
            return InvalidInputType.from_domain(result)
        if result.results and asks_profile(info, "edges", "node"):
            # The page's entries in one round trip, instead of one per level of the nodes' fields.
            await ctx.loaders.profiles.load_many([r.hit.npi for r in result.results])
        return ProviderConnectionType.from_domain(result)

    @described("A plan by id; null when unknown.")
    async def plan(self, info: ApiInfo, id: strawberry.ID) -> PlanType | None:
        rec = await info.context.loaders.plans.load(str(id))
        return PlanType.from_domain(rec) if isinstance(rec, Plan) else None

    @described("A network by id; null when unknown.")
    async def network(self, info: ApiInfo, id: strawberry.ID) -> NetworkType | None:
        rec = await info.context.loaders.networks.load(str(id))
        return NetworkType.from_domain(rec) if rec is not None else None

    @described("Stored specialties whose code, display or CMS type contains search.")
    async def specialties(
        self, info: ApiInfo, search: str | None = None, first: int | None = 50
    ) -> list[SpecialtyType]:
        ctx = info.context
        size = check_page_size(first, ctx.settings.max_page_size, default=50)
        found = await ctx.gateway.call(find_specialties, ctx.gateway.store, search, size)
        return [SpecialtyType.from_domain(s) for s in found]

    @described(
        "CMS 42 CFR 422.116 adequacy audit of a network or a plan's networks in a state or counties, "
        "on ZIP-centroid sample points (distance and minimum number; time is not evaluated)."
    )
    async def network_adequacy(
        self, info: ApiInfo, input: NetworkAdequacyInput, first: int | None = 50, after: str | None = None
    ) -> NetworkAdequacyResult:
        ctx = info.context
        size = check_page_size(first, ctx.settings.max_page_size, default=50)
        try:
            request, after_key = input.to_domain(ctx.today), decode_cell_cursor(after)
        except InvalidInput as exc:
            return InvalidInputType.from_domain(InvalidRequest.from_error(exc))
        result = await run_audit(ctx.gateway, request)
        match result:
            case AdequacyReport():
                return NetworkAdequacyType.from_domain(result, size, after_key)
            case NetworkNotFound():
                return NetworkNotFoundType.from_domain(result)
            case PlanNotFound():
                return PlanNotFoundType.from_domain(result)
            case InvalidRequest():
                return InvalidInputType.from_domain(result)


async def _read_profiles(info: ApiInfo, *groups: tuple[tuple[str, ...], list[str]]) -> None:
    """The profiles of the Providers a result holds with their entries (the service read them), in one
    round trip for all of them: each group is the field path to some of them and their NPIs, read when
    the document asks them for a field read through their participations. Fragments are unfolded whatever
    their type: a document asking a problem's PCP for its networks reads the PCP's profile for a page too
    (one more NPI in the call)."""
    npis = [
        npi for under, group in groups if asks_profile(info, *under, entries_in_hand=True) for npi in group
    ]
    if npis:
        await info.context.loaders.profiles.load_many(npis)


__all__ = ["Query"]
