"""Ingestion benchmark: contacts per second through the service, the single API and the bulk API.

    .venv/bin/python bench/ingest.py [--db sqlite|postgres|both] [--pg-url URL] [--single N] [--bulk N]

For each database it makes a fresh one, creates a queue, an integration and `--known` customers,
then sends contacts with 70% known and 30% new customers:
  - service:  receive_contact() called in-process, one contact at a time (and receive_contacts in
              batches of 1,000), with the full identity and case logic;
  - single:   POST /api/v1/contacts, the server (uvicorn) with 2 worker processes, the client in its
              own process with 8 concurrent connections;
  - bulk:     POST /api/v1/contacts/bulk with 1,000 contacts a call, same server and client;
  - ceiling:  the same rows (customer, identity, case, contact, leg, message, event) written raw:
              COPY on PostgreSQL, one executemany transaction on SQLite.
Each rate is printed with its ratio to the ceiling. Run on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
KNOWN_SHARE = 0.7


def contact_payload(n: int, run: str, known: int, rng: random.Random) -> dict[str, Any]:
    """The n-th contact of a run: 70% from one of `known` existing customers, 30% new."""
    email = f"known{rng.randrange(known)}@example.nl" if rng.random() < KNOWN_SHARE else f"new-{run}-{n}@example.nl"
    return {
        "external_id": f"{run}-{n}",
        "queue": "bench",
        "occurred_at": "2026-03-02T10:00:00+01:00",
        "identities": [{"kind": "email", "value": email}],
        "customer_name": f"Klant {n}",
        "subject": "Waar blijft mijn bestelling?",
        "text": "Goedemiddag, mijn bestelling 12345 is nog niet binnen. Kunt u kijken waar die blijft?",
    }


# -- child process roles ------------------------------------------------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()


def role_setup(known: int) -> None:
    """Migrate, then create the queue, the integration and the known customers; print the token."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from contactpunt.api.models import Integration
    from contactpunt.contacts.models import Queue
    from contactpunt.contacts.services.inbound import receive_contacts
    from contactpunt.contacts.services.types import IdentityInput, InboundContact

    Queue.objects.create(code="bench", name="Bench", channel="email")
    integration = Integration(name="bench", source="bench")
    token = integration.set_new_token()
    integration.save()
    from django.utils.dateparse import parse_datetime

    at = parse_datetime("2026-03-01T10:00:00+01:00")
    assert at is not None
    for start in range(0, known, 1000):
        receive_contacts(
            [
                InboundContact(
                    source="seed",
                    queue="bench",
                    occurred_at=at,
                    external_id=f"seed-{i}",
                    identities=(IdentityInput("email", f"known{i}@example.nl"),),
                )
                for i in range(start, min(start + 1000, known))
            ]
        )
    print(token)


def role_service(count: int, known: int, batch: int) -> None:
    """Call the service function in-process; print contacts per second."""
    django_setup()
    from django.utils.dateparse import parse_datetime

    from contactpunt.contacts.services.inbound import receive_contact, receive_contacts
    from contactpunt.contacts.services.types import IdentityInput, InboundContact

    rng = random.Random(1)
    run = uuid.uuid4().hex[:8]
    items = []
    for n in range(count):
        p = contact_payload(n, run, known, rng)
        at = parse_datetime(p["occurred_at"])
        assert at is not None
        items.append(
            InboundContact(
                source="svc",
                queue="bench",
                occurred_at=at,
                external_id=p["external_id"],
                identities=(IdentityInput("email", p["identities"][0]["value"]),),
                customer_name=p["customer_name"],
                subject=p["subject"],
                text=p["text"],
            )
        )
    started = time.perf_counter()
    if batch == 1:
        for item in items:
            receive_contact(item)
    else:
        for start in range(0, count, batch):
            receive_contacts(items[start : start + batch])
    print(count / (time.perf_counter() - started))


