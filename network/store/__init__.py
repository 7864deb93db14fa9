"""Graph stores behind one protocol; :func:`open_store` picks one from the settings."""

from __future__ import annotations

from network.errors import ConfigurationError
from network.settings import Settings
from network.store.base import GraphStore
from network.store.rows import (
    GeoPoint,
    RankedPage,
    RankedSpecialist,
    RankQuery,
    ReferralAsk,
    StoreStats,
    UpsertCounts,
)

__all__ = [
    "GeoPoint",
    "GraphStore",
    "RankQuery",
    "RankedPage",
    "RankedSpecialist",
    "ReferralAsk",
    "StoreStats",
    "UpsertCounts",
    "open_store",
]


def open_store(settings: Settings, *, read_timeout_s: float | None = None) -> GraphStore:
    """The configured store, connected (the caller owns it and must ``close()`` it). ``read_timeout_s``
    bounds each read made outside a caller's deadline (network.deadline), where the store can stop one
    (Neo4j, server-side); the embedded store's reads run in the process, and a Python thread cannot be
    stopped."""
    if settings.store == "memory":
        from network.store.memory import MemoryStore

        return MemoryStore(settings.memory_graph_path)
    if settings.store == "neo4j":
        from network.store.neo4j import Neo4jStore

        return Neo4jStore.from_settings(settings, read_timeout_s=read_timeout_s)
    raise ConfigurationError(f"unknown store {settings.store!r}: use 'memory' or 'neo4j'")
