"""What mapping one FHIR resource yields: records plus the references they need, a skip, or a problem.

Mapping never looks at the graph: a resource's references are listed as :class:`Need` values and the
loader's resolve step decides, for the whole load at once, which of them resolve (see
:mod:`loaders.plannet.resolution`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from network.model import Label, Record


class Kind(StrEnum):
    """What a reference must point at."""

    LOCATION = "Location"
    ORGANIZATION = "Organization"
    NETWORK = "Network"
    PRACTITIONER = "Practitioner"
    SERVICE = "HealthcareService"

    @property
    def label(self) -> Label | None:
        """The graph label a target of this kind is stored under (None: never a node of its own)."""
        return _LABELS.get(self)


_LABELS = {
    Kind.LOCATION: Label.LOCATION,
    Kind.ORGANIZATION: Label.ORGANIZATION,
    Kind.NETWORK: Label.NETWORK,
}


def key_of(ref: str) -> str:
    """The graph key of a FHIR-sourced node: ``fhir:`` + ``Type/id``."""
    return f"fhir:{ref}"


@dataclass(frozen=True, slots=True)
class Need:
    """A reference the resource cannot load without; ``path`` names the FHIR element for the reject."""

    path: str
    ref: str  # Type/id as written (after normalisation)
    kind: Kind

    @property
    def key(self) -> str:
        return key_of(self.ref)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a resource is rejected on its own content."""

    path: str
    reason: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Mapping:
    """Records to write (the first is the resource's primary), or a reason to skip; plus needs and notes."""

    records: tuple[Record, ...] = ()
    needs: tuple[Need, ...] = ()
    skip: str | None = None
    notes: tuple[str, ...] = ()
