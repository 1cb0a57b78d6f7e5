"""Backups restore into an empty database with every row: SQLite through the online backup API into a new file,
PostgreSQL through pg_dump and pg_restore into a new database, each checked by the row count of every table.

Each test runs on its own engine: the SQLite one in the SQLite run, the PostgreSQL one when DATABASE_URL is
PostgreSQL (CI runs both); otherwise it is skipped, saying why. On CI a missing pg_dump or pg_restore fails."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from contactpunt.contacts.models import Channel, Queue
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.ops.backup import postgres_environment, row_counts

pytestmark = pytest.mark.django_db(transaction=True)


def _skip_unless(vendor: str) -> None:
    if connection.vendor != vendor:
        reason = f"this backup test runs on {vendor} (the database of this run is {connection.vendor})"
        print(reason)
        pytest.skip(reason)


def _some_history() -> None:
    queue = Queue.objects.create(code="email", name="E-mail", channel=Channel.EMAIL)
    at = timezone.now() - dt.timedelta(hours=2)
    for n in range(3):
        mail(queue, at, f"backup-{n}", sender=f"klant{n}@example.nl", name=f"Klant {n}")


def test_a_sqlite_backup_is_a_complete_database_file(tmp_path: Path) -> None:
    _skip_unless("sqlite")
    _some_history()
    target = tmp_path / "backup.sqlite3"
    out = StringIO()
    call_command("backup", str(target), "--json", stdout=out)
    report = json.loads(out.getvalue())
    counts = report["rows"]
    assert counts == row_counts()
    assert counts["contacts_case"] == 3 and counts["contacts_contact"] == 3 and counts["customers_customer"] == 3
    # Restoring is putting the file in the database's place; opened on its own, it holds every row.
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert row_counts(using=copy) == counts
    finally:
        copy.close()
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(target))


def _require_postgres_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed (apt-get install postgresql-client)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)


def test_a_postgresql_backup_restores_into_an_empty_database(tmp_path: Path) -> None:
    _skip_unless("postgresql")
    _require_postgres_tools()
    _some_history()
    target = tmp_path / "backup.dump"
    out = StringIO()
    call_command("backup", str(target), "--json", stdout=out)
    counts = json.loads(out.getvalue())["rows"]
    assert counts["contacts_case"] == 3 and counts["contacts_contact"] == 3
    env = postgres_environment()
    restored = f"{connection.settings_dict['NAME']}_restore"[:63]
    admin = {key: value for key, value in env.items() if key.startswith("PG")} | {"PGDATABASE": "postgres"}
    conninfo = " ".join(f"{k[2:].lower()}={v}" for k, v in admin.items() if k in ("PGHOST", "PGPORT", "PGUSER"))
    password = admin.get("PGPASSWORD")
    with psycopg.connect(conninfo, dbname="postgres", password=password, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        server.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(  # noqa: S603 - a fixed tool and our own file
            [shutil.which("pg_restore") or "pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(target)],
            env=env,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(conninfo, dbname=restored, password=password) as copy:
            assert row_counts(using=copy) == counts
    finally:
        with psycopg.connect(conninfo, dbname="postgres", password=password, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{restored}"')
