"""Loading several sources (``loaders.schedule``): who waits for whom, footprints held to what loaders do,
and the in-process path (the embedded store); the concurrent path is tested on Neo4j (integration)."""

from __future__ import annotations

import pickle
import socket
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from loaders import schedule
from loaders.errors import LoadFailed, UnreadableSource
from loaders.footprint import Footprint, Part, conflicting
from loaders.pipeline import LoadOptions, run_load
from loaders.registry import SourceOptions, make_loader
from loaders.report import LoadReport
from loaders.schedule import Step, jobs_for, run_steps, waits_for
from loaders.synth import LOAD_ORDER, SynthConfig, generate
from network.model import Label, Record, Referral, Rel
from network.settings import Settings
from network.store import UpsertCounts
from network.store.base import ReferralCounts, Shaped
from network.store.memory import MemoryStore

OPTIONS = LoadOptions(batch_size=300, max_reject_rate=0.5, progress=False)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("schedule-region")
    generate(SynthConfig(seed=3, practitioners=300, referrals=2000), out)
    return out


def _steps(region: Path, order: Iterable[tuple[str, str]] = LOAD_ORDER) -> list[Step]:
    return [Step(source, (region / name,), OPTIONS) for source, name in order]


def test_a_synthetic_region_waits_only_where_footprints_meet(region: Path) -> None:
    waits = waits_for(_steps(region))
    by_name = [source for source, _ in LOAD_ORDER]
    named = {by_name[i]: {by_name[j] for j in w} for i, w in enumerate(waits)}
    assert named == {
        "nppes": set(),
        "plans": {"nppes"},  # both write organizations
        "participation": {"nppes", "plans"},  # it reads practitioners and networks
        "referrals": {"nppes"},  # practitioners only: it may run beside plans and participation
        "counties": {"nppes", "participation"},  # locations link to counties, and both write locations
    }


def test_an_undeclared_footprint_meets_every_other() -> None:
    edges = Footprint(writes=frozenset({Rel.REFERS_TO}), reads=frozenset({Label.PRACTITIONER}))
    counties = Footprint(writes=frozenset({Label.COUNTY}))
    assert not conflicting(edges, counties)
    assert conflicting(None, counties) and conflicting(edges, None)
    assert make_loader("plannet", SourceOptions()).footprint is None  # a bundle touches every label


def test_what_a_label_links_to_is_read_by_whoever_writes_it() -> None:
    full = Footprint(writes=frozenset({Label.PARTICIPATION})).full()
    assert {Label.PRACTITIONER, Label.NETWORK, Label.LOCATION} <= full.reads
    assert Rel.HAS_ROLE in full.writes
    # A county links the locations already carrying its FIPS: it reads them.
    assert Label.LOCATION in Footprint(writes=frozenset({Label.COUNTY})).full().reads


