"""The graph vocabulary and the domain records every layer shares.

One vocabulary: :class:`Label` and :class:`Rel` name what exists in the graph, :data:`KEYS` names each
label's unique key (the Neo4j store turns it into a uniqueness constraint, ``docs/graph-model.md``
documents it, and a test keeps the three in step). Records are frozen dataclasses of plain values
(dates as ISO ``YYYY-MM-DD`` strings, so both stores compare them the same way).

Contractual participation (:class:`Participation`, a Plan-Net PractitionerRole per practitioner x
network) and observed referral edges (:class:`Referral`, CMS shared-patient counts) are kept apart on
purpose: one says who *may* be seen in network, the other who *is* seen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Label(StrEnum):
    PRACTITIONER = "Practitioner"
    ORGANIZATION = "Organization"
    LOCATION = "Location"
    SPECIALTY = "Specialty"
    NETWORK = "Network"
    PLAN = "Plan"
    COUNTY = "County"
    PARTICIPATION = "Participation"


KEYS: dict[Label, str] = {
    Label.PRACTITIONER: "npi",
    Label.ORGANIZATION: "id",
    Label.LOCATION: "id",
    Label.SPECIALTY: "code",
    Label.NETWORK: "id",
    Label.PLAN: "id",
    Label.COUNTY: "fips",
    Label.PARTICIPATION: "id",
}


class Rel(StrEnum):
    HAS_SPECIALTY = "HAS_SPECIALTY"  # Practitioner|Organization -> Specialty {primary}
    PRACTICES_AT = "PRACTICES_AT"  # Practitioner -> Location
    OPERATES = "OPERATES"  # Organization -> Location
    PART_OF = "PART_OF"  # Organization -> Organization
    IN_COUNTY = "IN_COUNTY"  # Location -> County
    MANAGES = "MANAGES"  # Organization (payer) -> Network
    OFFERS = "OFFERS"  # Organization (payer) -> Plan
    USES_NETWORK = "USES_NETWORK"  # Plan -> Network
    HAS_ROLE = "HAS_ROLE"  # Practitioner -> Participation
    IN_NETWORK = "IN_NETWORK"  # Participation -> Network
    AT_LOCATION = "AT_LOCATION"  # Participation -> Location
    FOR_SPECIALTY = "FOR_SPECIALTY"  # Participation -> Specialty
    WITH_ORGANIZATION = "WITH_ORGANIZATION"  # Participation -> Organization (medical group)
    REFERS_TO = "REFERS_TO"  # Practitioner -> Practitioner {pair_count, beneficiaries, ...}


class Role(StrEnum):
    PCP = "pcp"
    SPECIALIST = "specialist"


class PlanType(StrEnum):
    HMO = "hmo"
    PPO = "ppo"
    EPO = "epo"
    POS = "pos"

    @property
    def referral_required_by_default(self) -> bool:
        # HMO and POS gate specialist visits behind a PCP referral; PPO and EPO do not.
        return self in (PlanType.HMO, PlanType.POS)


class OrgKind(StrEnum):
    PAYER = "payer"
    PROVIDER_GROUP = "provider_group"
    FACILITY = "facility"
    OTHER = "other"


class GeoPrecision(StrEnum):
    """How much to trust a location's point, best first."""

    SOURCE = "source"  # coordinates given by the source (e.g. FHIR Location.position)
    ZIP_CENTROID = "zip_centroid"  # geocoded offline to the ZIP5 centroid
    ZIP3_CENTROID = "zip3_centroid"  # ZIP5 unknown offline: centroid of its 3-digit ZIP area
    NONE = "none"  # no usable point


class CountyDesignation(StrEnum):
    LARGE_METRO = "Large Metro"
    METRO = "Metro"
    MICRO = "Micro"
    RURAL = "Rural"
    CEAC = "CEAC"


_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """A record class's data field names and one getter of all their values, once per class
    (``dataclasses.fields`` is slow on hot paths, and one ``attrgetter`` call beats a getattr per field)."""
    found = _FIELDS.get(cls)
    if found is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "LABEL")
        found = _FIELDS[cls] = (names, operator.attrgetter(*names))
    return found