def role_client(url: str, token: str, count: int, known: int, bulk: int, connections: int) -> None:  # noqa: PLR0917
    """Send `count` contacts over `connections` connections; print contacts per second."""
    import httpx

    rng = random.Random(2)
    run = uuid.uuid4().hex[:8]
    payloads = [contact_payload(n, run, known, rng) for n in range(count)]
    if bulk > 1:
        bodies = [json.dumps({"items": payloads[i : i + bulk]}) for i in range(0, count, bulk)]
        path = "/api/v1/contacts/bulk"
    else:
        bodies = [json.dumps(p) for p in payloads]
        path = "/api/v1/contacts"
    queue: asyncio.Queue[str] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    failures: list[str] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            response = await client.post(path, content=body)
            if response.status_code not in (200, 201):
                failures.append(f"{response.status_code} {response.text[:200]}")

    async def main() -> float:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as client:
            started = time.perf_counter()
            await asyncio.gather(*(worker(client) for _ in range(connections)))
            return time.perf_counter() - started

    elapsed = asyncio.run(main())
    if failures:
        print(f"{len(failures)} requests failed, first: {failures[0]}", file=sys.stderr)
        sys.exit(1)
    print(count / elapsed)


def role_ceiling(count: int) -> None:
    """Write the rows the service writes for `count` new contacts, raw; print contacts per second."""
    django_setup()
    from django.db import connection

    from contactpunt.contacts.models import Case, CaseThreadKey, Contact, ContactEvent, ContactLeg, Message, Queue
    from contactpunt.customers.models import Customer, Identity

    del CaseThreadKey  # email without a Message-ID writes no thread key; the service wrote none either
    queue_id = Queue.objects.get(code="bench").pk
    run = uuid.uuid4().hex[:8]
    now = "2026-03-02 09:00:00+00"
    with connection.cursor() as cursor:
        base = 10_000_000 + int(time.time()) % 1_000_000 * 10
    rows: dict[Any, list[tuple[Any, ...]]] = {
        m: [] for m in (Customer, Identity, Case, Contact, ContactLeg, Message, ContactEvent)
    }
    for n in range(count):
        i = base + n
        rows[Customer].append((i, f"Klant {n}", "", now))
        rows[Identity].append((i, "email", "", f"ceiling-{run}-{n}@example.nl", i, False, now))
        rows[Case].append((i, i, "Waar blijft mijn bestelling?", "open", queue_id, "email", now, now, 0, now, now, 1))
        rows[Contact].append(
            (
                i,
                i,
                i,
                "email",
                "inbound",
                queue_id,
                "queued",
                "new",
                "ceiling",
                f"{run}-{n}",
                f"ceiling-{run}-{n}@example.nl",
                False,
                "[]",
                now,
                now,
            )
        )
        rows[ContactLeg].append((i, i, 1, queue_id, now))
        rows[Message].append(
            (
                i,
                i,
                i,
                "inbound",
                False,
                "Waar blijft mijn bestelling?",
                "Goedemiddag, mijn bestelling 12345 is nog niet binnen.",
                "",
                now,
            )
        )
        rows[ContactEvent].append((i, "queued", i, i, 1, queue_id, now, now, "", "{}"))
    columns = {
        Customer: ["id", "display_name", "language", "created_at"],
        Identity: ["id", "kind", "namespace", "value", "customer_id", "is_shared", "created_at"],
        Case: [
            "id",
            "customer_id",
            "subject",
            "status",
            "queue_id",
            "channel",
            "opened_at",
            "last_inbound_at",
            "reopen_count",
            "created_at",
            "waiting_since",
            "waiting_count",
        ],
        Contact: [
            "id",
            "case_id",
            "customer_id",
            "channel",
            "direction",
            "queue_id",
            "status",
            "identification",
            "source",
            "external_id",
            "sender",
            "is_public",
            "ivr_path",
            "occurred_at",
            "recorded_at",
        ],
        ContactLeg: ["id", "contact_id", "sequence", "queue_id", "queued_at"],
        Message: [
            "id",
            "contact_id",
            "case_id",
            "direction",
            "is_internal",
            "subject",
            "text",
            "raw_content_type",
            "created_at",
        ],
        ContactEvent: [
            "id",
            "name",
            "case_id",
            "contact_id",
            "leg",
            "queue_id",
            "occurred_at",
            "recorded_at",
            "source",
            "data",
        ],
    }
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            for model, model_rows in rows.items():
                table, names = model._meta.db_table, columns[model]
                with raw.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in model_rows:
                        copy.write_row(row)
        connection.commit() if not connection.get_autocommit() else None
    else:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            for model, model_rows in rows.items():
                table, names = model._meta.db_table, columns[model]
                marks = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608 (our own table names)
                cursor.executemany(sql, model_rows)
            cursor.execute("COMMIT")
    print(count / (time.perf_counter() - started))


