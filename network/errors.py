"""Exceptions raised by the ``network`` package.

Every error pnet raises on purpose derives from :class:`PnetError`, so callers can catch the whole
family at one boundary (the CLI, the GraphQL error masker) and let anything else surface as a bug::

    PnetError
    ├── ConfigurationError        settings that cannot work (unknown store, bad URI)
    ├── StoreError                the graph store failed
    │   ├── StoreUnavailable      the store cannot be reached right now (retry later)
    │   ├── StoreTimeout          the store stopped an operation that ran past its time limit
    │   │   └── DeadlinePassed    ... or did not start one: the caller's deadline had passed
    │   └── CypherCatalogError    a named .cypher statement is missing
    ├── InvalidInput              a caller's argument is wrong (bad NPI, unknown specialty, bad date)
    ├── NotFound                  a keyed entity does not exist
    └── DataError                 a source file cannot be read or is of an unknown layout
"""

from __future__ import annotations


class PnetError(Exception):
    """Base of every error pnet raises deliberately."""


class ConfigurationError(PnetError):
    """Settings that cannot work."""


class StoreError(PnetError):
    """The graph store failed."""


class StoreUnavailable(StoreError):
    """The store cannot be reached right now; the operation may succeed later."""


class StoreTimeout(StoreError):
    """The store stopped an operation that ran past its time limit."""


class DeadlinePassed(StoreTimeout):
    """The caller's deadline (network.deadline) passed before the store could start the operation: the
    store was not asked, so this says nothing of whether it answers."""


class CypherCatalogError(StoreError):
    """A Cypher statement was asked for by a name that has no ``.cypher`` file."""


class InvalidInput(PnetError):
    """A caller's argument is wrong; ``suggestions`` may name acceptable values."""

    def __init__(self, message: str, *, field: str | None = None, suggestions: list[str] | None = None):
        super().__init__(message)
        self.field = field
        self.suggestions = suggestions or []


class NotFound(PnetError):
    """A keyed entity does not exist."""

    def __init__(self, kind: str, key: str):
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class DataError(PnetError):
    """A source cannot be read at all, or has a layout pnet does not know."""
