"""Load benchmarks: every loader end to end against its bare-UNWIND floor, and each loader's peak memory.

- Neo4j: each loader runs in its own process (``bench.load_worker``) so its peak RSS is its own; the
  floor (:mod:`bench.floor`) replays the same pipeline in this process on an emptied database first.
- Embedded store: one process loads every file in order (the graph lives in that process, so its RSS
  grows with the graph by design), then persists the graph for the API server.
- Parse-only: each loader's harvest + transform without a store, the parser's memory alone; comparing
  S with M shows whether it stays flat as the file grows.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.datasets import LOAD_ORDER, Dataset
from bench.floor import FloorStore
from bench.instance import REPO, Neo4jInstance
from bench.threads import cpu_by_group, pid_in, spent
from loaders.pipeline import LoadOptions, run_load
from loaders.registry import SourceOptions, make_loader
from loaders.schedule import Step, run_steps
from network.store.neo4j import Neo4jStore


def run_worker(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.load_worker", json.dumps(spec)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"load worker failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def parse_only(dataset: Dataset, root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for source in LOAD_ORDER:
        spec = {"store": "none", "sources": [[source, str(dataset.file(root, source))]], "batch_size": 0}
        (row,) = run_worker(spec)
        out[source] = row
    return out


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    seconds = row["seconds"]
    return {
        **{k: row[k] for k in ("read", "created", "updated", "unchanged", "rejected", "skipped")},
        "seconds": seconds,
        "rows_per_s": round(row["read"] / seconds, 1) if seconds else None,
        "peak_rss_mib": row["peak_rss_mib"],
    }


def _empty(inst: Neo4jInstance, batch_size: int, *, wipe: bool) -> None:
    """An empty database: the benchmark's own instance is wiped; one it was given is cleared."""
    if wipe:
        inst.wipe()
        return
    store = Neo4jStore.from_settings(inst.settings(batch_size))
    try:
        store.clear()
    finally:
        store.close()


def floor_neo4j(
    dataset: Dataset, root: Path, inst: Neo4jInstance, batch_size: int, *, wipe: bool
) -> dict[str, float]:
    """Driver seconds of the bare writes per loader, one batch after another, on an emptied database (left
    loaded). Not in lanes, even where pnet's load writes in them: two lanes of bare ``MERGE``s of the same
    relationships wait on each other's locks, and took longer than one (BENCHMARKS.md, optimisation 25)."""
    _empty(inst, batch_size, wipe=wipe)
    floor = FloorStore.from_settings(inst.settings(batch_size))
    assert isinstance(floor, FloorStore)
    try:
        floor.init_schema()
        # Sequential: the floor's driver time must not share the GIL with a parser running alongside.
        options = LoadOptions(batch_size=batch_size, max_reject_rate=0.5, progress=False, overlap=False)
        seconds: dict[str, float] = {}
        for source in LOAD_ORDER:
            floor.write_seconds = 0.0
            run_load(make_loader(source, SourceOptions()), [dataset.file(root, source)], floor, options)
            seconds[source] = round(floor.write_seconds, 3)
        return seconds
    finally:
        floor.close()


def load_neo4j(
    dataset: Dataset,
    root: Path,
    inst: Neo4jInstance,
    batch_size: int,
    *,
    lanes: int = 1,
    jobs: int = 1,
    floor: bool = True,
    wipe: bool,
) -> dict[str, Any]:
    floors = floor_neo4j(dataset, root, inst, batch_size, wipe=wipe) if floor else {}
    # Printed now, so the log keeps them if a later step fails.
    print(f"  neo4j {dataset.name} floor seconds: {floors}", flush=True)
    _empty(inst, batch_size, wipe=wipe)
    neo4j = {"uri": inst.uri, "password": inst.password}
    loaders: dict[str, dict[str, Any]] = {}
    for source in LOAD_ORDER:
        spec = {
            "store": "neo4j",
            "sources": [[source, str(dataset.file(root, source))]],
            "batch_size": batch_size,
            "lanes": lanes,
            "neo4j": neo4j,
        }
        row = run_worker(spec)[0]
        f = _figures(row)
        f["floor_seconds"] = floors.get(source)
        f["floor_rows_per_s"] = round(row["read"] / floors[source], 1) if floors.get(source) else None
        f["ratio"] = round(row["seconds"] / floors[source], 2) if floors.get(source) else None
        loaders[source] = f
        print(f"  neo4j {dataset.name} {source}: {f}", flush=True)
    out = {**_totals(loaders, batch_size), "lanes": lanes}
    if jobs > 1:
        out["whole"] = whole_neo4j(dataset, root, inst, batch_size, lanes=lanes, jobs=jobs, wipe=wipe)
        out["whole"]["same_counts"] = all(
            loaders[s][k] == out["whole"]["loaders"][s][k] for s in loaders for k in _COUNTS
        )
        if out.get("floor_seconds"):
            out["whole"]["ratio"] = round(out["whole"]["seconds"] / out["floor_seconds"], 2)
        print(f"  neo4j {dataset.name} whole load: {out['whole']}", flush=True)
    return out


