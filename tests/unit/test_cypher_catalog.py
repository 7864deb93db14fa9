"""Every Cypher statement lives in its own file, and the Statement enum names exactly those files."""

from __future__ import annotations

import re

from network.model import KEYS, Rel
from network.store.catalog import Statement, catalog_files, cypher, statements_in


def test_enum_and_folder_list_the_same_statements() -> None:
    assert {s.value for s in Statement} == catalog_files()


def test_every_label_has_its_per_label_statements() -> None:
    for label in KEYS:
        for verb in ("write", "get", "existing", "keys"):
            assert cypher(Statement.per_label(verb, label)).strip()


def test_statements_take_parameters_not_literals_from_input() -> None:
    # Values come in as $parameters; a statement that formats input into its text would need "{}" or "%s".
    for statement in Statement:
        text = cypher(statement)
        assert "%s" not in text and "{0}" not in text, statement


def test_schema_file_splits_into_single_statements() -> None:
    parts = statements_in(Statement.INIT_SCHEMA)
    assert parts and all(p.startswith("CREATE") and "IF NOT EXISTS" in p for p in parts)


def test_clearing_relationships_reads_every_relationship_type() -> None:
    # A type left out would stay for clear_batch's DETACH DELETE: one unbounded transaction per hub node.
    text = cypher(Statement.CLEAR_RELATIONSHIPS_BATCH)
    named = set(re.findall(r"\[r:(\w+)\]", text))
    assert named == {r.value for r in Rel}
