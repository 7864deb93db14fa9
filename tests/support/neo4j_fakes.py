"""What a fake Neo4j driver answers in the store's unit tests."""

from __future__ import annotations

from neo4j.exceptions import ClientError


def timed_out_error() -> ClientError:
    """What Neo4j 5.26 answers (seen on the test instance) when a transaction outlives its timeout."""
    error = ClientError("The transaction has not completed within the timeout specified at its start")
    error._neo4j_code = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"  # type: ignore[attr-defined]
    return error
