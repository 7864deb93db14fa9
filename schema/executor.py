"""Planned completion: an object whose whole selection reads plain attributes is completed in one pass.

graphql-core completes every field of a result on its own: a resolve-info object, the resolver, then
``complete_value`` walking the type's wrappers, about 3 us a field. A 20-edge referral page is ~370
fields, so that walk cost more than the search behind it on small graphs. Most of those fields are
strawberry's *basic* fields (no resolver, no permissions, no extensions: the value is an attribute of
the mapped object), and their completion is known as soon as the document is: the same fields, the
same types, the same order.

:class:`PlannedExecutor` compiles each object's selection once: a field whose whole subtree is basic
fields gets a reader (a closure: read the attribute, check nullability, coerce the leaf or recurse);
the other fields (resolvers, arguments, unions) are left to graphql-core's ``execute_fields``, whose
objects come back through this executor and are planned in turn. Plans are kept for the field nodes
they were made for, so every object and request meeting the same nodes reuses them (the parse cache
hands back the same document for the same text). A selection is planned only where it can't differ
from graphql-core's own completion:

- a planned field is a basic strawberry field (or ``__typename``) without arguments, and so is every
  field below it, on object types without ``is_type_of``, with no unions or interfaces;
- no directive appears in a planned selection (``@skip``/``@include`` make the fields depend on
  variables; ``@defer``/``@stream`` change delivery);
- no resolver middleware is installed (it must see every field).

Anything unusual met while reading (a null in a non-null field, a value a scalar refuses, a list that
is not one) abandons the plan for that object before any of its resolvers ran, and graphql-core
completes it from the start, so errors, their paths and null propagation are graphql-core's own.
Reading attributes twice is harmless: basic fields have no side effects.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from threading import Lock
from typing import Any, ClassVar, cast

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
)
from graphql.execution import MiddlewareManager
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet, collect_subfields
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

Reader = Callable[[Any], Any]

_STRAWBERRY_FIELD = "strawberry-definition"  # GraphQLCoreConverter.DEFINITION_BACKREF


class _Abandon(Exception):
    """Raised inside a plan: graphql-core completes this object instead."""


class _Unplannable(Exception):
    """Raised while compiling: this selection is left to graphql-core."""


class _PlanCache:
    """Plans by (object type, field nodes), least recently used first out. An entry holds the type and
    the nodes of its key, so that their ids cannot be reused while it lives."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._plans: OrderedDict[tuple[int, ...], tuple[object, list[FieldNode], _ObjectPlan | None]] = (
            OrderedDict()
        )
        self._lock = Lock()

    def get(self, key: tuple[int, ...]) -> tuple[bool, _ObjectPlan | None]:
        with self._lock:
            entry = self._plans.get(key)
            if entry is None:
                return False, None
            self._plans.move_to_end(key)
            return True, entry[2]

    def put(
        self, key: tuple[int, ...], owners: tuple[object, list[FieldNode]], plan: _ObjectPlan | None
    ) -> None:
        with self._lock:
            self._plans[key] = (*owners, plan)
            while len(self._plans) > self._size:
                self._plans.popitem(last=False)


