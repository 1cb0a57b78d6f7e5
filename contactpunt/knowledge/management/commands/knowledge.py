"""`contactpunt knowledge`: import articles and search them as the portal does.

- ``import FILE``: CSV with ``article_id, title, body, language`` and optional ``category, audience``
  (public or internal); the article id is kept as the external id, so importing again updates. Prints the
  counts (``--json``: ``created``, ``updated``, ``unchanged``, ``errors``); exits 1 when a row was refused.
- ``search "QUERY" [--limit 10] [--language nl] [--json]``: the public articles ranked as the portal ranks
  them; ``--json`` prints a list of ``{"article_id", "title", "score"}``, best first.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.knowledge.importing import ImportError_, import_rows, read_rows
from contactpunt.knowledge.models import ArticleLanguage
from contactpunt.knowledge.search import Scope, search


class Command(BaseCommand):
    help = "Import knowledge articles from CSV and search them."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the subcommands and their options."""
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        importer = subcommands.add_parser("import", help="Create or update articles from a CSV file.")
        importer.add_argument("file", type=Path)
        importer.add_argument("--json", action="store_true")
        searcher = subcommands.add_parser("search", help="Search the public articles as the portal does.")
        searcher.add_argument("query")
        searcher.add_argument("--limit", type=int, default=10)
        searcher.add_argument("--language", choices=ArticleLanguage.values, default=None)
        searcher.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options["file"], as_json=options["json"])
        else:
            self._search(options["query"], options["limit"], options["language"], as_json=options["json"])

    def _import(self, path: Path, *, as_json: bool) -> None:
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist")
        try:
            result = import_rows(read_rows(path))
        except (ImportError_, UnicodeDecodeError) as refused:
            raise CommandError(f"file: {refused}") from None
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
            for error in result.errors:
                self.stderr.write(error)
        if result.errors:
            raise SystemExit(1)

    def _search(self, query: str, limit: int, language: str | None, *, as_json: bool) -> None:
        if not 1 <= limit <= 100:
            raise CommandError("--limit: between 1 and 100")
        hits = search(query, scope=Scope(language=language), limit=limit).hits
        if as_json:
            self.stdout.write(json.dumps([hit.as_json() for hit in hits], ensure_ascii=False))
            return
        for rank, hit in enumerate(hits, start=1):
            self.stdout.write(f"{rank:>3}. {hit.score:8.3f}  {hit.public_id}  {hit.title}")