class Recording(MemoryStore):
    """The embedded store, noting what each call reads and writes, by label (and REFERS_TO)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: set[Part] = set()
        self.writes: set[Part] = set()

    def upsert_shaped(self, items: Sequence[Shaped[Record]]) -> UpsertCounts:
        self.writes.update(item.record.LABEL for item in items)
        return super().upsert_shaped(items)

    def upsert_referrals_shaped(self, items: Sequence[Shaped[Referral]]) -> ReferralCounts:
        self.writes.add(Rel.REFERS_TO)
        self.reads.add(Label.PRACTITIONER)  # the ends, which must exist
        return super().upsert_referrals_shaped(items)

    def ensure_specialties(self, records: Sequence[Record]) -> int:
        self.writes.add(Label.SPECIALTY)
        return super().ensure_specialties(records)

    def existing_keys(self, label: Label, keys: Iterable[str]) -> set[str]:
        self.reads.add(label)
        return super().existing_keys(label, keys)

    def lookup(
        self, keys: Mapping[Label, Iterable[str]], fields: Mapping[Label, Sequence[str]] | None = None
    ) -> dict[Label, dict[str, tuple[Any, ...]]]:
        self.reads.update(keys)
        return super().lookup(keys, fields)

    def get_many(self, label: Label, keys: Iterable[str]) -> dict[str, Record]:
        self.reads.add(label)
        return super().get_many(label, keys)

    def get(self, label: Label, key: str) -> Record | None:
        self.reads.add(label)
        return super().get(label, key)


@pytest.mark.parametrize("source", [s for s, _ in LOAD_ORDER])
def test_each_footprint_covers_what_its_loader_reads_and_writes(region: Path, source: str) -> None:
    store = Recording()
    for earlier, name in LOAD_ORDER:  # the graph the load finds: everything loaded before it
        if earlier == source:
            break
        run_load(make_loader(earlier, SourceOptions()), [region / name], store, OPTIONS)
    store.reads.clear()
    store.writes.clear()
    loader = make_loader(source, SourceOptions())
    report = run_load(loader, [region / dict(LOAD_ORDER)[source]], store, OPTIONS)
    assert report.created > 0 and store.writes  # the load did something to be held to
    footprint = type(loader).footprint
    assert footprint is not None
    full = footprint.full()
    assert store.writes <= full.writes
    assert store.reads <= full.reads | full.writes


def _counts(reports: Sequence[LoadReport]) -> list[tuple[str, int, int, int, int, int, int]]:
    return [(r.source, r.read, r.created, r.updated, r.unchanged, r.rejected, r.skipped) for r in reports]


def test_on_the_embedded_store_steps_run_in_order_in_this_process(region: Path) -> None:
    one_by_one = MemoryStore()
    expected = [
        run_load(make_loader(source, SourceOptions()), [region / name], one_by_one, OPTIONS)
        for source, name in LOAD_ORDER
    ]
    scheduled = MemoryStore()
    seen: list[str] = []
    steps = _steps(region)
    reports = run_steps(steps, scheduled, Settings(), jobs=4, on_report=lambda r: seen.append(r.source))
    assert seen == [source for source, _ in LOAD_ORDER]
    assert _counts(reports) == _counts(expected)
    assert scheduled.checksum() == one_by_one.checksum()


def test_a_failing_step_stops_the_schedule(region: Path, tmp_path: Path) -> None:
    steps = _steps(region)
    steps[1] = Step("plans", (tmp_path / "missing.csv",), OPTIONS)
    seen: list[str] = []
    with pytest.raises(UnreadableSource, match=r"missing\.csv"):
        run_steps(steps, MemoryStore(), Settings(), on_report=lambda r: seen.append(r.source))
    assert seen == ["nppes"]


class TakesConcurrentWrites(MemoryStore):
    concurrent_writes = True


def test_loads_run_at_once_only_on_a_store_that_takes_it_and_for_enough_input(region: Path) -> None:
    steps = _steps(region)
    assert jobs_for(steps, TakesConcurrentWrites(), 3, min_bytes=0) == 3
    assert jobs_for(steps, MemoryStore(), 3, min_bytes=0) == 1  # one graph, in this process
    assert jobs_for(steps, TakesConcurrentWrites(), 3) == 1  # a small region: under AT_ONCE_MIN_BYTES
    assert jobs_for(steps[:1], TakesConcurrentWrites(), 3, min_bytes=0) == 1


def test_small_inputs_load_one_by_one_in_this_process(region: Path) -> None:
    # Under AT_ONCE_MIN_BYTES a process per load costs more than the overlap gains; the store given is
    # the one written (a process of its own would have opened another, from the settings).
    store = TakesConcurrentWrites()
    reports = run_steps(_steps(region), store, Settings(), jobs=2)
    assert [r.source for r in reports] == [source for source, _ in LOAD_ORDER]
    assert store.stats().nodes and all(r.store == "TakesConcurrentWrites" for r in reports)


def test_a_load_in_its_own_process_fails_with_an_error_that_crosses_back(
    region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unpicklable(RuntimeError):
        def __init__(self) -> None:
            super().__init__("lost the connection")
            self.sock = socket.socket()  # what a driver's error can hold

        def __reduce__(self) -> Any:
            raise OSError(9, "Bad file descriptor")

    class Failing(MemoryStore):
        def upsert_shaped(self, items: Sequence[Shaped[Record]]) -> UpsertCounts:
            raise Unpicklable()

    monkeypatch.setattr(schedule, "open_store", lambda settings: Failing())
    step = _steps(region)[0]
    with pytest.raises(LoadFailed) as caught:
        schedule._run_alone(Settings(), step)
    assert str(caught.value) == "nppes: Unpicklable: lost the connection"
    assert isinstance(pickle.loads(pickle.dumps(caught.value)), LoadFailed)
    # A pnet error crosses as it is (it pickles).
    monkeypatch.setattr(schedule, "open_store", lambda settings: MemoryStore())
    with pytest.raises(UnreadableSource):
        schedule._run_alone(Settings(), Step("nppes", (region / "missing.csv",), OPTIONS))
