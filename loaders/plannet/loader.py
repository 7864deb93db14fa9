"""``pnet load plannet``: HL7 Da Vinci Plan-Net FHIR R4 resources -> the provider-network graph.

Two passes over the files. :meth:`PlannetLoader.files` reads every file once to build the
:class:`~loaders.plannet.index.Index` (id maps only) and notes each resource's rank; the first
:meth:`~PlannetLoader.harvest` call then streams the resources of *all* the load's files in dependency
order -- locations, organizations (parents first), networks, practitioners, services, plans, roles,
affiliations, the rest -- because the stores link a record only to targets that already exist, and a
bulk export's files arrive in any order (``*.ndjson`` sorts InsurancePlan before Organization). Later
``harvest`` calls yield nothing: every row was already streamed, under its own file and line.

Accounting unit: one resource. Its outcome is that of its primary record; a PractitionerRole naming
several networks writes its further Participations beside it (``related``). Resources folded into other
records (services, affiliations, roles without a network) and Endpoints are skipped with the reason.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders.pipeline import Loader, Mapped, RawRow, Resolved
from loaders.plannet.directory import (
    is_network,
    map_location,
    map_network,
    map_organization,
    map_practitioner,
)
from loaders.plannet.fhir import Resource
from loaders.plannet.folded import SKIP_ENDPOINT, map_affiliation, map_service
from loaders.plannet.index import Index
from loaders.plannet.outcome import Mapping, Need, Problem, key_of
from loaders.plannet.resolution import Resolver, folded_needs, specialties_of
from loaders.plannet.roles import RoleContext, map_plan, map_role
from loaders.plannet.sources import (
    Entry,
    discover,
    entries,
    is_ndjson,
    json_entries,
    ndjson_lines,
    parse_line,
)
from loaders.report import Reject
from network.model import Label, PlanType, Practitioner
from network.specialties import reference
from network.store import GraphStore

_RANKS = {
    "Location": 0,
    "Organization": 1,
    "Network": 2,  # an Organization of type ntwk: after every organization, its payer among them
    "Practitioner": 3,
    "HealthcareService": 4,
    "InsurancePlan": 5,
    "PractitionerRole": 6,
    "OrganizationAffiliation": 7,
    "Endpoint": 8,
}
_OTHER, _INVALID, _BLANK = 9, 10, 255
_ORGANIZATION = _RANKS["Organization"]

# The primary of a skipped resource: resolve() drops it (by identity) before anything is written.
_SKIPPED = Practitioner(npi="", name="")


def rank_of(entry: Entry) -> int:
    if entry.resource is None:
        return _INVALID
    kind = str(entry.resource["resourceType"])
    return _RANKS["Network"] if is_network(entry.resource) else _RANKS.get(kind, _OTHER)


@dataclass(slots=True)
class _File:
    path: Path
    ranks: set[int]
    line_ranks: bytearray | None = None  # NDJSON: rank of each physical line (index = line number)
    name: str = ""  # str(path), made once: the first pass keeps it beside every resource it indexes

    def __post_init__(self) -> None:
        self.name = str(self.path)


@dataclass(frozen=True, slots=True)
class _Side:
    needs: tuple[Need, ...]
    skip: str | None
    notes: tuple[str, ...]


class PlannetLoader(Loader):
    source = "plannet"
    related_order = (
        Label.LOCATION,
        Label.ORGANIZATION,
        Label.NETWORK,
        Label.PRACTITIONER,
        Label.PARTICIPATION,
    )

    def __init__(self, default_plan_type: PlanType | None = None) -> None:
        self.default_plan_type = default_plan_type
        self._reset()

    def _reset(self) -> None:
        self.index = Index()
        self._files: list[_File] = []
        self._registered: set[Path] = set()
        self._streamed = False
        self._done = False
        self._total = 0  # resources (and unreadable entries) the first pass saw: the rows to stream
        self._yielded = 0
        self._side: dict[tuple[str, int], _Side] = {}
        self._resolver: Resolver | None = None
        self._notes: Counter[str] = Counter()

    # -- pass 1 ---------------------------------------------------------------------------------------
    def files(self, path: Path) -> list[Path]:
        if self._done:
            self._reset()  # a loader object loads once; a second run starts from scratch
        found = discover(path)
        for f in found:
            self._register(f)
        return found

    def _register(self, path: Path) -> None:
        if path in self._registered:
            return
        self._registered.add(path)
        record = _File(path, set())
        if is_ndjson(path):
            record.line_ranks = bytearray()
            for number, line in ndjson_lines(path):
                entry = parse_line(number, line)
                record.line_ranks.extend([_BLANK] * (number - len(record.line_ranks)))
                record.line_ranks.append(rank_of(entry))
                self._index_entry(record, entry)
        else:
            for entry in json_entries(path):
                self._index_entry(record, entry)
        self._files.append(record)

    def _index_entry(self, record: _File, entry: Entry) -> None:
        self._total += 1
        record.ranks.add(rank_of(entry))
        if entry.resource is not None:
            self.index.add(record.name, entry.line, entry.resource)

    # -- pass 2 ---------------------------------------------------------------------------------------
    def harvest(self, path: Path) -> Iterator[RawRow]:
        if self._streamed:
            return
        for found in discover(path):
            self._register(found)
        self._streamed = True
        depth = self.index.depth()
        levels = sorted(set(depth.values())) or [0]
        for rank in sorted(r for r in {*_RANKS.values(), _OTHER, _INVALID}):
            for level in levels if rank == _ORGANIZATION else [None]:
                for f in self._files:
                    if rank in f.ranks:
                        yield from self._rows(f, rank, level, depth)
        self._done = True

    def _rows(self, f: _File, rank: int, level: int | None, depth: dict[str, int]) -> Iterator[RawRow]:
        if f.line_ranks is not None:
            found: Iterator[Entry] = (
                parse_line(n, line)
                for n, line in ndjson_lines(f.path)
                if n < len(f.line_ranks) and f.line_ranks[n] == rank
            )
        else:
            found = (e for e in entries(f.path) if rank_of(e) == rank)
        for entry in found:
            if level is not None and entry.resource is not None:
                key = key_of(f"Organization/{entry.resource['id']}")
                if depth.get(key, 0) != level:
                    continue
            self._yielded += 1
            yield RawRow(f.name, entry.line, entry)

    # -- map --------------------------------------------------------------------------------------------
    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        entry: Entry = raw.data
        if entry.resource is None:
            return [Reject(raw.file, raw.line, "resource", entry.error or "not a FHIR resource")]
        res = entry.resource
        ref = f"{res['resourceType']}/{res['id']}"
        first = self.index.duplicates.get((raw.file, raw.line))
        if first is not None:
            reason = f"duplicate of {ref} at {first}"
            return [Reject(raw.file, raw.line, f"{res['resourceType']}.id", reason, ref)]
        mapped = self.index.problems.get(key_of(ref)) or self._map(res)
        if isinstance(mapped, Problem):
            return [Reject(raw.file, raw.line, mapped.path, mapped.reason, mapped.value)]
        self._side[(raw.file, raw.line)] = _Side(mapped.needs, mapped.skip, mapped.notes)
        primary = mapped.records[0] if mapped.records else _SKIPPED
        return Mapped(raw.file, raw.line, primary, related=mapped.records[1:])

    def _map(self, res: Resource) -> Mapping | Problem:
        kind = str(res["resourceType"])
        key = key_of(f"{kind}/{res['id']}")
        if kind == "Location":
            return map_location(res)
        if kind == "Organization":
            if is_network(res):
                return map_network(res)
            return map_organization(res, self.index.organizations.get(key))
        if kind == "Practitioner":
            return map_practitioner(res, self.index.practitioners.get(key))
        if kind == "PractitionerRole":
            i = self.index
            return map_role(res, RoleContext(i.npi_of, i.practitioners, i.virtual_services, i.new_patients))
        if kind == "InsurancePlan":
            return map_plan(res, self.default_plan_type)
        if kind == "HealthcareService":
            return map_service(res)
        if kind == "OrganizationAffiliation":
            return map_affiliation(res)
        return Mapping(skip=SKIP_ENDPOINT if kind == "Endpoint" else f"{kind}: resource type not modelled")

    # -- resolve ----------------------------------------------------------------------------------------
    def resolve(self, batch: list[Mapped], store: GraphStore) -> Resolved:
        if self._resolver is None:
            self._resolver = Resolver(self.index, store)
        resolver = self._resolver
        sides = [self._side.pop((m.file, m.line)) for m in batch]
        folded = [n for m in batch for n in folded_needs(m.primary)]
        resolver.prefetch([n for s in sides for n in s.needs] + folded)
        kept: list[Mapped] = []
        rejects: list[Reject] = []
        skipped: Counter[str] = Counter()
        for m, side in zip(batch, sides, strict=True):
            failure = next(((n, r) for n in side.needs if (r := resolver.check(n)) is not None), None)
            if failure is not None:
                rejects.append(Reject(m.file, m.line, failure[0].path, failure[1], failure[0].ref))
            elif side.skip is not None or m.primary is _SKIPPED:
                skipped[side.skip or "skipped"] += 1
            else:
                self._notes.update(side.notes)
                kept.append(dataclasses.replace(m, primary=resolver.prune(m.primary)))
        codes = sorted({c for m in kept for rec in (m.primary, *m.related) for c in specialties_of(rec)})
        if codes:
            store.ensure_specialties([reference().stub(code) for code in codes])
        return Resolved(kept=kept, rejects=rejects, skipped=dict(skipped))

    def notes(self) -> list[str]:
        return [f"{n:,} x {note}" for note, n in sorted(self._notes.items())]
