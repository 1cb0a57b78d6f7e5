"""Scenarios as data: the organisation, its queues and people, and how customers arrive.

A scenario is plain frozen dataclasses, so the four built-in ones (scenarios.py) and any new one are
read as configuration, not code. Times are seconds; rates are contacts per hour on an ordinary
weekday at scale 1; fractions are 0..1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, PeakCalendar

CHANNELS = ("phone", "email", "chat", "social", "whatsapp")
REALTIME = frozenset({"phone", "chat"})

# Share of a day's volume per hour (Europe/Amsterdam local time), before normalising.
OFFICE_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 6, 10, 10, 9, 7, 8, 9, 8, 7, 5, 4, 3, 2, 0, 0, 0)
ROUND_THE_CLOCK = (1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 5, 5, 5, 6, 6, 5, 3, 2)


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """A queue on one channel, the skill it asks for and how contacts behave in it.

    `share` is its part of the scenario's first contacts; `patience_s` is the mean customer
    patience (exponential) on realtime channels, None for written ones, where nobody abandons.
    `priority`: lower is served first by an agent who can take several queues.
    """

    code: str
    name: str
    channel: str
    department: str
    skill: str
    share: float
    median_handle_s: float
    handle_sigma: float = 0.5
    wrap_median_s: float = 30.0
    patience_s: float | None = None
    sl_threshold_s: int = 20
    response_norm_s: int | None = None
    priority: int = 1
    hourly: tuple[float, ...] = OFFICE_HOURS


@dataclass(frozen=True, slots=True)
class ReasonSpec:
    """A leaf contact reason (`parent-child` code), how often it comes, and how hard it is.

    `solve_chance` is the chance an agent of average expertise (0.5) solves it in one contact;
    `transfer_to` names the queue that owns it, where an agent without that queue's skill
    transfers realtime contacts with `transfer_chance`. `topic` picks the message texts.
    `active_from_day` hides the reason before that day of the run (a new topic).
    """

    code: str
    name: str
    weight: float
    topic: str
    handle_factor: float = 1.0
    solve_chance: float = 0.85
    transfer_to: str | None = None
    transfer_chance: float = 0.0

    @property
    def parent(self) -> str:
        return self.code.split("-", 1)[0]


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """`count` agents of one team, with the skills they have and how good they are.

    expertise and friendliness are means (0..1) with spread `spread`; `speed_sigma` spreads the
    agents' own median handle times around the queue's (lognormal). The trends move the means
    linearly per 90 days of the run (the telecom's agents get better at solving, not nicer).
    """

    team: str
    site: str
    department: str
    count: int
    skills: tuple[str, ...]
    expertise: float = 0.6
    friendliness: float = 0.7
    spread: float = 0.12
    speed_sigma: float = 0.2
    expertise_trend: float = 0.0
    friendliness_trend: float = 0.0


@dataclass(frozen=True, slots=True)
class PeakSpec:
    """A peak rule from the workforce calendar and the volume factor on its peak day.

    The factor ramps linearly from 1 at the edges of the rule's window to `strength` on the day.
    """

    rule: str
    strength: float


@dataclass(frozen=True, slots=True)
class Incident:
    """Extra contacts of one reason: an outage (a window of hours) or a new topic (lasting).

    `day` counts from the start of the run (negative: from its end); `extra_per_hour` is added to
    the hourly rate of first contacts, spread over the queues by their shares, during opening hours.
    """

    kind: str  # "outage" or "new_topic"
    reason: str
    day: float
    extra_per_hour: float
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything the simulator needs about one organisation and its customers.

    `ring_s`: mean seconds a realtime contact is presented (rings) before the agent answers; part of
    the customer's wait. `hold_share`: the share of answered calls an agent of average expertise
    puts on hold once. `chat_concurrency`: how many chats one agent handles at once.
    """

    name: str
    title: str
    queues: tuple[QueueSpec, ...]
    reasons: tuple[ReasonSpec, ...]
    agents: tuple[AgentGroup, ...]
    contacts_per_hour: float
    weekday_factors: tuple[float, ...] = (1.25, 1.1, 1.0, 1.0, 0.95, 0.6, 0.35)
    trend_per_year: float = 0.05
    peaks: tuple[PeakSpec, ...] = ()
    incidents: tuple[Incident, ...] = ()
    holiday_factor: float = 0.4
    customers: int = 20_000
    returning_share: float = 0.35
    english_share: float = 0.1
    withheld_share: float = 0.04
    account_share: float = 0.0
    accounts: tuple[str, ...] = ()
    repeat_chance: float = 0.7
    repeat_mean_days: float = 1.5
    ring_s: float = 4.0
    hold_share: float = 0.12
    chat_concurrency: int = 2
    shrinkage: float = 0.25
    occupancy_target: float = 0.8
    departments: dict[str, float] = field(default_factory=dict)
    product_types: tuple[str, ...] = ()

    def queue(self, code: str) -> QueueSpec:
        return next(q for q in self.queues if q.code == code)


def peak_factors(scenario: Scenario, days: list[dt.date]) -> dict[dt.date, float]:
    """Return the volume factor of each day that has a peak or a public holiday (others are 1)."""
    rules = {r.name: r for r in DEFAULT_PEAK_RULES}
    wanted = [rules[p.rule] for p in scenario.peaks]
    strength = {p.rule: p.strength for p in scenario.peaks}
    calendar = PeakCalendar(country="NL", rules=wanted)
    factors: dict[dt.date, float] = {}
    for day, keys in calendar.keys_by_date(days).items():
        factor = 1.0
        for key in keys:
            name, offset = key.rsplit(":", 1)
            if name == "holiday":
                factor *= scenario.holiday_factor
                continue
            rule = rules[name]
            width = (rule.days_before if int(offset) < 0 else rule.days_after) + 1
            factor *= 1 + (strength[name] - 1) * max(0.0, 1 - abs(int(offset)) / width)
        factors[day] = factor
    return factors
