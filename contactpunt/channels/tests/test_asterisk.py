"""The Asterisk queue_log parser on a hand-written log."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from contactpunt.channels.telephony.asterisk import parse_queue_log
from contactpunt.channels.telephony.records import (
    AgentState,
    AgentStateChange,
    Call,
    CallLeg,
    LegOutcome,
    ParseReport,
)

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def at(offset: int) -> datetime:
    return datetime.fromtimestamp(T0 + offset, tz=UTC)


def line(offset: int, callid: str, queue: str, agent: str, event: str, *data: str) -> str:
    return "|".join([str(T0 + offset), callid, queue, agent, event, *data]) + "\n"


LOG = [
    line(0, "NONE", "NONE", "PJSIP/101", "AGENTLOGIN", "PJSIP/101"),
    line(1, "NONE", "sales", "PJSIP/101", "ADDMEMBER", ""),
    line(2, "NONE", "NONE", "NONE", "QUEUESTART", ""),
    # c1: answered after 10 s, completed by the caller after 120 s
    line(10, "c1", "sales", "NONE", "ENTERQUEUE", "", "0612345678", "1"),
    line(15, "c1", "sales", "PJSIP/102", "RINGNOANSWER", "5000"),
    line(20, "c1", "sales", "PJSIP/101", "CONNECT", "10", "c1-agent", "3"),
    line(140, "c1", "sales", "PJSIP/101", "COMPLETECALLER", "10", "120", "1"),
    # c2: abandoned after 30 s
    line(30, "c2", "sales", "NONE", "ENTERQUEUE", "", "0201234567", "1"),
    line(60, "c2", "sales", "NONE", "ABANDON", "1", "1", "30"),
    # c3: answered in sales, blind-transferred into support, answered there: one call, two legs
    line(70, "c3", "sales", "NONE", "ENTERQUEUE", "", "0101111111", "1"),
    line(75, "c3", "sales", "PJSIP/101", "CONNECT", "5", "c3-a", "1"),
    line(100, "c3", "sales", "PJSIP/101", "BLINDTRANSFER", "200", "queues", "5", "25", "1"),
    line(101, "c3", "support", "NONE", "ENTERQUEUE", "", "0101111111", "1"),
    line(111, "c3", "support", "PJSIP/103", "CONNECT", "10", "c3-b", "2"),
    line(200, "c3", "support", "PJSIP/103", "COMPLETEAGENT", "10", "89", "1"),
    # c4: left with a key; c5: timeout; c6: joined an empty queue
    line(80, "c4", "support", "NONE", "ENTERQUEUE", "", "", "1"),
    line(90, "c4", "support", "NONE", "EXITWITHKEY", "9", "1", "1", "10"),
    line(81, "c5", "support", "NONE", "ENTERQUEUE", "", "", "1"),
    line(381, "c5", "support", "NONE", "EXITWITHTIMEOUT", "1", "1", "300"),
    line(382, "c6", "support", "NONE", "JOINEMPTY", "1", "1", "0"),
    line(400, "NONE", "sales", "PJSIP/101", "PAUSE", "lunch"),
    line(401, "NONE", "sales", "PJSIP/101", "FROBNICATE", ""),
    "garbage without pipes\n",
    line(402, "NONE", "sales", "PJSIP/101", "UNPAUSE", ""),
    line(403, "NONE", "sales", "PJSIP/101", "REMOVEMEMBER", ""),
    line(404, "NONE", "NONE", "PJSIP/101", "AGENTLOGOFF", "PJSIP/101", "404"),
    # c7: transferred, no further queue: finished when the transfer window has passed
    line(410, "c7", "sales", "NONE", "ENTERQUEUE", "", "", "1"),
    line(411, "c7", "sales", "PJSIP/101", "CONNECT", "1", "c7-a", "1"),
    line(420, "c7", "sales", "PJSIP/101", "ATTENDEDTRANSFER", "BRIDGE", "PJSIP/555", "1", "9", "1"),
    line(500, "NONE", "NONE", "NONE", "CONFIGRELOAD", ""),
    # c8: never ends
    line(600, "c8", "sales", "NONE", "ENTERQUEUE", "", "", "1"),
]


def _parse(lines: list[str]) -> tuple[list[Call], list[AgentStateChange], ParseReport]:
    report = ParseReport()
    items = list(parse_queue_log(lines, report=report))
    calls = [item for item in items if isinstance(item, Call)]
    states = [item for item in items if isinstance(item, AgentStateChange)]
    assert len(calls) + len(states) == len(items)
    return calls, states, report


def test_calls_from_a_hand_written_log():
    calls, _, report = _parse(LOG)
    by_id = {call.external_id: call for call in calls}
    assert [call.external_id for call in calls] == ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"]

    c1 = by_id["c1"]
    assert (c1.caller, c1.started_at, c1.ended_at, c1.outcome) == ("0612345678", at(10), at(140), LegOutcome.ANSWERED)
    assert c1.legs == (CallLeg("sales", "PJSIP/101", at(10), at(20), at(140), LegOutcome.ANSWERED, "COMPLETECALLER"),)
    assert (c1.legs[0].wait_seconds, c1.legs[0].talk_seconds) == (10, 120)

    assert by_id["c2"].legs == (CallLeg("sales", None, at(30), None, at(60), LegOutcome.ABANDONED, "ABANDON"),)

    assert by_id["c3"].legs == (
        CallLeg("sales", "PJSIP/101", at(70), at(75), at(100), LegOutcome.ANSWERED, "BLINDTRANSFER", "200@queues"),
        CallLeg("support", "PJSIP/103", at(101), at(111), at(200), LegOutcome.ANSWERED, "COMPLETEAGENT"),
    )
    assert by_id["c4"].legs[0].exit_reason == "EXITWITHKEY:9"
    assert by_id["c4"].outcome is LegOutcome.EXITED
    assert (by_id["c5"].legs[0].exit_reason, by_id["c5"].legs[0].wait_seconds) == ("EXITWITHTIMEOUT", 300)
    assert by_id["c6"].legs == (CallLeg("support", None, at(382), None, at(382), LegOutcome.EXITED, "JOINEMPTY"),)
    assert by_id["c7"].legs[0].transferred_to == "BRIDGE@PJSIP/555"
    assert by_id["c8"].legs == (CallLeg("sales", None, at(600), None, None, LegOutcome.UNFINISHED),)
    assert by_id["c8"].ended_at is None

    assert report.unfinished_calls == ["c8"]
    assert report.unknown_events == Counter({"FROBNICATE": 1})
    assert report.skipped == Counter({"QUEUESTART": 1, "CONFIGRELOAD": 1})
    assert [(p.line, p.reason) for p in report.problems] == [
        (23, "expected at least 5 fields separated by '|', found 1")
    ]
    assert report.notes == Counter({"RINGNOANSWER": 1, "JOINEMPTY without ENTERQUEUE": 1})
    assert report.calls == 8


def test_agent_states():
    _, states, report = _parse(LOG)
    assert states == [
        AgentStateChange("PJSIP/101", at(0), AgentState.LOGGED_IN, None, "PJSIP/101"),
        AgentStateChange("PJSIP/101", at(1), AgentState.ADDED_TO_QUEUE, "sales", ""),
        AgentStateChange("PJSIP/101", at(400), AgentState.PAUSED, "sales", "lunch"),
        AgentStateChange("PJSIP/101", at(402), AgentState.UNPAUSED, "sales", ""),
        AgentStateChange("PJSIP/101", at(403), AgentState.REMOVED_FROM_QUEUE, "sales", ""),
        AgentStateChange("PJSIP/101", at(404), AgentState.LOGGED_OUT, None, "PJSIP/101"),
    ]
    assert report.agent_state_changes == 6


def test_database_timestamps_and_a_call_seen_again():
    lines = [
        "2023-11-14 23:00:00|x|sales|NONE|ENTERQUEUE||06|1\n",
        "2023-11-14 23:00:30|x|sales|NONE|ABANDON|1|1|30\n",
        "2023-11-14 23:05:00|x|sales|NONE|ENTERQUEUE||06|1\n",
        "2023-11-14 23:05:09|x|sales|NONE|EXITEMPTY|1|1|9\n",
        "yesterday|x|sales|NONE|ABANDON|1|1|1\n",
    ]
    report = ParseReport()
    calls = [c for c in parse_queue_log(lines, report=report, timezone="Europe/Amsterdam") if isinstance(c, Call)]
    assert [(c.external_id, c.started_at) for c in calls] == [
        ("x", datetime(2023, 11, 14, 22, 0, tzinfo=UTC)),
        ("x/2", datetime(2023, 11, 14, 22, 5, tzinfo=UTC)),
    ]
    assert [(p.line, p.reason) for p in report.problems] == [(5, "unreadable time 'yesterday'")]


def test_connect_without_enterqueue_uses_the_hold_time():
    calls, _, report = _parse([line(100, "r", "sales", "A", "CONNECT", "40", "b", "1"),
                               line(160, "r", "sales", "A", "COMPLETEAGENT", "40", "60", "1")])  # fmt: skip
    assert calls[0].legs == (CallLeg("sales", "A", at(60), at(100), at(160), LegOutcome.ANSWERED, "COMPLETEAGENT"),)
    assert report.notes == Counter({"CONNECT without ENTERQUEUE": 1})
