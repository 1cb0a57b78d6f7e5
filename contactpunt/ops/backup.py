"""Backups of the database: SQLite through its online backup API into a new file (consistent while the product
runs: readers and the one writer go on), PostgreSQL through pg_dump's custom format (restored with pg_restore).
Each backup reports the row count of every table, so a restore can be checked against it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def row_counts(*, using: Any = None) -> dict[str, int]:
    """The number of rows of every table of the product's database (or of `using`, a DB-API connection to a
    restored copy of the same engine), by table name."""
    if using is None:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            return {t: _count(cursor, connection.ops.quote_name(t)) for t in sorted(tables)}
    cursor = using.cursor()
    try:
        if isinstance(using, sqlite3.Connection):
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            # The product's tables as Django lists them: a partitioned table counts its partitions' rows itself.
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            )
        tables = [row[0] for row in cursor.fetchall()]
        return {t: _count(cursor, '"' + t.replace('"', '""') + '"') for t in sorted(tables)}
    finally:
        cursor.close()


def _count(cursor: Any, quoted: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - a table name from the catalogue, quoted
    return int(cursor.fetchone()[0])


def backup(target: Path) -> dict[str, int]:
    """Write a backup of the database to `target` (which must not exist yet); return the row counts it holds."""
    if target.exists():
        raise BackupError(f"{target} exists already: a backup goes into a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = row_counts()
    if connection.vendor == "sqlite":
        _backup_sqlite(target)
    elif connection.vendor == "postgresql":
        _backup_postgres(target)
    else:  # pragma: no cover - settings allow only these two
        raise BackupError(f"no backup for the {connection.vendor} database")
    return counts


def _backup_sqlite(target: Path) -> None:
    connection.ensure_connection()
    source = connection.connection
    assert isinstance(source, sqlite3.Connection)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # page by page, consistent as of the end of the copy
    finally:
        copy.close()


def postgres_environment() -> dict[str, str]:
    """The libpq variables for pg_dump and pg_restore from the database settings (the password never on a
    command line)."""
    settings = connection.settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"], "PGUSER": settings.get("USER") or ""}
    if settings.get("HOST"):
        env["PGHOST"] = settings["HOST"]
    if settings.get("PORT"):
        env["PGPORT"] = str(settings["PORT"])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _backup_postgres(target: Path) -> None:
    command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)]
    try:
        done = subprocess.run(command, env=postgres_environment(), capture_output=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)") from None
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")
