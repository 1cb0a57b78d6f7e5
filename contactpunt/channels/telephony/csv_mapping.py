"""Import calls from any platform's CSV export, driven by a mapping file (JSON or TOML).

One CSV row is one leg; consecutive rows with the same call id form one call. A mapping names the columns:

    delimiter = ","                       # optional, default ","
    timestamp_format = "%d-%m-%Y %H:%M:%S"  # strptime format, or "iso", or "epoch"
    timezone = "Europe/Amsterdam"         # zone of naive timestamps, default "UTC"
    ivr_separator = ">"                   # optional, splits the ivr_path column

    [columns]                             # call_id, queued_at and outcome are required
    call_id = "CallID"
    queued_at = "Start"
    outcome = "Result"
    queue = "Queue"                       # optional: agent, caller, answered_at, ended_at,
    wait_seconds = "Wait"                 #   wait_seconds, talk_seconds, ivr_path, ivr_seconds

    [outcomes]                            # source values per outcome, compared case-insensitively
    answered = ["ANSWERED"]
    abandoned = ["ABANDONED", "HANGUP"]
    ivr_only = ["IVR"]
    exited = ["TIMEOUT"]

Missing moments are derived: answered_at = queued_at + wait_seconds; ended_at = answered_at + talk_seconds for an
answered leg, queued_at + wait_seconds otherwise. An ivr_only row gives a call without legs.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contactpunt.channels.telephony.records import Call, CallLeg, LegOutcome, ParseReport

REQUIRED_COLUMNS = ("call_id", "queued_at", "outcome")
OPTIONAL_COLUMNS = ("queue", "agent", "caller", "answered_at", "ended_at", "wait_seconds", "talk_seconds",
                    "ivr_path", "ivr_seconds")  # fmt: skip


class MappingError(ValueError):
    """The mapping file is unreadable or incomplete."""


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Which CSV columns hold what, how timestamps are written, and which values mean which outcome."""

    columns: Mapping[str, str]
    outcomes: Mapping[str, LegOutcome]
    timestamp_format: str = "iso"
    timezone: str = "UTC"
    delimiter: str = ","
    ivr_separator: str = ">"
    zone: ZoneInfo = field(init=False, compare=False)

    def __post_init__(self) -> None:
        missing = [name for name in REQUIRED_COLUMNS if not self.columns.get(name)]
        if missing:
            raise MappingError(f"mapping lacks columns: {', '.join(missing)}")
        unknown = sorted(set(self.columns) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
        if unknown:
            raise MappingError(f"mapping names unknown fields: {', '.join(unknown)}")
        try:
            object.__setattr__(self, "zone", ZoneInfo(self.timezone))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise MappingError(f"unknown time zone {self.timezone!r}") from error
        if len(self.delimiter) != 1:
            raise MappingError("delimiter must be one character")


def load_mapping(path: Path | str) -> CsvMapping:
    """Read a mapping from a .json or .toml file; raise MappingError when it is unreadable or incomplete."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise MappingError(f"cannot read mapping {path}: {error}") from error
    return mapping_from_dict(data)


def mapping_from_dict(data: Any) -> CsvMapping:
    """Build a mapping from parsed JSON/TOML; raise MappingError when it is incomplete."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise MappingError("mapping needs a 'columns' table")
    outcomes: dict[str, LegOutcome] = {}
    for name, values in dict(data.get("outcomes") or {}).items():
        try:
            outcome = LegOutcome(name)
        except ValueError as error:
            raise MappingError(f"unknown outcome {name!r}") from error
        for value in [values] if isinstance(values, str) else list(values):
            outcomes[str(value).strip().lower()] = outcome
    if not outcomes:
        raise MappingError("mapping needs an 'outcomes' table")
    return CsvMapping(
        columns={str(k): str(v) for k, v in data["columns"].items()},
        outcomes=outcomes,
        timestamp_format=str(data.get("timestamp_format", "iso")),
        timezone=str(data.get("timezone", "UTC")),
        delimiter=str(data.get("delimiter", ",")),
        ivr_separator=str(data.get("ivr_separator", ">")),
    )


class _RowError(ValueError):
    pass


def parse_csv(lines: Iterable[str], *, mapping: CsvMapping, report: ParseReport) -> Iterator[Call]:
    """Yield calls from CSV text with a header row, streaming; unusable rows go to report.problems.

    Line numbers in the report count physical lines, starting at 1 for the header.
    """
    reader = csv.DictReader(lines, delimiter=mapping.delimiter)
    header = reader.fieldnames or []
    absent = [column for column in mapping.columns.values() if column not in header]
    if absent:
        report.problem(1, f"columns not in the header: {', '.join(absent)}")
        return
    current: list[tuple[Call, tuple[CallLeg, ...]]] = []
    for row in reader:
        report.rows_read += 1
        try:
            call, legs = _row(row, mapping)
        except _RowError as error:
            report.problem(reader.line_num, str(error), mapping.delimiter.join(str(v) for v in row.values()))
            continue
        if current and current[0][0].external_id != call.external_id:
            yield _merge(current, report)
            current = []
        current.append((call, legs))
    if current:
        yield _merge(current, report)


def _merge(parts: list[tuple[Call, tuple[CallLeg, ...]]], report: ParseReport) -> Call:
    first = parts[0][0]
    legs = tuple(leg for _, part_legs in parts for leg in part_legs)
    ends = [leg.ended_at for leg in legs if leg.ended_at] or [c.ended_at for c, _ in parts if c.ended_at]
    report.calls += 1
    return Call(first.external_id, first.started_at, max(ends) if ends else None, legs, caller=first.caller,
                ivr_path=first.ivr_path, ivr_seconds=first.ivr_seconds)  # fmt: skip


def _row(row: Mapping[str, str | None], mapping: CsvMapping) -> tuple[Call, tuple[CallLeg, ...]]:
    def value(name: str) -> str:
        column = mapping.columns.get(name)
        return (row.get(column) or "").strip() if column else ""

    call_id = value("call_id")
    if not call_id:
        raise _RowError("no call id")
    outcome = mapping.outcomes.get(value("outcome").lower())
    if outcome is None:
        raise _RowError(f"unknown outcome {value('outcome')!r}")
    queued_at = _timestamp(value("queued_at"), mapping)
    if queued_at is None:
        raise _RowError("no queued_at time")
    wait = _seconds(value("wait_seconds"), "wait_seconds")
    talk = _seconds(value("talk_seconds"), "talk_seconds")
    answered_at = _timestamp(value("answered_at"), mapping)
    if outcome is LegOutcome.ANSWERED and answered_at is None:
        answered_at = queued_at + timedelta(seconds=wait or 0)
    ended_at = _timestamp(value("ended_at"), mapping)
    if ended_at is None and answered_at is not None and talk is not None:
        ended_at = answered_at + timedelta(seconds=talk)
    elif ended_at is None and outcome is not LegOutcome.ANSWERED and wait is not None:
        ended_at = queued_at + timedelta(seconds=wait)
    ivr_path = tuple(p.strip() for p in value("ivr_path").split(mapping.ivr_separator) if p.strip())
    legs: tuple[CallLeg, ...] = ()
    if outcome is not LegOutcome.IVR_ONLY:
        agent = value("agent") or None
        leg = CallLeg(value("queue") or None, agent, queued_at, answered_at if outcome is LegOutcome.ANSWERED else None,
                      ended_at, outcome, exit_reason=value("outcome"))  # fmt: skip
        legs = (leg,)
    call = Call(call_id, queued_at, ended_at, legs, caller=value("caller") or None, ivr_path=ivr_path,
                ivr_seconds=_seconds(value("ivr_seconds"), "ivr_seconds"))  # fmt: skip
    return call, legs


def _timestamp(text: str, mapping: CsvMapping) -> datetime | None:
    if not text:
        return None
    try:
        if mapping.timestamp_format == "epoch":
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = (
            datetime.fromisoformat(text)
            if mapping.timestamp_format == "iso"
            else datetime.strptime(text, mapping.timestamp_format)
        )
    except (ValueError, OverflowError, OSError) as error:
        raise _RowError(f"bad time {text!r}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=mapping.zone)
    return parsed.astimezone(UTC)


def _seconds(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError as error:
        raise _RowError(f"{name} is not a number: {text!r}") from error
    if number < 0:
        raise _RowError(f"{name} is negative: {text!r}")
    return number
