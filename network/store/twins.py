"""Neo4j's typed twins of AT_LOCATION: the store's own index for a search naming a specialty.

A city's buildings hold hundreds of participations each, of every specialty. A search naming one
specialty within a radius read them all and kept ~1/30 (BENCHMARKS.md, optimisation 29). So beside each
``AT_LOCATION`` of a participation that names a specialty, ``write_participation.cypher`` writes a twin
whose type carries the code, ``AT_LOCATION_AS_<code>``: Neo4j stores a busy node's relationships grouped by
type and counts its degree by type, so a statement that names the twins' types expands and counts only
the specialty's participations. The twins are not part of the graph's model (network.store.links):
checksums and stats leave them out, and a contract test holds them to AT_LOCATION.

A statement names them through ``AT_SPECIALTY_LOCATION``, a type no graph holds, which :func:`expanding`
replaces by the twins of the codes asked for (or AT_LOCATION when none are). The text changes with the
codes, so each set of codes is planned once (Neo4j's plan cache); a parameter cannot name a type here:
Neo4j 5.26 plans a dynamic type (``$any(...)``) as an expansion of every relationship and a filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from network.model import Rel
from network.store.catalog import Statement, cypher

PREFIX = "AT_LOCATION_AS_"
MARKER = ":AT_SPECIALTY_LOCATION"  # with its colon: the statement's comments may name it bare
# The codes of a search are validated NUCC codes, but nothing else here relies on that.
_NONE = PREFIX  # a type no write creates (a code is never empty): the twins of no code


def twin_type(code: str) -> str:
    return PREFIX + code


def quoted(name: str) -> str:
    """A relationship type as Cypher text, whatever its characters (backquotes doubled)."""
    return "`" + name.replace("`", "``") + "`"


def expansion(codes: Iterable[str] | None) -> str:
    """The relationship types a search by radius expands: every participation's AT_LOCATION when no
    specialty is named, else the twins of the named codes."""
    if codes is None:
        return Rel.AT_LOCATION.value
    names = sorted({twin_type(code) for code in codes}) or [_NONE]
    return "|".join(quoted(name) for name in names)


@lru_cache(maxsize=1024)
def _expanding(statement: Statement, codes: tuple[str, ...] | None) -> str:
    return cypher(statement).replace(MARKER, ":" + expansion(codes))


def expanding(statement: Statement, codes: Iterable[str] | None) -> str:
    """A statement's text with its ``AT_SPECIALTY_LOCATION`` naming what :func:`expansion` says."""
    return _expanding(statement, None if codes is None else tuple(sorted(set(codes))))
