"""Writing many new rows fast, in as few round trips as the database allows.

`bulk_create` compiles SQL for every row and field and fetches keys table by table, which costs more
than the database's own work for inbound batches. `save_new` takes the same model instances:

1. it reserves primary keys for every object of every table at once, from the tables' own
   sequences (one query on PostgreSQL), so rows that point at each other are linked before
   anything is written;
2. it copies the keys of related objects into their `<name>_id` attributes;
3. it writes each table's rows: COPY for large batches on PostgreSQL, pipelined INSERTs for small
   ones (one network round trip for all tables), executemany on SQLite.

Values go through each field's `get_db_prep_save` where the driver needs it, exactly as the ORM
would store them; only the per-row SQL compilation is skipped. Must run inside a transaction. On
SQLite the transaction holds the write lock (BEGIN IMMEDIATE), so reading a table's highest id and
writing above it cannot race another writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# From this many rows of one table on, COPY beats INSERT on PostgreSQL.
COPY_FROM = 100

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


def save_new(groups: Sequence[Sequence[models.Model]]) -> None:
    """Write every object of `groups` as a new row. Each group holds objects of one model, and a
    group comes after the groups it points at (customers before cases before contacts)."""
    groups = [group for group in groups if group]
    _assign_ids(groups)
    for group in groups:
        _link_foreign_keys(group)
    if connection.vendor == "postgresql" and all(len(group) < COPY_FROM for group in groups):
        # Small batches (the single-contact path): every INSERT in one network round trip.
        raw = connection.connection
        assert raw is not None
        with raw.pipeline():
            for group in groups:
                _insert(group)
    else:
        for group in groups:
            _insert(group)
    for group in groups:
        for obj in group:
            obj._state.adding = False
            obj._state.db = connection.alias


def _assign_ids(groups: Sequence[Sequence[models.Model]]) -> None:
    wanted = [(group, [obj for obj in group if obj.pk is None]) for group in groups]
    wanted = [(group, missing) for group, missing in wanted if missing]
    if not wanted:
        return
    tables = [(type(group[0])._meta.db_table, len(missing)) for group, missing in wanted]
    for (_group, missing), ids in zip(wanted, _reserve(tables), strict=True):
        for obj, pk in zip(missing, ids, strict=True):
            obj.pk = pk


def _reserve(tables: list[tuple[str, int]]) -> list[list[int]]:
    """Reserve `count` new primary keys of each table, in one query on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            parts = ", ".join(
                "(SELECT array_agg(nextval(pg_get_serial_sequence(%s, 'id'))) FROM generate_series(1, %s))"
                for _ in tables
            )
            cursor.execute(f"SELECT {parts}", [value for table in tables for value in table])
            return [sorted(ids) for ids in cursor.fetchone()]
        reserved = []
        for table, count in tables:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            highest = int(cursor.fetchone()[0])
            # AUTOINCREMENT never reuses an id, even of a deleted row: start above both.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, int(row[0]) if row else 0) + 1
            reserved.append(list(range(start, start + count)))
        return reserved


def _link_foreign_keys(group: Sequence[models.Model]) -> None:
    """Copy the keys of related objects assigned before they had keys into `<name>_id`."""
    relations = [f for f in type(group[0])._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for obj in group:
        for field in relations:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    setattr(obj, field.attname, related.pk)


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for a datetime: naive UTC, as str() writes it."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


def _getter(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    attname = field.attname
    if connection.vendor == "sqlite" and isinstance(field, models.DateTimeField):
        return lambda obj: _sqlite_datetime(getattr(obj, attname))
    prepared = _PREPARED_POSTGRESQL if connection.vendor == "postgresql" else _PREPARED_SQLITE
    if isinstance(field, prepared):
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
    return lambda obj: getattr(obj, attname)


def _insert(group: Sequence[models.Model]) -> None:
    model = type(group[0])
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    getters = [_getter(field) for field in fields]
    rows = [tuple(get(obj) for get in getters) for obj in group]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
