"""Which references of a load resolve: to a resource of the load that is not rejected, or to the graph.

A referenceable resource (Location, Organization, network, Practitioner, HealthcareService) is rejected
when its own content is wrong or when a reference it needs does not resolve; that rejection cascades to
whatever needs *it*, computed once for the whole load as a fixpoint over the first pass's id maps.
Locations, organizations and networks may also be found in the graph (an earlier load); practitioners
and services only within the load, since the graph keys practitioners by NPI, not by FHIR id.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from loaders.plannet.index import Index
from loaders.plannet.outcome import Kind, Need
from network.model import Label, Organization, Participation, Practitioner, Record, Referral
from network.store import GraphStore


class Resolver:
    def __init__(self, index: Index, store: GraphStore) -> None:
        self._index = index
        self._store = store
        self._exists: dict[tuple[Label, str], bool] = {}
        self.invalid: dict[str, str] = {key: p.reason for key, p in index.problems.items()}
        self._cascade()

    def _cascade(self) -> None:
        self.prefetch(need for needs in self._index.deps.values() for need in needs)
        changed = True
        while changed:
            changed = False
            for key, needs in self._index.deps.items():
                if key in self.invalid:
                    continue
                for need in needs:
                    reason = self.check(need)
                    if reason is not None:
                        self.invalid[key] = f"{need.path} {reason}"
                        changed = True
                        break

    def prefetch(self, needs: Iterable[Need]) -> None:
        """Ask the graph, one query per label, about the targets this load does not hold itself."""
        wanted: dict[Label, set[str]] = defaultdict(set)
        for need in needs:
            label = need.kind.label
            if label is None or (label, need.key) in self._exists:
                continue
            if self._index.kind_of(need.key) is None:
                wanted[label].add(need.key)
        for label, keys in wanted.items():
            found = self._store.existing_keys(label, keys)
            self._exists.update(((label, k), k in found) for k in keys)

    def check(self, need: Need) -> str | None:
        """Why ``need`` does not resolve (the reference is named in the text), or None when it does."""
        kind = self._index.kind_of(need.key)
        if kind is None:
            label = need.kind.label
            if label is not None and self._exists.get((label, need.key)):
                return None
            if label is None:
                return f"{need.ref} is not in this load"
            return f"{need.ref} not found (neither in this load nor in the graph)"
        if kind is not need.kind:
            return f"{need.ref} is a {kind.value}, not a {need.kind.value}"
        reason = self.invalid.get(need.key)
        return f"{need.ref} is rejected ({reason})" if reason is not None else None

    def usable(self, kind: Kind, key: str) -> bool:
        """Whether a folded link target (not a reference of the resource itself) can be linked."""
        return self.check(Need("", key.removeprefix("fhir:"), kind)) is None

    def prune(self, rec: Record | Referral) -> Record | Referral:
        """Drop folded link targets that will not exist (their resources are rejected or missing)."""
        if isinstance(rec, Practitioner | Organization):
            locations = tuple(k for k in rec.location_ids if self.usable(Kind.LOCATION, k))
            if locations != rec.location_ids:  # else the same object: the pipeline shaped it already
                rec = dataclasses.replace(rec, location_ids=locations)
        if isinstance(rec, Organization) and rec.part_of and not self.usable(Kind.ORGANIZATION, rec.part_of):
            rec = dataclasses.replace(rec, part_of=None)
        return rec


def folded_needs(rec: Record | Referral) -> list[Need]:
    """The link targets a record carries from other resources (as needs, to ask the graph about them)."""
    if isinstance(rec, Practitioner | Organization):
        out = [Need("", k.removeprefix("fhir:"), Kind.LOCATION) for k in rec.location_ids]
        if isinstance(rec, Organization) and rec.part_of:
            out.append(Need("", rec.part_of.removeprefix("fhir:"), Kind.ORGANIZATION))
        return out
    return []


def specialties_of(rec: Record | Referral) -> tuple[str, ...]:
    if isinstance(rec, Practitioner | Organization):
        return rec.specialties
    if isinstance(rec, Participation) and rec.specialty_code:
        return (rec.specialty_code,)
    return ()
