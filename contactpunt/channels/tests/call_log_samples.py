"""Realistic sample call logs for the whole-file import checks: an Asterisk queue_log and a platform CSV export.

Seeded, so every run writes the same files. About three days of a small centre with two queues: calls answered
after a wait or at once (no queue time), abandoned, let go by the queue (timeout), answered and then
transferred into the other queue, calls around local midnight that end the next day, and agent log-ins, pauses
and log-outs between them. Each writer returns nothing but the file: the tests read the expected figures back
from the file's own columns (holdtime, waittime, calltime; Wait, Talk), not from the generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")
QUEUES = ("sales", "support")
AGENTS = ("Agent/1001", "Agent/1002", "Agent/2001", "Agent/2002")


@dataclass(frozen=True)
class Leg:
    queue: str
    wait: int
    #: "answered", "abandoned", "timeout" or "transferred" (answered, then sent to the other queue)
    outcome: str
    agent: str | None
    talk: int


@dataclass(frozen=True)
class SampleCall:
    callid: str
    start: datetime  # local time in ZONE
    caller: str
    legs: tuple[Leg, ...]


def sample_calls(count: int = 1500, *, seed: int = 13) -> list[SampleCall]:
    """Return `count` calls over three days from Monday 2 March 2026, a tenth of them around local midnight."""
    rng = random.Random(seed)
    first_day = datetime(2026, 3, 2, tzinfo=ZONE)
    calls = []
    for number in range(count):
        if number % 10 == 0:  # around midnight: queued in the last minutes of the day, often ending after it
            start = first_day + timedelta(days=rng.randrange(3), hours=23, minutes=55, seconds=rng.randrange(290))
        else:
            start = first_day + timedelta(days=rng.randrange(3), hours=8, seconds=rng.randrange(14 * 3600))
        queue = rng.choice(QUEUES)
        legs = [_leg(rng, queue, transfer_allowed=True)]
        if legs[0].outcome == "transferred":
            legs.append(_leg(rng, QUEUES[1 - QUEUES.index(queue)], transfer_allowed=False))
        caller = rng.choice(["anonymous", f"06{rng.randrange(10**8):08d}", f"020{rng.randrange(10**7):07d}"])
        calls.append(SampleCall(f"1772{number:06d}.{number % 97}", start, caller, tuple(legs)))
    calls.sort(key=lambda c: c.start)
    return calls


def _leg(rng: random.Random, queue: str, *, transfer_allowed: bool) -> Leg:
    roll = rng.random()
    no_wait = rng.random() < 0.25
    wait = 0 if no_wait else int(rng.expovariate(1 / 40))
    if roll < 0.12:
        return Leg(queue, max(wait, 1), "abandoned", None, 0)
    if roll < 0.16:
        return Leg(queue, 300, "timeout", None, 0)
    agent = rng.choice(AGENTS)
    talk = 20 + int(rng.expovariate(1 / 200))
    if transfer_allowed and roll < 0.26:
        return Leg(queue, wait, "transferred", agent, talk)
    return Leg(queue, wait, "answered", agent, talk)


def write_queue_log(path: Path, calls: list[SampleCall]) -> None:
    """Write an Asterisk queue_log with local "YYYY-MM-DD HH:MM:SS" times (the database form), in time order."""
    events: list[tuple[datetime, int, str]] = []
    order = 0

    def add(at: datetime, callid: str, queue: str, agent: str | None, event: str, *data: object) -> None:
        nonlocal order
        order += 1
        fields = [at.strftime("%Y-%m-%d %H:%M:%S"), callid, queue, agent or "NONE", event, *map(str, data)]
        events.append((at, order, "|".join(fields)))

    day = calls[0].start.replace(hour=7, minute=30, second=0)
    for shift in range(3):
        for agent in AGENTS:
            add(day + timedelta(days=shift), "NONE", "NONE", agent, "AGENTLOGIN", agent.replace("Agent", "SIP"))
            add(day + timedelta(days=shift, hours=4), "NONE", "NONE", agent, "PAUSE", "lunch")
            add(day + timedelta(days=shift, hours=4, minutes=30), "NONE", "NONE", agent, "UNPAUSE", "")
    for call in calls:
        at = call.start
        for index, leg in enumerate(call.legs):
            add(at, call.callid, leg.queue, None, "ENTERQUEUE", "", call.caller, 1)
            if leg.outcome == "abandoned":
                add(at + timedelta(seconds=leg.wait), call.callid, leg.queue, None, "ABANDON", 1, 1, leg.wait)
                break
            if leg.outcome == "timeout":
                add(at + timedelta(seconds=leg.wait), call.callid, leg.queue, None, "EXITWITHTIMEOUT", 1, 1, leg.wait)
                break
            answered = at + timedelta(seconds=leg.wait)
            add(answered, call.callid, leg.queue, leg.agent, "CONNECT", leg.wait, f"{call.callid}b{index}", 3)
            ended = answered + timedelta(seconds=leg.talk)
            if leg.outcome == "transferred":
                add(ended, call.callid, leg.queue, leg.agent, "BLINDTRANSFER", "200", "from-queue", leg.wait, leg.talk,
                    1)  # fmt: skip
                at = ended + timedelta(seconds=2)
            else:
                event = "COMPLETECALLER" if len(call.callid) % 2 else "COMPLETEAGENT"
                add(ended, call.callid, leg.queue, leg.agent, event, leg.wait, leg.talk, 1)
    events.sort(key=lambda e: (e[0], e[1]))
    path.write_text("".join(line + "\n" for _, _, line in events), encoding="utf-8")


CSV_MAPPING = """timestamp_format = "%d-%m-%Y %H:%M:%S"
timezone = "Europe/Amsterdam"
delimiter = ";"

[columns]
call_id = "Gesprek"
queued_at = "In wachtrij"
outcome = "Resultaat"
queue = "Wachtrij"
agent = "Medewerker"
caller = "Beller"
wait_seconds = "Wachttijd"
talk_seconds = "Gesprekstijd"

[outcomes]
answered = ["BEANTWOORD", "DOORVERBONDEN"]
abandoned = ["OPGEHANGEN"]
exited = ["TIME-OUT"]
"""
_CSV_OUTCOMES = {"answered": "BEANTWOORD", "transferred": "DOORVERBONDEN", "abandoned": "OPGEHANGEN",
                 "timeout": "TIME-OUT"}  # fmt: skip


def write_csv(path: Path, calls: list[SampleCall]) -> None:
    """Write a Dutch platform's CSV export: one row per leg, a transfer's legs on consecutive rows."""
    lines = ["Gesprek;In wachtrij;Resultaat;Wachtrij;Medewerker;Beller;Wachttijd;Gesprekstijd"]
    for call in calls:
        at = call.start
        for leg in call.legs:
            answered = leg.outcome in ("answered", "transferred")
            lines.append(";".join([call.callid, at.strftime("%d-%m-%Y %H:%M:%S"), _CSV_OUTCOMES[leg.outcome],
                                   leg.queue, leg.agent or "", call.caller, str(leg.wait),
                                   str(leg.talk) if answered else ""]))  # fmt: skip
            at += timedelta(seconds=leg.wait + leg.talk + 2)
            if leg.outcome in ("abandoned", "timeout"):
                break
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
