"""``Network`` and its membership counts."""

from __future__ import annotations

from datetime import date

import strawberry

from network.model import Network
from network.store.rows import NetworkCounts
from schema.context import ApiInfo
from schema.types import described


@strawberry.type(name="NetworkMemberCounts")
class NetworkMemberCountsType:
    as_of: date
    participations: int
    practitioners: int
    pcps: int
    specialists: int
    locations: int

    @classmethod
    def from_domain(cls, counts: NetworkCounts, as_of: str) -> NetworkMemberCountsType:
        return cls(
            as_of=date.fromisoformat(as_of),
            participations=counts.participations,
            practitioners=counts.practitioners,
            pcps=counts.pcps,
            specialists=counts.specialists,
            locations=counts.locations,
        )


@strawberry.type(name="Network")
class NetworkType:
    id: strawberry.ID
    name: str
    payer_id: str | None

    @classmethod
    def from_domain(cls, rec: Network) -> NetworkType:
        return cls(id=strawberry.ID(rec.id), name=rec.name, payer_id=rec.payer_id)

    @described("Members through participations in effect on asOf (default today).")
    async def member_counts(self, info: ApiInfo, as_of: date | None = None) -> NetworkMemberCountsType:
        day = as_of.isoformat() if as_of else info.context.today
        counts = await info.context.loaders.network_counts.load((str(self.id), day))
        return NetworkMemberCountsType.from_domain(counts, day)
