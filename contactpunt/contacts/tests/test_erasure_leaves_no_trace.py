"""The decisive erasure test: one customer through every channel (API, e-mail intake, web form, chat, WhatsApp
webhook, an agent's reply in the outbox, notes), then erased through the API, on a real SQLite file. Every column
of every table, the database file, its write-ahead log and the attachment folder are searched for the customer's
name, address, number and a phrase of their text: first to prove the search finds them, then to find nothing.

The scenario runs in subprocesses (contactpunt/contacts/tests/erasure_scenario.py) with their own file database,
so the search reads exactly what the product left on disk.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from contactpunt.contacts.tests.erasure_scenario import NEEDLES

ROOT = Path(__file__).resolve().parents[3]


def _run(data_dir: Path, *args: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings_test",
        "CONTACTPUNT_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'contactpunt.sqlite3'}",
    }
    done = subprocess.run(  # noqa: S603 (this interpreter, our own module, fixed arguments)
        [sys.executable, "-m", "contactpunt.contacts.tests.erasure_scenario", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def file_traces(paths: list[Path]) -> list[str]:
    """'file needle' for every occurrence of a needle in the bytes of these files."""
    found = []
    for path in paths:
        if path.exists():
            content = path.read_bytes()
            for needle in NEEDLES:
                found += [f"{path.name} {needle}"] * content.count(needle.encode())
    return found


def row_traces(database: Path) -> list[str]:
    """'table.column needle' for every row of every table whose column holds a needle (as bytes)."""
    found = []
    connection = sqlite3.connect(database)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for needle in NEEDLES:
                    (count,) = connection.execute(
                        f'SELECT count(*) FROM "{table}" WHERE instr(CAST("{column}" AS BLOB), ?) > 0',  # noqa: S608
                        [needle.encode()],
                    ).fetchone()
                    found += [f"{table}.{column} {needle}"] * count
    finally:
        connection.close()
    return found


def test_an_erased_customer_leaves_no_trace_in_any_table_or_the_database_file(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    result = _run(tmp_path, str(snapshots))
    before = file_traces(
        [snapshots / "before" / "contactpunt.sqlite3", snapshots / "before" / "contactpunt.sqlite3-wal"]
    )
    # The search works: before the erasure each needle is on disk (in the write-ahead log at least) and in the
    # rows, among them the columns the issue named.
    for needle in NEEDLES:
        assert any(t.startswith("contactpunt.sqlite3-wal ") and t.endswith(needle) for t in before), needle
    found = row_traces(snapshots / "before" / "contactpunt.sqlite3")
    for needle in NEEDLES:
        assert any(t.endswith(needle) for t in found), needle
    for column in (
        "channel_adapters_inboundmail.raw",
        "channel_adapters_outboundmessage.body",
        "channel_adapters_webhookdelivery.body",
        "contacts_casethreadkey.key",
        "customers_identity.value",
    ):
        assert any(t.startswith(column + " ") for t in found), column

    database = tmp_path / "contactpunt.sqlite3"
    assert row_traces(database) == []
    after = snapshots / "after"
    assert (after / "contactpunt.sqlite3").exists()
    assert file_traces([after / "contactpunt.sqlite3", after / "contactpunt.sqlite3-wal"]) == []
    assert file_traces([database, Path(f"{database}-wal")]) == []
    assert file_traces([p for p in (tmp_path / "media").rglob("*") if p.is_file()]) == []
    assert result["outbox"] == ["cancelled"]  # the queued reply is never sent
    assert result["journey"] == [0, 0]  # the stay, its stages and its people (the guest stays a customer)

    # The export made before the erasure held everything: every channel, the texts, attachment, notes, the reply
    # in the outbox, the received mail and the message analysis.
    exported = result["export"]
    assert {"customer", "identities", "notes", "cases", "channels", "insights"} <= set(exported["sections"])
    assert set(exported["channels"]) >= {"email", "webform", "chat", "whatsapp"}
    assert exported["texts_with_phrase"] >= 6 and exported["internal_notes"] == 1
    assert (exported["attachments"], exported["notes"], exported["outbound"], exported["received_mail"]) == (1, 1, 1, 1)
    assert exported["insights"] >= 4
    assert exported["stays"] == ["B-erasure-1"]
