"""The README's first command, kept honest: `pnet demo` builds a region whose printed query answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from typer.testing import CliRunner

from network.settings import Settings
from pnet_cli.main import app
from schema.app import create_app


async def test_demo_prints_a_flagship_query_that_finds_the_specialists_synth_placed(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(tmp_path), "demo", "--no-serve", "--practitioners", "600", "--referrals", "5000"],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "demo-region" / "manifest.json").read_text())
    example = manifest["example"]
    printed = re.search(r"Paste this query:\n\n(.*?)\nwith variables:\n\n(\{.*?\n\})\n", result.output, re.S)
    assert printed, result.output
    query, variables = printed[1], json.loads(printed[2])
    assert variables["input"]["pcpNpi"] == example["pcp_npi"]
    assert variables["input"]["planId"] == example["plan_id"]

    # A fresh process view of the same data dir: what `pnet serve` would see after the demo.
    app_ = create_app(Settings(store="memory", data_dir=tmp_path))
    async with app_.router.lifespan_context(app_):
        transport = httpx.ASGITransport(app=app_)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    page = body["data"]["referralOptions"]
    assert page["__typename"] == "ReferralOptions", body
    assert page["totalCount"] == example["in_network_specialists_within_radius"] > 0
    assert all(edge["node"]["distanceMiles"] <= example["radius_miles"] for edge in page["edges"])
