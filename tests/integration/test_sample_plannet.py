"""The real Plan-Net sample on both stores: the 49 IG examples, the network and managing-orgs files,
and a participation roster on top; every resource or row accounted for, reloads change nothing."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from loaders.participation import ParticipationLoader
from loaders.pipeline import LoadOptions, run_load
from loaders.plannet import PlannetLoader
from loaders.plans import PlansLoader
from loaders.report import LoadReport
from network.model import Label, Network, Organization, Participation, Plan, PlanType, Practitioner
from network.store import GraphStore
from network.validate import with_check_digit

pytestmark = pytest.mark.shared_data

SHARED_NPI = "9941339100"  # three IG practitioners and one organization carry it


def examples(shared: Path) -> Path:
    return shared / "fhir-examples"


def run(
    loader: PlannetLoader | PlansLoader | ParticipationLoader, paths: list[Path], store: GraphStore, tmp: Path
) -> LoadReport:
    report = run_load(loader, paths, store, LoadOptions(rejects_path=tmp / "rejects.csv", batch_size=20))
    assert report.balanced, report.as_dict()
    return report


def count_table(report: LoadReport, tmp: Path, folder: Path) -> dict[str, Counter[str]]:
    """Outcome per resource type, from the files themselves, the rejects file and the skip reasons."""
    kinds = {str(p): json.loads(p.read_text())["resourceType"] for p in folder.glob("*.json")}
    table: dict[str, Counter[str]] = {kind: Counter() for kind in kinds.values()}
    rejected = {row["file"] for row in csv.DictReader((tmp / "rejects.csv").open())}
    for file, kind in kinds.items():
        table[kind]["rejected" if file in rejected else "loaded or skipped"] += 1
    for reason, n in report.skip_reasons.items():
        kind = reason.split(":")[0].split(" ")[0]
        table[kind]["skipped"] += n
        table[kind]["loaded or skipped"] -= n
    return {kind: Counter({k: v for k, v in c.items() if v}) for kind, c in table.items()}


def test_the_49_ig_examples_are_all_accounted_for(
    store: GraphStore, shared_data: Path, tmp_path: Path
) -> None:
    folder = examples(shared_data)
    loader = PlannetLoader()
    report = run(loader, [folder], store, tmp_path)
    assert report.read == len(list(folder.glob("*.json"))) == 49
    assert (report.created, report.updated, report.unchanged, report.rejected, report.skipped) == (
        20,
        0,
        0,
        11,
        18,
    )
    assert count_table(report, tmp_path, folder) == {
        "Location": Counter({"loaded or skipped": 9}),
        "Organization": Counter({"loaded or skipped": 11}),  # 9 organizations + 2 networks
        "Practitioner": Counter({"rejected": 3}),
        "PractitionerRole": Counter({"rejected": 6}),
        "InsurancePlan": Counter({"rejected": 2}),
        "HealthcareService": Counter({"skipped": 10}),
        "OrganizationAffiliation": Counter({"skipped": 7}),
        "Endpoint": Counter({"skipped": 1}),
    }
    # The shared NPI: each practitioner carrying it is rejected, and the roles naming them say why.
    rejects = list(csv.DictReader((tmp_path / "rejects.csv").open()))
    shared = [r for r in rejects if r["value"] == SHARED_NPI]
    assert [(Path(r["file"]).name, r["reason"]) for r in sorted(shared, key=lambda r: r["file"])] == [
        (f"Practitioner-{name}.json", "NPI must start with 1 or 2")
        for name in ("Counselor", "HansSolo", "JoeSmith")
    ]
    assert report.reject_reasons["Practitioner/HansSolo is rejected (NPI must start with 1 or 2)"] == 1
    assert (
        report.reject_reasons["no practitioner reference: a participation is keyed by the practitioner's NPI"]
        == 3
    )
    clinic = store.get(Label.ORGANIZATION, "fhir:Organization/CancerClinic")  # kept, without the unusable NPI
    assert isinstance(clinic, Organization) and clinic.npi is None
    assert store.stats().nodes == {"Location": 9, "Network": 2, "Organization": 9, "Specialty": 7}
    assert store.stats().relationships == {"HAS_SPECIALTY": 8, "MANAGES": 2, "OPERATES": 17, "PART_OF": 2}
    # Every example position lies off the US (placeholder coordinates) and ZIP 00014 is not a real ZIP.
    assert "8 x Location position outside the US and ZIP unknown: no coordinates" in loader.notes()

    checksum = store.checksum()
    again = run(PlannetLoader(), [folder], store, tmp_path)
    assert (again.created, again.updated, again.unchanged, again.rejected, again.skipped) == (
        0,
        0,
        20,
        11,
        18,
    )
    assert store.checksum() == checksum


def with_valid_npis(shared: Path, tmp: Path, ndjson: bool) -> Path:
    """A copy of the examples whose three practitioners carry distinct valid NPIs (nothing else changed),
    to show that every reference of the examples resolves once the shared test NPI is out of the way."""
    out = tmp / ("ndjson" if ndjson else "json")
    out.mkdir()
    for i, path in enumerate(sorted(examples(shared).glob("*.json"))):
        res = json.loads(path.read_text())
        if res["resourceType"] == "Practitioner":
            res["identifier"][0]["value"] = with_check_digit(f"1000000{i:02d}")
        if ndjson:
            with (out / f"{res['resourceType']}.ndjson").open("a") as fh:
                fh.write(json.dumps(res) + "\n")
        else:
            (out / path.name).write_text(json.dumps(res))
    return out


def test_every_reference_of_the_examples_resolves(
    store: GraphStore, shared_data: Path, tmp_path: Path
) -> None:
    report = run(
        PlannetLoader(default_plan_type=PlanType.PPO),
        [with_valid_npis(shared_data, tmp_path, False)],
        store,
        tmp_path,
    )
    assert (report.created, report.rejected, report.skipped) == (
        28,
        3,
        18,
    )  # the 3 roles without practitioner
    assert set(report.reject_reasons) == {
        "no practitioner reference: a participation is keyed by the practitioner's NPI"
    }
    roles = {
        p.id: p
        for p in store.get_many(Label.PARTICIPATION, store.keys(Label.PARTICIPATION)).values()
        if isinstance(p, Participation)
    }
    hans = roles["fhir:PractitionerRole/HansSoloRole1"]
    assert (
        hans.network_id,
        hans.location_ids,
        hans.role,
        hans.specialty_code,
        hans.accepting_new_patients,
    ) == ("fhir:Organization/AcmeofCTStdNet", ("fhir:Location/HansSoloClinic",), "pcp", "207R00000X", False)
    joe = roles["fhir:PractitionerRole/JoeSmithRole1"]
    assert (joe.organization_id, joe.location_ids) == (
        "fhir:Organization/Hospital",
        ("fhir:Location/HospLoc1",),
    )
    counselor = roles["fhir:PractitionerRole/CounselorRole1"]
    assert (counselor.role, counselor.specialty_code, counselor.telehealth) == (
        "specialist",
        "101YP2500X",
        True,
    )
    gold = store.get(Label.PLAN, "fhir:InsurancePlan/AcmeQHPGold")
    assert isinstance(gold, Plan) and gold.network_ids == (
        "fhir:Organization/AcmeofCTStdNet",
        "fhir:Organization/AcmeofCTPremNet",
    )
    joe_smith = next(
        p
        for p in store.get_many(Label.PRACTITIONER, store.keys(Label.PRACTITIONER)).values()
        if isinstance(p, Practitioner) and p.last_name == "Smith" and p.first_name == "Joe"
    )
    assert joe_smith.location_ids == ("fhir:Location/HospLoc1",) and joe_smith.credential == "MD"
    assert store.stats().relationships == {
        "AT_LOCATION": 2,
        "FOR_SPECIALTY": 3,
        "HAS_ROLE": 3,
        "HAS_SPECIALTY": 13,
        "IN_NETWORK": 3,
        "MANAGES": 2,
        "OFFERS": 2,
        "OPERATES": 17,
        "PART_OF": 2,
        "PRACTICES_AT": 2,
        "USES_NETWORK": 3,
        "WITH_ORGANIZATION": 1,
    }
    # The same resources as NDJSON bulk-export files (InsurancePlan.ndjson sorts before Organization.ndjson)
    # build the very same graph.
    checksum = store.checksum()
    store.clear()
    run(
        PlannetLoader(default_plan_type=PlanType.PPO),
        [with_valid_npis(shared_data, tmp_path, True)],
        store,
        tmp_path,
    )
    assert store.checksum() == checksum


def test_sample_network_and_managing_orgs_files(store: GraphStore, shared_data: Path, tmp_path: Path) -> None:
    nppes = shared_data / "nppes"
    networks = run(PlansLoader(), [nppes / "sample-nppes-network_20181204-data.csv"], store, tmp_path)
    assert (networks.read, networks.created, networks.rejected) == (13, 13, 0)
    managing = run(PlansLoader(), [nppes / "managing_orgs_data.csv"], store, tmp_path)
    rows = list(csv.DictReader((nppes / "managing_orgs_data.csv").open(encoding="utf-8-sig")))
    plan_rows = [r for r in rows if r["is_plan"] == "TRUE"]
    assert managing.read == len(rows) == 40
    assert (managing.created, managing.rejected) == (len(plan_rows), 0)
    assert managing.skipped == sum(r["type"] == "prov" for r in rows)
    plan = store.get(
        Label.PLAN, "HPID210000"
    )  # "Connecticut Bronze PPO Plan", alias "CT HMO", an HMO network
    assert isinstance(plan, Plan) and (plan.plan_type, plan.referral_required, plan.network_ids) == (
        "hmo",
        True,
        ("HPID110000",),
    )
    network = store.get(Label.NETWORK, "HPID110000")
    assert isinstance(network, Network) and network.payer_id == "payer:9990220000"
    stats = store.stats()
    assert stats.nodes["Plan"] == len(plan_rows) and stats.relationships["USES_NETWORK"] == len(plan_rows)
    checksum = store.checksum()
    again = run(PlansLoader(), [nppes / "managing_orgs_data.csv"], store, tmp_path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, managing.created + managing.unchanged)
    assert store.checksum() == checksum
    # The network file names the three parent payers after its partof_display (a subsidiary's name):
    # reloading it renames them, reloading the managing file names them back. The last load wins.
    renamed = run(PlansLoader(), [nppes / "sample-nppes-network_20181204-data.csv"], store, tmp_path)
    assert (renamed.created, renamed.updated, renamed.related["Organization"]["updated"]) == (0, 0, 3)
    run(PlansLoader(), [nppes / "managing_orgs_data.csv"], store, tmp_path)
    assert store.checksum() == checksum


def test_participation_roster_on_the_sample_networks(
    store: GraphStore, shared_data: Path, tmp_path: Path
) -> None:
    run(PlansLoader(), [shared_data / "nppes" / "sample-nppes-network_20181204-data.csv"], store, tmp_path)
    npis = [with_check_digit(f"10000001{i}") for i in range(3)]
    store.upsert(
        [
            Practitioner(npi, f"Doctor {i}", primary_specialty="207Q00000X", specialties=("207Q00000X",))
            for i, npi in enumerate(npis)
        ]
    )
    roster = tmp_path / "participation.csv"
    roster.write_text(
        "npi,network_id,role,specialty_code,address,city,state,zip,accepting_new_patients,effective_date,"
        "termination_date,medical_group\n"
        f"{npis[0]},HPID040000,pcp,,85 Jefferson St,Hartford,CT,6106,true,2024-01-01,,\n"
        f"{npis[1]},HPID050000,specialist,207RC0000X,,,,,false,01/01/2024,01/01/2026,Heart Group\n"
        f"{npis[2]},HPID999999,pcp,,,,,,,,,\n"
    )
    first = run(ParticipationLoader(), [roster], store, tmp_path)
    assert (first.read, first.created, first.rejected) == (3, 2, 1)
    checksum = store.checksum()
    again = run(ParticipationLoader(), [roster], store, tmp_path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 1)
    assert store.checksum() == checksum
    assert store.stats().relationships["IN_NETWORK"] == 2
