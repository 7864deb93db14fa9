"""``pnet load counties``: SSA codes, FIPS codes or names; overrides; rejects with reasons; accounting."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loaders.counties import CountiesLoader
from loaders.errors import UnreadableSource
from loaders.pipeline import LoadOptions, Mapped, run_load
from loaders.report import Reject
from network.adequacy.crosswalk import Crosswalk, crosswalk
from network.model import County, Label
from network.store.memory import MemoryStore

HEADER = (
    "COUNTY,ST,COUNTY DESIGNATION,TOTAL BENEFICIARIES,95th PERCENTILE BASE POPULATION RATIO,"
    "BENEFICIARIES REQUIRED TO COVER"
)


def _file(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / "counties.csv"
    path.write_text("\n".join((header, *rows)) + "\n")
    return path


def _transform(path: Path) -> list[Mapped | list[Reject]]:
    loader = CountiesLoader()
    return [loader.transform(raw) for raw in loader.harvest(path)]


def _rejects(result: Mapped | list[Reject]) -> list[tuple[str, str]]:
    assert isinstance(result, list), result
    return [(r.field, r.reason) for r in result]


def _county(result: Mapped | list[Reject]) -> County:
    assert isinstance(result, Mapped), result
    assert isinstance(result.primary, County)
    return result.primary


def test_counties_by_name_ssa_code_or_fips_code_store_both_codes(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        HEADER,
        "Hartford,CT,Metro,200000,0.0329,6580",  # a name with its state (addfips)
        "07040,CT,Metro,180000,0.03,5400",  # CT's SSA code for New Haven (FIPS 09009)
        "09011,ct,micro,70000,0.04,2800",  # a FIPS code; state and designation in any case
        "7060,CT,Rural,30000,0.05,1500",  # an SSA code that lost its leading zero (Tolland)
    )
    counties = [_county(r) for r in _transform(path)]
    assert [(c.fips, c.ssa_code, c.state, c.designation) for c in counties] == [
        ("09003", "07010", "CT", "Metro"),
        ("09009", "07040", "CT", "Metro"),
        ("09011", "07050", "CT", "Micro"),
        ("09013", "07060", "CT", "Rural"),
    ]
    assert counties[0].name == "Hartford County"
    assert (counties[0].total_beneficiaries, counties[0].base_population_ratio) == (200000, 0.0329)
    assert counties[0].beneficiaries_required == 6580


def test_explicit_code_columns_and_conflicts(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        HEADER + ",SSA CODE,FIPS",
        "Los Angeles,CA,Large Metro,1,0.1,1,05210,06037",  # LA has two SSA codes; the row's is kept
        "Alameda,CA,Metro,1,0.1,1,05000,06003",  # SSA 05000 is Alameda (06001): the columns disagree
        "Nowhere,CA,Metro,1,0.1,1,05999,",  # an SSA code the crosswalk does not know
        "Hartford,CT,Metro,1,0.1,1,,09009",  # the FIPS column decides over the name
    )
    results = _transform(path)
    la = _county(results[0])
    assert (la.fips, la.ssa_code) == ("06037", "05210")
    assert _rejects(results[1]) == [("SSA CODE", "SSA code and FIPS code name different counties")]
    assert _rejects(results[2])[0][1].startswith("unknown SSA county code for CA")
    assert _county(results[3]).fips == "09009"


def test_bad_rows_are_rejected_with_field_and_reason(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        HEADER,
        "Hartford,ZZ,Metro,1,0.1,1",
        "Hartford,CT,Suburban,1,0.1,1",
        "Hartford,CT,Metro,-1200,0.1,1",
        "Hartford,CT,Metro,1,0.1,",
        "Atlantis,CT,Metro,1,0.1,1",
        "99999,CT,Metro,1,0.1,1",
    )
    reasons = [_rejects(res) for res in _transform(path)]
    assert reasons == [
        [("ST", "not a US state or territory code")],
        [("COUNTY DESIGNATION", "not Large Metro, Metro, Micro, Rural or CEAC")],
        [("TOTAL BENEFICIARIES", "must be a whole number >= 0")],
        [("BENEFICIARIES REQUIRED TO COVER", "required")],
        [("COUNTY", "no county of that name in CT")],
        [("COUNTY", "neither a FIPS nor a known SSA county code of CT")],
    ]


def test_ambiguous_codes_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Real codes never collide within a state; a crosswalk where 01001 is also an SSA code shows the guard.
    real = crosswalk()
    fake = Crosswalk({**real.fips_of_ssa, "01001": "01003"}, real.ssa_of_fips, real.state_of_fips)
    monkeypatch.setattr("loaders.counties.crosswalk", lambda: fake)
    result = _transform(_file(tmp_path, HEADER, "01001,AL,Rural,1,0.1,1"))[0]
    assert isinstance(result, list) and "ambiguous" in result[0].reason


def test_override_columns_become_county_limits(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        HEADER + ",Cardiology MAX TIME,Cardiology MAX DISTANCE,primary care max distance",
        "Hartford,CT,Metro,1,0.1,1,25,15,7.5",
        "Tolland,CT,Rural,1,0.1,1,,,",
        "Windham,CT,Rural,1,0.1,1,,x,",
    )
    results = _transform(path)
    assert json.loads(_county(results[0]).overrides_json or "") == {
        "Cardiology": [25.0, 15.0],
        "Primary Care": [None, 7.5],
    }
    assert _county(results[1]).overrides_json is None
    assert _rejects(results[2]) == [("Cardiology MAX DISTANCE", "not a number")]


def test_unknown_layouts_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableSource, match="did you mean 'Cardiology'"):
        _transform(_file(tmp_path, HEADER + ",Cardiolgy MAX DISTANCE", "Hartford,CT,Metro,1,0.1,1,5"))
    with pytest.raises(UnreadableSource, match="COUNTY DESIGNATION"):
        _transform(_file(tmp_path, "COUNTY,ST,TOTAL BENEFICIARIES", "Hartford,CT,1"))


def test_load_accounts_for_every_row_and_is_idempotent(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        HEADER,
        "Hartford,CT,Metro,200000,0.0329,6580",
        "07040,CT,Metro,180000,0.03,5400",
        "Hartford County,CT,Metro,200000,0.0329,6580",  # the same county again, same content
        "Atlantis,CT,Metro,1,0.1,1",
    )
    store = MemoryStore()
    options = LoadOptions(rejects_path=tmp_path / "rejects.csv")
    first = run_load(CountiesLoader(), [path], store, options)
    assert (first.read, first.created, first.updated, first.unchanged, first.rejected) == (4, 2, 0, 1, 1)
    assert first.balanced
    checksum = store.checksum()
    again = run_load(CountiesLoader(), [path], store, options)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 1)
    assert store.checksum() == checksum
    assert sorted(store.keys(Label.COUNTY)) == ["09003", "09009"]
    assert "Atlantis" in (tmp_path / "rejects.csv").read_text()


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["Hartford", "09003", "07040", "CT", "ZZ", "Metro", "CEAC", "Rural", "-5", "1e9", "0.03", ""]
    ),
    st.integers(-10, 10**7).map(str),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=9), max_size=15))  # a blank line is no row
@example(
    rows=[["", "", "", "", "", "INF"], ["Hartford", "CT", "Metro", "nan", "0.1", "1"]]
)  # float() takes these
def test_malformed_rows_never_crash_and_every_row_is_accounted(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "fuzz.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER.split(","))
        writer.writerows(rows)
    store = MemoryStore()
    report = run_load(CountiesLoader(), [path], store, LoadOptions(batch_size=3))
    assert report.read == len(rows)
    assert report.balanced, report.as_dict()
    assert report.created == store.stats().nodes.get("County", 0)
