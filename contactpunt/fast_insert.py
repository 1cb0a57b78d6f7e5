"""Writing many new rows fast, in as few round trips as the database allows.

`bulk_create` compiles SQL for every row and field and fetches keys table by table, which costs more
than the database's own work for inbound batches. `save_new` takes the same model instances:

1. it reserves primary keys for every object of every table at once, from the tables' own
   sequences (one query on PostgreSQL), so rows that point at each other are linked before
   anything is written (objects given keys before, by `assign_ids`, keep them);
2. it copies the keys of related objects into their `<name>_id` attributes;
3. it writes each table's rows: COPY for large batches on PostgreSQL, pipelined INSERTs for small
   ones (one network round trip for all tables), executemany on SQLite.

Values go through each field's `get_db_prep_save` where the driver needs it, exactly as the ORM
would store them; only the per-row SQL compilation is skipped. Must run inside a transaction. On
SQLite the transaction holds the write lock (BEGIN IMMEDIATE), so reading a table's highest id and
writing above it cannot race another writer.

Two cheaper ways in for the batch services, where Django's `Model.__init__` costs more than the
write itself:

- `build(Model, **values)` makes the instance `Model(**values)` would make (same attributes, same
  defaults, related objects cached), without the per-field descriptor work of `__init__`;
- `insert_rows(Model, attnames, rows)` writes plain tuples, no instances at all, with keys from
  `reserve_ids`. The values are what the instances would hold; the same preparation applies.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)

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


#: The columns of a contact event written as a plain tuple (by the inbound and the batch event services).
CONTACT_EVENT_COLUMNS = (
    "id",
    "name",
    "case_id",
    "contact_id",
    "leg",
    "queue_id",
    "agent_id",
    "occurred_at",
    "recorded_at",
    "source",
    "external_id",
    "data",
)


def save_new(groups: Sequence[Sequence[models.Model]]) -> None:
    """Write every object of `groups` as a new row. Each group holds objects of one model, and a
    group comes after the groups it points at (customers before cases before contacts)."""
    groups = [group for group in groups if group]
    assign_ids(groups)
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
    alias = connection.alias  # not per object: `connection` is a proxy that looks itself up on every access
    for group in groups:
        for obj in group:
            obj._state.adding = False
            obj._state.db = alias


def assign_ids(
    groups: Sequence[Sequence[models.Model]], also: Sequence[tuple[type[models.Model], int]] = ()
) -> list[list[int]]:
    """Give every object of `groups` that has no key yet a new one, and reserve `count` more keys of each
    (model, count) of `also` (rows a batch writes as tuples later); one query on PostgreSQL for all of them.
    Return the keys reserved for `also`, in its order. `save_new` then writes the objects with these keys."""
    wanted = [(group, [obj for obj in group if obj.pk is None]) for group in groups]
    wanted = [(group, missing) for group, missing in wanted if missing]
    extra = [(model, count) for model, count in also if count > 0]
    if not wanted and not extra:
        return [[] for _ in also]
    tables = [(type(group[0])._meta.db_table, len(missing)) for group, missing in wanted]
    tables += [(model._meta.db_table, count) for model, count in extra]
    reserved = _reserve(tables)
    for (_group, missing), ids in zip(wanted, reserved, strict=False):
        for obj, pk in zip(missing, ids, strict=True):
            obj.pk = pk
    extra_ids = iter(reserved[len(wanted) :])
    return [next(extra_ids) if count > 0 else [] for _model, count in also]


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
    relations = tuple(_plan(type(group[0])).relations.items())
    for obj in group:
        attributes = obj.__dict__
        cache = obj._state.fields_cache
        for name, attname in relations:
            if attributes.get(attname) is None:
                related = cache.get(name)
                if related is not None:
                    attributes[attname] = related.pk


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for a datetime: naive UTC, as str() writes it."""
    if value is None:
        return None
    if value.tzinfo is dt.UTC:
        return value.isoformat(" ")[:-6]  # str() of the naive value, without a conversion
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


# The text of datetimes converted lately, by value (equal moments are the same instant, whatever their zone, so
# they have the same text). One moment is written into several columns and tables, often as distinct but equal
# objects: an inbound contact's time is its case's opening, its message's creation, its leg's queueing and its
# queued event. The conversion costs several times the lookup.
_DATETIME_TEXTS: dict[dt.datetime, str | None] = {}
_DATETIME_TEXTS_KEPT = 50_000


def _sqlite_datetime_remembered(value: dt.datetime | None) -> str | None:
    """_sqlite_datetime, answering a moment converted lately from memory."""
    if value is None:
        return None
    text = _DATETIME_TEXTS.get(value)
    if text is None:
        text = _sqlite_datetime(value)
        if len(_DATETIME_TEXTS) >= _DATETIME_TEXTS_KEPT:
            _DATETIME_TEXTS.clear()
        _DATETIME_TEXTS[value] = text
    return text


def converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a field's Python value becomes what the driver takes; None when it takes it as it is."""
    if connection.vendor == "sqlite" and isinstance(field, models.DateTimeField):
        return _sqlite_datetime_remembered
    prepared = _PREPARED_POSTGRESQL if connection.vendor == "postgresql" else _PREPARED_SQLITE
    if not isinstance(field, prepared):
        return None
    wrapper = connections[DEFAULT_DB_ALIAS]  # not the thread-local proxy: this runs per value
    if isinstance(field, models.JSONField):
        # Most payloads are empty: prepare those once.
        empty_dict, empty_list = field.get_db_prep_save({}, wrapper), field.get_db_prep_save([], wrapper)

        def prepare_json(value: Any) -> Any:
            if value == {} and isinstance(value, dict):
                return empty_dict
            if value == [] and isinstance(value, list):
                return empty_list
            return field.get_db_prep_save(value, wrapper)

        return prepare_json
    return lambda value: field.get_db_prep_save(value, wrapper)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a model's rows need, worked out once per model."""

    fields: tuple[models.Field[Any, Any], ...]
    attnames: tuple[str, ...]
    constants: dict[str, Any]
    factories: tuple[tuple[str, Callable[[], Any]], ...]
    relations: dict[str, str]  # field name -> attname, for foreign keys
    names: frozenset[str]


@functools.cache
def _plan(model: type[models.Model]) -> _Plan:
    fields = tuple(f for f in model._meta.concrete_fields if not getattr(f, "generated", False))
    constants: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for field in fields:
        if field.has_default() and callable(field.default):
            factories.append((field.attname, field.default))
        else:
            constants[field.attname] = field.get_default()
    relations = {f.name: f.attname for f in fields if isinstance(f, models.ForeignKey)}
    pk = model._meta.pk
    aliases = {"pk"} if pk is not None else set()
    names = frozenset({f.attname for f in fields} | set(relations) | aliases)
    return _Plan(fields, tuple(f.attname for f in fields), constants, tuple(factories), relations, names)


def build(model: type[M], **values: Any) -> M:
    """Return what `model(**values)` returns, without `Model.__init__`'s per-field work.

    Fields not given get their defaults; a related object given by field name is cached and its key
    copied, as the ORM does. No pre_init or post_init signal is sent: our models have no receivers.
    """
    plan = _plan(model)
    obj = model.__new__(model)
    state = ModelState()
    attributes = obj.__dict__
    attributes["_state"] = state
    attributes.update(plan.constants)
    for attname, factory in plan.factories:
        if attname not in values:
            attributes[attname] = factory()
    for name, value in values.items():
        if name not in plan.names:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {name!r}")
        relation = plan.relations.get(name)
        if relation is not None:
            attributes[relation] = None if value is None else value.pk
            state.fields_cache[name] = value
        elif name == "pk":
            obj.pk = value
        else:
            attributes[name] = value
    return obj


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` new primary keys of `model`'s table (inside the writing transaction)."""
    if count <= 0:
        return []
    return _reserve([(model._meta.db_table, count)])[0]


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Write `rows` (tuples of the Python values of `attnames`, the key included) into `model`'s
    table: COPY for large batches on PostgreSQL, executemany otherwise. Columns not named get
    the database's NULL, so name every column that has a value."""
    if not rows:
        return
    by_attname = {f.attname: f for f in _plan(model).fields}
    fields = [by_attname[name] for name in attnames]
    converters = [(index, convert) for index, f in enumerate(fields) if (convert := converter(f)) is not None]
    if converters:
        rows = [_converted(row, converters) for row in rows]
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


def _insert(group: Sequence[models.Model]) -> None:
    model = type(group[0])
    attnames = _plan(model).attnames
    get = operator.attrgetter(*attnames)
    rows = [get(obj) for obj in group] if len(attnames) > 1 else [(get(obj),) for obj in group]
    insert_rows(model, attnames, rows)


def update_rows(model: type[models.Model], rows: Sequence[Any], fields: Sequence[str]) -> None:
    """Write `fields` of each row (a model instance or a record with `pk` and the fields' attnames)
    by primary key: what bulk_update writes, as one executemany.

    bulk_update builds one CASE expression per field and batch, which costs more than the write.
    """
    if not rows:
        return
    meta = model._meta
    columns = [field for name in fields if isinstance(field := meta.get_field(name), models.Field)]
    table = connection.ops.quote_name(meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column or f.name)} = %s" for f in columns)
    pk = connection.ops.quote_name(meta.pk.column or "id") if meta.pk else "id"
    get = operator.attrgetter(*(f.attname for f in columns), "pk")
    params = [get(row) for row in rows]
    converters = [(index, convert) for index, f in enumerate(columns) if (convert := converter(f))]
    if converters:
        params = [_converted(values, converters) for values in params]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", params)  # noqa: S608 (names from the model)


def _converted(values: tuple[Any, ...], converters: Sequence[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    row = list(values)
    for index, convert in converters:
        row[index] = convert(row[index])
    return tuple(row)


def refresh_statistics(*models_: type[models.Model]) -> None:
    """Tell PostgreSQL's planner how many rows a bulk load wrote (ANALYZE those tables; nothing on SQLite).

    Until autovacuum looks (and it never sees rows of a transaction still open), the planner takes
    a freshly filled table for empty and joins it by a nested loop over the whole other table: a
    join of 36,000 customers to 36,000 cases ran for minutes. ANALYZE runs inside a transaction
    and counts that transaction's own new rows."""
    if connection.vendor != "postgresql" or not models_:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
