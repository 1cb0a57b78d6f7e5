"""`contactpunt partitions`: the event log's monthly partitions on PostgreSQL (`contacts.partitions`).

- no option: list the partitions with their estimated rows;
- ``--ensure``: make this month's and the next three months' partitions now (the daily job does so too);
- ``--detach-before YYYY-MM``: detach the months before that one from the log, to archive them: each stays in the
  database as a table of its own (dump it with `pg_dump -t NAME`, then drop it). The figures of those months stay
  in the rollups; drill-downs into them find no events any more. The audit log records each detached month.
"""

from __future__ import annotations

import datetime as dt
import getpass
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.contacts import partitions


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"--detach-before: {text!r} is not a month written as YYYY-MM") from exc


class Command(BaseCommand):
    help = "List, make ahead or detach the event log's monthly partitions (PostgreSQL)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--ensure", action="store_true", help="Make this month's and the next three now.")
        parser.add_argument("--detach-before", metavar="YYYY-MM", help="Detach the months before this one.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.is_partitioned():
            self.stdout.write("The event log is not partitioned on this database (partitions need PostgreSQL).")
            return
        if options["ensure"]:
            made = partitions.ensure_partitions()
            self.stdout.write(f"made: {', '.join(made)}" if made else "every partition ahead exists already")
        if options["detach_before"]:
            before = _month(options["detach_before"])
            detached = partitions.detach_before(before, by=f"contactpunt partitions ({getpass.getuser()})")
            for name in detached:
                self.stdout.write(f"detached {name}: archive it with `pg_dump -t {name}`, then DROP TABLE {name}")
            if not detached:
                self.stdout.write(f"no month before {before:%Y-%m} is in the log")
        for partition in partitions.partitions():
            label = f"{partition.month:%Y-%m}" if partition.month else "default"
            self.stdout.write(f"{label:>8}  {partition.rows:>12,}  {partition.name}")
