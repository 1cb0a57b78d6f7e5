"""Workspace benchmark: the inbox and case pages on a large PostgreSQL database under an open-loop agent load.

    .venv/bin/python bench/workspace.py [--cases 1000000] [--open-share 0.01] [--agents 50] [--think 5]
                                        [--duration 60] [--threads 8] [--pg-url URL] [--rebuild] [--json]

Builds (once, kept as database `cp_bench_workspace_<cases>`) a PostgreSQL database with `--cases` cases over
the last year, of which `--open-share` are open and waiting, each with one inbound contact, its message and
its `queued` event, spread over eight queues on five channels. The history is written with set-based SQL
(generate_series), not through the services, so a million cases load in about a minute; the load phase then
works through the real views and services. Then it measures, in-process through Django's test client (server
time, no network):

  - cold: the first inbox and case page on a new database connection;
  - load: `--agents` agents, each acting on average every `--think` seconds (Poisson arrivals, open loop:
    an agent does not wait for the previous action), for `--duration` seconds; an action is: list the inbox,
    open one of its cases, reply (written channels), wrap up and resolve. Requests run on `--threads` threads.

and prints p50 and p95 per page (goal: p95 under 200 ms), and the achieved action rate beside the offered one
with how long actions waited for a free thread (when the achieved rate falls short, the machine is saturated and
the page times hide that queueing). `--cases 20000` gives a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
QUEUES = (
    ("email-service", "email", 8 * 3600),
    ("email-orders", "email", 4 * 3600),
    ("email-finance", "email", 24 * 3600),
    ("phone-service", "phone", None),
    ("phone-sales", "phone", None),
    ("chat", "chat", None),
    ("social", "social", 3600),
    ("whatsapp", "whatsapp", 2 * 3600),
)
PASSWORD = "bench"  # noqa: S105 (a throwaway benchmark database)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


def exists(admin_url: str, name: str) -> bool:
    out = subprocess.run(
        ["psql", admin_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 (our own name)
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def django_setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    os.environ.setdefault("DB_POOL_SIZE", "16")
    import django

    django.setup()


def build(cases: int, open_share: float) -> None:
    """Migrate and fill the database: queues, customers, cases, contacts, messages, events."""
    from django.core.management import call_command
    from django.db import connection

    from contactpunt.contacts.models import Channel, ContactReason, Queue, ResponseTemplate

    call_command("migrate", verbosity=0)
    for code, channel, norm in QUEUES:
        Queue.objects.create(code=code, name=code.replace("-", " ").title(), channel=channel, response_norm_s=norm)
    ContactReason.objects.create(code="bezorging", name="Bezorging")
    ResponseTemplate.objects.create(name="Onderweg", text="Beste {first_name}, je bestelling is onderweg.")
    queue_ids = list(Queue.objects.order_by("pk").values_list("pk", flat=True))
    channels = [Channel(q[1]).value for q in QUEUES]
    every = max(1, round(1 / open_share))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        params: dict[str, Any] = {
            "n": cases,
            "customers": max(1, cases // 2),
            "every": every,
            "queues": queue_ids,
            "channels": channels,
        }
        cursor.execute(
            """
            INSERT INTO customers_customer (id, display_name, language, created_at)
            SELECT i, 'Klant ' || i, 'nl', now() - interval '400 days' FROM generate_series(1, %(customers)s) i
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO customers_identity (kind, namespace, value, customer_id, is_shared, created_at)
            SELECT 'email', '', 'klant' || i || '@example.nl', i, false, now() - interval '400 days'
            FROM generate_series(1, %(customers)s) i
            """,
            params,
        )
        # Case i: open when i %% every = 0 (opened in the last two days, its one contact waiting), else resolved
        # within the past year.
        cursor.execute(
            """
            INSERT INTO contacts_case (id, customer_id, subject, status, queue_id, channel, opened_at, last_inbound_at,
                                       resolved_at, reopen_count, created_at, waiting_since, waiting_count)
            SELECT i, 1 + (i::bigint * 7919) %% %(customers)s, 'Vraag over bestelling ' || i,
                   CASE WHEN i %% %(every)s = 0 THEN 'open' ELSE 'resolved' END,
                   (%(queues)s::bigint[])[1 + i %% 8], (%(channels)s::text[])[1 + i %% 8], t, t,
                   CASE WHEN i %% %(every)s = 0 THEN NULL ELSE t + interval '3 hours' END, 0, t,
                   CASE WHEN i %% %(every)s = 0 THEN t END, CASE WHEN i %% %(every)s = 0 THEN 1 ELSE 0 END
            FROM (
                SELECT i, CASE WHEN i %% %(every)s = 0
                               THEN now() - (i %% 172800) * interval '1 second'
                               ELSE now() - interval '2 days' - (i %% 31536000) * interval '1 second' END AS t
                FROM generate_series(1, %(n)s) i
            ) s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO contacts_contact (id, case_id, customer_id, channel, direction, queue_id, status,
                                          identification, source, external_id, sender, is_public, ivr_path,
                                          occurred_at, recorded_at)
            SELECT c.id, c.id, c.customer_id, c.channel, 'inbound', c.queue_id,
                   CASE WHEN c.status = 'open' THEN 'queued' ELSE 'handled' END, 'known', 'bench', 'c' || c.id,
                   'klant' || c.customer_id || '@example.nl', false, '[]', c.opened_at, c.opened_at
            FROM contacts_case c
            """
        )
        cursor.execute(
            """
            INSERT INTO contacts_contactleg (contact_id, sequence, queue_id, queued_at)
            SELECT id, 1, queue_id, occurred_at FROM contacts_contact
            """
        )
        cursor.execute(
            """
            INSERT INTO contacts_message (contact_id, case_id, direction, is_internal, subject, text, raw_content_type,
                                          created_at)
            SELECT id, case_id, 'inbound', false, 'Vraag over bestelling ' || case_id,
                   'Ik heb vorige week besteld en nog niets ontvangen. Kunt u kijken waar mijn kaart blijft?', '',
                   occurred_at
            FROM contacts_contact
            """
        )
        cursor.execute(
            """
            INSERT INTO contacts_contactevent (name, case_id, contact_id, leg, queue_id, occurred_at, recorded_at,
                                               source, data)
            SELECT 'queued', case_id, id, 1, queue_id, occurred_at, occurred_at, '', '{}' FROM contacts_contact
            """
        )
        for table in ("customers_customer", "contacts_case", "contacts_contact"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
        cursor.execute("ANALYZE")
    print(f"built {cases:,} cases ({cases // every:,} open) in {time.perf_counter() - started:.1f} s", flush=True)


def ensure_agents(agents: int) -> None:
    """Create the agents agent1..agentN that a database built for fewer agents lacks."""
    from contactpunt.people.models import Role, User

    for n in range(1, agents + 1):
        if not User.objects.filter(username=f"agent{n}").exists():
            User.objects.create_user(f"agent{n}", password=PASSWORD, role=Role.AGENT)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Agent:
    """One agent's session; a lock keeps one request at a time per session (a browser tab)."""

    def __init__(self, username: str) -> None:
        from django.test import Client

        from contactpunt.contacts.services.assignment import set_agent_state
        from contactpunt.people.models import User

        self.client = Client(HTTP_HOST="localhost")
        user = User.objects.get(username=username)
        self.client.force_login(user)
        set_agent_state(agent=user, state="available")
        self.lock = threading.Lock()


