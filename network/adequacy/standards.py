"""Network adequacy standards as data: a folder per year (or per state), loaded without code changes.

A standards folder holds the three files shipped for CMS 42 CFR 422.116 in
``network/data/cms_422_116/2025`` (see ``network/data/SOURCES.md``):

- ``time_distance.csv``: base maximum minutes and miles per specialty type and county designation;
- ``minimum_ratios.csv``: minimum providers per 1,000 beneficiaries per type and designation;
- ``rules.json``: access thresholds per designation and the telehealth credit.

It may also hold its own ``nucc_cms_specialty_map.csv`` (NUCC code -> type) when its types differ from
CMS's; otherwise the shipped map (:func:`network.specialties.reference`) applies.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from network.errors import DataError, InvalidInput
from network.model import CountyDesignation
from network.specialties import reference

DEFAULT_STANDARDS = ("cms_422_116", "2025")

# Column prefix of each designation in time_distance.csv / minimum_ratios.csv.
_COLUMN = {
    CountyDesignation.LARGE_METRO: "large_metro",
    CountyDesignation.METRO: "metro",
    CountyDesignation.MICRO: "micro",
    CountyDesignation.RURAL: "rural",
    CountyDesignation.CEAC: "ceac",
}


@dataclass(frozen=True, slots=True)
class Limit:
    """The maximum time and distance that apply to one county and type, and where they came from."""

    minutes: float | None
    miles: float
    source: str  # "base" or "county override"


@dataclass(frozen=True, slots=True)
class TypeStandard:
    name: str
    kind: str  # "provider" or "facility"
    minutes: dict[CountyDesignation, float]
    miles: dict[CountyDesignation, float]
    ratio: dict[CountyDesignation, Decimal] = field(default_factory=dict)
    ratio_unit: str | None = None


@dataclass(frozen=True, slots=True)
class Standards:
    source: str
    regulation: str
    contract_year: int | None
    types: dict[str, TypeStandard]
    thresholds: dict[CountyDesignation, float]  # share of beneficiaries, 0-1
    telehealth_points: float
    telehealth_types: frozenset[str]
    specialty_map: dict[str, str]  # NUCC code -> type

    def type_names(self, kind: str | None = None) -> tuple[str, ...]:
        return tuple(t.name for t in self.types.values() if kind is None or t.kind == kind)

    def resolve_type(self, name: str) -> str:
        """The canonical name of a specialty type, matched case-insensitively."""
        by_fold = {n.casefold(): n for n in self.types}
        hit = by_fold.get(name.strip().casefold())
        if hit is not None:
            return hit
        close = difflib.get_close_matches(name, list(self.types), n=5, cutoff=0.4)
        raise InvalidInput(
            f"unknown specialty type {name!r} in standards {self.source}",
            field="specialty_types",
            suggestions=close,
        )

    def threshold_pct(self, designation: CountyDesignation) -> float:
        return 100.0 * self.thresholds[designation]

    def telehealth_credit_pct(self, type_name: str, has_telehealth: bool) -> float:
        return self.telehealth_points if has_telehealth and type_name in self.telehealth_types else 0.0

    def minimum_required(
        self, type_name: str, designation: CountyDesignation, beneficiaries_required: int | None
    ) -> int | None:
        """ceil(ratio x beneficiaries required to cover / 1,000), in exact decimal arithmetic.

        None when the type has no ratio (facility types but beds) or the county has no beneficiary count.
        """
        ratio = self.types[type_name].ratio.get(designation)
        if ratio is None or beneficiaries_required is None:
            return None
        return math.ceil(ratio * Decimal(beneficiaries_required) / Decimal(1000))

    def limit(
        self, type_name: str, designation: CountyDesignation, overrides: dict[str, Any] | None = None
    ) -> Limit:
        """The county's own time/distance for the type when it has one, else the base table's."""
        std = self.types[type_name]
        minutes: float | None = std.minutes[designation]
        miles = std.miles[designation]
        override = (overrides or {}).get(type_name)
        if override is None:
            return Limit(minutes, miles, "base")
        o_minutes, o_miles = override
        return Limit(
            float(o_minutes) if o_minutes is not None else minutes,
            float(o_miles) if o_miles is not None else miles,
            "county override",
        )


def parse_designation(raw: str) -> CountyDesignation | None:
    """A designation from the HSD spelling in any case (``LARGE METRO``, ``large_metro``, ``Ceac``)."""
    folded = " ".join(raw.replace("_", " ").split()).casefold()
    for d in CountyDesignation:
        if d.value.casefold() == folded:
            return d
    return None


def load_standards(directory: Path | None = None) -> Standards:
    """Standards from a folder, or pnet's shipped CMS 422.116 contract-year-2025 set when None."""
    if directory is None:
        return _default()
    if not directory.is_dir():
        raise InvalidInput(f"standards folder {directory} does not exist", field="standards")
    return _load(directory, str(directory))


