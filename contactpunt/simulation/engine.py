"""The contact-centre simulation on simpy: arrivals, routing by skill, agents on shifts, outcomes.

Pure: no database. The engine appends what happens to `log` in simulated-time order (arrivals,
contact events, agent states, resolutions); a sink (writer.py) turns the log into service calls.
Time is seconds since `start` (UTC). `advance(until)` may be called again and again (the live mode).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import simpy

from contactpunt.simulation import survey
from contactpunt.simulation.scenario import REALTIME, AgentGroup, Incident, QueueSpec, Scenario, peak_factors
from contactpunt.simulation.texts import Written, person_name, write_message

LOCAL = ZoneInfo("Europe/Amsterdam")
DAY = 86_400.0
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
    on_break: bool = False
    break_due: float = 0.0
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


class Engine:
    """Simulate `scenario` from `start`, with volumes times `scale` (agents scale with it)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        start: dt.datetime,
        seed: int,
        scale: float = 1.0,
        days: float = 90.0,
        username_prefix: str = "",
        agent_scale: float | None = None,
    ) -> None:
        self.scenario = scenario
        self.username_prefix = username_prefix or f"{scenario.name}-agent"
        self.horizon_days = days
        self.start = start.astimezone(dt.UTC)
        self.scale = scale
        self.agent_scale = scale if agent_scale is None else agent_scale
        self.rng = random.Random(seed)  # noqa: S311 (simulation, not security)
        self.np_rng = np.random.default_rng(seed)
        self.env = simpy.Environment()
        self.log: list[Entry] = []
        self.queues = scenario.queues
        self.queue_index = {q.code: i for i, q in enumerate(self.queues)}
        self.waiting: list[deque[SimContact]] = [deque() for _ in self.queues]
        self.agents = self._make_agents()
        self.serving: list[list[SimAgent]] = [
            [a for a in self.agents if i in a.queues] for i in range(len(self.queues))
        ]
        self.customers: list[SimCustomer] = []
        self.contacts = 0
        self.reason_weights = [r.weight for r in scenario.reasons]
        self.reason_index = {r.code: i for i, r in enumerate(scenario.reasons)}
        self._planned_until = 0
        self._read = 0  # the log entries up to here have been taken as records
        self.env.process(self._days())

    # -- set-up --

    def _make_agents(self) -> list[SimAgent]:
        agents: list[SimAgent] = []
        number = 0
        for group in self.scenario.agents:
            served = [i for i, q in enumerate(self.queues) if q.skill in group.skills]
            served.sort(key=lambda i: self.queues[i].priority)
            for _ in range(max(1, round(group.count * self.agent_scale))):
                number += 1
                agents.append(
                    SimAgent(
                        index=len(agents),
                        username=f"{self.username_prefix}{number}",
                        group=group,
                        queues=tuple(served),
                        speed=math.exp(self.rng.gauss(0, group.speed_sigma)),
                        expertise=min(1, max(0, self.rng.gauss(group.expertise, group.spread))),
                        friendliness=min(1, max(0, self.rng.gauss(group.friendliness, group.spread))),
                    )
                )
        return agents

    def at(self, t: float) -> dt.datetime:
        """Return the moment of simulated time `t`."""
        return self.start + dt.timedelta(seconds=t)

    def _local_hour_start(self, day: dt.date, hour: int) -> float:
        day += dt.timedelta(days=hour // 24)
        moment = dt.datetime.combine(day, dt.time(hour % 24), tzinfo=LOCAL).astimezone(dt.UTC)
        return (moment - self.start).total_seconds()

    def _days(self) -> simpy.events.ProcessGenerator:
        day = self.start.astimezone(LOCAL).date()
        while True:
            self._plan_day(day)
            day += dt.timedelta(days=1)
            next_start = self._local_hour_start(day, 0)
            yield self.env.timeout(max(0.0, next_start - self.env.now))

    # -- arrivals and rosters, one local day at a time --

    def hourly_rates(self, day: dt.date) -> list[list[float]]:
        """Expected first contacts per hour of the local `day`, per queue (without incidents)."""
        s = self.scenario
        years = (dt.datetime.combine(day, dt.time(12), tzinfo=LOCAL) - self.start).total_seconds() / (365 * DAY)
        factor = s.weekday_factors[day.weekday()] * (1 + s.trend_per_year) ** years
        factor *= peak_factors(s, [day]).get(day, 1.0) * self.scale
        daily = s.contacts_per_hour * 24 * factor
        rates: list[list[float]] = []
        for q in self.queues:
            total = sum(q.hourly) or 1.0
            rates.append([daily * q.share * w / total for w in q.hourly])
        return rates

    def _plan_day(self, day: dt.date) -> None:
        rates = self.hourly_rates(day)
        day_number = int((self._local_hour_start(day, 12)) // DAY)
        self._roster(day, rates, day_number)
        incidents = [i for i in self.scenario.incidents if self._incident_active(i, day_number)]
        for qi, q in enumerate(self.queues):
            for hour in range(24):
                rate = rates[qi][hour]
                if rate <= 0:
                    continue
                extra = [(i, i.extra_per_hour * q.share * self.scale) for i in incidents]
                lam = rate + sum(e for _i, e in extra)
                count = int(self.np_rng.poisson(lam))
                begin = self._local_hour_start(day, hour)
                end = self._local_hour_start(day, hour + 1)
                for _ in range(count):
                    t = begin + self.rng.random() * (end - begin)
                    if t < self.env.now:
                        continue
                    reason = self._incident_reason(extra, lam)
                    self._schedule_arrival(t, qi, reason, None)

    def _incident_active(self, incident: Incident, day_number: int) -> bool:
        first = incident.day if incident.day >= 0 else self.horizon_days + incident.day
        if incident.hours is None:
            return day_number >= first
        return first <= day_number < first + max(1.0, incident.hours / 24)

    def _incident_reason(self, extra: list[tuple[Incident, float]], lam: float) -> int | None:
        roll = self.rng.random() * lam
        for incident, rate in extra:
            if roll < rate:
                return self.reason_index[incident.reason]
            roll -= rate
        return None

    def _roster(self, day: dt.date, rates: list[list[float]], day_number: int) -> None:
        """Plan the day's shifts per department: enough agents each open hour for the expected load
        at the scenario's occupancy target, at most five days a week each; the written work of closed
        hours is spread over the open ones."""
        s = self.scenario
        del day_number
        load_by_department: dict[str, list[float]] = {}
        open_by_department: dict[str, set[int]] = {}
        written_closed: dict[str, float] = {}
        for qi, q in enumerate(self.queues):
            load = load_by_department.setdefault(q.department, [0.0] * 24)
            opened = open_by_department.setdefault(q.department, set())
            per_contact = (q.median_handle_s * 1.15 + (q.wrap_median_s if q.channel in REALTIME else 0)) / 3600
            if q.channel in REALTIME:
                opened.update(h for h in range(24) if q.hourly[h] > 0)
            for hour in range(24):
                load[hour] += rates[qi][hour] * per_contact
        for department, load in load_by_department.items():
            opened = open_by_department[department] or set(range(8, 18))
            written_closed[department] = sum(load[h] for h in range(24) if h not in opened)
            for hour in range(24):
                load[hour] = load[hour] + written_closed[department] / len(opened) if hour in opened else 0.0
        week = day.isocalendar().week
        for department, load in load_by_department.items():
            need = [math.ceil(x / s.occupancy_target) + 1 if x > 0 else 0 for x in load]
            if not any(need):
                continue
            last_open = max(h for h in range(24) if need[h] > 0)
            staff = [a for a in self.agents if a.group.department == department]
            self.rng.shuffle(staff)
            staff.sort(key=lambda a: a.days_worked.get(week, 0))
            on = [0] * 24
            free = iter(staff)
            for hour in range(24):
                while on[hour] < need[hour]:
                    agent = next(free, None)
                    if agent is None or agent.days_worked.get(week, 0) >= 5:
                        break
                    begin = max(0, min(hour, last_open + 1 - 4))
                    length = min(8, last_open + 1 - begin)
                    for h in range(begin, begin + length):
                        on[h] += 1
                    agent.days_worked[week] = agent.days_worked.get(week, 0) + 1
                    self._shift(agent, self._local_hour_start(day, begin), self._local_hour_start(day, begin + length))

    def _shift(self, agent: SimAgent, begin: float, end: float) -> None:
        if end <= self.env.now:
            return
        self._call_at(begin, lambda: self._shift_start(agent))
        self._call_at(end, lambda: self._shift_end(agent))
        length = end - begin
        if length >= 6 * 3600:
            self._call_at(begin + length / 2, lambda: self._break(agent, 1800))
        if length >= 8 * 3600:
            self._call_at(begin + 2 * 3600, lambda: self._break(agent, 900))

    # -- the event plumbing --

    def _call_at(self, t: float, action: Callable[[], None]) -> None:
        event = self.env.timeout(max(0.0, t - self.env.now))
        event.callbacks.append(lambda _event: action())

    def _emit(
        self,
        kind: str,
        *,
        contact: SimContact | None = None,
        name: str = "",
        agent: int | None = None,
        to_queue: int | None = None,
        reason: int | None = None,
        wait: float = 0.0,
    ) -> None:
        self.log.append(Entry(self.env.now, kind, contact, name, agent, to_queue, reason, wait))

    def advance(self, until: float) -> None:
        """Run the simulation up to simulated time `until` (seconds since start)."""
        if until > self.env.now:
            self.env.run(until=until)

    def records(self, untils: Iterable[float], *, keep_log: bool = True) -> Iterator[list[Record]]:
        """For each moment of `untils` in turn, advance to it and yield the records of what happened
        since the previous one. Without `keep_log` the log is emptied as it is read (a long run)."""
        for until in untils:
            self.advance(until)
            log = self.log
            end = self._read
            while end < len(log) and log[end].at < until:
                end += 1
            taken = [to_record(entry) for entry in log[self._read : end]]
            if keep_log:
                self._read = end
            else:
                del log[:end]
            yield taken

    # -- agents --

    def _state(self, agent: SimAgent, state: str) -> None:
        agent.state = state
        self._emit("state", name=state, agent=agent.index)

    def _shift_start(self, agent: SimAgent) -> None:
        agent.on_shift = True
        if not agent.busy and not agent.chats:
            self._state(agent, "available")
            self._free(agent)

    def _shift_end(self, agent: SimAgent) -> None:
        agent.on_shift = False
        agent.break_due = 0.0
        if not agent.busy and not agent.chats and not agent.on_break:
            self._state(agent, "offline")

    def _break(self, agent: SimAgent, length: float) -> None:
        if not agent.on_shift:
            return
        if agent.busy or agent.chats:
            agent.break_due = length
            return
        self._take_break(agent, length)

    def _take_break(self, agent: SimAgent, length: float) -> None:
        agent.on_break = True
        agent.break_due = 0.0
        self._state(agent, "break")

        def back() -> None:
            agent.on_break = False
            if agent.on_shift:
                self._state(agent, "available")
                self._free(agent)
            else:
                self._state(agent, "offline")

        self._call_at(self.env.now + length, back)

    def _free(self, agent: SimAgent) -> None:
        """The agent finished something: take a due break, sign off, or take the next contact (with
        chats still in progress, only another chat, up to the scenario's concurrency)."""
        if agent.chats:
            if agent.break_due or not agent.on_shift or agent.chats >= self.scenario.chat_concurrency:
                return
        elif agent.break_due:
            self._take_break(agent, agent.break_due)
            return
        elif not agent.on_shift:
            self._state(agent, "offline")
            return
        best: SimContact | None = None
        for qi in agent.queues:
            if agent.chats and self.queues[qi].channel != "chat":
                continue
            line = self.waiting[qi]
            while line and line[0].state != WAITING:
                line.popleft()
            if line and (
                best is None
                or (self.queues[qi].priority, line[0].leg_queued) < (self.queues[best.queue].priority, best.leg_queued)
            ):
                best = line[0]
        if best is None:
            if not agent.chats:
                agent.idle_since = self.env.now
            return
        self.waiting[best.queue].popleft()
        self._serve(agent, best)

    def _quality(self, agent: SimAgent) -> tuple[float, float]:
        periods = self.env.now / (90 * DAY)
        expertise = agent.expertise + agent.group.expertise_trend * periods
        friendliness = agent.friendliness + agent.group.friendliness_trend * periods
        return min(1.0, max(0.0, expertise)), min(1.0, max(0.0, friendliness))

    # -- contacts --

    def _new_customer(self) -> SimCustomer:
        s = self.scenario
        account = ""
        if s.accounts and self.rng.random() < s.account_share:
            account = self.rng.choice(s.accounts)
        customer = SimCustomer(
            index=len(self.customers),
            name=person_name(self.rng),
            language="en" if self.rng.random() < s.english_share else "nl",
            account=account,
        )
        self.customers.append(customer)
        return customer

    def _customer(self) -> SimCustomer:
        if self.customers and self.rng.random() < self.scenario.returning_share:
            return self.customers[self.rng.randrange(len(self.customers))]
        return self._new_customer()

    def _identity(self, customer: SimCustomer, channel: str) -> tuple[str, str, str] | None:
        number = f"+316{10_000_000 + customer.index:08d}"
        if channel == "phone":
            if self.rng.random() < self.scenario.withheld_share:
                return None
            return ("phone", number, "")
        if channel == "whatsapp":
            return ("whatsapp", number, "")
        if channel == "social":
            return ("social", f"@klant{customer.index}", "x")
        return ("email", f"klant{customer.index}@example.nl", "")

    def _schedule_arrival(self, t: float, qi: int, reason: int | None, repeat_of: SimContact | None) -> None:
        self._call_at(t, lambda: self._arrive(qi, reason, repeat_of))

    def _arrive(self, qi: int, reason: int | None, repeat_of: SimContact | None) -> None:
        q = self.queues[qi]
        if reason is None:
            reason = self.rng.choices(range(len(self.reason_weights)), self.reason_weights)[0]
        customer = repeat_of.customer if repeat_of is not None else self._customer()
        spec = self.scenario.reasons[reason]
        message = write_message(
            self.rng,
            topic=spec.topic,
            topic_name=spec.name,
            language=customer.language,
            name=customer.name,
            channel=q.channel,
            negative_bias=0.5 if repeat_of is not None else 0.0,
        )
        contact = SimContact(
            n=self.contacts,
            queue=qi,
            first_queue=qi,
            arrived=self.env.now,
            customer=customer,
            identity=self._identity(customer, q.channel),
            reason=reason,
            message=message,
            is_repeat=repeat_of is not None,
        )
        self.contacts += 1
        self._emit("arrive", contact=contact)
        self._offer(contact, qi)

    def _offer(self, contact: SimContact, qi: int) -> None:
        contact.queue = qi
        contact.leg_queued = self.env.now
        contact.state = WAITING
        chosen: SimAgent | None = None
        # An idle agent first (the longest idle), else one with a free chat slot (the fewest chats).
        limit = self.scenario.chat_concurrency if self.queues[qi].channel == "chat" else 1
        for agent in self.serving[qi]:
            if (
                agent.on_shift
                and not agent.busy
                and not agent.on_break
                and agent.chats < limit
                and not (agent.chats and agent.break_due)
                and (chosen is None or (agent.chats, agent.idle_since) < (chosen.chats, chosen.idle_since))
            ):
                chosen = agent
        if chosen is not None:
            self._serve(chosen, contact)
            return
        self.waiting[qi].append(contact)
        patience = self.queues[qi].patience_s
        if patience:
            leg = contact.leg
            self._call_at(self.env.now + self.rng.expovariate(1 / patience), lambda: self._abandon(contact, leg))

    def _abandon(self, contact: SimContact, leg: int) -> None:
        if contact.state != WAITING or contact.leg != leg:
            return
        contact.state = ABANDONED
        self._emit("event", contact=contact, name="abandoned", wait=self.env.now - contact.leg_queued)
        # The team lead closes the cases of abandoned contacts the next morning.
        self._call_at(self.env.now + 12 * 3600, lambda: self._emit("resolve", contact=contact))

    def _handle_time(self, agent: SimAgent, q: QueueSpec, contact: SimContact) -> float:
        median = q.median_handle_s * agent.speed * self.scenario.reasons[contact.reason].handle_factor
        return median * math.exp(self.rng.gauss(0, q.handle_sigma))

    def _serve(self, agent: SimAgent, contact: SimContact) -> None:
        q = self.queues[contact.queue]
        if agent.state != "on_contact":
            self._state(agent, "on_contact")
        if q.channel == "chat":
            agent.chats += 1
        else:
            agent.busy = True
        contact.state = SERVING
        if q.channel not in REALTIME:
            handle = self._handle_time(agent, q, contact)
            started = self.env.now
            self._call_at(self.env.now + handle, lambda: self._replied(agent, contact, started))
            return
        # Offered to the agent: it rings (the customer still waits) until they answer.
        self._emit("event", contact=contact, name="presented", agent=agent.index)
        ring = self.rng.uniform(0.5, 1.5) * self.scenario.ring_s
        self._call_at(self.env.now + ring, lambda: self._answer(agent, contact))

    def _answer(self, agent: SimAgent, contact: SimContact) -> None:
        q = self.queues[contact.queue]
        wait = self.env.now - contact.leg_queued
        if contact.first_wait is None:
            contact.first_wait = wait
        handle = self._handle_time(agent, q, contact)
        self._emit("event", contact=contact, name="answered", agent=agent.index, wait=wait)
        spec = self.scenario.reasons[contact.reason]
        target = self.queue_index.get(spec.transfer_to or "")
        expertise, _friendliness = self._quality(agent)
        if (
            target is not None
            and not contact.transferred
            and target not in agent.queues
            and self.rng.random() < spec.transfer_chance * (1.5 - expertise)
        ):
            self._call_at(
                self.env.now + handle * self.rng.uniform(0.2, 0.5), lambda: self._transfer(agent, contact, target)
            )
            return
        if q.channel == "phone" and self.rng.random() < self.scenario.hold_share * (1.5 - expertise):
            # The agent looks something up or asks a colleague: one hold inside the call.
            begin = self.env.now + handle * self.rng.uniform(0.2, 0.6)
            length = min(handle * 0.35, 45.0 * math.exp(self.rng.gauss(0, 0.6)))
            self._call_at(begin, lambda: self._emit("event", contact=contact, name="hold_started", agent=agent.index))
            self._call_at(
                begin + length,
                lambda: self._emit("event", contact=contact, name="hold_ended", agent=agent.index, wait=length),
            )
        self._call_at(self.env.now + handle, lambda: self._ended(agent, contact))

    def _transfer(self, agent: SimAgent, contact: SimContact, target: int) -> None:
        contact.transferred = True
        contact.leg += 1
        self._emit("event", contact=contact, name="transferred", agent=agent.index, to_queue=target)
        self._wrap(agent, 10.0, chat=self.queues[contact.queue].channel == "chat")
        self._offer(contact, target)

    def _ended(self, agent: SimAgent, contact: SimContact) -> None:
        self._emit("event", contact=contact, name="ended", agent=agent.index)
        q = self.queues[contact.queue]
        wrap = q.wrap_median_s * math.exp(self.rng.gauss(0, 0.5))

        def wrapped() -> None:
            self._emit("event", contact=contact, name="wrapped", agent=agent.index)
            self._outcome(agent, contact)

        self._wrap(agent, wrap, then=wrapped, chat=q.channel == "chat")

    def _wrap(
        self, agent: SimAgent, length: float, then: Callable[[], None] | None = None, *, chat: bool = False
    ) -> None:
        """Wrap up one contact; with other chats still going the agent stays on contact meanwhile."""
        if not chat or agent.chats == 1:
            self._state(agent, "wrap_up")

        def done() -> None:
            if then is not None:
                then()
            self._release(agent, chat=chat)

        self._call_at(self.env.now + length, done)

    def _release(self, agent: SimAgent, *, chat: bool) -> None:
        if chat:
            agent.chats -= 1
            if agent.chats:
                if agent.state != "on_contact":
                    self._state(agent, "on_contact")
                self._free(agent)
                return
        agent.busy = False
        if agent.on_shift and not agent.break_due:
            self._state(agent, "available")
        self._free(agent)

    def _replied(self, agent: SimAgent, contact: SimContact, started: float) -> None:
        self._emit("event", contact=contact, name="replied", agent=agent.index)
        self._emit("session", contact=contact, agent=agent.index, wait=self.env.now - started)
        self._outcome(agent, contact)
        self._release(agent, chat=False)

    def _outcome(self, agent: SimAgent, contact: SimContact) -> None:
        """Decide whether the question was solved, resolve the case, schedule a repeat, draw a survey."""
        s = self.scenario
        spec = s.reasons[contact.reason]
        expertise, friendliness = self._quality(agent)
        chance = min(0.99, spec.solve_chance * (0.75 + 0.5 * expertise))
        contact.solved = self.rng.random() < chance
        contact.state = DONE
        if self.rng.random() < s.resolve_share:
            self._emit("resolve", contact=contact, agent=agent.index, reason=contact.reason)
        else:
            later = self.env.now + self.rng.expovariate(1 / DAY)
            self._call_at(
                later, lambda: self._emit("resolve", contact=contact, agent=agent.index, reason=contact.reason)
            )
        if not contact.solved and self.rng.random() < s.repeat_chance:
            delay = self.rng.expovariate(1 / (s.repeat_mean_days * DAY))
            self._schedule_arrival(
                self._next_open(contact.first_queue, self.env.now + delay), contact.first_queue, contact.reason, contact
            )
        if self.rng.random() < SURVEY_RESPONSE:
            contact.answer = survey.answer(
                self.rng,
                wait_s=contact.first_wait or 0.0,
                solved=contact.solved,
                transferred=contact.transferred,
                friendliness=friendliness,
                expertise=expertise,
            )

    def _next_open(self, qi: int, t: float) -> float:
        """Return `t`, or for a realtime queue closed at `t` a moment in the next hour it is open."""
        q = self.queues[qi]
        if q.channel not in REALTIME:
            return t
        moment = self.at(t).astimezone(LOCAL)
        for step in range(0, 24 * 8):
            candidate = moment + dt.timedelta(hours=step)
            if q.hourly[candidate.hour] > 0 and self.scenario.weekday_factors[candidate.weekday()] > 0:
                if step == 0:
                    return t
                hour_start = candidate.replace(minute=0, second=0, microsecond=0)
                return (hour_start.astimezone(dt.UTC) - self.start).total_seconds() + self.rng.random() * 3600
        return t
