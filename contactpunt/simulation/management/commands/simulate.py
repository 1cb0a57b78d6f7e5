"""`contactpunt simulate --scenario NAME --days N --seed S [--scale X] [--start DATE]`: simulated history
through the services, ending now or `days` after a local start date (to show a peak, such as Valentine's
Day, that lies outside the last months: `--scenario greeting-cards --start 2026-01-15 --days 60`)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from contactpunt.simulation.engine import LOCAL
from contactpunt.simulation.progress import ProgressLine
from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenarios import SCENARIOS


class Command(BaseCommand):
    help = "Simulate a scenario's contact centre and write its history, ending now, through the services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
        parser.add_argument("--days", type=float, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply volumes and agents.")
        parser.add_argument(
            "--start",
            type=dt.date.fromisoformat,
            help="First local day (YYYY-MM-DD) of the history, instead of ending now; the end must lie in the past.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Simulate without writing to the database.")
        parser.add_argument("--json", action="store_true", help="Print the tallies as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] <= 0 or options["scale"] <= 0:
            raise CommandError("--days and --scale must be positive")

        end = None
        if options["start"] is not None:
            first = dt.datetime.combine(options["start"], dt.time(0), tzinfo=LOCAL)
            end = (first + dt.timedelta(days=options["days"])).astimezone(dt.UTC)
            if end > timezone.now():
                raise CommandError("--start plus --days lies in the future: history ends in the past")

        result = simulate(
            SCENARIOS[options["scenario"]],
            days=options["days"],
            seed=options["seed"],
            scale=options["scale"],
            write=not options["dry_run"],
            progress=ProgressLine(sys.stderr, interactive=sys.stderr.isatty()),
            end=end,
            engine_process=not options["dry_run"],  # simulating on another core while this one writes
        )
        result.close()
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
            "contacts_by_day": {day.isoformat(): count for day, count in sorted(t.by_day.items())},
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        by_day = summary.pop("contacts_by_day")
        for key, value in summary.items():
            self.stdout.write(f"{key:>32}: {value}")
        if isinstance(by_day, dict) and by_day:
            busiest = max(by_day, key=by_day.__getitem__)
            self.stdout.write(f"{'busiest_day':>32}: {busiest} ({by_day[busiest]} contacts)")
