"""Checks and conversions of caller input shared by the services; each failure is an InvalidInput."""

from __future__ import annotations

import math
from dataclasses import dataclass

from network.errors import InvalidInput
from network.geo import normalize_zip, zip_centroid
from network.model import Label
from network.specialties import reference
from network.store import GeoPoint, GraphStore
from network.validate import US_STATES, parse_date, today_iso

MAX_RADIUS_MILES = 200.0


@dataclass(frozen=True, slots=True)
class GeoQuery:
    """A point given as ``lat`` + ``lon``, or as a ZIP code (its centroid)."""

    lat: float | None = None
    lon: float | None = None
    zip: str | None = None


def resolve_point(near: GeoQuery, field: str = "near") -> GeoPoint:
    has_point = near.lat is not None or near.lon is not None
    if has_point and near.zip is not None:
        raise InvalidInput(f"give `{field}` as lat and lon, or as a zip, not both", field=field)
    if near.zip is not None:
        zip5 = normalize_zip(near.zip)
        centroid = zip_centroid(zip5) if zip5 is not None else None
        if centroid is None:
            raise InvalidInput(f"unknown US ZIP code {near.zip!r}", field=f"{field}.zip")
        return GeoPoint(centroid.lat, centroid.lon)
    if near.lat is None or near.lon is None:
        raise InvalidInput(f"give `{field}` as both lat and lon, or as a zip", field=field)
    if not (math.isfinite(near.lat) and -90.0 <= near.lat <= 90.0):
        raise InvalidInput("lat must be between -90 and 90", field=f"{field}.lat")
    if not (math.isfinite(near.lon) and -180.0 <= near.lon <= 180.0):
        raise InvalidInput("lon must be between -180 and 180", field=f"{field}.lon")
    return GeoPoint(near.lat, near.lon)


def check_radius(miles: float, field: str = "radiusMiles") -> float:
    if not (math.isfinite(miles) and 0.0 < miles <= MAX_RADIUS_MILES):
        raise InvalidInput(f"radius must be more than 0 and at most {MAX_RADIUS_MILES:g} miles", field=field)
    return miles


def check_npi(npi: str, field: str) -> str:
    # Only the shape: a store may hold real NPIs that NPPES rules reject (e.g. IG examples starting with 9).
    if len(npi) != 10 or not npi.isdigit():
        raise InvalidInput("an NPI is 10 digits", field=field)
    return npi


def check_as_of(as_of: str | None, field: str = "asOf") -> str:
    if as_of is None:
        return today_iso()
    if parse_date(as_of) != as_of:
        raise InvalidInput("dates are ISO YYYY-MM-DD", field=field)
    return as_of


def check_state(state: str, field: str = "state") -> str:
    code = state.strip().upper()
    if code not in US_STATES:
        raise InvalidInput(f"unknown US state code {state!r}", field=field)
    return code


def check_zip(raw: str, field: str = "zip") -> str:
    zip5 = normalize_zip(raw)
    if zip5 is None:
        raise InvalidInput(f"{raw!r} is not a US ZIP code", field=field)
    return zip5


def specialty_key(term: str) -> str:
    """How a specialty term is looked up as a stored NUCC code."""
    return term.strip().upper()


def resolve_specialty(store: GraphStore, term: str) -> frozenset[str]:
    """NUCC codes for a NUCC code or a CMS specialty type name (InvalidInput with suggestions otherwise)."""
    return specialty_codes(term, stored=bool(store.existing_keys(Label.SPECIALTY, [specialty_key(term)])))


def specialty_codes(term: str, *, stored: bool) -> frozenset[str]:
    """:func:`resolve_specialty` when the caller already knows whether ``term`` is a stored code."""
    return reference().resolve(term, known_codes=frozenset([specialty_key(term)] if stored else []))
