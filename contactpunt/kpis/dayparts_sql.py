"""The day parts computed set-based: a few `SELECT … GROUP BY` statements over the event log, on PostgreSQL and SQLite.

The same folding as the definitions in `metrics` (repeat contacts, first contact resolution, the Customer Speed
Index, the written channels' response on business hours and within the norm) and `cost_parts.handled`, written as
SQL so a rebuild reads no Python object per contact or case; the tests keep them equal to the definitions over
generated histories (`kpis/tests/dayparts_definition.py`, the folding of those functions). Each statement returns
the aggregated rows of its days, tagged by what they hold: counts per day part, the histograms of the duration grid
(`metrics.duration_bucket`) and the lists a look-ahead still waits for; `dayparts` assembles them.

Business hours: the queues' calendars are laid out by Python (`business_hours.Schedule`, holidays included) as a
table of segments of the timeline with the open time before each (`dayparts_calendar.calendar_rows`), so the open
seconds between two moments are a difference of two positions and the moment a norm runs out a position looked up,
both by equality joins (per UTC day, per day of open time) and exact to the microsecond.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from contactpunt import replica
from contactpunt.contacts.models import Channel
from contactpunt.kpis.dayparts_calendar import DAY_US as _DAY_US
from contactpunt.kpis.dayparts_calendar import OPEN_DAY_US as _OPEN_DAY_US
from contactpunt.kpis.dayparts_calendar import US as _US
from contactpunt.kpis.dayparts_calendar import calendar_rows
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.metrics.definitions import FCR_WINDOW, GRID_EXACT_S, GRID_STEPS, REPEAT_WINDOW
from contactpunt.kpis.rollups_sql import _Dialect, planned, units_source

#: One aggregated row of a statement: what it holds ("row", "hist", "pending", "due", "case", "cost"), then the key
#: (day, kind, level, per agent, queue, channel, agent) and its values.
Row = tuple[Any, ...]
_WRITTEN = tuple(sorted(c for c in Channel.values if c not in Channel.realtime()))
_GRID_OCTAVES = 40


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The local days first..last, both included."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class _Days(_Dialect):
    """The expressions of the day parts: exact microseconds and local days."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self.zone = zone

    def local_day(self, moment: str) -> str:
        """The local day (the configured zone) of a moment; on SQLite from the `days` table of the statement."""
        if self.pg:
            return f"({moment} AT TIME ZONE '{self.zone.key}')::date"
        return f"(SELECT d.day FROM days d WHERE d.start <= {moment} ORDER BY d.start DESC LIMIT 1)"

    def days_cte(self, first: dt.date, last: dt.date) -> str:
        """The `days` table SQLite's `local_day` reads (nothing on PostgreSQL), ending in a comma."""
        if self.pg:
            return ""
        rows = []
        for day in days_between(first, last):
            start, _end = day_bounds(day, day, self.zone)
            rows.append(f"('{day.isoformat()}', '{start.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M:%S')}')")
        return f"days(day, start) AS (VALUES {', '.join(rows)}),"

    def literal_moment(self, moment: dt.datetime) -> str:
        """A moment as a literal of the database's own form (timestamptz; SQLite's text in UTC)."""
        utc = moment.astimezone(dt.UTC)
        if self.pg:
            return f"'{utc.isoformat()}'::timestamptz"
        return f"'{utc.strftime('%Y-%m-%d %H:%M:%S')}'"

    def within_week_after(self, later: str, earlier: str) -> str:
        """`later` in (earlier, earlier + 7 days]."""
        if self.pg:
            return f"{later} > {earlier} AND {later} <= {earlier} + interval '7 days'"
        week = int(FCR_WINDOW.total_seconds()) * _US
        return f"{later} > {earlier} AND {self.epoch_us(later)} <= {self.epoch_us(earlier)} + {week}"

    def json_object_agg(self, key: str, value: str) -> str:
        if self.pg:
            return f"jsonb_object_agg({key}::text, {value})::text"
        return f"json_group_object({key}, {value})"

    def json_list_agg(self, *values: str) -> str:
        if self.pg:
            inner = values[0] if len(values) == 1 else f"jsonb_build_array({', '.join(values)})"
            return f"jsonb_agg({inner})::text"
        inner = values[0] if len(values) == 1 else f"json_array({', '.join(values)})"
        return f"json_group_array({inner})"


