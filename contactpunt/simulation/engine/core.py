"""The engine: the scenario's agents made, time advanced, and the log read as records."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import deque
from collections.abc import Iterable, Iterator

import numpy as np
import simpy

from contactpunt.simulation.engine.agents import AgentWork
from contactpunt.simulation.engine.contacts import ContactFlow
from contactpunt.simulation.engine.days import DayPlanner
from contactpunt.simulation.engine.model import Entry, Record, SimAgent, SimContact, SimCustomer, to_record
from contactpunt.simulation.scenario import Scenario


class Engine(DayPlanner, AgentWork, ContactFlow):
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
        self.plans = {}
        self.plan_rng = random.Random(seed + 1)  # noqa: S311
        self._current_day = None
        self.env.process(self._days())

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
