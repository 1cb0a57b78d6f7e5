"""`contactpunt simulate --scenario NAME --days N --seed S [--scale X]`: simulated history through the services."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenarios import SCENARIOS
from contactpunt.simulation.writer import Tallies


class Command(BaseCommand):
    help = "Simulate a scenario's contact centre and write its history, ending now, through the services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
        parser.add_argument("--days", type=float, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply volumes and agents.")
        parser.add_argument("--dry-run", action="store_true", help="Simulate without writing to the database.")
        parser.add_argument("--json", action="store_true", help="Print the tallies as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] <= 0 or options["scale"] <= 0:
            raise CommandError("--days and --scale must be positive")

        def progress(fraction: float, tallies: Tallies) -> None:
            filled = int(fraction * 40)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (40 - filled)}] {fraction:6.1%} {tallies.contacts:>9,} contacts")
            sys.stderr.flush()

        result = simulate(
            SCENARIOS[options["scenario"]],
            days=options["days"],
            seed=options["seed"],
            scale=options["scale"],
            write=not options["dry_run"],
            progress=progress,
        )
        sys.stderr.write("\n")
        t = result.tallies
        realtime = [q for q in result.scenario.queues if q.channel in ("phone", "chat")]
        answered = sum(t.by_queue[q.code].answered for q in realtime)
        within = sum(t.by_queue[q.code].answered_within_threshold for q in realtime)
        summary = {
            "scenario": result.scenario.name,
            "start": result.start.isoformat(),
            "end": result.end.isoformat(),
            "seconds": round(result.seconds, 2),
            "contacts": t.contacts,
            "contacts_per_second": round(t.contacts / result.seconds, 1),
            "by_channel": dict(t.by_channel),
            "handled": t.handled,
            "abandoned": t.abandoned,
            "short_abandoned": t.short_abandoned,
            "answered_within_threshold_share": round(within / answered, 4) if answered else None,
            "transfers": t.transfers,
            "repeat_contacts": t.repeat_contacts,
            "identified_contacts": t.identified_contacts,
            "repeats_caused": t.repeats_caused,
            "resolved_cases": t.resolved_cases,
            "agent_states": t.agent_states,
            "agents": len(result.engine.agents),
            "survey_answers": len(t.surveys),
            "nps": round(t.nps, 1),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        for key, value in summary.items():
            self.stdout.write(f"{key:>32}: {value}")
