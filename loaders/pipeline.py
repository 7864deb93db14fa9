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

import os
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from loaders.errors import TooManyRejects, UnreadableSource
from loaders.report import LoadReport, Reject, RejectWriter
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


def run_load(loader: Loader, paths: Sequence[Path], store: GraphStore, options: LoadOptions) -> LoadReport:
    report = LoadReport(source=loader.source, store=type(store).__name__)
    started = time.perf_counter()
    files = [f for p in paths for f in loader.files(p)]
    report.files = [str(f) for f in files]
    with RejectWriter(options.rejects_path) as rejects, _Progress(options, loader.source) as tick:
        batch: list[Mapped] = []
        for raw in _harvest_all(loader, files):
            report.read += 1
            result = loader.transform(raw)
            if isinstance(result, list):
                _reject(report, rejects, result)
            else:
                batch.append(result)
            if len(batch) >= options.batch_size:
                _write(loader, batch, store, report, rejects)
                batch = []
            if report.read % 1000 == 0:
                tick(report.read)
        if batch:
            _write(loader, batch, store, report, rejects)
        tick(report.read)
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


def _write(
    loader: Loader, batch: list[Mapped], store: GraphStore, report: LoadReport, writer: RejectWriter
) -> None:
    resolved = loader.resolve(batch, store)
    for reject in resolved.rejects:
        _reject(report, writer, [reject])
    for reason, n in resolved.skipped.items():
        report.add_skip(reason, n)
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
            report.add_related(label.value, store.upsert(related[label]))
        if label in primaries:
            report.add_primary(store.upsert(primaries[label]))
    if referrals:
        report.add_primary(store.upsert_referrals(referrals))


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
