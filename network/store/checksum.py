"""Content checksums of a whole graph and the property conventions both stores share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, TypeVar

from network.model import Record

R = TypeVar("R", bound=Record)


def graph_checksum(nodes: Iterable[tuple[str, str, dict[str, Any]]], rels: Iterable[RelRow]) -> str:
    """Order-independent digest of a whole graph, computed the same way for both stores."""
    h = hashlib.sha256()
    for label, key, props in sorted(nodes, key=lambda n: (n[0], n[1])):
        h.update(f"N|{label}|{key}|{_canon(props)}\n".encode())
    for rel in sorted(rels, key=lambda r: (r[0], r[1], r[2], r[3], r[4], _canon(r[5]))):
        h.update(f"R|{rel[0]}|{rel[1]}|{rel[2]}|{rel[3]}|{rel[4]}|{_canon(rel[5])}\n".encode())
    return h.hexdigest()


# (type, start label, start key, end label, end key, properties)
RelRow = tuple[str, str, str, str, str, dict[str, Any]]


def _canon(props: dict[str, Any]) -> str:
    clean = {k: v for k, v in props.items() if k not in INTERNAL_PROPS and v is not None}
    return json.dumps(clean, sort_keys=True, separators=(",", ":"), default=str)


# Bookkeeping properties the stores keep beside a record's own; never part of its content.
INTERNAL_PROPS = frozenset({"content_hash", "point"})


def record_from_props(cls: type[R], props: dict[str, Any]) -> R:
    """A record rebuilt from stored properties (lists back to tuples, bookkeeping dropped)."""
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in props.items() if k not in INTERNAL_PROPS}
    return cls(**fields)
