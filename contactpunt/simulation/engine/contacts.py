"""Contacts from arrival to outcome: customers, offering, abandoning, serving, transfers, wrap-up, surveys."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from contactpunt.simulation import survey
from contactpunt.simulation.engine.base import EngineBase
from contactpunt.simulation.engine.model import (
    ABANDONED,
    DAY,
    DONE,
    LOCAL,
    SERVING,
    SURVEY_RESPONSE,
    WAITING,
    SimAgent,
    SimContact,
    SimCustomer,
)
from contactpunt.simulation.scenario import REALTIME, QueueSpec
from contactpunt.simulation.texts import person_name, write_message


class ContactFlow(EngineBase):
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
        # Closed with its outcome (abandoned) at once: an open case with nothing waiting would say "nothing waits"
        # in the inbox, and nobody is to call back.
        self._emit("resolve", contact=contact)

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
        """Decide whether the question was solved, close the case with its outcome, schedule a repeat, draw a survey.

        The case is closed at the wrap-up or the reply, solved or not: an unsolved question comes back as the
        customer's repeat contact (a new case that waits in its queue), so no case stays open with nothing
        waiting in it."""
        s = self.scenario
        spec = s.reasons[contact.reason]
        expertise, friendliness = self._quality(agent)
        chance = min(0.99, spec.solve_chance * (0.75 + 0.5 * expertise))
        contact.solved = self.rng.random() < chance
        contact.state = DONE
        self._emit("resolve", contact=contact, agent=agent.index, reason=contact.reason)
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
