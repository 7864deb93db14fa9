"""The plans loader: layout detection, each layout's rows, aggregation, every reject reason, accounting."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import UnreadableSource
from loaders.pipeline import LoadOptions, run_load
from loaders.plans import PlansLoader
from loaders.plans.layouts import SKIP_PROVIDER, Layout, detect_layout, plan_design
from loaders.report import LoadReport
from network.model import Label, Network, Organization, Plan, PlanType
from network.store.memory import MemoryStore

ROSTER = "plan_id,plan_name,plan_type,network_id,network_name,payer_id,payer_name,referral_required\n"


def write(tmp: Path, text: str, name: str = "plans.csv") -> Path:
    path = tmp / name
    path.write_text(text)
    return path


def load(store: MemoryStore, *paths: Path) -> tuple[LoadReport, PlansLoader]:
    loader = PlansLoader()
    report = run_load(loader, list(paths), store, LoadOptions(batch_size=2))
    assert report.balanced, report.as_dict()
    return report, loader


def test_layout_detection() -> None:
    assert detect_layout(ROSTER.strip().split(",")) is Layout.ROSTER
    assert (
        detect_layout(["hpid", "partof_id", "partof_display", "name", "prov_type_code", ""])
        is Layout.NETWORKS
    )
    header = ["is_plan", "type", "id", "partof_id", "partof_display", "name"]
    header += ["plan_name", "plan_id", "plan_type", "network_id"]
    assert detect_layout(header) is Layout.MANAGING_ORGS
    with pytest.raises(UnreadableSource, match="unknown plans layout"):
        detect_layout(["plan", "network"])


def test_roster_aggregates_a_plan_over_its_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ROSTER
        + "P1,Gold HMO,HMO,N1,North,A,Acme,\n"
        + "P1,Gold HMO,hmo,N2,South,A,Acme,\n"
        + "P2,Silver PPO,ppo,N2,South,A,Acme,true\n",
    )
    store = MemoryStore()
    report, _ = load(store, path)
    # Row outcome = its (plan, network) pairing's: P1's second row finds its pairing already in place.
    assert (report.read, report.created, report.unchanged, report.rejected) == (3, 2, 1, 0)
    assert store.get(Label.PLAN, "P1") == Plan("P1", "Gold HMO", "hmo", True, "payer:A", ("N1", "N2"))
    assert store.get(Label.PLAN, "P2") == Plan("P2", "Silver PPO", "ppo", True, "payer:A", ("N2",))
    assert store.get(Label.NETWORK, "N2") == Network("N2", "South", "payer:A")
    assert store.get(Label.ORGANIZATION, "payer:A") == Organization(
        "payer:A", "Acme", kind="payer", source="plans"
    )
    assert store.stats().relationships == {"MANAGES": 2, "OFFERS": 2, "USES_NETWORK": 3}
    checksum = store.checksum()
    again, _ = load(store, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert store.checksum() == checksum


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("P9,Nine,indemnity,N1,North,A,Acme,", "plan_type", "plan_type must be hmo, ppo, epo or pos"),
        ("P9,Nine,hmo,N1,North,A,Acme,maybe", "referral_required", "referral_required must be true or false"),
        ("P9,,hmo,N1,North,A,Acme,", "plan_name", "required value missing"),
        ("P9,Nine,hmo,N1,North,A,Acme,,extra", "row", "more fields than the header"),
        ("P9,Nine,hmo", "network_id", "fewer fields than the header"),
        ("P1,Gold,ppo,N3,East,A,Acme,", "plan_type", "plan P1 has another plan_type at "),
        ("P9,Nine,hmo,N1,Elsewhere,A,Acme,", "name", "network N1 has another name at "),
    ],
)
def test_roster_rejects(tmp_path: Path, row: str, column: str, reason: str) -> None:
    path = write(tmp_path, ROSTER + "P1,Gold,hmo,N1,North,A,Acme,\n" + row + "\n")
    store = MemoryStore()
    report, _ = load(store, path)
    assert report.rejected == 1
    [got] = report.reject_reasons
    assert got.startswith(reason)
    assert store.get(Label.PLAN, "P1") == Plan("P1", "Gold", "hmo", True, "payer:A", ("N1",))


def test_referral_default_by_design_and_explicit_override(tmp_path: Path) -> None:
    path = write(tmp_path, ROSTER + "P1,a,pos,N1,n,A,a,\nP2,b,epo,N1,n,A,a,\nP3,c,hmo,N1,n,A,a,false\n")
    store = MemoryStore()
    load(store, path)
    plans = store.get_many(Label.PLAN, ["P1", "P2", "P3"])
    referral = {k: p.referral_required for k, p in plans.items() if isinstance(p, Plan)}
    assert referral == {"P1": True, "P2": False, "P3": False}


NETWORKS = (
    "hpid,partof_id,partof_display,name,alias,prov_type_code,,coverage\n"
    "H1,900,Acme of MA,Acme MA PPO Network,x,ppo,,MA\n"
    "H2,900,Acme of CT,Acme CT PPO Network,x,ppo,,CT\n"
)
MANAGING = (
    "is_plan,type,id,partof_id,partof_display,name,plan_name,plan_alias,plan_id,plan_type,network_id\n"
    "TRUE,ins,910,900,Acme,Acme of MA,Acme MA Bronze PPO Plan,MA BRONZE PPO,HP1,bronze,H1\n"
    "TRUE,ins,910,900,Acme,Acme of MA,Acme MA Gold PPO Plan,MA HMO,HP2,gold,H1\n"
    "TRUE,pay,920,,,State GIC,GIC Plan,GIC PPO,HP3,silver,H9\n"
    "FALSE,prov,930,,,King Hospital,,,,,\n"
    "FALSE,ins,900,,,Acme,,,,,\n"
    "MAYBE,ins,940,,,Odd,,,,,\n"
)


def test_sample_network_and_managing_orgs_layouts(tmp_path: Path) -> None:
    store = MemoryStore()
    networks, loader = load(store, write(tmp_path, NETWORKS, "networks.csv"))
    assert (networks.created, networks.rejected) == (2, 0)
    assert loader.notes() == ["1 x payer named differently on several rows: the first row's name was kept"]
    assert store.get(Label.NETWORK, "H2") == Network("H2", "Acme CT PPO Network", "payer:900")
    managing, loader = load(store, write(tmp_path, MANAGING, "managing.csv"))
    assert (managing.read, managing.created, managing.rejected, managing.skipped) == (6, 2, 2, 1)
    assert managing.skip_reasons == {SKIP_PROVIDER: 1}
    assert set(managing.reject_reasons) == {
        "network H9 not found (neither in this load nor in the graph)",
        "is_plan must be TRUE or FALSE",
    }
    assert store.get(Label.PLAN, "HP2") == Plan(
        "HP2", "Acme MA Gold PPO Plan", "hmo", True, "payer:910", ("H1",)
    )
    assert loader.notes() == [
        "1 x plan names another design than its alias/type columns: the alias/type was used"
    ]
    parent = store.get(Label.ORGANIZATION, "payer:900")
    assert isinstance(parent, Organization) and parent.name == "Acme"  # its own row beats partof_display
    child = store.get(Label.ORGANIZATION, "payer:910")
    assert isinstance(child, Organization) and child.part_of == "payer:900"
    assert store.stats().relationships["PART_OF"] == 1


def test_both_sample_files_in_one_load_resolve_networks_within_the_load(tmp_path: Path) -> None:
    store = MemoryStore()
    report, _ = load(
        store, write(tmp_path, MANAGING, "managing.csv"), write(tmp_path, NETWORKS, "networks.csv")
    )
    assert store.get(Label.PLAN, "HP1") is not None
    assert report.reject_reasons["network H9 not found (neither in this load nor in the graph)"] == 1
    assert store.stats().relationships["USES_NETWORK"] == 2


@pytest.mark.parametrize(
    ("texts", "design"),
    [
        (("bronze", "CT HMO", "Connecticut Bronze PPO Plan"), PlanType.HMO),
        (("", "", "Preferred Provider Organization plan"), PlanType.PPO),
        (("bronzeexp", "", "Point-of-Service Gold"), PlanType.POS),
        (("silver", "HMO PPO", "plain"), None),
        (("EPO",), PlanType.EPO),
    ],
)
def test_plan_design_from_words(texts: tuple[str, ...], design: PlanType | None) -> None:
    assert plan_design(*texts) is design


CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "hmo", "PPO", "true", "TRUE", "FALSE", "ins", "prov", "P1", "N1", "H1", "x,y", '"', "\n"]
    ),
)


@pytest.mark.parametrize("header", [ROSTER, NETWORKS.splitlines()[0] + "\n", MANAGING.splitlines()[0] + "\n"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=12), max_size=12))
def test_malformed_rows_of_every_layout_never_crash_and_are_all_accounted(
    tmp_path: Path, header: str, rows: list[list[str]]
) -> None:
    buffer = io.StringIO()
    buffer.write(header)
    csv.writer(buffer).writerows(rows)
    path = write(tmp_path, buffer.getvalue(), "fuzz.csv")
    report, _ = load(MemoryStore(), path)
    assert report.read == sum(1 for row in csv.reader(io.StringIO(buffer.getvalue())) if row) - 1
