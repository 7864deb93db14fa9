"""The offline anchor's CSV form (``bench/offline.py``): header types, cells, the digest, the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date

from bench.offline import (
    ARRAY_DELIMITER,
    Digest,
    Export,
    ExportError,
    _cell,
    csv_type,
    csv_value,
    import_command,
)


@pytest.mark.parametrize(
    ("types", "header"),
    [
        (["STRING NOT NULL"], "string"),
        (["INTEGER NOT NULL"], "long"),
        (["FLOAT NOT NULL"], "double"),
        (["BOOLEAN NOT NULL"], "boolean"),
        (["DATE NOT NULL"], "date"),
        (["POINT NOT NULL"], "point{crs:WGS-84}"),
        (["LIST<STRING NOT NULL> NOT NULL", "LIST<NOTHING> NOT NULL"], "string[]"),
        (["LIST<INTEGER NOT NULL> NOT NULL"], "long[]"),
        (["LIST<NOTHING> NOT NULL"], "string[]"),
    ],
)
def test_header_types_follow_value_types(types: list[str], header: str) -> None:
    assert csv_type("Practitioner", "x", types) == header


def test_a_property_of_two_types_is_refused_by_name() -> None:
    with pytest.raises(ExportError, match=r"Practitioner\.npi: needs one type"):
        csv_type("Practitioner", "npi", ["STRING NOT NULL", "INTEGER NOT NULL"])
    with pytest.raises(ExportError, match="MAP"):
        csv_type("Plan", "meta", ["MAP NOT NULL"])


def test_values_take_the_importers_forms() -> None:
    assert csv_value(True) == "true"
    assert csv_value(3) == 3
    assert csv_value(0.1) == 0.1
    assert csv_value(Date(2024, 1, 2)) == "2024-01-02"
    assert csv_value(WGS84Point((-73.25, 40.5))) == "{latitude:40.5,longitude:-73.25}"
    assert csv_value(["a", "b"]) == f"a{ARRAY_DELIMITER}b"
    assert csv_value([]) is None  # restored after the import: the CSV importer has no empty array
    with pytest.raises(ExportError, match="WGS-84"):
        csv_value(CartesianPoint((1.0, 2.0)))
    with pytest.raises(ExportError, match="delimiter"):
        csv_value([f"a{ARRAY_DELIMITER}b"])


def test_cells_tell_absent_from_empty() -> None:
    assert _cell(None) == ""
    assert _cell("") == '""'
    assert _cell('say "hi", then') == '"say ""hi"", then"'
    assert _cell(0.1) == "0.1"
    assert _cell(7) == "7"


def test_the_digest_ignores_order_but_not_content() -> None:
    a, b, c = Digest(), Digest(), Digest()
    for line in ["x", "y", "y"]:
        a.add(line)
    for line in ["y", "x", "y"]:
        b.add(line)
    for line in ["x", "y", "x"]:
        c.add(line)
    assert a.as_dict() == b.as_dict()
    assert a.as_dict() != c.as_dict()


def test_the_database_name_comes_before_the_file_groups(tmp_path: Path) -> None:
    export = Export(
        tmp_path,
        files=[
            ("nodes", tmp_path / "nodes-Plan.csv"),
            ("relationships", tmp_path / "relationships-OFFERS.csv"),
        ],
    )
    args = import_command(export)
    assert args[:4] == ["database", "import", "full", "neo4j"]
    assert args[-2:] == [
        f"--nodes=Plan={tmp_path}/nodes-Plan.csv",
        f"--relationships=OFFERS={tmp_path}/relationships-OFFERS.csv",
    ]
    assert "--multiline-fields=true" not in args
    export.multiline = True
    assert "--multiline-fields=true" in import_command(export)
