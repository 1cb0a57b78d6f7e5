"""Write parsed calls and agent states into the product: contacts through `receive_contacts`, events and agent
states through the batch event services.

For every call: one inbound phone contact (external id = the call's id, source = the platform), offered to the
queue of its first leg (offered=False when it ended in the voice menu), with the caller as identity (an external
id in the source's namespace, or a phone number); then per leg `answered`, `transferred` into the next leg's
queue, and for the last leg `ended` (answered) or `abandoned` (hung up, or let go by the queue: the reason is in
the event's data). A call without a final event gets no final event and is reported. Queues (channel phone) and
agents (users with role agent) that do not exist are created. Everything is idempotent on (source, external id):
importing the same file twice creates nothing new.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.text import slugify

from contactpunt.channels.telephony.records import (
    AgentState as LogAgentState,
)
from contactpunt.channels.telephony.records import (
    AgentStateChange,
    Call,
    CallLeg,
    LegOutcome,
    ParseReport,
)
from contactpunt.contacts.models import AgentState, Channel, EventName, Queue
from contactpunt.contacts.services.bulk_events import (
    AgentStateInput,
    ContactEventInput,
    record_agent_states,
    record_contact_events,
)
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.queues import ensure_queue
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome, Received
from contactpunt.people.models import Role
from contactpunt.people.organisation import NewUser, ensure_users

CallerKind = Literal["external", "phone", "auto"]
UNKNOWN_QUEUE = "unknown"
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{6,}$")
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")
_PAUSE_STATES = {"meeting": AgentState.MEETING, "training": AgentState.TRAINING}


@dataclass
class ImportReport:
    """What an import did. `parse` is the parser's own report (unreadable rows with line numbers, unknown events,
    calls without a final event); the rest counts what was written."""

    source: str
    parse: ParseReport
    calls: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    events_created: int = 0
    agent_states_created: int = 0
    queues_created: list[str] = field(default_factory=list)
    agents_created: list[str] = field(default_factory=list)
    menu_calls: int = 0
    menu_seconds: float = 0.0
    menu_paths: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the report for `--json`: fractions 0..1, durations in seconds."""
        ended_in_menu = self.outcomes.get(LegOutcome.IVR_ONLY, 0)
        return {
            "source": self.source,
            "rows_read": self.parse.rows_read,
            "calls": self.calls,
            "contacts_created": self.created,
            "duplicates": self.duplicates,
            "rejected": [{"call": call, "reason": reason} for call, reason in self.rejected],
            "outcomes": dict(sorted(self.outcomes.items())),
            "events_created": self.events_created,
            "agent_states_created": self.agent_states_created,
            "queues_created": self.queues_created,
            "agents_created": self.agents_created,
            "unreadable_rows": [{"line": p.line, "reason": p.reason, "text": p.text} for p in self.parse.problems],
            "unreadable_rows_not_listed": self.parse.problems_dropped,
            "skipped_rows": dict(self.parse.skipped),
            "unknown_events": dict(self.parse.unknown_events),
            "calls_without_final_event": list(self.parse.unfinished_calls),
            "notes": dict(self.parse.notes),
            "voice_menu": {
                "calls_through_menu": self.menu_calls,
                "ended_in_menu": ended_in_menu,
                "share_ended_in_menu": round(ended_in_menu / self.calls, 4) if self.calls else None,
                "mean_menu_seconds": round(self.menu_seconds / self.menu_calls, 1) if self.menu_calls else None,
                "paths": dict(self.menu_paths.most_common(50)),
            },
            "seconds": round(self.seconds, 3),
        }


