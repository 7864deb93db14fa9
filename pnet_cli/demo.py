"""``pnet demo``: pnet's main job end to end on the embedded store, with nothing installed but pnet.

Generates a synthetic region (``pnet synth``), loads every file of it, and serves the API with GraphiQL,
printing a flagship query built from the region's own data (real NPIs and a plan id from the manifest).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from loaders.pipeline import LoadOptions
from loaders.schedule import Step
from loaders.synth import LOAD_ORDER, SynthConfig, generate
from network.errors import PnetError
from network.settings import Settings
from pnet_cli.context import console, fail, for_load, settings_from
from pnet_cli.load import load_steps


def demo(
    ctx: typer.Context,
    practitioners: int = typer.Option(5_000, min=50, help="size of the synthetic region"),
    referrals: int = typer.Option(50_000, min=0, help="shared-patient rows"),
    seed: int = typer.Option(1, help="synthetic region seed"),
    state: str = typer.Option("CT", help="state of the region"),
    host: str = typer.Option("127.0.0.1", help="interface to serve on"),
    port: int = typer.Option(8000, min=1, max=65535, help="port to serve on"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the API after loading"),
) -> None:
    """Synthesize a region, load it into the configured store (embedded by default) and serve GraphiQL."""
    settings = settings_from(ctx)
    region = settings.data_dir / "demo-region"
    console.rule(f"1/3 pnet synth: {practitioners:,} practitioners in {state} (seed {seed}) -> {region}")
    try:
        config = SynthConfig(
            seed=seed, practitioners=practitioners, referrals=referrals, states=(state.upper(),)
        )
        manifest = generate(config, region)
    except PnetError as exc:
        fail(str(exc), code=2)
    console.rule(f"2/3 pnet load into the {settings.store} store")
    load_region(settings, region)
    example = manifest.get("example") or {}
    if not example:
        fail("the synthetic region has no PCP with in-network specialists nearby; try another --seed")
    query, variables = flagship_query(example)
    url = f"http://{host}:{port}/graphql"
    console.rule("3/3 pnet serve")
    typer.echo(f"\nGraphiQL: {url}\n\nPaste this query:\n\n{query}")
    typer.echo(f"with variables:\n\n{json.dumps(variables, indent=2)}\n")
    payload = json.dumps({"query": query, "variables": variables})
    typer.echo(f"or with curl:\n\ncurl -s {url} -H 'content-type: application/json' -d '{payload}'\n")
    if serve:
        _serve(settings, host, port)


def load_region(settings: Settings, region: Path, batch_size: int | None = None) -> None:
    """Load every file `pnet synth` wrote, in dependency order, into the configured store."""
    settings = for_load(settings, batch_size=batch_size)
    report_dir = settings.data_dir / "reports"
    steps = [
        Step(
            source,
            (region / name,),
            LoadOptions(
                batch_size=settings.batch_size,
                lanes=settings.load_lanes,
                rejects_path=report_dir / f"demo-rejects-{source}.csv",
                report_path=report_dir / f"demo-load-{source}.json",
                max_reject_rate=0.5,  # synth plants bad rows on purpose; a small county file has 3 of 11
            ),
        )
        for source, name in LOAD_ORDER
    ]
    console.print(load_steps(settings, steps))
    console.print(
        "rejected rows are the ones synth planted on purpose; see the rejects CSVs in "
        f"{settings.data_dir / 'reports'}"
    )


def flagship_query(example: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The README's flagship query, with variables taken from the region's manifest."""
    query = """query ReferralOptions($input: ReferralSearchInput!) {
  referralOptions(input: $input, first: 10) {
    __typename
    ... on ReferralOptions {
      totalCount
      pcp { npi name }
      plan { id name }
      edges {
        node {
          specialist { npi name }
          specialty { code display }
          location { addressLine city zip }
          distanceMiles
          network { id name }
          acceptingNewPatients
          referralRequired
          priorReferrals
        }
      }
      pageInfo { hasNextPage endCursor }
    }
    ... on PcpNotInNetwork { message }
    ... on InvalidInput { message }
  }
}
"""
    variables = {
        "input": {
            "pcpNpi": example["pcp_npi"],
            "planId": example["plan_id"],
            "near": {"zip": example["near"]["zip"]},
            "radiusMiles": example["radius_miles"],
            "specialty": example["specialty"],
            "asOf": example["as_of"],
            "orderBy": "PRIOR_REFERRALS",
        }
    }
    return query, variables


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from pnet_cli.serve import logging_config
    from schema.app import create_app

    uvicorn.run(
        create_app(settings), host=host, port=port, log_config=logging_config("INFO"), access_log=False
    )