def bucket(us: str) -> str:
    """The SQL of `metrics.duration_bucket_us`: the grid point (whole seconds) of a duration of `us` microseconds."""
    whens = [f"WHEN {us} <= 0 THEN 0", f"WHEN {us} < {GRID_EXACT_S * _US} THEN ({us} + {_US // 2}) / {_US}"]
    shift = GRID_STEPS.bit_length()
    octave = GRID_EXACT_S.bit_length() - 1
    while octave < _GRID_OCTAVES:
        width = 1 << (octave + 1 - shift)
        unit = width * _US
        whens.append(f"WHEN {us} < {(1 << (octave + 1)) * _US} THEN ({us} + {unit // 2}) / {unit} * {width}")
        octave += 1
    return f"(CASE {' '.join(whens)} ELSE {us} / {_US} END)"


def _fold(d: _Days, source: str, *, kind: str, level: str, agent: str | None, counts: Sequence[str]) -> str:
    """The "row" output of `source` per day x queue x channel (x agent when `agent`)."""
    agent_col = agent or "CAST(NULL AS BIGINT)"
    group = "day, queue_id, channel" + (f", {agent}" if agent else "")
    values = [*counts, *["0"] * (4 - len(counts))]
    return (
        f"SELECT 'row', day, '{kind}', '{level}', {1 if agent else 0}, queue_id, channel, {agent_col}, "
        f"{', '.join(values)}, CAST(NULL AS TEXT) FROM {source} GROUP BY {group}"
    )


def _hist(d: _Days, source: str, grid: str, *, kind: str, level: str, agent: str | None, where: str) -> str:
    """The "hist" output: per day part the histogram {grid seconds: count} of `grid` over the rows `where`."""
    agent_col = agent or "CAST(NULL AS BIGINT)"
    group = "day, queue_id, channel" + (f", {agent}" if agent else "")
    return (
        f"SELECT 'hist', day, '{kind}', '{level}', {1 if agent else 0}, queue_id, channel, {agent_col}, "
        f"0, 0, 0, 0, {d.json_object_agg('grid', 'n')} FROM ("
        f"SELECT {group}, {grid} AS grid, COUNT(*) AS n FROM {source} WHERE {where} GROUP BY {group}, {grid}"
        f") h GROUP BY {group}"
    )


def _list(d: _Days, source: str, values: Sequence[str], *, what: str, kind: str, level: str, agent: str | None,
          where: str) -> str:  # fmt: skip
    agent_col = agent or "CAST(NULL AS BIGINT)"
    group = "day, queue_id, channel" + (f", {agent}" if agent else "")
    return (
        f"SELECT '{what}', day, '{kind}', '{level}', {1 if agent else 0}, queue_id, channel, {agent_col}, "
        f"0, 0, 0, 0, {d.json_list_agg(*values)} FROM {source} WHERE {where} GROUP BY {group}"
    )


# -- the statements ---------------------------------------------------------------------------


