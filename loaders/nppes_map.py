"""One NPPES row -> a Practitioner (Entity Type 1) or Organization (Entity Type 2) and its practice Location.

Every problem found becomes a :class:`Reject` naming the column, so a row with three bad fields reports all
three. A deactivated NPI (a deactivation date and no later reactivation) is kept with ``active=False`` and
no location; real NPPES blanks nearly every other field of such a row, the entity type included, so only
the NPI and the dates are demanded of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from loaders.nppes_columns import (
    DEACTIVATION,
    ENTITY_TYPE,
    LAST_NAME,
    NPI,
    ORG_NAME,
    POSTAL,
    REACTIVATION,
    STATE,
    Columns,
)
from loaders.nppes_fields import (
    TaxonomyChoice,
    choose_taxonomies,
    display_name,
    normalize_credential,
    organization_kind,
    practice_location,
    restore_zip,
    sex_of,
)
from loaders.pipeline import Mapped
from loaders.report import Reject
from network.model import Location, Organization, Practitioner
from network.validate import US_STATES, is_taxonomy_code, npi_problem, parse_date

SOURCE = "nppes"
_ENTITY_TYPES = ("1", "2")

Flag = Callable[[str, str, str], None]  # (column, reason, value)


@dataclass(frozen=True, slots=True)
class Deactivation(Mapped):
    """A deactivated NPI's row without a name: :meth:`NppesLoader.resolve` merges it into the known record."""

    npi: str = ""
    entity_type: str = ""


@dataclass(frozen=True, slots=True)
class RowResult:
    mapped: Mapped
    primary_fallback: bool  # taxonomy codes but no primary switch: the first code was taken


def map_row(file: str, line: int, c: Columns, f: list[str]) -> RowResult | list[Reject]:
    """Map padded fields ``f`` (``f[c.width] == ""``) of one row, or reject it."""
    rejects: list[Reject] = []

    def flag(column: str, reason: str, value: str) -> None:
        rejects.append(Reject(file, line, column, reason, value))

    npi = f[c.npi].strip()
    problem = npi_problem(npi)
    if problem is not None:
        flag(NPI, problem, npi)
    deactivated_on = _deactivation(f, c, flag)
    active = deactivated_on is None
    entity = f[c.entity_type].strip()
    if entity not in _ENTITY_TYPES and (active or entity):
        flag(ENTITY_TYPE, "entity type must be 1 (individual) or 2 (organization)", entity)
    choice = _taxonomies(f, c, flag)
    location = _location(f, c, flag) if active else None
    if entity == "2":
        name = " ".join(f[c.org_name].split())
        if not name and active:
            flag(ORG_NAME, "organization without a name", "")
    else:
        name = f[c.last_name].strip()
        if not name and active:
            flag(LAST_NAME, "practitioner without last name", "")
    if rejects:
        return rejects
    related: tuple[Location, ...] = (location,) if location is not None else ()
    location_ids = tuple(loc.id for loc in related)
    primary: Organization | Practitioner
    if entity == "2":
        primary = Organization(
            id=f"npi:{npi}",
            name=name,
            kind=organization_kind(choice.primary),
            npi=npi,
            active=active,
            specialties=choice.codes,
            location_ids=location_ids,
            source=SOURCE,
        )
    else:
        primary = _practitioner(npi, f, c, choice, deactivated_on, location_ids)
    if not active and not name:
        return RowResult(Deactivation(file, line, primary, npi=npi, entity_type=entity), False)
    return RowResult(Mapped(file, line, primary, related), choice.fallback)


def _practitioner(
    npi: str,
    f: list[str],
    c: Columns,
    choice: TaxonomyChoice,
    deactivated_on: str | None,
    location_ids: tuple[str, ...],
) -> Practitioner:
    first, middle = f[c.first_name].strip(), f[c.middle_name].strip()
    last, suffix = f[c.last_name].strip(), f[c.suffix].strip()
    credential = normalize_credential(f[c.credential])
    return Practitioner(
        npi=npi,
        name=display_name(first, middle, last, suffix, credential),
        first_name=first or None,
        last_name=last or None,
        credential=credential,
        sex=sex_of(f[c.sex]),
        active=deactivated_on is None,
        deactivated_on=deactivated_on,
        primary_specialty=choice.primary,
        specialties=choice.codes,
        location_ids=location_ids,
        source=SOURCE,
    )


def _deactivation(f: list[str], c: Columns, flag: Flag) -> str | None:
    """The ISO deactivation date when the NPI is deactivated with no later reactivation, else None."""
    raw_off, raw_on = f[c.deactivation].strip(), f[c.reactivation].strip()
    if not raw_off and not raw_on:
        return None  # the common case: skip the date parsing
    off = parse_date(raw_off) if raw_off else None
    if raw_off and off is None:
        flag(DEACTIVATION, "unparseable date", raw_off)
    on = parse_date(raw_on) if raw_on else None
    if raw_on and on is None:
        flag(REACTIVATION, "unparseable date", raw_on)
    if off is None or (on is not None and on > off):
        return None
    return off


def _taxonomies(f: list[str], c: Columns, flag: Flag) -> TaxonomyChoice:
    slots: list[tuple[str, str]] = []
    for slot in c.slots:
        raw = f[slot.code]
        code = raw.strip().upper()
        if not code:
            continue
        if not is_taxonomy_code(code):
            flag(slot.column, "malformed taxonomy code", raw)
            continue
        slots.append((code, f[slot.switch].strip().upper()))
    return choose_taxonomies(slots)


def _location(f: list[str], c: Columns, flag: Flag) -> Location | None:
    state = f[c.state].strip().upper()
    raw_zip = f[c.postal].strip()
    zip5 = restore_zip(raw_zip)
    if state not in US_STATES:
        flag(STATE, "not a US state code", state)
    if zip5 is None:
        flag(POSTAL, "ZIP cannot be restored to 5 digits", raw_zip)
    if zip5 is None or state not in US_STATES:
        return None
    return practice_location(f[c.address], f[c.city], state, zip5)
