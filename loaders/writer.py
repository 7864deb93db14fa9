"""Writing a load's batches: on threads of their own, in lanes where the loader and the store allow.

:class:`BatchWriter` takes the batches :func:`loaders.pipeline.run_load` fills and hands back, on the
reading thread, what each did to the report and the rejects file.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loaders.recent import RecentRecords
from loaders.report import LoadReport, Reject, RejectWriter
from network.model import Label, Record, Referral
from network.store import GraphStore, UpsertCounts
from network.store.base import Shaped

if TYPE_CHECKING:
    from loaders.pipeline import Loader, Mapped, Resolved


def enter_reject(report: LoadReport, writer: RejectWriter, rejects: list[Reject]) -> None:
    """One row counts once, however many of its fields are wrong; each field is still written out."""
    if not rejects:
        return
    report.add_reject(rejects[0])
    for r in rejects:
        writer.write(r)


@dataclass(slots=True)
class _Written:
    """What writing one batch did, for the reading thread to enter in the report."""

    rejects: list[Reject] = field(default_factory=list)
    skipped: list[tuple[str, int]] = field(default_factory=list)
    related: list[tuple[str, UpsertCounts]] = field(default_factory=list)
    primary: list[UpsertCounts] = field(default_factory=list)


class BatchWriter:
    """Resolves and writes batches in order, one at a time per lane, on threads of their own.

    Against a remote store most of a batch's time is spent waiting for the server; meanwhile the reading
    thread parses and maps the next batch instead of waiting too. Within a lane, batches reach the store
    strictly one after another, and only the reading thread touches the report and the rejects file: a
    row rejected while a batch is in flight is held until that batch is entered, so counts and the
    rejects file come out as a sequential load writes them (with several lanes, batch by batch in the
    order they were filled).

    A batch's resolve sees every earlier batch of its lane written, unless the loader sets
    ``resolve_ahead``: then (one lane only) it runs on a thread of its own while the batch before is still
    being written (never further ahead), so the graph reads of one batch wait on no write. Lanes resolve
    one at a time, so a loader's resolve() needs no locks of its own.

    Several lanes run only for a ``laned`` loader on a store with ``concurrent_writes``: a server
    executes one transaction on one core. On a 2-core machine running the loader too, two lanes load
    M's referrals ~1.25x faster (BENCHMARKS.md, optimisation 25); a server's spare cores give more.
    """

    def __init__(
        self,
        loader: Loader,
        store: GraphStore,
        report: LoadReport,
        rejects: RejectWriter,
        *,
        overlap: bool,
        lanes: int = 1,
    ) -> None:
        self._loader = loader
        self._store = store
        self._report = report
        self._rejects = rejects
        laned = overlap and loader.laned and store.concurrent_writes
        self.lanes = max(1, lanes) if laned else 1
        self._pools = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="pnet-load" if i == 0 else f"pnet-load{i}")
            for i in range(self.lanes if overlap else 0)
        ]
        ahead = overlap and loader.resolve_ahead and self.lanes == 1
        self._resolver = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="pnet-resolve") if ahead else None
        )
        self._depth = 2 if self.lanes > 1 else 1
        self._resolving: AbstractContextManager[object] = (
            threading.Lock() if self.lanes > 1 else nullcontext()
        )
        self._recent = RecentRecords()  # related records written already: a repeat is not sent again
        # Batches in flight, oldest first, each with its lane and the rejects of rows mapped after it was
        # submitted.
        self._in_flight: deque[tuple[Future[_Written], int, list[list[Reject]]]] = deque()

    def reject(self, rejects: list[Reject]) -> None:
        if self._in_flight:
            self._in_flight[-1][2].append(rejects)
        else:
            enter_reject(self._report, self._rejects, rejects)

    def submit(self, batch: list[Mapped], lane: int = 0) -> None:
        if not self._pools:
            written = _write(self._loader, batch, self._store, _Shaped(), self._recent, self._resolving)
            self._enter(written, [])
            return
        if self._resolver is None:
            # Shaped here, while the batch before is written, so the writing thread mostly just sends.
            keeps = self._loader.resolve_keeps_records
            shaped = _shape_mapped(batch, self._store, self._recent) if keeps else _Shaped()
            # One lane: one batch in flight. Several: one more waits its turn on each lane's thread, so a
            # lane whose batch the reading thread is still filling does not idle the others.
            while sum(entry[1] == lane for entry in self._in_flight) >= self._depth:
                self._settle_oldest()
            before = next((e[0] for e in reversed(self._in_flight) if e[1] == lane), None)
            pool = self._pools[lane]
            future = pool.submit(
                _write, self._loader, batch, self._store, shaped, self._recent, self._resolving, before
            )
        else:
            # The batch before may still be writing (its resolve is done); the one before that may not.
            while len(self._in_flight) > 1:
                self._settle_oldest()
            before = self._in_flight[-1][0] if self._in_flight else None
            # Shaped on the resolving thread too, after resolve() has made the records final.
            readying = self._resolver.submit(_resolve_ready, self._loader, batch, self._store, self._recent)
            future = self._pools[0].submit(
                _send_when_ready, self._loader, readying, self._store, self._recent, before
            )
        self._in_flight.append((future, lane, []))

    def settle(self) -> None:
        """Wait for the batches in flight, then enter them and the rejects held behind them."""
        while self._in_flight:
            self._settle_oldest()

    def _settle_oldest(self) -> None:
        future, _, held = self._in_flight[0]
        written = future.result()
        self._in_flight.popleft()
        self._enter(written, held)

    def _enter(self, written: _Written, held: list[list[Reject]]) -> None:
        report = self._report
        for reject in written.rejects:
            enter_reject(report, self._rejects, [reject])
        for reason, n in written.skipped:
            report.add_skip(reason, n)
        for label, counts in written.related:
            report.add_related(label, counts)
        for counts in written.primary:
            report.add_primary(counts)
        for rejects in held:
            enter_reject(report, self._rejects, rejects)

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        # On an error the batches in flight still finish (as a sequential load's last write would have).
        for pool in (self._resolver, *self._pools):
            if pool is not None:
                pool.shutdown(wait=True)


@dataclass(slots=True)
class _Ready:
    """A resolved batch shaped for the store, in the order it is written: what is left is sending it."""

    resolved: Resolved
    nodes: list[tuple[Label, bool, list[Shaped[Record]]]] = field(default_factory=list)  # related?
    referrals: list[Shaped[Referral]] = field(default_factory=list)
    repeats: dict[Label, int] = field(default_factory=dict)  # related records this load wrote already


@dataclass(slots=True)
class _Shaped:
    """Records shaped before resolve(), by id() (a record several rows share is shaped once)."""

    nodes: dict[int, Shaped[Record]] = field(default_factory=dict)
    referrals: dict[int, Shaped[Referral]] = field(default_factory=dict)


def _shape_mapped(batch: list[Mapped], store: GraphStore, recent: RecentRecords) -> _Shaped:
    out = _Shaped()
    nodes, referrals = out.nodes, out.referrals
    for m in batch:
        for rec in m.related:
            # A repeat is not shaped; _ready() asks again before sending, as the table may change meanwhile.
            if id(rec) not in nodes and not recent.written(rec):
                nodes[id(rec)] = store.shape(rec)
        p = m.primary
        if isinstance(p, Referral):
            referrals[id(p)] = store.shape(p)
        elif id(p) not in nodes:
            nodes[id(p)] = store.shape(p)
    return out


def _write(
    loader: Loader,
    batch: list[Mapped],
    store: GraphStore,
    shaped: _Shaped,
    recent: RecentRecords,
    resolving: AbstractContextManager[object],
    before: Future[_Written] | None = None,
) -> _Written:
    if before is not None and before.exception() is not None:
        return _Written()  # the load fails with its lane's batch before; this one is not sent
    with resolving:
        resolved = loader.resolve(batch, store)
    return _send(loader, _ready(loader, resolved, store, shaped, recent), store, recent)


def _resolve_ready(loader: Loader, batch: list[Mapped], store: GraphStore, recent: RecentRecords) -> _Ready:
    return _ready(loader, loader.resolve(batch, store), store, _Shaped(), recent)


def _send_when_ready(
    loader: Loader,
    readying: Future[_Ready],
    store: GraphStore,
    recent: RecentRecords,
    before: Future[_Written] | None,
) -> _Written:
    if before is not None and before.exception() is not None:
        # The load fails with the earlier batch's error; nothing after it is written, as sequentially.
        return _Written()
    return _send(loader, readying.result(), store, recent)


def _ready(
    loader: Loader, resolved: Resolved, store: GraphStore, shaped: _Shaped, recent: RecentRecords
) -> _Ready:
    """Group a resolved batch by label in the loader's order and shape what is not shaped yet."""

    def node(rec: Record) -> Shaped[Record]:
        done = shaped.nodes.get(id(rec))
        # The identity check keeps a record shaped before resolve() only if it is still the one written.
        return done if done is not None and done.record is rec else store.shape(rec)

    def referral(ref: Referral) -> Shaped[Referral]:
        done = shaped.referrals.get(id(ref))
        return done if done is not None and done.record is ref else store.shape(ref)

    # Label by label in the loader's order, a label's related records before its primaries: a row's
    # related record may link to another row's primary of an earlier label in the same batch.
    related: dict[Label, list[Shaped[Record]]] = {}
    primaries: dict[Label, list[Shaped[Record]]] = {}
    out = _Ready(resolved)
    for m in resolved.kept:
        for rec in m.related:
            if recent.written(rec):
                out.repeats[rec.LABEL] = out.repeats.get(rec.LABEL, 0) + 1
                continue
            related.setdefault(rec.LABEL, []).append(node(rec))
        if isinstance(m.primary, Referral):
            out.referrals.append(referral(m.primary))
        else:
            primaries.setdefault(m.primary.LABEL, []).append(node(m.primary))
    order = list(loader.related_order)
    order += [label for label in (*related, *primaries, *out.repeats) if label not in order]  # never lost
    for label in order:
        if label in related or label in out.repeats:
            out.nodes.append((label, True, related.get(label, [])))
        if label in primaries:
            out.nodes.append((label, False, primaries[label]))
    return out


def _send(loader: Loader, ready: _Ready, store: GraphStore, recent: RecentRecords) -> _Written:
    resolved = ready.resolved
    out = _Written(rejects=list(resolved.rejects), skipped=list(resolved.skipped.items()))
    for label, is_related, items in ready.nodes:
        counts = store.upsert_shaped(items)
        if is_related:
            recent.wrote(item.record for item in items)
            counts.unchanged += ready.repeats.get(label, 0)  # what the store would have found
            out.related.append((label.value, counts))
        else:
            out.primary.append(counts)
    if ready.referrals:
        referral_counts = store.upsert_referrals_shaped(ready.referrals)
        out.primary.append(referral_counts)
        for end, n in referral_counts.missing.items():
            out.skipped.append((loader.missing_reasons.get(end, f"{end} practitioner not in graph"), n))
    return out