# json.dumps builds a new encoder per call when given options; one shared encoder writes the same text.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def content_hash(props: dict[str, Any]) -> str:
    """A stable digest of a record's content, used to tell *updated* from *unchanged* on upsert."""
    return hashlib.blake2b(_ENCODER.encode(props).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Record:
    """Base of all upsertable records: a label, a key, node properties and outgoing links."""

    LABEL: Label = dataclasses.field(init=False, repr=False, default=Label.PRACTITIONER)

    @property
    def key(self) -> str:
        return str(getattr(self, KEYS[self.LABEL]))

    def as_dict(self) -> dict[str, Any]:
        # Runs once per record of every load: one pass, tuples as lists (their stored and JSON form).
        names, values = _fields_of(type(self))
        return {k: list(v) if type(v) is tuple else v for k, v in zip(names, values(self), strict=True)}

    def digest(self) -> str:
        return content_hash(self.as_dict())


@dataclass(frozen=True, slots=True)
class Specialty(Record):
    code: str
    display: str
    grouping: str | None = None
    classification: str | None = None
    specialization: str | None = None
    pcp_eligible: bool = False
    cms_type: str | None = None
    LABEL: Label = field(init=False, repr=False, default=Label.SPECIALTY)


@dataclass(frozen=True, slots=True)
class Location(Record):
    id: str
    address_line: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    county_fips: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str = GeoPrecision.NONE.value
    name: str | None = None
    LABEL: Label = field(init=False, repr=False, default=Label.LOCATION)


@dataclass(frozen=True, slots=True)
class Practitioner(Record):
    npi: str
    name: str
    first_name: str | None = None
    last_name: str | None = None
    credential: str | None = None
    sex: str | None = None
    languages: tuple[str, ...] = ()
    active: bool = True
    deactivated_on: str | None = None
    primary_specialty: str | None = None
    specialties: tuple[str, ...] = ()  # NUCC codes, primary included
    location_ids: tuple[str, ...] = ()
    source: str = ""
    LABEL: Label = field(init=False, repr=False, default=Label.PRACTITIONER)


@dataclass(frozen=True, slots=True)
class Organization(Record):
    id: str
    name: str
    kind: str = OrgKind.OTHER.value
    npi: str | None = None
    active: bool = True
    part_of: str | None = None
    specialties: tuple[str, ...] = ()
    location_ids: tuple[str, ...] = ()
    source: str = ""
    LABEL: Label = field(init=False, repr=False, default=Label.ORGANIZATION)


@dataclass(frozen=True, slots=True)
class Network(Record):
    id: str
    name: str
    payer_id: str | None = None
    LABEL: Label = field(init=False, repr=False, default=Label.NETWORK)


@dataclass(frozen=True, slots=True)
class Plan(Record):
    id: str
    name: str
    plan_type: str
    referral_required: bool
    payer_id: str | None = None
    network_ids: tuple[str, ...] = ()
    LABEL: Label = field(init=False, repr=False, default=Label.PLAN)


@dataclass(frozen=True, slots=True)
class County(Record):
    fips: str
    name: str
    state: str
    ssa_code: str | None = None
    designation: str | None = None
    total_beneficiaries: int | None = None
    base_population_ratio: float | None = None
    beneficiaries_required: int | None = None
    # JSON object {specialty_type: [max_minutes, max_miles]}: per-county overrides of the base table.
    overrides_json: str | None = None
    LABEL: Label = field(init=False, repr=False, default=Label.COUNTY)


@dataclass(frozen=True, slots=True)
class Participation(Record):
    id: str
    npi: str
    network_id: str
    role: str
    specialty_code: str | None = None
    location_ids: tuple[str, ...] = ()
    accepting_new_patients: bool | None = None
    effective: str | None = None  # ISO date, inclusive
    termination: str | None = None  # ISO date, exclusive: not in effect on this day
    organization_id: str | None = None
    telehealth: bool = False
    source: str = ""
    LABEL: Label = field(init=False, repr=False, default=Label.PARTICIPATION)

    def in_effect(self, as_of: str) -> bool:
        return (self.effective is None or self.effective <= as_of) and (
            self.termination is None or as_of < self.termination
        )


@dataclass(frozen=True, slots=True)
class Referral:
    """A REFERS_TO edge: observed shared patients from one practitioner to another."""

    from_npi: str
    to_npi: str
    pair_count: int
    beneficiaries: int | None = None
    same_day_count: int | None = None
    window_days: int | None = None
    year: int | None = None
    source: str = "cms-shared-patient"

    @property
    def key(self) -> str:
        return f"{self.from_npi}>{self.to_npi}|{self.source}|{self.year}|{self.window_days}"

    def as_dict(self) -> dict[str, Any]:
        # Every field is a scalar, so a flat dict equals dataclasses.asdict(), without its recursive deep
        # copy (3.5x faster).
        names, values = _fields_of(Referral)
        return dict(zip(names, values(self), strict=True))

    def edge_props(self) -> dict[str, Any]:
        """The properties its edge stores: the set fields less the ends' NPIs, which the end nodes hold.

        The edge is found by its ends and (source, year, window_days), and is unchanged when these equal
        what is stored: nothing else (key, hash) is kept on it. Ten million edges carry no bookkeeping
        (BENCHMARKS.md, optimisation 33).
        """
        props: dict[str, Any] = {"pair_count": self.pair_count, "source": self.source}
        # Once per row of files that hold tens of millions: the optional fields one by one, no filtering pass.
        if self.beneficiaries is not None:
            props["beneficiaries"] = self.beneficiaries
        if self.same_day_count is not None:
            props["same_day_count"] = self.same_day_count
        if self.window_days is not None:
            props["window_days"] = self.window_days
        if self.year is not None:
            props["year"] = self.year
        return props


NODE_RECORDS: dict[Label, type[Record]] = {
    Label.SPECIALTY: Specialty,
    Label.LOCATION: Location,
    Label.PRACTITIONER: Practitioner,
    Label.ORGANIZATION: Organization,
    Label.NETWORK: Network,
    Label.PLAN: Plan,
    Label.COUNTY: County,
    Label.PARTICIPATION: Participation,
}
