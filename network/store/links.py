"""Which record fields become relationships, shared by both stores so they build the same graph.

Link fields stay on the node as properties too (a record reads back exactly as written, whether or not
its targets exist yet) and are materialised as relationships to the targets that exist, for traversal.
A link to a missing target is not an error here: loaders decide what must exist (an unknown NPI or
network is a reject there), and :data:`BACKFILL` says which links are mended when the target arrives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from network.model import Label, Record, Rel


@dataclass(frozen=True, slots=True)
class Link:
    field: str
    rel: Rel
    target: Label
    outgoing: bool = True  # False: the relationship points from the target to the record's node


LINKS: dict[Label, tuple[Link, ...]] = {
    Label.PRACTITIONER: (
        Link("specialties", Rel.HAS_SPECIALTY, Label.SPECIALTY),
        Link("location_ids", Rel.PRACTICES_AT, Label.LOCATION),
    ),
    Label.ORGANIZATION: (
        Link("specialties", Rel.HAS_SPECIALTY, Label.SPECIALTY),
        Link("location_ids", Rel.OPERATES, Label.LOCATION),
        Link("part_of", Rel.PART_OF, Label.ORGANIZATION),
    ),
    Label.LOCATION: (Link("county_fips", Rel.IN_COUNTY, Label.COUNTY),),
    Label.NETWORK: (Link("payer_id", Rel.MANAGES, Label.ORGANIZATION, outgoing=False),),
    Label.PLAN: (
        Link("payer_id", Rel.OFFERS, Label.ORGANIZATION, outgoing=False),
        Link("network_ids", Rel.USES_NETWORK, Label.NETWORK),
    ),
    Label.PARTICIPATION: (
        Link("npi", Rel.HAS_ROLE, Label.PRACTITIONER, outgoing=False),
        Link("network_id", Rel.IN_NETWORK, Label.NETWORK),
        Link("location_ids", Rel.AT_LOCATION, Label.LOCATION),
        Link("specialty_code", Rel.FOR_SPECIALTY, Label.SPECIALTY),
        Link("organization_id", Rel.WITH_ORGANIZATION, Label.ORGANIZATION),
    ),
    Label.SPECIALTY: (),
    Label.COUNTY: (),
}

# Counties usually load after the directory: a new County links the Locations already carrying its FIPS.
BACKFILL: dict[Label, tuple[Label, Link]] = {
    Label.COUNTY: (Label.LOCATION, LINKS[Label.LOCATION][0]),
}


def link_targets(record: Record, link: Link) -> list[str]:
    value = getattr(record, link.field)
    if value is None:
        return []
    if isinstance(value, tuple | list):
        return list(dict.fromkeys(str(v) for v in value))  # a repeated target is one relationship
    return [str(value)]


def link_props(record: Record, link: Link, target: str) -> dict[str, Any]:
    """Relationship properties: only HAS_SPECIALTY carries one (whether it is the primary)."""
    if link.rel is Rel.HAS_SPECIALTY:
        return {"primary": getattr(record, "primary_specialty", None) == target}
    return {}


def iter_links(record: Record) -> Iterator[tuple[Link, str, dict[str, Any]]]:
    for link in LINKS[record.LABEL]:
        for target in link_targets(record, link):
            yield link, target, link_props(record, link, target)
