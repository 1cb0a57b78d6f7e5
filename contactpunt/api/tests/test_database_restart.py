"""PostgreSQL stopped and started under a running server: the API answers 503 (nothing stored)
while the database is away and recovers by itself, without a restart; every accepted contact is
stored exactly once. The server is the product's own `up`, against a PostgreSQL of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from contactpunt.api.tests.postgres_server import OwnPostgres, initdb_path, start_own_postgres
from contactpunt.channels.tests.dovecot import free_port

ROOT = Path(__file__).resolve().parents[3]
T = "2026-03-02T10:00:00+01:00"
SETUP = """
from contactpunt.api.models import Integration
from contactpunt.contacts.models import Channel, Queue
from contactpunt.people.models import Department
department = Department.objects.create(name="Klantenservice", cost_per_hour=35)
Queue.objects.create(code="phone-general", name="Telefoon", channel=Channel.PHONE, department=department)
integration = Integration(name="Centrale", source="pbx")
print(integration.set_new_token())
integration.save()
"""


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    if initdb_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's initdb is needed for the database-restart test on CI")
        pytest.skip("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    server = start_own_postgres()
    yield server
    server.remove()


def _environment(server: OwnPostgres, data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": server.url,
        "CONTACTPUNT_DATA_DIR": str(data),
        "DB_POOL_TIMEOUT": "3",
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "PYTHONPATH": str(ROOT),
    }


def _contact(external_id: str) -> dict[str, object]:
    return {
        "external_id": external_id,
        "queue": "phone-general",
        "occurred_at": T,
        "identities": [{"kind": "phone", "value": "0612345678"}],
    }


def _serve(environment: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "contactpunt.cli", "up", "--no-demo", "--no-worker", "--port", str(port)]
    process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    for _attempt in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
            return process
        except httpx.TransportError:
            assert process.poll() is None, "the server stopped while starting"
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def test_the_api_recovers_by_itself_after_postgresql_restarts(own_postgres, tmp_path):
    environment = _environment(own_postgres, tmp_path)
    command = [sys.executable, "-m", "contactpunt.cli"]
    subprocess.run([*command, "migrate", "-v", "0"], env=environment, cwd=ROOT, check=True)  # noqa: S603
    token = (
        subprocess.run(  # noqa: S603
            [*command, "shell", "-c", SETUP], env=environment, cwd=ROOT, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = _serve(environment, port)
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    try:
        before = [client.post("/contacts", json=_contact(f"before-{i}")).status_code for i in range(3)]
        own_postgres.stop()
        during = [client.post("/contacts", json=_contact(f"during-{i}")) for i in range(3)]
        during.append(client.post("/contacts/bulk", json={"items": [_contact("during-bulk")]}))
        own_postgres.start()

        # The caller retries what was refused, as a 503 asks; the server is not restarted.
        after: dict[str, int] = {}
        for external_id in ["during-0", "during-1", "during-2", "after-0", "after-1"]:
            for _attempt in range(60):
                status = client.post("/contacts", json=_contact(external_id)).status_code
                if status != 503:
                    break
                time.sleep(0.5)
            after[external_id] = status
        bulk_after = client.post("/contacts/bulk", json={"items": [_contact("during-bulk"), _contact("after-bulk")]})
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)

    assert before == [201, 201, 201]
    assert [response.status_code for response in during] == [503, 503, 503, 503]
    assert all(response.json()["errors"][0]["code"] == "unavailable" for response in during)
    assert after == dict.fromkeys(after, 201)
    assert bulk_after.status_code == 200 and bulk_after.json()["created"] == 2
    with psycopg.connect(own_postgres.url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute("SELECT external_id, count(*) FROM contacts_contact GROUP BY external_id").fetchall()
    stored: dict[str, int] = dict(rows)
    assert stored == dict.fromkeys(
        [
            *(f"before-{i}" for i in range(3)),
            "during-0",
            "during-1",
            "during-2",
            "after-0",
            "after-1",
            "during-bulk",
            "after-bulk",
        ],
        1,
    )
