"""`contactpunt journey`: orders in, loyalty figures out, without the web UI.

- ``import-orders FILE [--source NAME] [--kind order|booking|stay] [--json]``: import a CSV of orders
  (``order_id, customer_id, ordered_at, amount`` and optionally ``product_type, account, status, kind``); every
  row is one order, ``customer_id`` becomes an external identity of the source; re-importing creates nothing
  (only changed statuses are recorded). Prints what was created, repeated, refused (by line and field).
- ``cohorts --by month|quarter [--window-days 730] [--periods 12] [--json]``: the returning customers per
  cohort of first order, computed by the code behind the cohort page: ``{"cohorts": [{"cohort": "1997-01",
  "size": N, "returning_24m": x, "bracket": [...], "on_or_after": [...]}]}`` with shares 0..1.
- ``moments [--date YYYY-MM-DD] [--json]``: create the tasks of the journey's moments (what the worker does every
  six hours); running it again creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.journey import cohorts
from contactpunt.journey.importer import FileRejected, import_orders
from contactpunt.journey.models import OrderKind
from contactpunt.journey.moments import run_moments


class Command(BaseCommand):
    help = "Import orders and compute returning customers by cohort."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        imp = sub.add_parser("import-orders", help="Import a CSV of orders (idempotent).")
        imp.add_argument("file", type=Path)
        imp.add_argument("--source", default="import", help="The source the order and customer ids belong to.")
        imp.add_argument("--kind", default=OrderKind.ORDER, choices=list(OrderKind.values))
        imp.add_argument("--json", action="store_true")
        mom = sub.add_parser("moments", help="Create the tasks of the journey's moments (idempotent).")
        mom.add_argument("--date", type=dt.date.fromisoformat, help="The day to run for (default today).")
        mom.add_argument("--json", action="store_true")
        coh = sub.add_parser("cohorts", help="Returning customers by cohort of first order.")
        coh.add_argument("--by", default="month", choices=list(cohorts.PERIODS))
        coh.add_argument("--window-days", type=int, default=730)
        coh.add_argument("--periods", type=int, default=12)
        coh.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import-orders":
            self._import(options)
        elif options["subcommand"] == "moments":
            created = run_moments(today=options["date"])
            self.stdout.write(json.dumps({"created": created}) if options["json"] else f"{created} new tasks")
        else:
            self._cohorts(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        source = str(options["source"]).strip()
        if not source or len(source) > 100:
            raise CommandError("--source must be 1 to 100 characters")
        try:
            report = import_orders(path, source=source, kind=options["kind"])
        except FileRejected as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            f"{report.rows} rows: {report.created} orders created, {report.duplicates} already known, "
            f"{report.stage_changes} status changes, {len(report.errors)} refused; "
            f"{report.new_customers} new customers, {report.without_customer} orders without a customer"
        )
        for error in report.errors[:20]:
            self.stdout.write(f"  line {error.line}: {error.field}: {error.message}")
        if len(report.errors) > 20:
            self.stdout.write(f"  ... and {len(report.errors) - 20} more")

    def _cohorts(self, options: dict[str, Any]) -> None:
        if options["window_days"] < 1 or not 1 <= options["periods"] <= 120:
            raise CommandError("--window-days must be at least 1 and --periods 1 to 120")
        rows = cohorts.cohorts(by=options["by"], periods=options["periods"], window_days=options["window_days"])
        if options["json"]:
            self.stdout.write(json.dumps({"cohorts": [c.as_dict() for c in rows]}))
            return
        self.stdout.write(f"{'cohort':<8} {'size':>7} {'return':>7}  " + " ".join(f"{k:>5}" for k in range(1, 13)))
        for c in rows:
            shares = " ".join(f"{100 * share:5.1f}" for share in c.bracket[:12])
            self.stdout.write(f"{c.label:<8} {c.size:>7} {100 * c.returning:6.1f}%  {shares}")