def inbound_sql(d: _Days, first: dt.date, last: dt.date) -> str:
    """Inbound contacts per day x queue x channel: identified, and repeats (`metrics.load_inbound`): an earlier
    contact of the same customer arrived in the 7 days before (or at the same moment) and had been handled (its first
    `ended` or `replied` event) before the contact arrived."""
    if d.pg:
        order, week = "n.occurred_at", "interval '7 days'"
    else:
        order, week = d.epoch_us("n.occurred_at"), str(int(REPEAT_WINDOW.total_seconds()) * _US)
    return f"""
WITH {d.days_cte(first, last)} inbound AS MATERIALIZED (
    SELECT c.id, c.customer_id, c.queue_id, c.channel, c.occurred_at, {d.local_day("c.occurred_at")} AS day
    FROM contacts_contact c
    WHERE c.direction = 'inbound' AND c.occurred_at >= %(start)s AND c.occurred_at < %(end)s
), nearby AS MATERIALIZED (
    SELECT c.id, c.customer_id, c.occurred_at, c.direction, c.queue_id, c.channel FROM contacts_contact c
    WHERE c.customer_id IN (SELECT customer_id FROM inbound WHERE customer_id IS NOT NULL)
      AND c.occurred_at >= %(week_before)s AND c.occurred_at < %(end)s
), handled AS (
    SELECT e.contact_id, MIN(e.occurred_at) AS at FROM contacts_contactevent e
    WHERE e.name IN ('ended', 'replied') AND e.contact_id IN (SELECT id FROM nearby)
    GROUP BY e.contact_id
), windowed AS (
    SELECT n.customer_id, n.occurred_at, n.direction, n.queue_id, n.channel,
           MIN(h.at) OVER (PARTITION BY n.customer_id ORDER BY {order}
                           RANGE BETWEEN {week} PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) AS earlier
    FROM nearby n LEFT JOIN handled h ON h.contact_id = n.id
), facts AS (
    -- The identified contacts straight from the window (joining it back to `inbound` by id made SQLite scan the
    -- window once per contact: a week of days took minutes), the others from `inbound`.
    SELECT {d.local_day("w.occurred_at")} AS day, w.queue_id, w.channel, w.customer_id,
           CASE WHEN w.earlier < w.occurred_at THEN 1 ELSE 0 END AS is_repeat
    FROM windowed w WHERE w.direction = 'inbound' AND w.occurred_at >= %(start)s
    UNION ALL
    SELECT i.day, i.queue_id, i.channel, i.customer_id, 0 FROM inbound i WHERE i.customer_id IS NULL
)
{
        _fold(
            d,
            "facts",
            kind="inbound",
            level="contact",
            agent=None,
            counts=["COUNT(*)", "COUNT(customer_id)", "SUM(is_repeat)"],
        )
    }
"""


