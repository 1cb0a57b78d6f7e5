"""The interval rollups computed set-based: one `SELECT … GROUP BY` over the event log for both levels.

The same folding as `facts.load_units` and `rollups_rows.rows_for` (which stay the definition the tests compare it
with), written as SQL so a rebuild reads no Python object per contact: legs from the effective events (corrections
dropped), hold and wrap-up time from the order of their events, units per contact and per queue, then the additive
parts per interval x level x queue x channel x team. PostgreSQL inserts the rows in the same statement; SQLite
selects them first and inserts the few aggregated rows in a short transaction of its own (its one write lock is
taken at BEGIN, and a reply or wrap-up must not wait behind the computation).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

from contactpunt.contacts.models import Channel
from contactpunt.kpis.models import IntervalRollup

_INSERTED = (
    "start", "level", "queue_id", "channel", "team_id", "offered", "answered", "abandoned", "short_abandons",
    "waiting", "handled", "transferred", "wait_answered_s", "talk_s", "hold_s", "wrap_s", "answered_within_sl",
    "answered_within", "wait_histogram",
)  # fmt: skip


#: Periods longer than this are computed with hash joins over one pass of the log; shorter ones (a refresh of a few
#: intervals) look their contacts up by index.
HASHED_ABOVE = dt.timedelta(hours=6)
#: Memory per sort and hash of a long span's statements: a month of a million contacts sorts ~300 MB of events.
HASHED_WORK_MEM = "256MB"


@contextmanager
def planned(cursor: Any, *, hashed: bool) -> Iterator[None]:
    """Run the statements within on PostgreSQL with hash joins over one pass of the log when `hashed` (a long span):
    the planner cannot estimate the rows of the grouped stages and may take nested loops that scan the contacts once
    per leg (a short span, a refresh of a few intervals, keeps the index lookups). Without the JIT: the costs of the
    disabled nested loops cross its thresholds, and compiling these long statements took seconds each."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = {"jit": "off", **({"enable_nestloop": "off", "work_mem": HASHED_WORK_MEM} if hashed else {})}
    for name, value in settings.items():
        cursor.execute(f"SET {name} = '{value}'")
    try:
        yield
    except BaseException:
        # A failed transaction (or savepoint) takes its settings back with it; outside one they stay: reset them.
        if not connection.in_atomic_block:
            for name in settings:
                cursor.execute(f"RESET {name}")
        raise
    for name in settings:
        cursor.execute(f"RESET {name}")


