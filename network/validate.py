"""Field checks shared by the loaders and the API: NPIs, taxonomy codes, states, dates."""

from __future__ import annotations

import re
from datetime import date, datetime

# 50 states, DC, the territories and the military "states" NPPES uses for practice addresses.
_STATES = """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP AA AE AP"""
US_STATES = frozenset(_STATES.split())

_TAXONOMY = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
_NPI = re.compile(r"^[12][0-9]{9}$")
_NPI_ANY_PREFIX = re.compile(r"^[0-9]{10}$")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def npi_check_digit_ok(npi: str) -> bool:
    """The Luhn check of an NPI with the 80840 card-issuer prefix (CMS NPI check digit algorithm)."""
    if not _NPI_ANY_PREFIX.match(npi):
        return False
    total = 24  # the constant 80840 contributes 24 when doubled per the Luhn scheme
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def npi_problem(npi: str) -> str | None:
    """Why ``npi`` is not a usable NPI, or None. NPPES issues NPIs starting with 1 or 2 only."""
    if not _NPI_ANY_PREFIX.match(npi):
        return "NPI must be 10 digits"
    if not npi_check_digit_ok(npi):
        return "NPI check digit (Luhn, prefix 80840) fails"
    if not _NPI.match(npi):
        return "NPI must start with 1 or 2"
    return None


def with_check_digit(first9: str) -> str:
    """The NPI made of nine digits plus their check digit (synthetic data uses it)."""
    for d in "0123456789":
        if npi_check_digit_ok(first9 + d):
            return first9 + d
    raise ValueError(first9)  # unreachable: exactly one digit fits


def is_taxonomy_code(code: str) -> bool:
    return bool(_TAXONOMY.match(code))


def parse_date(raw: str) -> str | None:
    """An ISO date from ``YYYY-MM-DD``, ``MM/DD/YYYY`` or ``YYYYMMDD``; None when it is none of them."""
    raw = raw.strip()
    if _ISO_DAY.fullmatch(raw):
        # Most dates a load reads are ISO already; strptime (and the exception of each format that does
        # not match) cost ten times as much, a visible share of a roster's parsing.
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            return None  # the other formats have no dashes
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def today_iso() -> str:
    return date.today().isoformat()
