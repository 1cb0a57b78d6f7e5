"""The contact event log by month on PostgreSQL: one partition per month, made ahead, old months detached to archive.

The event log (`contacts_contactevent`) is the table that grows without end: several rows per contact, kept for
every figure. On PostgreSQL migration 0017 makes it a declaratively partitioned table, by range of `occurred_at`,
one partition per calendar month in the configured time zone plus a default partition for what lies outside them
(a history imported from long ago). Queries over a period read only its months (the rollup rebuild, the drill
downs), vacuum and index upkeep work per month, and an old month leaves the database with one `DETACH PARTITION`:
the detached table stays beside the log, to be dumped and dropped (`contactpunt partitions --detach-before`).

`ensure_partitions` (the daily job in `ops.partition_job`, and migration 0017) makes the months from now to
`AHEAD` months ahead; a month whose rows already sit in the default partition gets them moved into its own. On
SQLite nothing is partitioned and every function here answers as much.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from contactpunt.audit import services as audit

TABLE = "contacts_contactevent"
DEFAULT = f"{TABLE}_default"
AHEAD = 3
#: When the log is first partitioned, the months of at most this long ago get their own partition; older rows
#: stay in the default partition.
KEEP_BACK = 36
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    month: dt.date | None  # the first day of its month; None for the default partition
    rows: int  # the planner's estimate (exact after ANALYZE)


def is_partitioned(using: BaseDatabaseWrapper | None = None) -> bool:
    """Whether the event log is partitioned (PostgreSQL after migration 0017)."""
    db = using or connection
    if db.vendor != "postgresql":
        return False
    with db.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
        return cursor.fetchone() is not None


def first_of_month(moment: dt.datetime) -> dt.date:
    """The first day of the month `moment` falls in, in the configured time zone."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first moment and the next month's, in the configured time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(month, dt.time(), tzinfo=zone)
    return start, dt.datetime.combine(next_month(month), dt.time(), tzinfo=zone)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def partitions(using: BaseDatabaseWrapper | None = None) -> list[Partition]:
    """The log's partitions, months in order, then the default one; empty when the log is not partitioned."""
    db = using or connection
    if not is_partitioned(db):
        return []
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, GREATEST(c.reltuples, 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        found = cursor.fetchall()
    months = []
    default = []
    for name, rows in found:
        match = _NAME.match(name)
        if match:
            months.append(Partition(name, dt.date(int(match[1]), int(match[2]), 1), int(rows)))
        else:
            default.append(Partition(name, None, int(rows)))
    return sorted(months, key=lambda p: p.month or dt.date.min) + default


def ensure_partitions(
    now: dt.datetime | None = None, *, ahead: int = AHEAD, using: BaseDatabaseWrapper | None = None
) -> list[str]:
    """Make the partitions of this month and the `ahead` months after it that do not exist yet; return their
    names. Nothing on a log that is not partitioned."""
    db = using or connection
    if not is_partitioned(db):
        return []
    month = first_of_month(now or timezone.now())
    made = []
    for _step in range(ahead + 1):
        if _make_month(db, month):
            made.append(partition_name(month))
        month = next_month(month)
    return made


def _make_month(db: BaseDatabaseWrapper, month: dt.date) -> bool:
    """Make one month's partition, moving its rows out of the default partition first; False if it exists."""
    name = partition_name(month)
    start, end = month_bounds(month)
    quote = db.ops.quote_name
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {quote(DEFAULT)} WHERE occurred_at >= %s AND occurred_at < %s)",  # noqa: S608 - constant names
            [start, end],
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                f"CREATE TABLE {quote(name)} PARTITION OF {quote(TABLE)} FOR VALUES FROM (%s) TO (%s)", [start, end]
            )
            return True
        # PostgreSQL refuses a new partition whose rows the default partition holds: move them over first.
        cursor.execute(f"CREATE TABLE {quote(name)} (LIKE {quote(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {quote(DEFAULT)} WHERE occurred_at >= %s AND occurred_at < %s RETURNING *) "  # noqa: S608
            f"INSERT INTO {quote(name)} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(
            f"ALTER TABLE {quote(TABLE)} ATTACH PARTITION {quote(name)} FOR VALUES FROM (%s) TO (%s)", [start, end]
        )
    return True