class _Dialect:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"

    def seconds(self, later: str, earlier: str) -> str:
        """Seconds from `earlier` to `later`. SQLite's date functions round to the millisecond (a moment 0.5 ms
        before an interval's end fell in the next): the whole seconds and the microseconds are read apart."""
        if self.pg:
            return f"EXTRACT(EPOCH FROM ({later}) - ({earlier}))::float8"
        return (
            f"((CAST(strftime('%%s', substr({later}, 1, 19)) AS INTEGER)"
            f" - CAST(strftime('%%s', substr({earlier}, 1, 19)) AS INTEGER))"
            f" + (CAST(substr({later}, 20) AS REAL) - CAST(substr({earlier}, 20) AS REAL)))"
        )

    def epoch_us(self, moment: str) -> str:
        """Microseconds since the epoch, an exact integer."""
        if self.pg:
            return f"(EXTRACT(EPOCH FROM {moment}) * 1000000)::bigint"
        return (
            f"(CAST(strftime('%%s', substr({moment}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({moment} || '.000000', 21, 6) AS INTEGER))"
        )

    def positive(self, value: str) -> str:
        return f"GREATEST({value}, 0)" if self.pg else f"MAX({value}, 0)"

    def interval_start(self, moment: str) -> str:
        if self.pg:
            return f"to_timestamp(floor(EXTRACT(EPOCH FROM {moment}) / 900) * 900)"
        return f"datetime((CAST(strftime('%%s', substr({moment}, 1, 19)) AS INTEGER) / 900) * 900, 'unixepoch')"

    def json_object(self, pairs: Sequence[tuple[str, str]], *, without_zeros: bool = False) -> str:
        if self.pg:
            body = ", ".join(f"'{k}', {f'NULLIF({v}, 0)' if without_zeros else v}" for k, v in pairs)
            return f"jsonb_strip_nulls(jsonb_build_object({body}))" if without_zeros else f"jsonb_build_object({body})"
        body = ", ".join(f"'{k}', {f'NULLIF({v}, 0)' if without_zeros else v}" for k, v in pairs)
        # A merge patch drops the members whose value is null: the empty buckets.
        return f"json_patch('{{}}', json_object({body}))" if without_zeros else f"json_object({body})"

    def corrects(self, data: str) -> str:
        """The id an event corrects (`data["corrects"]`), NULL when it corrects none."""
        if self.pg:
            return (
                f"CASE WHEN jsonb_typeof({data}) = 'object' AND jsonb_typeof({data} -> 'corrects') = 'number'"
                f" THEN ({data} ->> 'corrects')::numeric END"
            )
        return (
            f"CASE WHEN json_type({data}, '$.corrects') IN ('integer', 'real')"
            f" THEN json_extract({data}, '$.corrects') END"
        )

    def has_key(self, data: str, key: str) -> str:
        """A cheap first test that `data` holds `key` (the full test follows)."""
        return f"{data} ? '{key}'" if self.pg else f"json_type({data}, '$.{key}') IS NOT NULL"

    def is_truthy(self, data: str, key: str) -> str:
        """Whether `data[key]` is true as Python reads it (absent, null, false, 0, "", [] and {} are not)."""
        if self.pg:
            value = f"({data} -> '{key}')"
            return (
                f"COALESCE({value} NOT IN ('false'::jsonb, '0'::jsonb, 'null'::jsonb, '\"\"'::jsonb, '[]'::jsonb,"
                f" '{{}}'::jsonb), false)"
            )
        kind, value = f"json_type({data}, '$.{key}')", f"json_extract({data}, '$.{key}')"
        return (
            f"(CASE {kind} WHEN 'true' THEN 1 WHEN 'integer' THEN {value} <> 0 WHEN 'real' THEN {value} <> 0"
            f" WHEN 'text' THEN {value} <> '' WHEN 'array' THEN json_array_length({data}, '$.{key}') > 0"
            f" WHEN 'object' THEN {value} <> '{{}}' ELSE 0 END)"
        )