def cases_sql(d: _Days, first: dt.date, last: dt.date, *, insert_resolutions: str | None = None) -> str:
    """Cases first resolved on the days (FCR, `metrics.is_first_contact_resolution`, and each case's resolution as
    "case" rows, or inserted into `insert_resolutions` on PostgreSQL) and cases whose first inbound contact falls on
    them (created, open, the Customer Speed Index), per resolver too (`facts.load_cases`: the final resolution's
    agent, else the first's)."""
    rows: list[str] = []
    for agent in ("agent_id", None):
        rows.append(_fold(d, "resolved", kind="resolved", level="contact", agent=agent,
                          counts=["SUM(mature)", "SUM(mature * solved)"]))  # fmt: skip
        rows.append(_list(d, "resolved", ["at_us", "solved"], what="pending", kind="resolved", level="contact",
                          agent=agent, where="mature = 0"))  # fmt: skip
        rows.append(_fold(d, "created", kind="created", level="contact", agent=agent,
                          counts=["COUNT(*)", "SUM(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END)"]))  # fmt: skip
        rows.append(_hist(d, "created", "csi", kind="created", level="contact", agent=agent,
                          where="csi IS NOT NULL"))  # fmt: skip
    if insert_resolutions is None:
        rows.append("SELECT 'case', day, 'resolved', 'contact', 0, CAST(NULL AS BIGINT), CAST(NULL AS TEXT),"
                    " CAST(NULL AS BIGINT), case_id, solved, 0, 0, CAST(NULL AS TEXT)"
                    " FROM resolved")  # fmt: skip
        inserted = ""
    else:
        inserted = (
            f", inserted AS (INSERT INTO {insert_resolutions} (day, case_id, solved)"
            " SELECT day, case_id, solved = 1 FROM resolved RETURNING 1)"
        )
    csi = bucket(f"({d.epoch_us('f.resolved_at')} - {d.epoch_us('f.opened_at')})")
    return f"""
WITH RECURSIVE roots(id, root, depth) AS (
    SELECT id, id, 0 FROM contacts_contactreason WHERE parent_id IS NULL
    UNION ALL
    SELECT r.id, roots.root, roots.depth + 1 FROM contacts_contactreason r JOIN roots ON r.parent_id = roots.id
    WHERE roots.depth < 50
), {d.days_cte(first, last)} touched AS MATERIALIZED (
    SELECT case_id FROM contacts_contactevent
    WHERE name = 'resolved' AND occurred_at >= %(start)s AND occurred_at < %(end)s AND case_id IS NOT NULL
    UNION
    SELECT case_id FROM contacts_contact
    WHERE direction = 'inbound' AND occurred_at >= %(start)s AND occurred_at < %(end)s
), life AS (
    SELECT e.case_id, e.name, e.occurred_at, e.agent_id,
           ROW_NUMBER() OVER (PARTITION BY e.case_id ORDER BY e.occurred_at DESC, e.id DESC) AS from_last,
           ROW_NUMBER() OVER (PARTITION BY e.case_id, e.name ORDER BY e.occurred_at, e.id) AS nth
    FROM contacts_contactevent e JOIN touched t ON t.case_id = e.case_id
    WHERE e.name IN ('resolved', 'reopened')
), lives AS (
    SELECT case_id,
           MAX(CASE WHEN name = 'resolved' AND nth = 1 THEN occurred_at END) AS first_resolved_at,
           MAX(CASE WHEN name = 'resolved' AND nth = 1 THEN agent_id END) AS first_agent,
           MAX(CASE WHEN name = 'resolved' AND from_last = 1 THEN occurred_at END) AS resolved_at,
           MAX(CASE WHEN name = 'resolved' AND from_last = 1 THEN 1 ELSE 0 END) AS ends_resolved,
           MAX(CASE WHEN name = 'resolved' AND from_last = 1 THEN agent_id END) AS final_agent,
           MAX(CASE WHEN name = 'reopened' THEN 1 ELSE 0 END) AS reopened
    FROM life GROUP BY case_id
), arrivals AS (
    SELECT c.case_id, MIN(c.occurred_at) AS opened_at,
           SUM(CASE WHEN c.occurred_at <= l.first_resolved_at THEN 1 ELSE 0 END) AS before_n
    FROM touched t CROSS JOIN contacts_contact c LEFT JOIN lives l ON l.case_id = c.case_id
    WHERE c.case_id = t.case_id AND c.direction = 'inbound' GROUP BY c.case_id
), facts AS MATERIALIZED (
    SELECT k.id AS case_id, k.customer_id, k.queue_id, k.channel, rt.root, a.opened_at, a.before_n,
           l.first_resolved_at, CASE WHEN l.ends_resolved = 1 THEN l.resolved_at END AS resolved_at,
           CASE WHEN l.ends_resolved = 1 THEN l.final_agent ELSE l.first_agent END AS agent_id,
           COALESCE(l.reopened, 0) AS reopened
    FROM touched t JOIN contacts_case k ON k.id = t.case_id JOIN arrivals a ON a.case_id = k.id
    LEFT JOIN lives l ON l.case_id = k.id LEFT JOIN roots rt ON rt.id = k.reason_id
    WHERE k.status <> 'merged'
), first_resolved AS MATERIALIZED (
    SELECT f.case_id, f.customer_id, f.root, f.queue_id, f.channel, f.agent_id, f.first_resolved_at, f.reopened,
           f.before_n
    FROM facts f WHERE f.first_resolved_at >= %(start)s AND f.first_resolved_at < %(end)s
), spoiled AS (
    -- An inbound contact of the customer on the same top-level reason (an unknown one matches any) in the 7 days
    -- after the first resolution: no first-contact resolution.
    SELECT DISTINCT f.case_id FROM first_resolved f
    JOIN contacts_contact c2 ON c2.customer_id = f.customer_id
    JOIN contacts_case k2 ON k2.id = c2.case_id LEFT JOIN roots r2 ON r2.id = k2.reason_id
    WHERE c2.direction = 'inbound' AND c2.occurred_at > %(start)s AND c2.occurred_at <= %(week_after)s
      AND {d.within_week_after("c2.occurred_at", "f.first_resolved_at")}
      AND (r2.root IS NULL OR f.root IS NULL OR r2.root = f.root)
), resolved AS MATERIALIZED (
    SELECT f.case_id, f.queue_id, f.channel, f.agent_id, {d.local_day("f.first_resolved_at")} AS day,
           {d.epoch_us("f.first_resolved_at")} AS at_us,
           CASE WHEN {d.epoch_us("f.first_resolved_at")} + {int(FCR_WINDOW.total_seconds()) * _US} <= %(now_us)s
                THEN 1 ELSE 0 END AS mature,
           CASE WHEN f.reopened = 0 AND f.before_n = 1 AND (f.customer_id IS NULL OR s.case_id IS NULL)
                THEN 1 ELSE 0 END AS solved
    FROM first_resolved f LEFT JOIN spoiled s ON s.case_id = f.case_id
), created AS MATERIALIZED (
    SELECT f.queue_id, f.channel, f.agent_id, f.resolved_at, {d.local_day("f.opened_at")} AS day,
           CASE WHEN f.resolved_at IS NOT NULL THEN {csi} END AS csi
    FROM facts f WHERE f.opened_at >= %(start)s AND f.opened_at < %(end)s
){inserted}
{" UNION ALL ".join(rows)}
"""


