"""Parse the Technion SEE-Lab call log ("Anonymous Bank", 1999): one whitespace-separated row per call.

Columns: vru+line, call_id, customer_id, priority, type, date (YYMMDD), vru_entry, vru_exit, vru_time, q_start,
q_exit, q_time, outcome, ser_start, ser_exit, ser_time, server. Times are h:mm:ss local time of that date.
Rules (issue 5): an AGENT row with q_time 0 was offered with zero wait; a HANG row with q_time 0 ended in the voice
menu and was never offered; a HANG row with q_time > 0 was abandoned in the queue; PHANTOM rows are skipped;
customer_id 0 is an unknown caller; the service type is the queue; a time earlier than the one before it belongs
to the next day (calls crossing midnight); NO_SERVER or no name on an answered row means no agent is known.
Moments follow the log's duration columns, so every wait equals q_time and every talk ser_time (issue 13): a call
is queued at q_start (when answered without a wait, q_start is 0:00:00: at ser_start, or at vru_exit when that is
0:00:00 too), answered q_time later and ended ser_time after the answer; an abandon ends q_time after q_start.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contactpunt.channels.telephony.records import Call, CallLeg, LegOutcome, ParseReport

DEFAULT_TIMEZONE = "Asia/Jerusalem"
COLUMNS = ("vru_line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit", "vru_time",
           "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server")  # fmt: skip
_NO_AGENT = frozenset({"", "NO_SERVER"})
_DAY = 86_400
# A later event may be logged a second before an earlier one (ser_start before vru_exit); only a jump back of more
# than half a day means the call crossed midnight.
_MIDNIGHT_JUMP = _DAY // 2


class _RowError(ValueError):
    pass


def parse_technion(lines: Iterable[str], *, report: ParseReport, timezone: str = DEFAULT_TIMEZONE) -> Iterator[Call]:
    """Yield one Call per usable row, streaming; record unusable rows, skips and remarks in `report`.

    `timezone` is the IANA zone the log's local times are in; every datetime yielded is aware UTC.
    Raises zoneinfo.ZoneInfoNotFoundError for an unknown zone before reading any row.
    """
    zone = ZoneInfo(timezone)
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields or (number == 1 and fields[0] == "vru+line"):
            continue
        report.rows_read += 1
        try:
            call = _call(dict(zip(COLUMNS, fields, strict=False)), len(fields), zone, report)
        except _RowError as error:
            report.problem(number, str(error), line.rstrip("\r\n"))
            continue
        if call is not None:
            report.calls += 1
            yield call


def _call(row: dict[str, str], field_count: int, zone: ZoneInfo, report: ParseReport) -> Call | None:
    if field_count not in (len(COLUMNS), len(COLUMNS) - 1):
        raise _RowError(f"expected {len(COLUMNS)} columns, found {field_count}")
    outcome = row["outcome"]
    if outcome == "PHANTOM":
        report.skipped["PHANTOM"] += 1
        return None
    if outcome not in ("AGENT", "HANG"):
        raise _RowError(f"unknown outcome {outcome!r}")
    day = _date(row["date"])
    q_time = _int(row, "q_time")
    clock = _Clock(day, zone, _seconds(row["vru_entry"]))
    vru_entry = clock.at(_seconds(row["vru_entry"]))
    vru_exit = clock.at(_seconds(row["vru_exit"]))
    vru_time = _int(row, "vru_time", signed=True)
    if vru_time < 0:
        # A few source rows leave the voice menu before entering it; keep the call, drop the impossible duration.
        report.notes["voice-menu exit before entry"] += 1
    started_at = min(vru_entry, vru_exit)
    queue = row["type"]
    legs: tuple[CallLeg, ...]
    if outcome == "AGENT":
        queued_at = _queued_at(row, q_time, clock, vru_exit, report)
        # The log's own wait and talk columns are the truth: ser_start is often a second or two before q_exit,
        # and a few answered rows carry no service times at all (0:00:00).
        answered_at = queued_at + timedelta(seconds=q_time)
        ended_at = answered_at + timedelta(seconds=_int(row, "ser_time"))
        agent = row.get("server", "")
        if agent in _NO_AGENT:
            report.notes["answered without agent name"] += 1
        legs = (CallLeg(queue, None if agent in _NO_AGENT else agent, queued_at, answered_at, ended_at,
                        LegOutcome.ANSWERED, exit_reason="AGENT"),)  # fmt: skip
    elif q_time > 0:
        queued_at = clock.at(_seconds(row["q_start"]))
        ended_at = queued_at + timedelta(seconds=q_time)
        legs = (CallLeg(queue, None, queued_at, None, ended_at, LegOutcome.ABANDONED, exit_reason="HANG"),)
    else:
        report.notes["ended in the voice menu"] += 1
        legs = ()
    customer = row["customer_id"]
    return Call(
        external_id=f"{row['vru_line']}:{row['call_id']}",
        started_at=started_at,
        ended_at=legs[-1].ended_at if legs else vru_exit,
        legs=legs,
        caller=None if customer.strip("0") == "" else customer,
        ivr_seconds=float(vru_time) if vru_time >= 0 else None,
        attributes=(("vru_line", row["vru_line"]), ("priority", row["priority"]), ("type", row["type"])),
    )


def _queued_at(row: dict[str, str], q_time: int, clock: _Clock, vru_exit: datetime, report: ParseReport) -> datetime:
    """Return when an answered call entered the queue: q_start after a wait; without one (q_start 0:00:00) the
    moment of answer, ser_start, or the voice-menu exit when the row has no service start either."""
    if q_time > 0:
        return clock.at(_seconds(row["q_start"]))
    report.notes["answered with zero wait"] += 1
    if row["ser_start"] == "0:00:00":
        report.notes["answered without service start"] += 1
        return vru_exit
    return clock.at(_seconds(row["ser_start"]))


class _Clock:
    """Turns successive h:mm:ss times of one call into UTC datetimes, moving to the next day when time jumps
    back across midnight."""

    def __init__(self, day: date, zone: ZoneInfo, first: int) -> None:
        self.day = day
        self.zone = zone
        self.previous = first

    def at(self, seconds: int) -> datetime:
        absolute = seconds + (self.previous // _DAY) * _DAY
        if absolute < self.previous - _MIDNIGHT_JUMP:
            absolute += _DAY
        self.previous = max(self.previous, absolute)
        local = datetime.combine(self.day, datetime.min.time()) + timedelta(seconds=absolute)
        return local.replace(tzinfo=self.zone).astimezone(UTC)


def _date(value: str) -> date:
    if len(value) != 6 or not value.isdigit():
        raise _RowError(f"bad date {value!r}")
    year = int(value[:2])
    try:
        return date(1900 + year if year >= 50 else 2000 + year, int(value[2:4]), int(value[4:]))
    except ValueError as error:
        raise _RowError(f"bad date {value!r}") from error


def _seconds(value: str) -> int:
    parts = value.split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise _RowError(f"bad time {value!r}")
    hours, minutes, seconds = (int(part) for part in parts)
    if minutes > 59 or seconds > 59 or hours > 47:
        raise _RowError(f"bad time {value!r}")
    return hours * 3600 + minutes * 60 + seconds


def _int(row: dict[str, str], name: str, *, signed: bool = False) -> int:
    value = row.get(name, "")
    digits = value[1:] if signed and value.startswith("-") else value
    if not digits.isdigit():
        raise _RowError(f"{name} is not a number: {value!r}")
    return int(value)
