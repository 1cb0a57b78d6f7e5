"""Reading many rows of `values_list()` without the ORM's per-value conversion calls on SQLite.

On SQLite a datetime column comes back naive and a JSON column as text, and the ORM turns each value into its
Python value through a chain of calls per value (the backend's converter, `is_aware`, `make_aware` and the
settings; the field's `from_db_value`, `json.loads`). Reading the events of a few weeks (the first start's
quick forecast, 190,000 events) spent most of its time there. `values_rows(queryset)` yields exactly the tuples
`queryset` (a plain `values_list()`) yields, converting those two kinds by a shortcut and every other column by
the ORM's own converters. On PostgreSQL, whose driver returns Python values, it is the queryset itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections
from django.db.models import JSONField, QuerySet
from django.db.models.expressions import Col
from django.db.models.query import ValuesListIterable
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI

Convert = Callable[[Any], Any]


def values_rows(queryset: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of `queryset`, a `values_list()` of model fields (not flat, not named, no annotations), as
    tuples equal to the ones it yields itself."""
    connection = connections[queryset.db]
    query = queryset.query
    if (
        connection.vendor != "sqlite"
        or getattr(queryset, "_iterable_class", None) is not ValuesListIterable  # what values_list() sets
        or query.extra_select
        or query.annotation_select
        or tuple(getattr(queryset, "_fields", ())) != tuple(query.values_select)
    ):
        yield from queryset
        return
    compiler = query.get_compiler(using=queryset.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE)
    width = compiler.col_count
    expressions = [expression for expression, _sql, _alias in compiler.select[:width]]
    if compiler.has_composite_fields(expressions):
        yield from compiler.results_iter(chunks, tuple_expected=True)
        return
    converters = compiler.get_converters(expressions)
    plan = [
        (position, _shortcut(convs, expression, connection)) for position, (convs, expression) in converters.items()
    ]
    for chunk in chunks:
        for row in chunk:
            values = list(row[:width])
            for position, convert in plan:
                values[position] = convert(values[position])
            yield tuple(values)


def _shortcut(convs: list[Callable[..., Any]], expression: Any, connection: Any) -> Convert:
    """One function of the value that does what the ORM's converters `convs` of a column do."""
    ops = connection.ops
    field = getattr(expression, "output_field", None)
    if len(convs) == 1:
        only = convs[0]
        if (
            getattr(only, "__func__", None) is type(ops).convert_datetimefield_value
            and getattr(only, "__self__", None) is ops
        ):
            return _datetime(only, expression, connection)
        if (
            isinstance(field, JSONField)
            and getattr(only, "__func__", None) is JSONField.from_db_value
            and (field.decoder is None and isinstance(expression, Col))
        ):
            return _json(only, expression, connection)

    def chain(value: Any) -> Any:
        for convert in convs:
            value = convert(value, expression, connection)
        return value

    return chain


def _datetime(original: Any, expression: Any, connection: Any) -> Convert:
    """SQLite's datetime converter: the driver has parsed the text already (Django registers `parse_datetime` for
    the column type); a naive value is in the connection's zone, as the converter makes it."""
    zone = original.__self__.connection.timezone
    if zone is None:  # USE_TZ off: naive datetimes, as the ORM gives them
        return lambda value: original(value, expression, connection)
    naive = dt.datetime

    def convert(value: Any) -> Any:
        if value.__class__ is naive and value.tzinfo is None:
            return value.replace(tzinfo=zone)
        return original(value, expression, connection)

    return convert


def _json(original: Callable[..., Any], expression: Any, connection: Any) -> Convert:
    """A JSON column's converter: most event payloads are empty objects; the rest are read as the field reads."""
    loads = json.loads

    def convert(value: Any) -> Any:
        if value == "{}":
            return {}
        if value.__class__ is str:
            try:
                return loads(value)
            except json.JSONDecodeError:
                return value
        return original(value, expression, connection)

    return convert
