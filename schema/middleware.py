"""Request ids, the server's time (``Server-Timing``) and a privacy-safe access log (method, path,
status, time: never a query string)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.metrics import ApiMetrics

log = logging.getLogger("pnet.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
KNOWN_ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
# nginx's "client closed request": a client gone before its request was read, which the app marks in
# the request's state (schema.app) and does not answer; not a server error.
CLIENT_GONE = 499


class RequestIdMiddleware:
    """Takes a sane ``X-Request-ID`` from the caller or makes one; echoes it and logs the request."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status, answered = 500, False  # 500 unless a response starts: the app raised
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                # The server's own time (W3C Server-Timing), so a caller can tell it from the network's.
                # Starlette starts a response once its body is ready: this covers the whole request.
                timing = f"app;dur={(time.perf_counter() - started) * 1000:.2f}".encode()
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    (b"server-timing", timing),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
            if not answered and scope["state"].get("client_gone"):
                status = CLIENT_GONE
        finally:
            path = scope.get("path", "")
            route = path if path in KNOWN_ROUTES else "other"
            self.metrics.http.labels(route=route, status=str(status)).inc()
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %d %.1fms [request %s]", scope.get("method"), route, status, elapsed_ms, request_id
            )