# -- the orchestrator ---------------------------------------------------------------------------


def child(env: dict[str, str], *args: object) -> float | str:
    out = subprocess.run(
        [PY, __file__, "--role", *map(str, args)], env=env, check=False, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{out.stderr[-3000:]}")
    value = out.stdout.strip().splitlines()[-1]
    try:
        return float(value)
    except ValueError:
        return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 240) -> None:
    import httpx

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            httpx.get(url + "/api/v1/openapi.json", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def bench_database(label: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    token = str(child(env, "setup", args.known))
    results = {
        "service, one at a time": float(child(env, "service", args.service, args.known, 1)),
        "service, batches of 1,000": float(child(env, "service", args.bulk, args.known, 1000)),
    }
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "uvicorn",
            "contactpunt.config.asgi:application",
            "--workers",
            "2",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url)
        child(env, "client", url, token, 200, args.known, 1, 8)  # warm-up: connections, imports, caches
        results["single API, 8 connections"] = float(child(env, "client", url, token, args.single, args.known, 1, 8))
        results["bulk API (1,000 a call), 8 connections"] = float(
            child(env, "client", url, token, args.bulk, args.known, 1000, 8)
        )
    finally:
        server.terminate()
        server.wait(30)
    results["ceiling: raw " + ("COPY" if label == "PostgreSQL" else "executemany")] = float(
        child(env, "ceiling", args.bulk)
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--service", type=int, default=3000, help="contacts through the service, one at a time")
    parser.add_argument("--single", type=int, default=4000, help="contacts through the single-contact API")
    parser.add_argument("--bulk", type=int, default=30000, help="contacts through the bulk API and in batches")
    parser.add_argument("--known", type=int, default=5000, help="customers that exist before the run")
    args = parser.parse_args()
    if args.role:
        role, *rest = args.role
        if role == "setup":
            role_setup(int(rest[0]))
        elif role == "service":
            role_service(int(rest[0]), int(rest[1]), int(rest[2]))
        elif role == "client":
            role_client(rest[0], rest[1], int(rest[2]), int(rest[3]), int(rest[4]), int(rest[5]))
        elif role == "ceiling":
            role_ceiling(int(rest[0]))
        return

    base_env = {
        **os.environ,
        "SECRET_KEY": "bench-secret-key-long-enough-for-django-checks-0123456789",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    base_env.pop("CONTACTPUNT_DATA_DIR", None)
    tmp = Path(tempfile.mkdtemp(prefix="contactpunt-bench-"))
    targets: list[tuple[str, dict[str, str]]] = []
    if args.db in ("sqlite", "both"):
        targets.append(
            (
                "SQLite",
                {
                    **base_env,
                    "CONTACTPUNT_DATA_DIR": str(tmp / "sqlite"),
                    "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
                },
            )
        )
    pg_db = None
    if args.db in ("postgres", "both"):
        import psycopg

        pg_db = f"bench_ingest_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {pg_db}")
        pg_url = args.pg_url.rsplit("/", 1)[0] + "/" + pg_db
        targets.append(("PostgreSQL", {**base_env, "CONTACTPUNT_DATA_DIR": str(tmp / "pg"), "DATABASE_URL": pg_url}))
    print(f"Ingestion benchmark: 70% known / 30% new customers, {os.cpu_count()} cores")
    try:
        for label, env in targets:
            results = bench_database(label, env, args)
            ceiling = next(v for k, v in results.items() if k.startswith("ceiling"))
            print(f"\n{label}")
            for name, rate in results.items():
                print(f"  {name:<42} {rate:>10,.0f} contacts/s   {rate / ceiling:6.1%} of the ceiling")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_db:
            import psycopg

            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")


if __name__ == "__main__":
    main()
