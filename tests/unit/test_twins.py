"""The relationship types a referral search by radius expands (network.store.twins), as Cypher text."""

from __future__ import annotations

from network.store.twins import expansion, quoted


def test_expansion_names_the_twins_of_the_codes_asked_for() -> None:
    assert expansion(None) == "AT_LOCATION"
    assert expansion(["207RC0000X", "207N00000X", "207RC0000X"]) == (
        "`AT_LOCATION_AS_207N00000X`|`AT_LOCATION_AS_207RC0000X`"
    )
    assert expansion([]) == "`AT_LOCATION_AS_`"  # no code: a type no write creates
    assert quoted("a`b") == "`a``b`"
