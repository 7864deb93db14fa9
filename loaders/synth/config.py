"""What a synthetic region is made of: the arguments, and the shares that make it look like real data.

Shares marked *sample* come from the 2,000 real NPPES rows of the shared sample (see ``derive.py``); the
rest are documented judgement (``docs/synth.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from network.errors import InvalidInput
from network.validate import US_STATES, parse_date

CHUNK = 20_000  # rows generated and written at a time; fixed so output never depends on it

# NPPES row mix.
ORGANIZATION_SHARE = 0.05  # Entity Type 2 rows among all NPPES rows written
PCP_SHARE = 0.32  # of practitioners; the sample has 491/2,000 (24.6%), real panels run 30-35% with NP/PA
MULTI_CODE_SHARE = 310 / 2000  # sample: rows with two or more distinct taxonomy codes
PRIMARY_NOT_FIRST_SHARE = 195 / 2000  # sample: the "Y" switch is not in slot 1
NO_PRIMARY_SWITCH_SHARE = 29 / 2000  # sample: codes but no "Y" switch (then slot 1 holds the primary)
FIVE_DIGIT_ZIP_SHARE = 128 / 2000  # sample: practice ZIP given as ZIP5 instead of ZIP+4
DROPPED_ZERO_SHARE = 0.08  # leading-zero ZIPs written as spreadsheets leave them ("6105", "61051208")
REACTIVATED_SHARE = 30 / 2000  # sample: deactivated once, reactivated later (active)
DEACTIVATED_SHARE = 0.005  # deactivated for good: kept in NPPES with active=False
MALE_SHARE = 1323 / 2000  # sample

# Participation roster.
NETWORKS_PER_PRACTITIONER = (0.08, 0.44, 0.33, 0.15)  # P(0, 1, 2, 3 networks)
TERMINATED_SHARE = 0.06  # ended before as-of
ENDING_SHARE = 0.04  # in effect on as-of, ending later
FUTURE_SHARE = 0.03  # starts after as-of
NOT_ACCEPTING_SHARE = 0.15
EXPLICIT_ADDRESS_SHARE = 0.3  # rows that spell out the address instead of leaving it to NPPES
SECOND_OFFICE_SHARE = 0.1  # of explicit addresses: another office in a nearby ZIP

# Referrals (CMS shared-patient layout).
PCP_REFERRER_SHARE = 0.75  # edges starting at a PCP; the rest run specialist -> specialist
REFERRAL_NEIGHBOURS = 96  # candidate specialists per referrer: its nearest ones
DECAY_MILES = 12.0  # weight exp(-distance / DECAY_MILES): referrals mostly stay near
MIN_BENEFICIARIES = 11  # CMS suppresses pairs sharing fewer than 11 patients

DEFAULT_AS_OF = "2025-01-01"


@dataclass(frozen=True, slots=True)
class SynthConfig:
    seed: int = 1
    practitioners: int = 10_000
    referrals: int = 100_000
    states: tuple[str, ...] = ("CT",)
    bad_share: float = 0.01
    as_of: str = DEFAULT_AS_OF
    payers: int | None = None  # 2 or 3; None: chosen by the seed

    def __post_init__(self) -> None:
        if self.practitioners < 20:
            raise InvalidInput("--practitioners must be at least 20", field="practitioners")
        if self.referrals < 0:
            raise InvalidInput("--referrals must not be negative", field="referrals")
        if not 0.0 <= self.bad_share <= 0.2:
            raise InvalidInput("--bad-share must be between 0 and 0.2", field="bad_share")
        bad = [s for s in self.states if s not in US_STATES]
        if not self.states or bad:
            raise InvalidInput(f"unknown state code(s): {', '.join(bad) or '(none given)'}", field="state")
        if parse_date(self.as_of) != self.as_of:
            raise InvalidInput("--as-of must be an ISO date (YYYY-MM-DD)", field="as_of")
        if self.payers is not None and self.payers not in (2, 3):
            raise InvalidInput("--payers must be 2 or 3", field="payers")


# Each file with the source that loads it, in load order: practitioners first (participation and referrals
# refer to them), then plans and networks (participation refers to networks), then counties (linked to
# the locations already there).
LOAD_ORDER = (
    ("nppes", "nppes.csv"),
    ("plans", "plans.csv"),
    ("participation", "participation.csv"),
    ("referrals", "referrals.csv"),
    ("counties", "counties.csv"),
)
FILES = tuple(name for _, name in LOAD_ORDER)
