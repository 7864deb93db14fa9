"""The first pass: id maps over every resource of a load, so references resolve whatever the order.

Nothing but keys, codes and short reasons is kept (never a resource's JSON): which keys exist and as what
(:class:`Kind`), why a referenceable resource is rejected on its own content, which references each
referenceable resource needs (for the cascade in :mod:`loaders.plannet.resolution`), each NPI, each
organization's parent (for the write order), and the facts other resources contribute to organizations
and practitioners (:class:`~loaders.plannet.directory.Fold`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from loaders.plannet.directory import (
    Fold,
    is_network,
    map_location,
    map_network,
    map_organization,
    map_practitioner,
)
from loaders.plannet.fhir import Resource, items, nucc_codes, reference, references
from loaders.plannet.folded import is_virtual, map_service
from loaders.plannet.outcome import Kind, Mapping, Need, Problem, key_of
from loaders.plannet.roles import new_patient_statements


@dataclass(slots=True)
class Index:
    present: dict[Kind, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: dict[str, Problem] = field(default_factory=dict)  # key -> why that resource is rejected
    deps: dict[str, tuple[Need, ...]] = field(default_factory=dict)  # referenceable key -> its needs
    npi_of: dict[str, str] = field(default_factory=dict)  # practitioner key -> NPI
    npi_owner: dict[str, str] = field(default_factory=dict)  # NPI -> first practitioner key with it
    parent: dict[str, str] = field(default_factory=dict)  # organization key -> partOf key
    practitioners: dict[str, Fold] = field(default_factory=lambda: defaultdict(Fold))
    organizations: dict[str, Fold] = field(default_factory=lambda: defaultdict(Fold))
    virtual_services: set[str] = field(default_factory=set)
    new_patients: dict[str, list[tuple[str | None, bool]]] = field(default_factory=dict)
    first_seen: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (file, line)
    duplicates: dict[tuple[str, int], str] = field(default_factory=dict)  # (file, line) -> first place

    def kind_of(self, key: str) -> Kind | None:
        return next((kind for kind, keys in self.present.items() if key in keys), None)

    def add(self, file: str, line: int, res: Resource) -> None:
        key = key_of(f"{res['resourceType']}/{res['id']}")
        first = self.first_seen.get(key)
        if first is not None:
            self.duplicates[(file, line)] = f"{first[0]}:{first[1]}"
            return
        self.first_seen[key] = (file, line)
        handler = _HANDLERS.get(str(res["resourceType"]))
        if handler is not None:
            handler(self, key, res)

    def _referenceable(self, key: str, kind: Kind, mapped: Mapping | Problem) -> None:
        self.present[kind].add(key)
        if isinstance(mapped, Problem):
            self.problems[key] = mapped
        elif mapped.needs:
            self.deps[key] = mapped.needs

    def _location(self, key: str, res: Resource) -> None:
        self._referenceable(key, Kind.LOCATION, map_location(res))
        manager = reference(res.get("managingOrganization"))
        if manager is not None:
            self.organizations[key_of(manager)].locations.add(key)
        statements = new_patient_statements(res)
        if statements:
            self.new_patients[key] = statements

    def _organization(self, key: str, res: Resource) -> None:
        if is_network(res):
            self._referenceable(key, Kind.NETWORK, map_network(res))
            return
        self._referenceable(key, Kind.ORGANIZATION, map_organization(res, None))
        parent = reference(res.get("partOf"))
        if parent is not None:
            self.parent[key] = key_of(parent)

    def _practitioner(self, key: str, res: Resource) -> None:
        mapped = map_practitioner(res, None)
        if isinstance(mapped, Mapping):
            npi = mapped.records[0].key
            owner = self.npi_owner.setdefault(npi, key)
            if owner != key:
                mapped = Problem("Practitioner.identifier", f"NPI {npi} already belongs to {owner[5:]}", npi)
            else:
                self.npi_of[key] = npi
        self._referenceable(key, Kind.PRACTITIONER, mapped)

    def _service(self, key: str, res: Resource) -> None:
        self._referenceable(key, Kind.SERVICE, map_service(res))
        if is_virtual(res):
            self.virtual_services.add(key)
        provider = reference(res.get("providedBy"))
        if provider is not None:
            self._fold_into(self.organizations[key_of(provider)], res)

    def _role(self, key: str, res: Resource) -> None:
        practitioner = reference(res.get("practitioner"))
        if practitioner is None:
            return
        fold = self.practitioners[key_of(practitioner)]
        codes = self._fold_into(fold, res)
        if codes and (fold.primary is None or str(res["id"]) < fold.primary[0]):
            fold.primary = (str(res["id"]), codes[0])  # the first role by id names the primary specialty

    def _affiliation(self, key: str, res: Resource) -> None:
        participant = reference(res.get("participatingOrganization"))
        if participant is None:
            return
        fold = self.organizations[key_of(participant)]
        self._fold_into(fold, res)
        owner = reference(res.get("organization"))
        if owner is not None:
            fold.parents.add(key_of(owner))

    @staticmethod
    def _fold_into(fold: Fold, res: Resource) -> list[str]:
        codes, _ = nucc_codes(items(res, "specialty"))
        fold.specialties.update(codes)
        fold.locations.update(key_of(loc) for loc in references(res, "location"))
        return codes

    def affiliation_parent(self, key: str) -> str | None:
        fold = self.organizations.get(key)
        candidates = fold.parents - {key} if fold else set()
        return next(iter(candidates)) if len(candidates) == 1 else None

    def depth(self) -> dict[str, int]:
        """How many partOf steps lead from each organization to a root (cycles cut), for the write order."""
        out: dict[str, int] = {}
        for start in self.present.get(Kind.ORGANIZATION, ()):
            chain: list[str] = []
            node: str | None = start
            organizations = self.present[Kind.ORGANIZATION]
            while node is not None and node not in out and node not in chain:
                chain.append(node)
                parent = self.parent.get(node) or self.affiliation_parent(node)
                node = parent if parent in organizations else None
            base = out.get(node, -1) if node is not None else -1
            for i, member in enumerate(reversed(chain)):
                out[member] = base + 1 + i
        return out


_HANDLERS: dict[str, Callable[[Index, str, Resource], None]] = {
    "Location": Index._location,
    "Organization": Index._organization,
    "Practitioner": Index._practitioner,
    "HealthcareService": Index._service,
    "PractitionerRole": Index._role,
    "OrganizationAffiliation": Index._affiliation,
}
