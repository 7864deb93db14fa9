"""Directory lookups: the provider search, networks in effect, network membership, specialties."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from network.errors import InvalidInput
from network.model import Label, Participation, Plan, Specialty
from network.services.inputs import (
    GeoQuery,
    check_as_of,
    check_radius,
    check_state,
    check_zip,
    resolve_point,
    resolve_specialty,
)
from network.services.outcomes import InvalidRequest
from network.services.paging import SortKey, check_first, decode_cursor, encode_cursor, page_after
from network.store import GraphStore
from network.store.rows import ProviderHit, ProviderQuery, name_words


@dataclass(frozen=True, slots=True)
class ProviderFilter:
    """A provider search; every given filter must hold. At least one indexed filter is required."""

    name: str | None = None  # words that begin words of the name, any case: "ann hea" finds "Ann Heart"
    specialty: str | None = None  # a NUCC code or a CMS specialty type name
    near: GeoQuery | None = None
    radius_miles: float = 25.0  # with `near`
    state: str | None = None
    zip: str | None = None
    network_id: str | None = None
    plan_id: str | None = None
    accepting_new_patients: bool | None = None
    language: str | None = None
    sex: str | None = None
    as_of: str | None = None  # participations (network, plan, accepting) in effect on this day; None: today


@dataclass(frozen=True, slots=True)
class ProviderResult:
    hit: ProviderHit
    cursor: str


@dataclass(frozen=True, slots=True)
class ProviderPage:
    as_of: str
    total_count: int
    results: tuple[ProviderResult, ...]
    has_next: bool
    has_previous: bool


_ANCHORS = "name, specialty, near, state, zip, networkId or planId"


def search_providers(
    store: GraphStore, flt: ProviderFilter, *, first: int = 20, after: str | None = None
) -> ProviderPage | InvalidRequest:
    """Practitioners matching ``flt``: nearest first around ``near``, else by name; then by NPI."""
    try:
        query = _query(store, flt)
        check_first(first)
        tag = "providers:distance" if query.center is not None else "providers:name"
        after_key = tuple(decode_cursor(after, tag, ((int, float, str), str))) if after else None
    except InvalidInput as exc:
        return InvalidRequest.from_error(exc)
    hits = store.search_providers(query) if _anchored(query) else []

    def key(h: ProviderHit) -> SortKey:
        return (h.distance_miles if query.center is not None else h.name.casefold(), h.npi)

    hits.sort(key=key)
    page = page_after(hits, key, after_key, first)
    results = tuple(ProviderResult(h, encode_cursor(tag, key(h))) for h in page.items)
    return ProviderPage(query.as_of, page.total_count, results, page.has_next, page.has_previous)


def _query(store: GraphStore, flt: ProviderFilter) -> ProviderQuery:
    as_of = check_as_of(flt.as_of)
    terms: tuple[str, ...] = ()
    if flt.name is not None:
        terms = tuple(name_words(flt.name))
        if not terms:
            raise InvalidInput("a name search needs letters", field="name")
    networks = _network_ids(store, flt)
    query = ProviderQuery(
        as_of=as_of,
        name_terms=terms,
        specialty_codes=resolve_specialty(store, flt.specialty) if flt.specialty is not None else None,
        center=resolve_point(flt.near) if flt.near is not None else None,
        radius_miles=check_radius(flt.radius_miles) if flt.near is not None else None,
        state=check_state(flt.state) if flt.state is not None else None,
        zip5=check_zip(flt.zip) if flt.zip is not None else None,
        network_ids=networks,
        accepting_new_patients=flt.accepting_new_patients,
        language=flt.language,
        sex=flt.sex,
    )
    if not _anchored(query) and networks is None:
        raise InvalidInput(f"give at least one of {_ANCHORS}", field=None)
    return query


def _anchored(query: ProviderQuery) -> bool:
    # An empty network list (a plan using no network) is a valid search that finds no one.
    return bool(
        query.name_terms
        or query.specialty_codes is not None
        or query.located
        or (query.network_ids is not None and query.network_ids)
    )


def _network_ids(store: GraphStore, flt: ProviderFilter) -> tuple[str, ...] | None:
    """The networks a participation must be in: the given network, the plan's, or both (intersected)."""
    networks: set[str] | None = None
    if flt.network_id is not None:
        if not store.existing_keys(Label.NETWORK, [flt.network_id]):
            raise InvalidInput(f"unknown network {flt.network_id!r}", field="networkId")
        networks = {flt.network_id}
    if flt.plan_id is not None:
        plan = store.get(Label.PLAN, flt.plan_id)
        if not isinstance(plan, Plan):
            raise InvalidInput(f"unknown plan {flt.plan_id!r}", field="planId")
        networks = set(plan.network_ids) if networks is None else networks & set(plan.network_ids)
    return tuple(sorted(networks)) if networks is not None else None


def networks_in_effect(participations: Iterable[Participation], as_of: str) -> list[str]:
    """Networks in which any of the participations is in effect on ``as_of``, sorted."""
    return sorted({p.network_id for p in participations if p.in_effect(as_of)})


def find_specialties(store: GraphStore, search: str | None, limit: int) -> list[Specialty]:
    """Stored specialties whose code, display or CMS type contains ``search`` (any case), by code."""
    needle = (search or "").strip().casefold()
    found: list[Specialty] = []
    after: str | None = None
    while len(found) < limit:
        keys = store.keys(Label.SPECIALTY, after=after, limit=1000)
        if not keys:
            break
        records = store.get_many(Label.SPECIALTY, keys)
        for code in keys:
            rec = records.get(code)
            if isinstance(rec, Specialty) and _specialty_matches(rec, needle):
                found.append(rec)
        after = keys[-1]
    return found[:limit]


def _specialty_matches(rec: Specialty, needle: str) -> bool:
    return not needle or any(needle in (v or "").casefold() for v in (rec.code, rec.display, rec.cms_type))
