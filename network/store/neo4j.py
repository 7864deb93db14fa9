"""The production store: Neo4j 5.26 through the official driver.

Managed transactions only (``execute_query``), writes as ``UNWIND $rows`` batches, parameters always,
every statement from the :mod:`~network.store.catalog`. Transient failures are retried by the store
(:meth:`Neo4jStore._query`), not the driver: the driver's first retry waits a second, tuned for outages,
and a deadlock between a load's lanes would idle a lane that long. Reads run with read routing, so behind
a ``neo4j://`` URI a cluster spreads them over its secondaries. A read has Neo4j stop it past its time
limit, retries included: what is left of the caller's deadline (:mod:`network.deadline`, the API's
request), else the store's ``read_timeout_s``. The request has answered TIMEOUT by then, and the read would
hold a worker thread and the server's CPU for nobody; once the deadline has passed no read starts.
(Neo4j's clock starts when the transaction does, after the wait for a connection.)
One driver per process, created by :meth:`Neo4jStore.from_settings` at start-up (the app lifespan, the CLI).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from neo4j import Driver, EagerResult, GraphDatabase, Query, RoutingControl
from neo4j.exceptions import (
    AuthError,
    DatabaseUnavailable,
    ResultFailedError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.exceptions import (
    DriverError as ClientSideError,  # the driver's own failures (connection, routing), not the server's
)
from neo4j.exceptions import (
    Neo4jError as DriverError,
)

from network.deadline import time_left
from network.errors import DeadlinePassed, StoreError, StoreTimeout, StoreUnavailable
from network.geo import EARTH_RADIUS_MILES, METERS_PER_MILE
from network.model import (
    KEYS,
    NODE_RECORDS,
    County,
    Label,
    Location,
    Network,
    Participation,
    Plan,
    Practitioner,
    Record,
    Referral,
    Rel,
    Specialty,
    content_hash,
)
from network.settings import Settings
from network.store.base import End, GraphStore, S, Shaped
from network.store.catalog import Statement, cypher, statements_in
from network.store.checksum import R, RelRow, graph_checksum, record_from_props
from network.store.fresh import FreshKeys
from network.store.links import LINKS
from network.store.ranking import prefilter_miles, rank_in_windows
from network.store.replan import Replanner
from network.store.rows import (
    DISTANCE_TOLERANCE_MILES,
    AdequacyProviderRow,
    BBox,
    NetworkCounts,
    PractitionerPointRow,
    PractitionerProfile,
    ProviderQuery,
    ProviderRow,
    RankQuery,
    RankRow,
    RankRows,
    ReferralAsk,
    ReferralContext,
    ReferralFound,
    StoreStats,
)
from network.store.twins import PREFIX, expanding

_UNAVAILABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable)
# How rank_specialists.cypher finds its candidates: by the counts it reads, by the named specialty, by radius.
RankAnchor = Literal["auto", "specialty", "space"]
# point.distance() on WGS-84 points is a haversine on this sphere (checked by a contract test): rescaled
# to pnet's radius it agrees with network.geo.haversine_miles to ~1e-15.
NEO4J_EARTH_RADIUS_METERS = 6378140.0
# Retry delays: the first short (a deadlock's victim can go again at once), doubling up to a second.
FIRST_RETRY_DELAY_S = 0.05
MAX_RETRY_DELAY_S = 1.0
MIN_READ_TIMEOUT_S = 0.001  # the driver sends milliseconds, and 0 would mean no limit
MIN_RETRY_LEFT_S = 1.0


class Neo4jStore(GraphStore):
    concurrent_writes = True  # each transaction runs on one of the server's cores

    def __init__(
        self,
        driver: Driver,
        *,
        database: str = "neo4j",
        batch_size: int = 2000,
        retry_s: float = 0.0,
        read_timeout_s: float | None = None,
    ) -> None:
        self._driver = driver
        self._database = database
        self._batch_size = batch_size
        self._retry_s = retry_s  # how long _query retries transient failures (the driver's own: see below)
        self._read_timeout_s = read_timeout_s  # per read transaction, enforced by the server; None: none
        self._fresh = FreshKeys(lambda: bool(self._run(Statement.REFERRAL_EDGES_EXIST)[0]["present"]))
        self._replanner = Replanner()

    @classmethod
    def from_settings(cls, settings: Settings, *, read_timeout_s: float | None = None) -> Neo4jStore:
        driver = GraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
            connection_timeout=settings.neo4j_connection_timeout_s,
            connection_acquisition_timeout=settings.neo4j_connection_timeout_s * 2,
            max_connection_pool_size=settings.neo4j_max_pool_size,
            max_transaction_retry_time=0,  # one attempt per call: the store retries (_query)
            # Plan notifications (e.g. "property key does not exist" on a fresh graph) are noise in logs.
            notifications_min_severity="OFF",
        )
        return cls(
            driver,
            database=settings.neo4j_database,
            batch_size=settings.batch_size,
            retry_s=settings.neo4j_max_retry_time_s,
            read_timeout_s=read_timeout_s,
        )

    # -- plumbing ---------------------------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j refused the credentials: {exc}") from exc
        except (DriverError, ClientSideError) as exc:
            if isinstance(exc, ResultFailedError) and isinstance(exc.__cause__, _UNAVAILABLE):
                raise StoreUnavailable(f"Neo4j is unavailable: {exc.__cause__}") from exc
            if _timed_out(exc):  # ours (read_timeout_s), or the server's db.transaction.timeout
                raise StoreTimeout(f"Neo4j stopped a transaction past its time limit: {exc}") from exc
            # A ClientSideError is the driver's own, e.g. a result that failed while streaming.
            kind = "error" if isinstance(exc, DriverError) else "driver error"
            raise StoreError(f"Neo4j {kind}: {exc}") from exc

    def _run(
        self, statement: Statement | str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        text = cypher(statement) if isinstance(statement, Statement) else statement
        with self._errors():
            # Statements come from the catalog, never from input.
            result = self._query(text, params or {}, write=write)
        # Statements return maps and scalars only (projections, never nodes), so the driver's recursive
        # Record.data() conversion is not needed: it cost ~1 ms per referral search page.
        keys = result.keys
        return [dict(zip(keys, record, strict=True)) for record in result.records]

    def _query(self, text: str, params: dict[str, Any], *, write: bool) -> EagerResult:
        """One managed transaction, retried while the failure is transient and ``retry_s`` lasts: a
        deadlock or an outdated read between concurrent writers, a lost connection, a leader change."""
        routing = RoutingControl.WRITE if write else RoutingControl.READ
        started = time.monotonic()
        deadline = started + self._retry_s
        limit = None if write else _read_limit(self._read_timeout_s)
        if limit is not None:
            # One time limit for the read, its retries included; a retry starts only with a fair share of
            # it left, or a lost connection near the end would come back as a timeout.
            deadline = min(deadline, started + limit - min(MIN_RETRY_LEFT_S, limit / 4))
        delay = FIRST_RETRY_DELAY_S
        while True:
            query: str | Query = text
            if limit is not None:
                left = started + limit - time.monotonic()
                query = Query(text, timeout=max(left, MIN_READ_TIMEOUT_S))  # the driver refuses < 0
            try:
                return self._driver.execute_query(query, params, database_=self._database, routing_=routing)
            except (DriverError, ClientSideError) as exc:
                wait = delay * random.uniform(0.8, 1.2)  # jitter: two lanes' victims do not meet again
                if not _transient(exc) or time.monotonic() + wait > deadline:
                    raise
            time.sleep(wait)
            delay = min(delay * 2, MAX_RETRY_DELAY_S)

    def _write_rows(
        self, statement: Statement, chunk: Sequence[Any], shared: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        rows = _Rows(chunk)
        try:
            params: dict[str, Any] = {"rows": rows} if shared is None else {"rows": rows, "shared": shared}
            return self._run(statement, params, write=True)
        finally:
            # The driver keeps each statement's parameters in a reference cycle with its session, result
            # and hydrators, which only the cyclic collector frees. Emptied, the rows go with their batch
            # by reference counting, and the garbage a statement leaves is ~90 small driver objects.
            rows.clear()

    def _batches(self, rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
        for start in range(0, len(rows), self._batch_size):
            yield rows[start : start + self._batch_size]

    # -- lifecycle ---------------------------------------------------------------------------------
    def init_schema(self) -> list[str]:
        for text in statements_in(Statement.INIT_SCHEMA):
            self._run(text, write=True)
        self._backfill_twins()
        constraints = self._run(Statement.SHOW_CONSTRAINTS)
        indexes = [r for r in self._run(Statement.SHOW_INDEXES) if r["owningConstraint"] is None]
        return [f"constraint {r['name']}" for r in constraints] + [
            f"{r['type'].lower()} index {r['name']}" for r in indexes
        ]

    def _backfill_twins(self) -> None:
        """AT_LOCATION's typed twins for a graph loaded before them (network.store.twins), once: without
        them a search naming a specialty would find nobody by the radius's way."""
        if self._run(Statement.TWIN_TYPES) or not self._run(Statement.TWINS_MISSING):
            return
        after: str | None = ""
        while after is not None:
            params = {"after": after, "limit": self._batch_size}
            after = self._run(Statement.BACKFILL_TWINS, params, write=True)[0]["last"]

    def ping(self) -> None:
        self._run(Statement.PING)

    def prepare_reads(self) -> None:
        """Nothing: Neo4j keeps its indexes itself. Its search plans are warmed apart, optionally and in
        the background (network.services.warmup): 20-40 s of planning."""

    def close(self) -> None:
        self._replanner.close()
        self._driver.close()

    def clear(self) -> None:
        self._fresh.reset()
        # Relationships first, in bounded transactions: a hub node's DETACH DELETE is one transaction.
        while self._run(Statement.CLEAR_RELATIONSHIPS_BATCH, {"limit": 50_000}, write=True)[0]["deleted"]:
            pass
        for row in self._run(Statement.TWIN_TYPES):  # network.store.twins: a type per specialty code
            text = expanding(Statement.CLEAR_TWINS_BATCH, [row["type"].removeprefix(PREFIX)])
            while self._run(text, {"limit": 50_000}, write=True)[0]["deleted"]:
                pass
        while self._run(Statement.CLEAR_BATCH, {"limit": 10_000}, write=True)[0]["deleted"]:
            pass

    # -- writes ------------------------------------------------------------------------------------
    def shape(self, record: S) -> Shaped[S]:
        # The statement's row is built here rather than in the write, so a loader can build it off the
        # thread that waits on the server. One as_dict() serves a node's hash and row (Record.digest is
        # content_hash of it). A referral has no hash (its edge is compared property by property), and
        # its row depends on the statement it takes, known at the write (_write_referrals).
        if isinstance(record, Referral):
            return Shaped(record, record.key, None)
        props = record.as_dict()
        digest = content_hash(props)
        row = _node_row(record, digest, props)
        return Shaped(record, row["key"], digest, row)

    def _write_nodes(self, label: Label, batch: list[Shaped[Record]]) -> dict[str, str | None]:
        rows = [item.row for item in batch]
        prior: dict[str, str | None] = {}
        statement = Statement.per_label("write", label)
        for chunk in self._batches(rows):
            for r in self._write_rows(statement, chunk):
                prior.update(r["written"])
        return prior

    def _write_referrals(self, batch: list[Shaped[Referral]]) -> tuple[dict[str, str | None], dict[str, End]]:
        # A first load creates the keys it has not written before outright (network.store.fresh).
        unseen = self._fresh.unseen([item.key for item in batch])
        prior: dict[str, str | None] = {}
        missing: dict[str, End] = {}
        new = [item for item, fresh in zip(batch, unseen, strict=True) if fresh]
        again = [_upsert_row(item) for item, fresh in zip(batch, unseen, strict=True) if not fresh]
        self._create_referrals(new, prior, missing)
        self._write_referral_rows(Statement.WRITE_REFERRALS, again, prior, missing)
        self._fresh.created(key for key, old in prior.items() if old is None)
        return prior, missing

    def _create_referrals(
        self, items: list[Shaped[Referral]], prior: dict[str, str | None], missing: dict[str, End]
    ) -> None:
        """Referrals certainly new, as rows of what varies, with what a file's rows share sent once."""
        groups: dict[tuple[str, int | None, int | None], list[Shaped[Referral]]] = {}
        for item in items:
            r = item.record
            groups.setdefault((r.source, r.year, r.window_days), []).append(item)
        for (source, year, window_days), group in groups.items():
            shared = {"source": source, "year": year, "window_days": window_days}  # a null is not stored
            for chunk in self._batches(group):
                records = [item.record for item in chunk]
                rows = [
                    [r.from_npi, r.to_npi, r.pair_count, r.beneficiaries, r.same_day_count] for r in records
                ]
                (result,) = self._write_rows(Statement.WRITE_REFERRALS_NEW, rows, shared)
                prior.update((item.key, None) for item in chunk)
                if result["missing"]:
                    keys = {(item.record.from_npi, item.record.to_npi): item.key for item in chunk}
                    for a, b, end in result["missing"]:
                        del prior[keys[a, b]]
                        missing[keys[a, b]] = end

    def _write_referral_rows(
        self,
        statement: Statement,
        rows: list[dict[str, Any]],
        prior: dict[str, str | None],
        missing: dict[str, End],
    ) -> None:
        for chunk in self._batches(rows):
            for r in self._write_rows(statement, chunk):
                # Rows not named were created; unchanged ones are left out of `prior` (see _write_nodes).
                prior.update((row["key"], None) for row in chunk)
                prior.update((key, content_hash(props)) for key, props in r["updated"])
                for key in r["unchanged"]:
                    del prior[key]
                for key, end in r["missing"]:
                    del prior[key]
                    missing[key] = end

    def ensure_specialties(self, records: Sequence[Record]) -> int:
        rows = [_node_row(rec, rec.digest()) for rec in records]
        created = 0
        for chunk in self._batches(rows):
            created += self._write_rows(Statement.ENSURE_SPECIALTIES, chunk)[0]["created"]
        return created

    # -- reads -------------------------------------------------------------------------------------------
    def existing_keys(self, label: Label, keys: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for chunk in self._batches(wanted):
            for r in self._run(Statement.per_label("existing", label), {"keys": list(chunk)}):
                found.update(r["keys"])
        return found

    def lookup(
        self, keys: Mapping[Label, Iterable[str]], fields: Mapping[Label, Sequence[str]] | None = None
    ) -> dict[Label, dict[str, tuple[Any, ...]]]:
        asked = {label: list(dict.fromkeys(k)) for label, k in keys.items()}
        names = {label.value: list((fields or {}).get(label, ())) for label in Label}
        out: dict[Label, dict[str, tuple[Any, ...]]] = {label: {} for label in asked}
        rounds = max((len(k) for k in asked.values()), default=0)
        for start in range(0, rounds, self._batch_size):
            part = {label.value: asked.get(label, [])[start : start + self._batch_size] for label in Label}
            with self._errors():
                # Straight from the driver: Record.data() would copy thousands of nested lists per batch.
                (row,) = self._query(
                    cypher(Statement.LOOKUP), {"keys": part, "fields": names}, write=False
                ).records
            for label in asked:
                out[label].update(
                    (k, tuple(tuple(v) if isinstance(v, list) else v for v in values))
                    for k, values in row[label.value]
                )
        return out

    def get_many(self, label: Label, keys: Iterable[str]) -> dict[str, Record]:
        cls = NODE_RECORDS[label]
        key_field = KEYS[label]
        out: dict[str, Record] = {}
        for chunk in self._batches(list(dict.fromkeys(keys))):
            for r in self._run(Statement.per_label("get", label), {"keys": list(chunk)}):
                rec = record_from_props(cls, r["props"])
                out[str(r["props"][key_field])] = rec
        return out

    def keys(self, label: Label, *, after: str | None = None, limit: int = 1000) -> list[str]:
        rows = self._run(Statement.per_label("keys", label), {"after": after, "limit": limit})
        return [r["key"] for r in rows]

    def participations_of(self, npis: Iterable[str]) -> dict[str, list[Participation]]:
        out: dict[str, list[Participation]] = {}
        for r in self._run(Statement.PARTICIPATIONS_OF, {"npis": list(dict.fromkeys(npis))}):
            roles = out.setdefault(r["npi"], [])
            if r["props"] is not None:
                roles.append(record_from_props(Participation, r["props"]))
        return out

    def practitioner_profiles(self, npis: Iterable[str]) -> dict[str, PractitionerProfile]:
        out: dict[str, PractitionerProfile] = {}
        for chunk in self._batches(list(dict.fromkeys(npis))):
            (r,) = self._run(Statement.PRACTITIONER_PROFILES, {"npis": list(chunk)})  # one row per call
            entries = r["entries"]
            out.update(
                PractitionerProfile.assemble(
                    {e["npi"]: record_from_props(Practitioner, e["practitioner"]) for e in entries},
                    {e["npi"]: _roles(e["roles"]) for e in entries},
                    _by_key(Location, r["locations"]),
                    _by_key(Network, r["networks"]),
                    _by_key(Specialty, r["specialties"]),
                )
            )
        return out

    def referral_search(self, ask: ReferralAsk) -> ReferralFound:
        # One round trip a window: the statement reads the context, then ranks within the plan's networks.
        answers: list[list[dict[str, Any]]] = []

        def rank(window: float, budget: int | None) -> RankRows:
            answers.append(self._rank(ask.query, search_params(ask, window, budget)))
            return _rows_ranked(answers[-1], ask.query.radius_miles, window)

        page = rank_in_windows(ask.query, rank)
        head = answers[-1][0]
        context = ReferralContext(
            pcp=None if head["pcp"] is None else record_from_props(Practitioner, head["pcp"]),
            plan=None if head["plan"] is None else record_from_props(Plan, head["plan"]),
            roles=_roles(head["roles"]),
            referred={npi: int(pairs) for npi, pairs in head["referred"]},
            specialty_known=bool(head["specialty_known"]),
        )
        return ReferralFound(context, page)

    def _rank_rows(self, query: RankQuery, window_miles: float, budget: int | None = None) -> RankRows:
        rows = self._rank(query, rank_params(query, window_miles, budget))
        return _rows_ranked(rows, query.radius_miles, window_miles)

    def _rank(self, query: RankQuery, params: dict[str, Any]) -> list[dict[str, Any]]:
        text = rank_text(query)
        try:
            return self._run(text, rank_args(params))
        except StoreTimeout as exc:
            if not isinstance(exc, DeadlinePassed):  # Neo4j stopped it, perhaps before its plan was made
                self._replanner.timed_out(text, lambda: self._run(text, rank_args(_reading_nothing(params))))
            raise

    def referral_counts(self, from_npi: str, to_npis: Iterable[str]) -> dict[str, int]:
        rows = self._run(Statement.REFERRAL_COUNTS, {"from_npi": from_npi, "to_npis": list(to_npis)})
        return {r["npi"]: int(r["pairs"]) for r in rows}

    def top_referral_targets(self, npis: Iterable[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        wanted = list(dict.fromkeys(npis))
        out: dict[str, list[tuple[str, int]]] = {npi: [] for npi in wanted}
        for r in self._run(Statement.TOP_REFERRAL_TARGETS, {"npis": wanted, "limit": limit}):
            out[r["npi"]] = [(str(t), int(c)) for t, c in r["top"]]
        return out

    # -- directory search (API) ---------------------------------------------------------------------
    def _provider_rows(self, query: ProviderQuery, prefilter_miles: float) -> list[ProviderRow]:
        anchor = _search_anchor(query, prefilter_miles)
        if anchor is None:
            raise ValueError("a provider search needs a name, specialty, location or network filter")
        npis = [r["npi"] for r in self._run(*anchor)]
        if not npis:
            return []
        center = query.center
        params = {
            "npis": npis,
            "as_of": query.as_of,
            "language": query.language.casefold() if query.language else None,
            "sex": query.sex.lower() if query.sex else None,
            "specialties": sorted(query.specialty_codes) if query.specialty_codes is not None else None,
            "by_participation": query.by_participation,
            "accepting": query.accepting_new_patients,
            "networks": list(query.network_ids) if query.network_ids is not None else None,
            "located": query.located,
            "lat": center.lat if center else None,
            "lon": center.lon if center else None,
            "meters": prefilter_miles * METERS_PER_MILE,
            "state": query.state,
            "zip": query.zip5,
        }
        return [ProviderRow(**r) for r in self._run(Statement.SEARCH_FILTER, params)]

    def network_counts(self, network_ids: Iterable[str], as_of: str) -> dict[str, NetworkCounts]:
        params = {"ids": list(dict.fromkeys(network_ids)), "as_of": as_of}
        rows = self._run(Statement.API_NETWORK_COUNTS, params)
        return {r.pop("id"): NetworkCounts(**r) for r in rows}

    # -- end directory search (API) -----------------------------------------------------------------

    # -- adequacy -----------------------------------------------------------------------------------
    def adequacy_providers(
        self, network_ids: Sequence[str], as_of: str, box: BBox
    ) -> list[AdequacyProviderRow]:
        params = {**_box_params(box), "networks": list(dict.fromkeys(network_ids)), "as_of": as_of}
        return [AdequacyProviderRow(**r) for r in self._run(Statement.ADEQUACY_PROVIDERS, params)]

    def practitioner_points(self, box: BBox) -> list[PractitionerPointRow]:
        rows = self._run(Statement.ADEQUACY_PRACTITIONER_POINTS, _box_params(box))
        return [PractitionerPointRow(**{**r, "specialties": tuple(r["specialties"])}) for r in rows]

    def _counties_by_fips_prefix(self, prefixes: Sequence[str]) -> list[County]:
        rows = self._run(Statement.ADEQUACY_COUNTIES, {"prefixes": list(prefixes)})
        return [record_from_props(County, r["props"]) for r in rows]

    # -- end adequacy -------------------------------------------------------------------------------

    def stats(self) -> StoreStats:
        nodes = {r["label"]: r["nodes"] for r in self._run(Statement.STATS_NODES)}
        rels = {r["type"]: r["rels"] for r in self._run(Statement.STATS_RELATIONSHIPS)}
        return StoreStats(nodes=dict(sorted(nodes.items())), relationships=dict(sorted(rels.items())))

    def checksum(self) -> str:
        nodes = [
            (r["label"], str(r["props"][KEYS[Label(r["label"])]]), r["props"])
            for r in self._run(Statement.CHECKSUM_NODES)
        ]
        rels: list[RelRow] = [
            (r["type"], r["a_label"], r["a_key"], r["b_label"], r["b_key"], r["props"])
            for r in self._run(Statement.CHECKSUM_RELATIONSHIPS)
        ]
        return graph_checksum(nodes, rels)


def _upsert_row(item: Shaped[Referral]) -> dict[str, Any]:
    """A referral's row for write_referrals.cypher (the upsert)."""
    r = item.record
    return {"key": item.key, "from": r.from_npi, "to": r.to_npi, "props": r.edge_props()}


class _Rows(list[Any]):
    """A write statement's rows, packed as a list, with a short repr.

    The driver (5.x and 6.x, Bolt ``run()``) formats the repr of every parameter for its debug log whether
    or not that log is enabled: for a 2,000-row batch that was ~8 ms of Python per statement, on the
    thread the server is waiting for.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _transient(exc: DriverError | ClientSideError) -> bool:
    """Whether trying the transaction again may succeed. A server failure met while the result streams
    (an outdated read beside a concurrent writer, seen with `pnet load-all`) reaches the transaction
    function as a ResultFailedError, which is never retryable itself: its cause says."""
    cause = exc.__cause__
    if isinstance(exc, ResultFailedError) and isinstance(cause, DriverError | ClientSideError):
        return cause.is_retryable()
    return exc.is_retryable()


def _read_limit(own: float | None) -> float | None:
    """A read's time limit: what is left of the caller's deadline (network.deadline) when there is one,
    else the store's own. A caller that sets a deadline knows what it waits for: a request's is its
    timeout, and the plan warmer's is longer than the request timeout, since planning a search may take
    longer than a member is given. A read is not started once the deadline has passed."""
    left = time_left()
    if left is None:
        return own
    if left <= 0:
        raise DeadlinePassed("the caller's deadline passed before this read could start")
    return left


def _timed_out(exc: DriverError | ClientSideError) -> bool:
    """Whether the server stopped the transaction for outliving its timeout (itself, or reached while
    the result streamed)."""
    error = exc.__cause__ if isinstance(exc, ResultFailedError) else exc
    code = getattr(error, "code", None) or ""
    return code.startswith("Neo.ClientError.Transaction.TransactionTimedOut")


def _roles(rows: list[dict[str, Any]]) -> list[Participation]:
    """Participations' properties as records, by id (as ``participations_of`` answers)."""
    return sorted((record_from_props(Participation, props) for props in rows), key=lambda r: r.id)


def _by_key(cls: type[R], rows: list[dict[str, Any]]) -> dict[str, R]:
    """Nodes' properties as records by key."""
    records = (record_from_props(cls, props) for props in rows)
    return {rec.key: rec for rec in records}


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """Properties without the unset ones (Neo4j stores no nulls)."""
    return {k: v for k, v in props.items() if v is not None}


def _node_row(rec: Record, digest: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    """A record as its write statement takes it: key, hash, properties and link targets per link field.

    The links are :func:`~network.store.links.iter_links` unrolled: it runs for every row of every load,
    and a generator and a props dict per target were a fifth of a participation load's Python time.
    ``props`` is ``rec.as_dict()`` when the caller has it already.
    """
    if props is None:
        props = rec.as_dict()
    links: dict[str, list[Any]] = {}
    for link in LINKS[rec.LABEL]:
        value = props[link.field]
        if value is None:
            targets: list[Any] = []
        elif isinstance(value, list):
            targets = list(dict.fromkeys(map(str, value)))  # a repeated target is one relationship
        else:
            targets = [str(value)]
        if link.rel is Rel.HAS_SPECIALTY:
            primary = props.get("primary_specialty")
            targets = [{"key": t, "primary": primary == t} for t in targets]
        links[link.field] = targets
    return {"key": rec.key, "hash": digest, "props": _present(props), "links": links}


def _rows_ranked(rows: list[dict[str, Any]], radius_miles: float, window_miles: float) -> RankRows:
    # The statement always answers: a page past the end is one row of nulls carrying the totals.
    return RankRows(
        total=rows[0]["total"],
        remaining=rows[0]["remaining"],
        reach_miles=_reach(rows[0], radius_miles, window_miles),
        rows=[
            RankRow(
                npi=r["npi"],
                location_id=r["location_id"],
                lat=r["lat"],
                lon=r["lon"],
                distance=r["distance"],
                specialty_code=r["specialty_code"],
                network_id=r["network_id"],
                participation_id=r["participation_id"],
                accepting_new_patients=r["accepting_new_patients"],
                prior=r["prior"],
                practitioner=record_from_props(Practitioner, r["practitioner"]),
                location=record_from_props(Location, r["location"]),
                network=None if r["network"] is None else record_from_props(Network, r["network"]),
                specialty=None if r["specialty"] is None else record_from_props(Specialty, r["specialty"]),
            )
            for r in rows
            if r["npi"] is not None
        ],
    )


def _reach(head: dict[str, Any], radius_miles: float, window_miles: float) -> float:
    """How far the statement read: everything nearer than its cut (a read budget stopped it there),
    else its window, or the whole radius (the specialty's way in, or the radius itself as window)."""
    if head["whole"]:
        return radius_miles
    return window_miles if head["cut"] is None else float(head["cut"])


def rank_text(query: RankQuery) -> str:
    """``rank_specialists.cypher`` as ``query`` runs it, expanding its specialties' twins (store.twins)."""
    return expanding(Statement.RANK_SPECIALISTS, query.specialty_codes)


def rank_args(params: dict[str, Any]) -> dict[str, Any]:
    """What ``rank_specialists.cypher`` is sent: its parameters as the one map ``$ask``, so that Neo4j plans
    each text once, whatever the values' types and sizes (the statement's header says why)."""
    return {"ask": params}


def _reading_nothing(params: dict[str, Any]) -> dict[str, Any]:
    """A ranking's parameters changed to rank within no network, like the plan warmer's searches: a PCP and
    a plan that do not exist, around a point in the ocean. Only the statement's small checks read (the
    specialty's existence and count). Same text, so the same plan."""
    return {**params, "pcp": "", "plan": "", "networks": None, "prior": None, "lat": 0.0, "lon": 0.0}


def search_params(
    ask: ReferralAsk, window_miles: float, budget: int | None = None, anchor: RankAnchor = "auto"
) -> dict[str, Any]:
    """The parameters of ``rank_specialists.cypher`` for a whole referral search: the statement reads the
    plan's networks and the PCP's shared-patient totals itself (the benchmark replays these raw)."""
    params = rank_params(ask.query, window_miles, budget, anchor)
    params.update(pcp=ask.pcp_npi, plan=ask.plan_id, specialty=ask.specialty_key, networks=None, prior=None)
    return params


def rank_params(
    query: RankQuery, window_miles: float, budget: int | None = None, anchor: RankAnchor = "auto"
) -> dict[str, Any]:
    """The parameters of ``rank_specialists.cypher`` for a plain ranking (networks and prior given),
    within ``window_miles`` by the radius's way (the query's radius: all of it), reading up to ``budget``
    participations there (None: all); ``anchor`` forces the statement's way in (tests walk both),
    ``auto`` lets its counts choose."""
    after_prior, after_distance = (query.after[0], query.after[1]) if query.after is not None else (0, None)
    return {
        "lat": query.center.lat,
        "lon": query.center.lon,
        "meters": prefilter_miles(window_miles) * METERS_PER_MILE,
        "window": window_miles + DISTANCE_TOLERANCE_MILES,
        "budget": budget,
        "radius": query.radius_miles + DISTANCE_TOLERANCE_MILES,
        "miles_per_meter": EARTH_RADIUS_MILES / NEO4J_EARTH_RADIUS_METERS,
        "pcp": None,
        "plan": None,
        "specialty": None,
        "networks": list(query.network_ids),
        "as_of": query.as_of,
        "accepting": query.accepting_new_patients,
        "exclude": query.exclude_npi,
        "language": query.language.casefold() if query.language else None,
        "specialties": sorted(query.specialty_codes) if query.specialty_codes is not None else None,
        "prior": [[npi, pairs] for npi, pairs in query.prior.items()],
        "by_prior": query.by_prior,
        "after_prior": after_prior,
        "after_distance": after_distance,
        "tolerance": DISTANCE_TOLERANCE_MILES,
        "limit": query.limit + 1,
        "anchor": anchor,
    }


# -- directory search (API) ------------------------------------------------------------------------
def _search_anchor(query: ProviderQuery, prefilter_miles: float) -> tuple[Statement, dict[str, Any]] | None:
    """The most selective indexed filter of a search, as the statement that seeks it (None: no anchor)."""
    if query.center is not None:
        return Statement.SEARCH_NEAR, {
            "lat": query.center.lat,
            "lon": query.center.lon,
            "meters": prefilter_miles * METERS_PER_MILE,
        }
    if query.zip5 is not None:
        return Statement.SEARCH_ZIP, {"zip": query.zip5}
    if query.name_terms:
        # Terms are runs of letters (network.store.base.name_words), so nothing needs Lucene escaping.
        return Statement.SEARCH_NAME, {"lucene": " AND ".join(f"{t}*" for t in query.name_terms)}
    if query.specialty_codes is not None:
        return Statement.SEARCH_SPECIALTY, {"codes": sorted(query.specialty_codes)}
    if query.network_ids is not None:
        return Statement.SEARCH_NETWORK, {"networks": list(query.network_ids), "as_of": query.as_of}
    if query.state is not None:
        return Statement.SEARCH_STATE, {"state": query.state}
    return None


# -- end directory search (API) --------------------------------------------------------------------


# -- adequacy --------------------------------------------------------------------------------------
def _box_params(box: BBox) -> dict[str, float]:
    return {"south": box.south, "west": box.west, "north": box.north, "east": box.east}


# -- end adequacy ----------------------------------------------------------------------------------
