"""The offline anchor: the graph pnet loaded, written to CSV and imported by ``neo4j-admin database import``.

The issue asks for ``neo4j-admin database import`` of the same data as the offline anchor of the load
figures. The rows pnet writes only exist once its loaders have resolved and shaped them, so the anchor
imports the graph itself: every node and relationship of the loaded database is exported to import-format
CSV, the instance is stopped, ``scripts/neo4j-local admin database import full`` rebuilds the database from
those files, and pnet's schema (``init_schema``: constraints and indexes) is built on it once it is back.
The anchor is import + schema; the export is reported beside it and not counted.

The import must give back the graph that was exported: an order-independent digest of every node (labels,
properties) and relationship (type, ends by key, properties) is taken while exporting and again after the
import, and the run records whether they agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.spatial import Point
from neo4j.time import Date, DateTime

from bench.instance import REPO, Neo4jInstance
from network.model import KEYS, Label
from network.store.neo4j import Neo4jStore

# The CSV importer reads an empty array cell as no property at all, and pnet stores empty lists (a
# practitioner's languages): the export notes which nodes hold one, and they are set after the import.
EMPTY_LISTS = "UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) SET n.{prop} = []"
ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: never inside a directory's text, unlike ';' or ','
_SCALARS = {
    "STRING": "string",
    "INTEGER": "long",
    "FLOAT": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "LOCAL DATETIME": "localdatetime",
    "ZONED DATETIME": "datetime",
    "POINT": "point",
}


class ExportError(Exception):
    """The graph holds something the CSV import format cannot carry as it is."""


def csv_type(where: str, name: str, value_types: list[str]) -> str:
    """The import header type of property ``name`` from the ``valueType()`` names it has across ``where``."""
    kinds = {t.removesuffix(" NOT NULL") for t in value_types} - {"NULL"}
    if len(kinds) > 1:
        kinds.discard("LIST<NOTHING>")  # an empty list fits any list type
    if len(kinds) != 1:
        raise ExportError(f"{where}.{name}: needs one type for the import header, has {sorted(value_types)}")
    (kind,) = kinds
    if kind == "LIST<NOTHING>":
        return "string[]"  # only ever empty: no cell is written (see EMPTY_LISTS)
    is_list = kind.startswith("LIST<") and kind.endswith(">")
    inner = kind[5:-1].removesuffix(" NOT NULL") if is_list else kind
    if inner not in _SCALARS:
        raise ExportError(f"{where}.{name}: type {kind} has no CSV import form here")
    base = _SCALARS[inner]
    if base == "point":
        base = "point{crs:WGS-84}"  # pnet stores geographic points only (Location.point)
    return base + "[]" if is_list else base


def csv_value(value: Any) -> Any:
    """One property value as the importer reads it; ``None`` (an empty unquoted cell) means absent."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        if not value:
            return None  # the CSV importer has no empty array; the caller restores it (EMPTY_LISTS)
        parts = [str(csv_value(v)) for v in value]
        if any(ARRAY_DELIMITER in p for p in parts):
            raise ExportError(f"a list element holds the array delimiter: {value!r}")
        return ARRAY_DELIMITER.join(parts)
    if isinstance(value, Point):
        if value.srid != 4326:
            raise ExportError(f"point {value!r} is not WGS-84 2D")
        return f"{{latitude:{value[1]!r},longitude:{value[0]!r}}}"
    if isinstance(value, (Date, DateTime)):
        return value.iso_format()
    return str(value)


@dataclass
class Digest:
    """Order-independent digest of a multiset of canonical lines (sum of their hashes, and a count)."""

    count: int = 0
    total: int = 0

    def add(self, line: str) -> None:
        self.count += 1
        self.total = (
            self.total + int.from_bytes(hashlib.blake2b(line.encode(), digest_size=16).digest())
        ) % (1 << 128)

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "digest": f"{self.total:032x}"}


def _canon(props: dict[str, Any]) -> str:
    return json.dumps(props, sort_keys=True, separators=(",", ":"), default=repr)


