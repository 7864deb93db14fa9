"""The rows the Neo4j store sends its write statements: the links must be exactly those of iter_links."""

from __future__ import annotations

import dataclasses
import io
from types import SimpleNamespace
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st
from neo4j import Driver
from neo4j._codec.packstream.v1 import Packer  # the driver's own encoder: the wire bytes must not change

from network.model import (
    County,
    Location,
    Network,
    Organization,
    Participation,
    Plan,
    Practitioner,
    Record,
    Referral,
    Specialty,
)
from network.store.catalog import Statement, cypher
from network.store.links import LINKS, iter_links
from network.store.neo4j import Neo4jStore, _node_row, _present, _upsert_row

RECORDS: list[Record] = [
    Practitioner(
        "1234567893",
        "Ann Heart",
        primary_specialty="207RC0000X",
        specialties=("207Q00000X", "207RC0000X", "207Q00000X"),
        location_ids=("L1", "L2", "L1"),
    ),
    Practitioner("1003000126", "Bob Family"),
    Organization("npi:1407071236", "Hartford", "facility", specialties=("207Q00000X",), part_of="org:1"),
    Location(id="L1", zip="06106", county_fips="09003"),
    Location(id="L2", zip="06106"),
    Network("N1", "North", payer_id="payer:1"),
    Plan("P1", "Plan", "hmo", True, payer_id="payer:1", network_ids=("N1", "N2")),
    Participation("part:1", "1234567893", "N1", "pcp", "207Q00000X", ("L1",), organization_id="group:a"),
    Participation("part:2", "1234567893", "N1", "specialist"),
    Specialty("207Q00000X", "Family Medicine"),
    County(fips="09003", name="Hartford", state="CT"),
]


def _expected(rec: Record) -> dict[str, list[Any]]:
    links: dict[str, list[Any]] = {link.field: [] for link in LINKS[rec.LABEL]}
    for link, target, props in iter_links(rec):
        links[link.field].append({"key": target, **props} if props else target)
    return links


def test_node_rows_carry_the_links_iter_links_gives() -> None:
    for rec in RECORDS:
        row = _node_row(rec, "hash")
        assert row["links"] == _expected(rec), rec
        assert (row["key"], row["hash"]) == (rec.key, "hash")
        assert row["props"] == {k: v for k, v in rec.as_dict().items() if v is not None}


def test_shape_hashes_and_rows_as_the_record_itself_would() -> None:
    # shape() takes one as_dict() for the hash and the row; it must still be the record's own digest().
    store = Neo4jStore(cast(Driver, None))
    for rec in RECORDS:
        shaped = store.shape(rec)
        assert (shaped.record, shaped.key, shaped.digest) == (rec, rec.key, rec.digest()), rec
        assert shaped.row == _node_row(rec, rec.digest()), rec
    ref = Referral("1234567893", "1003000126", pair_count=10, beneficiaries=4, window_days=30, year=2015)
    shaped_ref = store.shape(ref)
    # A referral's row is the statement's it takes, built at the write (a first load's create or the upsert).
    assert (shaped_ref.key, shaped_ref.digest, shaped_ref.row) == (ref.key, None, None)
    # The edge holds its content only: the ends are its nodes', the key and hash are not stored.
    content = {k: v for k, v in _present(ref.as_dict()).items() if k not in ("from_npi", "to_npi")}
    assert _upsert_row(shaped_ref) == {
        "key": ref.key,
        "from": ref.from_npi,
        "to": ref.to_npi,
        "props": content,
    }


class _CreateDriver:
    """Answers a first load's referral create, naming as missing the rows whose referring NPI is absent."""

    def __init__(self, absent: str) -> None:
        self.absent = absent
        self.sent: list[tuple[str, dict[str, Any], list[Any]]] = []

    def execute_query(self, text: str, params: dict[str, Any], **options: Any) -> Any:
        if "REFERS_TO" in text and "$rows" not in text:  # network.store.fresh asks for edges: none yet
            return SimpleNamespace(keys=["present"], records=[[False]])
        rows = list(params["rows"])
        self.sent.append((text, params["shared"], rows))
        missing = [[row[0], row[1], "from"] for row in rows if row[0] == self.absent]
        return SimpleNamespace(keys=["missing"], records=[[missing]])


