"""Run a scenario: build its organisation, simulate its history up to now, and keep it going live.

result = simulate(SCENARIOS["telecom"], days=30, seed=1)
result.tallies.contacts, result.tallies.by_queue["tel-telefoon"].answered_within_threshold
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from contactpunt.fast_insert import refresh_statistics
from contactpunt.simulation.engine import DAY, LOCAL, Engine
from contactpunt.simulation.engine_process import EngineProcess
from contactpunt.simulation.follow_plan import PlanFollower
from contactpunt.simulation.journeys import write_journeys
from contactpunt.simulation.scenario import Scenario
from contactpunt.simulation.scenarios import Organisation, build_organisation
from contactpunt.simulation.writer import Tallies, Writer

logger = logging.getLogger(__name__)
Progress = Callable[[float, Tallies], None]


@dataclass(slots=True)
class SimulationResult:
    """A finished run: its window, its tallies, and the engine and writer to continue it live.

    `source` produces the records: `engine` itself, or the same engine in a child process
    (`engine_process`), in which case `engine` only gives the run's shape."""

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
    source: Engine | EngineProcess
    closed: bool = False

    def close(self) -> None:
        """Stop the engine's child process, if it has one (a run that does not go on live); once."""
        if isinstance(self.source, EngineProcess) and not self.closed:
            self.source.close()
        self.closed = True


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
    start_now: bool = False,
    agent_scale: float | None = None,
    engine_process: bool = False,
) -> SimulationResult:
    """Simulate `days` days of `scenario` ending at `end` (now), starting at local midnight.

    With `write` the organisation is created (or reused) and every entry up to `end` goes through
    the services; later entries (calls still in progress at `end`) stay in the engine for the live
    mode. Without `write` nothing touches the database. With `start_now` the run starts at `end`
    itself (no history; the live mode of a restart). `agent_scale` (default `scale`) sizes the staff.
    With `engine_process` the engine runs in a child process, beside the writing (a long history).
    """
    began = time.perf_counter()
    end = end or timezone.now()
    first_day = (end - dt.timedelta(days=days)).astimezone(LOCAL).date()
    start = end if start_now else dt.datetime.combine(first_day, dt.time(0), tzinfo=LOCAL).astimezone(dt.UTC)
    arguments: dict[str, Any] = {
        "start": start,
        "seed": seed,
        "scale": scale,
        "days": days,
        "username_prefix": username_prefix,
        "agent_scale": agent_scale,
    }
    producer = EngineProcess(scenario, **arguments) if engine_process else None  # it starts up meanwhile
    engine = Engine(scenario, **arguments)
    records: Engine | EngineProcess = producer or engine
    try:
        organisation = (
            build_organisation(scenario, [(a.username, a.group) for a in engine.agents], seed=seed) if write else None
        )
        run_tag = f"{scenario.name}-{seed}-{int(start.timestamp() * 1000)}"
        writer = Writer(engine, organisation, source=source or f"sim-{scenario.name}", run_tag=run_tag)
        horizon = (end - start).total_seconds()
        days_ends = [min(horizon, DAY * (i + 1)) for i in range(math.ceil(horizon / DAY))]
        with _collector_paused():
            for until, batch in zip(days_ends, records.records(days_ends), strict=True):
                writer.write(batch)
                if progress is not None:
                    progress(until / horizon, writer.tallies)
        if write and not start_now:
            _refresh_statistics("contacts", "customers", "feedback", "kpis")
            write_journeys(scenario.name, today=end.astimezone(LOCAL).date(), seed=seed, source=writer.source)
            _refresh_statistics("journey", "customers")
    except BaseException:
        if isinstance(records, EngineProcess):
            records.close()
        raise
    return SimulationResult(
        scenario, start, end, seed, scale, writer.tallies, time.perf_counter() - began, engine, writer, organisation,
        records,
    )  # fmt: skip


