"""`contactpunt openapi`: write the committed OpenAPI document, or check that it is current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactpunt.api.api import api

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi.json"


def current_document() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write contactpunt/api/openapi.json from the API, or with --check fail when it is out of date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail when the committed document differs.")

    def handle(self, *args: Any, **options: Any) -> None:
        document = current_document()
        if options["check"]:
            committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
            if committed != document:
                raise CommandError(
                    "The API changed but contactpunt/api/openapi.json did not: run `contactpunt openapi` and "
                    "commit the document, so the change is announced."
                )
            self.stdout.write("openapi.json is current.")
            return
        DOCUMENT.write_text(document, encoding="utf-8")
        self.stdout.write(f"Wrote {DOCUMENT}")
