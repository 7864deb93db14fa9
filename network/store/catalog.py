"""The Cypher catalog: every statement the Neo4j store runs lives in its own ``.cypher`` file.

Statements are asked for by a :class:`Statement` member, never by a free string, so a typo is a type
error and a test checks that the enum and the folder list the same files.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

from network.errors import CypherCatalogError
from network.model import Label


class Statement(StrEnum):
    INIT_SCHEMA = "init_schema"
    WRITE_REFERRALS = "write_referrals"
    WRITE_REFERRALS_NEW = "write_referrals_new"
    REFERRAL_EDGES_EXIST = "referral_edges_exist"
    ENSURE_SPECIALTIES = "ensure_specialties"
    RANK_SPECIALISTS = "rank_specialists"
    LOOKUP = "lookup"
    PARTICIPATIONS_OF = "participations_of"
    PRACTITIONER_PROFILES = "practitioner_profiles"
    REFERRAL_COUNTS = "referral_counts"
    TOP_REFERRAL_TARGETS = "top_referral_targets"
    STATS_NODES = "stats_nodes"
    STATS_RELATIONSHIPS = "stats_relationships"
    CHECKSUM_NODES = "checksum_nodes"
    CHECKSUM_RELATIONSHIPS = "checksum_relationships"
    CLEAR_BATCH = "clear_batch"
    CLEAR_RELATIONSHIPS_BATCH = "clear_relationships_batch"
    TWIN_TYPES = "twin_types"
    CLEAR_TWINS_BATCH = "clear_twins_batch"
    TWINS_MISSING = "twins_missing"
    BACKFILL_TWINS = "backfill_twins"
    PING = "ping"
    SHOW_CONSTRAINTS = "show_constraints"
    SHOW_INDEXES = "show_indexes"
    WRITE_PRACTITIONER = "write_practitioner"
    WRITE_ORGANIZATION = "write_organization"
    WRITE_LOCATION = "write_location"
    WRITE_SPECIALTY = "write_specialty"
    WRITE_NETWORK = "write_network"
    WRITE_PLAN = "write_plan"
    WRITE_COUNTY = "write_county"
    WRITE_PARTICIPATION = "write_participation"
    GET_PRACTITIONER = "get_practitioner"
    GET_ORGANIZATION = "get_organization"
    GET_LOCATION = "get_location"
    GET_SPECIALTY = "get_specialty"
    GET_NETWORK = "get_network"
    GET_PLAN = "get_plan"
    GET_COUNTY = "get_county"
    GET_PARTICIPATION = "get_participation"
    EXISTING_PRACTITIONER = "existing_practitioner"
    EXISTING_ORGANIZATION = "existing_organization"
    EXISTING_LOCATION = "existing_location"
    EXISTING_SPECIALTY = "existing_specialty"
    EXISTING_NETWORK = "existing_network"
    EXISTING_PLAN = "existing_plan"
    EXISTING_COUNTY = "existing_county"
    EXISTING_PARTICIPATION = "existing_participation"
    KEYS_PRACTITIONER = "keys_practitioner"
    KEYS_ORGANIZATION = "keys_organization"
    KEYS_LOCATION = "keys_location"
    KEYS_SPECIALTY = "keys_specialty"
    KEYS_NETWORK = "keys_network"
    KEYS_PLAN = "keys_plan"
    KEYS_COUNTY = "keys_county"
    KEYS_PARTICIPATION = "keys_participation"
    # -- directory search (API)
    SEARCH_NEAR = "search_near"
    SEARCH_ZIP = "search_zip"
    SEARCH_STATE = "search_state"
    SEARCH_NAME = "search_name"
    SEARCH_SPECIALTY = "search_specialty"
    SEARCH_NETWORK = "search_network"
    SEARCH_FILTER = "search_filter"
    API_NETWORK_COUNTS = "api_network_counts"
    # -- end directory search (API)
    # -- adequacy
    ADEQUACY_PROVIDERS = "adequacy_providers"
    ADEQUACY_PRACTITIONER_POINTS = "adequacy_practitioner_points"
    ADEQUACY_COUNTIES = "adequacy_counties"
    # -- end adequacy

    @classmethod
    def per_label(cls, verb: str, label: Label) -> Statement:
        """The statement ``<verb>_<label>``, e.g. ``per_label("write", Label.PLAN)``."""
        return cls(f"{verb}_{label.value.lower()}")


@cache
def cypher(statement: Statement) -> str:
    """The text of a statement, read once from its ``.cypher`` file."""
    try:
        return resources.files("network.store").joinpath("cypher", f"{statement.value}.cypher").read_text()
    except FileNotFoundError as exc:
        raise CypherCatalogError(f"no cypher file for statement {statement.value!r}") from exc


def statements_in(statement: Statement) -> list[str]:
    """A multi-statement file split into single statements (comments and blank lines dropped)."""
    body = "\n".join(line for line in cypher(statement).splitlines() if not line.lstrip().startswith("//"))
    return [part.strip() for part in body.split(";") if part.strip()]


def catalog_files() -> set[str]:
    folder = resources.files("network.store").joinpath("cypher")
    return {p.name.removesuffix(".cypher") for p in folder.iterdir() if p.name.endswith(".cypher")}