def import_calls(
    items: Iterable[Call | AgentStateChange],
    *,
    source: str,
    report: ParseReport,
    queue_prefix: str = "phone-",
    caller_kind: CallerKind = "external",
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the parser's output in batches of `batch_size` calls; return the report once all is written.

    `report` is the ParseReport the parser fills while `items` is consumed. `on_batch(calls so far)` is called
    after each batch (for a progress bar).
    """
    started = time.monotonic()
    writer = _Writer(source=source, queue_prefix=queue_prefix, caller_kind=caller_kind)
    result = ImportReport(source=source, parse=report)
    calls: list[Call] = []
    states: list[AgentStateChange] = []
    for item in items:
        if isinstance(item, Call):
            calls.append(item)
        else:
            states.append(item)
        if len(calls) >= batch_size or len(states) >= batch_size * 4:
            writer.write(calls, states, result)
            calls, states = [], []
            if on_batch is not None:
                on_batch(result.calls)
    writer.write(calls, states, result)
    if on_batch is not None:
        on_batch(result.calls)
    result.seconds = time.monotonic() - started
    return result


def queue_code(prefix: str, name: str) -> str:
    """Return the code of the queue for a platform's queue or service-type name ("PS" -> "phone-ps")."""
    return slugify(f"{prefix}{name}")[:80] or slugify(f"{prefix}{UNKNOWN_QUEUE}")


def agent_username(name: str) -> str:
    """Return the username of the agent a log names ("SIP/1001" -> "SIP_1001")."""
    return _USERNAME_UNSAFE.sub("_", name.strip())[:150]


class _Writer:
    def __init__(self, *, source: str, queue_prefix: str, caller_kind: CallerKind) -> None:
        self.source = source
        self.prefix = queue_prefix
        self.caller_kind = caller_kind
        self.queues: dict[str, Queue] = {}
        self.agents: dict[str, int] = {}
        self.memberships: dict[str, set[str]] = {}

    def write(self, calls: Sequence[Call], states: Sequence[AgentStateChange], result: ImportReport) -> None:
        if not calls and not states:
            return
        self._ensure_queues(calls, result)
        self._ensure_agents(calls, states, result)
        received = self._receive(calls, result)
        events: list[ContactEventInput] = []
        for call, outcome in zip(calls, received, strict=True):
            self._count(call, result)
            if outcome.contact_id is not None:
                events.extend(self._events(call, outcome.contact_id))
        result.events_created += sum(r.created for r in record_contact_events(events))
        inputs = [self._state(change) for change in states]
        result.agent_states_created += sum(r.created for r in record_agent_states(inputs))

    # -- queues and agents --

    def _queue_name(self, call: Call) -> str:
        for leg in call.legs:
            if leg.queue:
                return leg.queue
        return dict(call.attributes).get("type") or UNKNOWN_QUEUE

    def _ensure_queues(self, calls: Sequence[Call], result: ImportReport) -> None:
        names = {self._queue_name(call) for call in calls} | {leg.queue for c in calls for leg in c.legs if leg.queue}
        wanted = {
            queue_code(self.prefix, name): name for name in names if queue_code(self.prefix, name) not in self.queues
        }
        if not wanted:
            return
        for queue in Queue.objects.filter(code__in=wanted):
            self.queues[queue.code] = queue
        for code, name in sorted(wanted.items()):
            if code not in self.queues:
                self.queues[code], created = ensure_queue(code=code, name=name, channel=Channel.PHONE)
                if created:
                    result.queues_created.append(code)

    def _queue(self, name: str | None) -> Queue:
        return self.queues[queue_code(self.prefix, name or UNKNOWN_QUEUE)]

    def _ensure_agents(self, calls: Sequence[Call], states: Sequence[AgentStateChange], result: ImportReport) -> None:
        names = {leg.agent for call in calls for leg in call.legs if leg.agent} | {s.agent for s in states}
        wanted = {agent_username(name) for name in names if agent_username(name) not in self.agents}
        wanted.discard("")
        if not wanted:
            return
        ids, made = ensure_users([NewUser(username=name, role=Role.AGENT) for name in sorted(wanted)])
        self.agents.update(ids)
        result.agents_created.extend(made)

    def _agent_id(self, name: str | None) -> int | None:
        return self.agents.get(agent_username(name)) if name else None

    # -- contacts --

    def _identities(self, call: Call) -> tuple[IdentityInput, ...]:
        caller = (call.caller or "").strip()
        if not caller:
            return ()
        kind = self.caller_kind
        if kind == "auto":
            kind = "phone" if _PHONE_LIKE.match(caller) else "external"
        if kind == "phone":
            return (IdentityInput("phone", caller),)
        return (IdentityInput("external", caller, namespace=self.source),)

    def _contact(self, call: Call, *, with_identity: bool = True) -> InboundContact:
        first = call.legs[0] if call.legs else None
        offered = first is not None
        occurred_at = (first.queued_at if first is not None else None) or call.started_at
        return InboundContact(
            source=self.source,
            queue=self._queue(self._queue_name(call)).code,
            occurred_at=occurred_at,
            external_id=call.external_id,
            channel=Channel.PHONE,
            identities=self._identities(call) if with_identity else (),
            ivr_path=call.ivr_path,
            offered=offered,
        )

    def _receive(self, calls: Sequence[Call], result: ImportReport) -> list[Received]:
        received = receive_contacts([self._contact(call) for call in calls])
        again = [
            i
            for i, r in enumerate(received)
            if r.outcome is Outcome.REJECTED and all(e.field.startswith("identities") for e in r.errors)
        ]
        if again:
            # A caller number that is no number must not cost the call: take it from an unknown caller.
            retried = receive_contacts([self._contact(calls[i], with_identity=False) for i in again])
            for i, r in zip(again, retried, strict=True):
                received[i] = r
        for call, r in zip(calls, received, strict=True):
            result.calls += 1
            if r.outcome is Outcome.CREATED:
                result.created += 1
            elif r.outcome is Outcome.DUPLICATE:
                result.duplicates += 1
            else:
                result.rejected.append((call.external_id, "; ".join(f"{e.field}: {e.message}" for e in r.errors)))
        return received

    def _count(self, call: Call, result: ImportReport) -> None:
        result.outcomes[call.outcome] += 1
        if call.ivr_seconds is not None or call.ivr_path:
            result.menu_calls += 1
            result.menu_seconds += call.ivr_seconds or 0.0
            if call.ivr_path:
                result.menu_paths[" > ".join(call.ivr_path)] += 1

    # -- events --

    def _events(self, call: Call, contact_id: int) -> list[ContactEventInput]:
        events: list[ContactEventInput] = []

        def add(leg_number: int, name: str, leg: CallLeg, at: Any, **extra: Any) -> None:
            events.append(
                ContactEventInput(
                    contact_id=contact_id,
                    name=name,
                    occurred_at=at,
                    source=self.source,
                    external_id=f"{call.external_id}:{leg_number}:{name}"[:255],
                    **extra,
                )
            )

        for index, leg in enumerate(call.legs):
            number = index + 1
            agent_id = self._agent_id(leg.agent)
            if leg.answered_at is not None:
                add(number, EventName.ANSWERED, leg, leg.answered_at, agent_id=agent_id)
            if index + 1 < len(call.legs):
                following = call.legs[index + 1]
                at = following.queued_at or leg.ended_at
                if at is not None:
                    add(number, EventName.TRANSFERRED, leg, at, agent_id=agent_id,
                        to_queue_id=self._queue(following.queue).pk, data={"exit_reason": leg.exit_reason})  # fmt: skip
            elif leg.ended_at is not None and leg.outcome is LegOutcome.ANSWERED:
                add(number, EventName.ENDED, leg, leg.ended_at, agent_id=agent_id)
            elif leg.ended_at is not None and leg.outcome in (LegOutcome.ABANDONED, LegOutcome.EXITED):
                add(number, EventName.ABANDONED, leg, leg.ended_at, data={"exit_reason": leg.exit_reason})
        return events

    def _state(self, change: AgentStateChange) -> AgentStateInput:
        name = agent_username(change.agent)
        queues = self.memberships.setdefault(name, set())
        state: str
        if change.state is LogAgentState.PAUSED:
            state = _PAUSE_STATES.get(change.reason.strip().lower(), AgentState.BREAK)
        elif change.state is LogAgentState.LOGGED_OUT:
            queues.clear()
            state = AgentState.OFFLINE
        elif change.state is LogAgentState.REMOVED_FROM_QUEUE:
            queues.discard(change.queue or "")
            # Leaving one queue of several leaves the agent available in the others.
            state = AgentState.AVAILABLE if queues else AgentState.OFFLINE
        else:
            if change.state is LogAgentState.ADDED_TO_QUEUE:
                queues.add(change.queue or "")
            state = AgentState.AVAILABLE
        return AgentStateInput(
            agent_id=self.agents[name],
            state=state,
            occurred_at=change.at,
            source=self.source,
            external_id=f"state:{name}|{change.at.isoformat()}|{change.state}|{change.queue or ''}"[:255],
        )
