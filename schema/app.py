"""The ASGI app: ``create_app(settings, store)`` for tests and embedding, ``app_from_env`` for uvicorn.

The store is created once, in the lifespan, unless one is injected (then its owner closes it). GraphQL
is served on ``/graphql`` by POST; GET there only returns the GraphiQL page when enabled, which runs
nothing by itself.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from threading import Event, Thread

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from network.errors import PnetError
from network.services.warmup import warm_referral_search
from network.settings import Settings
from network.store import GraphStore, open_store
from network.store.replan import SEARCH_PLANNING_S
from schema.health import endpoints
from schema.middleware import RequestIdMiddleware
from schema.runtime import Runtime
from schema.view import PnetGraphQL

log = logging.getLogger("pnet.api")

# How long stopping waits for the plan warmer's search in flight before it closes the store anyway.
WARMER_JOIN_S = 5.0


class GraphQLEndpoint:
    """POST runs GraphQL; GET (and HEAD) shows GraphiQL if enabled; anything else is 405."""

    def __init__(self, runtime: Runtime) -> None:
        self._view = PnetGraphQL(runtime)
        self._graphiql = runtime.settings.graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "POST":
            try:
                await self._view(scope, receive, send)
            except ClientDisconnect:
                # Gone before its body was read: nobody to answer, and no fault of the server's (uvicorn
                # would log it as an error in the application, with a traceback; RequestIdMiddleware
                # counts it as the client's going).
                scope.setdefault("state", {})["client_gone"] = True
                log.info("a client disconnected before its request was read")
            return
        if method in ("GET", "HEAD") and self._graphiql:
            response: Response = HTMLResponse(self._view.graphql_ide_html)
        else:
            response = PlainTextResponse(
                "GraphQL is served by POST only", status_code=405, headers={"Allow": "POST"}
            )
        await response(scope, receive, send)


def _warm_in_background(store: GraphStore, stop: Event) -> Thread:
    """Warms the referral search's plans (network.services.warmup) while the API already answers."""

    def run() -> None:
        try:
            warmed = warm_referral_search(store, stop=stop)
        except PnetError as exc:  # the searches are then planned on first use, as without warming
            log.warning("warming the referral search's plans failed: %s", exc)
            return
        log.info(
            "warmed %d referral searches in %.1f s%s",
            warmed.searches,
            warmed.seconds,
            " (stopped early)" if warmed.stopped else "",
        )

    thread = Thread(target=run, name="pnet-warm-plans", daemon=True)
    thread.start()
    return thread


def create_app(settings: Settings, store: GraphStore | None = None) -> Starlette:
    runtime = Runtime(settings)
    if store is not None:
        runtime.attach(store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned: GraphStore | None = None
        if store is None:
            # A request's reads share its deadline (schema.view), and the plan warmer and readiness set
            # their own; this limit bounds any read made outside a deadline (network.store.neo4j).
            owned = open_store(settings, read_timeout_s=settings.request_timeout_s)
            runtime.attach(owned)
            log.info("pnet API on the %s store", settings.store)
        # Neo4j plans a search text inside the read's time limit, and a read stopped while planning leaves
        # no plan behind (network.store.replan): a member's first search of a term nobody warmed times out.
        if settings.store == "neo4j" and settings.request_timeout_s < SEARCH_PLANNING_S:
            log.warning(
                "PNET_REQUEST_TIMEOUT_S=%g is under the %g s Neo4j may take to plan a referral search:"
                " a search not planned yet times out until the store has planned it in the background."
                " Warm every term members use (pnet db warm, PNET_WARM_SEARCH_PLANS) or give requests"
                " more time.",
                settings.request_timeout_s,
                SEARCH_PLANNING_S,
            )
        stop = Event()
        serving = owned if owned is not None else store
        warmer = None
        try:
            if serving is not None:
                await anyio.to_thread.run_sync(serving.prepare_reads)
            # What is alive now (the embedded store's graph, the schema, modules) lives as long as the
            # server, so the cyclic collector stops walking it: a full collection walked the embedded M
            # graph for 2.3 s, stalling every request in flight (BENCHMARKS.md, optimisation 39). Collected
            # once first, so no garbage is frozen with it (e.g. `pnet demo`'s graph from before its load
            # was persisted). The freeze is the process's: the first app to stop ends it.
            gc.collect()
            gc.freeze()
            if settings.warm_search_plans and serving is not None:
                warmer = _warm_in_background(serving, stop)
            yield
        finally:
            gc.unfreeze()
            stop.set()
            try:
                if warmer is not None:
                    # The search in flight (~2 s when Neo4j is well), before its store closes; not the
                    # minute a warming search may take, nor on the event loop. A daemon thread left running
                    # ends with the process; its read fails on the closed store and is logged.
                    await anyio.to_thread.run_sync(warmer.join, WARMER_JOIN_S)
                    if warmer.is_alive():
                        log.warning(
                            "the plan warmer still ran after %g s; stopping without it", WARMER_JOIN_S
                        )
            finally:  # closed even when the wait is cancelled
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
