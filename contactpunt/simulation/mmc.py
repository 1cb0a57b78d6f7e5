"""A plain M/M/c queue on simpy, to check the simulator's machinery against Erlang C.

Poisson arrivals, exponential service, `agents` fixed servers, first come first served, nobody
abandons: exactly the model Erlang C describes, so the measured service level and average wait
must agree with `contactpunt.workforce.erlang.erlang_c` within sampling error.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import simpy


@dataclass(frozen=True, slots=True)
class MMcResult:
    """Waits of the measured contacts (after the warm-up), in arrival order."""

    waits: list[float]
    threshold_s: float

    @property
    def service_level(self) -> float:
        return sum(1 for w in self.waits if w <= self.threshold_s) / len(self.waits)

    @property
    def mean_wait_s(self) -> float:
        return sum(self.waits) / len(self.waits)


def simulate_mmc(
    *, arrival_rate: float, aht_s: float, agents: int, threshold_s: float, contacts: int, seed: int, warm_up: int = 2000
) -> MMcResult:
    """Simulate `warm_up + contacts` arrivals and return the waits of the last `contacts`."""
    rng = random.Random(seed)  # noqa: S311 (simulation, not security)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=agents)
    waits: list[float] = []
    total = warm_up + contacts

    def customer(number: int) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with servers.request() as request:
            yield request
            if number >= warm_up:
                waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1 / aht_s))

    def arrivals() -> simpy.events.ProcessGenerator:
        for number in range(total):
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(customer(number))

    env.process(arrivals())
    env.run()
    return MMcResult(waits, threshold_s)
