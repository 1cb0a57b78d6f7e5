"""`contactpunt kpis --from DATE --to DATE [--by ...] [--sl-threshold S] [--timezone TZ] [--compare] [--json]`,
`contactpunt kpis webcare --from DATE --to DATE [--json]` and
`contactpunt kpis rebuild-rollups [--from DATE --to DATE]`.

Prints every metric for the local days FROM to TO (inclusive) from `rollups.report`, the same function the
dashboards and the exports use (the rollups and day parts, the days and intervals dirty contacts touch folded from
the events: every figure is its `metrics` definition). With --json: one object per group, fractions 0..1, durations
in seconds, moments ISO 8601 with offset. --compare adds each figure's change against the same number of days before
(`kpis.trends`, as the manager page: of days still running, the same part of the days before); `webcare` prints the
written channels' figures of the webcare page (`kpis.webcare`).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from contactpunt.kpis import cost, metrics, rollups, trends, webcare
from contactpunt.kpis.intervals import day_bounds

_COLUMNS = (
    ("offered", "offered", "n"),
    ("answered", "answered", "n"),
    ("abandoned", "aband.", "n"),
    ("short_abandons", "short", "n"),
    ("service_level", "SL", "%"),
    ("asa_s", "ASA s", "s"),
    ("aht_s", "AHT s", "s"),
    ("abandon_rate", "aband.%", "%"),
    ("reachability", "reach.", "%"),
    ("transfer_rate", "transf.", "%"),
    ("fcr", "FCR", "%"),
    ("repeat_rate", "repeat", "%"),
    ("identified_share", "ident.", "%"),
    ("csi_median_s", "CSI med s", "s"),
    ("csi_p90_s", "CSI p90 s", "s"),
    ("occupancy", "occup.", "%"),
    ("cost_to_serve", "cost", "n"),
    ("cost_per_contact", "cost/ct", "n"),
)


def _add_cost(rows: list[dict[str, Any]], report: cost.CostReport, by: str | None) -> None:
    """Cost to serve and per contact beside the other figures: for all, per account and per product type
    (other groupings have no cost line: the command leaves the keys out)."""
    lines = {"account": report.by_account, "product_type": report.by_product_type}.get(by or "", [])
    found = {line.name: line for line in lines} if by else {"all": report.total}
    for row in rows:
        line = found.get(str(row["group"]))
        row["cost_to_serve"] = round(line.cost, 2) if line else None
        row["cost_per_contact"] = (
            round(line.cost_per_contact, 2) if line and line.cost_per_contact is not None else None
        )


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from error


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "%":
        return f"{value * 100:.1f}"
    if kind == "s":
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    return str(value)


class Command(BaseCommand):
    help = "Print every KPI for a period (optionally grouped), or rebuild the interval rollups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["report", "webcare", "rebuild-rollups"], default="report")
        parser.add_argument("--from", dest="date_from", help="First local day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", help="Last local day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--by", choices=metrics.GROUPINGS)
        parser.add_argument("--sl-threshold", type=int, metavar="SECONDS", help="Service-level threshold T.")
        parser.add_argument("--timezone", help="IANA zone of the days and intervals (default TIME_ZONE).")
        parser.add_argument("--compare", action="store_true", help="Each figure's change against the days before.")
        parser.add_argument("--json", action="store_true", help="One JSON object per group.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            zone = ZoneInfo(options["timezone"] or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CommandError(f"unknown time zone {options['timezone']!r}") from error
        if options["action"] == "rebuild-rollups":
            self._rebuild(options)
            return
        if not options["date_from"] or not options["date_to"]:
            raise CommandError("--from and --to are required")
        first, last = _date(options["date_from"]), _date(options["date_to"])
        if last < first:
            raise CommandError("--to lies before --from")
        threshold = options["sl_threshold"]
        if threshold is not None and threshold < 0:
            raise CommandError("--sl-threshold must be 0 or more")
        start, end = day_bounds(first, last, zone)
        if options["action"] == "webcare":
            self._webcare(start, end, zone, as_json=options["json"])
            return
        rows = rollups.report(start, end, by=options["by"], zone=zone, threshold_s=threshold)
        if options["by"] in (None, "account", "product_type"):
            _add_cost(rows, cost.cost_to_serve(start, end), options["by"])
        if options["compare"]:
            before_start, before_end = day_bounds(*trends.previous_days(first, last), zone)
            before_end = trends.previous_until(start, end, before_start, before_end, timezone.now())
            before = rollups.report(before_start, before_end, by=options["by"], zone=zone, threshold_s=threshold)
            keys = [key for key, _, _ in _COLUMNS]
            for compared in trends.compare(rows, before, keys):
                compared.figures["change"] = compared.change
        for row in rows:
            row["from"] = start.astimezone(zone).isoformat()
            row["to"] = end.astimezone(zone).isoformat()
            row["sl_threshold_s"] = threshold
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        self._print(rows, first, last, zone, options["by"])

    def _webcare(self, start: dt.datetime, end: dt.datetime, zone: ZoneInfo, *, as_json: bool) -> None:
        figures = webcare.webcare_figures(start, end, now=timezone.now(), zone=zone)
        closed = [
            {"case": c.case_token, "channel": c.channel, "public": c.is_public, "at": c.occurred_at.isoformat()}
            for c in figures.closed_without_response
        ]
        summary = {
            "channels": figures.rows,
            "backlog": figures.backlog.count,
            "oldest_backlog_age_s": figures.backlog.oldest_age_s,
            "public_waiting": figures.public_waiting,
            "closed_without_response": figures.closed_without_response_count,
            "closed_without_response_latest": closed,
        }
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
            return
        write = self.stdout.write
        for row in figures.rows:
            write(
                f"{row['group']}: offered {row['offered']}, first response median "
                f"{_cell(row.get('first_response_median_s'), 's')} s, within norm "
                f"{_cell(row.get('first_response_within_norm'), '%')} %"
            )
        write(f"backlog {figures.backlog.count}, public messages waiting {figures.public_waiting}")
        write(f"closed without a response: {figures.closed_without_response_count}")

    def _rebuild(self, options: dict[str, Any]) -> None:
        began = time.monotonic()
        if options["date_from"] and options["date_to"]:
            # The days of the configured zone (those the day parts are kept in); --timezone does not apply.
            written, parts = rollups.rebuild_days(_date(options["date_from"]), _date(options["date_to"]))
            self.stdout.write(f"{written} rollup rows and {parts} day part rows written in "
                              f"{time.monotonic() - began:.1f} s")  # fmt: skip
            return
        written = rollups.rebuild_all()
        self.stdout.write(f"{written} rollup rows written in {time.monotonic() - began:.1f} s")

    def _print(self, rows: list[dict[str, Any]], first: dt.date, last: dt.date, zone: ZoneInfo, by: str | None) -> None:
        write = self.stdout.write
        write(f"KPIs {first} to {last} ({zone.key}), by {by or 'nothing'}; % are percentages, s seconds")
        width = max([len(str(r["group"])) for r in rows] + [5])
        write(" ".join([f"{'group':<{width}}"] + [f"{label:>9}" for _, label, _ in _COLUMNS]))
        for row in rows:
            cells = [f"{row['group']:<{width}}"] + [f"{_cell(row.get(key), kind):>9}" for key, _, kind in _COLUMNS]
            write(" ".join(cells))
            if "change" in row:
                change = row["change"]
                cells = [f"{'  change':<{width}}"] + [f"{_cell(change[key], kind):>9}" for key, _, kind in _COLUMNS]
                write(" ".join(cells))
        if by in (None, "queue", "channel"):
            for row in rows:
                if row.get("backlog"):
                    write(f"{row['group']}: backlog {row['backlog']}, oldest {row['oldest_backlog_age_s']:.0f} s")
        write("not yet measured (later issues): " + ", ".join(metrics.MISSING))
