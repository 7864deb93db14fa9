"""``pnet serve``: the GraphQL API under uvicorn (one process, or several workers from the environment)."""

from __future__ import annotations

import os
from typing import Any

import typer

from pnet_cli.context import console, settings_from


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="interface to bind (0.0.0.0 for all)"),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port"),
    workers: int = typer.Option(1, min=1, help="worker processes, each with its own store connection"),
    graceful_timeout: float = typer.Option(30.0, min=0.0, help="seconds to finish requests on SIGTERM"),
    keep_alive: float = typer.Option(
        5.0,
        min=0.1,
        help="seconds an idle connection stays open; behind a load balancer, more than its idle timeout",
    ),
    log_level: str = typer.Option("info", help="debug, info, warning or error"),
) -> None:
    """Serve GraphQL on /graphql (POST), with /healthz, /readyz and /metrics."""
    import uvicorn

    settings = settings_from(ctx)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": logging_config(log_level.upper()),
        "access_log": False,  # uvicorn's access log prints query strings; pnet.access logs without them
        "timeout_graceful_shutdown": graceful_timeout,
        # A client (or load balancer) that reuses a connection just as the server closes it for idling
        # gets a reset, not an answer: the side that closes idle connections first must be the client.
        "timeout_keep_alive": keep_alive,
        "server_header": False,
    }
    console.print(f"pnet API on http://{host}:{port}/graphql ({settings.store} store, {workers} worker(s))")
    if workers == 1:
        from schema.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Workers are separate processes that rebuild the settings from the environment: pass on the
    # options given on the command line.
    os.environ["PNET_STORE"] = settings.store
    os.environ["PNET_DATA_DIR"] = str(settings.data_dir)
    uvicorn.run("schema.app:app_from_env", factory=True, workers=workers, **options)


def logging_config(level: str) -> dict[str, Any]:
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": fmt}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "pnet": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }
