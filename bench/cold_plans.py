"""Referral searches on a Neo4j whose plan cache was just emptied, as after a restart (optimisation 32).

``.venv/bin/python -m bench.cold_plans --dataset demo --port 7691 [--warm]`` on a benchmark instance that
holds the dataset. The main benchmark warms every search it times, and names 8 specialties; members name
any of the CMS types, filter on language or on accepting new patients, count or page. So this draws such a
mix by seed, empties Neo4j's query caches (``db.clearQueryCaches``), optionally warms the plans as
``pnet db warm`` does, and times each search (its next page too, for some) through the store. It prints
one JSON object: latency percentiles, how many searches took over 250 ms (a plan is 0.5-2 s), and how
many statements Neo4j cached.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import time
from pathlib import Path

from bench.datasets import DATASETS
from bench.instance import Neo4jInstance
from bench.stats import summarize
from bench.workload import referral_requests
from network.services import ReferralOptions, referral_options
from network.services.warmup import warm_referral_search
from network.specialties import reference
from network.store.neo4j import Neo4jStore

SLOW_MS = 250.0


def plans_cached(store: Neo4jStore) -> int:
    """Empties Neo4j's query caches, answering how many statements they held (0 when empty)."""
    message = str(store._driver.execute_query("CALL db.clearQueryCaches()").records[0][0])
    found = re.search(r"of (\d+) quer", message)
    return int(found.group(1)) if found else 0


def run(dataset: str, port: int, n: int, warm: bool, root: Path, seed: int = 21) -> dict[str, object]:
    store = Neo4jStore.from_settings(Neo4jInstance.on_port(port).settings())
    try:
        folder = DATASETS[dataset].folder(root)
        requests = referral_requests(store, folder, "2025-06-01", n, seed=seed)
        rnd = random.Random(seed)
        terms = [None] * 4 + list(reference().cms_types)
        plans_cached(store)
        warmed = warm_referral_search(store) if warm else None
        times: list[float] = []
        for req in requests:
            asked = dataclasses.replace(
                req,
                specialty=rnd.choice(terms),
                language=rnd.choice([None] * 8 + ["Spanish", "English"]),
                accepting_new_patients=rnd.choice([None] * 4 + [True]),
            )
            count = rnd.random() < 0.5
            started = time.perf_counter()
            page = referral_options(store, asked, first=20, count_total=count)
            if isinstance(page, ReferralOptions) and page.has_next and rnd.random() < 0.3:
                referral_options(store, asked, first=20, after=page.options[-1].cursor, count_total=count)
            times.append((time.perf_counter() - started) * 1000)
        return {
            "dataset": dataset,
            "warmed": None if warmed is None else {"searches": warmed.searches, "seconds": warmed.seconds},
            "searches": summarize(times),
            "over_250_ms": sum(ms > SLOW_MS for ms in times),
            "seconds": round(sum(times) / 1000, 1),
            "statements_cached": plans_cached(store),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="demo", choices=sorted(DATASETS))
    parser.add_argument("--port", type=int, default=Neo4jInstance.port)
    parser.add_argument("--searches", type=int, default=400)
    parser.add_argument("--warm", action="store_true", help="warm the plans first, as `pnet db warm`")
    parser.add_argument("--data-root", type=Path, default=Path("/tmp/pnet-bench/data"))
    args = parser.parse_args()
    print(json.dumps(run(args.dataset, args.port, args.searches, args.warm, args.data_root)))


if __name__ == "__main__":
    main()
