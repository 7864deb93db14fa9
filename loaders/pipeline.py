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
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from loaders.errors import TooManyRejects, UnreadableSource
from loaders.footprint import Footprint
from loaders.report import LoadReport, Reject, RejectWriter
from loaders.writer import BatchWriter
from network.model import Label, Record, Referral
from network.store import GraphStore


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
    # What the load writes and its resolve() reads (loaders.footprint): loads whose footprints do not
    # meet may run at once (loaders.schedule). None: it meets every other load.
    footprint: ClassVar[Footprint | None] = None

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
    # Write each batch on a second thread while the next one is parsed and mapped (see loaders.writer). Off, a
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


# A load's youngest generation is collected every this many net new container objects (CPython: 700).
YOUNG_THRESHOLD = 100_000


@contextmanager
def _collector_for_loads() -> Iterator[Callable[[], None]]:
    """Keep the cyclic garbage collector's work to what the load itself leaves for it.

    A load allocates ~100 container objects a row, and thousands of rows are in flight at once (queued
    for the lanes). CPython collects its youngest generation every 700 net new containers, every few
    rows: each collection walked the batches in flight and promoted them, the older generations filled
    with them, and full collections, which also walk what a load keeps (records written recently,
    cached locations), ran every few batches. At L that was 48 of NPPES's 129 CPU-seconds (BENCHMARKS.md,
    optimisation 34). Collected every :data:`YOUNG_THRESHOLD` net new containers, ~600 times less often,
    a batch is mostly freed by reference counting before a collection meets it (4.5 CPU-seconds). Memory
    stays flat: what needs the collector, the Neo4j driver's reference cycle per statement (~90 small
    objects, since the store empties the rows it sent), is still collected at every threshold.

    Objects alive before the load (modules, settings) are frozen out of every walk, and so, by the
    callable this yields (called once the first batch is mapped), is what the first rows loaded lazily
    for the whole load: ZIP centroids, the taxonomy, county tables (optimisation 21).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield _freeze_settled
    finally:
        gc.set_threshold(*thresholds)
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
        BatchWriter(loader, store, report, rejects, overlap=options.overlap, lanes=options.lanes) as writer,
    ):
        lanes = writer.lanes
        batches: list[list[Mapped]] = [[] for _ in range(lanes)]
        first = True
        for raw in _harvest_all(loader, files):
            report.read += 1
            result = loader.transform(raw)
            if isinstance(result, list):
                writer.reject(result)
            else:
                lane = zlib.crc32(loader.lane_key(result).encode()) % lanes if lanes > 1 else 0
                batch = batches[lane]
                batch.append(result)
                if len(batch) >= options.batch_size:
                    if first:
                        settled()
                        first = False
                    writer.submit(batch, lane)
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
