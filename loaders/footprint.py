"""What a load reads and writes in the graph: two loads that touch nothing of each other's may run at once.

A loader declares its :class:`Footprint`: the labels and relationship types it writes, and those its
``resolve()`` reads. What follows from the graph model is added here, not declared: writing a label
reads the targets its links point at and creates those relationships (``network.store.links.LINKS``),
and a label that backfills links reads the label it links from (``BACKFILL``: a County links the
Locations already carrying its FIPS). A test runs every loader against a recording store and holds
each declaration to what the loader actually does.

Two loads conflict when either writes something the other reads or writes. A write the other cannot
see yet (it runs in another transaction) would otherwise decide the other's outcome: a participation
resolved before its practitioner landed is a reject, a location written beside a county's backfill
misses its IN_COUNTY link. A loader that declares nothing conflicts with every other.
"""

from __future__ import annotations

from dataclasses import dataclass

from network.model import Label, Rel
from network.store.links import BACKFILL, LINKS

Part = Label | Rel


@dataclass(frozen=True, slots=True)
class Footprint:
    writes: frozenset[Part]
    reads: frozenset[Part] = frozenset()

    def full(self) -> Footprint:
        """The declaration plus what the graph model implies (links and backfills of what is written)."""
        writes, reads = set(self.writes), set(self.reads)
        for label in self.writes:
            if not isinstance(label, Label):
                continue
            for link in LINKS[label]:
                writes.add(link.rel)
                reads.add(link.target)
            if label in BACKFILL:
                source, link = BACKFILL[label]
                writes.add(link.rel)
                reads.add(source)
        return Footprint(frozenset(writes), frozenset(reads))

    def conflicts(self, other: Footprint) -> bool:
        a, b = self.full(), other.full()
        return bool(a.writes & (b.reads | b.writes) or b.writes & a.reads)


def conflicting(a: Footprint | None, b: Footprint | None) -> bool:
    """Whether two loads must run one after the other (an undeclared footprint conflicts with all)."""
    return a is None or b is None or a.conflicts(b)
