"""Parse an Asterisk queue_log (`epoch|callid|queue|agent|event|data1|data2|...`) into calls and agent states.

Field meanings follow the Asterisk documentation, "Queue Logs" (docs.asterisk.org/Operation/Logging/Queue-Logs/):

    ENTERQUEUE        url|callerid                        caller joined the queue
    CONNECT           holdtime|bridgedchanneluniqueid|ringtime   an agent answered
    RINGNOANSWER      ringtime (ms)                       an agent was rung and did not answer
    ABANDON           position|origposition|waittime     caller hung up while waiting
    EXITWITHTIMEOUT   position|origposition|waittime     queue timeout
    EXITEMPTY         position|origposition|waittime     queue left without available members
    EXITWITHKEY       key|position|origposition|waittime  caller pressed a key to leave
    JOINEMPTY         position|origposition|waittime     caller tried to join a queue without members
    COMPLETECALLER    holdtime|calltime|origposition      answered call ended by the caller
    COMPLETEAGENT     holdtime|calltime|origposition      answered call ended by the agent
    TRANSFER          extension|context|holdtime|calltime|origposition
    BLINDTRANSFER     extension|context|holdtime|calltime|origposition
    ATTENDEDTRANSFER  method|data|holdtime|calltime|origposition
    PAUSE / UNPAUSE (and PAUSEALL / UNPAUSEALL)  reason
    ADDMEMBER / REMOVEMEMBER, AGENTLOGIN (channel), AGENTLOGOFF (channel|logintime)

A call is one contact; each queue it passed through is a leg. After a transfer the call stays open for
`transfer_window` seconds of log time, so that a transfer into another queue (a new ENTERQUEUE with the same
callid) becomes a second leg of the same call instead of a second call.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from contactpunt.channels.telephony.records import AgentState, AgentStateChange, Call, CallLeg, LegOutcome, ParseReport

_FINAL_UNANSWERED = {
    "ABANDON": LegOutcome.ABANDONED,
    "EXITWITHTIMEOUT": LegOutcome.EXITED,
    "EXITEMPTY": LegOutcome.EXITED,
    "EXITWITHKEY": LegOutcome.EXITED,
    "JOINEMPTY": LegOutcome.EXITED,
}
_COMPLETE = frozenset({"COMPLETECALLER", "COMPLETEAGENT"})
_TRANSFERS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
_AGENT_STATES = {
    "PAUSE": AgentState.PAUSED,
    "PAUSEALL": AgentState.PAUSED,
    "UNPAUSE": AgentState.UNPAUSED,
    "UNPAUSEALL": AgentState.UNPAUSED,
    "ADDMEMBER": AgentState.ADDED_TO_QUEUE,
    "REMOVEMEMBER": AgentState.REMOVED_FROM_QUEUE,
    "AGENTLOGIN": AgentState.LOGGED_IN,
    "AGENTCALLBACKLOGIN": AgentState.LOGGED_IN,
    "AGENTLOGOFF": AgentState.LOGGED_OUT,
    "AGENTCALLBACKLOGOFF": AgentState.LOGGED_OUT,
}
#: Events Asterisk writes that carry nothing for calls or agent states; counted in report.skipped.
_IGNORED = frozenset({"QUEUESTART", "CONFIGRELOAD", "DID", "INFO", "RINGCANCELED", "SYSCOMPAT", "AGENTDUMP",
                      "ENTERQUEUE_NOTIFY", "MIXMONITOR"})  # fmt: skip
_NONE = frozenset({"", "NONE"})
_MIN_FIELDS = 5
#: Finished call ids remembered, so a call re-entering a queue after its final event gets a distinct id.
_FINISHED_MEMORY = 100_000


@dataclass
class _OpenCall:
    callid: str
    external_id: str
    started_at: datetime
    caller: str | None = None
    legs: list[CallLeg] = field(default_factory=list)
    queue: str | None = None
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    agent: str | None = None
    leg_open: bool = False
    transferred_at: datetime | None = None

    def open_leg(self, queue: str | None, at: datetime) -> None:
        self.queue, self.queued_at, self.answered_at, self.agent, self.leg_open = queue, at, None, None, True
        self.transferred_at = None

    def close_leg(
        self, at: datetime | None, outcome: LegOutcome, reason: str, transferred_to: str | None = None
    ) -> None:
        self.legs.append(
            CallLeg(self.queue, self.agent, self.queued_at, self.answered_at, at, outcome, reason, transferred_to)
        )
        self.leg_open = False

    def to_call(self) -> Call:
        ended = self.legs[-1].ended_at if self.legs else None
        return Call(self.external_id, self.started_at, ended, tuple(self.legs), caller=self.caller)


def parse_queue_log(
    lines: Iterable[str], *, report: ParseReport, timezone: str = "UTC", transfer_window: float = 60.0
) -> Iterator[Call | AgentStateChange]:
    """Yield calls (when their final event is read) and agent-state changes, streaming.

    Times are Unix epochs, or "YYYY-MM-DD HH:MM:SS[.ffffff]" (the database form) read in `timezone`; everything
    yielded is aware UTC. Calls still open at the end are yielded with an UNFINISHED last leg and listed in
    report.unfinished_calls. Unknown events are counted in report.unknown_events, unreadable lines in
    report.problems.
    """
    zone = ZoneInfo(timezone)
    window = timedelta(seconds=transfer_window)
    open_calls: dict[str, _OpenCall] = {}
    transferred: deque[tuple[datetime, str]] = deque()
    finished: OrderedDict[str, int] = OrderedDict()
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        report.rows_read += 1
        fields = text.split("|")
        if len(fields) < _MIN_FIELDS:
            report.problem(
                number, f"expected at least {_MIN_FIELDS} fields separated by '|', found {len(fields)}", text
            )
            continue
        at = _time(fields[0], zone)
        if at is None:
            report.problem(number, f"unreadable time {fields[0]!r}", text)
            continue
        callid, queue, agent, event = fields[1].strip(), _name(fields[2]), _name(fields[3]), fields[4].strip()
        data = [value.strip() for value in fields[5:]]
        while transferred and transferred[0][0] <= at:
            _, done_id = transferred.popleft()
            done = open_calls.get(done_id)
            if done is not None and not done.leg_open and done.transferred_at is not None:
                yield _finish(open_calls.pop(done_id), finished, report)

        if event in _AGENT_STATES:
            if agent is None:
                report.problem(number, f"{event} without an agent", text)
                continue
            report.agent_state_changes += 1
            yield AgentStateChange(agent, at, _AGENT_STATES[event], queue, data[0] if data else "")
            continue
        if event in _IGNORED:
            report.skipped[event] += 1
            continue
        if (
            event not in _FINAL_UNANSWERED
            and event not in _COMPLETE
            and event not in _TRANSFERS
            and event
            not in {
                "ENTERQUEUE",
                "CONNECT",
                "RINGNOANSWER",
            }
        ):
            report.unknown_events[event or "(empty)"] += 1
            continue
        if callid in _NONE:
            report.problem(number, f"{event} without a call id", text)
            continue

        call = open_calls.get(callid)
        if call is None:
            external_id = callid if callid not in finished else f"{callid}/{finished[callid] + 1}"
            call = open_calls[callid] = _OpenCall(callid, external_id, at)
            if event != "ENTERQUEUE":
                report.notes[f"{event} without ENTERQUEUE"] += 1
                call.open_leg(queue, at - timedelta(seconds=_float(_field(data, event))))
        if event == "ENTERQUEUE":
            if call.leg_open:
                call.close_leg(at, LegOutcome.UNFINISHED, "ENTERQUEUE")
            call.open_leg(queue, at)
            if call.caller is None and len(data) > 1 and data[1] not in _NONE:
                call.caller = data[1]
        elif event == "RINGNOANSWER":
            report.notes["RINGNOANSWER"] += 1
        elif event == "CONNECT":
            if not call.leg_open:
                call.open_leg(queue, at - timedelta(seconds=_float(data[0] if data else "")))
            call.answered_at, call.agent = at, agent
        elif event in _FINAL_UNANSWERED:
            reason = f"EXITWITHKEY:{data[0]}" if event == "EXITWITHKEY" and data else event
            call.close_leg(at, _FINAL_UNANSWERED[event], reason)
            yield _finish(open_calls.pop(callid), finished, report)
        elif event in _COMPLETE:
            call.agent = call.agent or agent
            if call.answered_at is None:  # CONNECT missing (a rotated log): calltime says when it was answered
                call.answered_at = at - timedelta(seconds=_float(data[1] if len(data) > 1 else ""))
            call.close_leg(at, LegOutcome.ANSWERED, event)
            yield _finish(open_calls.pop(callid), finished, report)
        else:  # a transfer: the answered leg ends; the call may go on in another queue
            call.agent = call.agent or agent
            target = "@".join(part for part in data[:2] if part) or None
            call.close_leg(at, LegOutcome.ANSWERED if call.answered_at else LegOutcome.UNFINISHED, event, target)
            call.transferred_at = at
            transferred.append((at + window, callid))

    for call in open_calls.values():
        if call.leg_open:
            call.close_leg(None, LegOutcome.UNFINISHED, "")
            report.unfinished_calls.append(call.external_id)
        yield _finish(call, finished, report)


def _finish(call: _OpenCall, finished: OrderedDict[str, int], report: ParseReport) -> Call:
    finished[call.callid] = finished.get(call.callid, 0) + 1
    finished.move_to_end(call.callid)
    if len(finished) > _FINISHED_MEMORY:
        finished.popitem(last=False)
    report.calls += 1
    return call.to_call()


def _field(data: list[str], event: str) -> str:
    """Return the wait-time field of a call event, used when the call's ENTERQUEUE is missing."""
    index = {"CONNECT": 0, "COMPLETECALLER": 0, "COMPLETEAGENT": 0, "ABANDON": 2, "EXITWITHTIMEOUT": 2,
             "EXITEMPTY": 2, "JOINEMPTY": 2, "EXITWITHKEY": 3, "TRANSFER": 2, "BLINDTRANSFER": 2,
             "ATTENDEDTRANSFER": 2}.get(event)  # fmt: skip
    return data[index] if index is not None and index < len(data) else ""


def _float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        return 0.0
    return number if 0 <= number < 10**7 else 0.0


def _name(value: str) -> str | None:
    value = value.strip()
    return None if value in _NONE else value


def _time(value: str, zone: ZoneInfo) -> datetime | None:
    value = value.strip()
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)