@cache
def _default() -> Standards:
    folder = resources.files("network").joinpath("data", *DEFAULT_STANDARDS)
    return _load(folder, "/".join(("network/data", *DEFAULT_STANDARDS)))


def _load(folder: Path | Traversable, label: str) -> Standards:
    td = _rows(folder, "time_distance.csv", label)
    ratios = {r["specialty_type"].strip(): r for r in _rows(folder, "minimum_ratios.csv", label)}
    rules = _rules(folder, label)
    types: dict[str, TypeStandard] = {}
    for row in td:
        name = row["specialty_type"].strip()
        ratio_row = ratios.get(name)
        types[name] = TypeStandard(
            name=name,
            kind=(row.get("kind") or "provider").strip(),
            minutes={d: _number(row, f"{c}_minutes", label) for d, c in _COLUMN.items()},
            miles={d: _number(row, f"{c}_miles", label) for d, c in _COLUMN.items()},
            ratio={d: _decimal(ratio_row, c, label) for d, c in _COLUMN.items()} if ratio_row else {},
            ratio_unit=(ratio_row.get("unit") or None) if ratio_row else None,
        )
    unknown_ratio = sorted(set(ratios) - set(types))
    if unknown_ratio:
        raise DataError(
            f"{label}/minimum_ratios.csv names types absent from time_distance.csv: {unknown_ratio}"
        )
    thresholds = {d: float(rules["access_thresholds"][d.value]) for d in CountyDesignation}
    credit = rules.get("telehealth_credit") or {}
    local_map = _optional_rows(folder, "nucc_cms_specialty_map.csv")
    specialty_map = (
        {r["nucc_code"].strip(): r["cms_specialty_type"].strip() for r in local_map}
        if local_map is not None
        else dict(reference().cms_type_of)
    )
    return Standards(
        source=label,
        regulation=str(rules.get("regulation", "")),
        contract_year=rules.get("contract_year"),
        types=types,
        thresholds=thresholds,
        telehealth_points=float(credit.get("percentage_points", 0)),
        telehealth_types=frozenset(credit.get("eligible_specialty_types", ())),
        specialty_map=specialty_map,
    )


def _text(folder: Path | Traversable, name: str, label: str) -> str:
    try:
        return folder.joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise DataError(f"standards {label}: cannot read {name} ({exc})") from exc


def _rows(folder: Path | Traversable, name: str, label: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(folder, name, label))))


def _optional_rows(folder: Path | Traversable, name: str) -> list[dict[str, str]] | None:
    target = folder.joinpath(name)
    if not target.is_file():
        return None
    return list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))


def _rules(folder: Path | Traversable, label: str) -> dict[str, Any]:
    try:
        rules: dict[str, Any] = json.loads(_text(folder, "rules.json", label))
    except json.JSONDecodeError as exc:
        raise DataError(f"standards {label}: rules.json is not JSON ({exc})") from exc
    missing = [d.value for d in CountyDesignation if d.value not in rules.get("access_thresholds", {})]
    if missing:
        raise DataError(f"standards {label}: rules.json access_thresholds lacks {missing}")
    return rules


def _number(row: dict[str, str], column: str, label: str) -> float:
    try:
        return float(row[column])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(
            f"standards {label}: {row.get('specialty_type')!r} has no number in {column}"
        ) from exc


def _decimal(row: dict[str, str], column: str, label: str) -> Decimal:
    try:
        return Decimal(row[column].strip())
    except (KeyError, AttributeError, InvalidOperation) as exc:
        raise DataError(f"standards {label}: {row.get('specialty_type')!r} has no ratio in {column}") from exc
