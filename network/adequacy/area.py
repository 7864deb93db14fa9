"""The audit area: counties and their limits, and the lat/lon boxes the store reads are bounded by."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from network.adequacy.core import Floats
from network.adequacy.standards import Limit, Standards, parse_designation
from network.geo import EARTH_RADIUS_MILES
from network.model import County, CountyDesignation
from network.store.rows import BBox


@dataclass(frozen=True, slots=True)
class AuditCounty:
    county: County
    designation: CountyDesignation
    overrides: dict[str, Any]


@dataclass(slots=True)
class LimitTable:
    """Per county (rows) and type (columns): the Limit that applies, and its miles as a matrix."""

    limits: list[list[Limit]]
    miles: Floats
    notices: list[str] = field(default_factory=list)


def audit_county(county: County) -> AuditCounty | str:
    """The county ready to audit, or why it cannot be (a reason for the report)."""
    designation = parse_designation(county.designation or "")
    if designation is None:
        return "no CMS county designation: load the HSD county reference with `pnet load counties`"
    try:
        overrides = json.loads(county.overrides_json) if county.overrides_json else {}
    except json.JSONDecodeError:
        return "its per-county time/distance overrides are not valid JSON"
    return AuditCounty(county, designation, overrides if isinstance(overrides, dict) else {})


def limit_table(counties: list[AuditCounty], types: list[str], standards: Standards) -> LimitTable:
    limits = [[standards.limit(t, c.designation, c.overrides) for t in types] for c in counties]
    miles = np.array([[lim.miles for lim in row] for row in limits], dtype=float).reshape(
        len(counties), len(types)
    )
    table = LimitTable(limits, miles)
    unknown = sorted({name for c in counties for name in c.overrides if name not in standards.types})
    if unknown:
        table.notices.append(
            "County overrides name types these standards do not have, so they were ignored: "
            f"{', '.join(unknown)}."
        )
    return table


def audit_boxes(lat: Floats, lon: Floats, reach_miles: float) -> list[BBox]:
    """Boxes holding every location within ``reach_miles`` of some point (split at the 180th meridian)."""
    if not len(lat):
        return []
    angle = min(math.pi, (reach_miles * 1.001 + 0.1) / EARTH_RADIUS_MILES)
    dlat = math.degrees(angle)
    south, north = max(-90.0, float(lat.min()) - dlat), min(90.0, float(lat.max()) + dlat)
    cos_edge = math.cos(math.radians(max(abs(south), abs(north))))
    ratio = math.sin(angle) / cos_edge if cos_edge > 1e-9 else 2.0
    dlon = 180.0 if ratio >= 1 or angle >= math.pi / 2 else math.degrees(math.asin(ratio))
    west, east = float(lon.min()) - dlon, float(lon.max()) + dlon
    if east - west >= 360:
        return [BBox(south, -180.0, north, 180.0)]
    if west < -180:
        return [BBox(south, west + 360, north, 180.0), BBox(south, -180.0, north, east)]
    if east > 180:
        return [BBox(south, west, north, 180.0), BBox(south, -180.0, north, east - 360)]
    return [BBox(south, west, north, east)]
