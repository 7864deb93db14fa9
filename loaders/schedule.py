"""Loading several sources: in the order given, and at once where their footprints do not meet.

On Neo4j one load leaves the server's cores partly idle (a participation load keeps ~1.3 of 2 busy), and
loads that read nothing the other writes give the same graph whichever lands first: referral edges and
participations need practitioners only, which NPPES wrote before both. :func:`run_steps` starts each
step once every earlier step it conflicts with (:mod:`loaders.footprint`) has finished, up to ``jobs``
at a time, each in a process of its own (loaders are Python: two in one process would share its GIL).
On a store without concurrent writes (the embedded one), with ``jobs`` 1, or for files under
:data:`AT_ONCE_MIN_BYTES` in all, steps run one after the other in this process, on the store given.

A failed step stops the schedule: nothing more starts, the steps running finish, and the first error
is raised. The reports of the steps that finished have reached ``on_report`` by then.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from loaders.errors import LoadFailed
from loaders.footprint import conflicting
from loaders.pipeline import LoadOptions, run_load
from loaders.registry import SourceOptions, make_loader
from loaders.report import LoadReport
from network.errors import PnetError
from network.settings import Settings
from network.store import GraphStore, open_store

# Below this much input, loads at once were slower than one by one (BENCHMARKS.md, optimisation 27: the
# demo region's 8 MB 12.6 s against 11.5 s, S's 17 MB 16.6 against 15.4 s): a process start-up per job,
# and the two loads' transactions waiting on the same few practitioners' locks. M's 166 MB gained 7%.
AT_ONCE_MIN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Step:
    source: str
    paths: tuple[Path, ...]
    options: LoadOptions
    source_options: SourceOptions = field(default_factory=SourceOptions)


def waits_for(steps: Sequence[Step]) -> list[frozenset[int]]:
    """For each step, the earlier steps it must not overlap (an error for an unknown source)."""
    prints = [type(make_loader(s.source, s.source_options)).footprint for s in steps]
    return [frozenset(j for j in range(i) if conflicting(prints[i], prints[j])) for i in range(len(steps))]


def run_steps(
    steps: Sequence[Step],
    store: GraphStore,
    settings: Settings,
    *,
    jobs: int = 2,
    on_report: Callable[[LoadReport], None] | None = None,
    min_bytes: int = AT_ONCE_MIN_BYTES,
) -> list[LoadReport]:
    """Run every step; reports in step order. ``settings`` opens each concurrent step's own store."""
    report = on_report or (lambda r: None)
    jobs = jobs_for(steps, store, jobs, min_bytes)
    if jobs == 1:
        reports = []
        for step in steps:
            reports.append(_run(step, store))
            report(reports[-1])
        return reports
    return _run_concurrently(steps, waits_for(steps), settings, jobs, report)


def jobs_for(steps: Sequence[Step], store: GraphStore, jobs: int, min_bytes: int = AT_ONCE_MIN_BYTES) -> int:
    """How many of the steps may run at once on this store: 1 means one by one, in this process."""
    small = sum(_size(p) for step in steps for p in step.paths) < min_bytes
    return 1 if not store.concurrent_writes or len(steps) <= 1 or small else max(1, jobs)


def _size(path: Path) -> int:
    """Bytes of input under a path (a Plan-Net folder's files); a missing path is the load's error."""
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size if path.is_file() else 0


def _run(step: Step, store: GraphStore) -> LoadReport:
    return run_load(make_loader(step.source, step.source_options), step.paths, store, step.options)


def _run_alone(settings: Settings, step: Step) -> LoadReport:
    """One step in a process of its own, on a store of its own (no progress line: they would interleave)."""
    try:
        store = open_store(settings)
        try:
            quiet = dataclasses.replace(step.options, progress=False)
            return _run(dataclasses.replace(step, options=quiet), store)
        finally:
            store.close()
    except PnetError:
        raise
    except Exception as exc:
        # Only its text crosses back: a driver's error can hold a socket, which does not pickle (the
        # parent then saw "Bad file descriptor" instead).
        raise LoadFailed(f"{step.source}: {type(exc).__name__}: {exc}") from None


def _run_concurrently(
    steps: Sequence[Step],
    waits: list[frozenset[int]],
    settings: Settings,
    jobs: int,
    on_report: Callable[[LoadReport], None],
) -> list[LoadReport]:
    reports: dict[int, LoadReport] = {}
    pending = list(range(len(steps)))
    running: dict[Future[LoadReport], int] = {}
    error: BaseException | None = None
    # Spawned, not forked: the parent may hold driver threads and open sockets.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        while running or (pending and error is None):
            for i in list(pending):
                if error is not None or len(running) >= jobs:
                    break
                if waits[i] <= reports.keys():
                    pending.remove(i)
                    running[pool.submit(_run_alone, settings, steps[i])] = i
            if not running:  # only after an error: the first pending step can always start otherwise
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                i = running.pop(future)
                try:
                    reports[i] = future.result()
                except BaseException as exc:
                    error = error or exc
                    continue
                on_report(reports[i])
    if error is not None:
        raise error
    return [reports[i] for i in range(len(steps))]
