"""Plain records describing calls, their legs and agent-state changes, and the report of a parse.

All datetimes are aware and in UTC. The records hold no database rows; the inbound service turns them into
contacts, legs and events.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime


class LegOutcome(enum.StrEnum):
    """How one leg (one queue, at most one agent) ended."""

    ANSWERED = "answered"
    #: the caller hung up while waiting in the queue
    ABANDONED = "abandoned"
    #: the call never reached a queue: it ended in the voice menu
    IVR_ONLY = "ivr_only"
    #: the queue let the caller go: timeout, no agents, or a key pressed (see CallLeg.exit_reason)
    EXITED = "exited"
    #: the leg has no final event in the log
    UNFINISHED = "unfinished"


class AgentState(enum.StrEnum):
    """An agent-state change from a queue log."""

    LOGGED_IN = "logged_in"
    LOGGED_OUT = "logged_out"
    PAUSED = "paused"
    UNPAUSED = "unpaused"
    ADDED_TO_QUEUE = "added_to_queue"
    REMOVED_FROM_QUEUE = "removed_from_queue"


@dataclass(frozen=True, slots=True)
class CallLeg:
    """The part of a call spent in one queue and, when answered, with one agent."""

    queue: str | None
    agent: str | None
    queued_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: LegOutcome
    #: why the leg ended, in the log's words ("COMPLETECALLER", "EXITWITHTIMEOUT", "TRANSFER", ...); "" if unknown
    exit_reason: str = ""
    #: where a transferred leg went (extension, context or queue), as the log gives it
    transferred_to: str | None = None

    @property
    def wait_seconds(self) -> float | None:
        """Return the time from entering the queue to being answered or leaving it; None when not queued."""
        end = self.answered_at or self.ended_at
        if self.queued_at is None or end is None:
            return None
        return max(0.0, (end - self.queued_at).total_seconds())

    @property
    def talk_seconds(self) -> float | None:
        """Return the time from answer to end; None when not answered or not ended."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.answered_at).total_seconds())


@dataclass(frozen=True, slots=True)
class Call:
    """One call: one contact with a leg per queue and agent it passed through (none when it ended in the IVR)."""

    external_id: str
    started_at: datetime
    ended_at: datetime | None
    legs: tuple[CallLeg, ...] = ()
    #: the caller's customer reference or phone number as the log gives it; None when unknown
    caller: str | None = None
    #: the voice-menu choices in order, as the log names them
    ivr_path: tuple[str, ...] = ()
    ivr_seconds: float | None = None
    #: other columns of the source, kept as text
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def outcome(self) -> LegOutcome:
        """Return the outcome of the call: answered when any leg was answered, else that of the last leg, and
        IVR_ONLY when the call never reached a queue."""
        if not self.legs:
            return LegOutcome.IVR_ONLY
        if any(leg.outcome is LegOutcome.ANSWERED for leg in self.legs):
            return LegOutcome.ANSWERED
        return self.legs[-1].outcome


@dataclass(frozen=True, slots=True)
class AgentStateChange:
    """An agent's state changed at a moment, for one queue or (queue None) for all."""

    agent: str
    at: datetime
    state: AgentState
    queue: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A line the parser could not use: its 1-based line number, why, and the line itself (cut to 200 chars)."""

    line: int
    reason: str
    text: str = ""


@dataclass
class ParseReport:
    """What a parser read, filled in while it streams; complete once the generator is exhausted."""

    rows_read: int = 0
    calls: int = 0
    agent_state_changes: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    #: rows deliberately left out, by reason ("PHANTOM": 240)
    skipped: Counter[str] = field(default_factory=Counter)
    #: event names the parser does not know, with how often they occurred
    unknown_events: Counter[str] = field(default_factory=Counter)
    #: external ids of calls whose log has no final event
    unfinished_calls: list[str] = field(default_factory=list)
    #: remarks that are not errors, by kind ("answered without agent name": 3)
    notes: Counter[str] = field(default_factory=Counter)

    #: problems kept in full; beyond this only counted, so a broken million-row file cannot fill memory
    max_problems: int = 1000
    problems_dropped: int = 0

    def problem(self, line: int, reason: str, text: str = "") -> None:
        """Record a line that could not be used."""
        if len(self.problems) < self.max_problems:
            self.problems.append(RowProblem(line=line, reason=reason, text=text[:200]))
        else:
            self.problems_dropped += 1

    @property
    def problem_count(self) -> int:
        """Return the number of unusable lines, including those not kept in `problems`."""
        return len(self.problems) + self.problems_dropped
