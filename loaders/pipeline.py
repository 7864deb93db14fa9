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
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from loaders.errors import TooManyRejects, UnreadableSource
from loaders.report import LoadReport, Reject, RejectWriter
from network.model import Label, Record, Referral
from network.store import GraphStore, UpsertCounts


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

    @abstractmethod
    def harvest(self, path: Path) -> Iterator[RawRow]:
        """Parse ``path`` into rows; raise :class:`UnreadableSource` if it cannot be read at all."""

    @abstractmethod
    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        """Map one row, or say why it is rejected (one reject per bad field)."""

    def resolve(self, batch: list[Mapped], store: GraphStore) -> Resolved:
        """Check a batch against the graph; the default keeps every row."""
        return Resolved(kept=batch)

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


def run_load(loader: Loader, paths: Sequence[Path], store: GraphStore, options: LoadOptions) -> LoadReport:
    report = LoadReport(source=loader.source, store=type(store).__name__)
    started = time.perf_counter()
    files = [f for p in paths for f in loader.files(p)]
    report.files = [str(f) for f in files]
    # A load allocates millions of short-lived objects, and every full collection would walk each
    # long-lived one (reference tables, ZIP data, the loader's indexes) again: a quarter of the parsing
    # time. Frozen for the load they are left out; unfrozen after, so nothing outlives the load.
    gc.freeze()
    try:
        _load(loader, files, store, options, report)
    finally:
        gc.unfreeze()
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


def _load(
    loader: Loader, files: list[Path], store: GraphStore, options: LoadOptions, report: LoadReport
) -> None:
    with (
        RejectWriter(options.rejects_path) as rejects,
        _Progress(options, loader.source) as tick,
        _Writer(loader, store, report, rejects, overlap=options.overlap) as writer,
    ):
        batch: list[Mapped] = []
        for raw in _harvest_all(loader, files):
            report.read += 1
            result = loader.transform(raw)
            if isinstance(result, list):
                writer.reject(result)
            else:
                batch.append(result)
            if len(batch) >= options.batch_size:
                writer.submit(batch)
                batch = []
            if report.read % 1000 == 0:
                tick(report.read)
        if batch:
            writer.submit(batch)
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
    """Resolves and writes batches in order, one at a time, on one thread of its own.

    Against a remote store most of a batch's time is spent waiting for the server; meanwhile the reading
    thread parses and maps the next batch instead of waiting too. Batches still reach the store strictly
    one after another (a batch's resolve sees every earlier batch written), and only the reading thread
    touches the report and the rejects file: a row rejected while a batch is in flight is held until that
    batch is entered, so counts and the rejects file come out as a sequential load writes them.
    """

    def __init__(
        self, loader: Loader, store: GraphStore, report: LoadReport, rejects: RejectWriter, *, overlap: bool
    ) -> None:
        self._loader = loader
        self._store = store
        self._report = report
        self._rejects = rejects
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pnet-load") if overlap else None
        self._in_flight: Future[_Written] | None = None
        self._held: list[list[Reject]] = []

    def reject(self, rejects: list[Reject]) -> None:
        if self._in_flight is None:
            _reject(self._report, self._rejects, rejects)
        else:
            self._held.append(rejects)

    def submit(self, batch: list[Mapped]) -> None:
        self.settle()
        if self._pool is None:
            self._enter(_write(self._loader, batch, self._store))
        else:
            self._in_flight = self._pool.submit(_write, self._loader, batch, self._store)

    def settle(self) -> None:
        """Wait for the batch in flight, then enter it and the rejects held behind it."""
        if self._in_flight is not None:
            future, self._in_flight = self._in_flight, None
            self._enter(future.result())
        for rejects in self._held:
            _reject(self._report, self._rejects, rejects)
        self._held.clear()

    def _enter(self, written: _Written) -> None:
        report = self._report
        for reject in written.rejects:
            _reject(report, self._rejects, [reject])
        for reason, n in written.skipped:
            report.add_skip(reason, n)
        for label, counts in written.related:
            report.add_related(label, counts)
        for counts in written.primary:
            report.add_primary(counts)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        # On an error the batch in flight still finishes (as a sequential load's last write would have).
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _write(loader: Loader, batch: list[Mapped], store: GraphStore) -> _Written:
    resolved = loader.resolve(batch, store)
    out = _Written(rejects=list(resolved.rejects), skipped=list(resolved.skipped.items()))
    # Label by label in the loader's order, a label's related records before its primaries: a row's
    # related record may link to another row's primary of an earlier label in the same batch.
    related: dict[Label, list[Record]] = {}
    primaries: dict[Label, list[Record]] = {}
    referrals: list[Referral] = []
    for m in resolved.kept:
        for rec in m.related:
            related.setdefault(rec.LABEL, []).append(rec)
        if isinstance(m.primary, Referral):
            referrals.append(m.primary)
        else:
            primaries.setdefault(m.primary.LABEL, []).append(m.primary)
    order = list(loader.related_order)
    order += [label for label in (*related, *primaries) if label not in order]  # never lost if unordered
    for label in order:
        if label in related:
            out.related.append((label.value, store.upsert(related[label])))
        if label in primaries:
            out.primary.append(store.upsert(primaries[label]))
    if referrals:
        counts = store.upsert_referrals(referrals)
        out.primary.append(counts)
        for end, n in counts.missing.items():
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
