"""The metrics' shared definitions: windows, groupings, the formula each screen shows, and `ratio`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

REPEAT_WINDOW = dt.timedelta(days=7)
FCR_WINDOW = dt.timedelta(days=7)
GROUPINGS = ("queue", "channel", "team", "agent", "day", "interval", "department", "site", "account", "product_type")
LEG_GROUPINGS = ("queue", "team", "agent", "department", "site")
MISSING = ("nps", "csat", "ces", "self_service_deflection")

# The formula of each metric, as the UI shows it one click away.
FORMULAS: dict[str, str] = {
    "offered": "contacts with a first `queued` event in the queue (at centre level counted once)",
    "answered": "offered contacts that an agent answered (written channels: that got a first public reply)",
    "abandoned": "offered contacts that hung up or left before an answer",
    "short_abandons": "abandoned with wait < the queue's short-abandon threshold, voice and chat only",
    "service_level": "phone and chat only: answered with wait <= T / (offered - short abandons); live, still "
    "waiting > T is missed",
    "asa_s": "mean wait of answered contacts (answered_at - queued_at)",
    "abandon_rate": "(abandoned - short abandons) / (offered - short abandons)",
    "reachability": "answered / offered",
    "aht_s": "(talk + hold + wrap-up) / handled; written channels: work-session time / handled",
    "transfer_rate": "handled contacts with at least one transfer / handled",
    "fcr": "resolved cases solved on their first inbound contact, never reopened, without an inbound contact "
    "of the customer on the same top-level reason in 7 days / resolved cases whose 7 days have passed",
    "repeat_rate": "inbound contacts of identified customers within 7 days of an earlier contact of theirs "
    "that was handled before it / inbound contacts of identified customers",
    "identified_share": "inbound contacts with an identified customer / inbound contacts",
    "csi_median_s": "median of resolved_at - first contact, over cases created in the period (each time on the "
    "duration grid: whole seconds up to 2 minutes, then within 0.8%)",
    "csi_p90_s": "90th percentile (nearest rank) of resolved_at - first contact, cases created in the period (on the "
    "duration grid)",
    "first_response_median_s": "median business-hours seconds from a written contact to the first public reply (on "
    "the duration grid)",
    "first_response_within_norm": "written channels: replied within the queue's norm (business hours) / (replied "
    "+ unreplied past the norm); live, every message still awaiting a reply past its norm is missed",
    "backlog": "written contacts still awaiting a first reply at the end of the period (now: the written "
    "contacts of open cases still waiting)",
    "oldest_backlog_age_s": "age of the oldest written contact still awaiting a first reply",
    "occupancy": "time on contact and in wrap-up / (that time + available time)",
    "schedule_adherence": "time in the scheduled activity (agent states mapped to activities; the first 5 minutes "
    "after each change of activity count as in it) / scheduled time",
}


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


#: The duration grid: the times behind a median or percentile (Customer Speed Index, first response) are counted to
#: the whole second up to GRID_EXACT_S and then on GRID_STEPS steps per doubling (within 1/(2 x GRID_STEPS), 0.8%),
#: so the values of a day fold into a histogram of a bounded size (`dayparts`), whatever the number of cases.
#: The SQL twin is `dayparts_sql.bucket`.
GRID_EXACT_S = 128
GRID_STEPS = 64
_US = 1_000_000


def duration_bucket_us(us: int) -> int:
    """The grid point (whole seconds) a duration of `us` microseconds is counted at: the nearest, halves up;
    a negative duration counts as 0."""
    if us <= 0:
        return 0
    whole = us // _US
    width = 1 if whole < GRID_EXACT_S else 1 << (whole.bit_length() - GRID_STEPS.bit_length())
    unit = width * _US
    return (us + unit // 2) // unit * width


def duration_bucket(seconds: float) -> int:
    """`duration_bucket_us` of a duration in seconds (a float of whole microseconds, as timedelta gives)."""
    return duration_bucket_us(round(seconds * _US))


def median_of(counts: Mapping[int, int]) -> float | None:
    """The median of the values counted in `counts` (value -> how often), as statistics.median gives."""
    n = sum(counts.values())
    if not n:
        return None
    ordered = sorted(counts.items())
    middle = n // 2
    if n % 2:
        return float(_nth(ordered, middle))
    return (_nth(ordered, middle - 1) + _nth(ordered, middle)) / 2


def percentile_of(counts: Mapping[int, int], share: float) -> float | None:
    """The nearest-rank percentile of the values counted in `counts`, as `cases.percentile` gives."""
    n = sum(counts.values())
    if not n:
        return None
    return float(_nth(sorted(counts.items()), max(math.ceil(share * n) - 1, 0)))


def _nth(ordered: list[tuple[int, int]], index: int) -> int:
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)
