"""Referral ranking on the embedded store: numpy columns over every specialist participation.

Walking networkx dicts costs a few microseconds per participation, and 25 miles around a city hold tens
of thousands of them; a search has to answer in milliseconds. So the store keeps a column table, one row
per (specialist participation, located location), built on the first search after a write and shared by
every search until the next one. A search is then a k-d tree radius read plus vectorised filters, a
nearest-location-per-specialist reduction and a sort of the survivors, with Python objects made only for
the rows of the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from network.geo import chord_for_miles, haversine_miles_many, unit_vectors
from network.model import Label, Location, Network, Practitioner, Rel, Role, Specialty
from network.store.checksum import record_from_props
from network.store.memory_core import MemoryCore
from network.store.ranking import prefilter_miles
from network.store.rows import DISTANCE_TOLERANCE_MILES, RankQuery, RankRow, RankRows

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
_NO_DATE_BEFORE, _NO_DATE_AFTER = np.iinfo(np.int64).min, np.iinfo(np.int64).max
# A named specialty's rows are read outright (a vectorised haversine over each) up to this many, rather
# than the k-d tree's rows in the radius: the tree hands back a Python list, ~100k entries for 25 miles
# of a city at M, where the specialty holds a few thousand in the whole region (BENCHMARKS.md,
# optimisation 30).
NAMED_ROWS_READ = 50_000


@dataclass(frozen=True)
class _Table:
    """Rows in (NPI, location id, participation id) order, so the first row of a tie is the one
    Neo4j's ``ORDER BY`` would pick too."""

    npis: list[str]  # sorted; a row's ``npi`` column indexes it
    npi_index: dict[str, int]
    locations: list[str]
    participations: list[str]
    networks: dict[str, int]
    network_ids: list[str]
    codes: dict[str, int]
    code_list: list[str]
    npi: Ints
    location: Ints
    participation: Ints
    network: Ints
    explicit: Ints  # the participation's own specialty, -1: none
    by_code: dict[int, Ints]  # a specialty's rows (its own, ``explicit``), in table order
    fallback: Ints  # the practitioner's primary (or first listed) specialty, -1: none
    effective: Ints  # days since 1970; none: the smallest int
    termination: Ints  # days since 1970; none: the largest int
    accepting: Ints  # 1 yes, 0 no, -1 unknown
    lat: Floats
    lon: Floats
    tree: cKDTree


def _day(iso: str | None, missing: int) -> int:
    return missing if iso is None else int(np.datetime64(iso, "D").astype(np.int64))


