"""HealthcareService and OrganizationAffiliation: resources with no node of their own.

Their facts are folded into the records of the organizations they name by the first pass (the
organization's ``location_ids``, ``specialties`` and, for an affiliation, a ``part_of`` candidate) and a
virtual service makes the participations of the roles offering it ``telehealth``. Mapped on their own
they are therefore *skipped* with the reason, once their references are checked: a service or
affiliation naming a missing organization, location or network is a reject like any other.

Not modelled: an organization's own participation in a network (``OrganizationAffiliation.network``;
pnet's Participation is a practitioner's), affiliation codes and periods, service categories, hours.
"""

from __future__ import annotations

from loaders.plannet.fhir import Resource, codings, extensions, items, nucc_codes, reference, references
from loaders.plannet.outcome import Kind, Mapping, Need, Problem

SKIP_SERVICE = "HealthcareService: folded into its providing organization (no node of its own)"
SKIP_SERVICE_ORPHAN = "HealthcareService without providedBy: only its roles use it (telehealth)"
SKIP_AFFILIATION = (
    "OrganizationAffiliation: folded into the participating organization "
    "(organization-to-network participation is not modelled)"
)
SKIP_ENDPOINT = "Endpoint: not modelled"


def is_virtual(res: Resource) -> bool:
    """A service delivered virtually (Plan-Net ``delivery-method`` type ``virtual``)."""
    for ext in extensions(res, "delivery-method"):
        for sub in extensions(ext, "type"):
            if any(code == "virtual" for _, code in codings(sub.get("valueCodeableConcept"))):
                return True
    return False


def map_service(res: Resource) -> Mapping | Problem:
    _, bad = nucc_codes(items(res, "specialty"))
    if bad:
        return Problem("HealthcareService.specialty", "malformed NUCC taxonomy code", bad[0])
    provider = reference(res.get("providedBy"))
    needs = (
        *([Need("HealthcareService.providedBy", provider, Kind.ORGANIZATION)] if provider else []),
        *(Need("HealthcareService.location", loc, Kind.LOCATION) for loc in references(res, "location")),
    )
    return Mapping(needs=needs, skip=SKIP_SERVICE if provider else SKIP_SERVICE_ORPHAN)


def map_affiliation(res: Resource) -> Mapping | Problem:
    participant = reference(res.get("participatingOrganization"))
    if participant is None:
        return Problem("OrganizationAffiliation.participatingOrganization", "no participatingOrganization")
    _, bad = nucc_codes(items(res, "specialty"))
    if bad:
        return Problem("OrganizationAffiliation.specialty", "malformed NUCC taxonomy code", bad[0])
    owner = reference(res.get("organization"))
    needs = (
        Need("OrganizationAffiliation.participatingOrganization", participant, Kind.ORGANIZATION),
        *([Need("OrganizationAffiliation.organization", owner, Kind.ORGANIZATION)] if owner else []),
        *(Need("OrganizationAffiliation.network", n, Kind.NETWORK) for n in references(res, "network")),
        *(Need("OrganizationAffiliation.location", x, Kind.LOCATION) for x in references(res, "location")),
        *(
            Need("OrganizationAffiliation.healthcareService", s, Kind.SERVICE)
            for s in references(res, "healthcareService")
        ),
    )
    return Mapping(needs=needs, skip=SKIP_AFFILIATION)
