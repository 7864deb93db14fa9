"""Query benchmarks: ``referralOptions`` three ways and ``provider(npi)`` lookups, with agreement checks.

(a) the raw Cypher floor: ``rank_specialists.cypher``, the whole search in one statement (it reads the
PCP, the plan's networks and the PCP's referral totals, then ranks and cuts the page in the database),
through the driver with the parameters the store sent (captured from the store call itself); (a') the
same statement asked to rank only, with the networks and referral totals given as parameters (what a
client that already knew them would send: shows what the context costs inside the floor); (b) the store
call (``referral_options`` on the store: that statement + the checks + exact miles); (c) GraphQL over
HTTP against ``pnet serve`` in its own process, sequential and with 8 and 32 clients; sequential (c)
also reports the server's own time (``http_1_server``, from its ``Server-Timing`` header) and, as (c'),
the same requests through ``httpx.Client`` (``http_1_httpx``: what that client adds of its own). (a),
(a'), (b), (c) and (c') are interleaved request by request, so their ratios are not moved by when each
ran; the store call runs once more before them, untimed, for the answers and statements they replay.
The embedded store has no (a). Agreement: the page of specialists and the total of (a), (a'), (b), (c)
and (c') must be identical.

Each runs twice: the query with ``totalCount`` (the whole radius is read to count it), then the page
without it, as an app paging through results asks: a search by distance then ranks within 1 mile first,
then 4, 16, ... (``network.store.ranking.windows``), and (a) and (a') replay every statement the store
ran for it, in order; the totals are not compared then (there are none).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver, GraphDatabase, RoutingControl

from bench.instance import Neo4jInstance
from bench.server import Answer, KeepAlive, concurrent, sequential, serving
from bench.stats import ratio, summarize
from bench.workload import (
    PROVIDER_QUERY,
    REFERRAL_PAGE_QUERY,
    REFERRAL_QUERY,
    lookup_npis,
    referral_variables,
)
from network.services import ReferralOptions, ReferralRequest, referral_options
from network.store import GraphStore
from network.store.neo4j import Neo4jStore, rank_args, rank_params, rank_text
from network.store.rows import DISTANCE_TOLERANCE_MILES, RankQuery, ReferralAsk, ReferralFound

FIRST = 20


class SpyStore(Neo4jStore):
    """The Neo4j store, remembering the parameters of its last search's ranking statements (one per
    window: for the raw floor) and their ranking-only parameters (the context it read, given instead)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rank_calls: list[tuple[str, dict[str, Any]]] = []
        self.ranking_only: list[tuple[str, dict[str, Any]]] = []
        self.spying = True  # off while the store call is timed: it is then Neo4jStore's own

    def _rank(self, query: RankQuery, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.spying:
            self.rank_calls.append((rank_text(query), params))
        return super()._rank(query, params)

    def referral_search(self, ask: ReferralAsk) -> ReferralFound:
        if not self.spying:
            return super().referral_search(ask)
        self.rank_calls = []
        found = super().referral_search(ask)
        query = ask.ranking(found.context)
        self.ranking_only = [
            (text, rank_params(query, params["window"] - DISTANCE_TOLERANCE_MILES, params["budget"]))
            for text, params in self.rank_calls
        ]
        return found


def _timed(calls: list[Callable[[], Any]], warmup: int) -> tuple[list[float], list[Any]]:
    times: list[float] = []
    out: list[Any] = []
    for i, call in enumerate(calls):
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
        if i >= warmup:
            times.append(elapsed)
            out.append(result)
    return times, out


def _raw_page(rows: list[Any]) -> tuple[list[str], int]:
    """The page (a) answers: its rows come ranked (no cursor, so no window rows), plus one to spare;
    an empty page is one row of nulls carrying the total."""
    return [r["npi"] for r in rows[:FIRST] if r["npi"] is not None], (rows[0]["total"] if rows else 0)


def _agree(page: tuple[list[str], int | None], answer: tuple[Any, ...], count: bool) -> bool:
    """The same specialists as the store call's answer, and the same total when one was asked for."""
    return page[0] == answer[0] and (not count or page[1] == answer[1])


def search_class(req: ReferralRequest) -> str:
    """Searches differ mostly by how many specialists the radius holds: named specialty or not, radius."""
    return f"{'one specialty' if req.specialty else 'any specialty'}, {req.radius_miles:g} mi"


def _by_class(requests: list[ReferralRequest], times: list[float]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = {}
    for req, ms in zip(requests, times, strict=True):
        groups.setdefault(search_class(req), []).append(ms)
    return {name: summarize(ms) for name, ms in sorted(groups.items())}


def _check_referral(body: dict[str, Any]) -> None:
    result = (body.get("data") or {}).get("referralOptions") or {}
    if result.get("__typename") != "ReferralOptions":
        raise AssertionError(f"referralOptions failed: {body}")


def _check_provider(body: dict[str, Any]) -> None:
    if not (body.get("data") or {}).get("provider"):
        raise AssertionError(f"provider lookup failed: {body}")


def _http_page(body: dict[str, Any]) -> tuple[list[str], int | None]:
    result = body["data"]["referralOptions"]
    return [e["node"]["specialist"]["npi"] for e in result["edges"]], result.get("totalCount")


def referral_bench(
    store: GraphStore,
    store_name: str,
    requests: list[ReferralRequest],
    warmup: int,
    serve: tuple[Path, dict[str, str]],
    concurrency: tuple[int, ...],
    driver: Driver | None,
    database: str = "neo4j",
    count: bool = True,
) -> dict[str, Any]:
    """The ways, with ``totalCount`` asked for (``count``) or without (a page ranked in windows: the raw
    floor then replays every window's statement the store ran, in order)."""
    out: dict[str, Any] = {}
    spy = store if isinstance(store, SpyStore) else None

    def store_call(req: ReferralRequest) -> Callable[[], Any]:
        def call() -> Any:
            result = referral_options(store, req, first=FIRST, count_total=count)
            if not isinstance(result, ReferralOptions):
                raise AssertionError(f"store call failed: {result}")
            params = (spy.rank_calls, spy.ranking_only) if spy is not None and spy.spying else None
            return [o.npi for o in result.options], result.total_count, params

        return call

    # Once untimed: the answers every way must agree with, and the statements the raw floor replays.
    if spy is not None:
        spy.spying = True
    _, store_answers = _timed([store_call(r) for r in requests], warmup)
    if spy is not None:
        spy.spying = False
    timed_requests = requests[warmup:]
    data_dir, env = serve
    text = REFERRAL_QUERY if count else REFERRAL_PAGE_QUERY
    bodies = [{"query": text, "variables": referral_variables(r, FIRST)} for r in requests]
    with (
        serving(store_name, data_dir, env) as url,
        KeepAlive(url) as client,
        httpx.Client(timeout=60) as other_client,
    ):

        def http_call(body: dict[str, Any]) -> Callable[[], Answer]:
            return lambda: client.post(body)

        def httpx_call(body: dict[str, Any]) -> Callable[[], Answer]:
            def call() -> Answer:
                response = other_client.post(url, json=body)
                return Answer(response.status_code, response.json(), None)

            return call

        # (a), (a'), (b), (c) and (c') interleaved request by request, so that all see the same moments of
        # a shared machine: run in phases, M's ratio of (c) to (a) was 1.40 in one run and 1.63 in the
        # next. Way builders by timed request (the untimed store pass kept the raw parameters of those).
        ways: list[Callable[[int], Callable[[], Any]]] = [
            lambda j: http_call(bodies[warmup + j]),
            lambda j: httpx_call(bodies[warmup + j]),
        ]
        if driver is not None:

            def raw_call(windows: list[tuple[str, dict[str, Any]]]) -> Callable[[], Any]:
                def call() -> Any:
                    for statement, params in windows:
                        records = driver.execute_query(
                            statement, rank_args(params), database_=database, routing_=RoutingControl.READ
                        ).records
                    return records

                return call

            pairs = [a[2] for a in store_answers]
            ways += [lambda j: raw_call(pairs[j][0]), lambda j: raw_call(pairs[j][1])]
        # (b) too: timed in a phase of its own, before the others, it read slower than (c) in slow minutes.
        ways.append(lambda j: store_call(timed_requests[j]))
        # The warm-ups cycle over the timed requests (there may be fewer of those). Which way goes first
        # rotates from one request to the next: the second run of the same search finds the caches warm.
        n_timed, n_ways = len(timed_requests), len(ways)
        order = [j % n_timed for j in range(warmup)] + list(range(n_timed))
        slots = [(k, (k + step) % n_ways) for k in range(len(order)) for step in range(n_ways)]
        times, results = _timed([ways[w](order[k]) for k, w in slots], n_ways * warmup)
        by_way: list[tuple[list[float], list[Any]]] = [([], []) for _ in ways]
        for (_, w), ms, result in zip(slots[n_ways * warmup :], times, results, strict=True):
            by_way[w][0].append(ms)
            by_way[w][1].append(result)
        store_times, store_again = by_way[-1]
        out["store"] = summarize(store_times)
        out["store_agrees"] = sum(a[:2] == b[:2] for a, b in zip(store_again, store_answers, strict=True))
        http_times = by_way[0][0]
        http_answers = [a.body for a in by_way[0][1]]
        httpx_answers = [a.body for a in by_way[1][1]]
        for body in http_answers + httpx_answers:
            _check_referral(body)
        out["http_1"] = summarize(http_times)
        out["http_1_by_class"] = _by_class(timed_requests, http_times)
        server_times = [a.server_ms for a in by_way[0][1] if a.server_ms is not None]
        out["http_1_server"] = summarize(server_times)
        out["http_1_httpx"] = summarize(by_way[1][0])
        if driver is not None:
            (raw_times, raw_records), (rank_times, rank_records) = by_way[2], by_way[3]
            out["raw"] = summarize(raw_times)
            out["raw_ranking_only"] = summarize(rank_times)
            out["raw_by_class"] = _by_class(timed_requests, raw_times)
            for key, recs in (("raw_agrees_with_store", raw_records), ("ranking_only_agrees", rank_records)):
                pages = [_raw_page(r) for r in recs]
                out[key] = sum(_agree(raw, a, count) for raw, a in zip(pages, store_answers, strict=True))
            out["raw_statements_mean"] = round(sum(len(a[2][0]) for a in store_answers) / max(1, n_timed), 2)
        for clients in concurrency:
            run = concurrent(url, bodies[warmup:], clients, _check_referral)
            failed = run.errors + len(run.unanswered)
            out[f"http_{clients}"] = {**summarize(run.times, run.seconds), "errors": failed}
            if run.unanswered:  # printed with the way's figures (bench.__main__), judged by failed_checks
                first = run.unanswered[0]
                out[f"http_{clients}"] |= {"unanswered": len(run.unanswered), "unanswered_first": first}
    for key, answers in (("http_agrees_with_store", http_answers), ("httpx_agrees", httpx_answers)):
        out[key] = sum(_agree(_http_page(h), a, count) for h, a in zip(answers, store_answers, strict=True))
    n = len(timed_requests)
    out["requests"] = n
    agreements = (
        "store_agrees",
        "http_agrees_with_store",
        "httpx_agrees",
        "raw_agrees_with_store",
        "ranking_only_agrees",
    )
    out["same_specialists"] = all(out.get(key, n) == n for key in agreements)
    out["http_over_raw_p50"] = ratio(out["http_1"].get("p50_ms"), (out.get("raw") or {}).get("p50_ms"))
    out["http_over_store_p50"] = ratio(out["http_1"].get("p50_ms"), out["store"].get("p50_ms"))
    out["results_per_page_mean"] = round(sum(len(a[0]) for a in store_answers) / max(1, n), 1)
    return out


def lookup_bench(
    store: GraphStore,
    store_name: str,
    folder: Path,
    as_of: str,
    n: int,
    warmup: int,
    serve: tuple[Path, dict[str, str]],
    driver: Driver | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    npis = lookup_npis(store, folder, n + warmup)
    if driver is not None:
        times, _ = _timed([lambda: driver.execute_query("RETURN 1 AS x").records] * len(npis), warmup)
        out["bolt_return_1"] = summarize(times)

    def direct(npi: str) -> Callable[[], Any]:
        # What the resolver tree of PROVIDER_QUERY reads: the practitioner's profile, in one call.
        def call() -> Any:
            found = store.practitioner_profiles([npi])
            assert npi in found
            return found

        return call

    times, _ = _timed([direct(npi) for npi in npis], warmup)
    out["provider_store"] = summarize(times)
    bodies = [{"query": PROVIDER_QUERY, "variables": {"npi": npi, "asOf": as_of}} for npi in npis]
    data_dir, env = serve
    with serving(store_name, data_dir, env) as url:
        times, _ = sequential(url, bodies, warmup, _check_provider)
    out["provider_http"] = summarize(times)
    out["http_over_bolt_p50"] = ratio(
        out["provider_http"].get("p50_ms"), (out.get("bolt_return_1") or {}).get("p50_ms")
    )
    return out


def bolt_driver(inst: Neo4jInstance) -> Driver:
    return GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password), notifications_min_severity="OFF")
