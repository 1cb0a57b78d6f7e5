"""`contactpunt import-calls FILE --format asterisk-queue-log|technion|csv`: import a call log.

Shows a progress bar on stderr and prints (or with `--json` writes) the report: rows it could not read (with line
numbers), unknown events, calls without a final event, voice-menu usage, and what was written. Importing the same
file twice creates nothing new.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactpunt.channels.telephony.asterisk import parse_queue_log
from contactpunt.channels.telephony.csv_mapping import MappingError, load_mapping, parse_csv
from contactpunt.channels.telephony.importer import CallerKind, import_calls
from contactpunt.channels.telephony.records import AgentStateChange, Call, ParseReport
from contactpunt.channels.telephony.technion import DEFAULT_TIMEZONE, parse_technion

FORMATS = ("asterisk-queue-log", "technion", "csv")
_CALLER_KINDS: dict[str, CallerKind] = {"asterisk-queue-log": "phone", "technion": "external", "csv": "auto"}


class Progress:
    """A one-line progress bar on a stream, redrawn at most every `every` seconds."""

    def __init__(self, stream: IO[str], total: int, *, enabled: bool = True, every: float = 0.2) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.enabled = enabled
        self.every = every
        self.done = 0
        self.calls = 0
        self.lines = 0
        self._drawn_at = 0.0

    def lines_of(self, handle: IO[bytes]) -> Iterator[str]:
        """Yield the file's lines as text, advancing the bar by their bytes."""
        for raw in handle:
            self.done += len(raw)
            self.lines += 1
            self.draw()
            yield raw.decode("utf-8", "replace")

    def on_batch(self, calls: int) -> None:
        self.calls = calls
        self.draw()

    def draw(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self._drawn_at < self.every):
            return
        self._drawn_at = now
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r[{bar:<30}] {share:4.0%} {self.lines:,} lines, {self.calls:,} calls written")
        if final:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a call log (Asterisk queue_log, the Technion call log, or CSV with a mapping file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--mapping", type=Path, help="The mapping file (JSON or TOML) for --format csv.")
        parser.add_argument("--timezone", help="IANA zone of the log's local times.")
        parser.add_argument("--queue-prefix", default="phone-", help="Prefix of the codes of the queues.")
        parser.add_argument("--source", help="The platform's name, the source of contacts and events.")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")
        parser.add_argument(
            "--json", nargs="?", const="-", metavar="FILE", help="Write the report as JSON (to FILE, or stdout)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        fmt: str = options["format"]
        zone: str | None = options["timezone"]
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise CommandError(f"unknown time zone {zone!r}") from error
        if not 100 <= options["batch_size"] <= 5000:
            raise CommandError("--batch-size must lie between 100 and 5000")
        report = ParseReport()
        progress = Progress(sys.stderr, path.stat().st_size, enabled=not options["no_progress"])
        with path.open("rb") as handle:
            items = self._parse(fmt, progress.lines_of(handle), report, zone, options["mapping"])
            result = import_calls(
                items,
                source=options["source"] or fmt,
                report=report,
                queue_prefix=options["queue_prefix"],
                caller_kind=_CALLER_KINDS[fmt],
                batch_size=options["batch_size"],
                on_batch=progress.on_batch,
            )
        progress.draw(final=True)
        data = result.as_dict()
        data["file"] = str(path)
        data["format"] = fmt
        target = options["json"]
        if target == "-":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        if target:
            Path(target).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        self._print(data)

    def _parse(
        self, fmt: str, lines: Iterable[str], report: ParseReport, zone: str | None, mapping_path: Path | None
    ) -> Iterable[Call | AgentStateChange]:
        if fmt == "technion":
            return parse_technion(lines, report=report, timezone=zone or DEFAULT_TIMEZONE)
        if fmt == "asterisk-queue-log":
            return parse_queue_log(lines, report=report, timezone=zone or "UTC")
        if mapping_path is None:
            raise CommandError("--format csv needs --mapping FILE")
        try:
            mapping = load_mapping(mapping_path)
            if zone:
                mapping = dataclasses.replace(mapping, timezone=zone)
        except MappingError as error:
            raise CommandError(str(error)) from error
        return parse_csv(lines, mapping=mapping, report=report)

    def _print(self, data: dict[str, Any]) -> None:
        write = self.stdout.write
        write(f"{data['file']} ({data['format']}, source {data['source']}): {data['rows_read']} rows read")
        write(f"  calls {data['calls']}: {data['contacts_created']} new, {data['duplicates']} already imported, "
              f"{len(data['rejected'])} rejected")  # fmt: skip
        write("  outcomes: " + ", ".join(f"{k} {v}" for k, v in data["outcomes"].items()))
        write(f"  events written {data['events_created']}, agent states written {data['agent_states_created']}")
        if data["queues_created"]:
            write("  queues created: " + ", ".join(data["queues_created"]))
        if data["agents_created"]:
            write(f"  agents created: {len(data['agents_created'])}")
        menu = data["voice_menu"]
        write(f"  voice menu: {menu['calls_through_menu']} calls, {menu['ended_in_menu']} ended there, "
              f"mean {menu['mean_menu_seconds']} s")  # fmt: skip
        for path, count in menu["paths"].items():
            write(f"    {path}: {count}")
        for name in ("skipped_rows", "unknown_events", "notes"):
            if data[name]:
                write(f"  {name.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in data[name].items()))
        if data["calls_without_final_event"]:
            write("  calls without a final event: " + ", ".join(data["calls_without_final_event"][:50]))
        for row in data["unreadable_rows"]:
            write(f"  line {row['line']}: {row['reason']}")
        if data["unreadable_rows_not_listed"]:
            write(f"  ... and {data['unreadable_rows_not_listed']} more unreadable rows")
        for entry in data["rejected"]:
            write(f"  rejected call {entry['call']}: {entry['reason']}")
        write(f"  {data['seconds']} s")
