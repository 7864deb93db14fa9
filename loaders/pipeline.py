"""Harvest -> transform -> load, with the accounting every loader shares.

A loader supplies three small layers, each testable alone:

- ``harvest(path)`` parses a file into :class:`RawRow` values (no validation beyond the layout);
- ``transform(raw)`` maps one row to a :class:`Mapped` (the row's primary record plus related records
  it needs, e.g. its locations) or to rejects naming the field and reason;
- ``resolve(batch, store)`` (optional) checks a batch against the graph, e.g. that NPIs exist.

:func:`run_load` batches the mapped rows, writes related records first (in the loader's order) and then
the primaries, and keeps read = created + updated + unchanged + rejected + skipped true.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from loaders.errors import TooManyRejects, UnreadableSource
from loaders.report import LoadReport, Reject, RejectWriter
from network.model import Label, Record, Referral
from network.store import GraphStore, UpsertCounts
from network.store.base import Shaped


@dataclass(frozen=True, slots=True)
class RawRow:
    file: str
    line: int  # 1-based physical line of the row in its file (the header is line 1 for CSVs)
    data: Any


@dataclass(frozen=True, slots=True)
class Mapped:
    file: str
    line: int
    primary: Record | Referral
    related: tuple[Record, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolved:
    kept: list[Mapped]
    rejects: list[Reject] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


class Loader(ABC):
    source: ClassVar[str]
    # The order labels are written in, related and primary records alike (targets before what links to them).
    related_order: ClassVar[tuple[Label, ...]] = ()
    # Skip reasons for referrals the store did not write for want of a practitioner, per absent end.
    missing_reasons: ClassVar[dict[str, str]] = {}
    # True when resolve() reads nothing that this load's earlier batches write (or remembers what they
    # wrote): the pipeline may then resolve a batch while the one before it is still being written.
    resolve_ahead: ClassVar[bool] = False
    # True when resolve() hands on most records as transform() mapped them (the same objects): the
    # pipeline may then shape them for the store (hash, statement rows) on the reading thread while the
    # batch before is written; a record resolve() replaces is shaped again when its batch is written.
    resolve_keeps_records: ClassVar[bool] = True
    # True when a batch needs nothing another batch of this load writes, but what rows with its own lane
    # keys wrote before it: then a store that takes concurrent writes is written by several lanes at
    # once, each an ordered stream of batches of the rows whose lane_key() hashes to it. Off (and on
    # the embedded store), batches are written one after another.
    laned: ClassVar[bool] = False

    @abstractmethod
    def harvest(self, path: Path) -> Iterator[RawRow]:
        """Parse ``path`` into rows; raise :class:`UnreadableSource` if it cannot be read at all."""

    @abstractmethod
    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        """Map one row, or say why it is rejected (one reject per bad field)."""

    def resolve(self, batch: list[Mapped], store: GraphStore) -> Resolved:
        """Check a batch against the graph; the default keeps every row."""
        return Resolved(kept=batch)

    def lane_key(self, m: Mapped) -> str:
        """Rows with the same lane key are written in file order, by one lane (see ``laned``)."""
        return m.primary.key

    def notes(self) -> list[str]:
        """Observations for the report that are not rejects (e.g. rows with no primary taxonomy switch)."""
        return []

    def files(self, path: Path) -> list[Path]:
        """The files a path stands for (a folder loaders may override this)."""
        if not path.exists():
            raise UnreadableSource(f"{path}: no such file")
        return [path]


@dataclass(slots=True)
class LoadOptions:
    batch_size: int = 2000
    max_reject_rate: float = 1.0
    rejects_path: Path | None = None
    report_path: Path | None = None
    progress: bool | None = None  # None: on a terminal outside CI
    # Write each batch on a second thread while the next one is parsed and mapped (see _Writer). Off, a
    # load is strictly sequential: the benchmark's floor runs so, its driver time free of the parser.
    overlap: bool = True
    # Concurrent write lanes for a laned loader on a store that takes concurrent writes (needs overlap).
    lanes: int = 1


def run_load(loader: Loader, paths: Sequence[Path], store: GraphStore, options: LoadOptions) -> LoadReport:
    report = LoadReport(source=loader.source, store=type(store).__name__)
    started = time.perf_counter()
    files = [f for p in paths for f in loader.files(p)]
    report.files = [str(f) for f in files]
    with _collector_for_loads() as settled:
        _load(loader, files, store, options, report, settled)
    report.seconds = time.perf_counter() - started
    report.notes.extend(loader.notes())
    if options.report_path is not None:
        report.write_json(options.report_path)
    if report.read and report.reject_rate > options.max_reject_rate:
        raise TooManyRejects(
            f"{loader.source}: {report.rejected:,} of {report.read:,} rows rejected "
            f"({report.reject_rate:.1%} > --max-reject-rate {options.max_reject_rate:.1%}); "
            f"see {options.rejects_path or 'the rejects file'}"
        )
    return report


@contextmanager
def _collector_for_loads() -> Iterator[Callable[[], None]]:
    """Keep the cyclic garbage collector's full collections to what the load itself allocates.

    Every full collection walks each tracked object. Those alive before the load (modules, settings) are
    frozen out of that walk, and so, by the callable this yields (called once the first batch is mapped),
    is what the first rows loaded lazily for the whole load: ZIP centroids, the taxonomy, county tables.
    Unfrozen, those were walked again at every full collection, several per batch: 70% of the NPPES
    shaping time at M (BENCHMARKS.md, optimisation 21). Thresholds stay CPython's: the Neo4j driver leaves
    each statement's session, result and parameters (the batch's rows) in a reference cycle, which only a
    full collection frees, so collecting less often made loader memory grow with the file.
    """
    gc.freeze()
    try:
        yield _freeze_settled
    finally:
        gc.unfreeze()


def _freeze_settled() -> None:
    gc.collect()  # the first batch's garbage is not frozen with the tables
    gc.freeze()


def _load(
    loader: Loader,
    files: list[Path],
    store: GraphStore,
    options: LoadOptions,
    report: LoadReport,
    settled: Callable[[], None],
) -> None:
    with (
        RejectWriter(options.rejects_path) as rejects,
        _Progress(options, loader.source) as tick,
        _Writer(loader, store, report, rejects, overlap=options.overlap, lanes=options.lanes) as writer,
    ):
        lanes = writer.lanes
        batches: list[list[Mapped]] = [[] for _ in range(lanes)]
        first = True
        for raw in _harvest_all(loader, files):
            report.read += 1
            result = loader.transform(raw)
            if isinstance(result, list):
                writer.reject(result)
                lane = -1
            else:
                lane = zlib.crc32(loader.lane_key(result).encode()) % lanes if lanes > 1 else 0
                batches[lane].append(result)
            if lane >= 0 and len(batches[lane]) >= options.batch_size:
                if first:
                    settled()
                    first = False
                writer.submit(batches[lane], lane)
                batches[lane] = []
            if report.read % 1000 == 0:
                tick(report.read)
        for lane, batch in enumerate(batches):
            if batch:
                writer.submit(batch, lane)
        writer.settle()
        tick(report.read)


def _harvest_all(loader: Loader, files: Iterable[Path]) -> Iterator[RawRow]:
    for f in files:
        yield from loader.harvest(f)


def _reject(report: LoadReport, writer: RejectWriter, rejects: list[Reject]) -> None:
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


class _Writer:
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
    executes one transaction on one core, and two lanes of referrals loaded M 1.5-1.75x faster on a
    2-core machine (BENCHMARKS.md, optimisation 25).
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
        self._resolving: AbstractContextManager[object] = (
            threading.Lock() if self.lanes > 1 else nullcontext()
        )
        # Batches in flight, oldest first, each with its lane and the rejects of rows mapped after it was
        # submitted.
        self._in_flight: deque[tuple[Future[_Written], int, list[list[Reject]]]] = deque()

    def reject(self, rejects: list[Reject]) -> None:
        if self._in_flight:
            self._in_flight[-1][2].append(rejects)
        else:
            _reject(self._report, self._rejects, rejects)

    def submit(self, batch: list[Mapped], lane: int = 0) -> None:
        if not self._pools:
            self._enter(_write(self._loader, batch, self._store, _Shaped(), self._resolving), [])
            return
        if self._resolver is None:
            # Shaped here, while the batch before is written, so the writing thread mostly just sends.
            shaped = _shape_mapped(batch, self._store) if self._loader.resolve_keeps_records else _Shaped()
            while any(entry[1] == lane for entry in self._in_flight):  # one batch in flight per lane
                self._settle_oldest()
            pool = self._pools[lane]
            future = pool.submit(_write, self._loader, batch, self._store, shaped, self._resolving)
        else:
            # The batch before may still be writing (its resolve is done); the one before that may not.
            while len(self._in_flight) > 1:
                self._settle_oldest()
            before = self._in_flight[-1][0] if self._in_flight else None
            # Shaped on the resolving thread too, after resolve() has made the records final.
            readying = self._resolver.submit(_resolve_ready, self._loader, batch, self._store)
            future = self._pools[0].submit(_send_when_ready, self._loader, readying, self._store, before)
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
            _reject(report, self._rejects, [reject])
        for reason, n in written.skipped:
            report.add_skip(reason, n)
        for label, counts in written.related:
            report.add_related(label, counts)
        for counts in written.primary:
            report.add_primary(counts)
        for rejects in held:
            _reject(report, self._rejects, rejects)

    def __enter__(self) -> _Writer:
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


@dataclass(slots=True)
class _Shaped:
    """Records shaped before resolve(), by id() (a record several rows share is shaped once)."""

    nodes: dict[int, Shaped[Record]] = field(default_factory=dict)
    referrals: dict[int, Shaped[Referral]] = field(default_factory=dict)


def _shape_mapped(batch: list[Mapped], store: GraphStore) -> _Shaped:
    out = _Shaped()
    nodes, referrals = out.nodes, out.referrals
    for m in batch:
        for rec in m.related:
            if id(rec) not in nodes:
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
    resolving: AbstractContextManager[object],
) -> _Written:
    with resolving:
        resolved = loader.resolve(batch, store)
    return _send(loader, _ready(loader, resolved, store, shaped), store)


def _resolve_ready(loader: Loader, batch: list[Mapped], store: GraphStore) -> _Ready:
    return _ready(loader, loader.resolve(batch, store), store, _Shaped())


def _send_when_ready(
    loader: Loader, readying: Future[_Ready], store: GraphStore, before: Future[_Written] | None
) -> _Written:
    if before is not None and before.exception() is not None:
        # The load fails with the earlier batch's error; nothing after it is written, as sequentially.
        return _Written()
    return _send(loader, readying.result(), store)


def _ready(loader: Loader, resolved: Resolved, store: GraphStore, shaped: _Shaped) -> _Ready:
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
            related.setdefault(rec.LABEL, []).append(node(rec))
        if isinstance(m.primary, Referral):
            out.referrals.append(referral(m.primary))
        else:
            primaries.setdefault(m.primary.LABEL, []).append(node(m.primary))
    order = list(loader.related_order)
    order += [label for label in (*related, *primaries) if label not in order]  # never lost if unordered
    for label in order:
        if label in related:
            out.nodes.append((label, True, related[label]))
        if label in primaries:
            out.nodes.append((label, False, primaries[label]))
    return out


def _send(loader: Loader, ready: _Ready, store: GraphStore) -> _Written:
    resolved = ready.resolved
    out = _Written(rejects=list(resolved.rejects), skipped=list(resolved.skipped.items()))
    for label, is_related, items in ready.nodes:
        counts = store.upsert_shaped(items)
        if is_related:
            out.related.append((label.value, counts))
        else:
            out.primary.append(counts)
    if ready.referrals:
        referral_counts = store.upsert_referrals_shaped(ready.referrals)
        out.primary.append(referral_counts)
        for end, n in referral_counts.missing.items():
            out.skipped.append((loader.missing_reasons.get(end, f"{end} practitioner not in graph"), n))
    return out


class _Progress:
    """A rich progress line on a terminal (quiet in CI and when output is piped)."""

    def __init__(self, options: LoadOptions, source: str) -> None:
        show = options.progress
        if show is None:
            show = sys.stderr.isatty() and not os.environ.get("CI")
        self._show = show
        self._source = source
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self._show:
            return lambda n: None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(f"load {self._source}", total=None)
        return lambda n: self._progress.update(self._task, completed=n)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
