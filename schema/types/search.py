"""``ProviderConnection``: one page of a provider search."""

from __future__ import annotations

from datetime import date

import strawberry

from network.errors import StoreError
from network.services import ProviderPage, ProviderResult
from schema.context import ApiInfo
from schema.types import described
from schema.types.location import LocationType
from schema.types.paging import PageInfoType
from schema.types.provider import ProviderType


@strawberry.type(name="ProviderSearchEdge")
class ProviderSearchEdgeType:
    cursor: str
    distance_miles: float | None = strawberry.field(description="to the nearest matching location, with near")
    result: strawberry.Private[ProviderResult]

    @strawberry.field
    async def node(self, info: ApiInfo) -> ProviderType:
        rec = await info.context.loaders.practitioners.load(self.result.hit.npi)
        if rec is None:
            raise StoreError(f"practitioner {self.result.hit.npi} disappeared while the request ran")
        return ProviderType.from_domain(rec)

    @described("The nearest location matching the location filters, if any were given.")
    async def location(self, info: ApiInfo) -> LocationType | None:
        if self.result.hit.location_id is None:
            return None
        rec = await info.context.loaders.locations.load(self.result.hit.location_id)
        return LocationType.from_domain(rec) if rec else None


@strawberry.type(name="ProviderConnection")
class ProviderConnectionType:
    as_of: date
    total_count: int
    edges: list[ProviderSearchEdgeType]
    page_info: PageInfoType

    @classmethod
    def from_domain(cls, page: ProviderPage) -> ProviderConnectionType:
        return cls(
            as_of=date.fromisoformat(page.as_of),
            total_count=page.total_count,
            edges=[
                ProviderSearchEdgeType(cursor=r.cursor, distance_miles=r.hit.distance_miles, result=r)
                for r in page.results
            ],
            page_info=PageInfoType.from_cursors(
                [r.cursor for r in page.results], has_next=page.has_next, has_previous=page.has_previous
            ),
        )
