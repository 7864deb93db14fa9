"""run_load writes each batch on a thread of its own while the next is mapped; nothing else may change."""

from __future__ import annotations

import csv
import gc
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from support.nppes_rows import header, person

from loaders.nppes import NppesLoader
from loaders.participation import ParticipationLoader
from loaders.pipeline import YOUNG_THRESHOLD, LoadOptions, run_load
from loaders.referrals import SKIP_FROM, SKIP_TO, ReferralsLoader
from loaders.report import LoadReport
from network.errors import StoreError
from network.model import Label, Location, Network, Participation, Practitioner, Record, Specialty
from network.store.base import S, Shaped
from network.store.memory import MemoryStore
from network.validate import with_check_digit

HEADER = "npi,network_id,role,specialty_code,address,city,state,zip\n"
KNOWN = [with_check_digit(f"10000{i:04d}") for i in range(1, 7)]
UNKNOWN = with_check_digit("199999999")


def _seeded() -> MemoryStore:
    store = MemoryStore()
    store.upsert([Location(id="L1", zip="06106")])
    store.upsert(
        [Practitioner(n, f"P {n}", primary_specialty="207RC0000X", location_ids=("L1",)) for n in KNOWN]
    )
    store.upsert([Network("N1", "North")])
    return store


def _roster(tmp_path: Path) -> Path:
    """Rejected rows of both kinds (mapping, and the graph check in resolve) spread over many batches."""
    rows = []
    for i, npi in enumerate(KNOWN * 3):
        rows.append(f"{npi},N1,specialist,207RC0000X,,,,")
        if i % 3 == 0:
            rows.append(f"{npi},N1,surgeon,,,,,")  # bad role: rejected while mapping
        if i % 4 == 1:
            rows.append(f"{UNKNOWN},N1,pcp,,,,,")  # unknown NPI: rejected against the graph
        if i % 5 == 2:
            rows.append(f"{npi},N9,pcp,,1 Main St,Hartford,CT,06106")  # unknown network
    path = tmp_path / "participation.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def _figures(report: LoadReport) -> dict[str, Any]:
    out = report.as_dict()
    for volatile in ("seconds", "started_at", "rows_per_second"):
        out.pop(volatile)
    return out


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_overlapped_load_equals_the_sequential_one(tmp_path: Path, batch_size: int) -> None:
    path = _roster(tmp_path)
    results = {}
    for overlap in (False, True):
        store = _seeded()
        rejects = tmp_path / f"rejects-{overlap}.csv"
        options = LoadOptions(batch_size=batch_size, rejects_path=rejects, overlap=overlap)
        report = run_load(ParticipationLoader(), [path], store, options)
        assert report.balanced, report.as_dict()
        results[overlap] = (_figures(report), rejects.read_text(), store.checksum())
    assert results[True] == results[False]
    assert results[True][0]["rejected"] > 0


def test_referral_rows_whose_practitioner_is_missing_are_skipped_per_end(tmp_path: Path) -> None:
    a, b = KNOWN[:2]
    lines = [f"{a},{b},4,2,0", f"{UNKNOWN},{b},4,2,0", f"{UNKNOWN},{b},5,2,0", f"{a},{UNKNOWN},4,2,0"]
    path = tmp_path / "referrals.csv"
    path.write_text("\n".join(lines) + "\n")
    for overlap in (False, True):
        store = _seeded()
        options = LoadOptions(batch_size=10, overlap=overlap)
        report = run_load(ReferralsLoader(), [path], store, options)
        assert report.balanced, report.as_dict()
        # The repeated unknown pair is two skipped rows, not an update of a row that was never written.
        assert (report.created, report.updated, report.skipped) == (1, 0, 3)
        assert report.skip_reasons == {SKIP_FROM: 2, SKIP_TO: 1}


class _FailingStore(MemoryStore):
    failing = False

    def _write_nodes(self, label: Label, batch: list[Shaped[Record]]) -> dict[str, str | None]:
        if self.failing:
            raise StoreError("the store went away")
        return super()._write_nodes(label, batch)


