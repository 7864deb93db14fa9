"""``Specialty``: a NUCC taxonomy code with pnet's PCP eligibility and CMS specialty type."""

from __future__ import annotations

import strawberry

from network.model import Specialty


@strawberry.type(name="Specialty")
class SpecialtyType:
    code: str
    display: str
    pcp_eligible: bool
    cms_type: str | None = strawberry.field(description="CMS 42 CFR 422.116 specialty type it counts toward")
    grouping: str | None
    classification: str | None
    specialization: str | None

    @classmethod
    def from_domain(cls, rec: Specialty) -> SpecialtyType:
        return cls(
            code=rec.code,
            display=rec.display,
            pcp_eligible=rec.pcp_eligible,
            cms_type=rec.cms_type,
            grouping=rec.grouping,
            classification=rec.classification,
            specialization=rec.specialization,
        )
