"""``pnet load counties FILE``: the CMS MA HSD county reference (designations, beneficiaries, overrides).

The layout (``docs/formats.md``) is the HSD Reference File's, saved as CSV: ``COUNTY, ST,
COUNTY DESIGNATION, TOTAL BENEFICIARIES, 95th PERCENTILE BASE POPULATION RATIO, BENEFICIARIES REQUIRED TO
COVER``, optionally ``SSA CODE`` and/or ``FIPS`` columns, and per-county ``<Specialty Type> MAX TIME`` /
``<Specialty Type> MAX DISTANCE`` columns that override the base standards for that county. Headers
match in any case. ``COUNTY`` holds a name, an SSA code or a FIPS code; both codes are stored.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from loaders.csvfile import iter_dict_rows, read_header
from loaders.errors import UnreadableSource
from loaders.footprint import Footprint
from loaders.pipeline import Loader, Mapped, RawRow
from loaders.registry import SourceOptions
from loaders.report import Reject
from network.adequacy.crosswalk import (
    county_fips_by_name,
    county_names,
    crosswalk,
    known_county_fips,
    state_fips,
)
from network.adequacy.standards import load_standards, parse_designation
from network.model import County, Label
from network.validate import US_STATES

COUNTY, STATE, DESIGNATION = "COUNTY", "ST", "COUNTY DESIGNATION"
TOTAL, RATIO, REQUIRED = (
    "TOTAL BENEFICIARIES",
    "95TH PERCENTILE BASE POPULATION RATIO",
    "BENEFICIARIES REQUIRED TO COVER",
)
SSA_COLUMNS = ("SSA CODE", "SSA STATE COUNTY CODE", "SSA")
FIPS_COLUMNS = ("FIPS", "FIPS CODE", "COUNTY FIPS", "FIPS STATE COUNTY CODE")
REQUIRED_COLUMNS = (STATE, DESIGNATION, TOTAL, RATIO, REQUIRED)
_OVERRIDE = re.compile(r"^(?P<type>.+?)\s+MAX\s+(?P<what>TIME|DISTANCE)$")


def _norm(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).upper()


class _Reject(Protocol):
    def __call__(self, field: str, reason: str, value: str = "") -> None: ...


@dataclass(frozen=True, slots=True)
class Layout:
    """Which actual header holds each field (the file's own spelling)."""

    columns: dict[str, str]  # normalised name -> header as written
    overrides: dict[str, tuple[str | None, str | None]]  # type -> (time header, distance header)

    def get(self, row: dict[str, str | None], name: str) -> str:
        header = self.columns.get(name)
        return (row.get(header) or "").strip() if header else ""

    def first(self, row: dict[str, str | None], names: tuple[str, ...]) -> tuple[str, str]:
        for name in names:
            if name in self.columns:
                value = self.get(row, name)
                if value:
                    return name, value
        return "", ""


class CountiesLoader(Loader):
    source = "counties"
    footprint = Footprint(writes=frozenset({Label.COUNTY}))

    def __init__(self, standards_dir: Path | None = None) -> None:
        self._types = {t.casefold(): t for t in load_standards(standards_dir).types}
        self._layout: Layout | None = None

    def harvest(self, path: Path) -> Iterator[RawRow]:
        self._layout = self._read_layout(path)
        yield from iter_dict_rows(path)

    def _read_layout(self, path: Path) -> Layout:
        header = read_header(path)
        columns = {_norm(h): h for h in header}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if not any(c in columns for c in (COUNTY, *SSA_COLUMNS, *FIPS_COLUMNS)):
            missing.insert(0, COUNTY)
        if missing:
            raise UnreadableSource(f"{path}: not a CMS HSD county reference; missing column(s) {missing}")
        overrides: dict[str, list[str | None]] = {}
        unknown: list[str] = []
        for norm, actual in columns.items():
            m = _OVERRIDE.match(norm)
            if m is None:
                continue
            name = self._types.get(m["type"].casefold())
            if name is None:
                unknown.append(actual)
                continue
            slot = overrides.setdefault(name, [None, None])
            slot[0 if m["what"] == "TIME" else 1] = actual
        if unknown:
            close = {
                u: difflib.get_close_matches(u.rsplit(" MAX", 1)[0], list(self._types.values()), n=1)
                for u in unknown
            }
            raise UnreadableSource(
                f"{path}: override columns name no specialty type of the standards: "
                + "; ".join(f"{u!r}" + (f" (did you mean {c[0]!r}?)" if c else "") for u, c in close.items())
            )
        return Layout(columns, {k: (v[0], v[1]) for k, v in overrides.items()})

    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        layout = self._layout
        assert layout is not None  # harvest reads the header before yielding rows
        row: dict[str, str | None] = raw.data
        if "__error__" in row:
            return [Reject(raw.file, raw.line, "row", "unreadable CSV row", str(row["__error__"]))]
        rejects: list[Reject] = []

        def reject(field: str, reason: str, value: str = "") -> None:
            rejects.append(Reject(raw.file, raw.line, field, reason, value))

        state = layout.get(row, STATE).upper()
        if state not in US_STATES:
            reject(STATE, "not a US state or territory code", state)
        designation = parse_designation(layout.get(row, DESIGNATION))
        if designation is None:
            reject(DESIGNATION, "not Large Metro, Metro, Micro, Rural or CEAC", layout.get(row, DESIGNATION))
        total = _integer(layout.get(row, TOTAL), TOTAL, reject, required=False)
        ratio = _decimal(layout.get(row, RATIO), RATIO, reject)
        required = _integer(layout.get(row, REQUIRED), REQUIRED, reject, required=True)
        overrides = _overrides(row, layout, reject)
        identity = _identify(row, layout, state, reject) if state in US_STATES else None
        if rejects or identity is None or designation is None:
            return rejects or [Reject(raw.file, raw.line, COUNTY, "county not identified")]
        fips, ssa, name = identity
        county = County(
            fips=fips,
            name=name,
            state=state,
            ssa_code=ssa,
            designation=designation.value,
            total_beneficiaries=total,
            base_population_ratio=ratio,
            beneficiaries_required=required,
            overrides_json=json.dumps(overrides, sort_keys=True, separators=(",", ":"))
            if overrides
            else None,
        )
        return Mapped(raw.file, raw.line, county)


def _integer(raw: str, field: str, reject: _Reject, *, required: bool) -> int | None:
    if not raw:
        if required:
            reject(field, "required")
        return None
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        reject(field, "not a number", raw)
        return None
    if not math.isfinite(value):  # float() accepts "inf" and "nan"; a count never is
        reject(field, "not a number", raw)
        return None
    if value < 0 or value != int(value):
        reject(field, "must be a whole number >= 0", raw)
        return None
    return int(value)


def _decimal(raw: str, field: str, reject: _Reject) -> float | None:
    if not raw:
        return None
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        reject(field, "not a number", raw)
        return None
    if not math.isfinite(value):
        reject(field, "not a number", raw)
        return None
    if value < 0:
        reject(field, "must be >= 0", raw)
        return None
    return value


def _overrides(row: dict[str, str | None], layout: Layout, reject: _Reject) -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for name, headers in sorted(layout.overrides.items()):
        pair: list[float | None] = []
        for header in headers:
            raw = (row.get(header) or "").strip() if header else ""
            value = _decimal(raw, header or name, reject) if raw else None
            if value is not None and value <= 0:
                reject(header or name, "must be > 0", raw)
                value = None
            pair.append(value)
        if any(v is not None for v in pair):
            out[name] = pair
    return out


def _identify(
    row: dict[str, str | None], layout: Layout, state: str, reject: _Reject
) -> tuple[str, str | None, str] | None:
    """(fips, ssa code, name) from the FIPS / SSA CODE columns or COUNTY (a name or either code)."""
    xw = crosswalk()
    prefix = state_fips(state) or ""
    fips_col, fips_raw = layout.first(row, FIPS_COLUMNS)
    ssa_col, ssa_raw = layout.first(row, SSA_COLUMNS)
    county_raw = layout.get(row, COUNTY)
    fips: str | None = None
    ssa: str | None = None
    if fips_raw:
        fips = _code(fips_raw)
        if fips is None or fips not in known_county_fips() or not fips.startswith(prefix):
            reject(fips_col, f"not a county FIPS code of {state}", fips_raw)
            return None
    if ssa_raw:
        ssa = _code(ssa_raw)
        if ssa is None or not xw.is_ssa(ssa, state):
            reject(ssa_col, f"unknown SSA county code for {state} (not in the SSA-FIPS crosswalk)", ssa_raw)
            return None
        if fips is not None and xw.fips_of_ssa[ssa] != fips:
            reject(ssa_col, "SSA code and FIPS code name different counties", f"{ssa_raw} / {fips_raw}")
            return None
        fips = xw.fips_of_ssa[ssa]
    if fips is None:
        fips, ssa = _from_county(county_raw, state, prefix, reject)
        if fips is None:
            return None
    ssa = ssa or xw.ssa_of_fips.get(fips)
    # The canonical name whatever the row used: a county loaded by name or by code is one same record.
    name = county_names().get(fips) or (county_raw if county_raw and not _code(county_raw) else fips)
    return fips, ssa, name


def _from_county(raw: str, state: str, prefix: str, reject: _Reject) -> tuple[str | None, str | None]:
    if not raw:
        reject(COUNTY, "required (a county name, SSA code or FIPS code)")
        return None, None
    code = _code(raw)
    if code is None:
        fips = county_fips_by_name(raw, state)
        if fips is None:
            reject(COUNTY, f"no county of that name in {state}", raw)
        return fips, None
    xw = crosswalk()
    as_fips = code if code in known_county_fips() and code.startswith(prefix) else None
    as_ssa = xw.fips_of_ssa[code] if xw.is_ssa(code, state) else None
    if as_fips and as_ssa and as_fips != as_ssa:
        reject(
            COUNTY, f"ambiguous code: an SSA and a FIPS code of {state}; use an SSA CODE or FIPS column", raw
        )
        return None, None
    if as_ssa:
        return as_ssa, code
    if as_fips:
        return as_fips, None
    reject(COUNTY, f"neither a FIPS nor a known SSA county code of {state}", raw)
    return None, None


def _code(raw: str) -> str | None:
    digits = raw.strip()
    return digits.zfill(5) if digits.isdigit() and len(digits) in (4, 5) else None


def make_loader(options: SourceOptions) -> Loader:
    standards = options.extra.get("standards")
    return CountiesLoader(Path(standards) if standards else None)