_COUNTS = ("read", "created", "updated", "unchanged", "rejected", "skipped")


def whole_neo4j(
    dataset: Dataset, root: Path, inst: Neo4jInstance, batch_size: int, *, lanes: int, jobs: int, wipe: bool
) -> dict[str, Any]:
    """The dataset as ``pnet load-all`` loads it: independent loads at once, up to ``jobs`` (each in a
    process of its own), on an emptied database (left loaded). Wall seconds from the first load's start to
    the last one's end, process starts included."""
    _empty(inst, batch_size, wipe=wipe)
    settings = inst.settings(batch_size).model_copy(update={"load_lanes": lanes, "load_jobs": jobs})
    options = LoadOptions(batch_size=batch_size, lanes=lanes, max_reject_rate=0.5, progress=False)
    steps = [Step(source, (dataset.file(root, source),), options) for source in LOAD_ORDER]
    store = Neo4jStore.from_settings(settings)
    pid = pid_in(inst.home)
    try:
        store.init_schema()
        neo4j_before = cpu_by_group(pid) if pid else None
        loads_before = _loads_cpu()
        started = time.perf_counter()
        reports = run_steps(steps, store, settings, jobs=jobs)
        seconds = time.perf_counter() - started
        # The loads ran here (small inputs) or in processes joined by now: either way in these figures.
        loaders_cpu = round(_loads_cpu() - loads_before, 1)
        neo4j_cpu = spent(neo4j_before, cpu_by_group(pid)) if pid and neo4j_before else None
    finally:
        store.close()
    loaders = {
        r.source: {**{k: getattr(r, k) for k in _COUNTS}, "seconds": round(r.seconds, 3)} for r in reports
    }
    read = sum(r.read for r in reports)
    return {
        "jobs": jobs,
        "seconds": round(seconds, 2),
        "read": read,
        "rows_per_s": round(read / seconds, 1),
        "loaders": loaders,
        # CPU seconds: the load processes', and Neo4j's by thread group (bench.threads).
        "cpu_s": {"loaders": loaders_cpu, "neo4j": neo4j_cpu},
    }


def _loads_cpu() -> float:
    """CPU seconds of this process and of its children that have been waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_memory(dataset: Dataset, root: Path, graph: Path, batch_size: int) -> dict[str, Any]:
    graph.unlink(missing_ok=True)
    spec = {
        "store": "memory",
        "sources": [[s, str(dataset.file(root, s))] for s in LOAD_ORDER],
        "batch_size": batch_size,
        "graph": str(graph),
    }
    rows = run_worker(spec)
    loaders = {r["source"]: _figures(r) for r in rows if r["source"] != "close"}
    for source, f in loaders.items():
        print(f"  memory {dataset.name} {source}: {f}", flush=True)
    out = _totals(loaders, batch_size)
    out["persist_seconds"] = next(r["seconds"] for r in rows if r["source"] == "close")
    return out


def _totals(loaders: dict[str, dict[str, Any]], batch_size: int) -> dict[str, Any]:
    read = sum(f["read"] for f in loaders.values())
    seconds = round(sum(f["seconds"] for f in loaders.values()), 2)
    out: dict[str, Any] = {
        "batch_size": batch_size,
        "loaders": loaders,
        "read": read,
        "total_seconds": seconds,
        "rows_per_s": round(read / seconds, 1) if seconds else None,
    }
    floors = [f.get("floor_seconds") for f in loaders.values()]
    if floors and all(floors):
        floor = sum(x for x in floors if x)
        out["floor_seconds"] = round(floor, 2)
        out["floor_rows_per_s"] = round(read / floor, 1)
        out["ratio"] = round(seconds / floor, 2)
    return out
