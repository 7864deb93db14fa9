"""``NetworkAdequacy``: an adequacy audit's summary, notices, one page of cells and every gap."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from network.adequacy import AdequacyReport
from network.adequacy.model import SkippedCounty
from network.services.paging import SortKey
from schema.context import ApiInfo
from schema.loaders import load_present
from schema.types import described
from schema.types.adequacy_cell import AdequacyCellConnectionType, AdequacyCellType
from schema.types.adequacy_gap import AdequacyGapType
from schema.types.network import NetworkType

API_POINTS_NOTICE = (
    "Member sample points are personal data and are not accepted over the API: this audit used the ZIP "
    "centroids of each county. Audit member points with `pnet audit adequacy --points`."
)


@strawberry.type(name="AdequacySkippedCounty")
class AdequacySkippedCountyType:
    fips: str
    name: str
    reason: str

    @classmethod
    def from_domain(cls, skipped: SkippedCounty) -> AdequacySkippedCountyType:
        return cls(fips=skipped.fips, name=skipped.name, reason=skipped.reason)


@strawberry.type(name="AdequacySummary")
class AdequacySummaryType:
    generated_at: datetime
    as_of: date
    network_ids: list[strawberry.ID]
    plan_id: strawberry.ID | None
    state: str | None
    counties: list[str] = strawberry.field(description="FIPS of the audited counties")
    skipped_counties: list[AdequacySkippedCountyType] = strawberry.field(
        description="counties of the area that could not be audited, with the reason"
    )
    specialty_types: list[str]
    standards: str
    regulation: str
    contract_year: int | None
    detour_factor: float
    time_evaluated: bool = strawberry.field(description="always false: only distance standards are checked")
    points_source: str = strawberry.field(description="zip_centroids: member points are not accepted here")
    points_used: int
    provider_locations: int = strawberry.field(
        description="in-network, in-effect participation x location rows of a type in the audit area"
    )
    cells: int
    cells_passed: int
    cells_failed: int
    passed: bool = strawberry.field(description="every cell passes (false when there is no cell)")

    @classmethod
    def from_domain(cls, report: AdequacyReport) -> AdequacySummaryType:
        passed = sum(1 for c in report.cells if c.passed)
        return cls(
            generated_at=datetime.fromisoformat(report.generated_at),
            as_of=date.fromisoformat(report.as_of),
            network_ids=[strawberry.ID(n) for n in report.network_ids],
            plan_id=strawberry.ID(report.plan_id) if report.plan_id is not None else None,
            state=report.state,
            counties=list(report.counties),
            skipped_counties=[AdequacySkippedCountyType.from_domain(s) for s in report.skipped_counties],
            specialty_types=list(report.specialty_types),
            standards=report.standards,
            regulation=report.regulation,
            contract_year=report.contract_year,
            detour_factor=report.detour_factor,
            time_evaluated=report.time_evaluated,
            points_source=report.points_source,
            points_used=report.points_used,
            provider_locations=report.provider_locations,
            cells=len(report.cells),
            cells_passed=passed,
            cells_failed=len(report.cells) - passed,
            passed=report.passed,
        )

    @described("The audited networks (the plan's, with planId).")
    async def networks(self, info: ApiInfo) -> list[NetworkType]:
        found = await load_present(info.context.loaders.networks, [str(n) for n in self.network_ids])
        return [NetworkType.from_domain(n) for n in found]


@strawberry.type(
    name="NetworkAdequacy",
    description="A CMS 42 CFR 422.116 distance and minimum-number audit of a network in an area.",
)
class NetworkAdequacyType:
    summary: AdequacySummaryType
    notices: list[str] = strawberry.field(description="what qualifies the numbers; read them")
    cells: AdequacyCellConnectionType = strawberry.field(description="one page (first / after)")
    gaps: list[AdequacyGapType] = strawberry.field(description="every failing cell, with recruitment targets")

    @classmethod
    def from_domain(cls, report: AdequacyReport, first: int, after: SortKey | None) -> NetworkAdequacyType:
        evaluated = report.time_evaluated
        cells = {(c.county_fips, c.specialty_type): c for c in report.cells}
        return cls(
            summary=AdequacySummaryType.from_domain(report),
            notices=[*report.notices, API_POINTS_NOTICE],
            cells=AdequacyCellConnectionType.from_cells(report.cells, first, after, evaluated),
            gaps=[
                AdequacyGapType.from_domain(
                    g, AdequacyCellType.from_domain(cells[g.county_fips, g.specialty_type], evaluated)
                )
                for g in report.gaps
            ],
        )
