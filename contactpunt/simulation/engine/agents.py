"""Agents through their day: states, shifts, breaks, and taking the next contact when free."""

from __future__ import annotations

from contactpunt.simulation.engine.base import EngineBase
from contactpunt.simulation.engine.model import DAY, WAITING, SimAgent, SimContact


class AgentWork(EngineBase):
    def _state(self, agent: SimAgent, state: str) -> None:
        agent.state = state
        self._emit("state", name=state, agent=agent.index)

    def _shift_start(self, agent: SimAgent) -> None:
        agent.on_shift = True
        if not agent.busy and not agent.chats and not agent.on_break:
            self._state(agent, "available")
            self._free(agent)

    def _shift_end(self, agent: SimAgent) -> None:
        agent.on_shift = False
        agent.break_due = 0.0
        if not agent.busy and not agent.chats and not agent.on_break:
            self._state(agent, "offline")

    def _break(self, agent: SimAgent, length: float, away: str = "break", *, after: bool = False) -> None:
        """Go on a break (or to a meeting or training: `away`) for `length` seconds, after the contact in hand;
        one that comes while the agent is on a break already is skipped, or with `after` taken after it."""
        if not agent.on_shift or ((agent.on_break or agent.break_due) and not after):
            return
        agent.away = away
        if agent.on_break:
            agent.break_due = length
            return
        if agent.busy or agent.chats:
            agent.break_due = length
            return
        self._take_break(agent, length)

    def _take_break(self, agent: SimAgent, length: float) -> None:
        agent.on_break = True
        agent.break_due = 0.0
        self._state(agent, agent.away)

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
