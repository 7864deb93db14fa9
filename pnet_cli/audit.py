"""``pnet audit adequacy``: CMS 42 CFR 422.116 network adequacy of a network (or a plan's networks)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from network.adequacy.model import AdequacyReport, AdequacyRequest
from network.adequacy.service import Progress, audit_adequacy
from network.adequacy.writers import write_reports
from network.errors import PnetError
from network.validate import parse_date, today_iso
from pnet_cli.context import console, fail, open_configured_store, settings_from

app = typer.Typer(help="Audits of the graph against regulatory standards.", no_args_is_help=True)


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or [] for v in value.split(",") if v.strip())


@app.command("adequacy")
def adequacy(
    ctx: typer.Context,
    out: Path = typer.Option(..., help="folder for adequacy.csv, adequacy.json and adequacy.html"),
    network: list[str] | None = typer.Option(None, help="network id (repeat or comma-separate)"),
    plan: str | None = typer.Option(None, help="plan id: audit the networks the plan uses"),
    state: str | None = typer.Option(None, help="state (postal code) whose counties to audit"),
    counties: list[str] | None = typer.Option(None, help="county FIPS codes (repeat or comma-separate)"),
    points: Path | None = typer.Option(
        None,
        help="beneficiary sample points CSV (id,lat,lon,county_fips,weight or id,zip,...) [ZIP centroids]",
    ),
    as_of: str | None = typer.Option(None, help="audit date, YYYY-MM-DD [today]"),
    specialty_types: list[str] | None = typer.Option(
        None, help="CMS specialty types to audit (repeat or comma-separate) [every provider type]"
    ),
    detour_factor: float = typer.Option(1.0, min=0.01, help="road miles per great-circle mile"),
    standards: Path | None = typer.Option(None, help="standards folder [CMS 422.116, contract year 2025]"),
    max_targets: int = typer.Option(10, min=0, help="recruitment targets listed per failing cell"),
    fail_on_gaps: bool = typer.Option(False, help="exit 3 when any county x type fails"),
    progress: bool | None = typer.Option(None, "--progress/--no-progress", help="[on a terminal]"),
) -> None:
    """Audit time/distance access and minimum provider counts per county x specialty type."""
    day = parse_date(as_of) if as_of else today_iso()
    if day is None:
        fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", code=2)
    request = AdequacyRequest(
        as_of=str(day),
        network_ids=_split(network),
        plan_id=plan,
        state=state.upper() if state else None,
        county_fips=tuple(c.zfill(5) for c in _split(counties)),
        specialty_types=_split(specialty_types),
        points_path=points,
        detour_factor=detour_factor,
        standards_dir=standards,
        max_targets=max_targets,
    )
    store = open_configured_store(settings_from(ctx))
    try:
        with _progress(progress) as tick:
            report = audit_adequacy(store, request, progress=tick)
    except PnetError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    paths = write_reports(report, out)
    _print_summary(report)
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")
    if fail_on_gaps and not report.passed:
        raise typer.Exit(3)


@contextmanager
def _progress(show: bool | None) -> Iterator[Progress | None]:
    """A rich progress bar over specialty types on a terminal; silent when piped or under CI."""
    if show is None:
        show = sys.stderr.isatty() and not os.environ.get("CI")
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]audit adequacy"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("types", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _print_summary(report: AdequacyReport) -> None:
    failing = [c for c in report.cells if not c.passed]
    table = Table(
        title=f"adequacy of {', '.join(report.network_ids)} as of {report.as_of}", show_header=False
    )
    table.add_row("counties x types", f"{len(report.counties)} x {len(report.specialty_types)}")
    table.add_row("cells passing", f"{len(report.cells) - len(failing):,} / {len(report.cells):,}")
    table.add_row("sample points", f"{report.points_used:,} ({report.points_source.replace('_', ' ')})")
    table.add_row("in-network locations", f"{report.provider_locations:,}")
    table.add_row("time standards", "NOT evaluated (no travel-time source)")
    for skipped in report.skipped_counties:
        table.add_row(f"skipped {skipped.fips}", skipped.reason)
    console.print(table)
