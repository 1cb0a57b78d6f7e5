"""The Technion call-log parser on a hand-computed excerpt, and a smoke test on the real January 1999 file."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfoNotFoundError

import pytest

from contactpunt.channels.telephony.records import CallLeg, LegOutcome, ParseReport
from contactpunt.channels.telephony.technion import parse_technion
from contactpunt.channels.tests.shared_data import require

HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\t"
)
HEADER += "outcome\tser_start\tser_exit\tser_time\tserver\r\n"
ROWS = [
    # 2: abandoned after 153 s in the queue, just after midnight local time (= 22:00 UTC the day before)
    "AA0101\t33116\t9664491\t2\tPS\t990101\t0:00:31\t0:00:36\t5\t0:00:36\t0:03:09\t153\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    # 3: HANG with q_time 0: ended in the voice menu, unknown caller
    "AA0101\t33117\t0\t0\tPS\t990101\t0:34:12\t0:34:23\t11\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    # 4: answered with q_time 0 (offered with zero wait); ser_start logged a second before vru_exit
    "AA0101\t33119\t0\t0\tPS\t990101\t7:41:16\t7:41:26\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:41:25\t7:44:53\t208\tBASCH",
    # 5: crosses midnight: service ends at 0:03:40 the next day
    "AA0102\t28748\t0\t0\tPS\t990105\t23:59:15\t23:59:34\t19\t0:00:00\t0:00:00\t0\tAGENT\t23:59:33\t0:03:40\t247\tBENSION",
    # 6: PHANTOM: skipped
    "AA0101\t33180\t69100527\t2\tPS\t990103\t10:19:09\t10:19:15\t6\t10:19:15\t10:19:31\t16\tPHANTOM\t10:19:30\t10:20:13\t43\t"
    "NO_SERVER",
    # 7: answered after 50 s wait, no agent name; separated by spaces, not tabs
    "AA0101 5 123 2 NW 990102 10:00:00 10:00:10 10 10:00:10 10:01:00 50 AGENT 10:01:00 10:02:00 60 NO_SERVER",
    # 8: broken
    "AA0101\t6\tx",
    # 9: bad time
    "AA0101\t7\t0\t0\tPS\t990102\t25:61:00\t0:00:10\t10\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "",
]


def utc(day: int, hour: int, minute: int, second: int, month: int = 1, year: int = 1999) -> datetime:  # noqa: PLR0917
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_hand_computed_excerpt():
    report = ParseReport()
    calls = list(parse_technion([HEADER, *(row + "\r\n" for row in ROWS)], report=report))
    assert [c.external_id for c in calls] == ["AA0101:33116", "AA0101:33117", "AA0101:33119", "AA0102:28748",
                                              "AA0101:5"]  # fmt: skip
    abandoned, ivr, zero_wait, midnight, no_agent = calls

    assert abandoned.caller == "9664491"
    assert abandoned.started_at == utc(31, 22, 0, 31, month=12, year=1998)
    assert abandoned.legs == (
        CallLeg("PS", None, utc(31, 22, 0, 36, 12, 1998), None, utc(31, 22, 3, 9, 12, 1998), LegOutcome.ABANDONED,
                exit_reason="HANG"),
    )  # fmt: skip
    assert abandoned.legs[0].wait_seconds == 153
    assert abandoned.outcome is LegOutcome.ABANDONED
    assert abandoned.ivr_seconds == 5
    assert abandoned.attributes == (("vru_line", "AA0101"), ("priority", "2"), ("type", "PS"))

    assert (ivr.caller, ivr.legs, ivr.outcome) == (None, (), LegOutcome.IVR_ONLY)
    assert (ivr.started_at, ivr.ended_at, ivr.ivr_seconds) == (
        utc(31, 22, 34, 12, 12, 1998),
        utc(31, 22, 34, 23, 12, 1998),
        11,
    )

    leg = zero_wait.legs[0]
    assert (leg.queue, leg.agent, leg.outcome) == ("PS", "BASCH", LegOutcome.ANSWERED)
    assert (leg.queued_at, leg.answered_at, leg.ended_at) == (utc(1, 5, 41, 25), utc(1, 5, 41, 25), utc(1, 5, 44, 53))
    assert (leg.wait_seconds, leg.talk_seconds) == (0, 208)

    leg = midnight.legs[0]
    assert midnight.started_at == utc(5, 21, 59, 15)
    assert (leg.answered_at, leg.ended_at, leg.talk_seconds) == (utc(5, 21, 59, 33), utc(5, 22, 3, 40), 247)
    assert midnight.ended_at == utc(5, 22, 3, 40)

    leg = no_agent.legs[0]
    assert (no_agent.caller, leg.queue, leg.agent, leg.wait_seconds, leg.talk_seconds) == ("123", "NW", None, 50, 60)

    assert report.rows_read == 8
    assert report.calls == 5
    assert report.skipped == Counter({"PHANTOM": 1})
    assert [(p.line, p.reason) for p in report.problems] == [
        (8, "expected 17 columns, found 3"),
        (9, "bad time '25:61:00'"),
    ]
    assert report.notes == Counter(
        {"answered with zero wait": 2, "ended in the voice menu": 1, "answered without agent name": 1}
    )


def test_timezone_is_the_callers_choice():
    calls = list(parse_technion([ROWS[2]], report=ParseReport(), timezone="UTC"))
    assert calls[0].started_at == utc(1, 7, 41, 16)


def test_real_january_file():
    path = require("calls/anonbank_1999_01_calls.tsv")
    report = ParseReport()
    started = time.perf_counter()
    with path.open(encoding="utf-8") as lines:
        outcomes = Counter(call.outcome for call in parse_technion(lines, report=report))
    elapsed = time.perf_counter() - started
    # 31,599 rows (data README): 27,060 AGENT, 4,299 HANG (3,080 in the queue, 1,219 in the voice menu), 240 PHANTOM.
    assert report.rows_read == 31_599
    assert outcomes == Counter({LegOutcome.ANSWERED: 27_060, LegOutcome.ABANDONED: 3_080, LegOutcome.IVR_ONLY: 1_219})
    assert report.skipped == Counter({"PHANTOM": 240})
    assert report.problem_count == 0
    assert report.notes["voice-menu exit before entry"] == 32
    assert elapsed < 20, elapsed


def test_unknown_zone_raises():
    with pytest.raises(ZoneInfoNotFoundError):
        next(parse_technion(iter([]), report=ParseReport(), timezone="Nowhere/Atlantis"))


def test_waits_and_talk_follow_the_logs_duration_columns():
    rows = [
        # answered after q_time 46; ser_start (9:04:54) is two seconds before q_exit: the wait is 46, not 44
        "AA0101\t33125\t1466671\t2\tPS\t990101\t9:04:04\t9:04:10\t6\t9:04:10\t9:04:56\t46\tAGENT\t9:04:54\t9:06:37\t103\t"
        "VICKY",
        # answered after 137 s but without service times (0:00:00): not a wait of eleven hours into the next day
        "AA0102\t28607\t11766342\t1\tPS\t990104\t13:01:45\t13:01:51\t6\t13:01:51\t13:04:08\t137\tAGENT\t0:00:00\t0:00:00\t"
        "0\tIDIT",
        # answered at once (q_start 0:00:00) without service times either: queued and answered at the menu's exit
        "AA0102\t28609\t0\t0\tPS\t990104\t13:39:21\t13:39:30\t9\t0:00:00\t0:00:00\t0\tAGENT\t0:00:00\t0:00:00\t0\tGILI",
        # queued a few seconds before midnight, answered after it (q_time 35)
        "AA0213\t12511\t35796002\t1\tPS\t990109\t23:59:23\t23:59:23\t0\t23:59:28\t0:00:03\t35\tAGENT\t0:00:03\t0:00:55\t52\t"
        "ANAT",
    ]
    report = ParseReport()
    legs = [call.legs[0] for call in parse_technion(rows, report=report)]
    assert [(leg.queued_at, leg.answered_at, leg.ended_at) for leg in legs] == [
        (utc(1, 7, 4, 10), utc(1, 7, 4, 56), utc(1, 7, 6, 39)),
        (utc(4, 11, 1, 51), utc(4, 11, 4, 8), utc(4, 11, 4, 8)),
        (utc(4, 11, 39, 30), utc(4, 11, 39, 30), utc(4, 11, 39, 30)),
        (utc(9, 21, 59, 28), utc(9, 22, 0, 3), utc(9, 22, 0, 55)),
    ]
    assert [(leg.wait_seconds, leg.talk_seconds) for leg in legs] == [(46, 103), (137, 0), (0, 0), (35, 52)]
    assert report.notes["answered without service start"] == 1
