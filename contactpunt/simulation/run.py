"""Run a scenario: build its organisation, simulate its history up to now, and keep it going live.

result = simulate(SCENARIOS["telecom"], days=30, seed=1)
result.tallies.contacts, result.tallies.by_queue["tel-telefoon"].answered_within_threshold
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils import timezone

from contactpunt.simulation.engine import DAY, LOCAL, Engine
from contactpunt.simulation.scenario import Scenario
from contactpunt.simulation.scenarios import Organisation, build_organisation
from contactpunt.simulation.writer import Tallies, Writer

Progress = Callable[[float, Tallies], None]


@dataclass(slots=True)
class SimulationResult:
    """A finished run: its window, its tallies, and the engine and writer to continue it live."""

    scenario: Scenario
    start: dt.datetime
    end: dt.datetime
    seed: int
    scale: float
    tallies: Tallies
    seconds: float
    engine: Engine
    writer: Writer
    organisation: Organisation | None


def simulate(
    scenario: Scenario,
    *,
    days: float,
    seed: int,
    scale: float = 1.0,
    end: dt.datetime | None = None,
    source: str = "",
    username_prefix: str = "",
    write: bool = True,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate `days` days of `scenario` ending at `end` (now), starting at local midnight.

    With `write` the organisation is created (or reused) and every entry up to `end` goes through
    the services; later entries (calls still in progress at `end`) stay in the engine for the live
    mode. Without `write` nothing touches the database.
    """
    began = time.perf_counter()
    end = end or timezone.now()
    first_day = (end - dt.timedelta(days=days)).astimezone(LOCAL).date()
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=LOCAL).astimezone(dt.UTC)
    engine = Engine(scenario, start=start, seed=seed, scale=scale, days=days, username_prefix=username_prefix)
    organisation = build_organisation(scenario, [(a.username, a.group) for a in engine.agents]) if write else None
    run_tag = f"{scenario.name}-{seed}-{int(start.timestamp())}"
    writer = Writer(engine, organisation, source=source or f"sim-{scenario.name}", run_tag=run_tag)
    horizon = (end - start).total_seconds()
    t = 0.0
    while t < horizon:
        t = min(horizon, t + DAY)
        engine.advance(t)
        writer.flush(t)
        if progress is not None:
            progress(t / horizon, writer.tallies)
    return SimulationResult(
        scenario, start, end, seed, scale, writer.tallies, time.perf_counter() - began, engine, writer, organisation
    )


def continue_live(
    result: SimulationResult, stop: threading.Event, *, every_s: float = 5.0, speed: float = 1.0
) -> threading.Thread:
    """Keep the run going in a background thread: every `every_s` seconds, simulate up to now
    (at `speed` times real time) and write what happened, until `stop` is set."""
    engine, writer = result.engine, result.writer
    wall_start = time.monotonic()
    sim_start = (result.end - engine.start).total_seconds()

    def loop() -> None:
        try:
            while not stop.wait(every_s):
                until = sim_start + (time.monotonic() - wall_start) * speed
                engine.advance(until)
                writer.flush(until)
        finally:
            close_old_connections()

    thread = threading.Thread(target=loop, name="contactpunt-live-simulation", daemon=True)
    thread.start()
    return thread
