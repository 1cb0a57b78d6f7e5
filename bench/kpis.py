"""KPI benchmark: a month dashboard from the rollups against the same figures straight from the events.

    .venv/bin/python bench/kpis.py [--contacts N] [--pg-url URL] [--dump PATH] [--repeat R] [--json]

Builds (once) a PostgreSQL database with N simulated calls and chats over January 2026 through the bulk
path (receive_contacts, then record_contact_events: answered, hold, transfers, ended, wrap-up,
abandoned) and keeps it as a `pg_dump -Fc` file outside the repository (default /tmp/kpis-bench-N.dump);
the next run with the same N restores the dump instead of building. Then it measures:

  - rebuild:    contacts per second of `rollups.rebuild_all()` (both levels, every interval);
  - dashboard:  p95 of the month's queue figures per queue from the rollups (`rollups.queue_figures`),
                cold (first call on a new connection) and warm (R further calls);
  - raw:        the same figures computed by one plain SQL aggregate over the raw events (first `queued`
                per contact joined to its first `answered` / `abandoned`), cold and warm p95;
  - report:     p95 of the whole month report per queue (`rollups.report`: rollups for the queue figures,
                the events for FCR, repeat contacts, CSI and the written channels);
and prints each with the ratio raw / rollups. "Cold" is a new database connection, not an empty OS
page cache: dropping that needs root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MONTH_START = dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.UTC)  # 1 January 2026, 00:00 in Amsterdam
MONTH_END = dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC)
QUEUES = (("phone-sales", "phone"), ("phone-service", "phone"), ("phone-finance", "phone"), ("chat", "chat"))
BATCH = 5000

RAW_SQL = """
WITH entered AS (
    SELECT DISTINCT ON (contact_id, queue_id) contact_id, queue_id, leg, occurred_at AS queued_at
    FROM contacts_contactevent
    WHERE name = 'queued' AND occurred_at >= %(start)s AND occurred_at < %(end)s
    ORDER BY contact_id, queue_id, occurred_at, id
), outcome AS (
    SELECT e.contact_id, e.leg,
           MIN(e.occurred_at) FILTER (WHERE e.name = 'answered') AS answered_at,
           MIN(e.occurred_at) FILTER (WHERE e.name = 'abandoned') AS abandoned_at
    FROM contacts_contactevent e JOIN entered USING (contact_id, leg)
    WHERE e.name IN ('answered', 'abandoned')
    GROUP BY e.contact_id, e.leg
)
SELECT entered.queue_id,
       COUNT(*) AS offered,
       COUNT(answered_at) AS answered,
       COUNT(abandoned_at) FILTER (WHERE answered_at IS NULL) AS abandoned,
       COUNT(*) FILTER (WHERE answered_at IS NULL AND abandoned_at - queued_at < interval '5 seconds') AS short,
       COUNT(*) FILTER (WHERE answered_at - queued_at <= interval '20 seconds') AS within,
       AVG(EXTRACT(EPOCH FROM GREATEST(answered_at - queued_at, interval '0'))) AS asa
FROM entered LEFT JOIN outcome USING (contact_id, leg)
GROUP BY entered.queue_id
"""


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-q", "-c", sql], check=True, capture_output=True)


def django_setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()


def build(count: int, seed: int) -> float:
    """Write `count` contacts over January through the bulk services; returns the seconds it took."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from contactpunt.contacts import announcements
    from contactpunt.contacts.announcements import Announcement
    from contactpunt.contacts.models import Queue
    from contactpunt.contacts.services.bulk_events import ContactEventInput, record_contact_events
    from contactpunt.contacts.services.inbound import receive_contacts
    from contactpunt.contacts.services.types import IdentityInput, InboundContact
    from contactpunt.kpis import dirty_marks
    from contactpunt.people.models import Department, Role, Team, User

    # The build rebuilds the rollups at the end (that is measured); no per-event bookkeeping meanwhile.
    for name in (Announcement.CONTACT_RECEIVED, Announcement.CONTACT_EVENT_RECORDED):
        announcements.unsubscribe(name, dirty_marks.mark_dirty)
    department = Department.objects.create(name="Klantenservice")
    teams = [Team.objects.create(name=f"Team {i}", department=department) for i in range(3)]
    agents = [
        User.objects.create_user(username=f"agent{i}", password=None, role=Role.AGENT, team=teams[i % 3]).pk
        for i in range(30)
    ]
    queues = {code: Queue.objects.create(code=code, name=code, channel=channel, department=department)
              for code, channel in QUEUES}  # fmt: skip
    rng = random.Random(seed)
    span = (MONTH_END - MONTH_START).total_seconds()
    began = time.monotonic()
    for first in range(0, count, BATCH):
        size = min(BATCH, count - first)
        specs = []
        for n in range(first, first + size):
            code, channel = QUEUES[rng.randrange(len(QUEUES))]
            at = MONTH_START + dt.timedelta(seconds=rng.random() * span)
            caller = f"+3120{rng.randrange(10**6):07d}" if rng.random() < 0.6 else ""
            specs.append((n, code, channel, at, caller))
        received = receive_contacts(
            [
                InboundContact(
                    source="bench",
                    queue=code,
                    occurred_at=at,
                    external_id=f"b{n}",
                    channel=channel,
                    identities=(IdentityInput("phone", caller),) if caller else (),
                )
                for n, code, channel, at, caller in specs
            ]
        )
        first_round: list[ContactEventInput] = []
        second_round: list[ContactEventInput] = []
        for (n, code, _channel, at, _caller), result in zip(specs, received, strict=True):
            assert result.contact_id is not None, result.errors
            contact = result.contact_id
            wait = rng.expovariate(1 / 25)
            agent = agents[rng.randrange(len(agents))]

            def ev(
                name: str, seconds: float, agent_id: int | None = None, *, to_queue_id: int | None = None
            ) -> ContactEventInput:
                return ContactEventInput(
                    contact_id=contact,  # noqa: B023 - called at once, inside this iteration
                    name=name,
                    occurred_at=at + dt.timedelta(seconds=seconds),  # noqa: B023
                    agent_id=agent_id,
                    to_queue_id=to_queue_id,
                    source="bench",
                    external_id=f"b{n}:{name}:{seconds:.0f}",  # noqa: B023
                )

            if rng.random() < 0.08:
                first_round.append(ev("abandoned", min(wait, rng.expovariate(1 / 30))))
                continue
            talk = rng.expovariate(1 / 240)
            first_round.append(ev("answered", wait, agent))
            if rng.random() < 0.1:
                first_round += [ev("hold_started", wait + 10, agent), ev("hold_ended", wait + 40, agent)]
            end = wait + talk + 40
            if rng.random() < 0.05:
                target = queues[QUEUES[(QUEUES.index((code, _channel)) + 1) % len(QUEUES)][0]]
                first_round.append(ev("transferred", end, agent, to_queue_id=target.pk))
                second = agents[rng.randrange(len(agents))]
                second_round += [ev("answered", end + 15, second), ev("ended", end + 120, second)]
                continue
            first_round += [ev("ended", end, agent), ev("wrapped", end + rng.expovariate(1 / 30), agent)]
        record_contact_events(first_round)
        if second_round:
            record_contact_events(second_round)
        done = first + size
        print(f"\r  built {done:,} of {count:,} contacts", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.monotonic() - began


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(0.95 * len(ordered) + 0.999999) - 1, 0)]