def units_chain(d: _Dialect, *, channels: Sequence[str] | None = None) -> str:
    """The common table expressions up to `units`: one row per unit (level "contact" and "leg") of every contact
    (on `channels`, default all) entering a queue in [%(start)s, %(end)s), also the units of those contacts
    that entered a queue before or after it (filter on `queued_at`). Columns: level, contact_id, leg, queue_id,
    channel, queued_at, answered_at (the answer; written channels: the first public reply), outcome, wait,
    handled, agent_id, transferred, talk_s, hold_s, wrap_s, sl_threshold_s, short_abandon_s."""
    sec = d.seconds
    pos = d.positive
    realtime = ", ".join(f"'{c}'" for c in sorted(Channel.realtime()))
    # The leg's end as `legs2` clamps it, from the moments seen so far on the row (`w2`).
    answered_so_far = "CASE WHEN answered_so_far < queued_so_far THEN queued_so_far ELSE answered_so_far END"
    ended_so_far = (
        f"CASE WHEN ended_so_far < COALESCE({answered_so_far}, queued_so_far)"
        f" THEN COALESCE({answered_so_far}, queued_so_far) ELSE ended_so_far END"
    )
    leg_talk = (
        f"CASE WHEN l.ended_at IS NOT NULL THEN {pos(sec('l.ended_at', 'l.answered_at') + ' - l.hold_s')} ELSE 0 END"
    )
    if channels is None:
        entering = """
    SELECT DISTINCT contact_id FROM contacts_contactevent
    WHERE name = 'queued' AND occurred_at >= %(start)s AND occurred_at < %(end)s AND contact_id IS NOT NULL"""
    else:
        listed = ", ".join(f"'{c}'" for c in sorted(channels))
        entering = f"""
    SELECT DISTINCT e.contact_id FROM contacts_contactevent e JOIN contacts_contact c ON c.id = e.contact_id
    WHERE e.name = 'queued' AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s AND c.channel IN ({listed})"""
    return f"""
WITH entering AS ({entering}
), corrected AS (
    -- Read apart from the events below (a second pass over the few with the key): each stage then reads the one
    -- before it once, and PostgreSQL streams the log through the sort of the windows into the grouping of the legs
    -- (a stage read twice is written out in full first).
    SELECT DISTINCT e.contact_id, {d.corrects("e.data")} AS id
    FROM contacts_contactevent e
    WHERE {d.has_key("e.data", "corrects")} AND {d.corrects("e.data")} IS NOT NULL
      AND e.contact_id IN (SELECT contact_id FROM entering)
), raw AS (
    -- A semi-join: the contacts (fewer than their events) are the side hashed.
    SELECT e.id, e.contact_id, e.name, e.leg, e.queue_id, e.agent_id, e.occurred_at AS at, e.data
    FROM contacts_contactevent e WHERE e.contact_id IN (SELECT contact_id FROM entering)
), ev AS (
    -- The kind is a number: the window sorts on it (text would be compared by collation).
    SELECT r.id, r.contact_id, r.name, r.leg, r.queue_id, r.agent_id, r.at,
           CASE WHEN r.name = 'queued' THEN 1
                WHEN r.name = 'presented' THEN CASE WHEN r.agent_id IS NULL THEN 3 ELSE 2 END
                WHEN r.name = 'answered' THEN 4
                WHEN r.name IN ('transferred', 'ended', 'abandoned') THEN 5
                WHEN r.name IN ('hold_started', 'hold_ended') THEN 6
                WHEN r.name IN ('wrap_started', 'wrapped') THEN 7
                ELSE CASE WHEN r.agent_id IS NULL THEN 9 ELSE 8 END END AS kind,
           CASE WHEN r.name = 'replied' AND NOT {d.is_truthy("r.data", "internal")}
                     AND NOT {d.is_truthy("r.data", "automatic")} THEN 1 ELSE 0 END AS is_public_reply
    FROM raw r
    WHERE r.name IN ('queued', 'presented', 'answered', 'transferred', 'ended', 'abandoned', 'hold_started',
                     'hold_ended', 'wrap_started', 'wrapped', 'replied')
      -- Not an anti-join: a hashed list of the few corrected events (an anti-join sorted the whole log for them).
      AND (r.contact_id, r.id) NOT IN (SELECT contact_id, id FROM corrected)
), w1 AS (
    -- The contact's first public reply on each of its events, from the same sort as the legs' windows.
    SELECT ev.*, ROW_NUMBER() OVER k AS rn, LAG(name) OVER k AS prev, LEAD(name) OVER k AS next,
           MIN(CASE WHEN is_public_reply = 1 THEN at END) OVER (PARTITION BY contact_id) AS replied_at
    FROM ev WINDOW k AS (PARTITION BY contact_id, leg, kind ORDER BY at, id)
), w2 AS (
    -- The leg's queue entry, answer and end so far: on a wrap-up (sorted after them) they are the leg's own.
    SELECT w1.*, MAX(CASE WHEN name IN ('hold_started', 'wrap_started') AND COALESCE(prev, '') <> name THEN at END)
                 OVER (PARTITION BY contact_id, leg, kind ORDER BY at, id ROWS UNBOUNDED PRECEDING) AS opened,
           MAX(CASE WHEN kind = 1 AND rn = 1 THEN at END) OVER s AS queued_so_far,
           MAX(CASE WHEN kind = 4 AND rn = 1 THEN at END) OVER s AS answered_so_far,
           MAX(CASE WHEN kind = 5 AND rn = 1 THEN at END) OVER s AS ended_so_far
    FROM w1 WINDOW s AS (PARTITION BY contact_id, leg ORDER BY kind, at, id ROWS UNBOUNDED PRECEDING)
), legs1 AS (
    SELECT contact_id, leg,
           MAX(CASE WHEN kind = 1 AND rn = 1 THEN at END) AS queued_at,
           MAX(CASE WHEN kind = 1 AND rn = 1 THEN queue_id END) AS queue_id,
           MAX(CASE WHEN kind = 4 AND rn = 1 THEN at END) AS answered_raw,
           MAX(CASE WHEN kind = 4 AND rn = 1 THEN agent_id END) AS answered_agent,
           MAX(CASE WHEN kind = 2 AND rn = 1 THEN agent_id END) AS presented_agent,
           MAX(CASE WHEN kind = 8 AND rn = 1 THEN agent_id END) AS replied_agent,
           MAX(CASE WHEN kind = 5 AND rn = 1 THEN at END) AS ended_raw,
           MAX(CASE WHEN kind = 5 AND rn = 1 THEN name END) AS end_name,
           SUM(CASE WHEN name = 'hold_ended' AND prev = 'hold_started' THEN {pos(sec("at", "opened"))} ELSE 0 END)
               AS hold_closed_s,
           MAX(CASE WHEN name = 'hold_started' AND next IS NULL THEN opened END) AS hold_open_at,
           SUM(CASE WHEN name = 'wrapped' AND prev = 'wrap_started' THEN {pos(sec("at", "opened"))} ELSE 0 END)
               AS wrap_started_s,
           SUM(CASE WHEN name = 'wrapped' AND COALESCE(prev, '') <> 'wrap_started' AND {ended_so_far} IS NOT NULL
                    THEN {pos(sec("at", ended_so_far))} ELSE 0 END) AS wrapped_after_s,
           MAX(replied_at) AS replied_at
    FROM w2 GROUP BY contact_id, leg
), legs2 AS (
    SELECT contact_id, leg, queued_at, queue_id, answered_agent, presented_agent, replied_agent, end_name,
           hold_closed_s, hold_open_at, wrap_started_s, wrapped_after_s, replied_at,
           CASE WHEN answered_raw < queued_at THEN queued_at ELSE answered_raw END AS answered_at,
           CASE WHEN ended_raw < COALESCE(CASE WHEN answered_raw < queued_at THEN queued_at ELSE answered_raw END,
                                          queued_at)
                THEN COALESCE(CASE WHEN answered_raw < queued_at THEN queued_at ELSE answered_raw END, queued_at)
                ELSE ended_raw END AS ended_at
    FROM legs1 WHERE queued_at IS NOT NULL
), legs AS (
    SELECT l.contact_id, l.leg, l.queued_at, l.queue_id, l.answered_at, l.ended_at, l.end_name, l.replied_agent,
           l.replied_at,
           COALESCE(l.answered_agent, l.presented_agent) AS agent_id,
           l.hold_closed_s + CASE WHEN l.hold_open_at IS NOT NULL AND l.ended_at IS NOT NULL
                                  THEN {pos(sec("l.ended_at", "l.hold_open_at"))} ELSE 0 END AS hold_s,
           l.wrap_started_s + l.wrapped_after_s AS wrap_s,
           MIN(l.leg) OVER c AS first_leg, MAX(l.leg) OVER c AS last_leg,
           MIN(CASE WHEN l.answered_at IS NOT NULL THEN l.leg END) OVER c AS first_answered_leg,
           MIN(CASE WHEN l.replied_agent IS NOT NULL THEN l.leg END) OVER c AS first_replied_leg,
           ROW_NUMBER() OVER (PARTITION BY l.contact_id, l.queue_id ORDER BY l.leg) AS queue_rank
    FROM legs2 l
    WINDOW c AS (PARTITION BY l.contact_id)
), per_contact AS (
    SELECT l.contact_id, MIN(l.first_leg) AS first_leg,
           MAX(CASE WHEN l.leg = l.first_leg THEN l.queue_id END) AS queue_id,
           MAX(CASE WHEN l.leg = l.first_leg THEN l.queued_at END) AS queued_at,
           MAX(CASE WHEN l.leg = l.first_answered_leg THEN l.answered_at END) AS answered_at,
           MAX(CASE WHEN l.leg = l.first_answered_leg THEN l.agent_id END) AS answered_agent,
           MAX(CASE WHEN l.leg = l.first_replied_leg THEN l.replied_agent END) AS replied_agent,
           MAX(CASE WHEN l.leg = l.last_leg THEN l.end_name END) AS end_name,
           MAX(CASE WHEN l.leg = l.last_leg THEN l.ended_at END) AS ended_at,
           MAX(CASE WHEN l.end_name = 'transferred' THEN 1 ELSE 0 END) AS is_transferred,
           SUM(CASE WHEN l.answered_at IS NOT NULL AND l.ended_at IS NULL THEN 1 ELSE 0 END) AS unended,
           SUM(CASE WHEN l.answered_at IS NOT NULL THEN {leg_talk} ELSE 0 END) AS talk_s,
           SUM(CASE WHEN l.answered_at IS NOT NULL THEN l.hold_s ELSE 0 END) AS hold_s,
           SUM(CASE WHEN l.answered_at IS NOT NULL THEN l.wrap_s ELSE 0 END) AS wrap_s,
           MAX(l.replied_at) AS replied_at
    FROM legs l GROUP BY l.contact_id
), sessions AS (
    SELECT s.contact_id, SUM({sec("s.ended_at", "s.started_at")}) AS seconds
    FROM entering n CROSS JOIN contacts_worksession s  -- from the period's contacts (SQLite keeps this order)
    WHERE s.contact_id = n.contact_id AND s.ended_at IS NOT NULL GROUP BY s.contact_id
), parts AS (
    SELECT 'contact' AS level, p.contact_id, p.first_leg AS leg, p.queue_id, p.queued_at, p.end_name, p.ended_at,
           p.is_transferred AS transferred,
           CASE WHEN c.channel IN ({realtime}) THEN p.answered_at ELSE p.replied_at END AS answered_at,
           CASE WHEN c.channel IN ({realtime}) THEN p.answered_agent ELSE p.replied_agent END AS agent_id,
           CASE WHEN c.channel IN ({realtime}) THEN CASE WHEN p.unended = 0 THEN 1 ELSE 0 END ELSE 1 END AS handled,
           CASE WHEN c.channel IN ({realtime}) THEN p.talk_s ELSE COALESCE(s.seconds, 0) END AS talk_s,
           CASE WHEN c.channel IN ({realtime}) THEN p.hold_s ELSE 0 END AS hold_s,
           CASE WHEN c.channel IN ({realtime}) THEN p.wrap_s ELSE 0 END AS wrap_s,
           c.channel
    FROM per_contact p JOIN contacts_contact c ON c.id = p.contact_id
    LEFT JOIN sessions s ON s.contact_id = p.contact_id
    UNION ALL
    SELECT 'leg', l.contact_id, l.leg, l.queue_id, l.queued_at, l.end_name, l.ended_at,
           CASE WHEN l.end_name = 'transferred' THEN 1 ELSE 0 END,
           CASE WHEN c.channel IN ({realtime}) THEN l.answered_at ELSE l.replied_at END,
           CASE WHEN c.channel IN ({realtime}) THEN l.agent_id ELSE l.replied_agent END,
           CASE WHEN c.channel IN ({realtime}) THEN CASE WHEN l.ended_at IS NULL THEN 0 ELSE 1 END ELSE 1 END,
           CASE WHEN c.channel IN ({realtime}) THEN {leg_talk} ELSE COALESCE(s.seconds, 0) END,
           CASE WHEN c.channel IN ({realtime}) THEN l.hold_s ELSE 0 END,
           CASE WHEN c.channel IN ({realtime}) THEN l.wrap_s ELSE 0 END,
           c.channel
    FROM legs l JOIN contacts_contact c ON c.id = l.contact_id
    LEFT JOIN sessions s ON s.contact_id = l.contact_id
    WHERE l.queue_rank = 1
), units AS MATERIALIZED (
    -- Materialised: inlined, every aggregate below would compute the wait again (40 times a unit).
    SELECT p.level, p.contact_id, p.leg, p.queue_id, p.channel, p.queued_at, p.answered_at, p.transferred,
           p.talk_s, p.hold_s, p.wrap_s,
           CASE WHEN p.answered_at IS NOT NULL THEN 'answered'
                WHEN p.end_name IN ('abandoned', 'ended') THEN 'abandoned'
                WHEN p.end_name = 'transferred' THEN 'left' ELSE 'waiting' END AS outcome,
           CASE WHEN p.answered_at IS NOT NULL THEN {sec("p.answered_at", "p.queued_at")}
                WHEN p.ended_at IS NOT NULL THEN {sec("p.ended_at", "p.queued_at")} END AS wait,
           CASE WHEN p.answered_at IS NOT NULL THEN p.handled ELSE 0 END AS handled,
           CASE WHEN p.answered_at IS NOT NULL THEN p.agent_id END AS agent_id,
           COALESCE(q.sl_threshold_s, 20) AS sl_threshold_s, COALESCE(q.short_abandon_s, 5) AS short_abandon_s
    FROM parts p LEFT JOIN contacts_queue q ON q.id = p.queue_id
)
"""


