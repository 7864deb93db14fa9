"""``nppes.csv``: NPPES monthly-file rows under the full, real 329-column header.

Rows look like the real file: every field quoted, CRLF line ends, MM/DD/YYYY dates, 9-digit ZIP+4
practice ZIPs (some ZIP5, some with the leading zero lost), credentials spelled as people type them,
the primary taxonomy sometimes in slot 2 and sometimes without a "Y" switch at all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources

import numpy as np

from loaders.synth.config import CHUNK, DROPPED_ZERO_SHARE, FIVE_DIGIT_ZIP_SHARE
from loaders.synth.mix import organization_mix, practitioner_mix
from loaders.synth.names import (
    FEMALE_NAMES,
    MALE_NAMES,
    MIDDLE_INITIALS,
    NAME_PREFIXES,
    SUITES,
    SURNAMES,
    zipf,
)
from loaders.synth.planted import Kind, Planter
from loaders.synth.population import DEACTIVATED, REACTIVATED, Population
from loaders.synth.world import RowWriter, World, day, us_date

FILE = "nppes.csv"
FIRST_ENUMERATION = date(2005, 5, 23)  # the day NPPES started issuing NPIs

NPI = "NPI"
ENTITY = "Entity Type Code"
LAST = "Provider Last Name (Legal Name)"
STATE = "Provider Business Practice Location Address State Name"
POSTAL = "Provider Business Practice Location Address Postal Code"
DEACTIVATION = "NPI Deactivation Date"
TAXONOMY_1 = "Healthcare Provider Taxonomy Code_1"

KINDS = (
    Kind("bad_npi_check_digit", NPI, "NPI check digit (Luhn, prefix 80840) fails"),
    Kind("malformed_taxonomy", TAXONOMY_1, "malformed taxonomy code"),
    Kind("invalid_state", STATE, "not a US state code"),
    Kind("unrestorable_zip", POSTAL, "ZIP cannot be restored to 5 digits"),
    Kind("unparseable_date", DEACTIVATION, "unparseable date"),
    Kind("missing_last_name", LAST, "practitioner without last name"),
    Kind("bad_entity_type", ENTITY, "entity type must be 1 (individual) or 2 (organization)"),
)


@cache
def header() -> tuple[str, ...]:
    text = resources.files("loaders.synth").joinpath("nppes_header.txt").read_text(encoding="utf-8")
    return tuple(next(csv.reader([text.strip()])))


@cache
def col() -> dict[str, int]:
    return {name: i for i, name in enumerate(header())}


def practice_zip(world: World, zip_idx: int, five: bool, drop_zero: bool, plus4: int) -> str:
    zip5 = world.region.zips[zip_idx]
    value = zip5 if five else f"{zip5}{plus4:04d}"
    return value.lstrip("0") if drop_zero and zip5.startswith("0") else value


def write_nppes(world: World, rng: np.random.Generator, plant_rng: np.random.Generator) -> None:
    people = world.people
    n = len(people)
    planter = Planter(plant_rng, n, KINDS, world.config.bad_share)
    out = RowWriter(world, FILE, list(header()), quoting=csv.QUOTE_ALL)
    last: list[str] = []
    for start in range(0, n, CHUNK):
        for k, row in enumerate(_chunk(world, rng, start, min(n, start + CHUNK))):
            for kind in planter.before(start + k):
                out.bad(*_corrupt(row, kind, world.unknown_npi()))
            out.good(row)
            last = row
    for kind in planter.before(n):
        out.bad(*_corrupt(last, kind, world.unknown_npi()))
    out.close()


def _corrupt(good: list[str], kind: Kind, npi: str) -> tuple[list[str], Kind, str]:
    """A copy of ``good`` under a fresh NPI with the one fault ``kind`` names."""
    c = col()
    row = list(good)
    row[c[NPI]] = npi
    row[c[ENTITY]] = "1"
    if not row[c[LAST]]:
        row[c[LAST]] = "SMITH"
    row[c[DEACTIVATION]] = row[c["NPI Reactivation Date"]] = ""
    target = c[kind.field]
    if kind.name == "bad_npi_check_digit":
        row[target] = npi[:9] + str((int(npi[9]) + 1) % 10)
    elif kind.name == "malformed_taxonomy":
        row[target] = row[target][:4] + row[target][5:]  # a character lost: 9 characters
    elif kind.name == "invalid_state":
        row[target] = {"CT": "CONN", "MA": "MASS", "RI": "R.I."}.get(row[target], row[target] + "X")
    elif kind.name == "unrestorable_zip":
        row[target] = row[target][:2] + "O" + row[target][3:]  # letter O typed for a zero
    elif kind.name == "unparseable_date":
        row[target] = "02/30/2019"
    elif kind.name == "missing_last_name":
        row[target] = ""
    elif kind.name == "bad_entity_type":
        row[target] = "3"
    return row, kind, row[target]


def _chunk(world: World, rng: np.random.Generator, start: int, stop: int) -> Iterator[list[str]]:
    """Rows ``start..stop`` of the file, one at a time; the random draws are made per chunk, up front."""
    p, c, region = world.people, col(), world.region
    size = stop - start
    as_of = world.as_of()
    span = (as_of - FIRST_ENUMERATION).days - 60
    early = rng.random(size) < 0.35  # the 2005-2007 initial enumeration wave
    enumerated = np.where(early, rng.integers(0, 730, size), rng.integers(0, span, size))
    updated = enumerated + (rng.random(size) * (span - enumerated)).astype(np.int64)
    surname = rng.choice(len(SURNAMES), size=size, p=zipf(len(SURNAMES), 0.7))
    given = rng.integers(0, 10_000, size)
    middle = rng.random(size)
    middle_letter = rng.integers(0, len(MIDDLE_INITIALS), size)
    prefix = rng.integers(0, len(NAME_PREFIXES), size)
    cred_roll = rng.random(size)
    licence = rng.integers(1_000, 999_999, size)
    phone = rng.integers(2_000_000, 9_999_999, size)
    fax = rng.integers(2_000_000, 9_999_999, size)
    suite = rng.random(size)
    suite_no = rng.integers(1, 40, size) * np.where(rng.random(size) < 0.5, 100, 1) + rng.integers(
        0, 10, size
    )
    plus4 = rng.integers(1, 9999, size)
    five = rng.random(size) < FIVE_DIGIT_ZIP_SHARE
    drop_zero = rng.random(size) < DROPPED_ZERO_SHARE
    official = rng.integers(0, 10_000, size)
    pmix, omix = practitioner_mix(), organization_mix()
    width = len(header())
    for k in range(size):
        i = start + k
        z = int(p.zip_idx[i])
        row = [""] * width
        row[c[NPI]] = str(int(p.npi[i]))
        row[c[ENTITY]] = str(int(p.entity[i]))
        line1 = world.sites.line1(z, int(p.site[i]))
        line2 = ""
        if suite[k] < 0.45 and p.entity[i] == 1:
            line2 = SUITES[int(suite_no[k]) % len(SUITES)].format(
                n=int(suite_no[k]), f=int(suite_no[k]) % 9 + 1, b=chr(65 + int(suite_no[k]) % 6)
            )
        zip_text = practice_zip(world, z, bool(five[k]), bool(drop_zero[k]), int(plus4[k]))
        phone_text, fax_text = f"{region.area_code[z]}{phone[k]}", f"{region.area_code[z]}{fax[k]}"
        for kind in ("Mailing", "Practice Location"):
            row[c[f"Provider First Line Business {kind} Address"]] = line1
            row[c[f"Provider Second Line Business {kind} Address"]] = line2
            row[c[f"Provider Business {kind} Address City Name"]] = region.city[z]
            row[c[f"Provider Business {kind} Address State Name"]] = region.state[z]
            row[c[f"Provider Business {kind} Address Postal Code"]] = zip_text
            row[c[f"Provider Business {kind} Address Country Code (If outside U.S.)"]] = "US"
            row[c[f"Provider Business {kind} Address Telephone Number"]] = phone_text
            row[c[f"Provider Business {kind} Address Fax Number"]] = fax_text if suite[k] < 0.8 else ""
        row[c["Provider Enumeration Date"]] = us_date(day(FIRST_ENUMERATION, enumerated[k]))
        row[c["Last Update Date"]] = us_date(day(FIRST_ENUMERATION, updated[k]))
        if p.status[i] == REACTIVATED:
            row[c[DEACTIVATION]] = us_date(day(FIRST_ENUMERATION, updated[k] - 30))
            row[c["NPI Reactivation Date"]] = us_date(day(FIRST_ENUMERATION, updated[k] - 25))
        elif p.status[i] == DEACTIVATED:
            row[c[DEACTIVATION]] = us_date(day(FIRST_ENUMERATION, updated[k]))
        state = region.state[z]
        if p.entity[i] == 1:
            names = MALE_NAMES if p.male[i] else FEMALE_NAMES
            row[c[LAST]] = SURNAMES[int(surname[k])]
            row[c["Provider First Name"]] = names[int(given[k]) % len(names)]
            if middle[k] < 0.55:
                row[c["Provider Middle Name"]] = MIDDLE_INITIALS[int(middle_letter[k])]
            elif middle[k] < 0.7:
                row[c["Provider Middle Name"]] = MIDDLE_INITIALS[int(middle_letter[k])] + "."
            row[c["Provider Name Prefix Text"]] = NAME_PREFIXES[int(prefix[k])]
            creds = pmix.credentials[int(p.code[i])]
            if creds.values:
                row[c["Provider Credential Text"]] = creds.pick(float(cred_roll[k]))
            row[c["Provider Gender Code"]] = "M" if p.male[i] else "F"
            row[c["Is Sole Proprietor"]] = "Y" if middle[k] > 0.9 else "N"
            _taxonomies(row, pmix.codes[int(p.code[i])], p, i, state, int(licence[k]))
        else:
            code = omix.codes[int(p.code[i])]
            row[c["Provider Organization Name (Legal Business Name)"]] = _org_name(
                code, region.city[z], SURNAMES[int(surname[k])], int(official[k])
            )
            row[c["Authorized Official Last Name"]] = SURNAMES[(int(surname[k]) + 7) % len(SURNAMES)]
            row[c["Authorized Official First Name"]] = (MALE_NAMES + FEMALE_NAMES)[
                int(official[k]) % (len(MALE_NAMES) + len(FEMALE_NAMES))
            ]
            row[c["Authorized Official Title or Position"]] = ("CEO", "PRESIDENT", "CFO", "ADMINISTRATOR")[
                int(official[k]) % 4
            ]
            row[c["Authorized Official Telephone Number"]] = phone_text
            row[c["Is Organization Subpart"]] = "N"
            _taxonomies(row, code, p, i, state, int(licence[k]))
        yield row


def _taxonomies(row: list[str], primary: str, p: Population, i: int, state: str, licence: int) -> None:
    c = col()
    slots = [primary]
    if p.second[i] >= 0:
        other = p.secondary_codes[int(p.second[i])]
        slots = [other, primary] if p.primary_in_slot2[i] else [primary, other]
    for n, code in enumerate(slots, start=1):
        row[c[f"Healthcare Provider Taxonomy Code_{n}"]] = code
        row[c[f"Provider License Number_{n}"]] = f"{licence:06d}"
        row[c[f"Provider License Number State Code_{n}"]] = state
        switch = "Y" if code == primary else "N"
        row[c[f"Healthcare Provider Primary Taxonomy Switch_{n}"]] = "" if p.no_switch[i] else switch


def _org_name(code: str, city: str, surname: str, roll: int) -> str:
    if code.startswith("282N"):
        return (f"{city} HOSPITAL", f"{surname} MEMORIAL HOSPITAL, INC.", f"{city} GENERAL HOSPITAL")[
            roll % 3
        ]
    if code.startswith("261Q"):
        return (
            f"{city} COMMUNITY HEALTH CENTER, INC.",
            f"{city} FAMILY HEALTH CENTER",
            f"{surname} CLINIC LLC",
        )[roll % 3]
    if code.startswith("314"):
        return f"{city} NURSING AND REHABILITATION CENTER"
    return f"{surname} HEALTH NETWORK, LLC"
