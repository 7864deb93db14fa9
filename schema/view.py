"""The GraphQL HTTP view: POST only, a per-request context and timeout, no subscriptions or batches."""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult

from network.deadline import deadline_after
from schema.context import ApiContext
from schema.errors import Code, RequestTimeout
from schema.runtime import Runtime

log = logging.getLogger("pnet.api")


class PnetGraphQL(GraphQL[ApiContext, None]):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(
            runtime.schema,
            graphql_ide="graphiql" if runtime.settings.graphiql else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
        )
        self._runtime = runtime

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> ApiContext:
        return ApiContext(
            settings=self._runtime.settings,
            gateway=self._runtime.gateway,
            request_id=str(request.scope.get("state", {}).get("request_id", "-")),
        )

    def is_request_allowed(self, request: BaseRequestProtocol) -> bool:
        # Variables may hold a member's location: they travel in a POST body, never in a URL.
        return request.method == "POST"

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return False  # served by the GET route of schema.app, which never executes anything

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)  # ~10 us less than the standard library for a referral search
        except orjson.JSONDecodeError:
            pass
        # What orjson refuses and the standard library reads (a byte-order mark, UTF-16, NaN, 1e400) is
        # read as it always was; bytes that are not Unicode at all are bad JSON (a 400), not a 500.
        try:
            return json.loads(data)
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"the body is not Unicode ({exc.reason})", "", exc.start) from exc

    def encode_json(self, data: object) -> bytes:
        # The stdlib encoder took 67 us for a 20-edge referral page (9 KB), orjson 5 us.
        return orjson.dumps(data)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        seconds = self._runtime.settings.request_timeout_s
        # The deadline travels into the store's worker threads: Neo4j reads are limited to what is left of
        # it, and none starts after it (network.store.neo4j). The embedded store's reads are not bounded.
        with deadline_after(seconds), anyio.move_on_after(seconds):
            result: ExecutionResult = await super().execute_single(*args, **kwargs)
            return result
        context = kwargs.get("context")
        log.warning("request timed out after %gs [request %s]", seconds, getattr(context, "request_id", "-"))
        self._runtime.metrics.requests.labels(operation="-", outcome=Code.TIMEOUT.value).inc()
        error = GraphQLError(str(RequestTimeout(seconds)), extensions={"code": Code.TIMEOUT.value})
        return ExecutionResult(data=None, errors=[error])
