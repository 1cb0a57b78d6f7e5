"""The simulation's nouns: agents, customers, contacts, the log's entries and their plain-value records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from contactpunt.simulation import survey
from contactpunt.simulation.scenario import AgentGroup
from contactpunt.simulation.texts import Written

LOCAL = ZoneInfo("Europe/Amsterdam")
DAY = 86_400.0
#: One shift of a plan the engine follows: (agent index, begin, end, ((activity, from, to), ...)), in seconds
#: since the engine's start; activities other than work are break, meeting and training.
PlanShift = tuple[int, float, float, tuple[tuple[str, float, float], ...]]
WAITING, SERVING, ABANDONED, DONE = "waiting", "serving", "abandoned", "done"
SURVEY_RESPONSE = 0.25


@dataclass(slots=True)
class SimAgent:
    """One agent: skills, queues served (by priority), own speed and quality, and current state."""

    index: int
    username: str
    group: AgentGroup
    queues: tuple[int, ...]
    speed: float
    expertise: float
    friendliness: float
    on_shift: bool = False
    busy: bool = False  # on a call, a written contact or its wrap-up: takes nothing else
    chats: int = 0  # chats in progress (up to the scenario's chat_concurrency)
    state: str = "offline"  # the last state logged
    on_break: bool = False  # on a break, or in a meeting or training (`away`)
    break_due: float = 0.0
    away: str = "break"  # the state of the break taken or due: break, meeting or training
    roster_epoch: int = 0  # a roster's callbacks act only while it is the agent's roster (a plan replaced it)
    idle_since: float = 0.0
    days_worked: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class SimCustomer:
    index: int
    name: str
    language: str
    account: str


@dataclass(slots=True)
class SimContact:
    """One inbound contact and what happened to it."""

    n: int
    queue: int
    first_queue: int
    arrived: float
    customer: SimCustomer
    identity: tuple[str, str, str] | None  # kind, value, namespace; None for a withheld number
    reason: int
    message: Written
    is_repeat: bool = False
    leg: int = 1
    leg_queued: float = 0.0
    state: str = WAITING
    transferred: bool = False
    first_wait: float | None = None
    solved: bool = False
    answer: survey.SurveyAnswer | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the log. kind: arrive, event, state, resolve.

    event: `name` with `agent` and `to_queue` (a queue index), `wait` for answered/abandoned and
    the hold's length for hold_ended; state: `agent` entered `name`; resolve: the contact's case by
    `agent` with reason `reason`; session: `agent` worked on the written contact for `wait` seconds
    up to `at` (a work session ended by the reply).
    """

    at: float
    kind: str
    contact: SimContact | None = None
    name: str = ""
    agent: int | None = None
    to_queue: int | None = None
    reason: int | None = None
    wait: float = 0.0


# One log entry as plain values, for the writer and for the pipe from an engine in a child process:
# (at, kind, contact n or -1, name, agent, to_queue, reason, wait, extra). extra: for an arrival the
# contact's Arrival; for ended and replied the customer's survey answer, if they gave one.
Record = tuple[float, str, int, str, int | None, int | None, int | None, float, Any]


class Arrival(NamedTuple):
    """What the writer needs of a contact that arrived: its first queue, identity, customer and message."""

    first_queue: int
    identity: tuple[str, str, str] | None
    customer_name: str
    account: str
    language: str
    subject: str
    text: str
    is_repeat: bool


def to_record(entry: Entry) -> Record:
    """Return `entry` as plain values (the contact's survey answer as known now)."""
    c = entry.contact
    extra: Any = None
    if c is not None:
        if entry.kind == "arrive":
            customer = c.customer
            extra = Arrival(
                c.first_queue, c.identity, customer.name, customer.account, customer.language,
                c.message.subject, c.message.text, c.is_repeat,
            )  # fmt: skip
        elif entry.name in ("ended", "replied"):
            extra = c.answer
    return (entry.at, entry.kind, -1 if c is None else c.n, entry.name, entry.agent, entry.to_queue, entry.reason,
            entry.wait, extra)  # fmt: skip