def written_sql(d: _Days, first: dt.date, last: dt.date, calendars: tuple[str, str, str]) -> str:
    """Written units (`facts.load_units` on the written channels, both levels) per day x queue x channel, at level
    "contact" and "leg", and per agent at level "leg": the first response on business hours as a histogram, replied
    within the queue's norm, and the unreplied whose norm ran out when built (`written.first_response_within_norm`)
    or still runs (their due moments, `business_hours.due_at`)."""
    segments, pieces, norms = calendars
    start, end = day_bounds(first, last, d.zone)
    position = "o{n}.cum_us + CASE WHEN o{n}.is_open = 1 THEN w.{m} - o{n}.s_us ELSE 0 END"
    rows: list[str] = []
    for level, agent in (("contact", None), ("leg", None), ("leg", "agent_id")):
        source = f"(SELECT * FROM timed WHERE level = '{level}') t"
        rows.append(_fold(d, source, kind="written", level=level, agent=agent, counts=[
            "SUM(CASE WHEN r_us IS NOT NULL AND norm_us >= 0 THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN r_us IS NOT NULL AND norm_us >= 0 AND business_us <= norm_us THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN due_us <= %(now_us)s THEN 1 ELSE 0 END)",
        ]))  # fmt: skip
        rows.append(_hist(d, source, bucket("business_us"), kind="written", level=level, agent=agent,
                          where="business_us IS NOT NULL"))  # fmt: skip
        rows.append(_list(d, source, ["due_us"], what="due", kind="written", level=level, agent=agent,
                          where="due_us > %(now_us)s"))  # fmt: skip
    written = ", ".join(f"'{c}'" for c in _WRITTEN)
    return (
        units_source(d, start=start, end=end, channels=_WRITTEN)
        + f""", {d.days_cte(first, last)}
segments(queue_id, day_key, s_us, e_us, cum_us, is_open) AS (VALUES {segments}),
pieces(queue_id, piece_key, s_us, cum_before, cum_end) AS (VALUES {pieces}),
norms(queue_id, norm_us, calendar) AS (VALUES {norms}),
w AS MATERIALIZED (
    SELECT u.level, u.queue_id, u.channel, u.agent_id, {d.local_day("u.queued_at")} AS day,
           {d.epoch_us("u.queued_at")} AS q_us,
           CASE WHEN u.outcome = 'answered' THEN {d.epoch_us("u.answered_at")} END AS r_us,
           COALESCE(n.norm_us, -1) AS norm_us, COALESCE(n.calendar, 0) AS calendar
    FROM units u LEFT JOIN norms n ON n.queue_id = u.queue_id
    WHERE u.queued_at >= %(start)s AND u.queued_at < %(end)s AND u.channel IN ({written})
), placed AS (
    SELECT w.*, {position.format(n=1, m="q_us")} AS q_pos,
           CASE WHEN w.r_us > w.q_us THEN {position.format(n=2, m="r_us")} END AS r_pos
    FROM w
    LEFT JOIN segments o1 ON w.calendar = 1 AND o1.queue_id = w.queue_id AND o1.day_key = w.q_us / {_DAY_US}
                         AND o1.s_us <= w.q_us AND w.q_us < o1.e_us
    LEFT JOIN segments o2 ON w.calendar = 1 AND w.r_us > w.q_us AND o2.queue_id = w.queue_id
                         AND o2.day_key = w.r_us / {_DAY_US} AND o2.s_us <= w.r_us AND w.r_us < o2.e_us
), timed AS MATERIALIZED (
    SELECT p.level, p.queue_id, p.channel, p.agent_id, p.day, p.r_us, p.norm_us,
           CASE WHEN p.r_us IS NULL THEN NULL WHEN p.r_us <= p.q_us THEN 0
                WHEN p.calendar = 1 THEN p.r_pos - p.q_pos ELSE p.r_us - p.q_us END AS business_us,
           CASE WHEN p.r_us IS NOT NULL OR p.norm_us < 0 THEN NULL
                WHEN p.calendar = 1 THEN pc.s_us + (p.q_pos + p.norm_us - pc.cum_before)
                ELSE p.q_us + p.norm_us END AS due_us
    FROM placed p
    LEFT JOIN pieces pc ON p.calendar = 1 AND p.r_us IS NULL AND p.norm_us >= 0 AND pc.queue_id = p.queue_id
                       AND pc.piece_key = (p.q_pos + p.norm_us - 1) / {_OPEN_DAY_US}
                       AND pc.cum_before < p.q_pos + p.norm_us AND p.q_pos + p.norm_us <= pc.cum_end
)
{" UNION ALL ".join(rows)}
"""
    )


