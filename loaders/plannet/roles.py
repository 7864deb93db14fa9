"""Mapping the contract resources: PractitionerRole -> Participations, InsurancePlan -> Plan.

PCP or specialist: Plan-Net has no PCP flag (ProviderRoleCS codes are professions: ``ph``, ``ap``,
``co``...), so the role is decided from what pnet knows about primary care. A role is ``pcp`` when its
code says primary care (a ``pcp`` code, SNOMED 446050000 / 453231000124104, or "primary care" in the
code's text), or when *every* NUCC specialty it lists is PCP-eligible (``network.specialties``);
otherwise it is ``specialist``, for its first specialty that is not PCP-eligible: an internist who also
lists cardiology is contracted as a cardiologist, while a plain internist can be assigned as a PCP.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass

from loaders.plannet.directory import SOURCE, Fold
from loaders.plannet.fhir import (
    Resource,
    codings,
    concept_texts,
    extensions,
    items,
    nucc_codes,
    period_bounds,
    reference,
    references,
    text,
)
from loaders.plannet.outcome import Kind, Mapping, Need, Problem, key_of
from network.model import Participation, Plan, PlanType, Role
from network.specialties import reference as specialty_reference

_PCP_CODES = frozenset({"pcp", "446050000", "453231000124104"})
# InsuranceProductTypeCS (Plan-Net) codes naming a network design, plus the bare design codes.
_DESIGN_BY_CODE = {
    "commppo": PlanType.PPO,
    "commhmo": PlanType.HMO,
    "commepo": PlanType.EPO,
    "commpos": PlanType.POS,
    "medihmo": PlanType.HMO,
    "mediadvhmo": PlanType.HMO,
    **{t.value: t for t in PlanType},
}
NETWORK_PATH = "PractitionerRole.extension:network-reference"
_ACCEPTING = {"newpt": True, "nopt": False, "existptonly": False, "existptfam": False}

SKIP_NO_NETWORK = "PractitionerRole without network-reference: folded into its practitioner, no Participation"
SKIP_INACTIVE = "PractitionerRole inactive (active=false): not a participation in effect"
NOTE_ACCEPTING_FROM_LOCATION = "Participation accepting-new-patients taken from its locations' newpatients"
NOTE_PLAN_TYPE_DEFAULT = "InsurancePlan without a network design code: the default plan type was used"


@dataclass(frozen=True, slots=True)
class RoleContext:
    """First-pass facts a role mapping reads (all keyed by graph key)."""

    npi_of: AbstractMapping[str, str]  # practitioner key -> NPI
    practitioners: AbstractMapping[str, Fold]
    virtual_services: frozenset[str] | set[str]
    new_patients: AbstractMapping[str, list[tuple[str | None, bool]]]  # location key -> statements


def says_pcp(res: Resource) -> bool:
    for concept in items(res, "code"):
        if any(code.lower() in _PCP_CODES for _, code in codings(concept)):
            return True
        if any("primary care" in t.lower() for t in concept_texts(concept)):
            return True
    return False


def classify(specialties: list[str], pcp_code: bool) -> tuple[Role, str | None]:
    eligible = specialty_reference().pcp_eligible
    others = [s for s in specialties if s not in eligible]
    if pcp_code:
        fallback = specialties[0] if specialties else None
        return Role.PCP, next((s for s in specialties if s in eligible), fallback)
    if specialties and not others:
        return Role.PCP, specialties[0]
    return Role.SPECIALIST, others[0] if others else None


def accepting(element: Resource, network_key: str | None) -> bool | None:
    """The ``newpatients`` statement of an element for a network (or for any network), if it makes one."""
    for ext in extensions(element, "newpatients"):
        value = _accepting_value(ext)
        origin = next((reference(e.get("valueReference")) for e in extensions(ext, "fromNetwork")), None)
        if value is not None and (origin is None or key_of(origin) == network_key):
            return value
    return None


def new_patient_statements(element: Resource) -> list[tuple[str | None, bool]]:
    out = []
    for ext in extensions(element, "newpatients"):
        value = _accepting_value(ext)
        origin = next((reference(e.get("valueReference")) for e in extensions(ext, "fromNetwork")), None)
        if value is not None:
            out.append((key_of(origin) if origin else None, value))
    return out


def _accepting_value(ext: Resource) -> bool | None:
    for sub in extensions(ext, "acceptingPatients"):
        if isinstance(sub.get("valueBoolean"), bool):
            return bool(sub["valueBoolean"])
        for _, code in codings(sub.get("valueCodeableConcept")):
            if code in _ACCEPTING:
                return _ACCEPTING[code]
    return None


def network_refs(res: Resource) -> list[str | None]:
    return [reference(ext.get("valueReference")) for ext in extensions(res, "network-reference")]


def map_role(res: Resource, ctx: RoleContext) -> Mapping | Problem:
    rid = str(res["id"])
    practitioner = reference(res.get("practitioner"))
    if practitioner is None:
        reason = "no practitioner reference: a participation is keyed by the practitioner's NPI"
        return Problem("PractitionerRole.practitioner", reason)
    declared = network_refs(res)
    networks = [n for n in declared if n is not None]
    if len(networks) < len(declared):
        return Problem(NETWORK_PATH, "network-reference without a reference")
    specialties, bad = nucc_codes(items(res, "specialty"))
    if bad:
        return Problem("PractitionerRole.specialty", "malformed NUCC taxonomy code", bad[0])
    effective, termination, period_problem = period_bounds(res.get("period"))
    if period_problem:
        return Problem("PractitionerRole.period", period_problem)
    organization = reference(res.get("organization"))
    locations = references(res, "location")
    services = references(res, "healthcareService")
    needs = (
        Need("PractitionerRole.practitioner", practitioner, Kind.PRACTITIONER),
        *(Need(NETWORK_PATH, n, Kind.NETWORK) for n in networks),
        *([Need("PractitionerRole.organization", organization, Kind.ORGANIZATION)] if organization else []),
        *(Need("PractitionerRole.location", loc, Kind.LOCATION) for loc in locations),
        *(Need("PractitionerRole.healthcareService", s, Kind.SERVICE) for s in services),
    )
    if res.get("active") is False:
        return Mapping(needs=needs, skip=SKIP_INACTIVE)
    if not networks:
        return Mapping(needs=needs, skip=SKIP_NO_NETWORK)
    fold = ctx.practitioners.get(key_of(practitioner))
    if not specialties and fold is not None and fold.primary is not None:
        specialties = [fold.primary[1]]
    role, specialty = classify(specialties, says_pcp(res))
    location_keys = tuple(key_of(loc) for loc in locations)
    notes: list[str] = []
    records = []
    for net in networks:
        net_key = key_of(net)
        accepts = accepting(res, net_key)
        if accepts is None:
            accepts = _from_locations(location_keys, net_key, ctx.new_patients)
            if accepts is not None:
                notes.append(NOTE_ACCEPTING_FROM_LOCATION)
        pid = key_of(f"PractitionerRole/{rid}")
        records.append(
            Participation(
                id=pid if len(networks) == 1 else f"{pid}|{net.split('/', 1)[-1]}",
                npi=ctx.npi_of.get(key_of(practitioner), ""),  # resolve rejects the role when absent
                network_id=net_key,
                role=role.value,
                specialty_code=specialty,
                location_ids=location_keys,
                accepting_new_patients=accepts,
                effective=effective,
                termination=termination,
                organization_id=key_of(organization) if organization else None,
                telehealth=any(key_of(s) in ctx.virtual_services for s in services),
                source=SOURCE,
            )
        )
    return Mapping(tuple(records), needs, notes=tuple(notes))


def _from_locations(
    locations: Iterable[str], network: str, statements: AbstractMapping[str, list[tuple[str | None, bool]]]
) -> bool | None:
    """The locations' verdict when every statement that applies to this network agrees."""
    said = {v for loc in locations for origin, v in statements.get(loc, ()) if origin in (None, network)}
    return next(iter(said)) if len(said) == 1 else None


