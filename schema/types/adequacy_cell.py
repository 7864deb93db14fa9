"""``AdequacyCell``: one county x specialty type of an audit, and the cursor-paged connection of them.

Cells are ordered by county FIPS, then specialty type; a cursor names the last cell seen by that key,
so the next page starts strictly after it (see :mod:`network.services.paging`).
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from network.adequacy import CellResult
from network.services.paging import SortKey, decode_cursor, encode_cursor, page_after
from schema.types.paging import PageInfoType

CURSOR_TAG = "adequacy:cells"


def cell_key(cell: CellResult) -> SortKey:
    return (cell.county_fips, cell.specialty_type)


def decode_cell_cursor(after: str | None) -> SortKey | None:
    """The key an ``after`` cursor names; InvalidInput when it is not a cursor of these cells."""
    return tuple(decode_cursor(after, CURSOR_TAG, (str, str))) if after else None


@strawberry.type(name="AdequacyCell", description="One county x specialty type; percentages are 0-100.")
class AdequacyCellType:
    county_fips: str
    county_name: str
    state: str
    designation: str = strawberry.field(description="Large Metro, Metro, Micro, Rural or CEAC")
    specialty_type: str
    max_distance_miles: float
    max_time_minutes: float | None = strawberry.field(description="the standard; never evaluated")
    time_evaluated: bool = strawberry.field(description="always false: pnet has no travel-time source")
    limit_source: str = strawberry.field(description="base or county override")
    points: float = strawberry.field(description="sum of the sample points' weights")
    points_count: int
    points_with_access: float = strawberry.field(description="weight of the points within maxDistanceMiles")
    pct_with_access: float | None = strawberry.field(description="null when the county has no sample point")
    telehealth_credit_pct: float
    threshold_pct: float
    access_pass: bool = strawberry.field(description="pctWithAccess + telehealthCreditPct >= thresholdPct")
    providers_counted: int = strawberry.field(
        description="distinct in-network NPIs of the type within reach of a sample point"
    )
    minimum_required: int | None = strawberry.field(
        description="null: the type has no ratio or the county no beneficiary count"
    )
    minimum_pass: bool | None
    passed: bool = strawberry.field(description="access passes and the minimum does not fail")

    @classmethod
    def from_domain(cls, cell: CellResult, time_evaluated: bool) -> AdequacyCellType:
        return cls(
            county_fips=cell.county_fips,
            county_name=cell.county_name,
            state=cell.state,
            designation=cell.designation,
            specialty_type=cell.specialty_type,
            max_distance_miles=cell.max_distance_miles,
            max_time_minutes=cell.max_time_minutes,
            time_evaluated=time_evaluated,
            limit_source=cell.limit_source,
            points=cell.points,
            points_count=cell.points_count,
            points_with_access=cell.points_with_access,
            pct_with_access=cell.pct_with_access,
            telehealth_credit_pct=cell.telehealth_credit_pct,
            threshold_pct=cell.threshold_pct,
            access_pass=cell.access_pass,
            providers_counted=cell.providers_counted,
            minimum_required=cell.minimum_required,
            minimum_pass=cell.minimum_pass,
            passed=cell.passed,
        )


@strawberry.type(name="AdequacyCellEdge")
class AdequacyCellEdgeType:
    cursor: str
    node: AdequacyCellType


@strawberry.type(name="AdequacyCellConnection", description="Cells by county FIPS, then specialty type.")
class AdequacyCellConnectionType:
    total_count: int
    edges: list[AdequacyCellEdgeType]
    page_info: PageInfoType

    @classmethod
    def from_cells(
        cls, cells: Sequence[CellResult], first: int, after: SortKey | None, time_evaluated: bool
    ) -> AdequacyCellConnectionType:
        page = page_after(sorted(cells, key=cell_key), cell_key, after, first)
        cursors = [encode_cursor(CURSOR_TAG, cell_key(c)) for c in page.items]
        return cls(
            total_count=page.total_count,
            edges=[
                AdequacyCellEdgeType(cursor=cursor, node=AdequacyCellType.from_domain(cell, time_evaluated))
                for cursor, cell in zip(cursors, page.items, strict=True)
            ],
            page_info=PageInfoType.from_cursors(
                cursors, has_next=page.has_next, has_previous=page.has_previous
            ),
        )
