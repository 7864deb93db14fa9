"""County codes: CMS keys counties by SSA state+county codes, pnet by FIPS; this maps one to the other.

The SSA <-> FIPS pairs are the NBER "SSA to FIPS state and county crosswalk" for 2017 (the CMS files
as processed by NBER), shipped in ``data/ssa_fips_crosswalk.csv`` (sources in ``data/SOURCES.md``).
Names with a state go to FIPS through ``addfips``. A code the crosswalk does not know is unknown: callers
reject it rather than guess.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import addfips


@dataclass(frozen=True, slots=True)
class Crosswalk:
    fips_of_ssa: dict[str, str]
    ssa_of_fips: dict[str, str]  # the lowest SSA code when several map to one county (Los Angeles)
    state_of_fips: dict[str, str]

    def is_ssa(self, code: str, state: str | None = None) -> bool:
        fips = self.fips_of_ssa.get(code)
        return fips is not None and (state is None or self.state_of_fips.get(fips) == state)


@cache
def crosswalk() -> Crosswalk:
    text = resources.files("network.adequacy").joinpath("data", "ssa_fips_crosswalk.csv").read_text()
    fips_of_ssa: dict[str, str] = {}
    ssa_of_fips: dict[str, str] = {}
    state_of_fips: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        ssa, fips = row["ssa_code"], row["fips_code"]
        fips_of_ssa[ssa] = fips
        ssa_of_fips[fips] = min(ssa, ssa_of_fips.get(fips, ssa))
        state_of_fips[fips] = row["state"]
    return Crosswalk(fips_of_ssa, ssa_of_fips, state_of_fips)


@cache
def _addfips() -> addfips.AddFIPS:
    return addfips.AddFIPS()


def state_fips(state: str) -> str | None:
    """The two-digit FIPS code of a state or territory's postal abbreviation."""
    code = _addfips().get_state_fips(state)
    return str(code) if code else None


def county_fips_by_name(name: str, state: str) -> str | None:
    """FIPS of a county named in a state (``Hartford`` / ``Hartford County``, any case)."""
    code = _addfips().get_county_fips(name, state=state)
    return str(code) if code else None


@cache
def known_county_fips() -> frozenset[str]:
    """Every county FIPS code pnet recognises: the crosswalk's plus addfips' 2000-2020 county lists."""
    codes = set(crosswalk().state_of_fips)
    folder = resources.files("addfips").joinpath("data")
    for entry in folder.iterdir():
        if entry.name.startswith("counties_") and entry.name.endswith(".csv"):
            for row in csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"))):
                codes.add(row["statefp"] + row["countyfp"])
    return frozenset(codes)


@cache
def county_names() -> dict[str, str]:
    """Display names by FIPS from addfips' county lists, the newest vintage winning."""
    names: dict[str, str] = {}
    folder = resources.files("addfips").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("counties_") and entry.name.endswith(".csv"):
            for row in csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"))):
                names[row["statefp"] + row["countyfp"]] = row["name"]
    return names
