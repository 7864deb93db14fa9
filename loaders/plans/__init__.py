"""``pnet load plans``: plan rosters -> payer Organizations, Networks and Plans.

Three layouts, told apart by header (:mod:`loaders.plans.layouts`, docs/formats.md). A plan spans
rows, so :meth:`PlansLoader.files` reads each (small) roster once ahead and aggregates it
(:mod:`loaders.plans.roster`); the rows are then streamed and mapped as usual. Accounting unit:
one row; its outcome is its (plan, network) pairing's, i.e. the write of the aggregated plan carrying
it: the first row of a new plan creates it with all its pairings, its later rows find their pairing in
place (unchanged). A row contradicting an earlier row about the same plan or network is rejected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from loaders.csvfile import iter_dict_rows, read_header
from loaders.footprint import Footprint
from loaders.pipeline import Loader, Mapped, RawRow, Resolved
from loaders.plans.layouts import SOURCE, Facts, Layout, Problem, detect_layout, parse_row
from loaders.plans.roster import Roster
from loaders.registry import SourceOptions
from loaders.report import Reject
from network.model import Label, Organization, Plan, Record
from network.store import GraphStore

__all__ = ["PlansLoader", "make_loader"]

_STREAM_ORDER = (Layout.NETWORKS, Layout.ROSTER, Layout.MANAGING_ORGS)

_SKIPPED = Organization(id="", name="")  # the primary of a skipped row; resolve() drops it by identity


class PlansLoader(Loader):
    source = SOURCE
    related_order = (Label.ORGANIZATION, Label.NETWORK)
    footprint = Footprint(
        writes=frozenset({Label.ORGANIZATION, Label.NETWORK, Label.PLAN}), reads=frozenset({Label.NETWORK})
    )

    def __init__(self) -> None:
        self.roster = Roster()
        self._layouts: dict[str, Layout] = {}
        self._resolved: dict[str, Plan] | None = None
        self._unknown: set[str] = set()  # network ids that plans use but nothing defines
        self._skips: dict[tuple[str, int], str] = {}
        self._streamed = False

    def files(self, path: Path) -> list[Path]:
        found = super().files(path)
        for f in found:
            self._register(f)
        return found

    def _register(self, path: Path) -> Layout:
        if str(path) not in self._layouts:
            layout = detect_layout(read_header(path), path)
            self._layouts[str(path)] = layout
            for raw in iter_dict_rows(path):
                facts = parse_row(layout, raw.data)
                if isinstance(facts, Facts):
                    self.roster.add(raw.file, raw.line, facts)
        return self._layouts[str(path)]

    def harvest(self, path: Path) -> Iterator[RawRow]:
        """The first call streams every file of the load, network files first (plans in the other
        layouts may use their networks, and a plan is linked only to networks already written); later
        calls yield nothing, their rows having been streamed under their own file and line."""
        self._register(path)
        if self._streamed:
            return
        self._streamed = True
        for name in sorted(self._layouts, key=lambda f: _STREAM_ORDER.index(self._layouts[f])):
            yield from iter_dict_rows(Path(name))

    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        facts = parse_row(self._layouts[raw.file], raw.data)
        if isinstance(facts, Problem):
            return [_reject(raw, facts)]
        conflict = self.roster.conflicts.get((raw.file, raw.line))
        if conflict is not None:
            return [_reject(raw, conflict)]
        if facts.primary is None:
            self._skips[(raw.file, raw.line)] = facts.skip or "skipped"
            return Mapped(raw.file, raw.line, _SKIPPED)
        payers = tuple(self.roster.payers[p.id][0] for p in facts.payers)
        network = self.roster.networks[facts.network.id][0] if facts.network else None
        primary: Record
        if facts.plan is not None:
            # Until resolve() swaps in the aggregated plan, the primary carries only this row's pairing.
            primary = dataclasses.replace(
                self.roster.plans[facts.plan.id][0], network_ids=facts.plan.network_ids
            )
            related = (*payers, *([network] if network else []))
        elif network is not None:
            primary, related = network, payers
        else:
            primary, related = payers[-1], payers[:-1]
        return Mapped(raw.file, raw.line, primary, related)

    def resolve(self, batch: list[Mapped], store: GraphStore) -> Resolved:
        plans = self._plans(store)
        kept: list[Mapped] = []
        rejects: list[Reject] = []
        skipped: dict[str, int] = {}
        for m in batch:
            if m.primary is _SKIPPED:
                reason = self._skips.pop((m.file, m.line))
                skipped[reason] = skipped.get(reason, 0) + 1
            elif isinstance(m.primary, Plan) and m.primary.network_ids[0] in self._unknown:
                reason = (
                    f"network {m.primary.network_ids[0]} not found (neither in this load nor in the graph)"
                )
                rejects.append(Reject(m.file, m.line, "network_id", reason, m.primary.network_ids[0]))
            elif isinstance(m.primary, Plan):
                kept.append(dataclasses.replace(m, primary=plans[m.primary.id]))
            else:
                kept.append(m)
        return Resolved(kept=kept, rejects=rejects, skipped=skipped)

    def _plans(self, store: GraphStore) -> dict[str, Plan]:
        """Each plan with the networks that exist (in this load or the graph), decided once per load."""
        if self._resolved is None:
            used = {n for plan, _ in self.roster.plans.values() for n in plan.network_ids}
            outside = used - self.roster.networks.keys()
            self._unknown = outside - store.existing_keys(Label.NETWORK, outside) if outside else set()
            self._resolved = {
                pid: dataclasses.replace(
                    plan, network_ids=tuple(n for n in plan.network_ids if n not in self._unknown)
                )
                for pid, (plan, _) in self.roster.plans.items()
            }
        return self._resolved

    def notes(self) -> list[str]:
        return [f"{n:,} x {text}" for text, n in sorted(self.roster.notes.items())]


def _reject(raw: RawRow, problem: Problem) -> Reject:
    return Reject(raw.file, raw.line, problem.column, problem.reason, problem.value)


def make_loader(options: SourceOptions) -> Loader:
    return PlansLoader()
