"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from network.deadline import deadline_after
from network.errors import PnetError
from schema.metrics import CONTENT_TYPE_LATEST
from schema.runtime import Runtime

READY_TIMEOUT_S = 5.0


def endpoints(runtime: Runtime) -> dict[str, object]:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            seconds = min(READY_TIMEOUT_S, runtime.settings.request_timeout_s)
            with deadline_after(seconds), anyio.fail_after(seconds):  # the ping's read stops with it
                await runtime.gateway.ping()
        except (PnetError, TimeoutError):
            return JSONResponse({"status": "unavailable", "store": runtime.settings.store}, status_code=503)
        return JSONResponse({"status": "ready", "store": runtime.settings.store})

    async def metrics(request: Request) -> Response:
        return Response(runtime.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}
