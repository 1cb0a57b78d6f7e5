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

from contactpunt.contacts.tests.erasure_scenario import NEEDLES

ROOT = Path(__file__).resolve().parents[3]


def _run(data_dir: Path, *args: str) -> dict[str, object]:
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
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def traces(data_dir: Path) -> list[str]:
    """Every place a needle is found: 'table.column needle' for rows, 'file name needle' for bytes on disk."""
    database = data_dir / "contactpunt.sqlite3"
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
    files = [database, Path(f"{database}-wal")] + [p for p in (data_dir / "media").rglob("*") if p.is_file()]
    for path in files:
        if path.exists():
            content = path.read_bytes()
            for needle in NEEDLES:
                found += [f"{path.name} {needle}"] * content.count(needle.encode())
    return found


def test_an_erased_customer_leaves_no_trace_in_any_table_or_the_database_file(tmp_path: Path) -> None:
    state = _run(tmp_path, "fill")
    before = traces(tmp_path)
    # The search works: each needle is found in rows and on disk before the erasure.
    for needle in NEEDLES:
        assert any(t.endswith(needle) and "." in t.split()[0] for t in before), needle
    assert any(t.startswith("contactpunt.sqlite3 ") for t in before)
    assert any("channel_adapters_inboundmail.raw" in t for t in before)
    assert any("channel_adapters_webhookdelivery.body" in t for t in before)
    assert any("contacts_casethreadkey.key" in t for t in before)

    erased = _run(tmp_path, "erase", json.dumps(state))

    assert traces(tmp_path) == []
    assert erased["outbox"] == ["cancelled"]  # the queued reply is never sent
