"""Mapping the directory resources: Location, Organization (and networks), Practitioner.

Each function maps one resource on its own content plus what the first pass folded in from other
resources (:class:`~loaders.plannet.index.Fold`); references come back as :class:`Need` values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from loaders.plannet.fhir import (
    NPI_SYSTEM,
    Resource,
    codings,
    identifier,
    items,
    nucc_codes,
    reference,
    text,
)
from loaders.plannet.outcome import Kind, Mapping, Need, Problem, key_of
from network.geo import in_us, normalize_zip, zip_centroid
from network.model import GeoPrecision, Location, Network, Organization, OrgKind, Practitioner
from network.validate import US_STATES, npi_problem

SOURCE = "plannet"
NETWORK_TYPE = "ntwk"
# OrgTypeCS (Plan-Net) and organization-type (FHIR core) codes; the first recognised code decides.
_KIND_BY_CODE = {
    "payer": OrgKind.PAYER,
    "ins": OrgKind.PAYER,
    "pay": OrgKind.PAYER,
    "fac": OrgKind.FACILITY,
    "prvgrp": OrgKind.PROVIDER_GROUP,
    "prov": OrgKind.PROVIDER_GROUP,
}
_SEX = {"male": "M", "female": "F"}
_CREDENTIAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0360"

NOTE_POSITION_REPLACED = "Location position outside the US: ZIP centroid used instead"
NOTE_POSITION_DROPPED = "Location position outside the US and ZIP unknown: no coordinates"
NOTE_ORG_NPI_DROPPED = "Organization NPI unusable (kept the organization, dropped the NPI)"


@dataclass(slots=True)
class Fold:
    """What other resources say about an organization or a practitioner (gathered by the first pass)."""

    locations: set[str] = field(default_factory=set)  # Location keys
    specialties: set[str] = field(default_factory=set)  # NUCC codes
    parents: set[str] = field(default_factory=set)  # organization keys (OrganizationAffiliation.organization)
    primary: tuple[str, str] | None = None  # (role id, NUCC code): the first role's first specialty


def type_codes(res: Resource) -> list[str]:
    return [code.lower() for concept in items(res, "type") for _, code in codings(concept)]


def is_network(res: Resource) -> bool:
    return res.get("resourceType") == "Organization" and NETWORK_TYPE in type_codes(res)


def map_location(res: Resource) -> Mapping | Problem:
    address: Resource = res["address"] if isinstance(res.get("address"), dict) else {}
    lines = [str(x).strip() for x in items(address, "line") if isinstance(x, str) and x.strip()]
    state = (text(address, "state") or "").upper() or None
    postal = text(address, "postalCode")
    if state is not None and state not in US_STATES:
        return Problem("Location.address.state", "not a US state code", state)
    zip5 = normalize_zip(postal) if postal else None
    if postal and zip5 is None:
        return Problem("Location.address.postalCode", "ZIP cannot be restored to 5 digits", postal)
    centroid = zip_centroid(zip5) if zip5 else None
    lat, lon = _position(res.get("position"))
    notes: tuple[str, ...] = ()
    precision = GeoPrecision.SOURCE.value
    if lat is None or lon is None or not in_us(lat, lon):
        if lat is not None and lon is not None:
            notes = (NOTE_POSITION_REPLACED if centroid else NOTE_POSITION_DROPPED,)
        lat, lon = (centroid.lat, centroid.lon) if centroid else (None, None)
        precision = centroid.precision if centroid else GeoPrecision.NONE.value
    manager = reference(res.get("managingOrganization"))
    location = Location(
        id=key_of(f"Location/{res['id']}"),
        address_line=", ".join(lines) or None,
        city=text(address, "city"),
        state=state,
        zip=zip5,
        county_fips=centroid.county_fips if centroid else None,
        lat=lat,
        lon=lon,
        precision=precision,
        name=text(res, "name"),
    )
    needs = (Need("Location.managingOrganization", manager, Kind.ORGANIZATION),) if manager else ()
    return Mapping((location,), needs, notes=notes)


def _position(value: object) -> tuple[float | None, float | None]:
    if not isinstance(value, dict):
        return None, None
    return _coordinate(value.get("latitude")), _coordinate(value.get("longitude"))


def _coordinate(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def map_organization(res: Resource, fold: Fold | None) -> Mapping | Problem:
    name = text(res, "name")
    if name is None:
        return Problem("Organization.name", "Organization without a name")
    kind = next((_KIND_BY_CODE[c] for c in type_codes(res) if c in _KIND_BY_CODE), OrgKind.OTHER)
    npi = identifier(res, NPI_SYSTEM)
    notes: tuple[str, ...] = ()
    if npi is not None and npi_problem(npi) is not None:
        notes, npi = (f"{NOTE_ORG_NPI_DROPPED}: {npi_problem(npi)}",), None
    key = key_of(f"Organization/{res['id']}")
    parent_ref = reference(res.get("partOf"))
    needs: tuple[Need, ...] = ()
    part_of = None
    if parent_ref is not None:
        needs, part_of = (Need("Organization.partOf", parent_ref, Kind.ORGANIZATION),), key_of(parent_ref)
    elif fold is not None and len(fold.parents - {key}) == 1:
        # An affiliation's organization stands in for partOf only when it is the one such organization.
        part_of = next(iter(fold.parents - {key}))
    org = Organization(
        id=key,
        name=name,
        kind=kind.value,
        npi=npi,
        active=res.get("active") is not False,
        part_of=part_of,
        specialties=tuple(sorted(fold.specialties)) if fold else (),
        location_ids=tuple(sorted(fold.locations)) if fold else (),
        source=SOURCE,
    )
    return Mapping((org,), needs, notes=notes)


def map_network(res: Resource) -> Mapping | Problem:
    name = text(res, "name")
    if name is None:
        return Problem("Organization.name", "network Organization without a name")
    payer = reference(res.get("partOf"))
    key = key_of(f"Organization/{res['id']}")
    network = Network(id=key, name=name, payer_id=key_of(payer) if payer else None)
    needs = (Need("Organization.partOf", payer, Kind.ORGANIZATION),) if payer else ()
    return Mapping((network,), needs)


def practitioner_npi(res: Resource) -> str | Problem:
    npi = identifier(res, NPI_SYSTEM)
    if npi is None:
        return Problem("Practitioner.identifier", f"no NPI identifier (system {NPI_SYSTEM})")
    problem = npi_problem(npi)
    return Problem("Practitioner.identifier", problem, npi) if problem else npi


def map_practitioner(res: Resource, fold: Fold | None) -> Mapping | Problem:
    npi = practitioner_npi(res)
    if isinstance(npi, Problem):
        return npi
    names = [n for n in items(res, "name") if isinstance(n, dict)]
    best = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = [str(g).strip() for g in items(best, "given") if isinstance(g, str) and g.strip()]
    family = text(best, "family")
    display = text(best, "text") or " ".join([*given, family or ""]).strip()
    if not display:
        return Problem("Practitioner.name", "Practitioner without a name")
    qualifications = [q.get("code") for q in items(res, "qualification") if isinstance(q, dict)]
    qualified, bad = nucc_codes(qualifications)
    if bad:
        return Problem("Practitioner.qualification", "malformed NUCC taxonomy code", bad[0])
    suffixes = [str(s).strip() for s in items(best, "suffix") if isinstance(s, str) and s.strip()]
    licensed = [c for q in qualifications for s, c in codings(q) if s == _CREDENTIAL_SYSTEM]
    credential = ", ".join(dict.fromkeys(suffixes or licensed)) or None
    primary = fold.primary[1] if fold and fold.primary else (qualified[0] if qualified else None)
    others = sorted((set(fold.specialties) if fold else set()) | set(qualified))
    specialties = tuple(dict.fromkeys([*([primary] if primary else []), *others]))
    languages = [code for c in items(res, "communication") for _, code in codings(c)]
    practitioner = Practitioner(
        npi=npi,
        name=display,
        first_name=given[0] if given else None,
        last_name=family,
        credential=credential,
        sex=_SEX.get(str(res.get("gender", "")).lower()),
        languages=tuple(dict.fromkeys(languages)),
        active=res.get("active") is not False,
        primary_specialty=primary,
        specialties=specialties,
        location_ids=tuple(sorted(fold.locations)) if fold else (),
        source=SOURCE,
    )
    return Mapping((practitioner,))