def detach_before(month: dt.date, using: BaseDatabaseWrapper | None = None, *, by: str = "") -> list[str]:
    """Detach the partitions of the months before `month` (its first day); return their names. Each stays in the
    database as a table of its own, no longer part of the log: dump it (`pg_dump -t NAME`) and drop it.

    Each detached month is written to the audit log (its table, month and estimated rows, and `by`, who or what
    detached it): customers' events leave the product's reach there."""
    db = using or connection
    detached = []
    for partition in partitions(db):
        if partition.month is not None and partition.month < month:
            with transaction.atomic(using=db.alias):
                with db.cursor() as cursor:
                    cursor.execute(
                        f"ALTER TABLE {db.ops.quote_name(TABLE)} DETACH PARTITION {db.ops.quote_name(partition.name)}"
                    )
                audit.record_named(
                    actor_label=by or "contactpunt partitions",
                    action="events.partition_detached",
                    object_type="contacts.contactevent",
                    object_id=partition.name,
                    changes={"month": f"{partition.month:%Y-%m}", "rows": partition.rows},
                )
            detached.append(partition.name)
    return detached


def partition_the_log(db: BaseDatabaseWrapper, now: dt.datetime | None = None) -> None:
    """Turn the plain event log into the partitioned one, keeping its rows, indexes and keys (migration 0017).

    PostgreSQL cannot partition a table in place: the log is renamed, a partitioned table made in its image (its
    key becomes (id, occurred_at), as every unique key of a partitioned table holds the partition column), the
    rows copied over, and the old table dropped; its indexes and foreign keys are then made again by their own
    definitions, and its id sequence continues where it was."""
    quote = db.ops.quote_name
    flat = f"{TABLE}_flat"
    with db.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {quote(TABLE)} RENAME TO {quote(flat)}")
        cursor.execute(
            f"CREATE TABLE {quote(TABLE)} (LIKE {quote(flat)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY RANGE (occurred_at)"
        )
        cursor.execute(f"CREATE TABLE {quote(DEFAULT)} PARTITION OF {quote(TABLE)} DEFAULT")
        cursor.execute(f"SELECT MIN(occurred_at), MAX(id) FROM {quote(flat)}")  # noqa: S608
        oldest, highest = cursor.fetchone()
        now = now or timezone.now()
        month = first_of_month(now)
        for _step in range(KEEP_BACK):
            if oldest is None or month <= first_of_month(oldest):
                break
            month = (month - dt.timedelta(days=1)).replace(day=1)
        while month <= first_of_month(now):  # the past months with rows; `ensure_partitions` makes the rest
            start, end = month_bounds(month)
            cursor.execute(
                f"CREATE TABLE {quote(partition_name(month))} PARTITION OF {quote(TABLE)} FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
            month = next_month(month)
        cursor.execute(f"INSERT INTO {quote(TABLE)} SELECT * FROM {quote(flat)}")  # noqa: S608
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [flat])
        indexes = [(name, definition) for name, definition in cursor.fetchall() if name != f"{TABLE}_pkey"]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(%s) "
            "AND contype = 'f'",
            [flat],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(f"DROP TABLE {quote(flat)}")
        sequence = f"{TABLE}_id_seq"
        cursor.execute(f"CREATE SEQUENCE {quote(sequence)} OWNED BY {quote(TABLE)}.id")
        cursor.execute(f"ALTER TABLE {quote(TABLE)} ALTER COLUMN id SET DEFAULT nextval(%s)", [sequence])
        cursor.execute("SELECT setval(%s, %s, false)", [sequence, (highest or 0) + 1])
        cursor.execute(
            f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote(TABLE + '_pkey')} PRIMARY KEY (id, occurred_at)"
        )
        for _name, definition in indexes:
            cursor.execute(
                definition.replace(f" ON public.{flat} ", f" ON public.{TABLE} ").replace(
                    f" ON {flat} ", f" ON {TABLE} "
                )
            )
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote(name)} {definition}")
        # New tables have no statistics until (auto)vacuum comes by: the planner would take the log for empty.
        cursor.execute(f"ANALYZE {quote(TABLE)}")
    ensure_partitions(now, using=db)
