"""The plannet loader end to end on the embedded store: file forms, order, references, accounting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.pipeline import LoadOptions, run_load
from loaders.plannet import PlannetLoader, make_loader
from loaders.plannet.fhir import NPI_SYSTEM, NUCC_SYSTEM
from loaders.registry import SourceOptions
from loaders.report import LoadReport
from network.errors import InvalidInput
from network.model import Label, Network, Participation, PlanType, Practitioner
from network.store.memory import MemoryStore

PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/"
NPI_A, NPI_B = "1000000012", "1000000020"


def ref(target: str) -> dict[str, str]:
    return {"reference": target}


def org(rid: str, code: str, **over: Any) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": rid,
        "name": rid,
        "type": [{"coding": [{"code": code}]}],
        **over,
    }


def practitioner(rid: str, npi: str) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": rid,
        "identifier": [{"system": NPI_SYSTEM, "value": npi}],
        "name": [{"family": rid, "given": ["Pat"]}],
    }


def role(rid: str, practitioner_id: str, *networks: str, **over: Any) -> dict[str, Any]:
    return {
        "resourceType": "PractitionerRole",
        "id": rid,
        "extension": [
            {"url": PLANNET + "network-reference", "valueReference": ref(f"Organization/{n}")}
            for n in networks
        ],
        "practitioner": ref(f"Practitioner/{practitioner_id}"),
        "organization": ref("Organization/Clinic"),
        "specialty": [{"coding": [{"system": NUCC_SYSTEM, "code": "207RC0000X"}]}],
        "location": [ref("Location/L1")],
        **over,
    }


def directory() -> list[dict[str, Any]]:
    """A small consistent directory, listed with every reference pointing forward."""
    return [
        role("R1", "PA", "Net1"),
        role("R2", "PB", "Net1", "Net2"),
        {
            "resourceType": "InsurancePlan",
            "id": "Gold",
            "name": "Gold",
            "type": [{"coding": [{"code": "commhmo"}]}],
            "ownedBy": ref("Organization/Payer"),
            "network": [ref("Organization/Net1"), ref("Organization/Net2")],
        },
        practitioner("PA", NPI_A),
        practitioner("PB", NPI_B),
        org("Net1", "ntwk", partOf=ref("Organization/Payer")),
        org("Net2", "ntwk", partOf=ref("Organization/Payer")),
        org("Clinic", "prvgrp", partOf=ref("Organization/Hospital")),
        org("Hospital", "fac"),
        org("Payer", "payer"),
        {
            "resourceType": "Location",
            "id": "L1",
            "managingOrganization": ref("Organization/Clinic"),
            "address": {
                "line": ["85 Jefferson St"],
                "city": "Hartford",
                "state": "CT",
                "postalCode": "06106",
            },
        },
        {"resourceType": "Endpoint", "id": "E1", "status": "active"},
    ]


def write(tmp: Path, form: str, resources: list[dict[str, Any]]) -> Path:
    if form == "bundle":
        path = tmp / "bundle.json"
        path.write_text(json.dumps({"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}))
        return path
    folder = tmp / form
    folder.mkdir()
    for i, res in enumerate(resources):
        if form == "files":
            (folder / f"{i:02d}-{res['resourceType']}-{res['id']}.json").write_text(json.dumps(res))
        else:  # one NDJSON file per type, as a bulk export writes them
            with (folder / f"{res['resourceType']}.ndjson").open("a") as fh:
                fh.write(json.dumps(res) + "\n")
    return folder


def load(
    path: Path, store: MemoryStore, batch_size: int = 2000, **kw: Any
) -> tuple[LoadReport, PlannetLoader]:
    loader = PlannetLoader(**kw)
    report = run_load(loader, [path], store, LoadOptions(batch_size=batch_size))
    assert report.balanced, report.as_dict()
    return report, loader


@pytest.mark.parametrize("form", ["files", "ndjson", "bundle"])
def test_forward_references_resolve_in_every_file_form(tmp_path: Path, form: str) -> None:
    store = MemoryStore()
    report, _ = load(write(tmp_path, form, directory()), store)
    assert (report.read, report.rejected, report.skipped) == (12, 0, 1)
    assert report.skip_reasons == {"Endpoint: not modelled": 1}
    assert report.related == {"Participation": {"created": 1, "updated": 0, "unchanged": 0}}
    rels = store.stats().relationships
    assert rels == {
        "AT_LOCATION": 3,
        "FOR_SPECIALTY": 3,
        "HAS_ROLE": 3,
        "HAS_SPECIALTY": 2,
        "IN_NETWORK": 3,
        "MANAGES": 2,
        "OFFERS": 1,
        "OPERATES": 1,
        "PART_OF": 1,
        "PRACTICES_AT": 2,
        "USES_NETWORK": 2,
        "WITH_ORGANIZATION": 3,
    }
    parts = store.participations_of([NPI_B])[NPI_B]
    assert [p.id for p in parts] == ["fhir:PractitionerRole/R2|Net1", "fhir:PractitionerRole/R2|Net2"]


def test_every_file_form_builds_the_same_graph_and_reloads_unchanged(tmp_path: Path) -> None:
    checksums = set()
    for form in ("files", "ndjson", "bundle"):
        store = MemoryStore()
        path = write(tmp_path, form, directory())
        first, _ = load(path, store)
        again, _ = load(path, store)
        assert (again.created, again.updated, again.unchanged) == (0, 0, first.created + first.unchanged)
        checksums.add(store.checksum())
    assert len(checksums) == 1


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 8])
def test_multi_network_roles_link_whatever_the_batch_boundaries(tmp_path: Path, batch_size: int) -> None:
    store = MemoryStore()
    report, _ = load(write(tmp_path, "ndjson", directory()), store, batch_size=batch_size)
    assert report.created == 11 and report.related["Participation"]["created"] == 1
    assert store.stats().relationships["HAS_ROLE"] == 3
    assert store.stats().relationships["IN_NETWORK"] == 3


def test_a_single_batch_links_multi_network_roles(tmp_path: Path) -> None:
    store = MemoryStore()
    report, _ = load(write(tmp_path, "ndjson", directory()), store)
    # R2's second Participation (a related record) needs PB, Net2, L1 and Clinic, primaries of the same
    # batch: the pipeline writes label by label, so they exist when it is written.
    assert store.stats().relationships["HAS_ROLE"] == 3
    assert (report.created, report.unchanged) == (11, 0)


def test_broken_references_are_rejects_naming_the_reference(tmp_path: Path) -> None:
    resources = [
        *directory(),
        role("R3", "PA", "Nowhere"),
        role("R4", "PA", "Clinic"),  # a network-reference to an organization that is not a network
        role("R5", "Ghost", "Net1"),
        {"resourceType": "Location", "id": "L2", "managingOrganization": ref("Organization/Missing")},
        role("R6", "PA", "Net1", location=[ref("Location/L2")]),  # cascades from L2
    ]
    store = MemoryStore()
    report, _ = load(write(tmp_path, "files", resources), store)
    assert report.reject_reasons == {
        "Organization/Nowhere not found (neither in this load nor in the graph)": 1,
        "Organization/Clinic is a Organization, not a Network": 1,
        "Practitioner/Ghost is not in this load": 1,
        "Organization/Missing not found (neither in this load nor in the graph)": 1,
        "Location/L2 is rejected (Location.managingOrganization Organization/Missing not found "
        "(neither in this load nor in the graph))": 1,
    }
    assert store.get(Label.LOCATION, "fhir:Location/L2") is None


def test_duplicates_invalid_json_and_unknown_types(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    lines = [
        json.dumps(practitioner("PA", NPI_A)),
        "",
        "{not json",
        json.dumps(practitioner("PA", NPI_A)),
        json.dumps(practitioner("PC", NPI_A)),
        json.dumps({"resourceType": "Patient", "id": "x"}),
        json.dumps({"resourceType": "Practitioner"}),
        "[1, 2]",
    ]
    (folder / "Practitioner.ndjson").write_text("\n".join(lines) + "\n")
    store = MemoryStore()
    report, _ = load(folder, store)
    assert (report.read, report.created, report.skipped) == (7, 1, 1)  # the blank line is not a resource
    assert report.skip_reasons == {"Patient: resource type not modelled": 1}
    reasons = set(report.reject_reasons)
    assert "duplicate of Practitioner/PA at " + str(folder / "Practitioner.ndjson") + ":1" in reasons
    assert f"NPI {NPI_A} already belongs to Practitioner/PA" in reasons
    assert "Practitioner without id: it cannot be referenced or keyed" in reasons
    assert "not a FHIR resource (a JSON list)" in reasons
    assert any(r.startswith("not valid JSON") for r in reasons)


def test_references_resolve_to_the_graph_from_an_earlier_load(tmp_path: Path) -> None:
    store = MemoryStore()
    store.upsert([Network(id="fhir:Organization/Net9", name="Earlier")])
    folder = write(
        tmp_path,
        "files",
        [practitioner("PA", NPI_A), role("R1", "PA", "Net9", organization=None, location=[])],
    )
    report, _ = load(folder, store)
    assert (report.created, report.rejected) == (2, 0)
    part = store.get(Label.PARTICIPATION, "fhir:PractitionerRole/R1")
    assert isinstance(part, Participation) and part.network_id == "fhir:Organization/Net9"
    assert store.stats().relationships["IN_NETWORK"] == 1


def test_practitioner_record_gathers_its_roles(tmp_path: Path) -> None:
    store = MemoryStore()
    load(write(tmp_path, "files", directory()), store)
    prac = store.get(Label.PRACTITIONER, NPI_B)
    assert isinstance(prac, Practitioner)
    assert (prac.primary_specialty, prac.location_ids) == ("207RC0000X", ("fhir:Location/L1",))


def test_default_plan_type_option() -> None:
    loader = make_loader(SourceOptions(extra={"default_plan_type": "PPO"}))
    assert isinstance(loader, PlannetLoader) and loader.default_plan_type is PlanType.PPO
    with pytest.raises(InvalidInput):
        make_loader(SourceOptions(extra={"default_plan_type": "indemnity"}))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=True)
    | st.text(max_size=6)
    | st.sampled_from(["Organization/Net1", "Location/L1", "Practitioner/PA", "ntwk", NPI_A, "207RC0000X"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "reference",
                    "coding",
                    "code",
                    "system",
                    "url",
                    "valueReference",
                    "extension",
                    "latitude",
                    "longitude",
                    "start",
                    "end",
                    "value",
                    "family",
                    "text",
                ]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
FIELDS = [
    "identifier",
    "name",
    "type",
    "partOf",
    "address",
    "position",
    "managingOrganization",
    "extension",
    "practitioner",
    "organization",
    "location",
    "specialty",
    "period",
    "network",
    "ownedBy",
    "plan",
    "providedBy",
    "participatingOrganization",
    "healthcareService",
    "qualification",
    "communication",
    "active",
]
RESOURCES = st.builds(
    lambda kind, rid, fields: {"resourceType": kind, "id": rid, **fields},
    st.sampled_from(
        [
            "Location",
            "Organization",
            "Practitioner",
            "PractitionerRole",
            "InsurancePlan",
            "HealthcareService",
            "OrganizationAffiliation",
            "Endpoint",
            "Basic",
        ]
    ),
    st.sampled_from(["PA", "Net1", "L1", "Clinic", "x"]),
    st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(resources=st.lists(RESOURCES, max_size=10), garbage=st.lists(st.text(max_size=8), max_size=3))
def test_malformed_resources_never_crash_and_are_all_accounted(
    tmp_path: Path, resources: list[dict[str, Any]], garbage: list[str]
) -> None:
    lines = [json.dumps(r) for r in [*directory(), *resources]] + [" ".join(g.splitlines()) for g in garbage]
    path = tmp_path / "fuzz.ndjson"
    path.write_text("\n".join(lines) + "\n")
    report, _ = load(path, MemoryStore(), batch_size=4)
    assert report.read == sum(1 for line in lines if line.strip())