#: The temporary table of units that the statements of the spans within it read (`shared_units`): (start, end, name).
_SHARED: ContextVar[tuple[dt.datetime, dt.datetime, str] | None] = ContextVar("kpis_shared_units", default=None)
_NUMBERS = itertools.count(1)


def _shared(start: dt.datetime, end: dt.datetime) -> str | None:
    active = _SHARED.get()
    return active[2] if active is not None and active[0] <= start and end <= active[1] else None


@contextmanager
def shared_units(start: dt.datetime, end: dt.datetime) -> Iterator[None]:
    """Compute the units of every contact entering a queue in [start, end) once, into a temporary table, for the
    statements within that read the units of a span inside it (`units_source`: the interval rollups, the written
    day parts, the cost parts) instead of each computing them again from the log. Within one that covers the span
    already: nothing. The table goes at the end (a failed transaction took it back already)."""
    if _shared(start, end) is not None:
        yield
        return
    name = f"kpis_units_{next(_NUMBERS)}"
    d = _Dialect()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor, planned(cursor, hashed=end - start > HASHED_ABOVE):
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {units_chain(d)} SELECT * FROM units",
                       {"start": adapt(start), "end": adapt(end)})  # fmt: skip
        if d.pg:
            cursor.execute(f"ANALYZE {name}")  # temporary tables have no autovacuum: the planner's counts
    token = _SHARED.set((start, end, name))
    try:
        yield
    except BaseException:
        _SHARED.reset(token)
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
        raise
    _SHARED.reset(token)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def units_source(d: _Dialect, *, start: dt.datetime, end: dt.datetime, channels: Sequence[str] | None = None) -> str:
    """The common table expressions up to `units` (as `units_chain`) of the contacts on `channels` entering a queue
    in [start, end): read from the shared table when one covers the span (`shared_units`), else computed from the
    log. The table holds every unit of each contact, as the chain does: those of a span within it are the same."""
    table = _shared(start, end)
    if table is None:
        return units_chain(d, channels=channels)
    where = "" if channels is None else " WHERE channel IN ({})".format(", ".join(f"'{c}'" for c in sorted(channels)))
    return f"\nWITH units AS (SELECT * FROM {table}{where})\n"


