"""``Location``: a practice address and its point."""

from __future__ import annotations

import strawberry

from network.model import Location


@strawberry.type(name="Location")
class LocationType:
    id: strawberry.ID
    name: str | None
    address_line: str | None
    city: str | None
    state: str | None
    zip: str | None
    lat: float | None
    lon: float | None
    county_fips: str | None
    geo_precision: str = strawberry.field(description="source, zip_centroid, zip3_centroid or none")

    @classmethod
    def from_domain(cls, rec: Location) -> LocationType:
        return cls(
            id=strawberry.ID(rec.id),
            name=rec.name,
            address_line=rec.address_line,
            city=rec.city,
            state=rec.state,
            zip=rec.zip,
            lat=rec.lat,
            lon=rec.lon,
            county_fips=rec.county_fips,
            geo_precision=rec.precision,
        )
