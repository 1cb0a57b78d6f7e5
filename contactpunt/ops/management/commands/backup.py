"""`contactpunt backup FILE`: a backup of the database into a new file, with the row count of every table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactpunt.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back the database up into a new FILE: SQLite through its online backup API (a database file), "
        "PostgreSQL with pg_dump --format=custom (restore with pg_restore). Prints each table's row count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        try:
            counts = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps({"file": str(target), "rows": counts}, indent=2))
            return
        self.stdout.write(f"backup written to {target}: {sum(counts.values())} rows in {len(counts)} tables")
