"""The referrals loader: layout detection, every reject reason, skips, accounting (embedded store)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import UnreadableSource
from loaders.pipeline import LoadOptions, Mapped, RawRow, run_load
from loaders.referrals import (
    CMS_SOURCE,
    DOCGRAPH_COLUMNS,
    DOCGRAPH_SOURCE,
    SKIP_FROM,
    SKIP_TO,
    FileContext,
    Layout,
    ReferralsLoader,
    _map_row,
    detect_layout,
    make_loader,
)
from loaders.registry import SourceOptions
from loaders.report import LoadReport, Reject
from network.errors import InvalidInput
from network.model import Label, Practitioner, Referral
from network.store.memory import MemoryStore
from network.validate import with_check_digit

A, B, C = (with_check_digit(p) for p in ("100000001", "100000002", "100000003"))
UNKNOWN = with_check_digit("199999999")
BAD_LUHN = A[:9] + str((int(A[9]) + 1) % 10)
HEADER = ",".join(DOCGRAPH_COLUMNS)


def _write(tmp_path: Path, text: str, name: str = "referrals.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _store(*npis: str) -> MemoryStore:
    store = MemoryStore()
    store.upsert([Practitioner(npi=n, name=f"P {n}") for n in npis])
    return store


def _load(path: Path, store: MemoryStore, batch: int = 2000) -> LoadReport:
    report = run_load(ReferralsLoader(), [path], store, LoadOptions(batch_size=batch))
    assert report.balanced, report.as_dict()
    return report


def _rejects(loader: ReferralsLoader, path: Path) -> list[Mapped | list[Reject]]:
    return [loader.transform(raw) for raw in loader.harvest(path)]


# -- layout detection ---------------------------------------------------------------------------------


def test_cms_layout_first_line_is_data(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{A},{B},40,12,3\n{B},{C},15,11,0\n")
    rows = list(ReferralsLoader(window_days=30, year=2015).harvest(path))
    assert [r.line for r in rows] == [1, 2]
    mapped = ReferralsLoader(window_days=30, year=2015).transform(rows[0])
    assert isinstance(mapped, Mapped)
    assert mapped.primary == Referral(A, B, 40, 12, 3, window_days=30, year=2015, source=CMS_SOURCE)


def test_docgraph_layout_maps_transactions_to_pair_count(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n{A},{B},12,40,17.5,9.25\n")
    loader = ReferralsLoader()
    (raw,) = list(loader.harvest(path))
    assert raw.line == 2
    mapped = loader.transform(raw)
    assert isinstance(mapped, Mapped)
    assert mapped.primary == Referral(A, B, pair_count=40, beneficiaries=12, source=DOCGRAPH_SOURCE)


def test_docgraph_header_tolerates_case_spaces_and_bom(tmp_path: Path) -> None:
    text = "\ufeff" + " , ".join(c.upper() for c in DOCGRAPH_COLUMNS) + f"\n{A},{B},12,40,1,1\n"
    path = _write(tmp_path, text)
    assert [r.line for r in ReferralsLoader().harvest(path)] == [2]


@pytest.mark.parametrize(
    "first_line",
    [
        "npi_from,npi_to,pair_count,beneficiaries,same_day_count",  # a header CMS files never have
        f"{B},{A},12,40",  # four columns: column order cannot be told
        f"{A},{B},12,40,3,0",  # six numeric columns
        f"{A[:9]},{B},12,40,3",  # a 9-digit NPI
        "from_npi,to_npi,transaction_count,patient_count,average_day_wait,std_day_wait",  # swapped
        "hello world",
    ],
)
def test_unknown_layout_is_refused(tmp_path: Path, first_line: str) -> None:
    path = _write(tmp_path, first_line + f"\n{A},{B},40,12,3\n")
    with pytest.raises(UnreadableSource, match="unknown referral layout"):
        list(ReferralsLoader().harvest(path))


def test_empty_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableSource, match="empty"):
        list(ReferralsLoader().harvest(_write(tmp_path, "")))
    with pytest.raises(UnreadableSource, match="no such file"):
        run_load(ReferralsLoader(), [tmp_path / "absent.csv"], MemoryStore(), LoadOptions())


def test_detect_layout_direct() -> None:
    assert detect_layout(list(DOCGRAPH_COLUMNS)) is Layout.DOCGRAPH
    assert detect_layout([A, B, "1", "1", "0"]) is Layout.CMS
    assert detect_layout([]) is None


def test_window_and_year_from_cms_file_name_unless_given(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{A},{B},40,12,3\n", "physician-shared-patient-patterns-2014-days90.txt")
    (raw,) = list(ReferralsLoader().harvest(path))
    ctx = raw.data[0]
    assert (ctx.window_days, ctx.year) == (90, 2014)
    (raw,) = list(ReferralsLoader(window_days=30, year=2015).harvest(path))
    assert (raw.data[0].window_days, raw.data[0].year) == (30, 2015)
    report = run_load(ReferralsLoader(), [path], _store(A, B), LoadOptions())
    assert report.notes == [
        f"{path.name}: window of 90 days taken from the file name",
        f"{path.name}: year 2014 taken from the file name",
    ]


def test_make_loader_passes_options_and_checks_them() -> None:
    loader = make_loader(SourceOptions(window_days=180, year=2016))
    assert isinstance(loader, ReferralsLoader)
    assert (loader.window_days, loader.year) == (180, 2016)
    with pytest.raises(InvalidInput):
        ReferralsLoader(window_days=0)
    with pytest.raises(InvalidInput):
        ReferralsLoader(year=15)


# -- rejects ------------------------------------------------------------------------------------------

CMS_CASES = [
    (f"{BAD_LUHN},{B},40,12,3", "npi_from", "NPI check digit (Luhn, prefix 80840) fails"),
    (f"{A},123,40,12,3", "npi_to", "NPI must be 10 digits"),
    (f"{A},{with_check_digit('300000001')},40,12,3", "npi_to", "NPI must start with 1 or 2"),
    (f"{A},{A},40,12,3", "npi_to", "self-referral: from and to NPI are the same"),
    (f"{A},{B},-4,1,0", "pair_count", "negative count"),
    (f"{A},{B},4.5,1,0", "pair_count", "count is not a whole number"),
    (f"{A},{B},,1,0", "pair_count", "missing count"),
    (f"{A},{B},10,x,0", "beneficiaries", "count is not a whole number"),
    (f"{A},{B},10,11,0", "beneficiaries", "beneficiaries exceed pair_count"),
    (f"{A},{B},10,5,11", "same_day_count", "same-day count exceeds pair_count"),
    (f"{A},{B},{'9' * 19},5,1", "pair_count", "count too large"),
    (f"{A},{B},{'9' * 5000},5,1", "pair_count", "count too large"),
    (f"{A},{B},10,5", "row", "expected 5 fields, got 4"),
    (f"{A},{B},10,5,1,7", "row", "expected 5 fields, got 6"),
    ("", "row", "empty row"),
]


@pytest.mark.parametrize(("line", "field", "reason"), CMS_CASES)
def test_cms_reject_reasons(tmp_path: Path, line: str, field: str, reason: str) -> None:
    path = _write(tmp_path, f"{A},{B},40,12,3\n{line}\n")
    loader = ReferralsLoader()
    results = _rejects(loader, path)
    assert isinstance(results[0], Mapped)
    bad = results[1]
    assert isinstance(bad, list)
    assert (bad[0].file, bad[0].line, bad[0].field, bad[0].reason) == (str(path), 2, field, reason)
    report = _load(path, _store(A, B))
    assert (report.read, report.rejected, report.created) == (2, 1, 1)
    assert report.reject_reasons == {reason: 1}


DOCGRAPH_CASES = [
    (f"{A},{B},41,40,1,1", "patient_count", "beneficiaries exceed transaction_count"),
    (f"{A},{B},4,-40,1,1", "transaction_count", "negative count"),
    (f"{A},{B},4,40,soon,1", "average_day_wait", "not a non-negative number"),
    (f"{A},{B},4,40,1,-2", "std_day_wait", "not a non-negative number"),
    (f"{A},{B},4,40,1,nan", "std_day_wait", "not a non-negative number"),
    (f"{A},{B},4,40,1", "row", "expected 6 fields, got 5"),
]


@pytest.mark.parametrize(("line", "field", "reason"), DOCGRAPH_CASES)
def test_docgraph_reject_reasons(tmp_path: Path, line: str, field: str, reason: str) -> None:
    path = _write(tmp_path, f"{HEADER}\n{line}\n")
    (bad,) = _rejects(ReferralsLoader(), path)
    assert isinstance(bad, list)
    assert (bad[0].line, bad[0].field, bad[0].reason) == (2, field, reason)


def test_a_row_the_csv_reader_could_not_parse_is_a_reject() -> None:
    loader = ReferralsLoader()
    ctx = loader.context_for(Path("x.csv"), Layout.CMS)
    result = loader.transform(RawRow("x.csv", 3, (ctx, {"__error__": "field larger than field limit"})))
    assert isinstance(result, list)
    assert (result[0].line, result[0].field, result[0].reason) == (3, "row", "unparseable CSV row")


def test_empty_wait_statistics_are_allowed(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n{A},{B},4,40,,\n")
    (mapped,) = _rejects(ReferralsLoader(), path)
    assert isinstance(mapped, Mapped)


def test_reasons_are_categories_and_the_numbers_go_in_the_value(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{A},{B},10,11,0\n{B},{A},20,25,0\n{A},{C},5,1,6\n")
    rejects_csv = tmp_path / "rejects.csv"
    report = run_load(ReferralsLoader(), [path], _store(A, B, C), LoadOptions(rejects_path=rejects_csv))
    assert report.reject_reasons == {
        "beneficiaries exceed pair_count": 2,
        "same-day count exceeds pair_count": 1,
    }
    with rejects_csv.open(newline="") as fh:
        assert [r["value"] for r in csv.DictReader(fh)] == ["11 > 10", "25 > 20", "6 > 5"]


def test_every_bad_field_is_written_but_the_row_counts_once(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{A},{B},40,12,3\n{BAD_LUHN},123,-1,x,0\n")
    rejects_csv = tmp_path / "rejects.csv"
    report = run_load(ReferralsLoader(), [path], _store(A, B), LoadOptions(rejects_path=rejects_csv))
    assert (report.read, report.rejected, report.created) == (2, 1, 1)
    with rejects_csv.open(newline="") as fh:
        fields = [r["field"] for r in csv.DictReader(fh)]
    assert fields == ["npi_from", "npi_to", "pair_count", "beneficiaries"]


# -- skips, idempotence ---------------------------------------------------------------------------------


def test_unknown_npis_are_skipped_with_reasons_never_invented(tmp_path: Path) -> None:
    lines = [f"{A},{B},40,12,3", f"{UNKNOWN},{B},20,11,0", f"{A},{UNKNOWN},20,11,0", f"{UNKNOWN},{C},9,9,0"]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    store = _store(A, B, C)
    report = _load(path, store, batch=2)
    assert (report.read, report.created, report.skipped) == (4, 1, 3)
    assert report.skip_reasons == {SKIP_FROM: 2, SKIP_TO: 1}
    assert store.existing_keys(Label.PRACTITIONER, [UNKNOWN]) == set()
    assert store.referral_counts(A, [B]) == {B: 40}


def test_reload_is_idempotent_and_a_changed_count_updates(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{A},{B},40,12,3\n{B},{C},15,11,0\n")
    store = _store(A, B, C)
    _load(path, store)
    before = store.checksum()
    again = _load(path, store)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert store.checksum() == before
    changed = _write(tmp_path, f"{A},{B},41,12,3\n{B},{C},15,11,0\n")
    third = _load(changed, store)
    assert (third.updated, third.unchanged) == (1, 1)
    assert store.top_referral_targets([A], 5) == {A: [(B, 41)]}


def test_cms_and_docgraph_edges_of_one_pair_coexist(tmp_path: Path) -> None:
    store = _store(A, B)
    _load(_write(tmp_path, f"{A},{B},40,12,3\n", "cms.csv"), store)
    _load(_write(tmp_path, f"{HEADER}\n{A},{B},12,30,2.0,1.0\n", "hop.csv"), store)
    assert store.stats().relationships["REFERS_TO"] == 2
    assert store.referral_counts(A, [B]) == {B: 70}


# -- property: malformed rows never crash and are all accounted -----------------------------------------

_cell = st.one_of(
    st.sampled_from([A, B, C, UNKNOWN, BAD_LUHN, "", "-1", "0", "7", "12", "1e3", " 5 ", "NaN", "abc"]),
    st.integers(min_value=-5, max_value=10**12).map(str),
    st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=12),
)
_row = st.lists(_cell, min_size=0, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=0, max_size=25), docgraph=st.booleans())
def test_malformed_rows_never_crash_and_all_are_accounted(
    tmp_path: Path, rows: list[list[str]], docgraph: bool
) -> None:
    path = tmp_path / "fuzz.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(DOCGRAPH_COLUMNS) if docgraph else [A, B, "40", "12", "3"])
        writer.writerows(rows)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        physical_rows = sum(1 for _ in csv.reader(fh))
    report = run_load(ReferralsLoader(), [path], _store(A, B, C), LoadOptions(batch_size=7))
    assert report.balanced
    assert report.read == physical_rows - (1 if docgraph else 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=200))
def test_garbage_bytes_after_a_valid_first_line_are_accounted(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(f"{A},{B},40,12,3\n".encode() + garbage)
    report = run_load(ReferralsLoader(), [path], _store(A, B), LoadOptions())
    assert report.balanced
    assert report.read >= 1


# -- property: the well-formed CMS row's quick mapping is the full check's ------------------------------

_count_cell = st.one_of(
    st.integers(min_value=0, max_value=10**20).map(str),
    st.sampled_from(["", "-3", "007", " 12", "12 ", "12\n", "\u0663", "\u00b2", "1_000", "+4", "9" * 19]),
)


@settings(max_examples=300, deadline=None)
@given(
    a=st.sampled_from([A, B, UNKNOWN, BAD_LUHN, f" {A}", "123"]),
    b=st.sampled_from([A, B, C, f"{B} "]),
    counts=st.lists(_count_cell, min_size=3, max_size=3),
    window=st.sampled_from([None, 30]),
    year=st.sampled_from([None, 2015]),
)
def test_a_cms_row_maps_as_the_full_check_maps_it(
    a: str, b: str, counts: list[str], window: int | None, year: int | None
) -> None:
    ctx = FileContext(Layout.CMS, window, year)
    raw = RawRow("r.csv", 9, (ctx, [a, b, *counts]))
    full = _map_row(raw, ctx, [f.strip() for f in [a, b, *counts]])
    assert ReferralsLoader().transform(raw) == full
