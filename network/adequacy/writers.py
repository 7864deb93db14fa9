"""Report files: ``adequacy.csv`` (one row per county x specialty type), ``adequacy.json`` and
``adequacy.html`` (see :mod:`network.adequacy.html`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from network.adequacy.html import render_html
from network.adequacy.model import AdequacyReport, CellResult

CSV_COLUMNS = (
    "county_fips",
    "county_name",
    "state",
    "designation",
    "specialty_type",
    "max_distance_miles",
    "max_time_minutes",
    "time_evaluated",
    "limit_source",
    "points",
    "points_count",
    "points_with_access",
    "pct_with_access",
    "telehealth_credit_pct",
    "threshold_pct",
    "access_pass",
    "providers_counted",
    "minimum_required",
    "minimum_pass",
    "pass",
)


def fmt(value: object) -> str:
    """CSV cells: booleans as true/false, whole numbers without a decimal point, others to 4 decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0")
    return str(value)


def csv_row(cell: CellResult) -> list[str]:
    values: dict[str, object] = {
        "county_fips": cell.county_fips,
        "county_name": cell.county_name,
        "state": cell.state,
        "designation": cell.designation,
        "specialty_type": cell.specialty_type,
        "max_distance_miles": cell.max_distance_miles,
        "max_time_minutes": cell.max_time_minutes,
        "time_evaluated": False,
        "limit_source": cell.limit_source,
        "points": cell.points,
        "points_count": cell.points_count,
        "points_with_access": cell.points_with_access,
        "pct_with_access": cell.pct_with_access,
        "telehealth_credit_pct": cell.telehealth_credit_pct,
        "threshold_pct": cell.threshold_pct,
        "access_pass": cell.access_pass,
        "providers_counted": cell.providers_counted,
        "minimum_required": cell.minimum_required,
        "minimum_pass": cell.minimum_pass,
        "pass": cell.passed,
    }
    return [fmt(values[c]) for c in CSV_COLUMNS]


def write_csv(report: AdequacyReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for cell in report.cells:
            writer.writerow(csv_row(cell))


def write_json(report: AdequacyReport, path: Path) -> None:
    path.write_text(json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_reports(report: AdequacyReport, out_dir: Path) -> dict[str, Path]:
    """Write the three reports into ``out_dir`` (created if needed); returns their paths by format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {fmt_: out_dir / f"adequacy.{fmt_}" for fmt_ in ("csv", "json", "html")}
    write_csv(report, paths["csv"])
    write_json(report, paths["json"])
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
