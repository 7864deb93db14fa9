"""Small NPPES-format rows and headers for the NPPES loader tests."""

from __future__ import annotations

from loaders.nppes_columns import SEX_COLUMNS, TAXONOMY_SLOTS, taxonomy_code_column
from network.validate import with_check_digit

BASE_COLUMNS = [
    "NPI",
    "Entity Type Code",
    "Replacement NPI",
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Middle Name",
    "Provider Name Suffix Text",
    "Provider Credential Text",
    "Provider First Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
]


def header(layout: str = "2024", slots: int = TAXONOMY_SLOTS) -> list[str]:
    """An NPPES header: the 2018 layout says "Gender", the post-2024 one "Sex"."""
    sex = SEX_COLUMNS[0] if layout == "2024" else SEX_COLUMNS[1]
    taxonomy: list[str] = []
    for n in range(1, slots + 1):
        taxonomy += [
            taxonomy_code_column(n),
            f"Provider License Number_{n}",
            f"Healthcare Provider Primary Taxonomy Switch_{n}",
        ]
    return [*BASE_COLUMNS, sex, *taxonomy, "Is Sole Proprietor"]


NPI_A = with_check_digit("100000001")
NPI_B = with_check_digit("100000002")
NPI_ORG = with_check_digit("200000003")


def person(npi: str = NPI_A, **extra: str) -> dict[str, str]:
    row = {
        "NPI": npi,
        "Entity Type Code": "1",
        "Provider Last Name (Legal Name)": "SMITH",
        "Provider First Name": "ANNA",
        "Provider Middle Name": "B",
        "Provider Credential Text": "M.D.",
        "Provider First Line Business Practice Location Address": "263 Farmington  Ave",
        "Provider Business Practice Location Address City Name": "FARMINGTON",
        "Provider Business Practice Location Address State Name": "CT",
        "Provider Business Practice Location Address Postal Code": "060321912",
        "Provider Sex Code": "F",
        "Healthcare Provider Taxonomy Code_1": "207RC0000X",
        "Healthcare Provider Primary Taxonomy Switch_1": "Y",
    }
    row.update(extra)
    return row