def backlog_sql(d: _Days, first: dt.date, last: dt.date) -> str:
    """The backlog at the end of every day (`written.backlog`): the inbound written contacts that entered a queue,
    arrived by the day's end, had no reply on their case from their arrival to then and were not closed without
    one ("no response needed") by then; per day x written queue x channel, with the oldest arrival, and a row of
    0 for every written queue and channel without one (the day was built)."""
    written = ", ".join(f"'{c}'" for c in _WRITTEN)
    ends = []
    for day in days_between(first, last):
        _start, end = day_bounds(day, day, d.zone)
        ends.append(f"('{day.isoformat()}', {d.literal_moment(end)})")
    if d.pg:
        no_reply_needed = "(e.data -> 'no_response_needed') = 'true'::jsonb"
    else:
        no_reply_needed = "json_type(e.data, '$.no_response_needed') = 'true'"
    return f"""
WITH ends(day, end_at) AS (VALUES {", ".join(ends)}),
candidates AS MATERIALIZED (
    SELECT c.id, c.case_id, c.queue_id, c.channel, c.occurred_at FROM contacts_contact c
    WHERE c.direction = 'inbound' AND c.channel IN ({written}) AND c.occurred_at <= %(end)s
      AND EXISTS (SELECT 1 FROM contacts_contactevent q WHERE q.contact_id = c.id AND q.name = 'queued')
), replied AS (
    SELECT c.id, MIN(e.occurred_at) AS at FROM candidates c
    JOIN contacts_contactevent e ON e.case_id = c.case_id AND e.name = 'replied' AND e.occurred_at >= c.occurred_at
    GROUP BY c.id
), closed AS (
    SELECT e.contact_id AS id, MIN(e.occurred_at) AS at FROM contacts_contactevent e
    WHERE e.name = 'wrapped' AND e.contact_id IN (SELECT id FROM candidates) AND {no_reply_needed}
    GROUP BY e.contact_id
), waiting AS MATERIALIZED (
    SELECT c.queue_id, c.channel, c.occurred_at, {d.epoch_us("c.occurred_at")} AS at_us,
           CASE WHEN r.at IS NULL THEN k.at WHEN k.at IS NULL OR r.at < k.at THEN r.at ELSE k.at END AS until
    FROM candidates c LEFT JOIN replied r ON r.id = c.id LEFT JOIN closed k ON k.id = c.id
), counted AS (
    SELECT n.day, w.queue_id, w.channel, COUNT(*) AS n, MIN(w.at_us) AS oldest
    FROM waiting w JOIN ends n ON w.occurred_at <= n.end_at AND (w.until IS NULL OR w.until > n.end_at)
    WHERE w.until IS NULL OR w.until > %(start)s
    GROUP BY n.day, w.queue_id, w.channel
), kept AS (
    SELECT n.day, q.id AS queue_id, q.channel FROM ends n CROSS JOIN contacts_queue q WHERE q.channel IN ({written})
    UNION
    SELECT day, queue_id, channel FROM counted
)
SELECT 'backlog', k.day, 'backlog', 'contact', 0, k.queue_id, k.channel, CAST(NULL AS BIGINT),
       COALESCE(c.n, 0), c.oldest, 0, 0, CAST(NULL AS TEXT)
FROM kept k LEFT JOIN counted c ON c.day = k.day AND c.queue_id = k.queue_id AND c.channel = k.channel
"""


