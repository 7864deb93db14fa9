"""Plan-Net mapping, one resource at a time: every field rule and every reject reason."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest

from loaders.plannet.directory import (
    NOTE_ORG_NPI_DROPPED,
    NOTE_POSITION_DROPPED,
    NOTE_POSITION_REPLACED,
    Fold,
    map_location,
    map_network,
    map_organization,
    map_practitioner,
)
from loaders.plannet.fhir import NPI_SYSTEM, NUCC_SYSTEM, period_bounds, reference
from loaders.plannet.folded import SKIP_AFFILIATION, is_virtual, map_affiliation, map_service
from loaders.plannet.outcome import Kind, Mapping, Need, Problem
from loaders.plannet.roles import (
    SKIP_INACTIVE,
    SKIP_NO_NETWORK,
    RoleContext,
    accepting,
    classify,
    map_plan,
    map_role,
)
from network.model import (
    Location,
    Network,
    Organization,
    Participation,
    Plan,
    PlanType,
    Practitioner,
    Record,
    Role,
)

PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/"
R = TypeVar("R", bound=Record)
NPI = "1000000012"  # a valid NPI (Luhn with the 80840 prefix)


def nucc(*codes: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": NUCC_SYSTEM, "code": c}]} for c in codes]


def network_ext(ref: str) -> dict[str, Any]:
    return {"url": PLANNET + "network-reference", "valueReference": {"reference": ref}}


def newpatients(code: str, network: str | None = None) -> dict[str, Any]:
    subs: list[dict[str, Any]] = [
        {"url": "acceptingPatients", "valueCodeableConcept": {"coding": [{"code": code}]}}
    ]
    if network:
        subs.append({"url": "fromNetwork", "valueReference": {"reference": network}})
    return {"url": PLANNET + "newpatients", "extension": subs}


def mapped(result: Mapping | Problem) -> Mapping:
    assert isinstance(result, Mapping), result
    return result


def first(result: Mapping | Problem, cls: type[R]) -> R:
    rec = mapped(result).records[0]
    assert isinstance(rec, cls)
    return rec


def problem(result: Mapping | Problem) -> Problem:
    assert isinstance(result, Problem), result
    return result


# -- references and periods ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Organization/Acme", "Organization/Acme"),
        ("https://example.org/fhir/Organization/Acme", "Organization/Acme"),
        ("Organization/Acme/_history/3", "Organization/Acme"),
        ("#contained", "#contained"),
        ("urn:uuid:1234", "urn:uuid:1234"),
    ],
)
def test_references_normalise_to_type_and_id(raw: str, expected: str) -> None:
    assert reference({"reference": raw}) == expected


def test_reference_without_reference_is_none() -> None:
    assert reference({"display": "Dr No"}) is None
    assert reference("Organization/Acme") is None


def test_period_end_is_inclusive_so_termination_is_the_next_day() -> None:
    assert period_bounds({"start": "2020-07-07", "end": "2021-12-31T10:00:00Z"}) == (
        "2020-07-07",
        "2022-01-01",
        None,
    )
    assert (
        period_bounds({"start": "2021-01-02", "end": "2021-01-01"})[2] == "period.end is before period.start"
    )
    assert "not a full date" in str(period_bounds({"start": "2020"})[2])


# -- Location --------------------------------------------------------------------------------------
def location(**over: Any) -> dict[str, Any]:
    res = {
        "resourceType": "Location",
        "id": "L1",
        "name": "Main clinic",
        "address": {
            "line": ["85 Jefferson St", "Suite 2"],
            "city": "Hartford",
            "state": "CT",
            "postalCode": "6106",
        },
        "managingOrganization": {"reference": "Organization/Org1"},
    }
    res.update(over)
    return res


def test_location_uses_a_us_position_with_source_precision() -> None:
    m = mapped(map_location(location(position={"latitude": 41.75, "longitude": -72.68})))
    loc = m.records[0]
    assert isinstance(loc, Location)
    assert (loc.id, loc.zip, loc.lat, loc.lon, loc.precision) == (
        "fhir:Location/L1",
        "06106",
        41.75,
        -72.68,
        "source",
    )
    assert loc.address_line == "85 Jefferson St, Suite 2"
    assert loc.county_fips == "09003"  # Hartford County, from the ZIP table
    assert m.needs == (Need("Location.managingOrganization", "Organization/Org1", Kind.ORGANIZATION),)


def test_location_position_outside_the_us_falls_back_to_the_zip_centroid() -> None:
    m = mapped(map_location(location(position={"latitude": 15, "longitude": 3})))
    loc = m.records[0]
    assert isinstance(loc, Location)
    assert loc.precision == "zip_centroid" and loc.lat is not None and 41 < loc.lat < 42
    assert m.notes == (NOTE_POSITION_REPLACED,)


def test_location_position_outside_the_us_with_an_unknown_zip_has_no_point() -> None:
    address = {"line": ["1 Main St"], "city": "Anytown", "state": "CT", "postalCode": "00014-1234"}
    m = mapped(map_location(location(address=address, position={"latitude": 15, "longitude": 3})))
    loc = m.records[0]
    assert isinstance(loc, Location)
    assert (loc.zip, loc.lat, loc.lon, loc.precision) == ("00014", None, None, "none")
    assert m.notes == (NOTE_POSITION_DROPPED,)


@pytest.mark.parametrize(
    ("address", "path", "reason"),
    [
        ({"state": "XX"}, "Location.address.state", "not a US state code"),
        (
            {"state": "CT", "postalCode": "ABCDE"},
            "Location.address.postalCode",
            "ZIP cannot be restored to 5 digits",
        ),
    ],
)
def test_location_rejects(address: dict[str, str], path: str, reason: str) -> None:
    p = problem(map_location(location(address=address)))
    assert (p.path, p.reason) == (path, reason)


# -- Organization and networks ---------------------------------------------------------------------
def organization(code: str, **over: Any) -> dict[str, Any]:
    res = {
        "resourceType": "Organization",
        "id": "O1",
        "name": "Org One",
        "type": [{"coding": [{"code": code}]}],
    }
    res.update(over)
    return res


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("payer", "payer"),
        ("ins", "payer"),
        ("fac", "facility"),
        ("prvgrp", "provider_group"),
        ("bus", "other"),
    ],
)
def test_organization_kind_from_type_code(code: str, kind: str) -> None:
    org = mapped(map_organization(organization(code), None)).records[0]
    assert isinstance(org, Organization) and org.kind == kind


def test_organization_keeps_a_valid_npi_and_drops_an_unusable_one_with_a_note() -> None:
    good = organization("fac", identifier=[{"system": NPI_SYSTEM, "value": NPI}])
    assert first(map_organization(good, None), Organization).npi == NPI
    bad = mapped(
        map_organization(
            organization("fac", identifier=[{"system": NPI_SYSTEM, "value": "9941339100"}]), None
        )
    )
    assert first(bad, Organization).npi is None
    assert bad.notes == (f"{NOTE_ORG_NPI_DROPPED}: NPI must start with 1 or 2",)


def test_organization_folds_and_part_of() -> None:
    fold = Fold(
        locations={"fhir:Location/B", "fhir:Location/A"},
        specialties={"207Q00000X"},
        parents={"fhir:Organization/P"},
    )
    org = mapped(map_organization(organization("fac"), fold)).records[0]
    assert isinstance(org, Organization)
    assert org.location_ids == ("fhir:Location/A", "fhir:Location/B")
    assert (org.specialties, org.part_of) == (("207Q00000X",), "fhir:Organization/P")
    own = mapped(map_organization(organization("fac", partOf={"reference": "Organization/Q"}), fold))
    assert first(own, Organization).part_of == "fhir:Organization/Q"  # its own partOf wins
    assert own.needs == (Need("Organization.partOf", "Organization/Q", Kind.ORGANIZATION),)
    two = Fold(parents={"fhir:Organization/P", "fhir:Organization/R"})
    assert first(map_organization(organization("fac"), two), Organization).part_of is None


def test_organization_without_name_is_rejected() -> None:
    assert problem(map_organization(organization("fac", name=" "), None)).path == "Organization.name"


def test_network_payer_from_part_of() -> None:
    m = mapped(map_network(organization("ntwk", partOf={"reference": "Organization/Payer"})))
    assert m.records[0] == Network(
        id="fhir:Organization/O1", name="Org One", payer_id="fhir:Organization/Payer"
    )
    assert m.needs == (Need("Organization.partOf", "Organization/Payer", Kind.ORGANIZATION),)


# -- Practitioner ----------------------------------------------------------------------------------
def practitioner(npi: str = NPI, **over: Any) -> dict[str, Any]:
    res = {
        "resourceType": "Practitioner",
        "id": "P1",
        "identifier": [{"system": NPI_SYSTEM, "value": npi}],
        "name": [{"text": "Ann Heart, MD", "family": "Heart", "given": ["Ann"]}],
        "gender": "female",
        "communication": [{"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}],
        "qualification": [{"code": {"coding": [{"system": NUCC_SYSTEM, "code": "207RC0000X"}]}}],
    }
    res.update(over)
    return res


def test_practitioner_mapping_with_roles_folded_in() -> None:
    fold = Fold(locations={"fhir:Location/L1"}, specialties={"207R00000X"}, primary=("R1", "207R00000X"))
    p = mapped(map_practitioner(practitioner(), fold)).records[0]
    assert p == Practitioner(
        npi=NPI,
        name="Ann Heart, MD",
        first_name="Ann",
        last_name="Heart",
        sex="F",
        languages=("es",),
        primary_specialty="207R00000X",
        specialties=("207R00000X", "207RC0000X"),
        location_ids=("fhir:Location/L1",),
        source="plannet",
    )


@pytest.mark.parametrize(
    ("res", "reason"),
    [
        (practitioner("9941339100"), "NPI must start with 1 or 2"),
        (practitioner("1000000013"), "NPI check digit (Luhn, prefix 80840) fails"),
        (practitioner(identifier=[]), f"no NPI identifier (system {NPI_SYSTEM})"),
        (practitioner(name=[]), "Practitioner without a name"),
        (
            practitioner(qualification=[{"code": {"coding": [{"system": NUCC_SYSTEM, "code": "BAD"}]}}]),
            "malformed NUCC taxonomy code",
        ),
    ],
)
def test_practitioner_rejects(res: dict[str, Any], reason: str) -> None:
    assert problem(map_practitioner(res, None)).reason == reason


# -- PractitionerRole ------------------------------------------------------------------------------
CTX = RoleContext(
    npi_of={"fhir:Practitioner/P1": NPI},
    practitioners={"fhir:Practitioner/P1": Fold(primary=("R0", "207RC0000X"))},
    virtual_services={"fhir:HealthcareService/Virtual"},
    new_patients={"fhir:Location/L1": [("fhir:Organization/N1", False)]},
)


def role(**over: Any) -> dict[str, Any]:
    res = {
        "resourceType": "PractitionerRole",
        "id": "R1",
        "extension": [network_ext("Organization/N1")],
        "practitioner": {"reference": "Practitioner/P1"},
        "organization": {"reference": "Organization/O1"},
        "specialty": nucc("207Q00000X"),
        "location": [{"reference": "Location/L1"}],
        "healthcareService": [{"reference": "HealthcareService/Virtual"}],
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
    }
    res.update(over)
    return res


def test_role_maps_to_one_participation() -> None:
    m = mapped(map_role(role(), CTX))
    assert m.records == (
        Participation(
            id="fhir:PractitionerRole/R1",
            npi=NPI,
            network_id="fhir:Organization/N1",
            role="pcp",
            specialty_code="207Q00000X",
            location_ids=("fhir:Location/L1",),
            accepting_new_patients=False,  # from the location's newpatients for this network
            effective="2024-01-01",
            termination="2025-01-01",
            organization_id="fhir:Organization/O1",
            telehealth=True,
            source="plannet",
        ),
    )
    assert {n.kind for n in m.needs} == set(Kind)


def test_role_with_several_networks_has_one_participation_each() -> None:
    m = mapped(
        map_role(role(extension=[network_ext("Organization/N1"), network_ext("Organization/N2")]), CTX)
    )
    assert [r.key for r in m.records] == [
        "fhir:PractitionerRole/R1|N1",
        "fhir:PractitionerRole/R1|N2",
    ]
    assert [getattr(r, "accepting_new_patients") for r in m.records] == [False, None]  # noqa: B009


def test_role_own_newpatients_wins_over_locations() -> None:
    m = mapped(map_role(role(extension=[network_ext("Organization/N1"), newpatients("newpt")]), CTX))
    assert first(m, Participation).accepting_new_patients is True


def test_role_without_specialty_takes_the_practitioners_primary() -> None:
    p = first(map_role(role(specialty=[]), CTX), Participation)
    assert (p.role, p.specialty_code) == ("specialist", "207RC0000X")


@pytest.mark.parametrize(
    ("over", "skip"),
    [({"extension": []}, SKIP_NO_NETWORK), ({"active": False}, SKIP_INACTIVE)],
)
def test_role_skips(over: dict[str, Any], skip: str) -> None:
    m = mapped(map_role(role(**over), CTX))
    assert (m.records, m.skip) == ((), skip)


@pytest.mark.parametrize(
    ("over", "path"),
    [
        ({"practitioner": None}, "PractitionerRole.practitioner"),
        (
            {"extension": [{"url": PLANNET + "network-reference", "valueReference": {"display": "x"}}]},
            "PractitionerRole.extension:network-reference",
        ),
        ({"specialty": nucc("207Q0000")}, "PractitionerRole.specialty"),
        ({"period": {"start": "2024-02-01", "end": "2024-01-01"}}, "PractitionerRole.period"),
    ],
)
def test_role_rejects(over: dict[str, Any], path: str) -> None:
    assert problem(map_role(role(**over), CTX)).path == path


@pytest.mark.parametrize(
    ("specialties", "pcp_code", "expected"),
    [
        (["207Q00000X"], False, (Role.PCP, "207Q00000X")),
        (["207R00000X", "207RC0000X"], False, (Role.SPECIALIST, "207RC0000X")),
        (["207RC0000X"], True, (Role.PCP, "207RC0000X")),
        (["207R00000X", "207RC0000X"], True, (Role.PCP, "207R00000X")),
        ([], False, (Role.SPECIALIST, None)),
    ],
)
def test_pcp_rule(specialties: list[str], pcp_code: bool, expected: tuple[Role, str | None]) -> None:
    assert classify(specialties, pcp_code) == expected


def test_pcp_code_in_role_code() -> None:
    pcp = role(
        specialty=nucc("207RC0000X"), code=[{"coding": [{"code": "ph", "display": "Primary care physician"}]}]
    )
    assert first(map_role(pcp, CTX), Participation).role == "pcp"


@pytest.mark.parametrize(
    ("ext", "network", "expected"),
    [
        (newpatients("newpt"), "fhir:Organization/N1", True),
        (newpatients("existptonly", "Organization/N1"), "fhir:Organization/N1", False),
        (newpatients("nopt", "Organization/N2"), "fhir:Organization/N1", None),
        (
            {
                "url": PLANNET + "newpatients",
                "extension": [{"url": "acceptingPatients", "valueBoolean": True}],
            },
            None,
            True,
        ),
    ],
)
def test_accepting_new_patients(ext: dict[str, Any], network: str | None, expected: bool | None) -> None:
    assert accepting({"extension": [ext]}, network) is expected


# -- InsurancePlan ---------------------------------------------------------------------------------
def plan(codes: list[str], **over: Any) -> dict[str, Any]:
    res = {
        "resourceType": "InsurancePlan",
        "id": "IP1",
        "name": "Gold",
        "type": [{"coding": [{"code": c}]} for c in codes],
        "ownedBy": {"reference": "Organization/Payer"},
        "network": [{"reference": "Organization/N1"}],
        "plan": [{"network": [{"reference": "Organization/N2"}]}],
    }
    res.update(over)
    return res


def test_plan_from_product_type() -> None:
    m = mapped(map_plan(plan(["commhmo"]), None))
    assert m.records[0] == Plan(
        id="fhir:InsurancePlan/IP1",
        name="Gold",
        plan_type="hmo",
        referral_required=True,
        payer_id="fhir:Organization/Payer",
        network_ids=("fhir:Organization/N1", "fhir:Organization/N2"),
    )
    assert [n.ref for n in m.needs] == ["Organization/Payer", "Organization/N1", "Organization/N2"]


def test_plan_without_design_is_rejected_unless_a_default_is_given() -> None:
    p = problem(map_plan(plan(["qhp"]), None))
    assert (p.path, p.value) == ("InsurancePlan.type", "qhp")
    m = mapped(map_plan(plan(["qhp"]), PlanType.PPO))
    assert (first(m, Plan).plan_type, first(m, Plan).referral_required) == ("ppo", False)
    assert (
        problem(map_plan(plan(["commhmo", "commppo"]), None)).reason
        == "type codes name several network designs"
    )


# -- services and affiliations ---------------------------------------------------------------------
def test_service_and_affiliation_are_skipped_with_their_needs() -> None:
    virtual = {
        "extension": [
            {
                "url": PLANNET + "delivery-method",
                "extension": [{"url": "type", "valueCodeableConcept": {"coding": [{"code": "virtual"}]}}],
            }
        ]
    }
    assert is_virtual(virtual) and not is_virtual({})
    service = mapped(
        map_service(
            {"providedBy": {"reference": "Organization/O1"}, "location": [{"reference": "Location/L1"}]}
        )
    )
    assert [n.kind for n in service.needs] == [Kind.ORGANIZATION, Kind.LOCATION] and service.skip
    affiliation = {
        "participatingOrganization": {"reference": "Organization/O1"},
        "network": [{"reference": "Organization/N1"}],
    }
    m = mapped(map_affiliation(affiliation))
    assert (m.skip, [n.kind for n in m.needs]) == (SKIP_AFFILIATION, [Kind.ORGANIZATION, Kind.NETWORK])
    assert problem(map_affiliation({})).path == "OrganizationAffiliation.participatingOrganization"