def _key_of(var: str) -> str:
    """Cypher for the key of node ``var`` by its label (keys differ per label: npi, code, fips, id)."""
    whens = " ".join(f"WHEN '{label.value}' THEN toString({var}.{key})" for label, key in KEYS.items())
    return f"labels({var})[0] + '|' + CASE labels({var})[0] {whens} END"


@dataclass
class Export:
    folder: Path
    nodes: Digest = field(default_factory=Digest)
    relationships: Digest = field(default_factory=Digest)
    files: list[tuple[str, Path]] = field(default_factory=list)  # ("nodes" | "relationships", path)
    empty_lists: dict[tuple[Label, str], list[str]] = field(default_factory=dict)  # -> node keys
    multiline: bool = False


def _types(driver: Driver, where: str, match: str) -> dict[str, str]:
    query = f"{match} UNWIND keys(x) AS k RETURN k, collect(DISTINCT valueType(x[k])) AS types ORDER BY k"
    records = driver.execute_query(query).records
    return {r["k"]: csv_type(where, r["k"], r["types"]) for r in records}


def _cell(value: Any) -> str:
    # Written by hand, not by the csv module: the importer reads an unquoted empty cell as no property and
    # a quoted "" as an empty string, and csv.QUOTE_NONNUMERIC (3.11) writes None as "".
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace('"', '""') + '"'


def _write(export: Export, kind: str, name: str, header: list[str], rows: Iterator[list[Any]]) -> None:
    path = export.folder / f"{kind}-{name}.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(header) + "\n")
        for row in rows:
            line = ",".join(_cell(v) for v in row)
            if "\n" in line or "\r" in line:
                export.multiline = True
            fh.write(line + "\n")
    export.files.append((kind, path))


def export_graph(driver: Driver, folder: Path, *, write: bool = True) -> Export:
    """Every node and relationship to import CSV under ``folder`` (``write=False``: the digests only)."""
    if write:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    export = Export(folder)
    odd = driver.execute_query("MATCH (n) WHERE size(labels(n)) <> 1 RETURN count(n) AS c").records[0]["c"]
    if odd:
        raise ExportError(f"{odd} nodes do not carry exactly one label; the export keys nodes by label")
    labels = {r["l"] for r in driver.execute_query("CALL db.labels() YIELD label AS l").records}
    if labels - {label.value for label in Label}:
        raise ExportError(f"labels without a key in network.model.KEYS: {sorted(labels - set(Label))}")
    for label in Label:
        key = KEYS[label]
        types = _types(driver, label.value, f"MATCH (x:{label.value})")
        names = sorted(types)

        def node_rows(
            records: Iterator[Any], label: Label = label, names: list[str] = names
        ) -> Iterator[list[Any]]:
            for node_key, props in records:
                export.nodes.add(f"{label.value}|{_canon(props)}")
                for name, value in props.items():
                    if value == []:
                        export.empty_lists.setdefault((label, name), []).append(node_key)
                yield [f"{label.value}|{node_key}", *(csv_value(props.get(n)) for n in names)]

        header = [":ID", *(f"{n}:{types[n]}" for n in names)]
        query = f"MATCH (n:{label.value}) RETURN toString(n.{key}) AS k, properties(n) AS p"
        _consume(driver, query, node_rows, export, "nodes", label.value, header, write)
    rel_types = [
        r["t"]
        for r in driver.execute_query("CALL db.relationshipTypes() YIELD relationshipType AS t").records
    ]
    for rel in sorted(rel_types):
        types = _types(driver, rel, f"MATCH ()-[x:{rel}]->()")
        names = sorted(types)

        def rel_rows(records: Iterator[Any], rel: str = rel, names: list[str] = names) -> Iterator[list[Any]]:
            for start, end, props in records:
                if [] in props.values():
                    raise ExportError(f"{rel} {start}->{end}: an empty list on a relationship")
                export.relationships.add(f"{rel}|{start}|{end}|{_canon(props)}")
                yield [start, end, *(csv_value(props.get(n)) for n in names)]

        header = [":START_ID", ":END_ID", *(f"{n}:{types[n]}" for n in names)]
        query = (
            f"MATCH (a)-[r:{rel}]->(b) RETURN {_key_of('a')} AS s, {_key_of('b')} AS e, properties(r) AS p"
        )
        _consume(driver, query, rel_rows, export, "relationships", rel, header, write)
    return export


