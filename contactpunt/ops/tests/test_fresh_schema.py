"""The fresh SQLite database's schema in one go (contactpunt.ops.fresh_schema) is the database the migrations make:
one empty SQLite file migrated one migration after another, one created by `fresh_schema.create` and then migrated
(nothing left to apply), each in its own process as `up` does it; then every table's, index's and trigger's
definition and every row of every table are compared.

Three differences are allowed, none of which Django or SQLite sees: the order of a table's columns (SQLite's
AlterField copies a table with the altered column last; the final state lists it where it was added: every column's
and constraint's definition is compared, not their order), the times at which a row was written (datetime columns:
whether each holds a time is compared) and sqlite_sequence's entries of 0 (a table copied while empty; no entry
means the same to AUTOINCREMENT).

About half a minute: migrating the first file is most of it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FRESH = """
import django; django.setup()
from django.core.management import call_command
from django.db import connection
from contactpunt.ops import fresh_schema
assert fresh_schema.create(connection)
assert not fresh_schema.create(connection)  # tables now
call_command("migrate", verbosity=0)
"""


def _database(folder: Path, command: list[str]) -> Path:
    folder.mkdir()
    path = folder / "contactpunt.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "CONTACTPUNT_DATA_DIR": str(folder),
        "SECRET_KEY": "fresh-schema-test-secret-key-long-enough-for-django",
        "PYTHONPATH": str(REPO),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, *command], env=env, cwd=REPO, check=True)  # noqa: S603 - our own commands
    return path


def _schema(db: sqlite3.Connection) -> set[tuple[str, str, str, object]]:
    return {
        (kind, name, table, _definitions(sql) if kind == "table" and sql else sql)
        for kind, name, table, sql in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
    }


def _definitions(sql: str) -> tuple[str, tuple[str, ...]]:
    """A CREATE TABLE statement as its head and its column and constraint definitions, in sorted order."""
    head, _bracket, body = sql.partition("(")
    assert body.endswith(")"), sql
    parts, depth, start = [], 0, 0
    for position, char in enumerate(body[:-1]):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:position].strip())
            start = position + 1
    parts.append(body[start:-1].strip())
    return head, tuple(sorted(parts))


def _rows(db: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    columns = sorted((row[1], row[2]) for row in db.execute(f'PRAGMA table_info("{table}")'))
    # A time of writing is compared as there or not.
    listed = ", ".join(f'"{name}" IS NULL' if kind == "datetime" else f'"{name}"' for name, kind in columns)
    where = " WHERE seq != 0" if table == "sqlite_sequence" else ""
    return sorted(db.execute(f'SELECT {listed} FROM "{table}"{where}'), key=repr)  # noqa: S608 - names from the file


def test_a_fresh_schema_is_the_migrated_one(tmp_path: Path) -> None:
    migrated = _database(tmp_path / "migrated", ["-m", "contactpunt.cli", "migrate", "-v0"])
    fresh = _database(tmp_path / "fresh", ["-c", FRESH])
    with sqlite3.connect(migrated) as a, sqlite3.connect(fresh) as b:
        schema = _schema(a)
        assert _schema(b) == schema
        tables = sorted(name for kind, name, _table, _sql in schema if kind == "table")
        assert len(tables) > 100
        assert {"django_migrations", "feedback_survey", "contacts_contactevent"} <= set(tables)
        assert len([kind for kind, *_rest in schema if kind == "index"]) > 100
        seeded = 0
        for table in tables:
            rows = _rows(a, table)
            assert _rows(b, table) == rows, table
            seeded += len(rows) if table != "django_migrations" else 0
        assert seeded > 0  # the data migrations' and the signals' rows are there, in both
        assert len(_rows(a, "django_migrations")) > 100
