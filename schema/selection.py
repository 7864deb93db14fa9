"""What a document asks of a field's result, for resolvers whose work depends on it."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.types.nodes import SelectedField, Selection


def selects(fields: Sequence[Selection], *names: str, under: Sequence[str] = ()) -> bool:
    """Whether any of ``fields`` (a resolver's ``info.selected_fields``) selects one of ``names`` on its
    result, or on the result of the field path ``under`` it (``("edges", "node")``: a connection's
    nodes), directly or through fragments. Directives are not read: a field that ``@skip`` may drop
    counts as selected, so a resolver that saves work on unselected fields never leaves a selected one
    empty."""
    level = [f for f in fields if isinstance(f, SelectedField)]
    for step in under:
        level = [child for f in level for child in _fields(f.selections) if child.name == step]
    wanted = frozenset(names)
    return any(child.name in wanted for f in level for child in _fields(f.selections))


def _fields(selections: Sequence[Selection]) -> list[SelectedField]:
    """The fields of a selection set, fragments (inline or spread) unfolded."""
    out: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            out.append(selection)
        else:
            out += _fields(selection.selections)
    return out
