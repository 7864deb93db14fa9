"""Beneficiary sample points: a CSV given to one audit, or the ZIP centroids of each county.

The CSV holds personal data (where members live). It is read into arrays for the audit and nothing more:
never written to the graph, never logged, and a bad row is reported by line, field and reason only,
never by its value. Columns: ``id,lat,lon,county_fips,weight`` or ``id,zip,county_fips,weight``
(``county_fips`` may be left out with ``zip``: the ZIP's county is used; ``weight`` defaults to 1).
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from network.adequacy.model import PointProblem
from network.errors import DataError
from network.geo import all_zip_centroids, in_us, normalize_zip, zip_centroid

MAX_PROBLEMS_KEPT = 200


@dataclass(slots=True)
class SamplePoints:
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]
    county_fips: list[str]
    source: str  # "file" or "zip_centroids"
    note: str
    rows_read: int = 0
    outside: int = 0  # usable rows whose county is not audited
    rejected: int = 0
    problems: list[PointProblem] = field(default_factory=list)

    @property
    def personal(self) -> bool:
        return self.source == "file"

    def __len__(self) -> int:
        return len(self.lat)


def zip_centroid_points(counties: Collection[str]) -> SamplePoints:
    """One point of weight 1 per ZIP centroid in each audited county (no member data needed)."""
    wanted = set(counties)
    hits = sorted((z for z in all_zip_centroids() if z.county_fips in wanted), key=lambda z: z.zip5)
    return SamplePoints(
        lat=np.array([z.lat for z in hits], dtype=float),
        lon=np.array([z.lon for z in hits], dtype=float),
        weight=np.ones(len(hits)),
        county_fips=[str(z.county_fips) for z in hits],
        source="zip_centroids",
        note=(
            "No beneficiary sample points were given: each county is represented by the centroids of its "
            "ZIP codes (weight 1 each), not by where beneficiaries live."
        ),
        rows_read=len(hits),
    )


def read_points(path: Path, counties: Collection[str]) -> SamplePoints:
    """Sample points from a CSV file, keeping those in the audited counties."""
    wanted = set(counties)
    lats: list[float] = []
    lons: list[float] = []
    weights: list[float] = []
    fips: list[str] = []
    out = SamplePoints(np.zeros(0), np.zeros(0), np.zeros(0), [], "file", f"Sample points from {path.name}.")
    for line, row in _rows(path):
        out.rows_read += 1
        parsed = _parse(row, line)
        if isinstance(parsed, PointProblem):
            out.rejected += 1
            if len(out.problems) < MAX_PROBLEMS_KEPT:
                out.problems.append(parsed)
            continue
        lat, lon, weight, county = parsed
        if county not in wanted:
            out.outside += 1
            continue
        lats.append(lat)
        lons.append(lon)
        weights.append(weight)
        fips.append(county)
    out.lat, out.lon, out.weight = np.array(lats), np.array(lons), np.array(weights)
    out.county_fips = fips
    return out


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DataError(f"{path}: cannot open the sample points ({exc.strerror})") from exc
    with fh:
        reader = csv.DictReader(fh)
        header = {(h or "").strip().lower() for h in reader.fieldnames or []}
        has_point = {"lat", "lon"} <= header
        if "id" not in header or not (has_point or "zip" in header):
            raise DataError(
                f"{path}: sample points need columns id and lat,lon (or zip); see docs/adequacy.md"
            )
        if has_point and "zip" not in header and "county_fips" not in header:
            raise DataError(f"{path}: sample points given by lat,lon need a county_fips column")
        line = reader.line_num
        for row in reader:
            yield line + 1, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            line = reader.line_num


def _parse(row: dict[str, str], line: int) -> tuple[float, float, float, str] | PointProblem:
    weight = 1.0
    if row.get("weight"):
        try:
            weight = float(row["weight"])
        except ValueError:
            return PointProblem(line, "weight", "not a number")
        if not np.isfinite(weight) or weight <= 0:
            return PointProblem(line, "weight", "must be a positive number")
    county = _fips(row.get("county_fips", ""))
    if row.get("county_fips") and county is None:
        return PointProblem(line, "county_fips", "not a 5-digit county FIPS code")
    if row.get("lat") or row.get("lon"):
        try:
            lat, lon = float(row.get("lat", "")), float(row.get("lon", ""))
        except ValueError:
            return PointProblem(line, "lat/lon", "not a number")
        if not in_us(lat, lon):
            return PointProblem(line, "lat/lon", "outside the United States (swapped or unsigned?)")
        if county is None:
            return PointProblem(line, "county_fips", "required with lat/lon")
        return lat, lon, weight, county
    zip5 = normalize_zip(row.get("zip"))
    centroid = zip_centroid(zip5) if zip5 else None
    if centroid is None or centroid.precision != "zip_centroid":  # a 3-digit area is too coarse for a member
        return PointProblem(line, "zip", "no usable lat/lon and the ZIP is unknown")
    county = county or centroid.county_fips
    if county is None:
        return PointProblem(line, "county_fips", "the ZIP spans several counties: give county_fips")
    return centroid.lat, centroid.lon, weight, county


def _fips(raw: str) -> str | None:
    digits = raw.strip()
    if not digits.isdigit() or len(digits) not in (4, 5):
        return None
    return digits.zfill(5)  # a spreadsheet drops the leading zero of 09003
