"""``pnet load nppes``: the NPPES monthly "npidata_pfile" CSV -> Practitioners, Organizations, Locations.

The full file is ~10 GB, so it is streamed row by row through ``csv.reader`` (memory flat in file size)
and read by header name (:mod:`loaders.nppes_columns`); :mod:`loaders.nppes_map` maps a row. ``--states``
keeps rows whose practice state is in the set: the others are counted as skipped before any other work,
so filtering the national file to a few states costs little more than reading it.

The batch step gives every taxonomy code a Specialty node (a stub from pnet's reference data, never
overwriting names the NUCC file loaded), so HAS_SPECIALTY edges have targets whatever the load order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from loaders.csvfile import iter_rows
from loaders.errors import UnreadableSource
from loaders.footprint import Footprint
from loaders.nppes_columns import Columns, NppesRow
from loaders.nppes_map import SOURCE, Deactivation, RowResult, map_row
from loaders.pipeline import Loader, Mapped, RawRow, Resolved
from loaders.registry import SourceOptions
from loaders.report import Reject
from network.errors import InvalidInput
from network.model import Label, Organization, Practitioner, Record
from network.specialties import reference
from network.store import GraphStore
from network.validate import US_STATES

STATE_FILTER = "state filter"

# The primary of a row the --states filter leaves out; resolve() counts it as skipped by identity.
_FILTERED = Practitioner(npi="", name="")


class NppesLoader(Loader):
    source = SOURCE
    related_order = (Label.LOCATION,)
    footprint = Footprint(
        writes=frozenset({Label.PRACTITIONER, Label.ORGANIZATION, Label.LOCATION, Label.SPECIALTY}),
        reads=frozenset({Label.PRACTITIONER, Label.ORGANIZATION}),  # a deactivation merges into the known
    )
    # A batch needs only what earlier rows of its own NPIs wrote (a deactivation merges into the known
    # record), and the locations several lanes may share are functions of their address, the same
    # content whoever writes them first.
    laned = True

    def __init__(self, states: frozenset[str] | None = None) -> None:
        self.states = states
        self.primary_fallbacks = 0  # rows with taxonomy codes but no primary switch "Y"
        self._ensured: set[str] = set()  # specialty codes this load has made sure exist

    def harvest(self, path: Path) -> Iterator[RawRow]:
        rows = iter_rows(path)
        first = next(rows, None)
        if first is None:
            raise UnreadableSource(f"{path}: empty file, no header")
        if not isinstance(first.data, list):
            raise UnreadableSource(f"{path}: header is not CSV ({first.data})")
        columns = Columns.from_header(first.data, path)
        for raw in rows:
            if not isinstance(raw.data, list):
                yield raw  # a CSV error: transform rejects it with the parser's message
            elif raw.data:  # a blank line is not a row
                yield RawRow(raw.file, raw.line, NppesRow(columns, raw.data))

    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        row = raw.data
        if not isinstance(row, NppesRow):
            detail = str(row.get("__error__", "")) if isinstance(row, dict) else repr(row)
            return [Reject(raw.file, raw.line, "(row)", "unparseable CSV row", detail)]
        c = row.columns
        if len(row.fields) != c.width:
            found = f"{len(row.fields)} fields, header has {c.width}"
            return [Reject(raw.file, raw.line, "(row)", "wrong number of fields", found)]
        fields = [*row.fields, ""]  # the padding slot absent optional columns point at
        if self.states is not None:
            state = fields[c.state].strip().upper()
            # A deactivated NPI's row has no state: resolve() keeps it only for a practitioner already known.
            if state not in self.states and not (not state and fields[c.deactivation].strip()):
                return Mapped(raw.file, raw.line, _FILTERED)
        result = map_row(raw.file, raw.line, c, fields)
        if isinstance(result, RowResult):
            self.primary_fallbacks += result.primary_fallback
            return result.mapped
        return result

    def lane_key(self, m: Mapped) -> str:
        if isinstance(m, Deactivation):
            return m.npi
        npi = getattr(m.primary, "npi", None)  # an organization's key is "npi:" + its NPI
        return npi if isinstance(npi, str) else m.primary.key

    def resolve(self, batch: list[Mapped], store: GraphStore) -> Resolved:
        known = _known_records([m for m in batch if isinstance(m, Deactivation)], store)
        kept: list[Mapped] = []
        skipped = 0
        for m in batch:
            row = m
            if m.primary is _FILTERED:
                skipped += 1
                continue
            if isinstance(m, Deactivation):
                merged = _merge_deactivation(m, known)
                if merged is None and self.states is not None:
                    skipped += 1  # no state to filter on and nobody we know: outside the requested states
                    continue
                row = merged or Mapped(m.file, m.line, m.primary)
            if isinstance(row.primary, Practitioner | Organization):
                known[(row.primary.LABEL, row.primary.key)] = row.primary  # a later row of the batch sees it
            kept.append(row)
        # A stub once written stays (ensure never replaces a specialty): a write per new code per load,
        # where a round trip per batch was an eighth of the load's time, on the thread that writes.
        codes = {code for m in kept for code in getattr(m.primary, "specialties", ())}
        new_codes = sorted(codes - self._ensured)
        if new_codes:
            store.ensure_specialties([reference().stub(code) for code in new_codes])
            self._ensured.update(new_codes)
        return Resolved(kept=kept, skipped={STATE_FILTER: skipped} if skipped else {})

    def notes(self) -> list[str]:
        if not self.primary_fallbacks:
            return []
        return [
            f"{self.primary_fallbacks:,} rows list taxonomy codes but no primary switch 'Y': "
            "their first code was taken as primary"
        ]


def _known_records(rows: list[Deactivation], store: GraphStore) -> dict[tuple[Label, str], Record]:
    """The stored practitioners and organizations the sparse deactivation rows of a batch may refer to."""
    if not rows:
        return {}
    npis = [m.npi for m in rows]
    known: dict[tuple[Label, str], Record] = {}
    for key, rec in store.get_many(Label.PRACTITIONER, npis).items():
        known[(Label.PRACTITIONER, key)] = rec
    for key, rec in store.get_many(Label.ORGANIZATION, [f"npi:{n}" for n in npis]).items():
        known[(Label.ORGANIZATION, key)] = rec
    return known


def _merge_deactivation(m: Deactivation, known: dict[tuple[Label, str], Record]) -> Mapped | None:
    """The known record of this NPI, marked inactive; None when neither the graph nor the batch has it."""
    rec, npi = m.primary, m.npi
    candidates = {
        "1": [(Label.PRACTITIONER, npi)],
        "2": [(Label.ORGANIZATION, f"npi:{npi}")],
    }.get(m.entity_type, [(Label.PRACTITIONER, npi), (Label.ORGANIZATION, f"npi:{npi}")])
    for key in candidates:
        base = known.get(key)
        if isinstance(base, Practitioner):
            off = rec.deactivated_on if isinstance(rec, Practitioner) else None
            return Mapped(m.file, m.line, dataclasses.replace(base, active=False, deactivated_on=off))
        if isinstance(base, Organization):
            return Mapped(m.file, m.line, dataclasses.replace(base, active=False))
    return None


def make_loader(options: SourceOptions) -> Loader:
    if options.states is not None:
        unknown = sorted(options.states - US_STATES)
        if unknown:
            raise InvalidInput(f"--states: not US state codes: {', '.join(unknown)}", field="states")
    return NppesLoader(states=options.states)
