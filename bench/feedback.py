"""Feedback benchmark: the driver analysis on 10,000 answers x 12 drivers, and invitations decided per second.

    CONTACTPUNT_DATA_DIR=$(mktemp -d) .venv/bin/python bench/feedback.py [--answers 10000] [--cases 5000]

Drivers: 11 correlated numeric drivers and one categorical (channel, three levels), LMG over 4,096 subsets with
200 bootstrap resamples (the command's default), best of three runs, wall and CPU time; target 2 s on 2 cores.
Invitations: a fresh SQLite database in the data folder; a day of N phone calls, each answered by an agent and
resolved (through the bulk services), customers partly repeating (so the throttle bites), then one
`decide_invitations` over all of them, as the CASE_RESOLVED subscriber does for a batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))
S = dt.timedelta(seconds=1)


def bench_drivers(answers: int) -> None:
    from contactpunt.feedback.drivers import analyse
    from contactpunt.feedback.tests.simulated_drivers import answers as simulate

    table = simulate(answers, seed=1, drivers=11)
    best_wall = best_cpu = float("inf")
    for run in range(3):
        began, cpu = time.perf_counter(), time.process_time()
        result = analyse(table, "nps", bootstrap=200, seed=run)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        print(
            f"drivers run {run}: {len(result.drivers)} drivers, {result.n:,} answers, R² {result.r2:.3f}: "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU",
            flush=True,
        )
    print(f"drivers best: {best_wall:.2f} s wall, {best_cpu:.2f} s CPU (target 2 s)")


def bench_invitations(cases: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from contactpunt.contacts import announcements
    from contactpunt.contacts.models import Channel, Queue
    from contactpunt.contacts.services import bulk_events
    from contactpunt.contacts.services.bulk_events import CaseResolution, ContactEventInput
    from contactpunt.contacts.services.inbound import receive_contacts
    from contactpunt.contacts.services.types import IdentityInput, InboundContact
    from contactpunt.feedback.services.invitations import decide_invitations, on_cases_resolved
    from contactpunt.people.models import Department, Role, Team, User

    call_command("migrate", verbosity=0)
    announcements.unsubscribe(announcements.Announcement.CASE_RESOLVED, on_cases_resolved)
    department = Department.objects.create(name="Bench")
    team = Team.objects.create(name="Bench", department=department)
    Queue.objects.create(code="b1", name="B1", channel=Channel.PHONE, department=department)
    agents = [
        User.objects.create_user(username=f"a{n}", password=None, role=Role.AGENT, team=team).pk for n in range(20)
    ]
    t0 = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    spacing = 12 * 3600 / cases
    items = [
        InboundContact(
            source="bench",
            queue="b1",
            occurred_at=t0 + n * spacing * S,
            external_id=f"c{n}",
            channel=Channel.PHONE,
            identities=(IdentityInput("phone", f"+3161{n % (cases * 4 // 5):07d}"),),
        )
        for n in range(cases)
    ]
    received = receive_contacts(items)
    events = []
    resolutions = []
    for n, item in enumerate(received):
        at = t0 + n * spacing * S
        agent = agents[n % len(agents)]
        for name, seconds in (("presented", 20), ("answered", 25), ("ended", 200), ("wrapped", 230)):
            events.append(
                ContactEventInput(
                    contact_id=item.contact_id,
                    name=name,
                    occurred_at=at + seconds * S,
                    agent_id=agent,
                    source="pbx",
                    external_id=f"{n}-{name}",
                )
            )
        assert item.case_id is not None
        resolutions.append(CaseResolution(case_id=item.case_id, occurred_at=at + 240 * S, by_id=agent))
    events.sort(key=lambda e: e.occurred_at)
    bulk_events.record_contact_events(events)
    bulk_events.resolve_cases(resolutions)
    ids = [r.case_id for r in resolutions]
    began, cpu = time.perf_counter(), time.process_time()
    decisions = decide_invitations(ids)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    invited = sum(d.invited for d in decisions)
    print(
        f"invitations: {len(ids):,} resolved cases decided in {wall:.2f} s wall ({cpu:.2f} s CPU): "
        f"{len(ids) / wall:,.0f} decisions/s; {invited:,} invited, {len(ids) - invited:,} not (throttle, repeat)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=5_000)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    os.environ.pop("DATABASE_URL", None)
    bench_drivers(args.answers)
    bench_invitations(args.cases)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
