"""The ``plannet`` source: HL7 Da Vinci Plan-Net FHIR R4 resources (folder, Bundle or NDJSON)."""

from __future__ import annotations

from loaders.pipeline import Loader
from loaders.plannet.loader import PlannetLoader
from loaders.registry import SourceOptions
from network.errors import InvalidInput
from network.model import PlanType

__all__ = ["PlannetLoader", "make_loader"]


def make_loader(options: SourceOptions) -> Loader:
    """``options.extra["default_plan_type"]`` (hmo/ppo/epo/pos) types InsurancePlans that name no design."""
    raw = options.extra.get("default_plan_type")
    if raw is None:
        return PlannetLoader()
    try:
        return PlannetLoader(default_plan_type=PlanType(raw.strip().lower()))
    except ValueError:
        raise InvalidInput(
            f"default_plan_type must be one of {', '.join(t.value for t in PlanType)}, not {raw!r}",
            field="default_plan_type",
        ) from None
