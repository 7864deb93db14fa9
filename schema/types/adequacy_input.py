"""``NetworkAdequacyInput``: what a client may ask of an adequacy audit, and the caps the API puts on it.

Two things the CLI accepts are not accepted here: a file of member sample points (personal data: the
API always uses the ZIP centroids of each county) and another standards folder (a server path). The area
is required and bounded, and the detour factor, which widens the box the store reads, is bounded too.
"""

from __future__ import annotations

import re
from datetime import date

import strawberry

from network.adequacy import AdequacyRequest
from network.errors import InvalidInput
from schema.input_plan import planned_input

MAX_COUNTIES = 300  # more than any state has (Texas: 254); a whole state is asked for with `state`
MIN_DETOUR, MAX_DETOUR = 1.0, 3.0  # road miles are never fewer than great-circle miles
_FIPS = re.compile(r"\d{5}")


@planned_input
@strawberry.input(
    name="NetworkAdequacyInput",
    description="Exactly one of networkId or planId, and an area: a state, countyFips, or both "
    "(then the listed counties of that state).",
)
class NetworkAdequacyInput:
    network_id: strawberry.ID | None = None
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="audits the plan's networks")
    state: str | None = strawberry.field(default=None, description="postal code: every county loaded for it")
    county_fips: list[str] | None = strawberry.field(
        default=None, description=f"5-digit county FIPS codes, at most {MAX_COUNTIES}"
    )
    specialty_types: list[str] | None = strawberry.field(
        default=None, description="CMS specialty types (any case); default every provider type"
    )
    as_of: date | None = strawberry.field(
        default=None, description="participations in effect on this day; default today"
    )
    detour_factor: float = strawberry.field(
        default=1.0, description=f"road miles per great-circle mile, {MIN_DETOUR:g} to {MAX_DETOUR:g}"
    )

    def to_domain(self, today: str) -> AdequacyRequest:
        """The service request; InvalidInput (API field names) for what the API does not accept."""
        network_id = _text(self.network_id)
        plan_id = _text(self.plan_id)
        if (network_id is None) == (plan_id is None):
            raise InvalidInput("give exactly one of networkId or planId", field="networkId")
        state = _text(self.state)
        counties = tuple(dict.fromkeys(c.strip() for c in self.county_fips or ()))
        if state is None and not counties:
            raise InvalidInput("give a state or countyFips: the area to audit", field="state")
        if len(counties) > MAX_COUNTIES:
            raise InvalidInput(
                f"{len(counties)} counties asked for; at most {MAX_COUNTIES} at once", field="countyFips"
            )
        bad = next((c for c in counties if not _FIPS.fullmatch(c)), None)
        if bad is not None:
            raise InvalidInput(f"{bad!r} is not a 5-digit county FIPS code", field="countyFips")
        if not MIN_DETOUR <= self.detour_factor <= MAX_DETOUR:
            raise InvalidInput(
                f"detourFactor must be between {MIN_DETOUR:g} and {MAX_DETOUR:g}", field="detourFactor"
            )
        return AdequacyRequest(
            as_of=self.as_of.isoformat() if self.as_of else today,
            network_ids=(network_id,) if network_id is not None else (),
            plan_id=plan_id,
            state=state,
            county_fips=counties,
            specialty_types=tuple(self.specialty_types or ()),
            points_path=None,
            detour_factor=self.detour_factor,
        )


def _text(value: str | None) -> str | None:
    stripped = value.strip() if value is not None else ""
    return stripped or None
