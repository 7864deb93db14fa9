"""The load floor: the same rows, already shaped, written by a bare ``UNWIND`` loop with the same batches.

:class:`FloorStore` is the Neo4j store with every write statement swapped for the plainest Cypher that
builds the same graph on an empty database (``MERGE`` the node by key, ``SET`` its properties, ``MERGE``
its relationships; no content-hash comparison, no stale-link cleanup), and a clock around the driver
call only. Running the ordinary pipeline through it shapes exactly the rows pnet would send, and the
floor is the driver time of those writes alone: parse, validate and map cost nothing here.
"""

from __future__ import annotations

import time
from typing import Any

from network.model import KEYS, Label
from network.store.catalog import Statement, cypher
from network.store.links import LINKS
from network.store.neo4j import Neo4jStore


def bare_node_statement(label: Label) -> str:
    key = KEYS[label]
    lines = [
        "UNWIND $rows AS row",
        f"MERGE (n:{label.value} {{{key}: row.key}})",
        "SET n = row.props",
    ]
    if label is Label.LOCATION:
        lines.append(
            "SET n.point = CASE WHEN row.props.lat IS NULL OR row.props.lon IS NULL THEN null "
            "ELSE point({latitude: row.props.lat, longitude: row.props.lon}) END"
        )
    lines.append("WITH n, row")
    for link in LINKS[label]:
        target_key = KEYS[link.target]
        has_props = link.field == "specialties"
        ref = "x.key" if has_props else "x"
        props = " {primary: x.primary}" if has_props else ""
        arrow = f"(n)-[:{link.rel.value}{props}]->(t)" if link.outgoing else f"(t)-[:{link.rel.value}]->(n)"
        lines.append(
            f"CALL (n, row) {{ UNWIND row.links.{link.field} AS x "
            f"MATCH (t:{link.target.value} {{{target_key}: {ref}}}) MERGE {arrow} }}"
        )
    if label is Label.PARTICIPATION:  # the store's typed twin of AT_LOCATION (write_participation.cypher)
        lines.append(
            "CALL (n, row) { UNWIND row.links.location_ids AS x MATCH (t:Location {id: x}) "
            "WITH n, t WHERE n.specialty_code IS NOT NULL "
            "MERGE (n)-[:$('AT_LOCATION_AS_' + n.specialty_code)]->(t) }"
        )
    if label is Label.COUNTY:  # the backfill of locations loaded before their county
        lines.append("CALL (n) { MATCH (l:Location {county_fips: n.fips}) MERGE (l)-[:IN_COUNTY]->(n) }")
    lines.append("RETURN collect([row.key, null]) AS written")
    return "\n".join(lines)


# An edge is keyed by its ends, source, year and window_days; MERGE cannot match an absent (null) year or
# window, and the benchmark's files give neither, one source each: so the floor merges on the source.
BARE_REFERRALS = """UNWIND $rows AS row
MATCH (a:Practitioner {npi: row.from})
MATCH (b:Practitioner {npi: row.to})
MERGE (a)-[r:REFERS_TO {source: row.props.source}]->(b)
SET r = row.props
WITH count(r) AS written
RETURN [] AS updated, [] AS unchanged, [] AS missing"""


# The same, for the rows of a first load's create (write_referrals_new.cypher: what a file's rows share
# comes once, as $shared).
BARE_NEW_REFERRALS = """UNWIND $rows AS row
MATCH (a:Practitioner {npi: row[0]})
MATCH (b:Practitioner {npi: row[1]})
MERGE (a)-[r:REFERS_TO {source: $shared.source}]->(b)
SET r = $shared, r.pair_count = row[2], r.beneficiaries = row[3], r.same_day_count = row[4]
WITH count(r) AS written
RETURN [] AS missing"""


def bare_statements() -> dict[str, str]:
    out = {cypher(Statement.per_label("write", label)): bare_node_statement(label) for label in LINKS}
    # pnet's first-load create (network.store.fresh) is pnet's own: the floor MERGEs every row either way.
    out[cypher(Statement.WRITE_REFERRALS)] = BARE_REFERRALS
    out[cypher(Statement.WRITE_REFERRALS_NEW)] = BARE_NEW_REFERRALS
    return out


class FloorStore(Neo4jStore):
    """Counts the driver time of writes (bare statements) in ``write_seconds``; reads run as usual."""

    write_seconds: float = 0.0
    _bare: dict[str, str] | None = None

    def _run(
        self, statement: Statement | str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        if not write:
            return super()._run(statement, params)
        if self._bare is None:
            self._bare = bare_statements()
        text = cypher(statement) if isinstance(statement, Statement) else statement
        text = self._bare.get(text, text)
        started = time.perf_counter()
        result = self._query(text, params or {}, write=True)
        self.write_seconds += time.perf_counter() - started
        return [record.data() for record in result.records]
