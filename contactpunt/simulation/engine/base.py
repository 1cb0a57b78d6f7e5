"""What every part of the engine shares: its state, simulated time, scheduling and the log."""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Callable

import numpy as np
import simpy

from contactpunt.simulation.engine.model import LOCAL, Entry, PlanShift, SimAgent, SimContact, SimCustomer
from contactpunt.simulation.scenario import QueueSpec, Scenario


class EngineBase:
    """The engine's state (set by `Engine.__init__`) and the plumbing every use case calls."""

    scenario: Scenario
    username_prefix: str
    horizon_days: float
    start: dt.datetime
    scale: float
    agent_scale: float
    rng: random.Random
    np_rng: np.random.Generator
    env: simpy.Environment
    log: list[Entry]
    queues: tuple[QueueSpec, ...]
    queue_index: dict[str, int]
    waiting: list[deque[SimContact]]
    agents: list[SimAgent]
    serving: list[list[SimAgent]]
    customers: list[SimCustomer]
    contacts: int
    reason_weights: list[float]
    reason_index: dict[str, int]
    _planned_until: int
    _read: int
    plans: dict[dt.date, list[PlanShift]]  # the days of a plan to follow (`follow`)
    plan_rng: random.Random  # the deviations from a plan (apart, so a history without plans draws as before)
    _current_day: dt.date | None  # the local day laid out last

    def at(self, t: float) -> dt.datetime:
        """Return the moment of simulated time `t`."""
        return self.start + dt.timedelta(seconds=t)

    def _local_hour_start(self, day: dt.date, hour: int) -> float:
        day += dt.timedelta(days=hour // 24)
        moment = dt.datetime.combine(day, dt.time(hour % 24), tzinfo=LOCAL).astimezone(dt.UTC)
        return (moment - self.start).total_seconds()

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

    # What one use case asks of another; `Engine` joins them (days and contacts ask agents, agents ask contacts).

    def _state(self, agent: SimAgent, state: str) -> None:
        raise NotImplementedError

    def _shift_start(self, agent: SimAgent) -> None:
        raise NotImplementedError

    def _shift_end(self, agent: SimAgent) -> None:
        raise NotImplementedError

    def _break(self, agent: SimAgent, length: float, away: str = "break", *, after: bool = False) -> None:
        raise NotImplementedError

    def _free(self, agent: SimAgent) -> None:
        raise NotImplementedError

    def _quality(self, agent: SimAgent) -> tuple[float, float]:
        raise NotImplementedError

    def _schedule_arrival(self, t: float, qi: int, reason: int | None, repeat_of: SimContact | None) -> None:
        raise NotImplementedError

    def _serve(self, agent: SimAgent, contact: SimContact) -> None:
        raise NotImplementedError
