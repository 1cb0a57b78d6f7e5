"""The contact-centre simulation on simpy: arrivals, routing by skill, agents on shifts, outcomes.

Pure: no database. The engine appends what happens to `log` in simulated-time order (arrivals,
contact events, agent states, resolutions); a sink (writer.py) turns the log into service calls.
Time is seconds since `start` (UTC). `advance(until)` may be called again and again (the live mode).

One module per use case: `model` (the nouns and the log's records), `base` (state, time, the log), `days`
(arrivals and rosters), `agents`, `contacts` (from arrival to outcome) and `core` (the `Engine` that joins them).
"""

from contactpunt.simulation.engine.core import Engine
from contactpunt.simulation.engine.model import (
    ABANDONED,
    DAY,
    DONE,
    LOCAL,
    SERVING,
    SURVEY_RESPONSE,
    WAITING,
    Arrival,
    Entry,
    PlanShift,
    Record,
    SimAgent,
    SimContact,
    SimCustomer,
    to_record,
)

__all__ = [
    "ABANDONED",
    "DAY",
    "DONE",
    "LOCAL",
    "SERVING",
    "SURVEY_RESPONSE",
    "WAITING",
    "Arrival",
    "Engine",
    "Entry",
    "PlanShift",
    "Record",
    "SimAgent",
    "SimContact",
    "SimCustomer",
    "to_record",
]
