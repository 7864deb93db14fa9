"""``pnet load SOURCE PATH...``: run one loader into the configured store and account for every row.

``pnet load-all SOURCE=PATH...``: several, in the order given, at once where they touch nothing of each
other's (``loaders.schedule``).
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from loaders.pipeline import Loader, LoadOptions, run_load
from loaders.registry import SOURCES, SourceOptions, make_loader
from loaders.report import LoadReport
from loaders.schedule import Step, jobs_for, run_steps
from network.errors import PnetError
from network.settings import Settings
from pnet_cli.context import (
    console,
    default_report_dir,
    fail,
    for_load,
    open_configured_store,
    settings_from,
)

# The options a source takes, shared by `pnet load` and `pnet load-all` (which gives them to every load).
STATES = typer.Option(None, help="nppes: comma-separated practice states to keep")
WINDOW_DAYS = typer.Option(None, help="referrals (CMS shared patient): window in days")
YEAR = typer.Option(None, help="referrals: data year")
OPTION = typer.Option(
    [],
    "--option",
    "-o",
    help="source-specific KEY=VALUE, repeatable: plannet default_plan_type=hmo|ppo|epo|pos "
    "(for InsurancePlans naming no design); counties standards=DIR",
)


def load(
    ctx: typer.Context,
    source: str = typer.Argument(..., help=f"one of: {', '.join(SOURCES)}"),
    paths: list[Path] = typer.Argument(..., help="files (or, for plannet, folders)"),
    states: str | None = STATES,
    window_days: int | None = WINDOW_DAYS,
    year: int | None = YEAR,
    batch_size: int | None = typer.Option(
        None, min=1, help="rows per write batch [PNET_BATCH_SIZE, or the settings' default]"
    ),
    lanes: int | None = typer.Option(
        None,
        min=1,
        max=16,
        help="concurrent write lanes for NPPES and referrals on Neo4j [PNET_LOAD_LANES, or 3]",
    ),
    max_reject_rate: float = typer.Option(0.5, min=0.0, max=1.0, help="fail when more rows are rejected"),
    report: Path | None = typer.Option(None, help="JSON load report path [data dir/reports]"),
    rejects: Path | None = typer.Option(None, help="rejects CSV path [data dir/reports]"),
    progress: bool | None = typer.Option(None, "--progress/--no-progress", help="[on a terminal]"),
    option: list[str] = OPTION,
) -> None:
    """Load a source file into the configured store. Exit 1 when unreadable or over the reject rate."""
    settings = for_load(settings_from(ctx), batch_size=batch_size, lanes=lanes)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report_dir = default_report_dir(settings)
    options = LoadOptions(
        batch_size=settings.batch_size,
        lanes=settings.load_lanes,
        max_reject_rate=max_reject_rate,
        report_path=report or report_dir / f"load-{source}-{stamp}.json",
        rejects_path=rejects or report_dir / f"rejects-{source}-{stamp}.csv",
        progress=progress,
    )
    loader = make_loader_or_exit(source, source_options(states, window_days, year, option))
    store = open_configured_store(settings)
    try:
        # As `pnet load-all` does: on a new Neo4j database without its key constraints, every MERGE scans
        # its label (an L NPPES load wrote 48k nodes in 10 minutes) and concurrent lanes write duplicates.
        store.init_schema()
        result = run_load(loader, paths, store, options)
    except PnetError as exc:  # a LoaderError too
        fail(str(exc))
    finally:
        store.close()
    print_report(result)
    console.print(f"report: {options.report_path}")
    if result.rejected:
        console.print(f"rejects: {options.rejects_path}")


def source_options(
    states: str | None, window_days: int | None, year: int | None, option: list[str]
) -> SourceOptions:
    extra: dict[str, str] = {}
    for item in option:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--option takes KEY=VALUE, got {item!r}", code=2)
        extra[key.strip()] = value.strip()
    return SourceOptions(
        states=frozenset(s.strip().upper() for s in states.split(",")) if states else None,
        window_days=window_days,
        year=year,
        extra=extra,
    )


def make_loader_or_exit(source: str, options: SourceOptions) -> Loader:
    """The source's loader; exit 2 when the options are wrong for it."""
    try:
        return make_loader(source, options)
    except PnetError as exc:
        fail(str(exc), code=2)


def load_all(
    ctx: typer.Context,
    files: list[str] = typer.Argument(
        ..., help=f"SOURCE=PATH, in load order; SOURCE one of: {', '.join(SOURCES)}"
    ),
    states: str | None = STATES,
    window_days: int | None = WINDOW_DAYS,
    year: int | None = YEAR,
    option: list[str] = OPTION,
    jobs: int | None = typer.Option(
        None, min=1, max=8, help="loads run at once where independent, on Neo4j [PNET_LOAD_JOBS, or 2]"
    ),
    batch_size: int | None = typer.Option(None, min=1, help="rows per write batch [PNET_BATCH_SIZE]"),
    lanes: int | None = typer.Option(None, min=1, max=16, help="write lanes per load [PNET_LOAD_LANES]"),
    max_reject_rate: float = typer.Option(0.5, min=0.0, max=1.0, help="fail a load over this reject rate"),
) -> None:
    """Load several files in order into the configured store; on Neo4j, loads that touch nothing of each
    other's (e.g. participation and referrals, once NPPES is in) run at once. Exit 1 when one fails.
    The source options go to every load (each takes those of its source)."""
    settings = for_load(settings_from(ctx), batch_size=batch_size, lanes=lanes)
    if jobs is not None:
        settings = settings.model_copy(update={"load_jobs": jobs})
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report_dir = default_report_dir(settings)
    given = source_options(states, window_days, year, option)
    steps: list[Step] = []
    for item in files:
        source, sep, path = item.partition("=")
        if not sep or source not in SOURCES or not path:
            fail(f"expected SOURCE=PATH with SOURCE one of {', '.join(SOURCES)}; got {item!r}", code=2)
        make_loader_or_exit(source, given)
        options = LoadOptions(
            batch_size=settings.batch_size,
            lanes=settings.load_lanes,
            max_reject_rate=max_reject_rate,
            report_path=report_dir / f"load-{source}-{stamp}-{len(steps)}.json",
            rejects_path=report_dir / f"rejects-{source}-{stamp}-{len(steps)}.csv",
        )
        steps.append(Step(source, (Path(path),), options, given))
    console.print(load_steps(settings, steps))
    console.print(f"reports: {report_dir}")


def load_steps(settings: Settings, steps: list[Step]) -> Table:
    """Run the steps on the configured store (schema first); a table of what each load did."""
    table = Table("source", "read", "created", "updated", "unchanged", "rejected", "skipped", "seconds")
    started = time.perf_counter()
    store = open_configured_store(settings)
    try:
        store.init_schema()
        for r in run_steps(steps, store, settings, jobs=settings.load_jobs):
            counts = (r.read, r.created, r.updated, r.unchanged, r.rejected, r.skipped)
            table.add_row(r.source, *(f"{n:,}" for n in counts), f"{r.seconds:,.1f}")
    except PnetError as exc:
        fail(str(exc))
    finally:
        store.close()
    jobs = jobs_for(steps, store, settings.load_jobs)
    how = "one by one" if jobs == 1 else f"up to {jobs} at once"
    table.caption = f"{len(steps)} loads in {time.perf_counter() - started:,.1f} s, {how}"
    return table


def print_report(report: LoadReport) -> None:
    table = Table(title=f"pnet load {report.source} -> {report.store}", show_header=False)
    for name, value in report.table_rows():
        table.add_row(name, value)
    console.print(table)
