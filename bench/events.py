"""Event benchmark: contact events per second through bulk_events.record_contact_events on SQLite.

    CONTACTPUNT_DATA_DIR=$(mktemp -d) .venv/bin/python bench/events.py [--contacts N] [--runs R]

Makes a fresh SQLite database in the data folder, then per run receives N phone contacts and
records about seven events for each (presented, answered, hold, transfer, answered, ended,
wrapped; every seventh contact abandons) as one batch in time order. Prints each run's events per
second of wall time and of CPU time (the latter is steadier on a busy machine), and the best.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

# Appended, so PYTHONPATH=<another checkout> measures that checkout's code with this script.
sys.path.append(str(Path(__file__).resolve().parent.parent))
S = dt.timedelta(seconds=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from contactpunt.contacts.models import Channel, ContactReason, Queue
    from contactpunt.contacts.services import bulk_events
    from contactpunt.contacts.services.bulk_events import ContactEventInput
    from contactpunt.contacts.services.inbound import receive_contacts
    from contactpunt.contacts.services.types import InboundContact
    from contactpunt.people.models import Department, Role, User

    call_command("migrate", verbosity=0)
    department = Department.objects.create(name="Bench")
    Queue.objects.create(code="b1", name="B1", channel=Channel.PHONE, department=department)
    second = Queue.objects.create(code="b2", name="B2", channel=Channel.PHONE, department=department)
    reason = ContactReason.objects.create(code="r", name="R")
    agents = [User.objects.create_user(username=f"a{n}", password=None, role=Role.AGENT).pk for n in range(2)]
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    best_wall = best_cpu = 0.0
    for run in range(args.runs):
        items = [
            InboundContact(source="bench", queue="b1", occurred_at=t0 + n * S, external_id=f"{run}-{n}", text="x")
            for n in range(args.contacts)
        ]
        events: list[ContactEventInput] = []
        for n, received in enumerate(receive_contacts(items)):
            first, other = agents[n % 2], agents[(n + 1) % 2]
            script: list[tuple[str, int, int | None]] = [
                ("presented", 5, first),
                ("answered", 8, first),
                ("hold_started", 30, first),
                ("hold_ended", 50, first),
                ("transferred", 60, first),
                ("answered", 80, other),
                ("ended", 200, other),
                ("wrapped", 230, other),
            ]
            for name, seconds, agent in [("abandoned", 40, None)] if n % 7 == 0 else script:
                events.append(
                    ContactEventInput(
                        contact_id=received.contact_id,
                        name=name,
                        occurred_at=t0 + (n + seconds) * S,
                        agent_id=agent,
                        to_queue_id=second.pk if name == "transferred" else None,
                        reason_id=reason.pk if name == "wrapped" else None,
                        source="pbx",
                        external_id=f"{run}-{n}-{name}-{seconds}",
                    )
                )
        events.sort(key=lambda item: item.occurred_at)
        began, cpu = time.perf_counter(), time.process_time()
        bulk_events.record_contact_events(events)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        best_wall, best_cpu = max(best_wall, len(events) / wall), max(best_cpu, len(events) / cpu)
        print(f"run {run}: {len(events):,} events in {wall:.3f} s (CPU {cpu:.3f} s)", flush=True)
    print(
        f"best {best_wall:,.0f} events/s wall, {best_cpu:,.0f} events/s of CPU "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
