"""The store protocol: what every graph store must do, and the bookkeeping they share.

Two implementations stand behind it, like httpx's transports: :class:`~network.store.neo4j.Neo4jStore`
(production) and :class:`~network.store.memory.MemoryStore` (networkx, the embedded default). The
contract suite in ``tests/contract`` runs the same tests against both.

Writes are batched and idempotent. The base class dedupes a batch by key (last row wins, earlier
duplicates count as *updated* or *unchanged*) and hashes each record's content, so a store only has to
report, per key it wrote, the hash it replaced; from that the base class tells created, updated and
unchanged apart the same way for both stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast

from network.geo import haversine_miles
from network.model import (
    County,
    Label,
    Location,
    Network,
    Participation,
    Plan,
    Practitioner,
    Record,
    Referral,
    Specialty,
)
from network.store.ranking import prefilter_miles, rank_in_windows
from network.store.rows import (
    AdequacyProviderRow,
    BBox,
    NetworkCounts,
    PractitionerPointRow,
    PractitionerProfile,
    ProviderHit,
    ProviderQuery,
    ProviderRow,
    RankedPage,
    RankQuery,
    RankRows,
    ReferralAsk,
    ReferralContext,
    ReferralFound,
    StoreStats,
    UpsertCounts,
    name_matches,
)
from network.validate import US_STATES

S = TypeVar("S", bound=Record | Referral)
S_co = TypeVar("S_co", bound=Record | Referral, covariant=True)


class GraphStore(ABC):
    """Batched idempotent writes plus the reads the services need. Implementations are thread-safe."""

    # True when writes from several threads at once go faster than one after another (a server with
    # cores to spare); a load then writes in lanes. An in-process store's writes share one interpreter.
    concurrent_writes: ClassVar[bool] = False

    # -- lifecycle -------------------------------------------------------------------------------
    @abstractmethod
    def init_schema(self) -> list[str]:
        """Create constraints and indexes if missing (idempotent); returns what now exists."""

    @abstractmethod
    def ping(self) -> None:
        """Raise :class:`~network.errors.StoreUnavailable` unless the store answers."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and persist what needs persisting."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything (tests and ``pnet db reset``)."""

    @abstractmethod
    def prepare_reads(self) -> None:
        """Build now what the store would build on the first read that needs it, so that a server's first
        requests do not wait for it (the API calls it as it starts)."""

    # -- writes ------------------------------------------------------------------------------------
    def shape(self, record: S) -> Shaped[S]:
        """A record hashed and in the form this store sends it: pure Python, no I/O, thread-safe.

        :meth:`upsert` shapes its records itself; a loader may shape them beforehand on another thread
        (the pipeline does, while the batch before is written) and hand them to :meth:`upsert_shaped`.
        """
        return Shaped(record, record.key, None if isinstance(record, Referral) else record.digest())

    def upsert(self, records: Sequence[Record]) -> UpsertCounts:
        """Create or replace nodes of one label (and their outgoing links), by key."""
        return self.upsert_shaped([self.shape(rec) for rec in records])

    def upsert_shaped(self, items: Sequence[Shaped[Record]]) -> UpsertCounts:
        """:meth:`upsert` of records this store has already shaped (:meth:`shape`)."""
        if not items:
            return UpsertCounts()
        label = items[0].record.LABEL
        if any(item.record.LABEL is not label for item in items):
            raise TypeError(f"one batch holds one label; got {sorted({i.record.LABEL for i in items})}")
        return _tally(items, lambda batch: (self._write_nodes(label, batch), {}), UpsertCounts())

    @abstractmethod
    def _write_nodes(self, label: Label, batch: list[Shaped[Record]]) -> dict[str, str | None]:
        """Write the records whose stored hash differs; return {key: replaced hash or None if new}.

        Keys absent from the result were already stored with the same hash and were left untouched.
        """

    def upsert_referrals(self, referrals: Sequence[Referral]) -> ReferralCounts:
        """Create or replace REFERS_TO edges between existing practitioners; never invents one.

        A referral whose practitioner is not stored is not written and counts in ``missing`` under the end
        that is absent (``from`` first when both are): the existence check rides on the write itself, so
        a loader needs no read of its own per batch.
        """
        return self.upsert_referrals_shaped([self.shape(ref) for ref in referrals])

    def upsert_referrals_shaped(self, items: Sequence[Shaped[Referral]]) -> ReferralCounts:
        """:meth:`upsert_referrals` of referrals this store has already shaped (:meth:`shape`)."""
        counts = ReferralCounts()
        _tally(items, self._write_referrals, counts)
        return counts

    @abstractmethod
    def _write_referrals(self, batch: list[Shaped[Referral]]) -> tuple[dict[str, str | None], dict[str, End]]:
        """Like :meth:`_write_nodes`, for REFERS_TO edges keyed by :attr:`Referral.key`; also returns
        {key: the end not in the graph} for the referrals it could not write.

        An edge stores :meth:`Referral.edge_props` and nothing else: it is unchanged when those equal the
        stored properties, and a replaced edge's "hash" is ``content_hash`` of the properties it had.
        """

    @abstractmethod
    def ensure_specialties(self, records: Sequence[Record]) -> int:
        """Create the given Specialty nodes that do not exist yet, never touching existing ones."""

    # -- generic reads ---------------------------------------------------------------------------------
    @abstractmethod
    def existing_keys(self, label: Label, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` stored under ``label``."""

    def lookup(
        self, keys: Mapping[Label, Iterable[str]], fields: Mapping[Label, Sequence[str]] | None = None
    ) -> dict[Label, dict[str, tuple[Any, ...]]]:
        """Per label, the stored keys among ``keys`` with the values of that label's ``fields`` (a
        property absent from the store reads None or the record's default; lists read as tuples).

        A loader's checks of one batch against several labels; a remote store answers in one round trip.
        """
        wanted = fields or {}
        out: dict[Label, dict[str, tuple[Any, ...]]] = {}
        for label, asked in keys.items():
            names = tuple(wanted.get(label, ()))
            if names:
                found = self.get_many(label, asked)
                out[label] = {k: tuple(getattr(rec, n) for n in names) for k, rec in found.items()}
            else:
                out[label] = dict.fromkeys(self.existing_keys(label, asked), ())
        return out

    @abstractmethod
    def get_many(self, label: Label, keys: Iterable[str]) -> dict[str, Record]:
        """Records by key (missing keys are absent from the result); one round trip."""

    def get(self, label: Label, key: str) -> Record | None:
        return self.get_many(label, [key]).get(key)

    @abstractmethod
    def keys(self, label: Label, *, after: str | None = None, limit: int = 1000) -> list[str]:
        """Keys of a label in ascending order, paged by ``after``."""

    @abstractmethod
    def participations_of(self, npis: Iterable[str]) -> dict[str, list[Participation]]:
        """Every participation (any date) of each practitioner, ordered by id."""

    def practitioner_profiles(self, npis: Iterable[str]) -> dict[str, PractitionerProfile]:
        """Each stored practitioner's directory entry (missing NPIs are absent from the result): what a
        provider lookup shows with its nested fields, so the API reads it at once.

        Five reads here, each by key; a store with round trips to spare (Neo4j) answers in one statement.
        """
        found = {
            npi: rec
            for npi, rec in self.get_many(Label.PRACTITIONER, npis).items()
            if isinstance(rec, Practitioner)
        }
        roles = self.participations_of(found)
        named = [PractitionerProfile.named(rec, roles.get(npi, [])) for npi, rec in found.items()]
        locations = self.get_many(Label.LOCATION, (k for keys in named for k in keys.locations))
        networks = self.get_many(Label.NETWORK, (k for keys in named for k in keys.networks))
        specialties = self.get_many(Label.SPECIALTY, (k for keys in named for k in keys.specialties))
        return PractitionerProfile.assemble(
            found,
            roles,
            cast(dict[str, Location], locations),
            cast(dict[str, Network], networks),
            cast(dict[str, Specialty], specialties),
        )

    def referral_context(self, pcp_npi: str, plan_id: str, specialty_code: str | None) -> ReferralContext:
        """The PCP, its participations and referral totals, the plan, and whether a specialty code exists.

        One read here; a store with round trips to spare (Neo4j) answers it in one statement.
        """
        pcp = self.get(Label.PRACTITIONER, pcp_npi)
        plan = self.get(Label.PLAN, plan_id)
        return ReferralContext(
            pcp=pcp if isinstance(pcp, Practitioner) else None,
            plan=plan if isinstance(plan, Plan) else None,
            roles=self.participations_of([pcp_npi]).get(pcp_npi, []),
            # Every target: the largest limit Neo4j's LIMIT takes (a 32-bit int; 2**31 fails there).
            referred=dict(self.top_referral_targets([pcp_npi], limit=2**31 - 1).get(pcp_npi, [])),
            specialty_known=bool(specialty_code and self.existing_keys(Label.SPECIALTY, [specialty_code])),
        )

    def referral_search(self, ask: ReferralAsk) -> ReferralFound:
        """A referral search's context and its page: two reads here; a store with round trips to spare
        (Neo4j) answers both in one statement."""
        ctx = self.referral_context(ask.pcp_npi, ask.plan_id, ask.specialty_key)
        return ReferralFound(ctx, self.rank_specialists(ask.ranking(ctx)))

    def rank_specialists(self, query: RankQuery) -> RankedPage:
        """One page of specialists for a referral search, ranked and cut by the store (see RankQuery).

        The store filters and orders with its own index and arithmetic and returns only the head of the
        ranking; exact miles, the cursor comparison and the page cut are made here, once, for both.
        """
        return rank_in_windows(query, lambda window, budget: self._rank_rows(query, window, budget))

    @abstractmethod
    def _rank_rows(self, query: RankQuery, window_miles: float, budget: int | None = None) -> RankRows:
        """The ranking of ``query`` within ``window_miles`` (at most its radius) of its centre: locations
        pre-filtered by the spatial index (:func:`prefilter_miles`), then kept within ``window_miles +
        DISTANCE_TOLERANCE_MILES`` by the store's own haversine. A store may rank within more, up to the
        radius, or, given a ``budget``, stop at the nearest locations that hold that many participations;
        ``RankRows.reach_miles`` says how far it read."""

    @abstractmethod
    def referral_counts(self, from_npi: str, to_npis: Iterable[str]) -> dict[str, int]:
        """Summed REFERS_TO pair counts from one practitioner to each of the given ones (absent: 0)."""

    @abstractmethod
    def top_referral_targets(self, npis: Iterable[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        """Per practitioner, the practitioners it refers to most: (npi, summed pair count), top first."""

    # -- directory search (API) ---------------------------------------------------------------------
    def search_providers(self, query: ProviderQuery) -> list[ProviderHit]:
        """Practitioners matching ``query``, one hit each (nearest qualifying location), ordered by NPI.

        Stores only pre-filter (a wider radius, an index on names);
        the name-word test and the exact distance are decided here, once, for both stores.
        """
        if query.center is not None and query.radius_miles is None:
            raise ValueError("a provider search around a point needs radius_miles")
        radius = query.radius_miles or 0.0
        best: dict[str, ProviderHit] = {}
        for row in self._provider_rows(query, prefilter_miles(radius)):
            if query.name_terms and not name_matches(row.name, query.name_terms):
                continue
            distance: float | None = None
            if query.center is not None:
                if row.lat is None or row.lon is None:
                    continue
                distance = haversine_miles(query.center.lat, query.center.lon, row.lat, row.lon)
                if distance > radius:
                    continue
            hit = ProviderHit(row.npi, row.name, row.location_id, distance)
            held = best.get(row.npi)
            if held is None or _nearer(hit, held):
                best[row.npi] = hit
        return [best[npi] for npi in sorted(best)]

    @abstractmethod
    def _provider_rows(self, query: ProviderQuery, prefilter_miles: float) -> list[ProviderRow]:
        """Rows for practitioners matching every filter but the name words and the exact distance.

        One row per qualifying practice location when ``query.located``, else one row per practitioner.
        Rows may include practitioners whose names do not match (pre-filter only).
        """

    @abstractmethod
    def network_counts(self, network_ids: Iterable[str], as_of: str) -> dict[str, NetworkCounts]:
        """Per existing network, its members through participations in effect on ``as_of``."""

    # -- end directory search (API) -----------------------------------------------------------------

    # -- adequacy -----------------------------------------------------------------------------------
    @abstractmethod
    def adequacy_providers(
        self, network_ids: Sequence[str], as_of: str, box: BBox
    ) -> list[AdequacyProviderRow]:
        """Participations of the networks in effect on ``as_of`` at locations in ``box`` (any role).

        Ordered by participation id, then location id.
        """

    @abstractmethod
    def practitioner_points(self, box: BBox) -> list[PractitionerPointRow]:
        """Every practitioner practising at a location in ``box``; ordered by NPI, then location id."""

    def counties_in_states(self, states: Iterable[str]) -> list[County]:
        """Counties whose FIPS code lies in the given states (postal codes), ordered by FIPS.

        By the FIPS state prefix, so Neo4j answers from the County.fips uniqueness index.
        """
        prefixes = sorted({p for p in (_state_fips_prefix(s) for s in states) if p})
        return self._counties_by_fips_prefix(prefixes) if prefixes else []

    @abstractmethod
    def _counties_by_fips_prefix(self, prefixes: Sequence[str]) -> list[County]:
        """Counties whose FIPS starts with one of ``prefixes``, ordered by FIPS."""

    # -- end adequacy -------------------------------------------------------------------------------

    # -- whole-graph views (tests, reports) --------------------------------------------------------------
    @abstractmethod
    def stats(self) -> StoreStats:
        """Node counts per label and relationship counts per type."""

    @abstractmethod
    def checksum(self) -> str:
        """A digest of every node's and relationship's content; equal graphs give equal checksums."""


# -- directory search (API) ------------------------------------------------------------------------
def _nearer(a: ProviderHit, b: ProviderHit) -> bool:
    return (a.distance_miles or 0.0, a.location_id or "") < (b.distance_miles or 0.0, b.location_id or "")


# -- end directory search (API) --------------------------------------------------------------------


# -- adequacy --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _state_fips_table() -> dict[str, str]:
    import addfips

    table = addfips.AddFIPS()
    return {state: str(table.get_state_fips(state) or "") for state in US_STATES}


def _state_fips_prefix(state: str) -> str | None:
    return _state_fips_table().get(state.strip().upper()) or None


# -- end adequacy ----------------------------------------------------------------------------------


T = TypeVar("T", Record, Referral)
C = TypeVar("C", bound=UpsertCounts)
End = Literal["from", "to"]


@dataclass(frozen=True, slots=True)
class Shaped(Generic[S_co]):
    """A record, its key and content hash, and the store's own form of it (``row``; None where a store
    has none). A referral has no hash: its edge is compared property by property."""

    record: S_co
    key: str
    digest: str | None
    row: Any = None


@dataclass(slots=True)
class ReferralCounts(UpsertCounts):
    """:class:`UpsertCounts` plus the referrals not written for want of a practitioner, per absent end."""

    missing: dict[End, int] = field(default_factory=dict)


def _tally(
    items: Sequence[Shaped[T]],
    write: Callable[[list[Shaped[T]]], tuple[dict[str, str | None], dict[str, End]]],
    counts: C,
) -> C:
    """Dedupe a batch by key (last wins), write it, and count outcomes the same way for every store."""
    latest: dict[str, Shaped[T]] = {}
    overwritten: list[tuple[str, bool]] = []  # (key, same content as the row that replaced it)
    for item in items:
        key = item.key
        previous = latest.get(key)
        if previous is not None:
            overwritten.append((key, previous.record == item.record))  # equal fields, equal content
        latest[key] = item
    batch = list(latest.values())
    prior, missing = write(batch)
    absent = counts.missing if isinstance(counts, ReferralCounts) else None
    for key, same in overwritten:
        end = missing.get(key)
        if end is not None and absent is not None:
            absent[end] = absent.get(end, 0) + 1  # the same pair: as absent as the row that replaced it
        else:
            # An earlier row of this batch is overwritten: it counts as the later row's history.
            counts.unchanged += same
            counts.updated += not same
    for key in latest:
        end = missing.get(key)
        if end is not None and absent is not None:
            absent[end] = absent.get(end, 0) + 1
            continue
        old = prior.get(key, _ABSENT)
        if old is _ABSENT:
            counts.unchanged += 1  # the store skipped it: the same hash is already stored
        elif old is None:
            counts.created += 1
        else:
            counts.updated += 1
    return counts


class _Absent:
    __slots__ = ()


_ABSENT = _Absent()
