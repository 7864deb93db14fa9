"""The ASGI app: ``create_app(settings, store)`` for tests and embedding, ``app_from_env`` for uvicorn.

The store is created once, in the lifespan, unless one is injected (then its owner closes it). GraphQL
is served on ``/graphql`` by POST; GET there only returns the GraphiQL page when enabled, which runs
nothing by itself.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from network.settings import Settings
from network.store import GraphStore, open_store
from schema.health import endpoints
from schema.middleware import RequestIdMiddleware
from schema.runtime import Runtime
from schema.view import PnetGraphQL

log = logging.getLogger("pnet.api")


class GraphQLEndpoint:
    """POST runs GraphQL; GET (and HEAD) shows GraphiQL if enabled; anything else is 405."""

    def __init__(self, runtime: Runtime) -> None:
        self._view = PnetGraphQL(runtime)
        self._graphiql = runtime.settings.graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "POST":
            await self._view(scope, receive, send)
            return
        if method in ("GET", "HEAD") and self._graphiql:
            response: Response = HTMLResponse(self._view.graphql_ide_html)
        else:
            response = PlainTextResponse(
                "GraphQL is served by POST only", status_code=405, headers={"Allow": "POST"}
            )
        await response(scope, receive, send)


def create_app(settings: Settings, store: GraphStore | None = None) -> Starlette:
    runtime = Runtime(settings)
    if store is not None:
        runtime.attach(store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned: GraphStore | None = None
        if store is None:
            owned = open_store(settings)
            runtime.attach(owned)
            log.info("pnet API on the %s store", settings.store)
        try:
            yield
        finally:
            if owned is not None:
                owned.close()

    routes = [Route("/graphql", GraphQLEndpoint(runtime))]
    routes += [Route(path, fn, methods=["GET"]) for path, fn in endpoints(runtime).items()]  # type: ignore[arg-type]
    middleware = [
        Middleware(RequestIdMiddleware, metrics=runtime.metrics),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["POST", "GET"],
            allow_headers=["content-type", "x-request-id"],
            expose_headers=["x-request-id"],
            max_age=600,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.runtime = runtime
    return app


def app_from_env() -> Starlette:
    """The app configured from ``PNET_*`` variables: uvicorn's factory for ``pnet serve --workers N``."""
    return create_app(Settings())
