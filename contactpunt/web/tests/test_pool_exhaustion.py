"""Every pooled database connection in use past DB_POOL_TIMEOUT: a page and an API call that cannot get one are
answered 503 with Retry-After (they were 500s under load), and the server serves again as soon as a connection
comes free, without a restart. The server is the product's own `up`, with a pool of one connection, against a
PostgreSQL of the test's own; the one connection is kept busy by a request that waits on a table lock."""

from __future__ import annotations

import subprocess
import sys
import threading

import httpx
import psycopg

from contactpunt.api.tests.test_database_restart import ROOT, _contact, _environment, _serve, own_postgres
from contactpunt.channels.tests.dovecot import free_port

__all__ = ["own_postgres"]  # the fixture, imported for pytest

SETUP = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from contactpunt.api.models import Integration
from contactpunt.contacts.models import Channel, Queue
from contactpunt.people.models import Role, User
Queue.objects.create(code="phone-general", name="Telefoon", channel=Channel.PHONE)
integration = Integration(name="Centrale", source="pbx")
token = integration.set_new_token()
integration.save()
agent = User.objects.create_user(username="anna", password="pw-anna", role=Role.AGENT)
session = SessionStore()
session[SESSION_KEY] = str(agent.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
session.create()
print(token, settings.SESSION_COOKIE_NAME, session.session_key)
"""


def test_a_request_that_gets_no_pooled_connection_is_a_503_and_the_server_serves_again(own_postgres, tmp_path):
    environment = {**_environment(own_postgres, tmp_path), "DB_POOL_SIZE": "1", "DB_POOL_TIMEOUT": "1"}
    command = [sys.executable, "-m", "contactpunt.cli"]
    subprocess.run([*command, "migrate", "-v", "0"], env=environment, cwd=ROOT, check=True)  # noqa: S603
    setup = subprocess.run(  # noqa: S603
        [*command, "shell", "-c", SETUP], env=environment, cwd=ROOT, check=True, capture_output=True, text=True
    )
    token, cookie, session = setup.stdout.strip().splitlines()[-1].split()
    port = free_port()
    server = _serve(environment, port)
    url = f"http://127.0.0.1:{port}"
    pages = httpx.Client(base_url=url, cookies={cookie: session}, timeout=30)
    api = httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    held: list[int] = []
    try:
        assert pages.get("/workspace/").status_code == 200
        with psycopg.connect(own_postgres.url.replace("postgres://", "postgresql://")) as locker:
            locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")  # until this transaction ends
            holder = threading.Thread(target=lambda: held.append(pages.get("/workspace/").status_code))
            holder.start()  # reads the session on the pool's only connection, and waits on the lock
            for _attempt in range(100):
                waiting = locker.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                ).fetchone()
                if waiting and waiting[0]:
                    break
                threading.Event().wait(0.1)
            busy_page = pages.get("/workspace/")
            busy_call = api.post("/contacts", json=_contact("while-busy"))
            locker.commit()  # the lock goes: the first request finishes and frees the connection
        holder.join(30)
        after_page = pages.get("/workspace/")
        after_call = api.post("/contacts", json=_contact("while-busy"))  # sent again, as the 503 asked
    finally:
        pages.close()
        api.close()
        server.terminate()
        server.wait(timeout=30)

    assert (busy_page.status_code, busy_page.headers.get("Retry-After")) == (503, "2")
    assert "Even druk" in busy_page.text
    assert busy_call.status_code == 503 and busy_call.headers.get("Retry-After")
    assert busy_call.json()["errors"][0]["code"] == "unavailable"
    assert held == [200]
    assert after_page.status_code == 200
    assert after_call.status_code == 201