@pytest.mark.parametrize("overlap", [False, True])
def test_a_failed_write_fails_the_load(tmp_path: Path, overlap: bool) -> None:
    store = _FailingStore()
    store.upsert([Practitioner(n, f"P {n}", location_ids=("L1",)) for n in KNOWN])
    store.upsert([Network("N1", "North")])
    store.failing = True
    with pytest.raises(StoreError, match="went away"):
        run_load(
            ParticipationLoader(), [_roster(tmp_path)], store, LoadOptions(batch_size=2, overlap=overlap)
        )


def test_resolving_ahead_links_medical_groups_as_a_sequential_load_does(tmp_path: Path) -> None:
    # A group written by one batch is what a later batch's value names ("group:east-side" is the id the
    # first rows' group gets); another value's rows are all rejected, so its group is never written.
    header = "npi,network_id,role,medical_group,medical_group_name\n"
    rows = [f"{KNOWN[0]},N1,pcp,East Side,East Side Medical", f"{UNKNOWN},N1,pcp,West,West Clinic"]
    rows += [f"{npi},N1,specialist,group:east-side," for npi in KNOWN[1:4]]
    rows += [f"{npi},N1,specialist,group:west," for npi in KNOWN[4:]]
    path = tmp_path / "participation.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    assert ParticipationLoader.resolve_ahead
    results = {}
    for overlap in (False, True):
        store = _seeded()
        report = run_load(ParticipationLoader(), [path], store, LoadOptions(batch_size=2, overlap=overlap))
        assert report.balanced, report.as_dict()
        results[overlap] = (_figures(report), store.checksum(), sorted(store.keys(Label.ORGANIZATION)))
    assert results[True] == results[False]
    assert results[True][2] == ["group:east-side", "group:group-west"]


def test_mapping_keeps_nothing_per_row_outside_the_batch(tmp_path: Path) -> None:
    from loaders.pipeline import RawRow

    loader = ParticipationLoader()
    before = {name: len(getattr(loader, name)) for name in ("_group_names", "_written_groups", "_notes")}
    for line in range(2, 200):
        data = {"npi": KNOWN[0], "network_id": "N1", "role": "pcp", "medical_group": "G"}
        mapped = loader.transform(RawRow("p.csv", line, data))
        assert not isinstance(mapped, list)
        assert mapped.group == "G"  # type: ignore[attr-defined]
    after = {name: len(getattr(loader, name)) for name in before}
    assert after == before


def _nppes_file(tmp_path: Path) -> Path:
    """People, then sparse deactivations of some of them (resolve() replaces those rows' records with
    the known ones, marked inactive), one of a person in the same batch for most batch sizes."""
    npis = [with_check_digit(f"10000{i:04d}") for i in range(1, 9)]
    rows = [person(n, **{"Provider Last Name (Legal Name)": f"DOE{i}"}) for i, n in enumerate(npis)]
    rows.insert(3, {"NPI": npis[2], "NPI Deactivation Date": "05/01/2020"})
    rows += [{"NPI": n, "NPI Deactivation Date": "05/01/2021"} for n in npis[5:]]
    rows.append(person(npis[7], **{"Provider Last Name (Legal Name)": "REACTIVATED"}))
    path = tmp_path / "npidata.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header())
        out.writerows([row.get(c, "") for c in header()] for row in rows)
    return path


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_overlapped_nppes_load_equals_the_sequential_one(tmp_path: Path, batch_size: int) -> None:
    # NPPES records are shaped for the store as mapped, before resolve(); the ones resolve() replaces
    # must be written as replaced.
    path = _nppes_file(tmp_path)
    results = {}
    for overlap in (False, True):
        store = MemoryStore()
        options = LoadOptions(batch_size=batch_size, overlap=overlap)
        report = run_load(NppesLoader(), [path], store, options)
        assert report.balanced, report.as_dict()
        inactive = sorted(k for k in store.keys(Label.PRACTITIONER) if not _practitioner(store, k).active)
        results[overlap] = (_figures(report), store.checksum(), inactive)
    assert results[True] == results[False]
    assert len(results[True][2]) == 3  # npis[2], [5], [6]; [7] is a person again after its deactivation


def _practitioner(store: MemoryStore, npi: str) -> Practitioner:
    rec = store.get(Label.PRACTITIONER, npi)
    assert isinstance(rec, Practitioner)
    return rec