def _consume(
    driver: Driver,
    query: str,
    rows: Callable[[Iterator[Any]], Iterator[list[Any]]],
    export: Export,
    kind: str,
    name: str,
    header: list[str],
    write: bool,
) -> None:
    """Stream ``query`` in one read transaction through ``rows`` (which digests each record) and, when
    ``write``, into the CSV file of ``kind`` and ``name``."""

    def work(tx: ManagedTransaction) -> None:
        produced = rows(iter(tx.run(query)))
        if write:
            _write(export, kind, name, header, produced)
        else:
            deque(produced, maxlen=0)

    with driver.session() as session:
        session.execute_read(work)


def import_command(export: Export) -> list[str]:
    """``neo4j-admin database import full`` over the export's files, one group per label and type."""
    args = [
        "database",
        "import",
        "full",
        "neo4j",  # first: a files option takes every argument after it that is not an option
        "--overwrite-destination",
        "--max-off-heap-memory=4G",
        f"--report-file={export.folder / 'import.report'}",  # else it lands in the working directory
        f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
    ]
    if export.multiline:
        args.append("--multiline-fields=true")
    for kind, path in export.files:
        name = path.stem.split("-", 1)[1]
        args.append(f"--{kind}={name}={path}")
    return args


def offline_anchor(inst: Neo4jInstance, driver_of: Callable[[], Driver], folder: Path) -> dict[str, Any]:
    """Export, stop, import, start, schema, verify. ``driver_of`` opens a driver on the running instance."""
    started = time.perf_counter()
    with driver_of() as driver:
        export = export_graph(driver, folder)
    exported = time.perf_counter() - started
    size = sum(p.stat().st_size for _, p in export.files)
    env = {**os.environ, **inst.env(), "PNET_NEO4J_ADMIN_HEAP": "2g"}
    script = str(REPO / "scripts" / "neo4j-local")
    subprocess.run([script, "stop"], env=env, check=True)
    started = time.perf_counter()
    out = subprocess.run(
        [script, "admin", *import_command(export)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    imported = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(
            f"neo4j-admin import failed ({out.returncode}):\n{out.stdout[-3000:]}{out.stderr[-3000:]}"
        )
    subprocess.run([script, "start"], env=env, check=True)
    store = Neo4jStore.from_settings(inst.settings())
    started = time.perf_counter()
    try:
        store.init_schema()
    finally:
        store.close()
    with driver_of() as driver:
        driver.execute_query("CALL db.awaitIndexes(7200)")
        schema = time.perf_counter() - started
        started = time.perf_counter()
        for (label, prop), keys in export.empty_lists.items():
            statement = EMPTY_LISTS.format(label=label.value, key=KEYS[label], prop=prop)
            for at in range(0, len(keys), 10_000):
                driver.execute_query(statement, {"keys": keys[at : at + 10_000]})
        fixed = time.perf_counter() - started
        again = export_graph(driver, folder, write=False)
    return {
        "export_seconds": round(exported, 1),
        "csv_mib": round(size / 2**20, 1),
        "import_seconds": round(imported, 1),
        "schema_seconds": round(schema, 1),
        "empty_lists_seconds": round(fixed, 1),
        "empty_lists": sum(len(keys) for keys in export.empty_lists.values()),
        "total_seconds": round(imported + schema + fixed, 1),
        "nodes": export.nodes.count,
        "relationships": export.relationships.count,
        "verified": export.nodes.as_dict() == again.nodes.as_dict()
        and export.relationships.as_dict() == again.relationships.as_dict(),
        "digests": {"exported": _digests(export), "imported": _digests(again)},
    }


def _digests(export: Export) -> dict[str, Any]:
    return {"nodes": export.nodes.as_dict(), "relationships": export.relationships.as_dict()}
