"""KPI benchmark: the product's set-based rebuild (interval rollups and day parts) and the month report at growing
sizes, beside the raw events.

    .venv/bin/python bench/kpis.py [--contacts 10000000] [--steps 1000000,...] [--pg-url URL] [--name DB]
                                   [--budget MINUTES] [--keep | --reuse] [--json]

Builds a PostgreSQL database (`<dbname of --pg-url>_kpis`, dropped at the end unless --keep; with --reuse one kept
by an earlier run is measured again at the size it holds, grown when a larger size is asked, and kept) and fills
January 2026 set-based (generate_series, as bench/workspace.py does, not through the services): calls, chats and
e-mails (an e-mail queue on business hours with a norm), each its own case with a contact reason; 60% of the contacts
come from known customers (repeat contacts), legs and their events (queued, answered, hold, transfers, ended, wrap-up,
abandoned; e-mails replied after hours or never), and resolutions: half of the cases at the end of their contact,
a fifth hours to days later, 3% reopened, the rest open (FCR, the Customer Speed Index and the written figures cost
what they cost in a centre). It grows the month in steps (default 1M, then --contacts) and at every size measures:

  - rebuild:   contacts per second of the product's own rebuild of the month, set-based (`rollups.rebuild_days`:
               the interval rollups, their day rows, the day parts with their cost parts and case resolutions, the
               units computed once), and the seconds of each part, beside the Python definitions
               (`rows_for(load_units(...))` and the day parts' folding, `kpis/tests/dayparts_definition.py`) on one
               day as the anchor;
  - report:    p95 of the whole month report per queue (`rollups.report`), cold (first call on a new connection)
               and warm, beside the raw aggregate over the events (one plain SQL query, cold and warm) as a ratio;
and the growth of the report between the sizes (goal: flat, <= 300 ms). It says when a size is not reached within
`--budget` minutes. "Cold" is a new database connection, not an empty OS page cache: dropping that needs root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MONTH_START = dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.UTC)  # 1 January 2026, 00:00 in Amsterdam
MONTH_END = dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC)
QUEUES = (("phone-sales", "phone"), ("phone-service", "phone"), ("phone-finance", "phone"), ("chat", "chat"),
          ("email", "email"))  # fmt: skip

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
    if not parts.netloc:  # postgres:///name: urlunsplit would drop the empty host
        return f"{parts.scheme}:///{name}"
    return urlunsplit(parts._replace(path="/" + name))


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-q", "-c", sql], check=True, capture_output=True)


def django_setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()


_LOADED = ("customers_customer", "contacts_case", "contacts_contact", "contacts_contactevent", "contacts_contactleg")


def setup(url: str) -> dict[str, Any]:
    """Migrate the new database and create the department, teams, agents, queues (the e-mail queue on business hours)
    and contact reasons; returns their ids."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from contactpunt.contacts.models import BusinessCalendar, ContactReason, OpeningHours, Queue
    from contactpunt.people.models import Department, Role, Team, User

    department = Department.objects.create(name="Klantenservice")
    teams = [Team.objects.create(name=f"Team {i}", department=department) for i in range(3)]
    agents = [
        User.objects.create_user(username=f"agent{i}", password=None, role=Role.AGENT, team=teams[i % 3]).pk
        for i in range(30)
    ]
    office = BusinessCalendar.objects.create(name="Kantoor")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=office, weekday=weekday, opens=dt.time(8), closes=dt.time(17, 30))
    queues = [Queue.objects.create(code=code, name=code, channel=channel, department=department,
                                   calendar=office if channel == "email" else None).pk
              for code, channel in QUEUES]  # fmt: skip
    reasons = []
    for root in ("billing", "delivery", "account"):
        parent = ContactReason.objects.create(code=root, name=root)
        reasons += [ContactReason.objects.create(code=f"{root}-{n}", name=f"{root} {n}", parent=parent).pk
                    for n in range(3)]  # fmt: skip
    return {"agents": agents, "queues": queues, "channels": [c for _code, c in QUEUES], "reasons": reasons}


