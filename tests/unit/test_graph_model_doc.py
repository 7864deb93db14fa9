"""docs/graph-model.md, network.model and init_schema.cypher describe the same graph."""

from __future__ import annotations

import re
from pathlib import Path

from network.model import KEYS, Label, Rel
from network.store.catalog import Statement, statements_in

DOC = Path(__file__).resolve().parents[2] / "docs" / "graph-model.md"


def _table(section: str) -> list[list[str]]:
    text = DOC.read_text()
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows[2:]]


def _schema() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    constraints: dict[str, tuple[str, str]] = {}
    indexes: dict[str, str] = {}
    for stmt in statements_in(Statement.INIT_SCHEMA):
        m = re.match(
            r"CREATE CONSTRAINT (\w+) IF NOT EXISTS FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", stmt
        )
        if m:
            constraints[m[1]] = (m[2], m[3])
            continue
        m = re.match(
            r"CREATE (?:(\w+) )?INDEX (\w+) IF NOT EXISTS FOR \(n:(\w+)\) ON (?:EACH \[|\()([\w., ]+)[\])]",
            stmt,
        )
        assert m, f"unrecognised schema statement: {stmt}"
        # A composite index is documented as Label.first, second: the properties in index order.
        indexes[m[2]] = f"{m[3]}.{','.join(p.removeprefix('n.') for p in m[4].replace(' ', '').split(','))}"
    return constraints, indexes


def test_node_table_matches_keys_and_constraints() -> None:
    constraints, _ = _schema()
    documented = {row[0]: (row[1].strip("`"), row[2].strip("`")) for row in _table("Nodes")}
    assert documented == {label.value: (key, _name(constraints, label)) for label, key in KEYS.items()}
    assert set(constraints.values()) == {(label.value, key) for label, key in KEYS.items()}


def _name(constraints: dict[str, tuple[str, str]], label: Label) -> str:
    return next(name for name, (lbl, key) in constraints.items() if lbl == label.value and key == KEYS[label])


def test_relationship_table_matches_vocabulary() -> None:
    assert {row[0] for row in _table("Relationships")} == {r.value for r in Rel}


def test_index_table_matches_schema() -> None:
    _, indexes = _schema()
    documented = {row[0].strip("`"): row[2].replace(" ", "") for row in _table("Indexes")}
    assert documented == indexes