def _refresh_statistics(*app_labels: str) -> None:
    """After a history is written, let PostgreSQL's planner know the tables' new sizes."""
    refresh_statistics(*[model for label in app_labels for model in apps.get_app_config(label).get_models()])


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a history is written.

    Writing keeps millions of objects alive (the run's ids, tallies, the ORM's caches), and every full
    collection walks all of them: on the demo's 100,000 contacts that was a sixth of the time. Almost
    nothing written forms a cycle, so little waits for the collector meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def continue_live(
    result: SimulationResult,
    stop: threading.Event,
    *,
    every_s: float = 5.0,
    speed: float = 1.0,
    retry_s: float = 5.0,
    locked_attempts: int = 6,
    follower: PlanFollower | None = None,
) -> threading.Thread:
    """Keep the run going in a background thread: every `every_s` seconds, simulate up to now
    (at `speed` times real time) and write what happened, until `stop` is set.

    The agents work the product's shift plan of today and the next days where there is one (`follower`, by default
    a `PlanFollower`; see follow_plan.py), else the engine's own roster.

    A batch the database refuses because it stayed locked (another writer held SQLite's one write lock past the
    busy timeout) is written again, up to `locked_attempts` times. Any other failure ends that run, but not the
    live mode: after `retry_s` seconds a fresh run starts from that moment (a batch lost midway leaves the old
    run's calls without their rows, so it cannot go on), with a log line for each."""

    plan = follower or PlanFollower()

    def loop() -> None:
        current = result
        try:
            while not stop.wait(every_s):
                try:
                    plan(current, timezone.now())
                    _catch_up(current, speed=speed, stop=stop, locked_attempts=locked_attempts, retry_s=retry_s)
                except Exception:
                    logger.exception("the live simulation failed; it starts again in %s s", retry_s)
                    current.close()
                    close_old_connections()
                    fresh = _restart(current, stop, retry_s=retry_s)
                    if fresh is None:
                        return
                    current = fresh
        finally:
            current.close()
            close_old_connections()

    thread = threading.Thread(target=loop, name="contactpunt-live-simulation", daemon=True)
    thread.start()
    return thread


def _catch_up(
    result: SimulationResult, *, speed: float, stop: threading.Event, locked_attempts: int, retry_s: float
) -> None:
    """Simulate up to now and write it, writing a batch again while the database is locked."""
    sim_start = (result.end - result.engine.start).total_seconds()
    # From the history's end, so the minutes its writing took are caught up at once.
    until = sim_start + (timezone.now() - result.end).total_seconds() * speed
    for batch in result.source.records([until]):
        for attempt in range(1, locked_attempts + 1):
            try:
                result.writer.write(batch)
                break
            except OperationalError as error:
                if not is_locked(error) or attempt == locked_attempts:
                    raise
                logger.warning("the database is locked; the live simulation writes again (attempt %s)", attempt + 1)
                close_old_connections()
                if stop.wait(retry_s * attempt):
                    return


def is_locked(error: OperationalError) -> bool:
    """Whether `error` is SQLite's "database is locked" (or "busy"): a writer that may try again."""
    message = str(error).lower()
    return "database is locked" in message or "database is busy" in message or "database table is locked" in message


def _restart(result: SimulationResult, stop: threading.Event, *, retry_s: float) -> SimulationResult | None:
    """A fresh run of `result`'s scenario from now, on the same organisation; None once `stop` is set. A failed
    start is logged and tried again every `retry_s` seconds."""
    engine = result.engine
    attempt = 0
    while not stop.wait(retry_s):
        attempt += 1
        try:
            fresh = simulate(
                result.scenario,
                days=0,
                seed=result.seed + attempt,
                scale=result.scale,
                source=result.writer.source,
                username_prefix=engine.username_prefix,
                start_now=True,
                agent_scale=engine.agent_scale,
                write=result.organisation is not None,
            )
        except Exception:
            logger.exception("the live simulation could not start again; trying again in %s s", retry_s)
            close_old_connections()
            continue
        logger.warning("the live simulation started again")
        return fresh
    return None


def start_live(
    scenario: Scenario,
    stop: threading.Event,
    *,
    seed: int,
    scale: float = 1.0,
    source: str = "",
    username_prefix: str = "",
    every_s: float = 5.0,
    agent_scale: float | None = None,
    follower: PlanFollower | None = None,
) -> threading.Thread:
    """Start a fresh run of `scenario` at this moment, without history, and keep it going live.

    For a database that has its history already (a restart): the organisation's rows are reused.
    """
    result = simulate(
        scenario,
        days=0,
        seed=seed,
        scale=scale,
        source=source,
        username_prefix=username_prefix,
        start_now=True,
        agent_scale=agent_scale,
    )
    return continue_live(result, stop, every_s=every_s, follower=follower)