@dataclass(frozen=True)
class _ObjectPlan:
    """One object's fields in response order: each either read by a plan or left to graphql-core."""

    order: tuple[str, ...]
    planned: tuple[tuple[str, Reader], ...]
    executed: dict[str, FieldDetailsList]  # a GroupedFieldSet, as graphql-core's execute_fields takes


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor with :mod:`planned completion <schema.executor>` of plain selections.

    Made per schema by :func:`planned_executor`, which gives it a plan cache of its own.
    """

    plans: ClassVar[_PlanCache]

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        # A position context (graphql-core's delivery groups) means @defer above: delivery is its business.
        plannable = position_context is None and not _has_middleware(self.middleware_manager)
        plan = self._plan(return_type, field_details_list) if plannable else None
        if plan is not None:
            try:
                read = {name: reader(result) for name, reader in plan.planned}
            except Exception:  # any surprise: graphql-core does it the long way
                pass
            else:
                if not plan.executed:
                    return read
                return self._with_executed(plan, read, return_type, result, path, position_context)
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _with_executed(
        self,
        plan: _ObjectPlan,
        read: dict[str, Any],
        object_type: GraphQLObjectType,
        source: Any,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        # Only now, with every planned field read without surprise, do resolvers run: a fallback above
        # never runs a resolver twice.
        executed = self.execute_fields(object_type, source, path, plan.executed, position_context)

        def merged(values: dict[str, Any]) -> dict[str, Any]:
            return {
                name: read[name] if name in read else values[name]
                for name in plan.order
                if name in read or name in values  # execute_fields leaves out unknown fields
            }

        if self.is_awaitable(executed):

            async def later() -> dict[str, Any]:
                return merged(await executed)

            return later()
        return merged(cast("dict[str, Any]", executed))

    def _plan(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _ObjectPlan | None:
        nodes = [details.node for details in field_details_list]
        key = (id(return_type), *map(id, nodes))
        found, plan = self.plans.get(key)
        if found:
            return plan
        try:
            plan = self._compile_object(return_type, field_details_list)
        except _Unplannable:
            plan = None
        self.plans.put(key, (return_type, nodes), plan)
        return plan

    def _compile_object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _ObjectPlan:
        """The object's fields, planned where their whole subtree can be (none: :class:`_Unplannable`)."""
        order: list[str] = []
        planned: list[tuple[str, Reader]] = []
        executed: dict[str, FieldDetailsList] = {}
        for response_name, sub_details in self._subfields(object_type, field_details_list).items():
            order.append(response_name)
            try:
                planned.append((response_name, self._compile_field(object_type, sub_details)))
            except _Unplannable:
                executed[response_name] = sub_details
        if not planned:
            raise _Unplannable
        return _ObjectPlan(tuple(order), tuple(planned), executed)

    def _compile_whole(self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> Reader:
        """A reader for the object and everything below it; raises :class:`_Unplannable` otherwise."""
        readers = [
            (response_name, self._compile_field(object_type, sub_details))
            for response_name, sub_details in self._subfields(object_type, field_details_list).items()
        ]
        return _object_reader(readers)

    def _subfields(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> GroupedFieldSet:
        if object_type.is_type_of is not None:
            raise _Unplannable
        for details in field_details_list:
            if details.defer_usage is not None or details.fragment_variable_values is not None:
                raise _Unplannable
            if details.node.selection_set is not None:
                self._require_no_directives(details.node.selection_set, set())
        grouped, defers, _ = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            object_type,
            field_details_list,
            self.hide_suggestions,
        )
        if defers:
            raise _Unplannable
        return grouped

    def _compile_field(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Reader:
        node = details[0].node
        if node.name.value == "__typename":
            return _constant(object_type.name)
        field_def = object_type.fields.get(node.name.value)
        strawberry_field = field_def.extensions.get(_STRAWBERRY_FIELD) if field_def else None
        if (
            field_def is None
            or field_def.args
            or node.arguments
            or not isinstance(strawberry_field, StrawberryField)
            or not strawberry_field.is_basic_field
            or getattr(field_def.resolve, "__name__", "") != "_get_basic_result"
        ):
            raise _Unplannable
        return _chain(_attribute_reader(strawberry_field), self._compile_value(field_def.type, details))

    def _compile_value(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Reader:
        if isinstance(type_, GraphQLNonNull):
            return _non_null(self._compile_value(type_.of_type, details))
        if isinstance(type_, GraphQLList):
            return _nullable(_list_of(self._compile_value(type_.of_type, details)))
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            return _nullable(_leaf(type_))
        if isinstance(type_, GraphQLObjectType):
            return _nullable(self._compile_whole(type_, details))
        raise _Unplannable  # unions and interfaces: the runtime type is the resolver's to choose

    def _require_no_directives(self, selection_set: SelectionSetNode, seen: set[str]) -> None:
        """No directive in this selection set, at this level (fragments included): ``@skip`` and
        ``@include`` would make the fields depend on variables, ``@defer`` the delivery."""
        for selection in selection_set.selections:
            if selection.directives:
                raise _Unplannable
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or fragment.definition.directives:
                    raise _Unplannable
                if name not in seen:
                    seen.add(name)
                    self._require_no_directives(fragment.definition.selection_set, seen)
            elif isinstance(selection, InlineFragmentNode):
                self._require_no_directives(selection.selection_set, seen)


def planned_executor(cache_size: int) -> type[PlannedExecutor]:
    """A :class:`PlannedExecutor` class keeping up to ``cache_size`` object plans."""
    return type("PlannedExecutor", (PlannedExecutor,), {"plans": _PlanCache(cache_size)})


def _has_middleware(manager: MiddlewareManager | None) -> bool:
    # strawberry always passes a manager; it wraps resolvers only when an extension implements resolve.
    return manager is not None and bool(manager.middlewares)


def _attribute_reader(field: StrawberryField) -> Reader:
    if field.default_resolver is getattr:
        return attrgetter(field.python_name)
    resolver, name = field.default_resolver, field.python_name
    return lambda source: resolver(source, name)


def _constant(value: str) -> Reader:
    return lambda _source: value


def _chain(read: Reader, complete: Reader) -> Reader:
    return lambda source: complete(read(source))


def _object_reader(readers: list[tuple[str, Reader]]) -> Reader:
    pairs = tuple(readers)
    return lambda source: {name: read(source) for name, read in pairs}


def _non_null(complete: Reader) -> Reader:
    def run(value: Any) -> Any:
        if value is None or value is Undefined:
            raise _Abandon  # graphql-core reports the error and nulls the nearest nullable parent
        return complete(value)

    return run


def _nullable(complete: Reader) -> Reader:
    return lambda value: None if value is None or value is Undefined else complete(value)


def _list_of(complete: Reader) -> Reader:
    def run(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise _Abandon  # other iterables, async ones included, take graphql-core's path
        return [complete(item) for item in value]

    return run


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Reader:
    coerce = type_.coerce_output_value

    def run(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Abandon
        return coerced

    return run