def costs_sql(d: _Days, first: dt.date, last: dt.date) -> str:
    """The handled legs with an agent per day x agent x queue x account x product type x reason
    (`cost_parts.handled`): legs, contacts counted on their first handled leg, handling seconds."""
    return (
        units_source(d, start=day_bounds(first, last, d.zone)[0], end=day_bounds(first, last, d.zone)[1])
        + f""", {d.days_cte(first, last)}
handled_legs AS (
    SELECT u.contact_id, u.leg, u.queue_id, u.queued_at, u.agent_id, u.handled,
           u.talk_s + u.hold_s + u.wrap_s AS handle_s,
           MIN(CASE WHEN u.handled = 1 AND u.agent_id IS NOT NULL THEN u.leg END)
               OVER (PARTITION BY u.contact_id) AS first_leg
    FROM units u WHERE u.level = 'leg'
)
SELECT 'cost', {d.local_day("u.queued_at")} AS day, u.agent_id, u.queue_id, cu.account_id, k.product_type_id,
       k.reason_id, COUNT(*), SUM(CASE WHEN u.leg = u.first_leg THEN 1 ELSE 0 END), SUM(u.handle_s)
FROM handled_legs u JOIN contacts_contact c ON c.id = u.contact_id
JOIN contacts_case k ON k.id = c.case_id LEFT JOIN customers_customer cu ON cu.id = c.customer_id
WHERE u.handled = 1 AND u.agent_id IS NOT NULL AND u.queued_at >= %(start)s AND u.queued_at < %(end)s
GROUP BY 2, u.agent_id, u.queue_id, cu.account_id, k.product_type_id, k.reason_id
"""
    )


# -- running them -----------------------------------------------------------------------------


def params(
    first: dt.date, last: dt.date, zone: ZoneInfo, now: dt.datetime, until: dt.datetime | None = None
) -> dict[str, Any]:
    """The statements' values over the local days first..last; cut at `until` (a last day in part) when given."""
    start, end = day_bounds(first, last, zone)
    end = end if until is None else min(end, until)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "start": adapt(start),
        "end": adapt(end),
        "week_before": adapt(start - REPEAT_WINDOW),
        "week_after": adapt(end + FCR_WINDOW),
        "now_us": (now - epoch) // dt.timedelta(microseconds=1),
    }


def statements(first: dt.date, last: dt.date, zone: ZoneInfo, now: dt.datetime, *,
               wanted: Sequence[str] = ("inbound", "cases", "written", "costs", "backlog"),
               insert_resolutions: str | None = None) -> dict[str, str]:  # fmt: skip
    """The statements that compute the day parts ("inbound", "cases", "written") and the cost parts ("costs") of the
    local days first..last, as of `now`: those `wanted`."""
    d = _Days(zone)
    start, end = day_bounds(first, last, zone)
    makers: dict[str, Any] = {
        "inbound": lambda: inbound_sql(d, first, last),
        "cases": lambda: cases_sql(d, first, last, insert_resolutions=insert_resolutions),
        "written": lambda: written_sql(d, first, last, calendar_rows(start, end, now)),
        "costs": lambda: costs_sql(d, first, last),
        "backlog": lambda: backlog_sql(d, first, last),
    }
    return {name: makers[name]() for name in wanted}


#: From this many days on, PostgreSQL computes a span with hash joins over one pass of the log (`rollups_sql.planned`);
#: a shorter span (a refresh of a few days) keeps the index lookups of its contacts.
HASHED_FROM_DAYS = 7


def run(sql: str, values: dict[str, Any], *, days: int = 1) -> list[Row]:
    """Run one statement over a span of `days`; its JSON values decoded (PostgreSQL hands them as text here, as
    SQLite does)."""
    # A dashboard's read goes to the replica, when one is set (a rebuild, whose case statement inserts, runs outside).
    with replica.reading_connection().cursor() as cursor, planned(cursor, hashed=days >= HASHED_FROM_DAYS):
        cursor.execute(sql, values)
        return [_decoded(row) for row in cursor.fetchall()]


def _decoded(row: Sequence[Any]) -> Row:
    if row[0] in ("hist", "pending", "due") and isinstance(row[-1], str):
        return (*row[:-1], json.loads(row[-1]))
    return tuple(row)


def as_date(value: Any) -> dt.date:
    """A day as the database hands it (a date on PostgreSQL, its ISO text on SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
