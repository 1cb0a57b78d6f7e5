"""`contactpunt plan-shifts`: plan the shifts of a range of days from the forecast, with HiGHS."""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.contacts.models import Queue
from contactpunt.workforce.shifts.planning import plan_shifts, zone


class Command(BaseCommand):
    help = (
        "Plan shifts for the local days from --from for --days days: forecast, Erlang C, then a MIP (HiGHS) "
        "that minimises under-coverage, flexible-pool hours and cost. Replaces earlier planned shifts."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--from", dest="first_day", required=True, help="first local day, YYYY-MM-DD")
        parser.add_argument("--days", type=int, default=7, help="number of days (default 7)")
        parser.add_argument("--queue", default=None, help="queue code (default: every active queue)")
        parser.add_argument("--time-limit", type=float, default=30.0, help="solver time limit in seconds")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first_day = dt.date.fromisoformat(options["first_day"])
        except ValueError as error:
            raise CommandError(f"--from: {error}") from error
        queue = None
        if options["queue"]:
            queue = Queue.objects.filter(code=options["queue"]).first()
            if queue is None:
                raise CommandError(f"unknown queue {options['queue']!r}")
        try:
            outcome = plan_shifts(
                first_day=first_day, days=options["days"], queue=queue, time_limit_s=options["time_limit"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        plan, solution = outcome.plan, outcome.solution
        local = zone()
        figures: dict[str, Any] = {
            "plan": plan.pk,
            "from": first_day.isoformat(),
            "days": plan.days,
            "status": solution.status,
            "mip_gap": solution.mip_gap,
            "runtime_s": round(solution.runtime_s, 3),
            "shifts": len(solution.assignments),
            "pool_shifts": sum(1 for a in solution.assignments if a.is_pool),
            "pool_hours": solution.pool_hours,
            "under_coverage_agent_intervals": round(solution.under_total, 3),
            "cost": round(solution.cost, 2),
        }
        if options["json"]:
            figures["assignments"] = [
                {
                    "agent": shift.agent.get_username(),
                    "queue": shift.queue.code if shift.queue else None,
                    "start": shift.start.astimezone(local).isoformat(),
                    "end": shift.end.astimezone(local).isoformat(),
                    "is_pool": shift.is_pool,
                }
                for shift in plan.shifts.select_related("agent", "queue").order_by("start", "agent_id")
            ]
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key:<32} {value}")
