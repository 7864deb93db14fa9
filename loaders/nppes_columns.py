"""The NPPES "npidata_pfile" layout, located by header name once per file.

CMS has renamed columns over the years (``Provider Gender Code`` became ``Provider Sex Code`` in 2024) and
trims or adds optional ones, so columns are found by name, never by position. The row transform then reads
fields through the precomputed indexes; an optional column the file lacks points at a padding slot that
always holds ``""``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loaders.errors import UnreadableSource

NPI = "NPI"
ENTITY_TYPE = "Entity Type Code"
ADDRESS = "Provider First Line Business Practice Location Address"
CITY = "Provider Business Practice Location Address City Name"
STATE = "Provider Business Practice Location Address State Name"
POSTAL = "Provider Business Practice Location Address Postal Code"
REQUIRED = (NPI, ENTITY_TYPE, ADDRESS, CITY, STATE, POSTAL)

ORG_NAME = "Provider Organization Name (Legal Business Name)"
LAST_NAME = "Provider Last Name (Legal Name)"
FIRST_NAME = "Provider First Name"
MIDDLE_NAME = "Provider Middle Name"
SUFFIX = "Provider Name Suffix Text"
CREDENTIAL = "Provider Credential Text"
DEACTIVATION = "NPI Deactivation Date"
REACTIVATION = "NPI Reactivation Date"
SEX_COLUMNS = ("Provider Sex Code", "Provider Gender Code")  # the post-2024 name first
TAXONOMY_SLOTS = 15


def taxonomy_code_column(slot: int) -> str:
    return f"Healthcare Provider Taxonomy Code_{slot}"


def taxonomy_switch_column(slot: int) -> str:
    return f"Healthcare Provider Primary Taxonomy Switch_{slot}"


@dataclass(frozen=True, slots=True)
class Slot:
    code: int
    switch: int
    column: str  # the code column's name, for rejects


@dataclass(frozen=True, slots=True)
class Columns:
    """Field indexes of one file's header; ``width`` (the padding slot) stands for an absent column."""

    width: int
    npi: int
    entity_type: int
    address: int
    city: int
    state: int
    postal: int
    org_name: int
    last_name: int
    first_name: int
    middle_name: int
    suffix: int
    credential: int
    deactivation: int
    reactivation: int
    sex: int
    slots: tuple[Slot, ...]

    @classmethod
    def from_header(cls, header: list[str], path: Path | str = "") -> Columns:
        """Locate the columns (trimmed, case-blind names); refuse a file lacking a required one."""
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            index.setdefault(name.strip().casefold(), i)
        width = len(header)
        missing = [name for name in REQUIRED if name.casefold() not in index]
        if missing:
            raise UnreadableSource(f"{path}: not an NPPES data file, header lacks {missing}")

        def at(name: str) -> int:
            return index.get(name.casefold(), width)

        sex = next((index[n.casefold()] for n in SEX_COLUMNS if n.casefold() in index), width)
        slots = tuple(
            Slot(index[taxonomy_code_column(n).casefold()], at(taxonomy_switch_column(n)), header[index[key]])
            for n in range(1, TAXONOMY_SLOTS + 1)
            if (key := taxonomy_code_column(n).casefold()) in index
        )
        return cls(
            width=width,
            npi=at(NPI),
            entity_type=at(ENTITY_TYPE),
            address=at(ADDRESS),
            city=at(CITY),
            state=at(STATE),
            postal=at(POSTAL),
            org_name=at(ORG_NAME),
            last_name=at(LAST_NAME),
            first_name=at(FIRST_NAME),
            middle_name=at(MIDDLE_NAME),
            suffix=at(SUFFIX),
            credential=at(CREDENTIAL),
            deactivation=at(DEACTIVATION),
            reactivation=at(REACTIVATION),
            sex=sex,
            slots=slots,
        )


@dataclass(frozen=True, slots=True)
class NppesRow:
    """One data row as harvested: its fields and the layout to read them with."""

    columns: Columns
    fields: list[str]
