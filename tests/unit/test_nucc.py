"""The NUCC taxonomy loader: names from the file, PCP eligibility and CMS types from pnet's reference data."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import UnreadableSource
from loaders.nucc import NuccLoader
from loaders.pipeline import LoadOptions, RawRow, run_load
from loaders.report import LoadReport
from network.model import Label, Specialty
from network.specialties import reference
from network.store.memory import MemoryStore

COLS = [
    "Code",
    "Grouping",
    "Classification",
    "Specialization",
    "Definition",
    "Notes",
    "Display Name",
    "Section",
]
FAMILY = [
    "207Q00000X",
    "Allopathic & Osteopathic Physicians",
    "Family Medicine",
    "",
    "Family Medicine is the medical specialty which is concerned with the total health care",
    "Source: ABMS",
    "Family Medicine Physician",
    "Individual",
]
CARDIO = [
    "207RC0000X",
    "Allopathic & Osteopathic Physicians",
    "Internal Medicine",
    "Cardiovascular Disease",
    "",
    "",
    "",
    "Individual",
]


def write(path: Path, rows: list[list[str]], cols: list[str] = COLS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(cols)
        out.writerows(rows)
    return path


def load(path: Path, store: MemoryStore, rejects: Path | None = None) -> LoadReport:
    report = run_load(NuccLoader(), [path], store, LoadOptions(rejects_path=rejects))
    assert report.balanced, report.as_dict()
    return report


def test_names_from_the_file_types_from_reference(tmp_path: Path) -> None:
    store = MemoryStore()
    report = load(write(tmp_path / "nucc.csv", [FAMILY, CARDIO]), store)
    assert (report.read, report.created) == (2, 2)
    family = store.get(Label.SPECIALTY, "207Q00000X")
    assert family == Specialty(
        code="207Q00000X",
        display="Family Medicine Physician",
        grouping="Allopathic & Osteopathic Physicians",
        classification="Family Medicine",
        specialization=None,
        pcp_eligible=True,
        cms_type=reference().cms_type_of["207Q00000X"],
    )
    cardio = store.get(Label.SPECIALTY, "207RC0000X")
    assert isinstance(cardio, Specialty)
    assert cardio.display == "Internal Medicine / Cardiovascular Disease"  # no Display Name: built
    assert (cardio.pcp_eligible, cardio.cms_type) == (False, "Cardiology")


def test_replaces_a_stub_and_reload_changes_nothing(tmp_path: Path) -> None:
    store = MemoryStore()
    store.ensure_specialties([reference().stub("207Q00000X")])
    path = write(tmp_path / "nucc.csv", [FAMILY])
    first = load(path, store)
    before = store.checksum()
    again = load(path, store)
    assert (first.updated, again.unchanged, store.checksum()) == (1, 1, before)


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (["207Q0000X", *FAMILY[1:]], "Code", "malformed taxonomy code"),
        (["", *FAMILY[1:]], "Code", "malformed taxonomy code"),
        (
            ["207Q00000X", "Group", "", "", "def", "", "", "Individual"],
            "Display Name",
            "no name: Display Name, Classification and Specialization are empty",
        ),
        (FAMILY[:5], "(row)", "wrong number of fields"),
        ([*FAMILY, "extra"], "(row)", "wrong number of fields"),
    ],
)
def test_rejects(tmp_path: Path, row: list[str], field: str, reason: str) -> None:
    store = MemoryStore()
    report = load(write(tmp_path / "nucc.csv", [row, CARDIO]), store, tmp_path / "rejects.csv")
    assert (report.read, report.rejected, report.created, report.reject_reasons) == (2, 1, 1, {reason: 1})
    with (tmp_path / "rejects.csv").open() as fh:
        (reject,) = list(csv.DictReader(fh))
    assert (reject["line"], reject["field"]) == ("2", field)


def test_lower_case_codes_are_normalised(tmp_path: Path) -> None:
    store = MemoryStore()
    load(write(tmp_path / "nucc.csv", [[" 207q00000x ", *FAMILY[1:]]]), store)
    assert store.existing_keys(Label.SPECIALTY, ["207Q00000X"]) == {"207Q00000X"}


def test_csv_errors_become_rejects() -> None:
    result = NuccLoader().transform(RawRow("nucc.csv", 3, {"__error__": "boom"}))
    assert isinstance(result, list) and result[0].reason == "unparseable CSV row"


@pytest.mark.parametrize("cols", [["Kode", *COLS[1:]], ["Code", "Grouping", "Definition"]])
def test_not_a_nucc_file_is_refused(tmp_path: Path, cols: list[str]) -> None:
    with pytest.raises(UnreadableSource, match="not a NUCC taxonomy file"):
        load(write(tmp_path / "x.csv", [], cols), MemoryStore())


field = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=15),
    st.sampled_from(["207Q00000X", "207RC0000X", "101Y00000X", "", "Family Medicine"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(field, min_size=0, max_size=10), max_size=20),
    junk=st.lists(st.binary(max_size=30), max_size=3),
)
def test_malformed_files_are_all_accounted(rows: list[list[str]], junk: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "nucc.csv", rows)
        with path.open("ab") as fh:
            for chunk in junk:
                fh.write(chunk + b"\n")
        store = MemoryStore()
        report = run_load(NuccLoader(), [path], store, LoadOptions())
    written = report.created + report.updated + report.unchanged
    assert report.read == written + report.rejected + report.skipped, report.as_dict()
    for spec in store.get_many(Label.SPECIALTY, store.keys(Label.SPECIALTY)).values():
        assert isinstance(spec, Specialty) and spec.display
