"""One load, in its own process so its peak RSS is its own: ``python -m bench.load_worker SPEC_JSON``.

Spec: ``{"store": "neo4j"|"memory"|"none", "sources": [[source, file], ...], "batch_size": n,
"lanes": n, "graph": path-or-null, "neo4j": {"uri", "password"}}``. ``"none"`` only parses and maps
(harvest and transform, no store): the parser's own memory. Prints one JSON line per source, then exits.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from loaders.pipeline import LoadOptions, run_load
from loaders.registry import SourceOptions, make_loader
from network.settings import Settings
from network.store import GraphStore


def peak_rss_mib() -> float:
    """This process's own peak RSS. ``ru_maxrss`` would carry the parent's RSS over fork + exec (Linux keeps
    the high-water mark across exec), so the new address space's ``VmHWM`` is read where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def parse_only(source: str, path: Path) -> dict[str, Any]:
    loader = make_loader(source, SourceOptions())
    started = time.perf_counter()
    read = mapped = 0
    for f in loader.files(path):
        for raw in loader.harvest(f):
            read += 1
            mapped += not isinstance(loader.transform(raw), list)
    seconds = time.perf_counter() - started
    return {"source": source, "read": read, "mapped": mapped, "seconds": round(seconds, 3)}


def open_store(spec: dict[str, Any]) -> GraphStore:
    if spec["store"] == "memory":
        from network.store.memory import MemoryStore

        graph = spec.get("graph")
        return MemoryStore(Path(graph) if graph else None)
    from network.store.neo4j import Neo4jStore

    settings = Settings(
        store="neo4j",
        neo4j_uri=spec["neo4j"]["uri"],
        neo4j_password=SecretStr(spec["neo4j"]["password"]),
        batch_size=spec["batch_size"],
        neo4j_max_retry_time_s=30.0,
    )
    return Neo4jStore.from_settings(settings)


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec["store"] == "none":
        for source, path in spec["sources"]:
            print(json.dumps({**parse_only(source, Path(path)), "peak_rss_mib": peak_rss_mib()}), flush=True)
        return
    store = open_store(spec)
    store.init_schema()
    options = LoadOptions(
        batch_size=spec["batch_size"], lanes=spec.get("lanes", 1), max_reject_rate=0.5, progress=False
    )
    try:
        for source, path in spec["sources"]:
            report = run_load(make_loader(source, SourceOptions()), [Path(path)], store, options)
            row = {
                "source": source,
                "read": report.read,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "skipped": report.skipped,
                "seconds": round(report.seconds, 3),
                "peak_rss_mib": peak_rss_mib(),
            }
            print(json.dumps(row), flush=True)
        started = time.perf_counter()
        store.close()  # the memory store persists here, for the API server of the query benchmarks
        print(json.dumps({"source": "close", "seconds": round(time.perf_counter() - started, 3)}), flush=True)
    except BaseException:
        store.close()
        raise


if __name__ == "__main__":
    main()
