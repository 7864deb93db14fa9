"""``.venv/bin/python -m bench --quick`` (S on both stores, a few minutes) or ``--full`` (S, M on both
stores, L on Neo4j). Writes ``bench/results/<stamp>-<mode>.json`` and regenerates ``BENCHMARKS.md``."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.datasets import DATASETS, Dataset, ensure
from bench.instance import REPO, Neo4jInstance
from bench.load import load_memory, load_neo4j, parse_only
from bench.offline import offline_anchor
from bench.queries import SpyStore, bolt_driver, lookup_bench, referral_bench
from bench.results import (
    failed_checks,
    git_commit,
    machine,
    read_results,
    result_path,
    tables,
    update_markdown,
    write_result,
)
from bench.workload import referral_requests
from network.services import ReferralRequest
from network.settings import Settings
from network.store import GraphStore
from network.store.memory import MemoryStore

console = Console()
MODES: dict[str, dict[str, Any]] = {
    # Quick mode leaves out the offline anchor (neo4j-admin's export, import and schema: ~15-70 s by the
    # machine's pace, then a restart): the tables keep each dataset's newest anchor.
    "quick": {
        "datasets": "S",
        "requests": 300,
        "warmup": 30,
        "lookups": 200,
        "adequacy": ("state",),
        "offline": False,
    },
    "full": {
        "datasets": "S,M,L",
        "requests": 1000,
        "warmup": 50,
        "lookups": 500,
        "adequacy": ("state", "national"),
        "offline": True,
    },
}
EMBEDDED = ("demo", "S", "M")  # the embedded store is benchmarked up to M (L does not fit its design)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", const="quick", dest="mode")
    mode.add_argument("--full", action="store_const", const="full", dest="mode")
    parser.add_argument("--datasets", help="comma-separated, of demo, S, M, L (default: by mode)")
    parser.add_argument("--stores", default="neo4j,memory")
    parser.add_argument("--data-root", type=Path, default=Path("/tmp/pnet-bench/data"))
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--lanes", type=int, default=Settings().load_lanes, help="write lanes of NPPES and referrals on Neo4j"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=Settings().load_jobs,
        help="Neo4j: also load the whole dataset as `pnet load-all` does, this many loads at once (1: not)",
    )
    parser.add_argument("--requests", type=int, help="timed referral searches per way (default: by mode)")
    parser.add_argument("--no-queries", action="store_true", help="loads only")
    parser.add_argument(
        "--referral-pages",
        default="counted,uncounted",
        help="referralOptions with totalCount (counted), without (uncounted), or both (default)",
    )
    parser.add_argument("--no-load", action="store_true", help="queries on what the last run loaded")
    parser.add_argument("--no-adequacy", action="store_true")
    parser.add_argument(
        "--neo4j-port", type=int, default=7690, help="Bolt port of the benchmark's own Neo4j (default 7690)"
    )
    parser.add_argument("--neo4j-heap", default="4g", help="heap of the benchmark's Neo4j (L wants 8g)")
    parser.add_argument("--neo4j-pagecache", default="4g")
    parser.add_argument(
        "--neo4j-java-opts",
        default="",
        help="extra JVM options of the benchmark's Neo4j, e.g. -XX:+UseParallelGC (G1 when none is named)",
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the bare-UNWIND replay (halves a Neo4j load's time)"
    )
    parser.add_argument(
        "--offline",
        action=argparse.BooleanOptionalAction,
        help="the neo4j-admin import anchor after a Neo4j load (default: in full mode only)",
    )
    parser.add_argument("--keep-neo4j", action="store_true", help="neither start nor stop the instance")
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--markdown", type=Path, default=REPO / "BENCHMARKS.md")
    parser.set_defaults(mode="quick")
    return parser.parse_args()


def query_figures(
    store: GraphStore,
    store_name: str,
    dataset: Dataset,
    root: Path,
    requests: list[ReferralRequest],
    cfg: dict[str, Any],
    serve: tuple[Path, dict[str, str]],
    inst: Neo4jInstance | None,
) -> dict[str, Any]:
    driver = bolt_driver(inst) if inst is not None else None
    try:
        folder = dataset.folder(root)
        as_of = str(requests[0].as_of)
        out: dict[str, Any] = {}
        for key, count in (("referral", True), ("referral_page", False)):
            if ("counted" if count else "uncounted") in cfg["referral_pages"].split(","):
                out[key] = referral_bench(
                    store, store_name, requests, cfg["warmup"], serve, (8, 32), driver, count=count
                )
                console.print(f"  {store_name} {dataset.name} {key}: {out[key]}")
        lookup = lookup_bench(store, store_name, folder, as_of, cfg["lookups"], cfg["warmup"], serve, driver)
        console.print(f"  {store_name} {dataset.name} lookups: {lookup}")
        return {**out, "lookup": lookup}
    finally:
        if driver is not None:
            driver.close()


def run_dataset(
    dataset: Dataset, stores: list[str], args: argparse.Namespace, cfg: dict[str, Any], inst: Neo4jInstance
) -> list[dict[str, Any]]:
    root = args.data_root
    started = time.perf_counter()
    manifest = ensure(dataset, root)
    console.rule(f"{dataset.name}: synth ready in {time.perf_counter() - started:.0f}s")
    as_of = str(manifest["arguments"]["as_of"])  # type: ignore[index]
    parsed = {} if args.no_load else parse_only(dataset, root)
    console.print(f"  parse-only: {parsed}")
    runs: list[dict[str, Any]] = []
    requests: list[ReferralRequest] | None = None
    for store_name in stores:
        if store_name == "memory" and dataset.name not in EMBEDDED:
            continue
        run: dict[str, Any] = {
            "dataset": dataset.name,
            "store": store_name,
            "practitioners": dataset.practitioners,
            "referral_rows": dataset.referrals,
            "states": list(dataset.states),
            "load_avg_before": list(os.getloadavg()),
        }
        data_dir = root.parent / "pnet-data" / f"{dataset.name}-{store_name}"
        store: GraphStore
        if store_name == "neo4j":
            if not args.no_load:
                run["load"] = load_neo4j(
                    dataset,
                    root,
                    inst,
                    args.batch_size,
                    lanes=args.lanes,
                    jobs=args.jobs,
                    floor=not args.no_floor,
                    wipe=not args.keep_neo4j,
                )
            store = SpyStore.from_settings(inst.settings(args.batch_size))
            serve_env = inst.env()
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            if not args.no_load:
                run["load"] = load_memory(dataset, root, data_dir / "graph.pickle", args.batch_size)
            store = MemoryStore(data_dir / "graph.pickle")
            serve_env = {}
        if "load" in run:
            for source, row in parsed.items():
                run["load"]["loaders"][source]["parse_peak_rss_mib"] = row["peak_rss_mib"]
            console.print(f"  {store_name} {dataset.name} load: {run['load']['total_seconds']}s")
        try:
            if not args.no_queries:
                if requests is None:
                    requests = referral_requests(
                        store, dataset.folder(root), as_of, args.requests + cfg["warmup"]
                    )
                if not requests:
                    # e.g. --no-load on an instance another run has wiped since (every run shares it)
                    raise SystemExit(
                        f"{dataset.name} on {store_name}: the store holds none of the dataset's PCPs, so no "
                        "referral search can be drawn; load the dataset first (--no-load uses what is loaded)"
                    )
                run.update(
                    query_figures(
                        store,
                        store_name,
                        dataset,
                        root,
                        requests,
                        cfg,
                        (data_dir, serve_env),
                        inst if store_name == "neo4j" else None,
                    )
                )
        finally:
            store.close()  # the embedded store only persists when written to, which queries never do
        if store_name == "neo4j" and "load" in run and cfg["offline"] and not args.keep_neo4j:
            # Last: it stops the instance and replaces the database with the graph it exported.
            folder = root.parent / "offline" / dataset.name
            try:
                run["offline"] = offline_anchor(inst, lambda: bolt_driver(inst), folder)
                shutil.rmtree(folder, ignore_errors=True)  # kept when it failed, with import.report
            except Exception as exc:  # recorded and shown: an L run's other figures must survive it
                run["offline"] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            console.print(f"  neo4j {dataset.name} offline anchor: {run['offline']}")
        run["load_avg_after"] = list(os.getloadavg())
        runs.append(run)
    return runs


def adequacy_figures(scales: tuple[str, ...]) -> list[dict[str, Any]]:
    from bench.adequacy import core_run

    rows = []
    if "state" in scales:
        rows.append(core_run("core state", "CA", 100_000, None, 7))
    if "national" in scales:
        rows.append(core_run("core national", None, 1_000_000, None, 7))
    return rows


def main() -> None:
    args = parse_args()
    cfg = dict(MODES[args.mode])
    if not set(args.referral_pages.split(",")) <= {"counted", "uncounted"}:
        raise SystemExit(f"--referral-pages: counted, uncounted or both, not {args.referral_pages!r}")
    cfg["referral_pages"] = args.referral_pages
    if args.requests is None:
        args.requests = cfg["requests"]
    if args.offline is not None:
        cfg["offline"] = args.offline
    names = (args.datasets or cfg["datasets"]).split(",")
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    result: dict[str, Any] = {
        "mode": args.mode,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **git_commit(REPO),
        "machine": machine(),
        "load_avg_start": list(os.getloadavg()),
        "batch_size": args.batch_size,
        "lanes": args.lanes,
        "neo4j": {
            "heap": args.neo4j_heap,
            "pagecache": args.neo4j_pagecache,
            "java_opts": args.neo4j_java_opts,
        },
        "runs": [],
    }
    path = result_path(args.results, args.mode)
    inst = dataclasses.replace(
        Neo4jInstance.on_port(args.neo4j_port),
        heap=args.neo4j_heap,
        pagecache=args.neo4j_pagecache,
        java_opts=args.neo4j_java_opts,
    )
    started = time.perf_counter()
    # A load's first step wipes the instance, which starts it: it is started here only for --no-load.
    with inst.running(manage="neo4j" in stores and not args.keep_neo4j, start=args.no_load):
        if args.no_load and "neo4j" in stores:
            console.print(f"  read {inst.read_store_files() / 2**20:,.0f} MiB of Neo4j store files")
        for name in names:
            result["runs"].extend(run_dataset(DATASETS[name.strip()], stores, args, cfg, inst))
            write_result(result, path)  # what is measured so far survives a later failure
    if not args.no_adequacy:
        result["adequacy"] = adequacy_figures(cfg["adequacy"])
    result["load_avg_end"] = list(os.getloadavg())
    result["seconds"] = round(time.perf_counter() - started, 1)
    write_result(result, path)
    update_markdown(args.markdown, tables(read_results(args.results)))
    console.print(f"wrote {path} and {args.markdown} in {result['seconds']:.0f}s")
    if failed := failed_checks(result):  # after writing: the figures are kept, and the run fails
        for check in failed:
            console.print(f"[red]check failed[/red]: {check}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