class _ShapeWatcher(MemoryStore):
    """Notes the thread each record is shaped on (but specialty stubs, which resolve() ensures)."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: Counter[str] = Counter()

    def shape(self, record: S) -> Shaped[S]:
        if not isinstance(record, Specialty):
            self.threads[threading.current_thread().name.split("_")[0]] += 1
        return super().shape(record)


@pytest.mark.parametrize("loader", ["nppes", "participation"])
def test_the_writing_thread_does_not_shape_records(tmp_path: Path, loader: str) -> None:
    # Shaping (hash, statement rows) is Python the server would wait for if done where the batch is sent.
    store = _ShapeWatcher()
    if loader == "participation":
        store.upsert([Location(id="L1", zip="06106")])
        store.upsert([Practitioner(n, f"P {n}", location_ids=("L1",)) for n in KNOWN])
        store.upsert([Network("N1", "North")])
        store.threads.clear()
        report = run_load(ParticipationLoader(), [_roster(tmp_path)], store, LoadOptions(batch_size=2))
    else:
        rows = [person(with_check_digit(f"10000{i:04d}")) for i in range(1, 9)]
        path = tmp_path / "npidata.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header(), *([row.get(c, "") for c in header()] for row in rows)])
        report = run_load(NppesLoader(), [path], store, LoadOptions(batch_size=2))
    assert report.created > 0
    assert "pnet-load" not in store.threads, store.threads
    assert store.threads["pnet-resolve" if loader == "participation" else "MainThread"] >= report.created


class _WatchingCollector(ParticipationLoader):
    """Loads a lazy reference table with its first row, as NPPES loads ZIP centroids, and notes the
    collector's thresholds and frozen objects while its rows are mapped."""

    TABLE_SIZE = 5000

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__()
        self.seen: list[tuple[tuple[int, int, int], int]] = []
        self.fail_after = fail_after
        self.table: list[list[int]] | None = None

    def transform(self, raw: Any) -> Any:
        if self.table is None:
            self.table = [[i] for i in range(self.TABLE_SIZE)]  # lists: tracked by the collector
        self.seen.append((gc.get_threshold(), gc.get_freeze_count()))
        if self.fail_after is not None and len(self.seen) > self.fail_after:
            raise StoreError("the load breaks")
        return super().transform(raw)


@pytest.mark.parametrize("fail_after", [None, 12], ids=["finishes", "fails"])
def test_the_collector_is_set_for_the_load_and_restored(tmp_path: Path, fail_after: int | None) -> None:
    before = gc.get_threshold()
    loader = _WatchingCollector(fail_after=fail_after)
    options = LoadOptions(batch_size=4)
    if fail_after is not None:
        with pytest.raises(StoreError):
            run_load(loader, [_roster(tmp_path)], _seeded(), options)
    else:
        run_load(loader, [_roster(tmp_path)], _seeded(), options)
    # The youngest generation is collected less often while the rows are mapped, and as before after.
    assert all(thresholds == (YOUNG_THRESHOLD, *before[1:]) for thresholds, _ in loader.seen)
    first_batch = [frozen for _, frozen in loader.seen[:4]]
    later = [frozen for _, frozen in loader.seen[5:]]
    assert min(first_batch) > 0  # what lived before the load is frozen from its start
    # The table the first rows built is frozen once the first batch is mapped, for the rest of the load.
    assert later and min(later) >= max(first_batch) + _WatchingCollector.TABLE_SIZE
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


class _LanedStore(MemoryStore):
    """The embedded store, declared to take concurrent writes: notes which lane thread wrote what."""

    concurrent_writes = True

    def __init__(self) -> None:
        super().__init__()
        self.writers: Counter[str] = Counter()
        self.lanes_of: dict[str, set[str]] = {}  # practitioner (written, or referring) -> lane threads

    def _note(self, items: Any, npi: str) -> None:
        lane = threading.current_thread().name.split("_")[0]
        self.writers[lane] += len(items)
        for item in items:
            self.lanes_of.setdefault(getattr(item.record, npi) or "", set()).add(lane)

    def upsert_shaped(self, items: Any) -> Any:
        if items and isinstance(items[0].record, Practitioner | Participation):
            self._note(items, "npi")
        return super().upsert_shaped(items)

    def upsert_referrals_shaped(self, items: Any) -> Any:
        self._note(items, "from_npi")
        return super().upsert_referrals_shaped(items)


