"""The checked-in SDL matches the code, and every example operation in docs/queries runs as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.adequacy_region import build_adequacy_region
from support.api_region import AS_OF, CENTER, PCP, api_client, gql

from network.store.memory import MemoryStore
from schema.export import REGENERATE, SDL_PATH, sdl

QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries"

# Variables for each example, and what its answer must show.
EXAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    "referral_options": (
        {"input": {"pcpNpi": PCP, "planId": "HMO", "near": CENTER, "specialty": "Cardiology", "asOf": AS_OF}},
        '"__typename": "ReferralOptions"',
    ),
    "provider": ({"npi": PCP, "asOf": AS_OF}, '"name": "Paula Primary"'),
    "providers_near": (
        {
            "filter": {
                "near": {"zip": "06103"},
                "radiusMiles": 10,
                "planId": "HMO",
                "language": "Spanish",
                "specialty": "Cardiology",
                "asOf": AS_OF,
            }
        },
        '"npi": "1900000006"',
    ),
    "providers_by_name": ({"name": "sam spec", "state": "CT"}, '"name": "Sam Special00"'),
    "plan": ({"id": "HMO", "asOf": AS_OF}, '"pcps": 1'),
    "network": ({"id": "N-PPO"}, '"name": "PPO network"'),
    "specialties": ({"search": "cardio"}, '"code": "207RC0000X"'),
    "network_adequacy": (
        {"input": {"planId": "PPO", "state": "CT", "specialtyTypes": ["Cardiology", "Gynecology OB/GYN"]}},
        '"reason": "access"',
    ),
}


def test_schema_graphql_is_up_to_date() -> None:
    assert SDL_PATH.exists(), f"schema/schema.graphql is missing: run `{REGENERATE}`"
    assert SDL_PATH.read_text() == sdl(), f"schema/schema.graphql is out of date: run `{REGENERATE}`"


def test_every_example_is_covered() -> None:
    assert {p.stem for p in QUERIES.glob("*.graphql")} == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_example_runs(name: str) -> None:
    variables, expected = EXAMPLES[name]
    async with api_client(build_adequacy_region(MemoryStore())) as client:
        body = await gql(client, (QUERIES / f"{name}.graphql").read_text(), variables)
    assert "errors" not in body, body
    assert expected in json.dumps(body)
