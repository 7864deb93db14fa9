"""The embedded store's core: a networkx multigraph in process memory, persisted to one file.

Zero setup, so ``pnet demo`` runs anywhere. Nodes are ``(label, key)`` tuples carrying the record's
properties; relationships follow :mod:`network.store.links` exactly as the Neo4j store builds them, so
the contract suite can demand identical answers (and identical checksums) from both. Radius reads go
through a k-d tree of unit-sphere vectors (scipy), rebuilt lazily after locations change.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from network.errors import StoreError
from network.geo import chord_for_miles, unit_vectors
from network.model import NODE_RECORDS, Label, Participation, Record, Referral, Rel, content_hash
from network.store.base import End, GraphStore, Shaped
from network.store.checksum import RelRow, graph_checksum, record_from_props
from network.store.links import BACKFILL, LINKS, Link, iter_links
from network.store.rows import PractitionerProfile, StoreStats

Node = tuple[str, str]
_FORMAT_VERSION = 1


class MemoryCore(GraphStore):
    """State, persistence, writes and the core reads of :class:`~network.store.memory.MemoryStore`."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.RLock()
        self._g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._by_label: dict[str, set[str]] = defaultdict(set)
        self._tree: tuple[cKDTree, list[str], np.ndarray] | None = None
        self._dirty = False
        self._generation = 0  # bumped by every write of nodes: derived indexes compare it to rebuild
        if path is not None and path.exists():
            self._load(path)

    # -- lifecycle ---------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        # Keys are unique by construction (one node per (label, key)); the spatial index is built lazily.
        return [f"unique {label.value}.{key}" for label, key in _keys().items()] + ["spatial Location"]

    def ping(self) -> None:
        return None

    def close(self) -> None:
        self.flush()

    def clear(self) -> None:
        with self._lock:
            self._g = nx.MultiDiGraph()
            self._by_label = defaultdict(set)
            self._tree = None
            self._dirty = True
            self._generation += 1

    def flush(self) -> None:
        """Persist to ``path`` atomically (write a temporary file, then rename over the old one)."""
        if self._path is None or not self._dirty:
            return
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".graph-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump((_FORMAT_VERSION, self._g), fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self._path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._dirty = False

    def _load(self, path: Path) -> None:
        try:
            with path.open("rb") as fh:
                version, graph = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise StoreError(f"cannot read the embedded graph at {path}: {exc}") from exc
        if version != _FORMAT_VERSION:
            raise StoreError(f"{path} has format {version}, expected {_FORMAT_VERSION}: run `pnet db reset`")
        self._g = graph
        for label, key in self._g.nodes:
            self._by_label[label].add(key)

    # -- writes ------------------------------------------------------------------------------------
    def _write_nodes(self, label: Label, batch: list[Shaped[Record]]) -> dict[str, str | None]:
        prior: dict[str, str | None] = {}
        with self._lock:
            backfill = self._backfill_index(label)
            for item in batch:
                rec = item.record
                digest = item.digest or rec.digest()
                node = (label.value, rec.key)
                data = self._g.nodes.get(node)
                if data is not None and data["props"].get("content_hash") == digest:
                    continue
                prior[rec.key] = None if data is None else data["props"].get("content_hash")
                props = {k: v for k, v in rec.as_dict().items() if v is not None}
                props["content_hash"] = digest
                if data is None:
                    self._g.add_node(node, props=props)
                    self._by_label[label.value].add(rec.key)
                else:
                    data["props"] = props
                    self._drop_links(node, LINKS[label])
                for link, target, rel_props in iter_links(rec):
                    other = (link.target.value, target)
                    if other in self._g:
                        start, end = (node, other) if link.outgoing else (other, node)
                        self._g.add_edge(start, end, key=link.rel.value, props=rel_props)
                self._backfill(label, rec.key, backfill)
            if prior:
                self._dirty = True
                self._generation += 1
                if label is Label.LOCATION:
                    self._tree = None
        return prior

    def _drop_links(self, node: Node, links: Iterable[Link]) -> None:
        for link in links:
            edges = self._g.out_edges(node, keys=True) if link.outgoing else self._g.in_edges(node, keys=True)
            doomed = [(u, v, k) for u, v, k in edges if k == link.rel.value]
            self._g.remove_edges_from(doomed)

    def _backfill(self, label: Label, key: str, index: dict[str, list[str]] | None) -> None:
        spec = BACKFILL.get(label)
        if spec is None or index is None:
            return
        source_label, link = spec
        for source_key in index.get(key, ()):
            self._g.add_edge(
                (source_label.value, source_key), (label.value, key), key=link.rel.value, props={}
            )

    def _backfill_index(self, label: Label) -> dict[str, list[str]] | None:
        """For a label with a backfill rule: which source nodes point at which key (one pass a batch)."""
        spec = BACKFILL.get(label)
        if spec is None:
            return None
        source_label, link = spec
        index: dict[str, list[str]] = defaultdict(list)
        for source_key in self._by_label.get(source_label.value, ()):
            value = self._g.nodes[(source_label.value, source_key)]["props"].get(link.field)
            if value is not None:
                index[str(value)].append(source_key)
        return index

    def _write_referrals(self, batch: list[Shaped[Referral]]) -> tuple[dict[str, str | None], dict[str, End]]:
        prior: dict[str, str | None] = {}
        missing: dict[str, End] = {}
        with self._lock:
            for item in batch:
                ref = item.record
                start, end = (Label.PRACTITIONER.value, ref.from_npi), (Label.PRACTITIONER.value, ref.to_npi)
                if start not in self._g:
                    missing[ref.key] = "from"  # never invent practitioners
                    continue
                if end not in self._g:
                    missing[ref.key] = "to"
                    continue
                ekey = _referral_edge_key(ref)
                data = self._g.get_edge_data(start, end, key=ekey)
                props = ref.edge_props()  # as Neo4j keeps it: its content, compared as a whole
                if data is not None and data["props"] == props:
                    continue
                prior[ref.key] = None if data is None else content_hash(data["props"])
                self._g.add_edge(start, end, key=ekey, props=props)
            self._dirty = self._dirty or bool(prior)
        return prior, missing

    def ensure_specialties(self, records: Sequence[Record]) -> int:
        with self._lock:
            missing = [r for r in records if (Label.SPECIALTY.value, r.key) not in self._g]
        return self.upsert(missing).created if missing else 0

    # -- generic reads -------------------------------------------------------------------------------
    def existing_keys(self, label: Label, keys: Iterable[str]) -> set[str]:
        with self._lock:
            present = self._by_label.get(label.value, set())
            return {k for k in keys if k in present}

    def get_many(self, label: Label, keys: Iterable[str]) -> dict[str, Record]:
        cls = NODE_RECORDS[label]
        out: dict[str, Record] = {}
        with self._lock:
            for key in keys:
                data = self._g.nodes.get((label.value, key))
                if data is not None:
                    out[key] = record_from_props(cls, data["props"])
        return out

    def keys(self, label: Label, *, after: str | None = None, limit: int = 1000) -> list[str]:
        with self._lock:
            keys = sorted(self._by_label.get(label.value, ()))
        if after is not None:
            keys = [k for k in keys if k > after]
        return keys[:limit]

    def practitioner_profiles(self, npis: Iterable[str]) -> dict[str, PractitionerProfile]:
        # Re-entrant: the reads it bundles see one state of the graph, as one statement would.
        with self._lock:
            return super().practitioner_profiles(npis)

    def participations_of(self, npis: Iterable[str]) -> dict[str, list[Participation]]:
        out: dict[str, list[Participation]] = {}
        with self._lock:
            for npi in npis:
                node = (Label.PRACTITIONER.value, npi)
                if node not in self._g:
                    continue
                roles: list[Participation] = [
                    record_from_props(Participation, self._g.nodes[v]["props"])
                    for _, v, k in self._g.out_edges(node, keys=True)
                    if k == Rel.HAS_ROLE.value
                ]
                out[npi] = sorted(roles, key=lambda p: p.id)
        return out

    def prepare_reads(self) -> None:
        self._spatial()

    def _spatial(self) -> tuple[cKDTree, list[str], np.ndarray]:
        """The k-d tree of every located Location, built on first use after a write."""
        with self._lock:
            if self._tree is None:
                keys, lats, lons = [], [], []
                for key in self._by_label.get(Label.LOCATION.value, ()):
                    props = self._g.nodes[(Label.LOCATION.value, key)]["props"]
                    if props.get("lat") is not None and props.get("lon") is not None:
                        keys.append(key)
                        lats.append(props["lat"])
                        lons.append(props["lon"])
                vectors = unit_vectors(np.asarray(lats, dtype=float), np.asarray(lons, dtype=float))
                self._tree = (cKDTree(vectors if keys else np.zeros((0, 3))), keys, vectors)
            return self._tree

    def _locations_within(self, lat: float, lon: float, miles: float) -> list[str]:
        tree, keys, _ = self._spatial()
        if not keys:
            return []
        center = unit_vectors(np.asarray([lat]), np.asarray([lon]))[0]
        return [keys[i] for i in tree.query_ball_point(center, chord_for_miles(miles))]

    def referral_counts(self, from_npi: str, to_npis: Iterable[str]) -> dict[str, int]:
        start = (Label.PRACTITIONER.value, from_npi)
        wanted = set(to_npis)
        out: dict[str, int] = {}
        with self._lock:
            if start not in self._g:
                return out
            for _, end, k, data in self._g.out_edges(start, keys=True, data=True):
                if k.startswith(Rel.REFERS_TO.value) and end[1] in wanted:
                    out[end[1]] = out.get(end[1], 0) + int(data["props"]["pair_count"])
        return out

    def top_referral_targets(self, npis: Iterable[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        with self._lock:
            for npi in npis:
                start = (Label.PRACTITIONER.value, npi)
                totals: dict[str, int] = defaultdict(int)
                if start in self._g:
                    for _, end, k, data in self._g.out_edges(start, keys=True, data=True):
                        if k.startswith(Rel.REFERS_TO.value):
                            totals[end[1]] += int(data["props"]["pair_count"])
                out[npi] = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return out

    # -- whole-graph views -----------------------------------------------------------------------------
    def stats(self) -> StoreStats:
        with self._lock:
            nodes = {label: len(keys) for label, keys in self._by_label.items() if keys}
            rels: dict[str, int] = defaultdict(int)
            for _, _, k in self._g.edges(keys=True):
                rels[k.split("|", 1)[0]] += 1
        return StoreStats(nodes=dict(sorted(nodes.items())), relationships=dict(sorted(rels.items())))

    def checksum(self) -> str:
        with self._lock:
            nodes = [(label, key, data["props"]) for (label, key), data in self._g.nodes(data=True)]
            rels: list[RelRow] = [
                (k.split("|", 1)[0], u[0], u[1], v[0], v[1], data["props"])
                for u, v, k, data in self._g.edges(keys=True, data=True)
            ]
        return graph_checksum(nodes, rels)


def props_in_effect(props: dict[str, Any], as_of: str) -> bool:
    """Participation properties in effect on ``as_of`` (effective inclusive, termination exclusive)."""
    effective, termination = props.get("effective"), props.get("termination")
    return (effective is None or effective <= as_of) and (termination is None or as_of < termination)


def _referral_edge_key(ref: Referral) -> str:
    return f"{Rel.REFERS_TO.value}|{ref.source}|{ref.year}|{ref.window_days}"


def _keys() -> dict[Label, str]:
    from network.model import KEYS

    return KEYS
