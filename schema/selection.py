"""What a document asks of a field's result, for resolvers whose work depends on it."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.types.nodes import SelectedField, Selection


def selects(fields: Sequence[Selection], name: str) -> bool:
    """Whether any of ``fields`` (a resolver's ``info.selected_fields``) selects ``name`` on its result,
    directly or through fragments. Directives are not read: a field that ``@skip`` may drop counts as
    selected, so a resolver that saves work on unselected fields never leaves a selected one empty."""
    return any(isinstance(field, SelectedField) and _names(field.selections, name) for field in fields)


def _names(selections: Sequence[Selection], name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif _names(selection.selections, name):  # an inline fragment or a fragment spread
            return True
    return False
