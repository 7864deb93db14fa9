"""What Cypher statements rely on about the graph's shape, held where the shape is defined (LINKS)."""

from __future__ import annotations

from network.model import Label, Rel
from network.store.links import LINKS


def test_at_location_joins_only_participations_to_locations() -> None:
    # rank_specialists.cypher expands AT_LOCATION without checking either end's label.
    ends = {
        (source, link.target)
        for source, links in LINKS.items()
        for link in links
        if link.rel is Rel.AT_LOCATION
    }
    assert ends == {(Label.PARTICIPATION, Label.LOCATION)}
    assert all(link.outgoing for link in LINKS[Label.PARTICIPATION] if link.rel is Rel.AT_LOCATION)
