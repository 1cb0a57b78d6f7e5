"""Writing many new rows fast: COPY on PostgreSQL, one executemany on SQLite.

`bulk_create` compiles SQL for every row and field, which costs more than the database's own work
for the inbound batches. This writer takes the same model instances, gives them primary keys from
the table's own sequence first (so rows that point at each other can be linked before anything is
written), and streams their column values straight to the database. Values go through each field's
`get_db_prep_save`, exactly as the ORM would store them; only the per-row SQL is skipped.

Must run inside a transaction. On SQLite the transaction holds the write lock (BEGIN IMMEDIATE),
so reading the table's highest id and writing above it cannot race another writer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)

# Field types whose Python value the database driver cannot take as it is. psycopg adapts dates,
# times, decimals, bytes and UUIDs itself; sqlite3 needs Django's conversions for all of them.
_PREPARED_POSTGRESQL: tuple[type[models.Field[Any, Any]], ...] = (models.JSONField,)
_PREPARED_SQLITE: tuple[type[models.Field[Any, Any]], ...] = (
    models.JSONField,
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.BinaryField,
    models.UUIDField,
)


def _getter(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    attname = field.attname
    prepared = _PREPARED_POSTGRESQL if connection.vendor == "postgresql" else _PREPARED_SQLITE
    if isinstance(field, prepared):
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
    return lambda obj: getattr(obj, attname)


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys of `model`'s table, in increasing order."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
        pk = connection.ops.quote_name(model._meta.pk.column or "id")
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = int(cursor.fetchone()[0])
        # AUTOINCREMENT never reuses an id, even of a deleted row: start above both.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, int(row[0]) if row else 0) + 1
        return list(range(start, start + count))


def assign_ids(objs: Sequence[models.Model]) -> None:
    """Give every object without a primary key one from its table's sequence."""
    if not objs:
        return
    missing = [obj for obj in objs if obj.pk is None]
    for obj, pk in zip(missing, allocate_ids(type(objs[0]), len(missing)), strict=True):
        obj.pk = pk


def insert(objs: Sequence[M]) -> None:
    """Write the objects (all of one model, primary keys assigned) as new rows.

    Foreign keys are written from their `<name>_id` attributes, which the caller has set.
    """
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    getters = [_getter(field) for field in fields]
    rows = [tuple(get(obj) for get in getters) for obj in objs]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
