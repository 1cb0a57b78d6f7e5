"""Every metric of DESIGN.md, one function each, over the facts read from the event log (`facts`).

Fractions are 0..1 and durations seconds; a ratio with an empty denominator is None, never 0.
Queue figures count the units (contacts, or legs per queue/team/agent) that *entered the queue* in the
period. `report` computes them all for a period and a grouping; the CLI, the dashboards and the exports
call it, so every screen shows the same numbers.

One module per use case: `definitions` (windows, groupings, formulas), `queues`, `cases`, `repeats`, `agents`
and `report`; everything is importable from `contactpunt.kpis.metrics` as before.

Not yet here, because their data arrives with later issues: NPS, CSAT and CES (surveys), self-service
deflection and article usage (knowledge portal), cost to serve.
"""

from contactpunt.kpis.metrics.agents import (
    ACTIVITY_STATES,
    ADHERENCE_GRACE,
    Span,
    Stretch,
    adherent_seconds,
    occupancy,
    schedule_adherence,
    split_spans,
    state_seconds,
    state_spans,
)
from contactpunt.kpis.metrics.cases import (
    _later_inbound,
    customer_speed_index,
    fcr,
    fcr_so_far,
    is_first_contact_resolution,
    percentile,
)
from contactpunt.kpis.metrics.definitions import (
    FCR_WINDOW,
    FORMULAS,
    GROUPINGS,
    LEG_GROUPINGS,
    MISSING,
    REPEAT_WINDOW,
    duration_bucket,
    median_of,
    percentile_of,
    ratio,
)
from contactpunt.kpis.metrics.queues import (
    abandon_rate,
    abandoned,
    aht_s,
    answered,
    asa_s,
    offered,
    reachability,
    service_level,
    short_abandons,
    transfer_rate,
)
from contactpunt.kpis.metrics.repeats import InboundFacts, identified_share, load_inbound, repeat_rate
from contactpunt.kpis.metrics.report import (
    _NO_PARTS,
    KeyOf,
    Names,
    _edges,
    _from_parts,
    group_key,
    load_names,
    queue_figures,
    report,
)

__all__ = [
    "ACTIVITY_STATES",
    "ADHERENCE_GRACE",
    "FCR_WINDOW",
    "FORMULAS",
    "GROUPINGS",
    "LEG_GROUPINGS",
    "MISSING",
    "REPEAT_WINDOW",
    "_NO_PARTS",
    "InboundFacts",
    "KeyOf",
    "Names",
    "Span",
    "Stretch",
    "_edges",
    "_from_parts",
    "_later_inbound",
    "abandon_rate",
    "abandoned",
    "adherent_seconds",
    "aht_s",
    "answered",
    "asa_s",
    "customer_speed_index",
    "duration_bucket",
    "fcr",
    "fcr_so_far",
    "group_key",
    "identified_share",
    "is_first_contact_resolution",
    "load_inbound",
    "load_names",
    "median_of",
    "occupancy",
    "offered",
    "percentile",
    "percentile_of",
    "queue_figures",
    "ratio",
    "reachability",
    "repeat_rate",
    "report",
    "schedule_adherence",
    "service_level",
    "short_abandons",
    "split_spans",
    "state_seconds",
    "state_spans",
    "transfer_rate",
]
