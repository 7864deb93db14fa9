"""Value mapping for NPPES fields: credentials, names, sex, taxonomy slots, organization kind, addresses.

Pure functions of strings, so the row transform stays a thin composition of them and each rule is tested
on its own. Locations are keyed by a hash of the normalised address, so every source that sees the same
practice address (NPPES, participation rosters) lands on the same ``Location`` node.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from network.geo import normalize_zip, zip_centroid
from network.model import GeoPrecision, Location, OrgKind

_CREDENTIAL_SPLIT = re.compile(r"[,;/]")
_INTERNAL_DOT = re.compile(r"[A-Z0-9]\.[A-Z0-9]")
_ADDRESS_PUNCTUATION = str.maketrans({".": " ", ",": " ", "#": " "})

# NUCC groupings of non-individual providers that are places of care rather than practices: agencies (25),
# ambulatory facilities (26), hospital units (27), hospitals (28), laboratories (29), nursing and custodial
# care (31), residential treatment (32), suppliers (33), transportation (34), respite care (38).
_FACILITY_PREFIXES = ("25", "26", "27", "28", "29", "31", "32", "33", "34", "38")
_MANAGED_CARE_PREFIX = "30"  # HMOs, PPOs and the like are payers, not care providers: kind "other"

_SEX = {"M": "M", "F": "F"}  # X (unspecified) and U (unknown) are not a sex to filter on


def normalize_credential(raw: str) -> str | None:
    """``"M.D., PH.D."`` -> ``"MD, PHD"``: dots and stray spaces dropped, upper case, de-duplicated.

    Credentials are split on ``, ; /``. Inside a part, a one-letter fragment joins the one before
    (``O. D.``, ``PHARM D``); in a dotted part a token with a dot between letters starts a new credential
    (``M.D.  J.D.``), while an undotted part keeps its words (``MEDICAL DOCTOR``).
    """
    out: list[str] = []
    for part in _CREDENTIAL_SPLIT.split(raw.upper()):
        dotted = "." in part
        pieces: list[str] = []
        for token in part.split():
            core = token.replace(".", "")
            if not core:
                continue
            if pieces and len(core) == 1 and not _INTERNAL_DOT.search(token):
                pieces[-1] += core
            elif pieces and not dotted:
                pieces[-1] += " " + core
            else:
                pieces.append(core)
        out.extend(pieces)
    unique = list(dict.fromkeys(out))
    return ", ".join(unique) if unique else None


def display_name(first: str, middle: str, last: str, suffix: str, credential: str | None) -> str:
    """``"First Middle Last Suffix, Credential"`` from whichever parts are present."""
    name = " ".join(p for p in (first, middle, last, suffix) if p)
    return f"{name}, {credential}" if credential and name else name


def sex_of(raw: str) -> str | None:
    return _SEX.get(raw.strip().upper())


@dataclass(frozen=True, slots=True)
class TaxonomyChoice:
    codes: tuple[str, ...]  # valid codes in slot order, without duplicates
    primary: str | None
    fallback: bool  # no slot said "Y", so the first code was taken as primary


def choose_taxonomies(slots: list[tuple[str, str]]) -> TaxonomyChoice:
    """Pick the primary among ``(code, switch)`` slots: the first "Y", else the first code."""
    codes = tuple(dict.fromkeys(code for code, _ in slots))
    primary = next((code for code, switch in slots if switch == "Y"), None)
    if primary is not None:
        return TaxonomyChoice(codes, primary, fallback=False)
    return TaxonomyChoice(codes, codes[0] if codes else None, fallback=bool(codes))


def organization_kind(taxonomy: str | None) -> str:
    if taxonomy is None:
        return OrgKind.PROVIDER_GROUP.value
    if taxonomy.startswith(_FACILITY_PREFIXES):
        return OrgKind.FACILITY.value
    if taxonomy.startswith(_MANAGED_CARE_PREFIX):
        return OrgKind.OTHER.value
    return OrgKind.PROVIDER_GROUP.value


def normalize_address_line(raw: str) -> str:
    return " ".join(raw.upper().split())


def address_location_id(line1: str, city: str, state: str, zip5: str) -> str:
    """``addr:`` + a short stable hash of the normalised (line 1, city, state, ZIP5)."""
    key = "|".join((line1, city, state, zip5)).upper().translate(_ADDRESS_PUNCTUATION)
    canonical = "|".join(" ".join(part.split()) for part in key.split("|"))
    return f"addr:{hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()}"


def restore_zip(raw: str) -> str | None:
    """ZIP5 from a practice postal code (see :func:`network.geo.normalize_zip`); ASCII digits only."""
    if not raw.isascii():
        return None  # str.isdigit() also accepts superscripts and other scripts' digits
    if raw.isdigit() and len(raw) in (5, 9):
        return raw[:5]  # the common case, without the general parser
    return normalize_zip(raw)


@lru_cache(maxsize=32768)
def practice_location(line1: str, city: str, state: str, zip5: str) -> Location:
    """A Location geocoded offline from its ZIP (the only source of coordinates, so always in the US).

    Cached: practitioners cluster at the same addresses, and a Location is an immutable value.
    """
    line = normalize_address_line(line1)
    town = normalize_address_line(city)
    hit = zip_centroid(zip5)
    return Location(
        id=address_location_id(line, town, state, zip5),
        address_line=line or None,
        city=town or None,
        state=state,
        zip=zip5,
        county_fips=hit.county_fips if hit else None,
        lat=hit.lat if hit else None,
        lon=hit.lon if hit else None,
        precision=hit.precision if hit else GeoPrecision.NONE.value,
    )