def timed(function: Any, repeat: int) -> tuple[float, float, float]:
    """(cold, warm p95, warm median) in ms; cold is the first call on a new connection."""
    from django.db import connection

    connection.close()
    began = time.perf_counter()
    function()
    cold = (time.perf_counter() - began) * 1000
    warm = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        warm.append((time.perf_counter() - began) * 1000)
    return cold, p95(warm), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--dump", type=Path, help="Database dump to reuse (default /tmp/kpis-bench-N.dump).")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    name = f"kpis_bench_{args.contacts}"
    url = with_database(args.pg_url, name)
    dump = args.dump or Path(tempfile.gettempdir()) / f"kpis-bench-{args.contacts}.dump"
    psql(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
    psql(args.pg_url, f"CREATE DATABASE {name}")
    results: dict[str, Any] = {"contacts": args.contacts, "database": name, "dump": str(dump)}
    if dump.exists():
        began = time.monotonic()
        subprocess.run(["pg_restore", "--no-owner", "-d", url, str(dump)], check=True)
        results["restore_s"] = round(time.monotonic() - began, 1)
        django_setup(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        django_setup(url)
        results["build_s"] = round(build(args.contacts, args.seed), 1)
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), url], check=True)
    subprocess.run(["psql", url, "-q", "-c", "VACUUM ANALYZE"], check=True, capture_output=True)

    from django.db import connection

    from contactpunt.kpis import rollups

    began = time.monotonic()
    rows = rollups.rebuild_all()
    seconds = time.monotonic() - began
    results["rebuild"] = {"rows": rows, "seconds": round(seconds, 2), "contacts_per_s": round(args.contacts / seconds)}
    subprocess.run(["psql", url, "-q", "-c", "VACUUM ANALYZE"], check=True, capture_output=True)

    def dashboard() -> Any:
        return rollups.queue_figures(MONTH_START, MONTH_END, by="queue")

    def raw() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, {"start": MONTH_START, "end": MONTH_END})
            return cursor.fetchall()

    def full_report() -> Any:
        return rollups.report(MONTH_START, MONTH_END, by="queue")

    cached = dashboard()
    raw_rows = {r[0]: r for r in raw()}
    names = dict(connection.cursor().execute("SELECT id, code FROM contacts_queue").fetchall())
    agree = all(
        (cached[names[q]]["offered"], cached[names[q]]["answered"], cached[names[q]]["abandoned"]) == r[1:4]
        for q, r in raw_rows.items()
    )
    for label, function, repeat in (
        ("dashboard_rollups", dashboard, args.repeat),
        ("raw_events_sql", raw, max(3, args.repeat // 4)),
        ("full_report", full_report, 3),
    ):
        cold, warm, median = timed(function, repeat)
        results[label] = {"cold_ms": round(cold, 1), "warm_p95_ms": round(warm, 1), "warm_median_ms": round(median, 1)}
    results["ratio_raw_over_rollups_warm"] = round(
        results["raw_events_sql"]["warm_p95_ms"] / results["dashboard_rollups"]["warm_p95_ms"], 1
    )
    results["rollups_and_raw_sql_agree"] = agree
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
