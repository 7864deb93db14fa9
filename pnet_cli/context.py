"""What every CLI command shares: the settings (built once, from the environment and options)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from network.errors import PnetError
from network.settings import Settings
from network.store import GraphStore, open_store

console = Console(stderr=True)


def settings_from(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):  # the root callback always sets it; this guards tests
        settings = Settings()
    return settings


def for_load(settings: Settings, *, batch_size: int | None = None, lanes: int | None = None) -> Settings:
    """The settings a load runs with, the command line's options over the environment's: a
    ``--batch-size`` sizes the Neo4j store's write statements too (they would otherwise cut each batch
    into ``PNET_BATCH_SIZE`` pieces, and the option would not change what reaches the database)."""
    update = {k: v for k, v in (("batch_size", batch_size), ("load_lanes", lanes)) if v is not None}
    return settings.model_copy(update=update) if update else settings


def open_configured_store(settings: Settings) -> GraphStore:
    try:
        store = open_store(settings)
        store.ping()
    except PnetError as exc:
        fail(str(exc))
    return store


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def default_report_dir(settings: Settings) -> Path:
    return settings.data_dir / "reports"