def timed(samples: dict[str, list[float]], page: str, call: Any) -> Any:
    started = time.perf_counter()
    response = call()
    samples[page].append((time.perf_counter() - started) * 1000)
    if response.status_code >= 400:
        raise RuntimeError(f"{page}: HTTP {response.status_code}")
    return response


def act(agent: Agent, samples: dict[str, list[float]], rng: random.Random) -> None:
    """List, open one of the listed cases, reply when the channel is written, wrap up and resolve."""
    import re

    from contactpunt.contacts.models import ContactReason

    with agent.lock:
        listing = timed(samples, "inbox", lambda: agent.client.get("/workspace/?assignee=unassigned"))
        ids = re.findall(rb'<tr data-case="(\d+)"', listing.content)
        if not ids:
            return
        case_id = int(rng.choice(ids[:20]))
        page = timed(samples, "case", lambda: agent.client.get(f"/workspace/cases/{case_id}/"))
        if b'id="reply-form"' in page.content:
            timed(samples, "reply", lambda: agent.client.post(f"/workspace/cases/{case_id}/reply/", {"body": "Hallo"}))
        reason = ContactReason.objects.values_list("pk", flat=True).first()
        timed(
            samples,
            "wrap_up",
            lambda: agent.client.post(f"/workspace/cases/{case_id}/wrap-up/", {"reason": reason, "resolve": "on"}),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.01)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between one agent's actions")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--pg-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database again")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    name = f"cp_bench_workspace_{args.cases}"
    fresh = args.rebuild or not exists(args.pg_url, name)
    if fresh:
        psql(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
        psql(args.pg_url, f"CREATE DATABASE {name}")
    django_setup(with_database(args.pg_url, name))
    if fresh:
        build(args.cases, args.open_share)
    ensure_agents(args.agents)

    from django.db import connections

    samples: dict[str, list[float]] = defaultdict(list)
    cold: dict[str, float] = {}
    first = Agent("agent1")
    connections.close_all()
    listing = timed(samples, "cold_inbox", lambda: first.client.get("/workspace/"))
    case_id = int(listing.content.split(b'<tr data-case="')[1].split(b'"')[0])
    connections.close_all()
    timed(samples, "cold_case", lambda: first.client.get(f"/workspace/cases/{case_id}/"))
    cold = {"inbox_ms": samples.pop("cold_inbox")[0], "case_ms": samples.pop("cold_case")[0]}

    agents = [first] + [Agent(f"agent{n}") for n in range(2, args.agents + 1)]
    rng = random.Random(7)
    rate = args.agents / args.think
    errors: list[str] = []

    waits: list[float] = []  # seconds an action waited for a free thread after its planned moment

    def run(agent: Agent, seed: int, planned: float) -> None:
        waits.append(time.perf_counter() - planned)
        try:
            act(agent, samples, random.Random(seed))
        except Exception as error:  # counted and reported
            errors.append(repr(error))
        finally:
            connections.close_all()

    started = time.perf_counter()
    submitted = 0
    with ThreadPoolExecutor(args.threads) as pool:
        next_at = started
        while next_at - started < args.duration:
            next_at += rng.expovariate(rate)
            time.sleep(max(0.0, next_at - time.perf_counter()))
            pool.submit(run, rng.choice(agents), rng.randrange(1 << 30), next_at)
            submitted += 1
        offered_elapsed = time.perf_counter() - started
    elapsed = time.perf_counter() - started  # until the last action finished: the achieved rate's window
    result: dict[str, Any] = {
        "cases": args.cases,
        "open_share": args.open_share,
        "agents": args.agents,
        "think_s": args.think,
        "actions": submitted,
        "offered_per_s": submitted / offered_elapsed,
        "achieved_per_s": submitted / elapsed,
        "queue_wait_p95_s": percentile(waits, 0.95) if waits else 0.0,
        "errors": len(errors),
        "cold": cold,
        "warm": {
            page: {
                "n": len(values),
                "p50_ms": statistics.median(values),
                "p95_ms": percentile(values, 0.95),
            }
            for page, values in sorted(samples.items())
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{args.cases:,} cases, {args.agents} agents acting every {args.think:g} s on average: "
        f"{submitted} actions in {elapsed:.0f} s ({len(errors)} errors)"
    )
    print(
        f"actions/s offered {result['offered_per_s']:.1f}, achieved {result['achieved_per_s']:.1f} "
        f"(ratio {result['achieved_per_s'] / result['offered_per_s']:.2f}); an action waited for a thread "
        f"{result['queue_wait_p95_s']:.2f} s at p95 (page times below exclude that wait)"
    )
    print(f"cold: inbox {cold['inbox_ms']:.0f} ms, case {cold['case_ms']:.0f} ms")
    for page, figures in result["warm"].items():
        print(f"{page:<8} n={figures['n']:<5} p50 {figures['p50_ms']:6.1f} ms   p95 {figures['p95_ms']:6.1f} ms")
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    main()
