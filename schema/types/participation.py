"""``Participation``: a practitioner's contract with one network (a Plan-Net PractitionerRole)."""

from __future__ import annotations

from datetime import date

import strawberry

from network.model import Participation
from schema.context import ApiInfo
from schema.loaders import load_present
from schema.types.location import LocationType
from schema.types.network import NetworkType
from schema.types.specialty import SpecialtyType


@strawberry.type(name="Participation")
class ParticipationType:
    id: strawberry.ID
    role: str = strawberry.field(description="pcp or specialist")
    accepting_new_patients: bool | None
    effective: date | None = strawberry.field(description="first day in effect")
    termination: date | None = strawberry.field(description="first day no longer in effect")
    telehealth: bool
    rec: strawberry.Private[Participation]

    @classmethod
    def from_domain(cls, rec: Participation) -> ParticipationType:
        return cls(
            id=strawberry.ID(rec.id),
            role=rec.role,
            accepting_new_patients=rec.accepting_new_patients,
            effective=date.fromisoformat(rec.effective) if rec.effective else None,
            termination=date.fromisoformat(rec.termination) if rec.termination else None,
            telehealth=rec.telehealth,
            rec=rec,
        )

    @strawberry.field
    async def network(self, info: ApiInfo) -> NetworkType | None:
        found = await info.context.loaders.networks.load(self.rec.network_id)
        return NetworkType.from_domain(found) if found else None

    @strawberry.field
    async def specialty(self, info: ApiInfo) -> SpecialtyType | None:
        if self.rec.specialty_code is None:
            return None
        return SpecialtyType.from_domain(await info.context.loaders.specialties.load(self.rec.specialty_code))

    @strawberry.field
    async def locations(self, info: ApiInfo) -> list[LocationType]:
        found = await load_present(info.context.loaders.locations, self.rec.location_ids)
        return [LocationType.from_domain(loc) for loc in found]
