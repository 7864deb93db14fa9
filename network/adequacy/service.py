"""The adequacy audit as a service: store reads in, an :class:`AdequacyReport` out (CLI and GraphQL).

Reads are bounded by the audit area: the sample points' box widened by the largest maximum distance,
answered by the stores' spatial indexes. The arithmetic is :mod:`network.adequacy.core`'s, type by type.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from network.adequacy.area import AuditCounty, LimitTable, audit_boxes, audit_county, limit_table
from network.adequacy.core import PointIndex, PointSet, ProviderSet, TypeAudit, audit_type
from network.adequacy.gaps import GapFinder, PendingGap
from network.adequacy.model import (
    AdequacyReport,
    AdequacyRequest,
    CellResult,
    SkippedCounty,
)
from network.adequacy.points import read_points, zip_centroid_points
from network.adequacy.reporting import audit_map, notices
from network.adequacy.standards import Standards, load_standards
from network.errors import InvalidInput, NotFound
from network.model import County, Label, Plan
from network.store.base import GraphStore
from network.store.rows import AdequacyProviderRow, BBox
from network.validate import US_STATES

Progress = Callable[[int, int], None]
PCT_TOLERANCE = 1e-9


def audit_adequacy(
    store: GraphStore, request: AdequacyRequest, progress: Progress | None = None
) -> AdequacyReport:
    """Run one audit. Raises InvalidInput / NotFound for a request that cannot be audited."""
    if request.detour_factor <= 0:
        raise InvalidInput("the detour factor must be positive", field="detour_factor")
    standards = load_standards(request.standards_dir)
    networks = _networks(store, request)
    types = [standards.resolve_type(t) for t in request.specialty_types] or list(
        standards.type_names("provider")
    )
    counties, skipped = _counties(store, request)
    fips = [c.county.fips for c in counties]
    points = read_points(request.points_path, fips) if request.points_path else zip_centroid_points(fips)
    index_of = {f: i for i, f in enumerate(fips)}
    pointset = PointSet(
        points.lat,
        points.lon,
        points.weight,
        np.array([index_of[f] for f in points.county_fips], dtype=np.intp),
        len(fips),
    )
    table = limit_table(counties, types, standards)
    reach = float(np.nanmax(table.miles)) / request.detour_factor if table.miles.size else 0.0
    boxes = audit_boxes(points.lat, points.lon, reach)
    rows = _provider_rows(store, networks, request.as_of, boxes)
    type_of = [_type_of(r, standards) for r in rows]
    telehealth = {t for r, t in zip(rows, type_of, strict=True) if t is not None and r.telehealth}
    npi_ids = np.unique([r.npi for r in rows], return_inverse=True)[1] if rows else np.zeros(0, dtype=np.intp)
    row_lat = np.array([r.lat for r in rows], dtype=float)
    row_lon = np.array([r.lon for r in rows], dtype=float)
    position = {name: i for i, name in enumerate(types)}
    row_type = np.array([position.get(t, -1) if t else -1 for t in type_of], dtype=np.intp)
    index = PointIndex(pointset)
    covered = np.zeros((len(points), len(types)), dtype=bool)
    cells: list[CellResult] = []
    pending: list[PendingGap] = []
    for t, name in enumerate(types):
        mask = row_type == t
        providers = ProviderSet(row_lat[mask], row_lon[mask], npi_ids[mask].astype(np.intp))
        result = audit_type(pointset, table.miles[:, t], providers, request.detour_factor, index)
        covered[:, t] = result.covered
        credit = standards.telehealth_credit_pct(name, name in telehealth)
        for c, county in enumerate(counties):
            cell = _cell(county, name, c, t, table, result, standards, credit)
            cells.append(cell)
            members = index.counties[c]
            if not cell.passed and members is not None:
                m = members.members
                pending.append(PendingGap(cell, m, result.nearest_miles[m], result.covered[m]))
        if progress is not None:
            progress(t + 1, len(types))
    finder = GapFinder(store, networks, request, pointset, rows, boxes, standards)
    gaps = finder.find(pending)
    return AdequacyReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        as_of=request.as_of,
        network_ids=tuple(networks),
        plan_id=request.plan_id,
        state=request.state,
        counties=tuple(fips),
        specialty_types=tuple(types),
        standards=standards.source,
        regulation=standards.regulation,
        contract_year=standards.contract_year,
        detour_factor=request.detour_factor,
        time_evaluated=False,
        notices=tuple(notices(request, points, table, rows, type_of, telehealth, standards, cells)),
        points_source=points.source,
        points_used=len(points),
        points_rejected=points.rejected,
        points_outside=points.outside,
        point_problems=tuple(points.problems),
        provider_locations=sum(1 for x in type_of if x is not None),
        cells=tuple(cells),
        gaps=tuple(gaps),
        skipped_counties=tuple(skipped),
        map=audit_map(points, pointset, [c.county.name for c in counties], covered, types, rows, type_of),
    )


def _networks(store: GraphStore, request: AdequacyRequest) -> list[str]:
    networks = list(dict.fromkeys(request.network_ids))
    if request.plan_id is not None:
        plan = store.get(Label.PLAN, request.plan_id)
        if not isinstance(plan, Plan):
            raise NotFound("plan", request.plan_id)
        networks += [n for n in plan.network_ids if n not in networks]
    if not networks:
        raise InvalidInput("give a network or a plan (with networks) to audit", field="network")
    missing = sorted(set(networks) - store.existing_keys(Label.NETWORK, networks))
    if missing:
        raise NotFound("network", missing[0])
    return networks


def _counties(store: GraphStore, request: AdequacyRequest) -> tuple[list[AuditCounty], list[SkippedCounty]]:
    if request.county_fips:
        found = store.get_many(Label.COUNTY, request.county_fips)
        missing = [f for f in request.county_fips if f not in found]
        if missing:
            raise NotFound("county", missing[0])
        records = [r for r in (found[f] for f in dict.fromkeys(request.county_fips)) if isinstance(r, County)]
        if request.state:
            records = [r for r in records if r.state == request.state.upper()]
    elif request.state:
        state = request.state.strip().upper()
        if state not in US_STATES:
            raise InvalidInput(f"unknown state {request.state!r}", field="state")
        records = store.counties_in_states([state])
        if not records:
            raise NotFound("counties of state", state)
    else:
        raise InvalidInput("give a state or a list of counties to audit", field="state")
    audit: list[AuditCounty] = []
    skipped: list[SkippedCounty] = []
    for record in records:
        ready = audit_county(record)
        if isinstance(ready, str):
            skipped.append(SkippedCounty(record.fips, record.name, ready))
        else:
            audit.append(ready)
    return audit, skipped


def _provider_rows(
    store: GraphStore, networks: list[str], as_of: str, boxes: list[BBox]
) -> list[AdequacyProviderRow]:
    seen: dict[tuple[str, str], AdequacyProviderRow] = {}
    for box in boxes:
        for row in store.adequacy_providers(networks, as_of, box):
            if row.active:
                seen.setdefault((row.participation_id, row.location_id), row)
    return [seen[k] for k in sorted(seen)]


def _type_of(row: AdequacyProviderRow, standards: Standards) -> str | None:
    """The participation's specialty decides; the practitioner's primary only when it names none."""
    code = row.specialty_code if row.specialty_code is not None else row.primary_specialty
    return standards.specialty_map.get(code) if code is not None else None


def _cell(
    county: AuditCounty,
    name: str,
    c: int,
    t: int,
    table: LimitTable,
    result: TypeAudit,
    standards: Standards,
    credit: float,
) -> CellResult:
    limit = table.limits[c][t]
    weight, with_access = float(result.points_weight[c]), float(result.covered_weight[c])
    pct = 100.0 * with_access / weight if weight > 0 else None
    threshold = standards.threshold_pct(county.designation)
    access_pass = pct is not None and pct + credit >= threshold - PCT_TOLERANCE
    minimum = standards.minimum_required(name, county.designation, county.county.beneficiaries_required)
    counted = int(result.providers_counted[c])
    minimum_pass = None if minimum is None else counted >= minimum
    return CellResult(
        county_fips=county.county.fips,
        county_name=county.county.name,
        state=county.county.state,
        designation=county.designation.value,
        specialty_type=name,
        max_distance_miles=limit.miles,
        max_time_minutes=limit.minutes,
        limit_source=limit.source,
        points=weight,
        points_count=int(result.points_count[c]),
        points_with_access=with_access,
        pct_with_access=pct,
        telehealth_credit_pct=credit,
        threshold_pct=threshold,
        access_pass=access_pass,
        providers_counted=counted,
        minimum_required=minimum,
        minimum_pass=minimum_pass,
        passed=access_pass and minimum_pass is not False,
    )