def _referral_file(tmp_path: Path) -> Path:
    """Pairs among the known practitioners, each pair's row repeated later with new counts (an update
    only if the repeat is written after the first), and rows whose ends are unknown."""
    pairs = [(a, b) for a in KNOWN for b in KNOWN if a != b]
    rows = [f"{a},{b},{10 + i},3,0" for i, (a, b) in enumerate(pairs)]
    rows += [row.replace(",3,0", ",4,0") for row in rows[::3]]
    rows += [f"{UNKNOWN},{KNOWN[0]},5,2,0", f"{KNOWN[1]},{UNKNOWN},5,2,0"]
    path = tmp_path / "referrals.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("lanes", [2, 3])
@pytest.mark.parametrize("batch_size", [1, 4, 1000])
def test_a_load_in_lanes_equals_the_sequential_one(tmp_path: Path, lanes: int, batch_size: int) -> None:
    # Rows of one NPI (a deactivation after its person) and of one pair (a repeat after the first) share
    # a lane, so they are written in file order whatever the lanes' timing.
    nppes, referrals = _nppes_file(tmp_path), _referral_file(tmp_path)
    results = {}
    for laned in (False, True):
        store = _LanedStore() if laned else MemoryStore()
        figures = []
        for loader, path in ((NppesLoader(), nppes), (ReferralsLoader(), referrals)):
            options = LoadOptions(batch_size=batch_size, lanes=lanes)
            report = run_load(loader, [path], store, options)
            assert report.balanced, report.as_dict()
            figures.append({k: v for k, v in _figures(report).items() if k != "store"})
        results[laned] = (figures, store.checksum())
        if laned:
            assert isinstance(store, _LanedStore)
            assert len(store.writers) == lanes, store.writers  # every lane wrote
            assert all(len(threads) == 1 for threads in store.lanes_of.values()), store.lanes_of
    assert results[True] == results[False]
    assert results[True][0][1]["updated"] > 0


def test_lanes_only_for_a_laned_loader_on_a_store_that_takes_concurrent_writes(tmp_path: Path) -> None:
    store = _LanedStore()
    store.upsert([Practitioner(n, f"P {n}") for n in KNOWN])
    store.upsert([Network("N1", "North")])
    store.writers.clear()
    assert not ParticipationLoader.laned  # a later batch links the medical groups an earlier one wrote
    run_load(ParticipationLoader(), [_roster(tmp_path)], store, LoadOptions(batch_size=2, lanes=4))
    assert set(store.writers) == {"pnet-load"}, store.writers
    store.writers.clear()
    run_load(ReferralsLoader(), [_referral_file(tmp_path)], store, LoadOptions(batch_size=2, lanes=4))
    assert set(store.writers) == {"pnet-load", "pnet-load1", "pnet-load2", "pnet-load3"}, store.writers
    store.writers.clear()
    options = LoadOptions(batch_size=2, lanes=4, overlap=False)  # the floor's sequential load
    run_load(ReferralsLoader(), [_referral_file(tmp_path)], store, options)
    assert set(store.writers) == {"MainThread"}, store.writers
    assert not MemoryStore.concurrent_writes


class _FailingLanes(_LanedStore):
    """Lane 1's first write fails, slowly: the lane's next batch is queued behind it by then."""

    attempts = 0

    def upsert_referrals_shaped(self, items: Any) -> Any:
        if threading.current_thread().name.startswith("pnet-load1"):
            self.attempts += 1
            time.sleep(0.2)
            raise StoreError("lane 1 lost its server")
        return super().upsert_referrals_shaped(items)


def test_a_failed_write_in_one_lane_fails_the_load_and_its_lane_sends_no_more(tmp_path: Path) -> None:
    store = _FailingLanes()
    store.upsert([Practitioner(n, f"P {n}") for n in KNOWN])
    with pytest.raises(StoreError, match="lane 1"):
        run_load(ReferralsLoader(), [_referral_file(tmp_path)], store, LoadOptions(batch_size=2, lanes=2))
    assert store.attempts == 1