def test_a_first_load_sends_what_varies_by_row_and_what_a_file_shares_once() -> None:
    driver = _CreateDriver(absent="1003000126")
    store = Neo4jStore(cast(Driver, driver), batch_size=2000)
    refs = [
        Referral("1234567893", "1245319599", pair_count=12, beneficiaries=5, window_days=30, year=2015),
        Referral("1003000126", "1245319599", pair_count=11, same_day_count=2, window_days=30, year=2015),
        Referral("1234567893", "1245319599", pair_count=10, window_days=90, year=2015),
    ]
    counts = store.upsert_referrals(refs)
    assert (counts.created, counts.missing) == (2, {"from": 1})
    source = refs[0].source
    assert [(shared, rows) for text, shared, rows in driver.sent] == [
        (
            {"source": source, "year": 2015, "window_days": 30},
            [["1234567893", "1245319599", 12, 5, None], ["1003000126", "1245319599", 11, None, 2]],
        ),
        ({"source": source, "year": 2015, "window_days": 90}, [["1234567893", "1245319599", 10, None, None]]),
    ]
    assert all(text == cypher(Statement.WRITE_REFERRALS_NEW) for text, _, _ in driver.sent)


class _Driver:
    """Takes the write statements' parameters and answers as if every row were new; keeps what each
    statement was sent, as it was when sent (the store empties its rows after the statement)."""

    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []
        self.sent: list[tuple[str, bytes, list[Any]]] = []  # repr, packed bytes, rows

    def execute_query(self, text: str, params: dict[str, Any], **options: Any) -> Any:
        self.params.append(params)
        packed = io.BytesIO()
        Packer(packed).pack(params)
        self.sent.append((repr(params), packed.getvalue(), list(params["rows"])))
        return SimpleNamespace(keys=["written"], records=[[[[row["key"], None] for row in params["rows"]]]])


def test_write_parameters_pack_as_lists_with_a_short_repr() -> None:
    # The driver formats repr(parameters) for its debug log on every statement, enabled or not.
    driver = _Driver()
    store = Neo4jStore(cast(Driver, driver), batch_size=2000)
    records = [Location(id=f"L{i}", zip="06106", county_fips="09003") for i in range(2000)]
    assert store.upsert(records).created == 2000
    ((text, packed, rows),) = driver.sent
    assert rows == [store.shape(rec).row for rec in records]
    assert len(text) < 100
    plain = io.BytesIO()
    Packer(plain).pack({"rows": rows})
    assert packed == plain.getvalue()
    # Emptied once the statement has run: the driver's reference cycle would keep them until collected.
    assert driver.params[0]["rows"] == []


_scalar_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    npis=st.tuples(_scalar_text, _scalar_text),
    counts=st.tuples(st.integers(), st.none() | st.integers(), st.none() | st.integers()),
    window=st.none() | st.integers(min_value=0, max_value=999),
    year=st.none() | st.integers(min_value=1900, max_value=2999),
    source=_scalar_text,
)
def test_a_referral_edge_stores_its_set_fields_less_its_ends(
    npis: tuple[str, str],
    counts: tuple[int, int | None, int | None],
    window: int | None,
    year: int | None,
    source: str,
) -> None:
    # edge_props lists the fields by hand: one added to Referral and not stored there fails this.
    ref = Referral(*npis, *counts, window_days=window, year=year, source=source)
    ends = {"from_npi", "to_npi"}
    assert ref.edge_props() == {k: v for k, v in ref.as_dict().items() if k not in ends and v is not None}
    assert ref.as_dict() == dataclasses.asdict(ref)
