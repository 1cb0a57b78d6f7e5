"""The metrics' shared definitions: windows, groupings, the formula each screen shows, and `ratio`."""

from __future__ import annotations

import datetime as dt

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
    "csi_median_s": "median of resolved_at - first contact, over cases created in the period",
    "csi_p90_s": "90th percentile (nearest rank) of resolved_at - first contact, cases created in the period",
    "first_response_median_s": "median business-hours seconds from a written contact to the first public reply",
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
