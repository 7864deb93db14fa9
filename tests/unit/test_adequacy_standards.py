"""Standards as data: thresholds by designation, the ceil in the minimum, telehealth credit, overrides."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from network.adequacy.standards import Standards, load_standards, parse_designation
from network.errors import DataError, InvalidInput
from network.model import CountyDesignation as D


@pytest.fixture(scope="module")
def std() -> Standards:
    return load_standards()


@pytest.mark.parametrize(
    ("designation", "pct"),
    [(D.LARGE_METRO, 90), (D.METRO, 90), (D.MICRO, 85), (D.RURAL, 85), (D.CEAC, 85)],
)
def test_access_threshold_by_designation(std: Standards, designation: D, pct: float) -> None:
    assert std.threshold_pct(designation) == pytest.approx(pct)


def test_minimum_is_the_ceiling_of_ratio_times_beneficiaries(std: Standards) -> None:
    # rules.json's own example: ceil(1.67 x 5000 / 1000) = ceil(8.35) = 9
    assert std.minimum_required("Primary Care", D.METRO, 5000) == 9
    assert std.minimum_required("Primary Care", D.MICRO, 5000) == 8  # 1.42 x 5 = 7.1
    assert std.minimum_required("Cardiology", D.METRO, 1) == 1  # 0.00027 rounds up to one provider
    assert std.minimum_required("Cardiology", D.METRO, 0) == 0


def test_minimum_uses_exact_decimals_not_floats(std: Standards) -> None:
    assert 0.07 * 100_000 / 1000 > 7  # the float trap: ceil would say 8
    assert std.minimum_required("Rheumatology", D.LARGE_METRO, 100_000) == 7


def test_no_minimum_without_ratio_or_beneficiaries(std: Standards) -> None:
    assert std.minimum_required("Mammography", D.METRO, 5000) is None  # facility type: no ratio row
    assert std.minimum_required("Cardiology", D.METRO, None) is None


def test_telehealth_credit_only_for_listed_types_with_telehealth(std: Standards) -> None:
    assert std.telehealth_credit_pct("Dermatology", has_telehealth=True) == 10
    assert std.telehealth_credit_pct("Dermatology", has_telehealth=False) == 0
    assert std.telehealth_credit_pct("Urology", has_telehealth=True) == 0  # not in the rule's list


def test_base_limits_and_county_overrides_take_precedence(std: Standards) -> None:
    base = std.limit("Cardiology", D.METRO)
    assert (base.minutes, base.miles, base.source) == (30, 20, "base")
    both = std.limit("Cardiology", D.METRO, {"Cardiology": [25, 15]})
    assert (both.minutes, both.miles, both.source) == (25, 15, "county override")
    miles_only = std.limit("Cardiology", D.METRO, {"Cardiology": [None, 12]})
    assert (miles_only.minutes, miles_only.miles) == (30, 12)
    other_type = std.limit("Urology", D.METRO, {"Cardiology": [25, 15]})
    assert other_type.source == "base"


def test_types_resolve_in_any_case_with_suggestions(std: Standards) -> None:
    assert std.resolve_type("cardiology") == "Cardiology"
    with pytest.raises(InvalidInput) as err:
        std.resolve_type("Cardiolgy")
    assert "Cardiology" in err.value.suggestions
    assert len(std.type_names("provider")) == 29


def test_designations_parse_in_hsd_spellings() -> None:
    assert parse_designation("LARGE METRO") is D.LARGE_METRO
    assert parse_designation("large_metro") is D.LARGE_METRO
    assert parse_designation(" ceac ") is D.CEAC
    assert parse_designation("Suburban") is None


def _copy_default(tmp_path: Path) -> Path:
    src = resources.files("network").joinpath("data", "cms_422_116", "2025")
    dest = tmp_path / "state-2026"
    dest.mkdir()
    for name in ("time_distance.csv", "minimum_ratios.csv", "rules.json"):
        shutil.copyfile(str(src.joinpath(name)), dest / name)
    return dest


def test_another_year_loads_without_code_changes(tmp_path: Path) -> None:
    folder = _copy_default(tmp_path)
    td = folder / "time_distance.csv"
    td.write_text(
        td.read_text().replace("Cardiology,provider,20,10,30,20,", "Cardiology,provider,20,10,30,33,")
    )
    rules = folder / "rules.json"
    rules.write_text(rules.read_text().replace('"Micro": 0.85', '"Micro": 0.8'))
    (folder / "nucc_cms_specialty_map.csv").write_text(
        "nucc_code,cms_specialty_type,note\n207RC0000X,Cardiology,x\n"
    )
    std = load_standards(folder)
    assert std.limit("Cardiology", D.METRO).miles == 33
    assert std.threshold_pct(D.MICRO) == pytest.approx(80)
    assert std.specialty_map == {"207RC0000X": "Cardiology"}
    assert std.source == str(folder)


def test_broken_standards_say_what_is_wrong(tmp_path: Path) -> None:
    folder = _copy_default(tmp_path)
    (folder / "rules.json").write_text("{}")
    with pytest.raises(DataError, match="access_thresholds"):
        load_standards(folder)
    with pytest.raises(InvalidInput):
        load_standards(tmp_path / "absent")