def grow(first: int, last: int, ids: dict[str, Any]) -> float:
    """Write the contacts first+1..last over January, set-based; returns the seconds it took.

    Each contact is its own case with one of 9 contact reasons (10% none); 60% come from one of last/3 known customers.
    70% are calls, 15% chats, 15% e-mails. Of calls and chats 8% abandon, the rest are answered after an exponential
    wait (mean 25 s) and talked (mean 240 s); 10% hold for 30 s, 5% are transferred to the next queue and answered
    there, the others end and are wrapped up. E-mails are replied after an exponential 4 hours (10% never). Half of
    the answered cases are resolved at the end of their contact, a fifth after an exponential 20 hours; 3% of the
    resolved are reopened a day later.
    """
    from django.db import connection

    params = {"first": first + 1, "last": last, "agents": ids["agents"], "queues": ids["queues"],
              "channels": ids["channels"], "reasons": ids["reasons"], "start": MONTH_START,
              "span": (MONTH_END - MONTH_START).total_seconds(), "customers": max(1, last // 3)}  # fmt: skip
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        # As a restore does: the secondary indexes and foreign keys are dropped for the load and made again after.
        cursor.execute(
            """
            SELECT 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%(tables)s) AND i.schemaname = 'public'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            {"tables": list(_LOADED)},
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', t.relname, c.conname),
                   format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname, pg_get_constraintdef(c.oid))
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%(tables)s)
            """,
            {"tables": list(_LOADED)},
        )
        keys = cursor.fetchall()
        for drop, _create in [*keys, *indexes]:
            cursor.execute(drop)
        cursor.execute("SELECT setseed(%s)", [0.5 + first / (4 * max(last, 1))])
        cursor.execute(
            """
            CREATE TEMP TABLE spec AS
            SELECT i, q, at, customer, fate, wait, talk, wrap, held, agent, agent2, reason,
                   -- the moment the case is resolved (NULL: open), and whether it is reopened a day later
                   CASE WHEN fate < 0.08 AND q < 5 THEN NULL
                        WHEN settle < 0.5 THEN at + (CASE WHEN q = 5 THEN reply ELSE wait + talk + 40 + wrap END)
                                                    * interval '1 second'
                        WHEN settle < 0.7 THEN at + (-72000 * ln(1 - random())) * interval '1 second' END AS resolved,
                   random() < 0.03 AS reopened, reply, fate < 0.9 AS replied
            FROM (
                SELECT i,
                       CASE WHEN pick < 0.15 THEN 5 WHEN pick < 0.30 THEN 4 ELSE 1 + (pick * 1000)::int %% 3 END AS q,
                       %(start)s + random() * %(span)s * interval '1 second' AS at,
                       CASE WHEN random() < 0.6 THEN 1 + (random() * (%(customers)s - 1))::bigint END AS customer,
                       random() AS fate, -25 * ln(1 - random()) AS wait, -240 * ln(1 - random()) AS talk,
                       -30 * ln(1 - random()) AS wrap, random() < 0.1 AS held,
                       (%(agents)s::bigint[])[1 + (random() * 29)::int] AS agent,
                       (%(agents)s::bigint[])[1 + (random() * 29)::int] AS agent2,
                       CASE WHEN random() < 0.9 THEN (%(reasons)s::bigint[])[1 + (random() * 8)::int] END AS reason,
                       random() AS settle, -14400 * ln(1 - random()) AS reply
                FROM (SELECT i, random() AS pick FROM generate_series(%(first)s, %(last)s) i) g
            ) s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO customers_customer (id, display_name, language, created_at)
            SELECT i, 'Klant ' || i, 'nl', %(start)s - interval '400 days'
            FROM generate_series(1, %(customers)s) i ON CONFLICT (id) DO NOTHING
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO contacts_case (id, customer_id, subject, status, queue_id, channel, opened_at, last_inbound_at,
                                       resolved_at, reopen_count, created_at, reason_id)
            SELECT i, customer, '', CASE WHEN resolved IS NOT NULL AND NOT reopened THEN 'resolved' ELSE 'open' END,
                   (%(queues)s::bigint[])[q], (%(channels)s::text[])[q], at, at,
                   CASE WHEN NOT reopened THEN resolved END,
                   CASE WHEN reopened AND resolved IS NOT NULL THEN 1 ELSE 0 END, at, reason
            FROM spec
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO contacts_contact (id, case_id, customer_id, channel, direction, queue_id, status,
                                          identification, source, external_id, sender, is_public, ivr_path,
                                          occurred_at, recorded_at)
            SELECT i, i, customer, (%(channels)s::text[])[q], 'inbound', (%(queues)s::bigint[])[q],
                   CASE WHEN fate < 0.08 AND q < 5 THEN 'abandoned' ELSE 'handled' END, 'known', 'bench', 'b' || i, '',
                   false, '[]', at, at
            FROM spec
            """,
            params,
        )
        # The events of every contact: (name, leg, queue, agent, seconds after arrival), unnested per row; then the
        # cases' resolutions and reopenings (no contact, as the services record them).
        cursor.execute(
            """
            INSERT INTO contacts_contactevent (name, case_id, contact_id, leg, queue_id, agent_id, occurred_at,
                                               recorded_at, source, data)
            SELECT e.name, s.i, s.i, e.leg, e.queue_id, e.agent_id, s.at + e.after * interval '1 second',
                   s.at + e.after * interval '1 second', 'bench', '{}'::jsonb
            FROM spec s CROSS JOIN LATERAL (
                SELECT * FROM (VALUES
                    ('queued', 1, (%(queues)s::bigint[])[s.q], NULL::bigint, 0.0::float8, true),
                    ('replied', 1, NULL, s.agent, s.reply, s.q = 5 AND s.replied),
                    ('abandoned', 1, NULL, NULL, LEAST(s.wait, 30.0), s.q < 5 AND s.fate < 0.08),
                    ('answered', 1, NULL, s.agent, s.wait, s.q < 5 AND s.fate >= 0.08),
                    ('hold_started', 1, NULL, s.agent, s.wait + 10, s.q < 5 AND s.fate >= 0.08 AND s.held),
                    ('hold_ended', 1, NULL, s.agent, s.wait + 40, s.q < 5 AND s.fate >= 0.08 AND s.held),
                    ('transferred', 1, NULL, s.agent, s.wait + s.talk + 40, s.q < 5 AND s.fate >= 0.95),
                    ('queued', 2, (%(queues)s::bigint[])[1 + s.q %% 4], NULL, s.wait + s.talk + 40,
                     s.q < 5 AND s.fate >= 0.95),
                    ('answered', 2, NULL, s.agent2, s.wait + s.talk + 55, s.q < 5 AND s.fate >= 0.95),
                    ('ended', 2, NULL, s.agent2, s.wait + s.talk + 160, s.q < 5 AND s.fate >= 0.95),
                    ('ended', 1, NULL, s.agent, s.wait + s.talk + 40, s.q < 5 AND s.fate >= 0.08 AND s.fate < 0.95),
                    ('wrapped', 1, NULL, s.agent, s.wait + s.talk + 40 + s.wrap,
                     s.q < 5 AND s.fate >= 0.08 AND s.fate < 0.95)
                ) AS v(name, leg, queue_id, agent_id, after, present)
                WHERE present
            ) e
            UNION ALL
            SELECT 'resolved', i, NULL, 0, NULL, agent, resolved, resolved, 'bench', '{}' FROM spec
            WHERE resolved IS NOT NULL
            UNION ALL
            SELECT 'reopened', i, NULL, 0, NULL, agent, resolved + interval '1 day', resolved + interval '1 day',
                   'bench', '{}' FROM spec
            WHERE resolved IS NOT NULL AND reopened
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO contacts_contactleg (contact_id, sequence, queue_id, queued_at)
            SELECT contact_id, leg, queue_id, occurred_at FROM contacts_contactevent
            WHERE name = 'queued' AND contact_id >= %(first)s AND contact_id <= %(last)s
            """,
            params,
        )
        cursor.execute("DROP TABLE spec")
        for _drop, create in [*indexes, *keys]:
            cursor.execute(create)
        for table in ("customers_customer", "contacts_case", "contacts_contact"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
    return time.monotonic() - began


def existing_ids() -> tuple[int, dict[str, Any]]:
    """The contacts a kept bench database holds and the ids `setup` made in it (in the order it made them)."""
    from contactpunt.contacts.models import Contact, ContactReason, Queue
    from contactpunt.people.models import User

    queues = list(Queue.objects.order_by("pk").values_list("pk", "channel"))
    return Contact.objects.count(), {
        "agents": list(User.objects.order_by("pk").values_list("pk", flat=True)),
        "queues": [pk for pk, _channel in queues],
        "channels": [channel for _pk, channel in queues],
        "reasons": list(ContactReason.objects.filter(parent__isnull=False).order_by("pk").values_list("pk", flat=True)),
    }


#: The statements of the rebuild, by a piece of their text: the seconds of each part.
_PARTS = (("CREATE TEMPORARY TABLE", "units"), ("INSERT INTO kpis_intervalrollup", "interval_rollups"),
          ("INSERT INTO kpis_dayrollup", "day_rollups"), ("WITH RECURSIVE roots", "cases"),
          ("inbound AS MATERIALIZED", "inbound"), ("segments(queue_id", "written"), ("WITH ends(day", "backlog"),
          ("handled_legs AS", "costs"))  # fmt: skip


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


def measure(size: int, repeat: int) -> dict[str, Any]:
    """Rebuild the month's rollups and day parts and time the month report and the raw aggregate at this size."""
    from django.db import connection

    from contactpunt.kpis import rollups, rollups_rows
    from contactpunt.kpis.facts import CONTACT, LEG, load_units
    from contactpunt.kpis.intervals import zone
    from contactpunt.kpis.tests import dayparts_definition

    result: dict[str, Any] = {"contacts": size}
    first_day, last_day = (
        MONTH_START.astimezone(zone()).date(),
        (MONTH_END - dt.timedelta(seconds=1)).astimezone(zone()).date(),
    )
    spent: dict[str, float] = {}

    def timed_statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            part = next((name for text, name in _PARTS if text in sql), "other")
            spent[part] = spent.get(part, 0.0) + time.monotonic() - began

    began = time.monotonic()
    with connection.execute_wrapper(timed_statement):
        rows, parts = rollups.rebuild_days(first_day, last_day)
    total_s = time.monotonic() - began
    result["rebuild"] = {
        "seconds": round(total_s, 1),
        "contacts_per_s": round(size / total_s),
        "interval_rows": rows,
        "day_and_cost_part_rows": parts,
        "seconds_per_part": {name: round(s, 1) for name, s in sorted(spent.items(), key=lambda kv: -kv[1])},
    }
    # At once: the anchor below folds a day of contacts in Python (at 10M a third of a million, many minutes).
    print(json.dumps({"contacts": size, "rebuild": result["rebuild"]}), file=sys.stderr, flush=True)
    # The anchor: the Python definitions over one day of the same log.
    day_start, day_end = MONTH_START + dt.timedelta(days=14), MONTH_START + dt.timedelta(days=15)
    day = day_start.astimezone(zone()).date()
    began = time.monotonic()
    units = [u for level in (CONTACT, LEG) for u in load_units(day_start, day_end, level=level)]
    rollups_rows.rows_for(units, rollups_rows.thresholds())
    dayparts_definition.build(day, day, now=dt.datetime.now(dt.UTC))
    seconds = time.monotonic() - began
    day_contacts = sum(1 for u in units if u.level == CONTACT)
    result["rebuild_python_definitions_one_day"] = {"contacts": day_contacts,
                                                    "contacts_per_s": round(day_contacts / seconds)}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE kpis_intervalrollup")
        cursor.execute("VACUUM ANALYZE kpis_daypart")

    def raw() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, {"start": MONTH_START, "end": MONTH_END})
            return cursor.fetchall()

    def report() -> Any:
        return rollups.report(MONTH_START, MONTH_END, by="queue")

    for label, function, times in (("report", report, repeat), ("raw_sql", raw, max(3, repeat // 4))):
        cold, warm, median = timed(function, times)
        result[label] = {"cold_ms": round(cold, 1), "warm_p95_ms": round(warm, 1), "warm_median_ms": round(median, 1)}
    result["raw_over_report_warm"] = round(result["raw_sql"]["warm_p95_ms"] / result["report"]["warm_p95_ms"], 1)
    by_queue = {r["group"]: r for r in report()}
    raw_rows = dict(zip([c for c, _ in QUEUES], sorted(raw()), strict=False))
    result["report_offered_equals_raw"] = sum(r["offered"] for r in by_queue.values()) == sum(
        r[1] for r in raw_rows.values()
    )
    result["report_sample"] = {
        group: {
            k: row.get(k)
            for k in (
                "offered",
                "fcr",
                "repeat_rate",
                "csi_median_s",
                "first_response_median_s",
                "first_response_within_norm",
            )
        }
        for group, row in sorted(by_queue.items())
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--steps", default="1000000", help="Sizes below --contacts to measure on the way (comma list).")
    parser.add_argument("--pg-url", default="postgres:///h_setbased")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget", type=float, default=30.0, help="Minutes; a size not reached within it is skipped.")
    parser.add_argument("--keep", action="store_true", help="Keep the bench database.")
    parser.add_argument("--reuse", action="store_true", help="Measure a kept bench database again (and keep it).")
    parser.add_argument("--name", help="The bench database's name (default: the --pg-url database's + _kpis).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    name = args.name or urlsplit(args.pg_url).path.lstrip("/") + "_kpis"
    url = with_database(args.pg_url, name)
    exists = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 (the bench's own --name)
    found = subprocess.run(["psql", args.pg_url, "-Atc", exists], check=True, capture_output=True, text=True).stdout
    reused = args.reuse and found.strip() == "1"
    if not reused:
        psql(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
        psql(args.pg_url, f"CREATE DATABASE {name}")
    sizes = sorted({*(int(n) for n in args.steps.split(",") if n and int(n) < args.contacts), args.contacts})
    results: dict[str, Any] = {"database": name, "sizes": []}
    began = time.monotonic()
    try:
        django_setup(url)
        built, ids = existing_ids() if reused else (0, setup(url))
        if reused:
            # What the kept database holds is measured as it is; a larger size is grown from it.
            sizes = [built, *(size for size in sizes if size > built)]
            results["reused"] = f"{built:,} contacts"
        for size in sizes:
            elapsed = time.monotonic() - began
            if built and elapsed / 60 * size / built > args.budget:
                results["not_reached"] = f"{size:,} contacts: {elapsed / 60:.0f} min for {built:,}, over the budget"
                break
            grow_s = 0.0
            if size > built:
                grow_s = grow(built, size, ids)
                built = size
                subprocess.run(["psql", url, "-q", "-c", "VACUUM ANALYZE"], check=True, capture_output=True)
            step = {"build_s": round(grow_s, 1), **measure(size, args.repeat)}
            step["elapsed_min"] = round((time.monotonic() - began) / 60, 1)
            results["sizes"].append(step)
            print(json.dumps(step), file=sys.stderr, flush=True)
        if len(results["sizes"]) > 1:
            low, high = results["sizes"][0], results["sizes"][-1]
            results["report_growth_warm"] = round(high["report"]["warm_p95_ms"] / low["report"]["warm_p95_ms"], 2)
            results["report_growth_cold"] = round(high["report"]["cold_ms"] / low["report"]["cold_ms"], 2)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep and not args.reuse:
            psql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
