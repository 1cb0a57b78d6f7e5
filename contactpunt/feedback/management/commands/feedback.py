"""`contactpunt feedback drivers --csv FILE --target nps [--json] [--bootstrap N] [--seed S]`.

Reads one row per answer (the target column, 0-10 for NPS, and one column per driver, numeric or categorical)
and prints how much of the target's variation each driver explains, with the code the product runs on its own
answers (`contactpunt.feedback.drivers`). With --json:
`{"drivers": [{"name", "share", "low", "high", "significant", "direction"}], "r2", "n"}`, fractions 0..1.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactpunt.feedback.drivers import BOOTSTRAP, NotEnoughAnswers, analyse


def read_table(path: Path) -> dict[str, list[object]]:
    """The CSV's columns by header (`,` or `;` separated, UTF-8 with or without BOM)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {path}: {error}") from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(text.splitlines(), dialect))
    if not rows:
        raise CommandError(f"{path} is empty")
    header = [name.strip() for name in rows[0]]
    if len(set(header)) != len(header):
        raise CommandError(f"{path}: column names must be unique")
    table: dict[str, list[object]] = {name: [] for name in header}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CommandError(f"{path} line {number}: {len(row)} fields, the header has {len(header)}")
        for name, cell in zip(header, row, strict=True):
            table[name].append(cell)
    return table


class Command(BaseCommand):
    help = "Driver analysis (LMG shares of R² with bootstrap intervals) of survey answers in a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["drivers"])
        parser.add_argument("--csv", required=True, type=Path, help="One row per answer, a header row.")
        parser.add_argument("--target", default="nps", help="The score column (default nps).")
        parser.add_argument("--json", action="store_true", help="Print JSON (fractions 0..1).")
        parser.add_argument("--bootstrap", type=int, default=BOOTSTRAP, help="Bootstrap resamples for the intervals.")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        table = read_table(options["csv"])
        target = options["target"]
        if target not in table:
            raise CommandError(f"--target: there is no column {target!r} (columns: {', '.join(table)})")
        if not 0 <= options["bootstrap"] <= 10_000:
            raise CommandError("--bootstrap: between 0 and 10000")
        try:
            result = analyse(table, target, bootstrap=options["bootstrap"], seed=options["seed"])
        except NotEnoughAnswers as error:
            raise CommandError(f"not enough answers: {error}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(f"R² {result.r2:.3f} over {result.n} answers")
        self.stdout.write(f"{'driver':<24} {'share':>7} {'95% interval':>17}  significant")
        for d in result.drivers:
            mark = "yes" if d.significant else "no"
            self.stdout.write(f"{d.name:<24} {d.share * 100:6.1f}% [{d.low * 100:5.1f}%, {d.high * 100:5.1f}%]  {mark}")