def _sql(limits: Sequence[int], edges: Sequence[int], *, start: dt.datetime, end: dt.datetime) -> str:
    d = _Dialect()
    realtime = ", ".join(f"'{c}'" for c in sorted(Channel.realtime()))
    within = [(str(limit), f"SUM(CASE WHEN u.outcome = 'answered' AND u.wait <= {limit} THEN 1 ELSE 0 END)")
              for limit in limits]  # fmt: skip
    buckets = []
    lower = None
    for edge in edges:
        band = f"u.wait <= {edge}" if lower is None else f"u.wait > {lower} AND u.wait <= {edge}"
        buckets.append((str(edge), f"SUM(CASE WHEN u.outcome = 'answered' AND {band} THEN 1 ELSE 0 END)"))
        lower = edge
    buckets.append(("inf", f"SUM(CASE WHEN u.outcome = 'answered' AND u.wait > {lower} THEN 1 ELSE 0 END)"))
    return (
        units_source(d, start=start, end=end)
        + f"""
SELECT {d.interval_start("u.queued_at")} AS start, u.level, u.queue_id, u.channel, a.team_id,
       COUNT(*),
       SUM(CASE WHEN u.outcome = 'answered' THEN 1 ELSE 0 END),
       SUM(CASE WHEN u.outcome = 'abandoned' THEN 1 ELSE 0 END),
       SUM(CASE WHEN u.outcome = 'abandoned' AND u.channel IN ({realtime}) AND u.wait < u.short_abandon_s
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN u.outcome = 'waiting' THEN 1 ELSE 0 END),
       SUM(u.handled),
       SUM(CASE WHEN u.handled = 1 THEN u.transferred ELSE 0 END),
       COALESCE(SUM(CASE WHEN u.outcome = 'answered' THEN u.wait END), 0),
       COALESCE(SUM(CASE WHEN u.handled = 1 THEN u.talk_s END), 0),
       COALESCE(SUM(CASE WHEN u.handled = 1 THEN u.hold_s END), 0),
       COALESCE(SUM(CASE WHEN u.handled = 1 THEN u.wrap_s END), 0),
       SUM(CASE WHEN u.outcome = 'answered' AND u.wait <= u.sl_threshold_s THEN 1 ELSE 0 END),
       {d.json_object(within)},
       {d.json_object(buckets, without_zeros=True)}
FROM units u LEFT JOIN people_user a ON a.id = u.agent_id
WHERE u.queued_at >= %(start)s AND u.queued_at < %(end)s
GROUP BY 1, u.level, u.queue_id, u.channel, a.team_id
"""
    )


def replace(start: dt.datetime, end: dt.datetime, *, limits: Sequence[int], edges: Sequence[int]) -> int:
    """Replace the rollup rows of the intervals in [start, end) (on interval edges) by the ones computed from the
    events; returns the rows written."""
    table = IntervalRollup._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERTED)
    params: dict[str, Any] = {
        "start": connection.ops.adapt_datetimefield_value(start),
        "end": connection.ops.adapt_datetimefield_value(end),
    }
    select = _sql(limits, edges, start=start, end=end)
    hashed = end - start > HASHED_ABOVE
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor, planned(cursor, hashed=hashed):
            IntervalRollup.objects.filter(start__gte=start, start__lt=end).delete()
            cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
            return int(cursor.rowcount)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        rows = cursor.fetchall()
    placeholders = ", ".join(["%s"] * len(_INSERTED))
    with transaction.atomic(), connection.cursor() as cursor:
        IntervalRollup.objects.filter(start__gte=start, start__lt=end).delete()
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    return len(rows)
