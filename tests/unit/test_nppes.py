"""The NPPES loader on small generated files: layouts, taxonomy slots, credentials, ZIPs, deactivation,
every reject reason and the row accounting."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from support.nppes_rows import BASE_COLUMNS, NPI_A, NPI_B, NPI_ORG, header, person

from loaders.errors import UnreadableSource
from loaders.nppes import STATE_FILTER, NppesLoader, make_loader
from loaders.nppes_columns import Columns
from loaders.nppes_fields import address_location_id, normalize_credential, organization_kind
from loaders.pipeline import LoadOptions, RawRow, run_load
from loaders.registry import SourceOptions
from loaders.report import LoadReport
from network.errors import InvalidInput
from network.geo import zip_centroid
from network.model import Label, Location, Organization, Practitioner, Record, Specialty
from network.store.memory import MemoryStore
from network.validate import with_check_digit


def write_nppes(
    path: Path, rows: Sequence[dict[str, str] | list[str]], cols: list[str] | None = None
) -> Path:
    cols = cols or header()
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(cols)
        for row in rows:
            if isinstance(row, dict):
                if "Provider Sex Code" in row and "Provider Sex Code" not in cols:
                    row = {**row, "Provider Gender Code": row["Provider Sex Code"]}
                out.writerow([row.get(c, "") for c in cols])
            else:
                out.writerow(row)
    return path


def load(
    tmp_path: Path,
    rows: Sequence[dict[str, str] | list[str]],
    store: MemoryStore | None = None,
    states: frozenset[str] | None = None,
    cols: list[str] | None = None,
) -> tuple[LoadReport, MemoryStore, NppesLoader]:
    store = store or MemoryStore()
    loader = NppesLoader(states=states)
    path = write_nppes(tmp_path / "npidata.csv", rows, cols)
    report = run_load(loader, [path], store, LoadOptions(rejects_path=tmp_path / "rejects.csv"))
    assert report.balanced, report.as_dict()
    return report, store, loader


def practitioner(store: MemoryStore, npi: str = NPI_A) -> Practitioner:
    rec = store.get(Label.PRACTITIONER, npi)
    assert isinstance(rec, Practitioner)
    return rec


# -- layouts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2018", "2024"])
def test_both_layouts_read_by_header_name(tmp_path: Path, layout: str) -> None:
    cols = header(layout)
    cols.reverse()  # positions must not matter
    report, store, _ = load(tmp_path, [person()], cols=cols)
    assert report.created == 1
    rec = practitioner(store)
    assert (rec.sex, rec.last_name, rec.primary_specialty) == ("F", "SMITH", "207RC0000X")


def test_header_names_are_trimmed_and_case_blind() -> None:
    cols = Columns.from_header([f"  {c.upper()} " for c in header()])
    assert cols.npi == 0 and cols.sex == len(BASE_COLUMNS)


def test_missing_optional_columns_point_at_the_padding_slot() -> None:
    cols = Columns.from_header([*BASE_COLUMNS[:2], *BASE_COLUMNS[9:13]])
    assert cols.width == 6
    assert cols.credential == cols.sex == cols.last_name == cols.deactivation == 6
    assert cols.slots == ()


def test_file_without_optional_columns_still_loads(tmp_path: Path) -> None:
    cols = [*BASE_COLUMNS[:2], BASE_COLUMNS[4], *BASE_COLUMNS[9:13]]
    report, store, _ = load(tmp_path, [person()], cols=cols)
    rec = practitioner(store)
    assert (rec.name, rec.sex, rec.specialties, report.created) == ("SMITH", None, (), 1)


@pytest.mark.parametrize(
    "drop", ["NPI", "Entity Type Code", "Provider Business Practice Location Address State Name"]
)
def test_file_lacking_a_required_column_is_refused(tmp_path: Path, drop: str) -> None:
    cols = [c for c in header() if c != drop]
    path = write_nppes(tmp_path / "x.csv", [person()], cols)
    with pytest.raises(UnreadableSource, match="header lacks"):
        run_load(NppesLoader(), [path], MemoryStore(), LoadOptions())


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(UnreadableSource, match="empty"):
        run_load(NppesLoader(), [path], MemoryStore(), LoadOptions())


# -- taxonomy slots --------------------------------------------------------------------------------


def _slots(*pairs: tuple[str, str]) -> dict[str, str]:
    row = person(
        **{"Healthcare Provider Taxonomy Code_1": "", "Healthcare Provider Primary Taxonomy Switch_1": ""}
    )
    for n, (code, switch) in enumerate(pairs, start=1):
        row[f"Healthcare Provider Taxonomy Code_{n}"] = code
        row[f"Healthcare Provider Primary Taxonomy Switch_{n}"] = switch
    return row


def test_primary_is_the_slot_that_says_y_not_slot_1(tmp_path: Path) -> None:
    row = _slots(("207R00000X", "N"), ("207Q00000X", "N"), ("207RC0000X", "Y"))
    _, store, loader = load(tmp_path, [row])
    rec = practitioner(store)
    assert rec.primary_specialty == "207RC0000X"
    assert rec.specialties == ("207R00000X", "207Q00000X", "207RC0000X")
    assert loader.notes() == []


def test_no_primary_switch_takes_the_first_code_and_notes_it(tmp_path: Path) -> None:
    _, store, loader = load(tmp_path, [_slots(("207Q00000X", "X"), ("207R00000X", "X"))])
    assert practitioner(store).primary_specialty == "207Q00000X"
    assert loader.primary_fallbacks == 1
    assert "1 rows" in loader.notes()[0]


def test_several_y_switches_take_the_first(tmp_path: Path) -> None:
    _, store, _ = load(tmp_path, [_slots(("207Q00000X", "N"), ("207R00000X", "Y"), ("207RC0000X", "Y"))])
    assert practitioner(store).primary_specialty == "207R00000X"


def test_slot_15_and_duplicates(tmp_path: Path) -> None:
    row = _slots(("207Q00000X", "N"), ("207Q00000X", "N"))
    row["Healthcare Provider Taxonomy Code_15"] = "207rc0000x "
    row["Healthcare Provider Primary Taxonomy Switch_15"] = "y"
    _, store, _ = load(tmp_path, [row])
    rec = practitioner(store)
    assert rec.specialties == ("207Q00000X", "207RC0000X") and rec.primary_specialty == "207RC0000X"


def test_no_taxonomy_at_all_is_accepted_without_a_note(tmp_path: Path) -> None:
    _, store, loader = load(tmp_path, [_slots()])
    assert practitioner(store).specialties == () and loader.notes() == []


def test_specialty_stubs_give_edges_targets_without_overwriting_nucc_names(tmp_path: Path) -> None:
    store = MemoryStore()
    named = Specialty(code="207RC0000X", display="Cardiovascular Disease Physician", cms_type="Cardiology")
    store.upsert([named])
    load(tmp_path, [_slots(("207RC0000X", "Y"), ("207Q00000X", "N"))], store=store)
    assert store.get(Label.SPECIALTY, "207RC0000X") == named
    stub = store.get(Label.SPECIALTY, "207Q00000X")
    assert isinstance(stub, Specialty) and stub.display == "207Q00000X" and stub.pcp_eligible
    assert store.stats().relationships["HAS_SPECIALTY"] == 2


class _EnsureCounter(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.ensured: list[str] = []

    def ensure_specialties(self, records: Sequence[Record]) -> int:
        self.ensured += [rec.key for rec in records]
        return super().ensure_specialties(records)


def test_each_specialty_code_is_ensured_once_per_load(tmp_path: Path) -> None:
    # One batch per row: the later rows' codes exist already and cost the writing thread no round trip.
    store = _EnsureCounter()
    npis = [with_check_digit(f"10000{i:04d}") for i in range(1, 5)]
    rows = [{**_slots(("207RC0000X", "Y"), ("207Q00000X", "N")), "NPI": n} for n in npis[:3]]
    rows.append({**_slots(("208D00000X", "Y"), ("207RC0000X", "N")), "NPI": npis[3]})
    path = write_nppes(tmp_path / "npidata.csv", rows)
    report = run_load(NppesLoader(), [path], store, LoadOptions(batch_size=1))
    assert report.created == 4
    assert sorted(store.ensured) == ["207Q00000X", "207RC0000X", "208D00000X"]
    assert store.stats().relationships["HAS_SPECIALTY"] == 8


# -- names, credentials, sex ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M.D.", "MD"),
        ("m.d", "MD"),
        ("D.O.", "DO"),
        (" MD ", "MD"),
        ("O. D.", "OD"),
        ("PH. D.", "PHD"),
        ("PHARM D", "PHARMD"),
        ("M.D., PH.D.", "MD, PHD"),
        ("M.D.,PH.D", "MD, PHD"),
        ("PHARM.D.; D.D.S.", "PHARMD, DDS"),
        ("MSSS / LCSW", "MSSS, LCSW"),
        ("M.D.  J.D.", "MD, JD"),
        ("D.D.S., M.S. F.A.G.D", "DDS, MS, FAGD"),
        ("MD, M.D.", "MD"),
        ("MEDICAL DOCTOR", "MEDICAL DOCTOR"),
        ("PA-C", "PA-C"),
        ("", None),
        (" . , ", None),
    ],
)
def test_credential_normalisation(raw: str, expected: str | None) -> None:
    assert normalize_credential(raw) == expected


def test_display_name_and_suffix(tmp_path: Path) -> None:
    _, store, _ = load(
        tmp_path, [person(**{"Provider Name Suffix Text": "JR.", "Provider Credential Text": "d.o."})]
    )
    rec = practitioner(store)
    assert (rec.name, rec.first_name, rec.credential) == ("ANNA B SMITH JR., DO", "ANNA", "DO")
    assert rec.languages == ()


@pytest.mark.parametrize(
    ("raw", "sex"), [("M", "M"), ("F", "F"), ("f", "F"), ("X", None), ("U", None), ("", None)]
)
def test_sex_codes(tmp_path: Path, raw: str, sex: str | None) -> None:
    _, store, _ = load(tmp_path, [person(**{"Provider Sex Code": raw})], cols=header("2018"))
    assert practitioner(store).sex == sex


# -- locations ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "zip5"), [("6032", "06032"), ("06032", "06032"), ("060321912", "06032"), ("60321912", "06032")]
)
def test_zip_restoration_and_geocoding(tmp_path: Path, raw: str, zip5: str) -> None:
    _, store, _ = load(tmp_path, [person(**{"Provider Business Practice Location Address Postal Code": raw})])
    (loc_id,) = practitioner(store).location_ids
    loc = store.get(Label.LOCATION, loc_id)
    centroid = zip_centroid(zip5)
    assert isinstance(loc, Location) and centroid is not None
    assert (loc.zip, loc.state, loc.lat, loc.lon) == (zip5, "CT", centroid.lat, centroid.lon)
    assert (loc.precision, loc.county_fips) == (centroid.precision, centroid.county_fips)
    assert loc.address_line == "263 FARMINGTON AVE"
    assert loc_id == address_location_id("263 farmington ave.", "Farmington", "ct", zip5)


def test_unknown_zip5_falls_back_to_its_zip3_area(tmp_path: Path) -> None:
    _, store, _ = load(
        tmp_path, [person(**{"Provider Business Practice Location Address Postal Code": "06012"})]
    )
    loc = store.get(Label.LOCATION, practitioner(store).location_ids[0])
    assert isinstance(loc, Location) and loc.precision == "zip3_centroid" and loc.lat is not None


def test_same_address_is_one_location(tmp_path: Path) -> None:
    other = person(NPI_B, **{"Provider First Line Business Practice Location Address": "263 FARMINGTON AVE."})
    report, store, _ = load(tmp_path, [person(), other])
    assert store.stats().nodes["Location"] == 1
    assert report.related["Location"]["created"] == 1


# -- deactivation ----------------------------------------------------------------------------------


def test_deactivated_row_is_kept_inactive_without_location(tmp_path: Path) -> None:
    row = person(
        **{
            "NPI Deactivation Date": "03/16/2006",
            "Provider Business Practice Location Address State Name": "",
        }
    )
    report, store, _ = load(tmp_path, [row])
    rec = practitioner(store)
    assert (rec.active, rec.deactivated_on, rec.location_ids, rec.name) == (
        False,
        "2006-03-16",
        (),
        "ANNA B SMITH, MD",
    )
    assert report.created == 1 and "Location" not in store.stats().nodes


def test_later_reactivation_means_active(tmp_path: Path) -> None:
    row = person(**{"NPI Deactivation Date": "03/16/2006", "NPI Reactivation Date": "03/20/2006"})
    _, store, _ = load(tmp_path, [row])
    rec = practitioner(store)
    assert (rec.active, rec.deactivated_on, len(rec.location_ids)) == (True, None, 1)


def _sparse(npi: str = NPI_A) -> dict[str, str]:
    """A deactivated NPI as real NPPES ships it: the NPI and the date, nothing else."""
    return {"NPI": npi, "NPI Deactivation Date": "05/01/2020"}


def test_sparse_deactivation_marks_the_known_practitioner(tmp_path: Path) -> None:
    _, store, _ = load(tmp_path, [person()])
    _, store, _ = load(tmp_path, [_sparse()], store=store)
    rec = practitioner(store)
    assert (rec.active, rec.deactivated_on, rec.name) == (False, "2020-05-01", "ANNA B SMITH, MD")
    assert rec.location_ids and rec.specialties == ("207RC0000X",)


def test_sparse_deactivation_later_in_the_same_batch(tmp_path: Path) -> None:
    _, store, _ = load(tmp_path, [person(), _sparse()])
    rec = practitioner(store)
    assert (rec.active, rec.name) == (False, "ANNA B SMITH, MD")


def test_sparse_deactivation_of_a_known_organization(tmp_path: Path) -> None:
    org = person(
        NPI_ORG, **{"Entity Type Code": "2", "Provider Organization Name (Legal Business Name)": "X"}
    )
    _, store, _ = load(tmp_path, [org, _sparse(NPI_ORG)])
    rec = store.get(Label.ORGANIZATION, f"npi:{NPI_ORG}")
    assert isinstance(rec, Organization) and (rec.active, rec.name) == (False, "X")
    assert store.get(Label.PRACTITIONER, NPI_ORG) is None


def test_sparse_deactivation_of_an_unknown_npi(tmp_path: Path) -> None:
    report, store, _ = load(tmp_path, [_sparse()])
    rec = practitioner(store)
    assert (rec.active, rec.deactivated_on, rec.name, report.created) == (False, "2020-05-01", "", 1)
    report, _, _ = load(tmp_path, [_sparse()], states=frozenset({"CT"}))
    assert (report.skipped, report.skip_reasons) == (1, {STATE_FILTER: 1})


def test_sparse_deactivation_passes_the_state_filter_when_known(tmp_path: Path) -> None:
    _, store, _ = load(tmp_path, [person()])
    report, store, _ = load(tmp_path, [_sparse()], store=store, states=frozenset({"CT"}))
    assert (report.updated, report.skipped, practitioner(store).active) == (1, 0, False)


# -- organizations ---------------------------------------------------------------------------------


def test_organization_row(tmp_path: Path) -> None:
    row = person(
        NPI_ORG,
        **{
            "Entity Type Code": "2",
            "Provider Last Name (Legal Name)": "",
            "Provider Organization Name (Legal Business Name)": "HARTFORD  HOSPITAL",
            "Healthcare Provider Taxonomy Code_1": "261QM0801X",
            "Healthcare Provider Primary Taxonomy Switch_1": "N",
            "Healthcare Provider Taxonomy Code_2": "282N00000X",
            "Healthcare Provider Primary Taxonomy Switch_2": "Y",
        },
    )
    _, store, _ = load(tmp_path, [row])
    rec = store.get(Label.ORGANIZATION, f"npi:{NPI_ORG}")
    assert isinstance(rec, Organization)
    assert (rec.name, rec.kind, rec.npi, rec.specialties) == (
        "HARTFORD HOSPITAL",
        "facility",
        NPI_ORG,
        ("261QM0801X", "282N00000X"),
    )
    assert len(rec.location_ids) == 1 and store.stats().relationships["OPERATES"] == 1


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("282N00000X", "facility"),
        ("261QF0400X", "facility"),
        ("273R00000X", "facility"),
        ("314000000X", "facility"),
        ("332B00000X", "facility"),
        ("193200000X", "provider_group"),
        ("207Q00000X", "provider_group"),
        ("302R00000X", "other"),
        (None, "provider_group"),
    ],
)
def test_organization_kind_from_taxonomy(code: str | None, kind: str) -> None:
    assert organization_kind(code) == kind


# -- rejects and accounting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"NPI": "1234567890"}, "NPI", "NPI check digit (Luhn, prefix 80840) fails"),
        ({"NPI": "12345"}, "NPI", "NPI must be 10 digits"),
        ({"NPI": "9941339100"}, "NPI", "NPI must start with 1 or 2"),
        (
            {"Entity Type Code": "3"},
            "Entity Type Code",
            "entity type must be 1 (individual) or 2 (organization)",
        ),
        (
            {"Entity Type Code": ""},
            "Entity Type Code",
            "entity type must be 1 (individual) or 2 (organization)",
        ),
        (
            {"Provider Business Practice Location Address State Name": "ZZ"},
            "Provider Business Practice Location Address State Name",
            "not a US state code",
        ),
        (
            {"Provider Business Practice Location Address Postal Code": "12"},
            "Provider Business Practice Location Address Postal Code",
            "ZIP cannot be restored to 5 digits",
        ),
        (
            {"Provider Business Practice Location Address Postal Code": "0603A"},
            "Provider Business Practice Location Address Postal Code",
            "ZIP cannot be restored to 5 digits",
        ),
        ({"NPI Deactivation Date": "13/45/2006"}, "NPI Deactivation Date", "unparseable date"),
        ({"NPI Reactivation Date": "soon"}, "NPI Reactivation Date", "unparseable date"),
        (
            {"Healthcare Provider Taxonomy Code_3": "207RC000"},
            "Healthcare Provider Taxonomy Code_3",
            "malformed taxonomy code",
        ),
        (
            {"Provider Last Name (Legal Name)": " "},
            "Provider Last Name (Legal Name)",
            "practitioner without last name",
        ),
        (
            {"Entity Type Code": "2"},
            "Provider Organization Name (Legal Business Name)",
            "organization without a name",
        ),
    ],
)
def test_every_reject_reason(tmp_path: Path, change: dict[str, str], column: str, reason: str) -> None:
    report, store, _ = load(tmp_path, [person(**change), person(NPI_B)])
    assert (report.read, report.rejected, report.created) == (2, 1, 1)
    assert report.reject_reasons == {reason: 1}
    with (tmp_path / "rejects.csv").open() as fh:
        (reject,) = list(csv.DictReader(fh))
    assert (reject["line"], reject["field"], reject["reason"]) == ("2", column, reason)
    assert store.get(Label.PRACTITIONER, change.get("NPI", NPI_A)) is None


def test_one_row_many_problems_counts_once_and_lists_each(tmp_path: Path) -> None:
    bad = person(**{"NPI": "1", "Provider Business Practice Location Address State Name": "QQ"})
    report, _, _ = load(tmp_path, [bad])
    assert (report.read, report.rejected) == (1, 1)
    with (tmp_path / "rejects.csv").open() as fh:
        fields = sorted(r["field"] for r in csv.DictReader(fh))
    assert fields == ["NPI", "Provider Business Practice Location Address State Name"]


def test_rows_with_wrong_field_counts_are_rejected(tmp_path: Path) -> None:
    cols = header()
    good = [person().get(c, "") for c in cols]
    report, _, _ = load(tmp_path, [good[:-3], [*good, "extra"], [], good], cols=cols)
    assert (report.read, report.rejected, report.created) == (3, 2, 1)  # the blank line is no row
    assert report.reject_reasons == {"wrong number of fields": 2}


def test_csv_errors_become_rejects() -> None:
    result = NppesLoader().transform(RawRow("f.csv", 7, {"__error__": "line contains NUL"}))
    assert isinstance(result, list) and (result[0].line, result[0].reason) == (7, "unparseable CSV row")


def test_state_filter_skips_and_accounts(tmp_path: Path) -> None:
    ma = person(NPI_B, **{"Provider Business Practice Location Address State Name": "MA"})
    bad_elsewhere = person(with_check_digit("100000004"), NPI="123")
    report, store, _ = load(tmp_path, [person(), ma, bad_elsewhere], states=frozenset({"MA"}))
    assert (report.read, report.created, report.skipped, report.rejected) == (3, 1, 2, 0)
    assert report.skip_reasons == {STATE_FILTER: 2}
    assert store.existing_keys(Label.PRACTITIONER, [NPI_A, NPI_B]) == {NPI_B}


def test_repeated_npi_later_row_wins_and_reload_is_idempotent(tmp_path: Path) -> None:
    rows = [person(), person(**{"Provider Last Name (Legal Name)": "JONES"})]
    report, store, _ = load(tmp_path, rows)
    assert (report.created, report.updated, report.read) == (1, 1, 2)
    assert practitioner(store).last_name == "JONES"
    before = store.checksum()
    again, store, _ = load(tmp_path, rows, store=store)
    assert store.checksum() == before and (again.created, again.unchanged) == (0, 1)


def test_make_loader_checks_state_codes() -> None:
    assert isinstance(make_loader(SourceOptions(states=frozenset({"CT", "GU"}))), NppesLoader)
    with pytest.raises(InvalidInput, match="XX"):
        make_loader(SourceOptions(states=frozenset({"CT", "XX"})))