class MemoryRank(MemoryCore):
    _rank_table: tuple[int, _Table] | None = None

    def prepare_reads(self) -> None:
        super().prepare_reads()
        self._table()  # ~2.5 s at M (100k practitioners): a server's first search would wait for it

    def _table(self) -> _Table:
        with self._lock:
            if self._rank_table is None or self._rank_table[0] != self._generation:
                self._rank_table = (self._generation, self._build_table())
            return self._rank_table[1]

    def _build_table(self) -> _Table:
        g = self._g
        nodes, succ = g._node, g._succ  # networkx's adjacency dicts, read only (stable since networkx 2)
        raw: list[tuple[str, str, str, str, str | None, str | None, dict[str, object], float, float]] = []
        # As rank_specialists.cypher reads them: network, specialty and NPI from the participation's own
        # properties, locations from its AT_LOCATION links; a practitioner must be stored.
        for part_key in self._by_label.get(Label.PARTICIPATION.value, ()):
            part = (Label.PARTICIPATION.value, part_key)
            props = nodes[part]["props"]
            holder = nodes.get((Label.PRACTITIONER.value, props.get("npi")))
            if props.get("role") != Role.SPECIALIST.value or holder is None or not props.get("network_id"):
                continue
            pprops = holder["props"]
            fallback = pprops.get("primary_specialty") or next(iter(pprops.get("specialties") or ()), None)
            for loc, keys in succ[part].items():
                if Rel.AT_LOCATION.value not in keys:
                    continue
                lp = nodes[loc]["props"]
                if lp.get("lat") is None or lp.get("lon") is None:
                    continue
                explicit = props.get("specialty_code")
                raw.append(
                    (props["npi"], loc[1], part_key, props["network_id"], explicit, fallback, props,
                     lp["lat"], lp["lon"])
                )  # fmt: skip
        raw.sort(key=lambda r: (r[0], r[1], r[2]))
        npis = sorted({r[0] for r in raw})
        npi_index = {n: i for i, n in enumerate(npis)}
        locations = sorted({r[1] for r in raw})
        loc_index = {n: i for i, n in enumerate(locations)}
        participations = sorted({r[2] for r in raw})
        part_index = {n: i for i, n in enumerate(participations)}
        network_ids = sorted({r[3] for r in raw})
        networks = {n: i for i, n in enumerate(network_ids)}
        code_list = sorted({c for r in raw for c in (r[4], r[5]) if c is not None})
        codes = {c: i for i, c in enumerate(code_list)}
        lat = np.fromiter((r[7] for r in raw), dtype=np.float64, count=len(raw))
        lon = np.fromiter((r[8] for r in raw), dtype=np.float64, count=len(raw))

        def ints(values: Iterable[int]) -> Ints:
            return np.fromiter(values, dtype=np.int64, count=len(raw))

        def accepting(props: dict[str, object]) -> int:
            value = props.get("accepting_new_patients")
            return -1 if value is None else int(bool(value))

        explicit = ints(-1 if r[4] is None else codes[r[4]] for r in raw)
        return _Table(
            npis=npis,
            npi_index=npi_index,
            locations=locations,
            participations=participations,
            networks=networks,
            network_ids=network_ids,
            codes=codes,
            code_list=code_list,
            npi=ints(npi_index[r[0]] for r in raw),
            location=ints(loc_index[r[1]] for r in raw),
            participation=ints(part_index[r[2]] for r in raw),
            network=ints(networks[r[3]] for r in raw),
            explicit=explicit,
            by_code=_rows_by_value(explicit, len(code_list)),
            fallback=ints(-1 if r[5] is None else codes[r[5]] for r in raw),
            effective=ints(_day(r[6].get("effective"), _NO_DATE_BEFORE) for r in raw),  # type: ignore[arg-type]
            termination=ints(_day(r[6].get("termination"), _NO_DATE_AFTER) for r in raw),  # type: ignore[arg-type]
            accepting=ints(accepting(r[6]) for r in raw),
            lat=lat,
            lon=lon,
            tree=cKDTree(unit_vectors(lat, lon) if raw else np.zeros((0, 3))),
        )

    def _rank_rows(self, query: RankQuery, window_miles: float, budget: int | None = None) -> RankRows:
        # The budget is not read: a window's rows are a k-d tree read and vectorised filters here.
        t = self._table()
        rows, code = self._matching_rows(t, query, prefilter_miles(window_miles))
        if len(rows) == 0:
            return RankRows(0, 0, [], window_miles)
        d = haversine_miles_many(query.center.lat, query.center.lon, t.lat[rows], t.lon[rows])
        inside = d <= window_miles + DISTANCE_TOLERANCE_MILES
        rows, code, d = rows[inside], code[inside], d[inside]
        if len(rows) == 0:
            return RankRows(0, 0, [], window_miles)
        best = _nearest_per_group(t.npi[rows], d)
        rows, code, d = rows[best], code[best], d[best]
        prior = np.zeros(len(rows), dtype=np.int64)
        if query.prior:
            pairs = np.zeros(len(t.npis), dtype=np.int64)
            for npi, count in query.prior.items():
                if npi in t.npi_index:
                    pairs[t.npi_index[npi]] = count
            prior = pairs[t.npi[rows]]
        keep = np.ones(len(rows), dtype=bool)
        window = np.zeros(len(rows), dtype=bool)
        if query.after is not None:
            after_prior, after_distance, _ = query.after
            near = d >= after_distance - DISTANCE_TOLERANCE_MILES
            if query.by_prior:
                keep = (prior < after_prior) | ((prior == after_prior) & near)
                window = keep & (prior == after_prior) & (d <= after_distance + DISTANCE_TOLERANCE_MILES)
            else:
                keep = near
                window = keep & (d <= after_distance + DISTANCE_TOLERANCE_MILES)
        beyond = np.flatnonzero(keep & ~window)
        # Rows are in NPI order and lexsort is stable, so equal keys end in NPI order.
        keys = (d[beyond], -prior[beyond]) if query.by_prior else (d[beyond],)
        head = beyond[np.lexsort(keys)[: query.limit + 1]]
        chosen = np.concatenate((np.flatnonzero(window), head))
        return RankRows(
            total=len(rows),
            remaining=int(keep.sum()),
            rows=self._rank_records(t, rows[chosen], code[chosen], d[chosen], prior[chosen]),
            reach_miles=window_miles,
        )

    def _matching_rows(self, t: _Table, query: RankQuery, prefilter_miles: float) -> tuple[Ints, Ints]:
        """Rows passing every filter but the exact radius, in table order, with the specialty each
        stands for."""
        rows = self._near_rows(t, query, prefilter_miles)
        networks = [t.networks[n] for n in query.network_ids if n in t.networks]
        as_of = _day(query.as_of, 0)
        ok = np.isin(t.network[rows], networks) & (t.effective[rows] <= as_of) & (t.termination[rows] > as_of)
        if query.accepting_new_patients is not None:
            ok &= t.accepting[rows] == int(query.accepting_new_patients)
        if query.exclude_npi is not None and query.exclude_npi in t.npi_index:
            ok &= t.npi[rows] != t.npi_index[query.exclude_npi]
        rows = rows[ok]
        if query.specialty_codes is not None:
            code = t.explicit[rows]
            ok = np.isin(code, [t.codes[c] for c in query.specialty_codes if c in t.codes])
        else:
            code = np.where(t.explicit[rows] >= 0, t.explicit[rows], t.fallback[rows])
            ok = code >= 0
        if query.language is not None:
            ok &= np.isin(t.npi[rows], self._speakers(t, np.unique(t.npi[rows[ok]]), query.language))
        return rows[ok], code[ok]

    def _near_rows(self, t: _Table, query: RankQuery, prefilter_miles: float) -> Ints:
        """The rows within ``prefilter_miles`` (more may come: the exact radius is applied after), in
        table order: a named specialty's own rows when they are few, else the k-d tree's."""
        if query.specialty_codes is not None:
            wanted = [t.by_code[t.codes[c]] for c in query.specialty_codes if c in t.codes]
            named = np.sort(np.concatenate(wanted)) if wanted else np.zeros(0, dtype=np.int64)
            if len(named) <= NAMED_ROWS_READ:
                c = query.center
                d = haversine_miles_many(c.lat, c.lon, t.lat[named], t.lon[named])
                return named[d <= prefilter_miles]
        center = unit_vectors(np.asarray([query.center.lat]), np.asarray([query.center.lon]))[0]
        found = t.tree.query_ball_point(center, chord_for_miles(prefilter_miles), return_sorted=False)
        return np.sort(np.fromiter(found, dtype=np.int64, count=len(found)))

    def _speakers(self, t: _Table, npis: Ints, language: str) -> list[int]:
        wanted = language.casefold()
        with self._lock:
            nodes = self._g._node
            return [
                int(i)
                for i in npis
                if any(
                    x.casefold() == wanted
                    for x in nodes[(Label.PRACTITIONER.value, t.npis[i])]["props"].get("languages", ())
                )
            ]

    def _rank_records(self, t: _Table, rows: Ints, code: Ints, d: Floats, prior: Ints) -> list[RankRow]:
        out: list[RankRow] = []
        with self._lock:
            nodes = self._g._node
            for row, c, dist, pairs in zip(
                rows.tolist(), code.tolist(), d.tolist(), prior.tolist(), strict=True
            ):
                npi, loc = t.npis[t.npi[row]], t.locations[t.location[row]]
                part = nodes[(Label.PARTICIPATION.value, t.participations[t.participation[row]])]["props"]
                network = nodes.get((Label.NETWORK.value, t.network_ids[t.network[row]]))
                specialty = nodes.get((Label.SPECIALTY.value, t.code_list[c]))
                out.append(
                    RankRow(
                        npi=npi,
                        location_id=loc,
                        lat=float(t.lat[row]),
                        lon=float(t.lon[row]),
                        distance=dist,
                        specialty_code=t.code_list[c],
                        network_id=t.network_ids[t.network[row]],
                        participation_id=part["id"],
                        accepting_new_patients=part.get("accepting_new_patients"),
                        prior=pairs,
                        practitioner=record_from_props(
                            Practitioner, nodes[(Label.PRACTITIONER.value, npi)]["props"]
                        ),
                        location=record_from_props(Location, nodes[(Label.LOCATION.value, loc)]["props"]),
                        network=None if network is None else record_from_props(Network, network["props"]),
                        specialty=None
                        if specialty is None
                        else record_from_props(Specialty, specialty["props"]),
                    )
                )
        return out


def _rows_by_value(values: Ints, n: int) -> dict[int, Ints]:
    """For each value 0..n-1 present, the rows holding it, ascending."""
    order = np.argsort(values, kind="stable")  # stable: each value's rows stay in table order
    ordered = values[order]
    starts = np.searchsorted(ordered, np.arange(n), side="left")
    ends = np.searchsorted(ordered, np.arange(n), side="right")
    spans = zip(starts.tolist(), ends.tolist(), strict=True)
    return {v: order[s:e] for v, (s, e) in enumerate(spans) if e > s}


def _nearest_per_group(group: Ints, d: Floats) -> Ints:
    """Per run of equal ``group`` values (the rows are grouped), the first row with the run's least ``d``."""
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    least = np.repeat(np.minimum.reduceat(d, starts), np.diff(np.r_[starts, len(group)]))
    at_least = np.flatnonzero(d == least)
    first = np.r_[True, group[at_least][1:] != group[at_least][:-1]]
    return at_least[first]
