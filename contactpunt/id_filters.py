"""Filtering rows by a long list of keys, without the ORM's per-value preparation.

`filter(pk__in=ids)` passes every value through the field's `get_prep_value` and again through the
lookup's per-parameter expression check: at a batch of two thousand ids, in every query of a bulk
service, that costs more than the query. `ids_in("pk", ids)` is the same `IN` condition on keys
the caller already holds as integers, each checked once by `int()`; `texts_in` the same on a text
column (external ids, identity values), each checked by `str()`.

On PostgreSQL the values travel as one array (`field = ANY(%s::bigint[])`): psycopg's client-side binding
scans the SQL for every placeholder, a few milliseconds a query at a thousand of them, and the server
parses one literal instead of a thousand. SQLite keeps the `IN` list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F
from django.db.models.lookups import In


class _PlainIn(In):
    """`<field> IN (...)` over values the driver takes as they are: no per-value field preparation."""

    #: The PostgreSQL array type the values travel as.
    array_type = "bigint[]"

    def get_prep_lookup(self) -> Any:
        return self.rhs

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"%s::{self.array_type}", (list(self.rhs),)
        return f"({', '.join(['%s'] * len(self.rhs))})", tuple(self.rhs)

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        if connection.vendor == "postgresql":
            return f"= ANY({rhs})"
        return super().get_rhs_op(connection, rhs)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        # One array parameter: never split into several IN lists (In.as_sql does so past the backend's limit).
        return super(In, self).as_sql(compiler, connection)


class _PlainTextIn(_PlainIn):
    array_type = "text[]"


def ids_in(field: str, ids: Iterable[int]) -> In:
    """The condition `field IN ids` for `filter()`, where `field` (a key, a foreign key's attname or a path
    to one, "contact__case_id") holds integers; each id becomes an int, duplicates are dropped, and no
    ids match no row."""
    return _PlainIn(F(field), sorted({int(pk) for pk in ids}))


def texts_in(field: str, texts: Iterable[str]) -> In:
    """The condition `field IN texts` for `filter()` on a text column, as `ids_in` is on keys."""
    return _PlainTextIn(F(field), sorted({str(text) for text in texts}))
