"""``pnet db``: schema, statistics and reset of the configured store."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from network.errors import PnetError
from network.services.warmup import warm_referral_search
from pnet_cli.context import console, fail, open_configured_store, settings_from

app = typer.Typer(
    help="Create the schema, show statistics, reset the configured store.", no_args_is_help=True
)


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create constraints and indexes if missing, and on Neo4j the typed twins of AT_LOCATION a graph
    loaded before them lacks (idempotent: run it as often as you like)."""
    settings = settings_from(ctx)
    store = open_configured_store(settings)
    try:
        created = store.init_schema()
    finally:
        store.close()
    console.print(f"[green]schema ready[/] on the {settings.store} store:")
    for item in created:
        console.print(f"  {item}")


@app.command("stats")
def stats(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Node counts per label and relationship counts per type."""
    store = open_configured_store(settings_from(ctx))
    try:
        result = store.stats()
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"nodes": result.nodes, "relationships": result.relationships}, indent=2))
        return
    table = Table("kind", "name", "count")
    for name, n in result.nodes.items():
        table.add_row("nodes", name, f"{n:,}")
    for name, n in result.relationships.items():
        table.add_row("relationships", name, f"{n:,}")
    console.print(table)


@app.command("warm")
def warm(
    ctx: typer.Context,
    specialty: list[str] = typer.Option(
        None,
        "--specialty",
        help="a NUCC code or CMS specialty type to warm (repeatable); default: every CMS type, and none",
    ),
) -> None:
    """Have Neo4j plan the referral search for each specialty now, not on a member's first search (0.5-2 s
    a specialty; run it after Neo4j starts and after a load). The searches read nothing."""
    store = open_configured_store(settings_from(ctx))
    try:
        warmed = warm_referral_search(store, specialty or None)
    except PnetError as exc:
        fail(str(exc))
    finally:
        store.close()
    console.print(f"[green]warmed[/] {warmed.searches} referral searches in {warmed.seconds:.1f} s")


@app.command("reset")
def reset(ctx: typer.Context, yes: bool = typer.Option(False, "--yes", help="do not ask")) -> None:
    """Delete every node and relationship of the configured store."""
    settings = settings_from(ctx)
    if not yes:
        typer.confirm(f"Delete everything in the {settings.store} store?", abort=True)
    store = open_configured_store(settings)
    try:
        store.clear()
    finally:
        store.close()
    console.print("[green]store emptied[/]")
