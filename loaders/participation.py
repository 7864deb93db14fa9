"""``pnet load participation``: a participation roster (practitioner x network contracts) -> Participations.

Columns (docs/formats.md): ``npi, network_id, role`` required; ``specialty_code``, a
practice address (``address, city, state, zip``), ``accepting_new_patients``, ``effective_date``,
``termination_date``, ``telehealth``, ``medical_group`` (+ ``medical_group_name``) optional.

The row is checked on its own first (transform); then, per batch, against the graph (resolve): the NPI and
the network must already exist (never invented: a reject names the missing one), a missing specialty is the
practitioner's primary one, a missing address means the practitioner's stored practice locations. A given
address becomes a Location keyed exactly like NPPES practice addresses, so both land on the same node.
A participation's id is a stable hash of (npi, network, role, specialty, locations): reloading a roster
rewrites the same nodes. Accounting unit: one row.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from loaders.csvfile import iter_dict_rows
from loaders.footprint import Footprint
from loaders.nppes_fields import practice_location
from loaders.pipeline import Loader, Mapped, RawRow, Resolved
from loaders.registry import SourceOptions
from loaders.report import Reject
from network.geo import normalize_zip
from network.model import Label, Location, Organization, OrgKind, Participation, Role
from network.specialties import reference
from network.store import GraphStore
from network.validate import US_STATES, is_taxonomy_code, npi_problem, parse_date

SOURCE = "participation"
REQUIRED = ("npi", "network_id", "role")
ADDRESS = ("address", "city", "state", "zip")
_TRUE, _FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0"}
_SLUG = re.compile(r"[^a-z0-9]+")
_ROLES = frozenset(r.value for r in Role)
_PARTICIPATION_FIELDS = tuple(f.name for f in fields(Participation) if f.init)

NOTE_PCP_NOT_ELIGIBLE = "pcp rows whose specialty is not PCP-eligible (kept as the roster says)"
NOTE_PCP_NO_SPECIALTY = "pcp rows without any specialty (none given, none on the practitioner)"
NOTE_NO_LOCATION = "rows without address whose practitioner has no practice location"
NOTE_GROUP_CREATED = "medical groups not in the graph, written as provider_group organizations"
_DEFAULTS = ("primary_specialty", "location_ids")  # what a row leaves out comes from its practitioner


@dataclass(frozen=True, slots=True)
class _Row(Mapped):
    """A checked row whose participation resolve() completes (its id needs the graph's defaults).

    ``primary`` is its draft, never written; the medical group travels with the row, so nothing is kept
    per row outside the batch (a parse-only pass stays flat in file size).
    """

    group: str = ""
    group_name: str = ""


class ParticipationLoader(Loader):
    source = SOURCE
    related_order = (Label.LOCATION, Label.ORGANIZATION)
    footprint = Footprint(
        writes=frozenset({Label.PARTICIPATION, Label.LOCATION, Label.ORGANIZATION, Label.SPECIALTY}),
        reads=frozenset({Label.PRACTITIONER, Label.NETWORK, Label.ORGANIZATION}),
    )
    # resolve() reads practitioners and networks, which this load never writes, and organizations, of
    # which it writes only medical groups: those it remembers (_written_groups), so a batch can be
    # resolved while the one before is still being written.
    resolve_ahead = True
    # Not laned: a later batch may link a medical group an earlier one wrote, and a group's name is the
    # first in file order; and lanes gained nothing measurable (the write is Neo4j's own work, and the
    # networks' dense nodes serialise concurrent writers: BENCHMARKS.md, optimisation 26).

    def __init__(self) -> None:
        self._group_names: dict[str, str] = {}  # group org id -> the first name this load gave it
        self._written_groups: set[str] = set()  # group orgs handed to kept rows of earlier batches
        self._notes: Counter[str] = Counter()
        self._ensured: set[str] = set()  # specialty codes this load has made sure exist

    def harvest(self, path: Path) -> Iterator[RawRow]:
        yield from iter_dict_rows(path, required=set(REQUIRED))

    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        row, problems = _clean(raw)
        if problems:
            return problems

        def reject(column: str, reason: str) -> list[Reject]:
            return [Reject(raw.file, raw.line, column, reason, row.get(column) or "")]

        empty = next((c for c in REQUIRED if not row.get(c)), None)
        if empty is not None:
            return reject(empty, "required value missing")
        problem = npi_problem(row["npi"])
        if problem is not None:
            return reject("npi", problem)
        role = row["role"].lower()
        if role not in _ROLES:
            return reject("role", "role must be pcp or specialist")
        specialty = (row.get("specialty_code") or "").upper() or None
        if specialty is not None and not is_taxonomy_code(specialty):
            return reject("specialty_code", "malformed NUCC taxonomy code")
        flags: dict[str, bool | None] = {}
        for column in ("accepting_new_patients", "telehealth"):
            value = (row.get(column) or "").lower()
            if value and value not in _TRUE | _FALSE:
                return reject(column, f"{column} must be true or false")
            flags[column] = (value in _TRUE) if value else None
        dates: dict[str, str | None] = {}
        for column in ("effective_date", "termination_date"):
            dates[column] = parse_date(row[column]) if row.get(column) else None
            if row.get(column) and dates[column] is None:
                return reject(column, "unparseable date (use YYYY-MM-DD or MM/DD/YYYY)")
        effective, termination = dates["effective_date"], dates["termination_date"]
        if effective and termination and termination <= effective:
            return reject(
                "termination_date", "termination_date is not after effective_date (it is exclusive)"
            )
        location = _location(row)
        if isinstance(location, tuple):
            return reject(*location)
        draft = Participation(
            id="",  # decided in resolve(), once the specialty and locations are known
            npi=row["npi"],
            network_id=row["network_id"],
            role=role,
            specialty_code=specialty,
            location_ids=(location.id,) if location else (),
            accepting_new_patients=flags["accepting_new_patients"],
            effective=effective,
            termination=termination,
            telehealth=bool(flags["telehealth"]),
            source=SOURCE,
        )
        group = row.get("medical_group") or ""
        group_name = (row.get("medical_group_name") or "") if group else ""
        return _Row(raw.file, raw.line, draft, (location,) if location else (), group, group_name)

    def resolve(self, batch: list[Mapped], store: GraphStore) -> Resolved:
        rows = [m for m in batch if isinstance(m, _Row)]  # transform maps every row to a _Row
        parts = [m.primary for m in rows if isinstance(m.primary, Participation)]
        named = self._groups_named(rows)
        # Everything the batch needs from the graph in one read: a round trip per label (or a record per
        # practitioner) cost more than the batch's write.
        found = store.lookup(
            {
                Label.PRACTITIONER: {p.npi for p in parts},
                Label.NETWORK: {p.network_id for p in parts},
                Label.ORGANIZATION: {c for v in named for c in (v, f"npi:{v}")},
            },
            {Label.PRACTITIONER: _DEFAULTS},
        )
        practitioners, networks = found[Label.PRACTITIONER], found[Label.NETWORK]
        # What earlier batches wrote counts as found, whether or not their write has landed yet.
        groups = self._group_ids(named, found[Label.ORGANIZATION].keys() | self._written_groups)
        kept: list[Mapped] = []
        rejects: list[Reject] = []
        for m in rows:
            p = m.primary
            if not isinstance(p, Participation):  # a _Row's draft always is one
                continue
            defaults = practitioners.get(p.npi)
            if defaults is None:
                reason = f"NPI {p.npi} not in the graph (load the practitioner first, e.g. from NPPES)"
                rejects.append(Reject(m.file, m.line, "npi", reason, p.npi))
            elif p.network_id not in networks:
                reason = f"network {p.network_id} not in the graph (load the plans roster first)"
                rejects.append(Reject(m.file, m.line, "network_id", reason, p.network_id))
            else:
                kept.append(self._complete(m, p, defaults, groups.get(m.group) if m.group else None))
        codes = {m.primary.specialty_code for m in kept if isinstance(m.primary, Participation)}
        # A stub once written stays (ensure never replaces a specialty): one write per new code per load.
        new_codes = sorted(c for c in codes - self._ensured if c)
        if new_codes:
            store.ensure_specialties([reference().stub(c) for c in new_codes])
            self._ensured.update(new_codes)
        return Resolved(kept=kept, rejects=rejects)

    def _complete(
        self, m: Mapped, p: Participation, defaults: tuple[Any, ...], group: Organization | str | None
    ) -> Mapped:
        primary_specialty, practice_locations = defaults
        specialty = p.specialty_code or primary_specialty
        locations = p.location_ids or tuple(practice_locations or ())
        if not locations:
            self._notes[NOTE_NO_LOCATION] += 1
        if p.role == Role.PCP.value:
            if specialty is None:
                self._notes[NOTE_PCP_NO_SPECIALTY] += 1
            elif specialty not in reference().pcp_eligible:
                self._notes[NOTE_PCP_NOT_ELIGIBLE] += 1
        related = m.related
        if isinstance(group, Organization):
            related = (*related, group)
            self._written_groups.add(group.id)
        org_id = group.id if isinstance(group, Organization) else group
        # Built from the draft's fields (names read once per process) rather than with dataclasses.replace,
        # which looks the fields up on every call: two replaces per row were a visible share of the load's
        # Python time. Copying every field keeps one added to Participation from being dropped here.
        values = {name: getattr(p, name) for name in _PARTICIPATION_FIELDS}
        values.update(
            id=participation_id(p.npi, p.network_id, p.role, specialty, locations),
            specialty_code=specialty,
            location_ids=locations,
            organization_id=org_id,
        )
        done = Participation(**values)
        return Mapped(m.file, m.line, done, related)

    def _groups_named(self, rows: list[_Row]) -> dict[str, str]:
        """Each medical group value of the batch -> the first name a row of the batch gives it."""
        named: dict[str, str] = {}
        for m in rows:
            if m.group and not named.get(m.group):
                named[m.group] = m.group_name
        return named

    def _group_ids(self, named: dict[str, str], found: Collection[str]) -> dict[str, Organization | str]:
        """Each medical group value -> an existing organization id (among ``found``), or a group to write."""
        out: dict[str, Organization | str] = {}
        for value, name in named.items():
            existing = next((c for c in (value, f"npi:{value}") if c in found), None)
            if existing is not None:
                out[value] = existing
                continue
            gid = f"group:{_SLUG.sub('-', value.lower()).strip('-') or 'unnamed'}"
            if gid not in self._group_names:
                self._group_names[gid] = name or value
                self._notes[NOTE_GROUP_CREATED] += 1
            kind = OrgKind.PROVIDER_GROUP.value
            out[value] = Organization(id=gid, name=self._group_names[gid], kind=kind, source=SOURCE)
        return out

    def notes(self) -> list[str]:
        return [f"{n:,} x {note}" for note, n in sorted(self._notes.items())]


def participation_id(
    npi: str, network: str, role: str, specialty: str | None, locations: tuple[str, ...]
) -> str:
    """``part:`` + a short stable hash of what identifies a contract line."""
    blob = "|".join([npi, network, role, specialty or "", ",".join(sorted(locations))])
    return "part:" + hashlib.blake2b(blob.encode(), digest_size=10).hexdigest()


def _clean(raw: RawRow) -> tuple[dict[str, str], list[Reject]]:
    data: dict[str | None, Any] = raw.data
    if "__error__" in data:
        return {}, [Reject(raw.file, raw.line, "row", f"unreadable CSV row: {data['__error__']}")]
    if data.get(None):
        extra = ",".join(map(str, data[None]))
        return {}, [Reject(raw.file, raw.line, "row", "more fields than the header", extra)]
    short = next((str(k) for k, v in data.items() if k is not None and v is None), None)
    if short is not None:
        return {}, [Reject(raw.file, raw.line, short, "fewer fields than the header")]
    return {str(k).strip().lower(): str(v).strip() for k, v in data.items() if k is not None}, []


def _location(row: dict[str, str]) -> Location | tuple[str, str] | None:
    """The practice location a row gives, None when it gives none, or (column, reason) when it is bad."""
    given = [c for c in ADDRESS if row.get(c)]
    if not given:
        return None
    missing = next((c for c in ADDRESS if not row.get(c)), None)
    if missing is not None:
        return missing, "practice address incomplete: address, city, state and zip go together"
    state = row["state"].upper()
    if state not in US_STATES:
        return "state", "not a US state code"
    zip5 = normalize_zip(row["zip"])
    if zip5 is None:
        return "zip", "ZIP cannot be restored to 5 digits"
    return practice_location(row["address"], row["city"], state, zip5)


def make_loader(options: SourceOptions) -> Loader:
    return ParticipationLoader()
