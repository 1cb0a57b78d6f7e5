"""Simulator benchmark: simulated contacts per second, the demo's creation on SQLite, and loading
contacts into PostgreSQL.

    .venv/bin/python bench/simulate.py [--scenario greeting-cards] [--sim-days 30] [--demo]
        [--load N] [--pg-url URL]

1. simulate: the engine alone (no database), contacts per second of wall time.
2. demo (`--demo`): what `contactpunt up` does on first start, in a fresh data folder with an
   empty SQLite database: migrate, then create the demo organisation (100,000 contacts, 90 days), with the static
   files collected in a child process meanwhile.
   Runs in a child process, as `up` does, with its own settings.
3. load (`--load N`, 0 skips): about N contacts of 90 days of the scenario written through the
   services into a fresh PostgreSQL database (created and dropped here), with the engine in a child
   process as the demo has it, contacts per second and the time one million would take at that rate
   (measured when N is 1,000,000).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_SECRET = "bench-secret-key-that-is-long-enough-for-django-checks"  # noqa: S105 (a throwaway database)


def _setup() -> None:
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()


def demo_child() -> None:
    """Time the first start's work in this process (CONTACTPUNT_DATA_DIR is fresh), as `up` does it: the static
    files collected in a child process meanwhile, the migrations, the demo, and the wait for the static files."""
    _setup()
    from django.core.management import call_command
    from django.db import connections

    from contactpunt.ops import demo, fresh_schema
    from contactpunt.ops.first_start import StaticFiles

    began = time.perf_counter()
    cpu = time.process_time()
    static_files = StaticFiles()
    fresh_schema.create(connections["default"])  # the final schema at once, as `up` creates a new SQLite database
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - began
    logins = demo.create_demo_organisation()
    written = time.perf_counter() - began
    static_files.finish()
    total = time.perf_counter() - began
    main_cpu = time.process_time() - cpu
    if logins.simulation is not None:
        logins.simulation.close()  # the engine's process: waited for, so its CPU time is counted below
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"demo      {logins.contacts:,} contacts, {logins.agents} agents, 90 days, 5 channels on SQLite: "
        f"{total:.1f} s (migrate {migrated:.1f} s, demo {written - migrated:.1f} s, static files "
        f"{total - written:.1f} s more; CPU {main_cpu:.1f} s in this process, "
        f"{children.ru_utime + children.ru_stime:.1f} s in the engine and static files processes; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def run_demo() -> None:
    with tempfile.TemporaryDirectory(prefix="cp-demo-") as folder:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["CONTACTPUNT_DATA_DIR"] = folder
        subprocess.run([sys.executable, __file__, "--demo-child"], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="greeting-cards")
    parser.add_argument("--sim-days", type=float, default=30)
    parser.add_argument("--demo", action="store_true", help="Time the demo's creation on a fresh SQLite database.")
    parser.add_argument("--demo-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, default=50_000, help="Contacts to load into PostgreSQL (0: skip).")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.demo_child:
        demo_child()
        return
    if args.demo:
        run_demo()

    name = f"bench_sim_{uuid.uuid4().hex[:8]}"
    base = args.pg_url.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    import psycopg

    admin_url = args.pg_url.replace("postgres://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _setup()
        from django.core.management import call_command

        from contactpunt.ops.demo import demo_scale
        from contactpunt.simulation.run import simulate
        from contactpunt.simulation.scenarios import SCENARIOS

        scenario = SCENARIOS[args.scenario]
        began = time.perf_counter()
        dry = simulate(scenario, days=args.sim_days, seed=1, write=False)
        seconds = time.perf_counter() - began
        print(
            f"simulate  {scenario.name}: {dry.tallies.contacts:,} contacts in {seconds:.1f} s "
            f"= {dry.tallies.contacts / seconds:,.0f} contacts/s (engine only, no database)"
        )
        if args.load:
            call_command("migrate", verbosity=0)
            days = 90
            scale = demo_scale(contacts=args.load, days=days) if scenario.name == "greeting-cards" else 1.0
            began = time.perf_counter()
            result = simulate(
                scenario, days=days, seed=1, scale=scale, agent_scale=max(1.0, scale), engine_process=True
            )
            seconds = time.perf_counter() - began
            result.close()
            t = result.tallies
            rate = t.contacts / seconds
            print(
                f"load      {t.contacts:,} contacts ({t.contact_events:,} events, {t.agent_states:,} agent states, "
                f"{t.work_sessions:,} work sessions, {t.resolved_cases:,} resolutions) into PostgreSQL "
                f"in {seconds:.1f} s = {rate:,.0f} contacts/s (load average {os.getloadavg()[0]:.1f})"
            )
            if t.contacts >= 1_000_000:
                print(f"          one million contacts: {seconds * 1_000_000 / t.contacts / 60:.1f} minutes (measured)")
            else:
                print(
                    f"          one million contacts: about {1_000_000 / rate / 60:.1f} minutes "
                    "(extrapolated from this run, not measured)"
                )
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
