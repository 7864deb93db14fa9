"""What the API answers, as plain Python over the :class:`~network.store.GraphStore` protocol.

The GraphQL layer (``schema``) only maps these results to types; anything a store can answer is decided
here once, so both stores give the same answers and the contract suite can prove it without HTTP.
"""

from network.services.directory import ProviderFilter, ProviderPage, ProviderResult, search_providers
from network.services.inputs import GeoQuery
from network.services.outcomes import InvalidRequest, PcpNotInNetwork, PlanNotFound, ProviderNotFound
from network.services.referrals import (
    ReferralOption,
    ReferralOptions,
    ReferralOrder,
    ReferralOutcome,
    ReferralRequest,
    referral_options,
)

__all__ = [
    "GeoQuery",
    "InvalidRequest",
    "PcpNotInNetwork",
    "PlanNotFound",
    "ProviderFilter",
    "ProviderNotFound",
    "ProviderPage",
    "ProviderResult",
    "ReferralOption",
    "ReferralOptions",
    "ReferralOrder",
    "ReferralOutcome",
    "ReferralRequest",
    "referral_options",
    "search_providers",
]
