"""What an adequacy audit is asked and what it answers: plain dataclasses, for the CLI and GraphQL alike."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

TIME_NOT_EVALUATED = (
    "Time standards were NOT evaluated: no travel-time source is configured. Only the distance standard "
    "was checked; a county can pass here and still fail CMS's time test."
)


@dataclass(frozen=True, slots=True)
class AdequacyRequest:
    """One audit: a network (or a plan's networks), a day, an area, some or all specialty types."""

    as_of: str
    network_ids: tuple[str, ...] = ()
    plan_id: str | None = None
    state: str | None = None
    county_fips: tuple[str, ...] = ()  # empty: every county of ``state``
    specialty_types: tuple[str, ...] = ()  # empty: every provider type of the standards
    points_path: Path | None = None  # beneficiary sample points CSV; None: ZIP centroids
    detour_factor: float = 1.0
    standards_dir: Path | None = None  # None: pnet's shipped CMS 422.116 standards
    max_targets: int = 10  # recruitment targets listed per failing cell


@dataclass(frozen=True, slots=True)
class CellResult:
    """One county x specialty type. Percentages are 0-100; ``points`` are sums of point weights."""

    county_fips: str
    county_name: str
    state: str
    designation: str
    specialty_type: str
    max_distance_miles: float
    max_time_minutes: float | None
    limit_source: str  # "base" or "county override"
    points: float
    points_count: int
    points_with_access: float
    pct_with_access: float | None  # None when the county has no sample point
    telehealth_credit_pct: float
    threshold_pct: float
    access_pass: bool
    providers_counted: int
    minimum_required: int | None  # None: the type has no ratio or the county no beneficiary count
    minimum_pass: bool | None
    passed: bool  # access and minimum both pass (a minimum that cannot be evaluated is not a failure)


@dataclass(frozen=True, slots=True)
class RecruitmentTarget:
    """A practitioner outside the audited networks whose contracting would add access, in greedy order."""

    npi: str
    name: str
    location_id: str
    lat: float
    lon: float
    specialty_codes: tuple[str, ...]
    covers: float  # weight of the cell's points without access within the limit of this practitioner
    adds: float  # the part of ``covers`` not already covered by the targets listed before it
    pct_after: float  # the cell's access share (0-100, telehealth credit included) after these targets
    reason: str  # "access" or "minimum"


@dataclass(frozen=True, slots=True)
class Gap:
    county_fips: str
    specialty_type: str
    points_without_access: float
    points_count_without_access: int
    nearest_miles_min: float | None  # detour-applied miles to the nearest in-network provider, for them
    nearest_miles_median: float | None
    nearest_miles_max: float | None
    minimum_shortfall: int
    targets: tuple[RecruitmentTarget, ...] = ()
    closes_access_gap: bool = False
    closes_minimum_gap: bool = False


@dataclass(frozen=True, slots=True)
class SkippedCounty:
    fips: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class PointProblem:
    """A sample-points row that was not used: its line, field and why (never its values: personal data)."""

    line: int
    field: str
    reason: str


@dataclass(slots=True)
class AuditMap:
    """What the HTML map draws; never serialised to JSON (points may be members' homes)."""

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    covered: npt.NDArray[np.bool_]  # points x types
    types: tuple[str, ...]
    provider_lat: npt.NDArray[np.float64]
    provider_lon: npt.NDArray[np.float64]
    provider_type: npt.NDArray[np.intp]  # index into ``types``
    personal: bool
    county_names: dict[str, tuple[float, float]] = field(
        default_factory=dict
    )  # name -> label position  # points came from a member file: drawn rounded to 0.01 degree


@dataclass(frozen=True, slots=True)
class AdequacyReport:
    generated_at: str
    as_of: str
    network_ids: tuple[str, ...]
    plan_id: str | None
    state: str | None
    counties: tuple[str, ...]
    specialty_types: tuple[str, ...]
    standards: str
    regulation: str
    contract_year: int | None
    detour_factor: float
    time_evaluated: bool
    notices: tuple[str, ...]
    points_source: str
    points_used: int
    points_rejected: int
    points_outside: int
    point_problems: tuple[PointProblem, ...]
    provider_locations: int  # in-network, in-effect participation x location rows in the audit area
    cells: tuple[CellResult, ...]
    gaps: tuple[Gap, ...]
    skipped_counties: tuple[SkippedCounty, ...] = ()
    map: AuditMap | None = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return bool(self.cells) and all(c.passed for c in self.cells)

    def cell(self, county_fips: str, specialty_type: str) -> CellResult:
        for c in self.cells:
            if c.county_fips == county_fips and c.specialty_type == specialty_type:
                return c
        raise KeyError((county_fips, specialty_type))

    def gap(self, county_fips: str, specialty_type: str) -> Gap | None:
        for g in self.gaps:
            if g.county_fips == county_fips and g.specialty_type == specialty_type:
                return g
        return None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready content; the map (point coordinates) is left out on purpose."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "map"}
        return _plain(out)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