def plan_designs(res: Resource) -> tuple[list[PlanType], list[str]]:
    """(network designs named, every type code seen) from ``type`` and ``plan.type``."""
    concepts = items(res, "type") + [p.get("type") for p in items(res, "plan") if isinstance(p, dict)]
    codes = [code.lower() for c in concepts for _, code in codings(c)]
    designs = list(dict.fromkeys(_DESIGN_BY_CODE[c] for c in codes if c in _DESIGN_BY_CODE))
    return designs, codes


def map_plan(res: Resource, default_type: PlanType | None) -> Mapping | Problem:
    name = text(res, "name")
    if name is None:
        return Problem("InsurancePlan.name", "InsurancePlan without a name")
    designs, codes = plan_designs(res)
    if len(designs) > 1:
        return Problem("InsurancePlan.type", "type codes name several network designs", ",".join(codes))
    notes: tuple[str, ...] = ()
    if not designs:
        if default_type is None:
            reason = "no network design (hmo/ppo/epo/pos) among type and plan.type codes"
            return Problem("InsurancePlan.type", reason, ",".join(codes))
        designs, notes = [default_type], (NOTE_PLAN_TYPE_DEFAULT,)
    owner = reference(res.get("ownedBy")) or reference(res.get("administeredBy"))
    plans = [p for p in items(res, "plan") if isinstance(p, dict)]
    plan_networks = [n for p in plans for n in references(p, "network")]
    networks = list(dict.fromkeys(references(res, "network") + plan_networks))
    plan = Plan(
        id=key_of(f"InsurancePlan/{res['id']}"),
        name=name,
        plan_type=designs[0].value,
        referral_required=designs[0].referral_required_by_default,
        payer_id=key_of(owner) if owner else None,
        network_ids=tuple(key_of(n) for n in networks),
    )
    needs = (
        *([Need("InsurancePlan.ownedBy", owner, Kind.ORGANIZATION)] if owner else []),
        *(Need("InsurancePlan.network", n, Kind.NETWORK) for n in networks),
    )
    return Mapping((plan,), needs, notes=notes)
