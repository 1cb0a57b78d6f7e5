"""Filtering rows by a long list of keys, without the ORM's per-value preparation.

`filter(pk__in=ids)` passes every value through the field's `get_prep_value` and again through the
lookup's per-parameter expression check: at a batch of two thousand ids, in every query of a bulk
service, that costs more than the query. `ids_in("pk", ids)` is the same `IN` condition on keys
the caller already holds as integers, each checked once by `int()`; `texts_in` the same on a text
column (external ids, identity values), each checked by `str()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F
from django.db.models.lookups import In


class _PlainIn(In):
    """`<field> IN (...)` over values the driver takes as they are: no per-value field preparation."""

    def get_prep_lookup(self) -> Any:
        return self.rhs

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        return f"({', '.join(['%s'] * len(self.rhs))})", tuple(self.rhs)


def ids_in(field: str, ids: Iterable[int]) -> In:
    """The condition `field IN ids` for `filter()`, where `field` (a key, a foreign key's attname or a path
    to one, "contact__case_id") holds integers; each id becomes an int, duplicates are dropped, and no
    ids match no row."""
    return _PlainIn(F(field), sorted({int(pk) for pk in ids}))


def texts_in(field: str, texts: Iterable[str]) -> In:
    """The condition `field IN texts` for `filter()` on a text column, as `ids_in` is on keys."""
    return _PlainIn(F(field), sorted({str(text) for text in texts}))
