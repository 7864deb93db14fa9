"""Prometheus metrics of one app, in its own registry (so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "ApiMetrics"]


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # `operation` is the sorted root fields of the operation: bounded by the schema, unlike the
        # client-chosen operation name.
        self.requests = Counter(
            "pnet_graphql_requests",
            "GraphQL operations by root fields and outcome (ok or the first error code).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pnet_graphql_request_seconds",
            "GraphQL operation latency by root fields.",
            ["operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.store_errors = Counter(
            "pnet_store_errors",
            "Store calls that failed, by kind: unavailable, error, or timeout (counted even when abandoned).",
            ["kind"],
            registry=self.registry,
        )
        self.http = Counter(
            "pnet_http_requests",
            "HTTP requests by route and status.",
            ["route", "status"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
