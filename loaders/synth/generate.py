"""One synthetic region, file by file, each from its own random stream of one seed.

Every file draws from its own child of ``SeedSequence(seed)``, so the output is byte-identical for the
same arguments and a change to how one file is made never shifts the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from loaders.synth.addresses import build_sites
from loaders.synth.config import FILES, SynthConfig
from loaders.synth.counties import write_counties
from loaders.synth.edges import write_referrals
from loaders.synth.manifest import demo_example, manifest
from loaders.synth.nppes_rows import write_nppes
from loaders.synth.participation import write_participation
from loaders.synth.plans import build_roster, write_plans
from loaders.synth.planted import PlantLog
from loaders.synth.population import build_population
from loaders.synth.region import build_region
from loaders.synth.world import World

_RESERVE_NPIS = 4096  # unknown NPIs for bad rows, reused in turn


def generate(config: SynthConfig, out: Path, step: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write the region's files, ``planted.json`` and ``manifest.json`` into ``out``; return the manifest."""
    say = step or (lambda _: None)
    out.mkdir(parents=True, exist_ok=True)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(13)]
    say("region")
    region = build_region(config.states)
    people = build_population(streams[0], region, config.practitioners, _RESERVE_NPIS)
    world = World(config, out, region, build_sites(streams[1], region), people, PlantLog(out))
    say("nppes.csv")
    write_nppes(world, streams[2], streams[3])
    say("plans.csv")
    roster = build_roster(streams[4], config.states[0], config.payers)
    write_plans(world, roster, streams[5])
    say("participation.csv")
    contracts = write_participation(world, roster, streams[6], streams[7])
    say("referrals.csv")
    write_referrals(world, streams[8], streams[9])
    say("counties.csv")
    write_counties(world, streams[10], streams[11])
    say("manifest.json")
    result = manifest(world, roster, contracts, demo_example(world, roster, contracts, streams[12]))
    world.log.write(out / "planted.json", {"seed": config.seed, "bad_share": config.bad_share}, list(FILES))
    (out / "manifest.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return result
