"""Simulator benchmark: simulated contacts per second, and loading contacts into PostgreSQL.

    .venv/bin/python bench/simulate.py [--scenario greeting-cards] [--sim-days 30] [--load N] [--pg-url URL]

1. simulate: the engine alone (no database), contacts per second of wall time.
2. load: about N contacts of the scenario's history written through the services into a fresh
   PostgreSQL database (created and dropped here), contacts per second and the extrapolated time
   for one million.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="greeting-cards")
    parser.add_argument("--sim-days", type=float, default=30)
    parser.add_argument("--load", type=int, default=50_000, help="Contacts to load into PostgreSQL (0: skip).")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    name = f"bench_sim_{uuid.uuid4().hex[:8]}"
    base = args.pg_url.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import psycopg

    with psycopg.connect(args.pg_url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        import django

        django.setup()
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
            result = simulate(scenario, days=days, seed=1, scale=scale, agent_scale=max(1.0, scale))
            seconds = time.perf_counter() - began
            t = result.tallies
            rate = t.contacts / seconds
            rows = t.contacts * 6 + t.contact_events + t.agent_states + 2 * t.resolved_cases
            print(
                f"load      {t.contacts:,} contacts ({t.contact_events:,} events, {t.agent_states:,} agent states, "
                f"{t.resolved_cases:,} resolutions, ~{rows:,} rows) into PostgreSQL in {seconds:.1f} s "
                f"= {rate:,.0f} contacts/s"
            )
            print(f"          one million contacts: about {1_000_000 / rate / 60:.0f} minutes at this rate")
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(args.pg_url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
