"""A simulated history's progress line: how much is written and about how long it still takes.

`up` prints it while the demo organisation is created and `contactpunt simulate` while it writes a history; on a
terminal it redraws one line, elsewhere (a log, CI) it writes a line at each tenth, so a slow machine shows it is
still working instead of seeming to hang. `up` draws the same bar, counting migrations, while it creates the
database before that (`StepsLine`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from contactpunt.simulation.writer import Tallies

BAR_WIDTH = 30


def time_left_s(fraction: float, elapsed_s: float) -> float | None:
    """The time still needed at the pace so far, or None before there is a pace to go by (under 2%)."""
    if fraction < 0.02 or elapsed_s <= 0:
        return None
    return max(0.0, elapsed_s / fraction * (1 - fraction))


def describe(fraction: float, contacts: int, left_s: float | None, *, done: str | None = None) -> str:
    """One line: a bar, the share done, the contacts written (or what `done` says is done) and the time left (in
    whole seconds or minutes)."""
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * BAR_WIDTH)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    line = f"  [{bar}] {fraction:4.0%}  " + (done if done is not None else f"{contacts:,} contacts written")
    if fraction >= 1:
        return line + ", done"
    if left_s is None or left_s < 1:
        return line
    return line + (f", about {left_s:.0f} s left" if left_s < 90 else f", about {left_s / 60:.0f} min left")


@dataclass
class ProgressLine:
    """A `run.simulate` progress callback that writes `describe` to `out`."""

    out: TextIO
    interactive: bool
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)
    _next_tenth: float = field(init=False, default=0.1)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def __call__(self, fraction: float, tallies: Tallies) -> None:
        self.show(fraction, tallies.contacts)

    def show(self, fraction: float, contacts: int = 0, *, done: str | None = None) -> None:
        line = describe(fraction, contacts, time_left_s(fraction, self.clock() - self.started), done=done)
        if self.interactive:
            self.out.write("\r" + line.ljust(90) + ("\n" if fraction >= 1 else ""))
        elif fraction >= self._next_tenth or fraction >= 1:
            self.out.write(line + "\n")
            while self._next_tenth <= fraction:
                self._next_tenth += 0.1
        self.out.flush()


@dataclass
class StepsLine:
    """The same line counting steps of a known number (`up`'s migrations): "52 of 130 migrations". A step may weigh
    more than another (a migration of twenty operations takes longer than one of two): the bar and the time left go
    by the weight done."""

    line: ProgressLine
    total: int
    unit: str
    total_weight: float = 0.0
    done: int = 0
    weight_done: float = 0.0

    def step(self, weight: float = 1.0) -> None:
        self.done = min(self.done + 1, self.total)
        self.weight_done += weight
        whole = self.total_weight or float(self.total)
        progressed = self.weight_done if self.total_weight else float(self.done)
        fraction = 1.0 if self.done >= self.total or not whole else min(progressed / whole, 0.999)
        self.line.show(fraction, done=f"{self.done} of {self.total} {self.unit}")
