"""The ``pnet`` command: the one place that composes ``network``, ``loaders`` and ``schema``."""

from __future__ import annotations

from pathlib import Path

import typer

from network.settings import Settings
from pnet_cli import audit, db, demo, load, serve, synth

app = typer.Typer(
    name="pnet",
    help="Provider-network graph service: load directories into a graph, answer questions over GraphQL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")
app.command("load")(load.load)
app.command("load-all")(load.load_all)
app.command("serve")(serve.serve)
app.command("synth")(synth.synth)
app.command("demo")(demo.demo)


@app.callback()
def main(
    ctx: typer.Context,
    store: str | None = typer.Option(None, help="memory (embedded, default) or neo4j [PNET_STORE]"),
    data_dir: Path | None = typer.Option(None, help="embedded store and reports folder [PNET_DATA_DIR]"),
) -> None:
    overrides: dict[str, object] = {}
    if store is not None:
        if store not in ("memory", "neo4j"):
            raise typer.BadParameter("use memory or neo4j", param_hint="--store")
        overrides["store"] = store
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    ctx.obj = Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["app"]
