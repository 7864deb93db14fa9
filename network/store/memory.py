"""The embedded store: a networkx multigraph in process memory, persisted to one file.

Zero setup, so ``pnet demo`` runs anywhere. Nodes are ``(label, key)`` tuples carrying the record's
properties; relationships follow :mod:`network.store.links` exactly as the Neo4j store builds them, so
the contract suite can demand identical answers (and identical checksums) from both. Radius reads go
through a k-d tree of unit-sphere vectors (scipy), rebuilt lazily after locations change. The class is
assembled from its parts: :mod:`~network.store.memory_core` (state, writes, core reads),
:mod:`~network.store.memory_rank` (referral ranking), :mod:`~network.store.memory_search` (directory
search) and :mod:`~network.store.memory_adequacy`.
"""

from __future__ import annotations

from network.store.memory_adequacy import MemoryAdequacy
from network.store.memory_rank import MemoryRank
from network.store.memory_search import MemorySearch


class MemoryStore(MemoryRank, MemorySearch, MemoryAdequacy):
    """A :class:`~network.store.base.GraphStore` on networkx; ``path`` (optional) is where
    :meth:`flush` persists it."""
