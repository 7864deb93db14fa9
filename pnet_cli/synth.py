"""``pnet synth``: write a realistic synthetic region in the loaders' own input formats."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import typer
from rich.table import Table

from loaders.synth import SynthConfig, generate
from loaders.synth.config import DEFAULT_AS_OF
from network.errors import PnetError
from pnet_cli.context import console, fail


def synth(
    out: Path = typer.Option(..., "--out", help="folder to write the region into (created if missing)"),
    seed: int = typer.Option(1, help="random seed: the same arguments give byte-identical files"),
    practitioners: int = typer.Option(10_000, min=20, help="Entity Type 1 NPPES rows"),
    referrals: int = typer.Option(100_000, min=0, help="good referral rows (CMS shared-patient layout)"),
    state: list[str] = typer.Option(["CT"], "--state", help="state of the region; repeat for several"),
    bad_share: float = typer.Option(0.01, min=0.0, max=0.2, help="share of deliberately bad rows per file"),
    as_of: str = typer.Option(DEFAULT_AS_OF, help="the day participations are dated around (ISO)"),
    payers: int | None = typer.Option(None, min=2, max=3, help="number of payers [2 or 3, by the seed]"),
) -> None:
    """Generate nppes.csv, plans.csv, participation.csv, referrals.csv, counties.csv, planted.json and
    manifest.json (with a ready-made referral-search example) for `pnet load`."""
    try:
        config = SynthConfig(
            seed=seed,
            practitioners=practitioners,
            referrals=referrals,
            states=tuple(s.strip().upper() for s in state),
            bad_share=bad_share,
            as_of=as_of,
            payers=payers,
        )
    except PnetError as exc:
        fail(str(exc), code=2)
    started = time.perf_counter()
    show = sys.stderr.isatty() and not os.environ.get("CI")
    with console.status("synth", spinner="dots") if show else _Quiet() as status:
        manifest = generate(config, out, step=lambda name: status.update(f"writing {name}"))
    seconds = time.perf_counter() - started
    table = Table("file", "rows", "planted rejects", "planted skips", title=f"pnet synth -> {out}")
    for name, stats in manifest["files"].items():
        table.add_row(
            name, f"{stats['rows']:,}", f"{stats['planted_rejects']:,}", f"{stats['planted_skips']:,}"
        )
    console.print(table)
    console.print(f"{seconds:.1f} s; example (manifest.json):")
    typer.echo(json.dumps(manifest["example"], indent=2, sort_keys=True))


class _Quiet:
    """Stands in for a rich status when output is not a terminal."""

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, _message: str) -> None:
        return None
